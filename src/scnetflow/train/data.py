"""The data a training run works on: cell subsets with their standardised expression and KNN edges, the
held-out expression entries and PPI edges, and non-edge sampling."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anndata as ad
import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from scnetflow.errors import InputError

if TYPE_CHECKING:
    from scnetflow.train.params import TrainParams

logger = logging.getLogger(__name__)


@dataclass
class Subset:
    """A set of cells trained together: their indices, standardised features and KNN edges."""

    cells: np.ndarray  # (s,) global cell indices; the last subset may repeat cells to reach width s
    n_real: int  # the first n_real entries are this subset's own cells
    x: Tensor  # (G, s)
    target: Tensor  # (s, G) standardised expression, the reconstruction target
    edges: np.ndarray  # (E, 2) undirected local edges, i < j
    scores: np.ndarray  # (E,) latest attention score per edge
    #: held-out expression entries: (rows, cols) with rows < n_real and cols indexing the target genes
    held: tuple[Tensor, Tensor] | None = field(default=None)


def standardise(x: np.ndarray) -> np.ndarray:
    """Per-column z-score (genes are columns), as the authors: divide by sd + 1e-5. One cells x genes
    array is allocated besides ``x`` (the division is in place)."""
    sd = x.std(axis=0) + 1e-5
    out = x - x.mean(axis=0)
    out /= sd
    return out.astype(np.float32, copy=False)


def knn_edges(conn: sp.spmatrix) -> np.ndarray:
    """Undirected edges (i < j) of a symmetric cell graph, as (E, 2)."""
    upper = sp.triu(conn + conn.T, k=1).tocoo()
    return np.stack([upper.row, upper.col], axis=1).astype(np.int64)


def subset_knn(pca: np.ndarray, k: int) -> sp.csr_matrix:
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(pca) - 1)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(pca)
    _, idx = nn.kneighbors(pca)
    rows = np.repeat(np.arange(len(pca)), k)
    return sp.csr_matrix((np.ones(rows.size, np.float32), (rows, idx[:, 1:].ravel())), shape=(len(pca),) * 2)


def random_batches(n_edges: int, n_batches: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Indices of ``n_edges`` edges in ``n_batches`` random batches of equal size (within one): a new random
    partition per call, as training draws one per epoch."""
    return np.array_split(rng.permutation(n_edges), n_batches)


def both_directions(edges: np.ndarray) -> Tensor:
    e = torch.from_numpy(edges.T.copy())
    return torch.cat([e, e.flip(0)], dim=1)


def subset_width(n_cells: int, params: TrainParams) -> int:
    """Cells per subset: all cells up to ``max_cells``, else ``n_subsets`` equal parts (the last padded)."""
    return n_cells if n_cells <= params.max_cells else math.ceil(n_cells / params.n_subsets)


def make_subsets(adata: ad.AnnData, params: TrainParams, rng: np.random.Generator) -> list[Subset]:
    X = adata.X.toarray() if sp.issparse(adata.X) else np.asarray(adata.X, dtype=np.float32)
    n = adata.n_obs
    n_subsets = 1 if n <= params.max_cells else params.n_subsets
    if n_subsets == 1:
        if "connectivities" in adata.obsp:
            conn = adata.obsp["connectivities"]
        else:
            conn = subset_knn(_pca_of(adata), params.n_neighbors)
        xs = standardise(X)
        return [Subset(np.arange(n), n, torch.from_numpy(xs.T.copy()), torch.from_numpy(xs), knn_edges(conn),
                        np.zeros(0))]
    pca = _pca_of(adata)
    perm = rng.permutation(n)
    width = subset_width(n, params)
    subsets = []
    for k in range(n_subsets):
        own = perm[k * width:(k + 1) * width]
        pad = rng.choice(np.setdiff1d(perm, own), width - len(own), replace=False) if len(own) < width else []
        cells = np.concatenate([own, np.asarray(pad, dtype=np.int64)])
        xs = standardise(X[cells])
        subsets.append(Subset(cells, len(own), torch.from_numpy(xs.T.copy()), torch.from_numpy(xs),
                               knn_edges(subset_knn(pca[cells], params.n_neighbors)), np.zeros(0)))
    return subsets


