"""Step ``qc``: filter cells and genes, normalise, log1p, highly variable genes, PCA and the cell KNN graph.

Follows METHOD.md section 2 (scanpy): ``normalize_total(1e4)`` + ``log1p`` with raw counts kept in
``layers["counts"]``; HVGs by scanpy's default cutoffs, capped at ``max_hvgs``; PCA of the scaled HVG matrix
(the paper's "scale-normalised data"); a symmetrised KNN graph on ``X_pca``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import anndata as ad
import numpy as np
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.io import check_values
from scnetflow.params import SEED_HELP, option

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QCParams:
    """Settings of :func:`run_qc`: the single source of the step's CLI options and pipeline params
    (:mod:`scnetflow.params`)."""

    min_genes: int = option(200, "Minimum genes per cell.", min=0)
    min_cells: int = option(3, "Minimum cells per gene.", min=0)
    max_pct_mito: float | None = option(None, "Maximum percent of counts from MT- genes per cell [default: no "
                                              "filter].", min=0, max=100)
    max_hvgs: int = option(3000, "Cap on highly variable genes.", min=2)
    n_pcs: int = option(15, "Principal components for the KNN graph.", min=2)
    n_neighbors: int = option(25, "Neighbours per cell in the KNN graphs: the qc step's graph, and the train "
                                  "step's per-subset graphs of large data.", min=2)
    input_normalized: bool = option(False, "The input is already log-normalised: skip normalisation and the "
                                           "raw-count check.")
    seed: int = option(0, SEED_HELP)


def run_qc(adata: ad.AnnData, params: QCParams = QCParams(), *, source: str | None = None
           ) -> tuple[ad.AnnData, dict]:
    """Quality-control and preprocess one sample.

    Parameters
    ----------
    adata
        Cells x genes with raw counts in ``X`` (or log-normalised values with ``input_normalized``).
        Not modified.
    params
        Filtering, HVG, PCA and KNN settings.
    source
        File name used in error messages.

    Returns
    -------
    ``(out, summary)``: ``out`` has log-normalised ``X``, ``layers["counts"]`` (raw input; absent with ``input_normalized``),
    ``var["highly_variable"]``, ``var["n_cells"]``, ``obs["n_genes"]``, ``obs["total_counts"]``,
    ``obsm["X_pca"]``, ``obsp["connectivities"]``/``obsp["distances"]`` and ``uns["qc"]["params"]``;
    ``summary`` counts cells and genes before and after.
    """
    import scanpy as sc

    check_values(adata, input_normalized=params.input_normalized, source=source)
    out = adata.copy()
    out.X = sp.csr_matrix(out.X, dtype=np.float32)
    summary = {"cells_before": int(out.n_obs), "genes_before": int(out.n_vars)}
    logger.info("qc: %d cells x %d genes in", out.n_obs, out.n_vars)

    out.obs["n_genes"] = np.asarray((out.X > 0).sum(axis=1)).ravel()
    out.obs["total_counts"] = np.asarray(out.X.sum(axis=1)).ravel()
    keep = out.obs["n_genes"].to_numpy() >= params.min_genes
    if params.max_pct_mito is not None:
        mito = out.var_names.str.upper().str.startswith("MT-")
        if not mito.any():
            logger.warning("%s: no gene name starts with MT- or mt-, so --max-pct-mito=%g removes no cell",
                           source or "input", params.max_pct_mito)
        pct = 100 * np.asarray(out.X[:, mito].sum(axis=1)).ravel() / np.maximum(out.obs["total_counts"], 1)
        out.obs["pct_counts_mt"] = pct
        keep &= pct <= params.max_pct_mito
    out = out[keep].copy()
    n_cells = np.asarray((out.X > 0).sum(axis=0)).ravel()
    out = out[:, n_cells >= params.min_cells].copy()
    out.var["n_cells"] = np.asarray((out.X > 0).sum(axis=0)).ravel()
    summary.update(cells_after=int(out.n_obs), genes_after=int(out.n_vars))
    if out.n_obs == 0 or out.n_vars == 0:
        raise InputError(f"no data left after QC ({out.n_obs} cells x {out.n_vars} genes with min_genes="
                         f"{params.min_genes}, min_cells={params.min_cells}); lower --min-genes/--min-cells",
                         path=source)
    if out.n_obs <= params.n_neighbors:
        raise InputError(f"only {out.n_obs} of {summary['cells_before']} cells pass QC (--min-genes="
                         f"{params.min_genes}), not more than --n-neighbors={params.n_neighbors}; use more cells, "
                         "a lower --min-genes or a smaller --n-neighbors", path=source)

    if not params.input_normalized:  # already log-normalised input has no counts to keep
        out.layers["counts"] = out.X.copy()
        sc.pp.normalize_total(out, target_sum=1e4)
        sc.pp.log1p(out)

    sc.pp.highly_variable_genes(out)
    hvg = out.var["highly_variable"].to_numpy()
    if hvg.sum() > params.max_hvgs:  # keep the most dispersed, as the authors cap at 3,000
        order = np.argsort(-out.var["dispersions_norm"].fillna(-np.inf).to_numpy())
        hvg = np.zeros(out.n_vars, dtype=bool)
        hvg[order[: params.max_hvgs]] = True
        out.var["highly_variable"] = hvg
    if hvg.sum() < 2:
        raise InputError(f"only {int(hvg.sum())} highly variable genes after QC; the data have too little "
                         "variation (check that X holds counts of a real sample)", path=source)

    n_pcs = min(params.n_pcs, int(hvg.sum()) - 1, out.n_obs - 1)
    scaled = out[:, hvg].X.toarray()
    scaled -= scaled.mean(axis=0)
    sd = scaled.std(axis=0)
    scaled /= np.where(sd > 0, sd, 1)
    np.clip(scaled, -10, 10, out=scaled)
    out.obsm["X_pca"] = sc.pp.pca(scaled, n_comps=n_pcs, random_state=params.seed).astype(np.float32)
    # Exact neighbours (sklearn): deterministic, fast in 15 dimensions, and scanpy's approximate path
    # (pynndescent, used above 4,096 cells) fails with scipy >= 1.17 sparse arrays.
    sc.pp.neighbors(out, n_neighbors=params.n_neighbors, use_rep="X_pca", transformer="sklearn",
                    random_state=params.seed)
    out.uns["qc"] = {"params": {k: ("none" if v is None else v) for k, v in asdict(params).items()}}
    summary.update(n_hvgs=int(hvg.sum()), n_pcs=int(n_pcs), n_neighbors=params.n_neighbors)
    logger.info("qc finished: %d cells x %d genes, %d HVGs, X_pca (%d), KNN k=%d",
                out.n_obs, out.n_vars, int(hvg.sum()), n_pcs, params.n_neighbors)
    return out, summary
