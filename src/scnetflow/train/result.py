"""What a training run returns, and the train step's annotated AnnData."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.model import ModelConfig
from scnetflow.train.params import TrainParams
from scnetflow.train.pruning import global_knn
from scnetflow.train.units import expression_units


@dataclass
class TrainResult:
    """What :func:`train` returns: everything from the evaluation kept by ``params.selection``."""

    #: (C, 75): the cell attention's output under ``params.cell_embedding_aggr``; unit rows under
    #: ``params.cell_embedding_norm="l2"`` (both defaults)
    cell_embedding: np.ndarray
    gene_embedding: pd.DataFrame  #: (G, 75), indexed by gene symbol
    #: (C, G) reconstructed log-normalised expression (:func:`expression_units` of the decoder output)
    reconstruction: np.ndarray
    knn: sp.csr_matrix  #: pruned cell graph at the best evaluation, symmetric, (C, C)
    history: pd.DataFrame
    summary: dict = field(default_factory=dict)
    #: the same run's outputs under other selection rules (``keep_rules`` of :func:`train`), by rule
    alternatives: dict = field(default_factory=dict)
    #: (G,) whether each gene's reconstruction was trained (``params.target_genes``)
    target: np.ndarray | None = None

    def reconstruction_anndata(self, adata: ad.AnnData) -> ad.AnnData:
        """The reconstruction as cells x model genes, with ``var["reconstruction_target"]``."""
        out = ad.AnnData(self.reconstruction.astype(np.float32, copy=False), obs=adata.obs.copy(),
                         var=adata.var[[]].copy())
        if self.target is not None:
            out.var["reconstruction_target"] = self.target
        out.uns["scnet"] = {"description": "scNET reconstruction in log-normalised expression units (decoder "
                            "output standardised per gene, then each gene's mean and sd); only genes with "
                            "var['reconstruction_target'] were trained"}
        return out


def unit_rows(X: np.ndarray) -> np.ndarray:
    """Each row of ``X`` (cells x dims) scaled to unit Euclidean length; an all-zero row stays zero."""
    norm = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norm > 0, norm, 1).astype(X.dtype)


def kept_result(best: dict, rule: str, adata: ad.AnnData, hist: pd.DataFrame, run_summary: dict,
                cell_embedding_norm: str) -> TrainResult:
    """A :class:`TrainResult` from the evaluation kept under ``rule``.

    ``cell_embedding_norm`` is :attr:`TrainParams.cell_embedding_norm`. With ``"l2"`` the cell embedding is
    written as unit vectors: the cell attention sums sigmoid-weighted messages, so a vector's length follows
    how many of its KNN edges survived pruning (``docs/method.md``, ``--cell-embedding-norm``), not the
    cell's state; the decoder's input is unchanged.
    """
    knn = global_knn(best["knn"], adata.n_obs)
    summary = {"selection": rule, "best_epoch": best["epoch"], "best_val_auroc": best["val_auroc"],
               "best_val_aupr": best["val_aupr"], "best_val_expr_r": best["val_expr_r"],
               "best_val_expr_mse": best["val_expr_mse"], "knn_edges_best": int(knn.nnz // 2), **run_summary}
    genes = pd.DataFrame(best["zg"], index=pd.Index(adata.var_names, name="gene"),
                         columns=[f"scnet_{i}" for i in range(best["zg"].shape[1])])
    cells = unit_rows(best["zc"]) if cell_embedding_norm == "l2" else best["zc"]
    return TrainResult(cells, genes, expression_units(best["recon"], adata.X), knn, hist, summary)


def annotate(adata: ad.AnnData, result: TrainResult, params: TrainParams, model_config: ModelConfig) -> ad.AnnData:
    """Return a copy of ``adata`` with ``obsm["X_scnet"]``, ``obsp["scnet_connectivities"]``, ``varm["scnet"]``
    and ``uns["scnet"]`` (params, seed, version, best epoch and AUROC)."""
    from scnetflow import __version__

    out = adata.copy()
    out.obsm["X_scnet"] = result.cell_embedding
    out.obsp["scnet_connectivities"] = result.knn
    out.varm["scnet"] = result.gene_embedding.loc[out.var_names].to_numpy()
    flat = {k: v for k, v in result.summary.items() if not isinstance(v, dict)}
    # the encoder and init that ran ("auto" resolved by the trainer)
    resolved = {k: result.summary[k] for k in ("encoder", "encoder_init") if k in result.summary}
    out.uns["scnet"] = {"params": {**dataclasses.asdict(params), **dataclasses.asdict(model_config), **resolved},
                        "version": __version__, **flat}
    return out
