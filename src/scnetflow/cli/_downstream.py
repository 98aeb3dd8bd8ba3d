"""Helpers shared by the downstream-analysis commands (coembed, propagate, evaluate-network, diffnet, gsea,
cluster-eval): library defaults for ``show_default`` and seed-gene parsing."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scnetflow.errors import InputError


def defaults(func: Callable[..., Any]) -> dict[str, Any]:
    """``{parameter: default}`` of a library function: the one source of truth for CLI defaults."""
    return {
        name: p.default
        for name, p in inspect.signature(func).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def seed_gene_list(seed_genes: tuple[str, ...], seed_file: Path | None) -> list[str]:
    """Seed genes from repeated/comma-separated ``--seed-genes`` and a one-per-line ``--seed-file``."""
    from scnetflow.io import read_gene_list

    genes = [g.strip() for item in seed_genes for g in item.split(",") if g.strip()]
    if seed_file is not None:
        genes += read_gene_list(seed_file)
    genes = list(dict.fromkeys(genes))
    if not genes:
        raise InputError("no seed genes given; pass --seed-genes STAT1[,IRF7] or --seed-file FILE (one gene a line)")
    return genes
