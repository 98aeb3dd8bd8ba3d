"""Helpers shared by the readers of :mod:`scnetflow.io`: label patterns, label tests, text files."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

ENSEMBL = re.compile(r"^ENS(MUS)?G\d{11}(\.\d+)?$")
# 10x/Drop-seq barcodes (ACGT runs, optional -1/.1 suffix or sample prefix) and plain cell numbers.
BARCODE = re.compile(r"[ACGTN]{8,}|^\d+$|^cell[_.-]?\d+$", re.IGNORECASE)
STRING_ID = re.compile(r"^\d+\.ENS[A-Z]*P\d+")


def fraction(labels: Iterable[str], test) -> float:
    labels = [str(x) for x in labels][:2000]
    return sum(1 for x in labels if test(x)) / len(labels) if labels else 0.0


def examples(labels: pd.Index, n: int = 2) -> str:
    return ", ".join(repr(str(x)) for x in list(labels[:n]))


def open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8-sig") if path.suffix == ".gz" else path.open(encoding="utf-8-sig")


def looks_numeric(labels: pd.Index) -> float:
    """The fraction of ``labels`` that parse as numbers."""
    return float(pd.to_numeric(pd.Series(labels, dtype=object).astype(str), errors="coerce").notna().mean())
