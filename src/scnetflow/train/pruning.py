"""The paper's attention pruning of the cell KNN graph, and the union of the subsets' pruned graphs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from scnetflow.train.params import TrainParams


def prune(edges: np.ndarray, scores: np.ndarray, n_cells: int, params: TrainParams) -> np.ndarray:
    """Paper rule: drop edges scoring below beta = max(0, P10), at most ``prune_max_fraction`` of them,
    lowest first, never leaving a cell with fewer than ``min_cell_degree`` edges. Returns kept edges."""
    beta = max(0.0, float(np.percentile(scores, params.prune_percentile)))
    limit = int(params.prune_max_fraction * len(edges))
    degree = np.bincount(edges.ravel(), minlength=n_cells)
    keep = np.ones(len(edges), dtype=bool)
    removed = 0
    for e in np.argsort(scores, kind="stable"):
        if removed >= limit or scores[e] >= beta:
            break
        a, b = edges[e]
        if degree[a] > params.min_cell_degree and degree[b] > params.min_cell_degree:
            keep[e] = False
            degree[a] -= 1
            degree[b] -= 1
            removed += 1
    return edges[keep]


def global_knn(parts: list[tuple[np.ndarray, int, np.ndarray]], n_cells: int) -> sp.csr_matrix:
    """Union of the subsets' pruned graphs in global cell indices (edges of padding cells dropped)."""
    rows, cols = [], []
    for cells, n_real, edges in parts:
        ok = (edges[:, 0] < n_real) & (edges[:, 1] < n_real)
        a, b = cells[edges[ok, 0]], cells[edges[ok, 1]]
        rows += [a, b]
        cols += [b, a]
    r, c = np.concatenate(rows), np.concatenate(cols)
    m = sp.csr_matrix((np.ones(r.size, np.float32), (r, c)), shape=(n_cells, n_cells))
    m.data[:] = 1.0
    return m
