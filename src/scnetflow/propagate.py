"""The propagate step: rank a network's genes by random walk with restart from seed genes (METHOD.md section 5).

The walk itself is :func:`scnetflow.networks.propagation_scores`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scnetflow.errors import InputError
from scnetflow.networks import edges_to_adjacency, propagation_scores
from scnetflow.params import option

logger = logging.getLogger(__name__)

#: Help shared by the steps that propagate (propagate, diffnet, evaluate-network): one meaning per name.
ALPHA_HELP = "Probability of following an edge in the random walk with restart (1 - restart probability)."
WEIGHTED_HELP = "Walk with the edge weights (|r| of co-embedded networks); else every edge counts 1."
IGNORE_MISSING_HELP = "Drop seed genes that are not in the network instead of failing."


@dataclass(frozen=True)
class PropagateParams:
    """The propagate step's settings."""

    alpha: float = option(0.9, ALPHA_HELP, min=0, max=1, min_open=True, max_open=True)
    weighted: bool = option(True, WEIGHTED_HELP)
    ignore_missing: bool = option(False, IGNORE_MISSING_HELP)
    tol: float = option(1e-6, "Convergence tolerance of the walk (largest change of a score per step).", min=0,
                        min_open=True)


def propagate(edges: pd.DataFrame, seed_genes: Sequence[str], params: PropagateParams = PropagateParams()
              ) -> pd.DataFrame:
    """Propagate from seed genes over a network and rank all its genes.

    Parameters
    ----------
    edges
        Edge list (``gene_a, gene_b, weight``).
    seed_genes
        Seed gene symbols (restart vector: 1 on each seed).
    params
        ``alpha`` (0.9 in scNET), ``weighted``, ``tol``; ``ignore_missing``: drop seeds that are not in the
        network (logged) instead of raising. Seeds that match a network gene only ignoring case (``Stat1``
        for ``STAT1``) are used under the network's symbol, with a warning.

    Returns
    -------
    Table ``gene, score, rank, is_seed`` sorted by score (descending), one row per network gene.
    """
    W, genes = edges_to_adjacency(edges, weighted=params.weighted)
    index = pd.Index(genes)
    seeds = list(dict.fromkeys(str(s).strip().lstrip("\ufeff") for s in seed_genes))
    if not seeds:
        raise InputError("no seed genes given; pass at least one gene symbol")
    by_upper = {}
    for g in genes:
        by_upper.setdefault(g.upper(), g)
    recased = {s: by_upper[s.upper()] for s in seeds if s not in index and s.upper() in by_upper}
    if recased:
        logger.warning("%d seed gene(s) match the network only ignoring case; using %s",
                       len(recased), ", ".join(f"{k!r} -> {v!r}" for k, v in recased.items()))
        seeds = list(dict.fromkeys(recased.get(s, s) for s in seeds))
    missing = [s for s in seeds if s not in index]
    if missing and not params.ignore_missing:
        raise InputError(
            f"seed gene(s) {missing} not in the network ({len(genes)} genes); check the symbols "
            "or pass --ignore-missing to drop them"
        )
    present = [s for s in seeds if s in index]
    if not present:
        raise InputError(f"none of the seed genes {seeds} is in the network ({len(genes)} genes); check the symbols")
    if missing:
        logger.warning("dropping %d seed gene(s) not in the network: %s", len(missing), missing)
    F0 = np.zeros(len(genes), np.float32)
    F0[index.get_indexer(present)] = 1.0
    logger.info("propagating from %d seed(s) over %d genes, %d edges", len(present), len(genes), len(edges))
    score = propagation_scores(W, F0, alpha=params.alpha, tol=params.tol)
    out = pd.DataFrame({"gene": genes, "score": score.astype(float), "is_seed": np.isin(genes, present)})
    out = out.sort_values(["score", "gene"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.insert(2, "rank", np.arange(1, len(out) + 1))
    return out
