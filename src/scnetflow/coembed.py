"""Co-embedded gene networks (METHOD.md section 5) and the co-expression baseline.

Two genes are linked when the absolute Pearson correlation of their scNET embeddings is above a
percentile of all gene pairs. The percentile is taken over the **off-diagonal upper triangle** (each
pair once, self-pairs excluded); the authors' code takes it over the whole matrix, zeros on the
diagonal included, which shifts it slightly. Communities come from Leiden (igraph, modularity,
seeded) on the unweighted thresholded graph, not from Louvain as in the authors' code; the
modularity of that partition is reported per threshold. The co-expression baseline is the same
construction on the genes' expression across cells.

Memory: a G x G float32 matrix (400 MB for 10k genes) plus one float32 copy of its upper triangle.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scnetflow.errors import InputError
from scnetflow.networks import (abs_coexpression, abs_correlation, seeded_igraph, threshold_edges,
                                upper_triangle_percentiles)
from scnetflow.params import SEED_HELP, option

if TYPE_CHECKING:
    import anndata

logger = logging.getLogger(__name__)

PERCENTILE_HELP = "Percentile of |r| over gene pairs above which two genes are linked in a co-embedded network."


@dataclass(frozen=True)
class CoembedParams:
    """The coembed step's settings."""

    percentiles: tuple[float, ...] = option((50.0, 75.0, 95.0, 99.0), "Percentiles of |r| at which both networks' "
                                            "communities and modularity are reported.", min=0, max=100,
                                            min_open=True, max_open=True)
    percentile: float = option(99.0, PERCENTILE_HELP + " The written edge lists and GraphML use it (99 in the paper).",
                               min=0, max=100, min_open=True, max_open=True)
    seed: int = option(0, SEED_HELP)

def read_gene_embeddings(path: str | Path) -> pd.DataFrame:
    """Read ``<prefix>.gene_embeddings.tsv`` (``gene, scnet_0 ... scnet_k``) into genes x dims float32."""
    path = Path(path)
    if not path.is_file():
        raise InputError("gene embedding file not found; pass the train step's <prefix>.gene_embeddings.tsv", path=path)
    df = pd.read_csv(path, sep="\t", index_col=0)
    if df.index.name != "gene":
        raise InputError(f"first column must be 'gene' (found {df.index.name!r}); is this a gene_embeddings.tsv?", path=path)
    if df.shape[1] < 2 or df.shape[0] < 3:
        raise InputError(f"need >= 3 genes and >= 2 dimensions, found {df.shape[0]} x {df.shape[1]}", path=path)
    if not df.index.is_unique:
        dup = df.index[df.index.duplicated()][0]
        raise InputError(f"gene {dup!r} appears more than once; gene names must be unique", path=path)
    try:
        df = df.astype(np.float32)
    except ValueError as e:
        raise InputError(f"non-numeric embedding values ({e})", path=path) from e
    if not np.isfinite(df.to_numpy()).all():
        raise InputError("embedding has NaN or infinite values; re-run train or drop those genes", path=path)
    df.index = df.index.astype(str)
    return df


def leiden_communities(
    n_nodes: int, rows: np.ndarray, cols: np.ndarray, *, seed: int = 0
) -> tuple[np.ndarray, float]:
    """Leiden (modularity) communities of the unweighted graph given by edge index pairs.

    Uses igraph's C implementation (``community_leiden``, modularity objective, iterated until stable),
    which is several times faster than ``leidenalg`` on the dense low-percentile graphs.

    Returns
    -------
    ``(membership, modularity)``; ``membership[i] = -1`` for nodes without edges (not in the network).
    """
    import igraph

    g = igraph.Graph(n=n_nodes, edges=list(zip(rows.tolist(), cols.tolist())), directed=False)
    if g.ecount() == 0:
        return np.full(n_nodes, -1), float("nan")
    with seeded_igraph(seed):
        part = g.community_leiden(objective_function="modularity", n_iterations=-1)
    membership = np.asarray(part.membership)
    # renumber communities of connected nodes by size; isolated nodes -> -1
    degree = np.asarray(g.degree())
    membership = np.where(degree > 0, membership, -1)
    labels, counts = np.unique(membership[membership >= 0], return_counts=True)
    order = labels[np.argsort(-counts, kind="stable")]
    remap = np.full(membership.max() + 2, -1)
    remap[order] = np.arange(len(order))
    membership = np.where(membership >= 0, remap[membership], -1)
    return membership, float(g.modularity(part.membership))


@dataclass
class NetworkSummary:
    """A thresholded correlation network and its communities at each percentile.

    Attributes
    ----------
    kind
        ``"coembed"`` or ``"coexpr"``.
    genes
        Node order (all genes considered, including those left without edges).
    edges
        Edge list (``gene_a, gene_b, weight`` = |r|) at ``percentile``.
    modularity
        One row per percentile: ``network, percentile, threshold, n_genes, n_edges, n_communities, modularity``.
    communities
        Long table ``network, percentile, gene, community`` (genes with at least one edge).
    """

    kind: str
    percentile: float
    genes: list[str]
    edges: pd.DataFrame
    modularity: pd.DataFrame
    communities: pd.DataFrame = field(repr=False)


