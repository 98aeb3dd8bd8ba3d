"""Differential co-embedded network between two conditions (METHOD.md section 5).

Each condition's gene embeddings (one train run per condition) give a co-embedded network at the same
percentile; the differential network is the XOR of the two edge sets (edges present in exactly one
condition), each edge labelled with the condition it came from. Propagation from seed genes over the
differential network ranks the genes whose neighbourhood changed around the seeds (Pdcd1 in the
paper). Both networks are built over the genes the two embeddings share, so a gene measured in only
one condition cannot create edges by its absence in the other.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scnetflow.coembed import PERCENTILE_HELP
from scnetflow.errors import InputError
from scnetflow.networks import abs_correlation, threshold_edges, upper_triangle_percentiles
from scnetflow.params import option
from scnetflow.propagate import ALPHA_HELP, IGNORE_MISSING_HELP, WEIGHTED_HELP, PropagateParams, propagate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiffnetParams:
    """The diffnet step's settings: each condition's co-embedded network, then propagation over their XOR."""

    percentile: float = option(99.0, PERCENTILE_HELP, min=0, max=100, min_open=True, max_open=True)
    alpha: float = option(0.9, ALPHA_HELP, min=0, max=1, min_open=True, max_open=True)
    weighted: bool = option(True, WEIGHTED_HELP)
    ignore_missing: bool = option(False, IGNORE_MISSING_HELP)


def _edges_at(emb: pd.DataFrame, percentile: float) -> tuple[pd.DataFrame, float]:
    C = abs_correlation(emb.to_numpy())
    thr = upper_triangle_percentiles(C, [percentile])[float(percentile)]
    r, c, v = threshold_edges(C, thr)
    del C
    genes = np.asarray(emb.index)
    return pd.DataFrame({"gene_a": genes[r], "gene_b": genes[c], "weight": v.astype(float)}), thr


def differential_network(
    emb_a: pd.DataFrame,
    emb_b: pd.DataFrame,
    *,
    percentile: float = 99,
    names: tuple[str, str] = ("A", "B"),
) -> tuple[pd.DataFrame, dict]:
    """XOR of the co-embedded networks of two conditions.

    Parameters
    ----------
    emb_a, emb_b
        Genes x dims gene embeddings of conditions A and B.
    percentile
        Percentile threshold of each co-embedded network (over its own off-diagonal pairs).
    names
        Condition names written in the ``condition`` column.

    Returns
    -------
    ``(edges, info)``: edge list ``gene_a, gene_b, weight, condition`` (weight = |r| in the condition
    that has the edge) sorted by condition then weight; ``info`` has the shared gene count, each
    condition's threshold and edge count, and the shared (dropped) edge count.
    """
    if names[0] == names[1]:
        raise InputError(f"the two condition names must differ, got {names[0]!r} twice")
    shared = emb_a.index.intersection(emb_b.index)
    if len(shared) < 3:
        raise InputError(
            f"the two gene embeddings share {len(shared)} genes; pass embeddings of the same genes "
            "(train both conditions on the same gene set)"
        )
    for name, emb in zip(names, (emb_a, emb_b)):
        if len(emb.index) != len(shared):
            logger.info("condition %s: %d of %d genes are shared", name, len(shared), len(emb.index))
    shared = sorted(shared)
    ea, thr_a = _edges_at(emb_a.loc[shared], percentile)
    eb, thr_b = _edges_at(emb_b.loc[shared], percentile)
    key_a = pd.MultiIndex.from_frame(ea[["gene_a", "gene_b"]])
    key_b = pd.MultiIndex.from_frame(eb[["gene_a", "gene_b"]])
    only_a = ea[~key_a.isin(key_b)].assign(condition=names[0])
    only_b = eb[~key_b.isin(key_a)].assign(condition=names[1])
    edges = pd.concat([only_a, only_b], ignore_index=True)
    edges = edges.sort_values(["condition", "weight"], ascending=[True, False]).reset_index(drop=True)
    info = {
        "n_shared_genes": len(shared),
        "percentile": float(percentile),
        "conditions": list(names),
        "threshold": {names[0]: thr_a, names[1]: thr_b},
        "n_edges": {names[0]: int(len(ea)), names[1]: int(len(eb))},
        "n_edges_both": int(len(ea) - len(only_a)),
        "n_edges_xor": int(len(edges)),
        "n_edges_only": {names[0]: int(len(only_a)), names[1]: int(len(only_b))},
    }
    logger.info(
        "differential network: %d edges only in %s, %d only in %s, %d shared (dropped)",
        len(only_a), names[0], len(only_b), names[1], info["n_edges_both"],
    )
    return edges, info


def diffnet(
    emb_a: pd.DataFrame,
    emb_b: pd.DataFrame,
    seed_genes: Sequence[str],
    params: DiffnetParams = DiffnetParams(),
    *,
    names: tuple[str, str] = ("A", "B"),
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Differential network of two conditions and propagation from seed genes over it.

    Parameters
    ----------
    emb_a, emb_b
        Gene embeddings (genes x dims) of conditions A and B.
    seed_genes
        Seed gene symbols; each must have an edge in the differential network.
    params
        ``percentile``: the co-embedded networks' threshold (percentile of |r|); ``alpha``, ``weighted``:
        the walk; ``ignore_missing``: drop seeds absent from the differential network instead of raising.
    names
        Names of conditions A and B.

    Returns
    -------
    ``(edges, genes, info)``: the XOR edge list (with ``condition``); the ranked genes
    ``gene, score, rank, is_seed, degree_<A>, degree_<B>`` (edges of each condition at the gene); info.
    """
    percentile, ignore_missing = params.percentile, params.ignore_missing
    edges, info = differential_network(emb_a, emb_b, percentile=percentile, names=names)
    if edges.empty:
        raise InputError("the two co-embedded networks are identical at this percentile; nothing to propagate")
    net_genes = set(edges["gene_a"]) | set(edges["gene_b"])
    absent = [s for s in seed_genes if s not in net_genes]
    if absent and not ignore_missing:
        in_emb = [s for s in absent if s in emb_a.index and s in emb_b.index]
        one = [s for s in absent if (s in emb_a.index) != (s in emb_b.index)]
        hints = []
        if in_emb:
            hints.append(f"{in_emb} are embedded in both but have no differential edge at percentile {percentile:g}")
        if one:
            hints.append(f"{one} are embedded in only one condition (not a model gene of the other)")
        if len(in_emb) + len(one) < len(absent):
            hints.append("the others are in neither embedding (not model genes, or check the symbols; case matters)")
        hint = "; ".join(hints)
        raise InputError(
            f"seed gene(s) {absent} not in the differential network ({len(net_genes)} genes): {hint}; "
            "choose other seeds or pass --ignore-missing"
        )
    walk = PropagateParams(alpha=params.alpha, weighted=params.weighted, ignore_missing=ignore_missing)
    ranked = propagate(edges, seed_genes, walk)
    for name in names:
        sub = edges[edges["condition"] == name]
        deg = pd.concat([sub["gene_a"], sub["gene_b"]]).value_counts()
        ranked[f"degree_{name}"] = ranked["gene"].map(deg).fillna(0).astype(int)
    info["seed_genes"] = [s for s in seed_genes if s in net_genes]
    return edges, ranked, info
