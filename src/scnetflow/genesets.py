"""Gene-set libraries (GMT) read from files, never from the internet.

Two libraries ship with scnetflow (see the README for licences): ``"reactome"`` (Reactome pathways,
human symbols) and ``"go_bp"`` (Enrichr GO Biological Process 2021, human). Any other GMT (KEGG,
DisGeNET, MSigDB, ...) is read from a user path.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib.resources
import logging
from collections.abc import Iterator
from pathlib import Path

from scnetflow.errors import InputError

logger = logging.getLogger(__name__)

#: shipped library name -> file under ``scnetflow/data/genesets``.
SHIPPED_GMTS: dict[str, str] = {
    "reactome": "reactome_pathways_human_symbols.gmt.gz",
    "go_bp": "enrichr_GO_Biological_Process_2021_human.gmt.gz",
}


@contextlib.contextmanager
def shipped_gmt(name: str) -> Iterator[Path]:
    """Yield the path of a gene-set library shipped with scnetflow.

    Parameters
    ----------
    name
        One of ``"reactome"`` or ``"go_bp"``.
    """
    if name not in SHIPPED_GMTS:
        raise ValueError(f"unknown shipped gene-set library {name!r}; choose one of {sorted(SHIPPED_GMTS)}")
    res = importlib.resources.files("scnetflow") / "data" / "genesets" / SHIPPED_GMTS[name]
    with importlib.resources.as_file(res) as path:
        yield Path(path)


def read_gmt(path: str | Path, *, uppercase: bool = False) -> dict[str, list[str]]:
    """Read a GMT file (plain or ``.gz``) into ``{set name: [genes]}``.

    Parameters
    ----------
    path
        GMT file: one set per line, ``name <tab> description <tab> gene <tab> gene ...``. A shipped
        library name (``"reactome"``, ``"go_bp"``) is accepted too.
    uppercase
        Upper-case gene symbols (to use human sets on mouse symbols, as scNET does).

    Returns
    -------
    Ordered mapping of set name to its unique genes (file order). Duplicate set names are merged.
    """
    if isinstance(path, str) and path in SHIPPED_GMTS:
        with shipped_gmt(path) as p:
            return read_gmt(p, uppercase=uppercase)
    path = Path(path)
    if not path.is_file():
        raise InputError("gene-set file not found; pass an existing GMT file (plain or .gz)", path=path)
    opener = gzip.open if path.suffix == ".gz" else open
    sets: dict[str, list[str]] = {}
    try:
        with opener(path, "rt", encoding="utf-8-sig") as fh:  # -sig: drop a byte-order mark
            for lineno, line in enumerate(fh, 1):
                fields = line.rstrip("\n\r").split("\t")
                if not fields[0].strip():
                    continue
                if len(fields) < 3:
                    raise InputError(
                        f"line {lineno}: expected 'name<TAB>description<TAB>genes...', got {len(fields)} field(s); "
                        "is this a GMT file?",
                        path=path,
                    )
                genes = [g.strip() for g in fields[2:] if g.strip()]
                if uppercase:
                    genes = [g.upper() for g in genes]
                merged = sets.setdefault(fields[0], [])
                merged.extend(genes)
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as e:
        raise InputError(f"cannot read as a GMT text file ({e}); pass a GMT file (plain or .gz)", path=path) from e
    sets = {k: list(dict.fromkeys(v)) for k, v in sets.items()}
    if not sets:
        raise InputError("no gene sets in file; pass a non-empty GMT file", path=path)
    logger.debug("read %d gene sets from %s", len(sets), path)
    return sets


def filter_gene_sets(
    gene_sets: dict[str, list[str]], universe: set[str] | list[str], *, min_size: int = 1, max_size: int | None = None
) -> dict[str, list[str]]:
    """Restrict each set to ``universe`` and keep those with ``min_size <= size <= max_size`` genes left."""
    universe = set(universe)
    out = {}
    for name, genes in gene_sets.items():
        kept = [g for g in genes if g in universe]
        if len(kept) >= min_size and (max_size is None or len(kept) <= max_size):
            out[name] = kept
    return out
