r"""Network propagation (random walk with restart) and the network evaluations of METHOD.md section 5.

Propagation solves the fixed point of

.. math::
    F \leftarrow \alpha W' F + (1 - \alpha) F_0, \qquad W' = D^{-1/2} W D^{-1/2}

for many seed vectors at once (the columns of :math:`F_0`), with sparse :math:`W`. Scores are divided
by the propagation of the all-ones vector to remove the degree bias, as in scNET. ``method="power"``
is the authors' iteration; the default ``"chebyshev"`` reaches the same fixed point with Chebyshev
semi-iteration on :math:`(I - \alpha W') F = (1 - \alpha) F_0`, whose spectrum lies in
:math:`[1 - \alpha, 1 + \alpha]`, so it needs about 4x fewer sparse products (convergence rate
0.63 instead of 0.9 per product at ``alpha = 0.9``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.networks import edges_to_adjacency

logger = logging.getLogger(__name__)


def normalize_adjacency(W: sp.spmatrix) -> sp.csr_matrix:
    """Symmetric degree normalisation ``D^-1/2 W D^-1/2`` (float32 CSR); isolated nodes stay zero."""
    W = sp.csr_matrix(W, dtype=np.float64)
    deg = np.asarray(W.sum(axis=1)).ravel()
    inv = np.zeros_like(deg)
    inv[deg > 0] = 1.0 / np.sqrt(deg[deg > 0])
    D = sp.diags(inv)
    return (D @ W @ D).tocsr().astype(np.float32)


def rwr(
    W_norm: sp.spmatrix,
    F0: np.ndarray,
    *,
    alpha: float = 0.9,
    tol: float = 1e-6,
    max_iter: int = 1000,
    method: Literal["chebyshev", "power"] = "chebyshev",
) -> np.ndarray:
    """Random walk with restart from the columns of ``F0`` over a normalised adjacency.

    Parameters
    ----------
    W_norm
        ``D^-1/2 W D^-1/2`` (:func:`normalize_adjacency`), n x n.
    F0
        n x k restart vectors (one column per seed set); a 1-D vector is treated as one column.
    alpha
        Probability of following an edge (1 - restart probability), in (0, 1).
    tol
        Stop when the largest change of any entry in one step is at most ``tol``.
    max_iter
        Give up after this many sparse products (a warning is logged).
    method
        ``"chebyshev"`` (default, same fixed point, fewer products) or ``"power"`` (the plain iteration).

    Returns
    -------
    n x k float32 array ``F`` (1-D if ``F0`` was).
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be in (0, 1), got {alpha!r}")
    if method not in ("chebyshev", "power"):
        raise ValueError(f"method must be 'chebyshev' or 'power', got {method!r}")
    vector = F0.ndim == 1
    F0 = np.asarray(F0, dtype=np.float32).reshape(F0.shape[0], -1)
    b = (1.0 - alpha) * F0
    converged = False
    if method == "power":
        F = F0.copy()
        for it in range(1, max_iter + 1):
            F_new = alpha * (W_norm @ F) + b
            delta = float(np.abs(F_new - F).max()) if F.size else 0.0
            F = F_new
            if delta <= tol:
                converged = True
                break
    else:
        d, c = 1.0, alpha  # centre and half-width of the spectrum of A = I - alpha W'
        F = np.zeros_like(b)
        r = b.copy()
        p = None
        a = 1.0 / d
        for it in range(1, max_iter + 1):
            if it == 1:
                p = r.copy()
                a = 1.0 / d
            else:
                beta = 0.5 * (c * a) ** 2 if it == 2 else (c * a / 2.0) ** 2
                a = 1.0 / (d - beta / a)
                p *= beta
                p += r
            Ap = p - alpha * (W_norm @ p)
            step = a * p
            F += step
            r -= a * Ap
            delta = float(np.abs(step).max()) if step.size else 0.0
            if delta <= tol:
                converged = True
                break
    if not converged:
        logger.warning("propagation did not converge in %d iterations (last change %.3g)", max_iter, delta)
    logger.debug("propagation (%s): %d columns, %d iterations", method, F.shape[1], it)
    return F[:, 0] if vector else F


def propagation_scores(
    W: sp.spmatrix,
    F0: np.ndarray,
    *,
    alpha: float = 0.9,
    tol: float = 1e-6,
    method: Literal["chebyshev", "power"] = "chebyshev",
    ones: np.ndarray | None = None,
    W_norm: sp.spmatrix | None = None,
) -> np.ndarray:
    """Degree-corrected propagation: ``rwr(F0) / rwr(1)``; 0 where the all-ones propagation is 0.

    ``ones`` (the propagation of the all-ones vector) and ``W_norm`` can be passed to reuse them
    across batches.
    """
    if W_norm is None:
        W_norm = normalize_adjacency(W)
    if ones is None:
        ones = rwr(W_norm, np.ones(W_norm.shape[0], np.float32), alpha=alpha, tol=tol, method=method)
    F = rwr(W_norm, F0, alpha=alpha, tol=tol, method=method)
    denom = np.where(ones > 0, ones, np.inf).astype(np.float32)
    return F / (denom[:, None] if F.ndim == 2 else denom)


def propagate(
    edges: pd.DataFrame,
    seed_genes: Sequence[str],
    *,
    alpha: float = 0.9,
    weighted: bool = True,
    ignore_missing: bool = False,
    tol: float = 1e-6,
) -> pd.DataFrame:
    """Propagate from seed genes over a network and rank all its genes.

    Parameters
    ----------
    edges
        Edge list (``gene_a, gene_b, weight``).
    seed_genes
        Seed gene symbols (restart vector: 1 on each seed).
    alpha
        Probability of following an edge (0.9 in scNET).
    weighted
        Use edge weights; otherwise every edge counts 1.
    ignore_missing
        Drop seeds that are not in the network (logged) instead of raising. Seeds that match a network
        gene only ignoring case (``Stat1`` for ``STAT1``) are used under the network's symbol, with a warning.
    tol
        Convergence tolerance (largest change per step).

    Returns
    -------
    Table ``gene, score, rank, is_seed`` sorted by score (descending), one row per network gene.
    """
    W, genes = edges_to_adjacency(edges, weighted=weighted)
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
    if missing and not ignore_missing:
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
    score = propagation_scores(W, F0, alpha=alpha, tol=tol)
    out = pd.DataFrame({"gene": genes, "score": score.astype(float), "is_seed": np.isin(genes, present)})
    out = out.sort_values(["score", "gene"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.insert(2, "rank", np.arange(1, len(out) + 1))
    return out
