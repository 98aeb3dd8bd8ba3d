"""Gene networks as edge lists: read/write, the PPI, sparse adjacency and igraph conversion.

An edge list is a :class:`pandas.DataFrame` with columns ``gene_a, gene_b, weight``, one row per
undirected edge (the TSV format in docs/contracts.md).
"""

from __future__ import annotations

import importlib.resources
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError

if TYPE_CHECKING:
    import igraph

logger = logging.getLogger(__name__)

EDGE_COLUMNS = ["gene_a", "gene_b", "weight"]


def read_edge_list(path: str | Path) -> pd.DataFrame:
    """Read a tab-separated edge list (``gene_a  gene_b  weight``; ``weight`` optional, default 1)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("edge list not found; pass an existing TSV with columns gene_a, gene_b, weight", path=path)
    df = pd.read_csv(path, sep="\t", dtype={"gene_a": str, "gene_b": str})
    missing = [c for c in ("gene_a", "gene_b") if c not in df.columns]
    if missing:
        raise InputError(
            f"missing column(s) {missing}; an edge list needs columns gene_a, gene_b[, weight] "
            f"(found {list(df.columns)})",
            path=path,
        )
    if "weight" not in df.columns:
        df["weight"] = 1.0
    df = df[EDGE_COLUMNS].copy()
    if df["weight"].isna().any() or not np.isfinite(df["weight"].to_numpy(dtype=float)).all():
        raise InputError("column 'weight' has missing or non-finite values; fix or drop those rows", path=path)
    if len(df) == 0:
        raise InputError("edge list has no edges", path=path)
    return df


def write_edge_list(edges: pd.DataFrame, path: str | Path, *, extra_columns: list[str] | None = None) -> None:
    """Write an edge list as TSV (``gene_a, gene_b, weight`` then ``extra_columns``)."""
    cols = EDGE_COLUMNS + list(extra_columns or [])
    edges[cols].to_csv(path, sep="\t", index=False, float_format="%.6g")


def load_ppi(path: str | Path | None = None, *, cutoff: float = 0.5, genes: list[str] | None = None) -> pd.DataFrame:
    """Load a PPI as an edge list.

    Parameters
    ----------
    path
        Any table :func:`scnetflow.io.read_ppi` reads (the scNET CSV ``,g1_symbol,g2_symbol,conn``, a TSV edge
        list, ...).
        ``None`` loads the PPI shipped with scnetflow (scNET's weighted human network).
    cutoff
        Keep edges with ``conn >= cutoff`` (scNET's default 0.5).
    genes
        If given, keep only edges between these genes (the induced sub-network).

    Returns
    -------
    Edge list with columns ``gene_a, gene_b, weight`` (weight = conn), self-loops and duplicates removed.
    """
    if path is None:
        res = importlib.resources.files("scnetflow") / "data" / "ppi" / "scnet_human_ppi.csv.gz"
        with importlib.resources.as_file(res) as p:
            return load_ppi(p, cutoff=cutoff, genes=genes)
    from scnetflow.io import read_ppi  # the one PPI reader of every step

    path = Path(path)
    df = read_ppi(path, min_score=cutoff).rename(columns={"score": "weight"})
    df = df[df["weight"] >= cutoff]
    if genes is not None:
        keep = set(genes)
        df = df[df["gene_a"].isin(keep) & df["gene_b"].isin(keep)]
    df = canonical_edges(df)
    logger.info("PPI %s: %d edges with weight >= %g", path.name, len(df), cutoff)
    return df


def canonical_edges(edges: pd.DataFrame) -> pd.DataFrame:
    """Order each pair (``gene_a < gene_b``), drop self-loops, keep the largest weight of duplicates."""
    a = edges["gene_a"].astype(str).to_numpy()
    b = edges["gene_b"].astype(str).to_numpy()
    swap = a > b
    out = pd.DataFrame(
        {"gene_a": np.where(swap, b, a), "gene_b": np.where(swap, a, b), "weight": edges["weight"].to_numpy(float)}
    )
    out = out[out["gene_a"] != out["gene_b"]]
    out = out.sort_values("weight", ascending=False).drop_duplicates(["gene_a", "gene_b"])
    return out.sort_values(["gene_a", "gene_b"]).reset_index(drop=True)


def edges_to_adjacency(
    edges: pd.DataFrame, genes: list[str] | None = None, *, weighted: bool = True
) -> tuple[sp.csr_matrix, list[str]]:
    """Symmetric sparse adjacency of an edge list.

    Parameters
    ----------
    edges
        Edge list (``gene_a, gene_b, weight``).
    genes
        Node order; default: the sorted genes that have an edge. Edges touching other genes are dropped.
    weighted
        Use ``weight``; otherwise every edge has weight 1.

    Returns
    -------
    ``(W, genes)``: ``W`` is a float64 CSR matrix, ``W[i, j] = W[j, i]`` = the edge weight.
    """
    if genes is None:
        genes = sorted(set(edges["gene_a"]) | set(edges["gene_b"]))
    index = pd.Index(genes)
    if not index.is_unique:
        raise ValueError("genes must be unique")
    ia = index.get_indexer(edges["gene_a"])
    ib = index.get_indexer(edges["gene_b"])
    ok = (ia >= 0) & (ib >= 0) & (ia != ib)
    lo, hi = np.minimum(ia[ok], ib[ok]), np.maximum(ia[ok], ib[ok])
    w = edges["weight"].to_numpy(float)[ok] if weighted else np.ones(len(lo))
    n = len(index)
    # a pair listed twice keeps its largest weight, not the sum
    key = lo.astype(np.int64) * n + hi
    order = np.lexsort((-w, key))
    first = np.ones(len(order), bool)
    first[1:] = key[order][1:] != key[order][:-1]
    lo, hi, w = lo[order][first], hi[order][first], w[order][first]
    W = sp.csr_matrix((np.r_[w, w], (np.r_[lo, hi], np.r_[hi, lo])), shape=(n, n))
    return W, list(index)


def edges_to_igraph(edges: pd.DataFrame, genes: list[str] | None = None) -> igraph.Graph:
    """Undirected igraph graph with vertex attribute ``name`` and edge attribute ``weight``."""
    import igraph

    if genes is None:
        genes = sorted(set(edges["gene_a"]) | set(edges["gene_b"]))
    index = pd.Index(genes)
    ia = index.get_indexer(edges["gene_a"])
    ib = index.get_indexer(edges["gene_b"])
    ok = (ia >= 0) & (ib >= 0)
    g = igraph.Graph(n=len(index), edges=np.column_stack([ia[ok], ib[ok]]).tolist(), directed=False)
    g.vs["name"] = list(index)
    g.es["weight"] = edges["weight"].to_numpy(float)[ok].tolist()
    return g
