"""The cell embedding against PCA: max Leiden ARI/NMI and the label-free held-out kNN correlation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from scnetflow.errors import InputError

if TYPE_CHECKING:
    import anndata


def cell_embedding(adata: anndata.AnnData, label_key: str | None = None, *,
                   representations: Sequence[str] = ("X_scnet", "X_pca"), seed: int = 0) -> dict[str, dict]:
    """Max Leiden ARI/NMI of each representation against labels: the ``cluster-eval`` step's summary.

    Returns
    -------
    ``{representation: {"max_ari", "max_nmi", ...}}`` (ARI/NMI absent without a label column).
    """
    from scnetflow.cluster_eval import ClusterEvalParams, cluster_eval

    params = ClusterEvalParams(representations=tuple(representations), seed=seed)
    _, summary = cluster_eval(adata, label_key, params)
    return summary["representations"]


def heldout_genes(adata: anndata.AnnData, expression: anndata.AnnData) -> list[str]:
    """Genes of ``expression`` that neither representation was built from: not highly variable (PCA's
    input) and not model genes (scNET's input, ``adata.var_names``)."""
    model = set(adata.var_names)
    hv = (expression.var["highly_variable"].to_numpy(bool) if "highly_variable" in expression.var
          else np.zeros(expression.n_vars, bool))
    return [g for g, h in zip(expression.var_names, hv) if not h and g not in model]


def knn_heldout_r(adata: anndata.AnnData, expression: anndata.AnnData, *,
                  representations: Sequence[str] = ("X_scnet", "X_pca"), genes: Sequence[str] | None = None,
                  n_neighbors: int = 15, min_cells: int = 10) -> dict[str, dict]:
    """Label-free quality of cell representations: do neighbours agree on genes the representation never saw?

    Each cell's expression of every held-out gene is predicted as the mean over its ``n_neighbors``
    nearest cells (Euclidean, itself excluded) in the representation; the score is the Pearson r
    between prediction and observation across cells, averaged over genes. Held-out genes default to
    :func:`heldout_genes` (neither highly variable nor model genes), so neither scNET nor PCA was fitted
    to them and neither is favoured by construction (unlike agreement with the expression's own
    neighbourhoods, or a silhouette of the embedding's own clusters).

    Parameters
    ----------
    adata
        Cells with the representations in ``obsm`` (e.g. the scnet.h5ad).
    expression
        Log-normalised expression of the same cells, all genes (e.g. the qc.h5ad).
    genes
        Genes to score (default: :func:`heldout_genes`).
    n_neighbors
        Neighbours averaged (15, as :func:`scnetflow.cluster_eval.cluster_eval`).
    min_cells
        Genes expressed in fewer cells are left out.

    Returns
    -------
    ``{representation: {"r_mean", "r_median", "n_genes", "n_neighbors"}}``.
    """
    from sklearn.neighbors import NearestNeighbors

    missing = adata.obs_names.difference(expression.obs_names)
    if len(missing):
        raise InputError(f"{len(missing)} cell(s) of the embedding are not in the expression matrix "
                         f"(first: {missing[0]!r}); pass the qc.h5ad of the same sample")
    genes = heldout_genes(adata, expression) if genes is None else list(genes)
    X = expression[adata.obs_names, genes].X
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    X = X.astype(np.float64)
    keep = ((X > 0).sum(axis=0) >= min_cells) & (X.std(axis=0) > 0)
    X = X[:, keep]
    if X.shape[1] == 0:
        raise InputError(f"no held-out gene is expressed in >= {min_cells} cells; lower min_cells or pass genes")
    Xc = (X - X.mean(axis=0)) / X.std(axis=0)
    n = adata.n_obs
    k = min(n_neighbors, n - 1)
    out = {}
    for rep in representations:
        Z = np.asarray(adata.obsm[rep], dtype=np.float64)
        # kneighbors() without a query excludes each cell itself, even where duplicate points tie with it
        _, nbr = NearestNeighbors(n_neighbors=k).fit(Z).kneighbors()
        A = sp.csr_matrix((np.full(n * k, 1.0 / k), (np.repeat(np.arange(n), k), nbr.ravel())), shape=(n, n))
        P = A @ X
        sd = P.std(axis=0)
        Pc = (P - P.mean(axis=0)) / np.where(sd > 0, sd, np.inf)
        r = (Pc * Xc).mean(axis=0)
        out[rep] = {"r_mean": float(r.mean()), "r_median": float(np.median(r)), "n_genes": int(X.shape[1]),
                    "n_neighbors": k}
    return out


def cell_scores(adata: anndata.AnnData, label_key: str | None = None, expression: anndata.AnnData | None = None,
                *, seed: int = 0) -> dict:
    """``ari_scnet, ari_pca, nmi_scnet, nmi_pca`` and ``misplaced_scnet, misplaced_pca`` (cells misplaced at
    the max-ARI resolution) (:func:`cell_embedding`; absent without labels) and, with
    ``expression`` (the qc.h5ad), ``knn_r_scnet, knn_r_pca, knn_r_genes`` (:func:`knn_heldout_r`)."""
    out: dict = {"n_cells": int(adata.n_obs), "n_model_genes": int(adata.n_vars)}
    ce = cell_embedding(adata, label_key, seed=seed)
    for rep, name in (("X_scnet", "scnet"), ("X_pca", "pca")):
        for m in ("ari", "nmi"):
            if f"max_{m}" in ce[rep]:
                out[f"{m}_{name}"] = ce[rep][f"max_{m}"]
        if "max_ari_misplaced" in ce[rep]:
            out[f"misplaced_{name}"] = ce[rep]["max_ari_misplaced"]
    if expression is not None:
        kr = knn_heldout_r(adata, expression)
        out.update(knn_r_scnet=kr["X_scnet"]["r_mean"], knn_r_pca=kr["X_pca"]["r_mean"],
                   knn_r_genes=kr["X_scnet"]["n_genes"])
    return out