def correlation_network(
    C: np.ndarray,
    genes: list[str],
    *,
    kind: str,
    percentiles: Sequence[float] = (50, 75, 95, 99),
    percentile: float = 99,
    seed: int = 0,
) -> NetworkSummary:
    """Threshold a |correlation| matrix at several percentiles; Leiden communities + modularity for each.

    Parameters
    ----------
    C
        G x G |correlation| (diagonal 0), e.g. from :func:`abs_correlation`.
    genes
        Gene names, in the order of ``C``.
    kind
        Label written in the ``network`` column.
    percentiles
        Percentiles of the off-diagonal upper triangle to evaluate.
    percentile
        The percentile whose edge list is returned (added to ``percentiles`` if missing).
    seed
        Leiden seed.
    """
    percentiles = sorted({float(p) for p in percentiles} | {float(percentile)})
    bad = [p for p in percentiles if not 0 < p < 100]
    if bad:
        raise InputError(f"percentiles must be in (0, 100), got {bad}")
    thresholds = upper_triangle_percentiles(C, percentiles)
    rows_mod, comm_tables = [], []
    edges_out = None
    for p in percentiles:
        thr = thresholds[p]
        r, c, v = threshold_edges(C, thr)
        membership, q = leiden_communities(len(genes), r, c, seed=seed)
        in_net = membership >= 0
        rows_mod.append(
            {
                "network": kind,
                "percentile": p,
                "threshold": thr,
                "n_genes": int(in_net.sum()),
                "n_edges": int(len(r)),
                "n_communities": int(membership.max() + 1) if in_net.any() else 0,
                "modularity": q,
            }
        )
        comm_tables.append(
            pd.DataFrame(
                {"network": kind, "percentile": p, "gene": np.asarray(genes)[in_net], "community": membership[in_net]}
            )
        )
        logger.info(
            "%s p%g: |r| > %.4f, %d edges, %d genes, modularity %.4f", kind, p, thr, len(r), in_net.sum(), q
        )
        if p == float(percentile):
            gs = np.asarray(genes)
            edges_out = pd.DataFrame({"gene_a": gs[r], "gene_b": gs[c], "weight": v.astype(float)})
        del r, c, v
    return NetworkSummary(
        kind=kind,
        percentile=float(percentile),
        genes=list(genes),
        edges=edges_out,
        modularity=pd.DataFrame(rows_mod),
        communities=pd.concat(comm_tables, ignore_index=True),
    )


def coembedded_network(
    embeddings: pd.DataFrame, *, percentiles: Sequence[float] = (50, 75, 95, 99), percentile: float = 99, seed: int = 0
) -> NetworkSummary:
    """Co-embedded gene network from a genes x dims embedding table (see :func:`correlation_network`)."""
    logger.info("co-embedded network: %d genes x %d dims", *embeddings.shape)
    C = abs_correlation(embeddings.to_numpy())
    return correlation_network(
        C, list(embeddings.index), kind="coembed", percentiles=percentiles, percentile=percentile, seed=seed
    )


def coexpression_network(
    adata: anndata.AnnData,
    genes: list[str] | None = None,
    *,
    layer: str | None = None,
    percentiles: Sequence[float] = (50, 75, 95, 99),
    percentile: float = 99,
    seed: int = 0,
) -> NetworkSummary:
    """Co-expression baseline: |Pearson| of genes' expression across cells, thresholded like the co-embedded one.

    Parameters
    ----------
    adata
        Cells x genes; ``X`` (or ``layers[layer]``) is the log-normalised expression.
    genes
        Genes to use, in this order (default: all of ``adata.var_names``). All must be in ``adata``.
    layer
        Layer to use instead of ``X``.
    """
    if genes is None:
        genes = list(adata.var_names)
    missing = [g for g in genes if g not in adata.var_names]
    if missing:
        raise InputError(
            f"{len(missing)} embedding gene(s) not in the expression matrix (first: {missing[0]!r}); "
            "pass the scnet.h5ad of the same train run as the gene embeddings"
        )
    if layer is not None and layer not in adata.layers:
        raise InputError(f"layer {layer!r} not found (layers: {list(adata.layers)})")
    X = adata[:, genes].X if layer is None else adata[:, genes].layers[layer]
    logger.info("co-expression network: %d cells x %d genes", adata.n_obs, len(genes))
    C = abs_coexpression(X)
    return correlation_network(C, list(genes), kind="coexpr", percentiles=percentiles, percentile=percentile, seed=seed)


def coembed(
    embeddings: pd.DataFrame,
    adata: anndata.AnnData | None = None,
    params: CoembedParams = CoembedParams(),
) -> tuple[NetworkSummary, NetworkSummary | None]:
    """Co-embedded network and, when ``adata`` is given, the co-expression baseline on the same genes.

    Parameters
    ----------
    embeddings
        Genes x dims (``read_gene_embeddings``).
    adata
        The scnet.h5ad (cells x model genes, log-normalised ``X``), or ``None`` to skip the baseline.
    params
        ``percentiles``: thresholds evaluated (communities + modularity for each); ``percentile``: that of the
        edge lists returned (99, as in the paper); ``seed``: Leiden's.

    Returns
    -------
    ``(coembed, coexpr)`` :class:`NetworkSummary` objects (``coexpr`` is ``None`` without ``adata``).
    """
    kw = {"percentiles": params.percentiles, "percentile": params.percentile, "seed": params.seed}
    co = coembedded_network(embeddings, **kw)
    cx = None
    if adata is not None:
        cx = coexpression_network(adata, list(embeddings.index), **kw)
    return co, cx


def to_graphml(summary: NetworkSummary, path: str | Path) -> None:
    """Write the summary's edge list as GraphML (node attribute ``community`` at its percentile)."""
    from scnetflow.networks import edges_to_igraph

    genes = sorted(set(summary.edges["gene_a"]) | set(summary.edges["gene_b"]))
    g = edges_to_igraph(summary.edges, genes)
    comm = summary.communities[summary.communities["percentile"] == summary.percentile].set_index("gene")["community"]
    g.vs["community"] = [int(comm.get(n, -1)) for n in g.vs["name"]]
    g.write_graphml(str(path))