def hold_out_expression(subsets: list[Subset], target_genes: np.ndarray, fraction: float,
                         rng: np.random.Generator) -> None:
    """Hold out ``fraction`` of each subset's (own cell, target gene) entries: they are set to 0 (the gene's
    mean after standardising) in the encoder's input, so the model never sees them, and are left out of the
    expression loss; the reconstruction of them is the held-out expression score (``val_expr_r``)."""
    if fraction <= 0:
        return
    for sub in subsets:
        n = sub.n_real * len(target_genes)
        flat = np.sort(rng.choice(n, size=max(1, int(round(fraction * n))), replace=False))
        rows, cols = np.divmod(flat, len(target_genes))
        sub.x[target_genes[cols], rows] = 0.0
        sub.held = (torch.from_numpy(rows), torch.from_numpy(cols))


def _pca_of(adata: ad.AnnData) -> np.ndarray:
    if "X_pca" not in adata.obsm:
        raise InputError("obsm['X_pca'] is missing; run the qc step first")
    return np.asarray(adata.obsm["X_pca"], dtype=np.float32)


def split_ppi(ppi: sp.spmatrix, val_fraction: float, rng: np.random.Generator,
              split: str = "keep_degree") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected PPI edges split into train and held-out sets, plus as many fixed held-out non-edges.

    ``uniform`` holds out a uniform random ``val_fraction`` of the edges (the paper; the authors' PyG split),
    which leaves about ``val_fraction`` of the genes of PPI degree 1 without any training edge.
    ``keep_degree`` walks the edges in the same random order and holds one out only while both its genes keep
    another training edge (as node2vec's link-prediction protocol keeps the residual network's nodes), so
    every gene keeps at least one; it holds out fewer than ``val_fraction`` only when too few edges qualify.
    """
    upper = sp.triu(ppi, k=1).tocoo()
    edges = np.stack([upper.row, upper.col], axis=1).astype(np.int64)
    order = rng.permutation(len(edges))
    n_val = int(round(val_fraction * len(edges)))
    n = ppi.shape[0]
    if split == "uniform":
        val_idx = order[:n_val]
    elif split == "keep_degree":
        degree = np.bincount(edges.ravel(), minlength=n)
        chosen = []
        for e in order:
            if len(chosen) == n_val:
                break
            a, b = edges[e]
            if degree[a] > 1 and degree[b] > 1:
                degree[a] -= 1
                degree[b] -= 1
                chosen.append(e)
        val_idx = np.asarray(chosen, dtype=np.int64)
        if len(val_idx) < n_val:
            logger.warning("held out %d PPI edges, not %d: the others are some gene's last edge (--val-split "
                           "keep_degree)", len(val_idx), n_val)
    else:
        raise ValueError(f"unknown PPI split {split!r}")
    is_val = np.zeros(len(edges), bool)
    is_val[val_idx] = True
    # training edges keep the random order of the uniform split, so that split is unchanged
    val, train = edges[val_idx], edges[order[~is_val[order]]]
    n_val = len(val)
    existing = set(map(tuple, edges.tolist()))
    neg = []
    while len(neg) < n_val:
        a, b = rng.integers(0, n, size=2)
        if a != b and (min(a, b), max(a, b)) not in existing:
            neg.append((min(a, b), max(a, b)))
    return train, val, np.asarray(neg, dtype=np.int64).reshape(-1, 2)


def sorted_edge_keys(edge_index: Tensor, n: int) -> Tensor:
    """``i * n + j`` of every edge (both directions of an undirected graph), sorted: the lookup table of
    :func:`sample_non_edges`."""
    return (edge_index[0] * n + edge_index[1]).sort().values


def sample_non_edges(edge_keys: Tensor, n: int, num: int) -> Tensor:
    """``(2, num)`` ordered node pairs ``i != j`` drawn uniformly, with replacement, among the pairs that are
    not edges (``edge_keys`` from :func:`sorted_edge_keys`), from torch's generator.

    A binary search per draw replaces PyG's ``negative_sampling``, which took 0.2-0.4 s per call on the
    Kang PPI (7,848 genes, 103 k directed edges), a third of a low-rank training step. On a sparse PPI a
    draw hits an edge with probability ``|E| / n^2`` (0.2 % on Kang) and is redrawn; duplicates are as
    rare (with replacement, about ``num^2 / 2 n^2`` of them: 20 in 51 k draws on Kang)."""
    out, need = [], num
    while need > 0:
        pairs = torch.randint(0, n, (2, need + need // 20 + 16), device=edge_keys.device)
        keys = pairs[0] * n + pairs[1]
        ok = pairs[0] != pairs[1]
        if len(edge_keys):
            pos = torch.searchsorted(edge_keys, keys).clamp_(max=len(edge_keys) - 1)
            ok &= edge_keys[pos] != keys
        pairs = pairs[:, ok][:, :need]
        out.append(pairs)
        need -= pairs.shape[1]
    return torch.cat(out, dim=1)
