"""The reconstruction against the original expression: per cell type, AUPR of its marker genes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.quality.verdicts import TOLERANCES, VERDICTS, verdict

if TYPE_CHECKING:
    import anndata

#: Canonical PBMC markers for Kang's ``cell_type`` labels: the marker table of Seurat's PBMC 3k tutorial
#: (IL7R, CCR7, S100A4, CD14, LYZ, MS4A1, CD8A, FCGR3A, MS4A7, GNLY, NKG7, FCER1A, CST3, PPBP) plus common
#: second markers (CD79A, CD8B, PF4) and pDC / erythrocyte markers. Known from the literature, not chosen
#: on the scored data. Types without a specific marker (T activated, B Activated) are not scored.
PBMC_MARKERS: dict[str, list[str]] = {
    "CD14 Mono": ["CD14", "LYZ"],
    "CD16 Mono": ["FCGR3A", "MS4A7"],
    "CD4 Naive T": ["IL7R", "CCR7"],
    "CD4 Memory T": ["IL7R", "S100A4"],
    "CD8 T": ["CD8A", "CD8B"],
    "NK": ["GNLY", "NKG7"],
    "B": ["MS4A1", "CD79A"],
    "DC": ["FCER1A", "CST3"],
    "pDC": ["LILRA4", "IL3RA"],
    "Mk": ["PPBP", "PF4"],
    "Eryth": ["HBB", "HBA1"],
}


def marker_genes(references: Sequence[anndata.AnnData], label_key: str, *, n_genes: int = 10,
                 universe: Sequence[str] | None = None, min_cells: int = 10) -> dict[str, list[str]]:
    """Marker genes of each label found on *other* samples (so not fitted to the sample they score).

    Per reference sample, Wilcoxon scores of each label against the rest (the ``gsea`` step's
    :func:`scnetflow.gsea.wilcoxon_ranking` on ``X``); a gene's score is its mean over the references
    that have the label and measured the gene, and the ``n_genes`` highest with a positive mean score
    among ``universe`` are the label's markers.

    Returns
    -------
    ``{label: [genes, best first]}`` for labels with ``min_cells`` cells in at least one reference.
    """
    from scnetflow.gsea import wilcoxon_ranking

    if not references:
        raise InputError("marker_genes needs at least one reference sample")
    scores: dict[str, list[pd.Series]] = {}
    for ref in references:
        if label_key not in ref.obs:
            raise InputError(f"label column {label_key!r} not in a reference sample's obs "
                             f"(columns: {list(ref.obs.columns)})")
        counts = ref.obs[label_key].astype(str).value_counts()
        groups = [g for g, c in counts.items() if c >= min_cells and ref.n_obs - c >= min_cells]
        if groups:
            for g, s in wilcoxon_ranking(ref.X, ref.obs, ref.var_names, label_key, groups=groups).items():
                scores.setdefault(g, []).append(s)
    allowed = None if universe is None else set(universe)
    out = {}
    for g, series in scores.items():
        mean = pd.concat(series, axis=1, join="outer").mean(axis=1, skipna=True)
        mean = mean[mean > 0]
        if allowed is not None:
            mean = mean[mean.index.isin(allowed)]
        out[g] = list(mean.sort_values(ascending=False, kind="mergesort").index[:n_genes])
    return dict(sorted(out.items()))


def marker_aupr(X, labels: Sequence[str], genes: Sequence[str], markers: Mapping[str, Sequence[str]], *,
                min_cells: int = 10) -> pd.DataFrame:
    """AUPR (and AUROC) of each marker gene's values in separating its cell type from all other cells.

    Parameters
    ----------
    X
        Cells x ``genes`` values (original or reconstructed expression; dense or sparse).
    labels
        Cell type of each cell.
    markers
        ``{cell type: marker genes}``; genes not in ``genes`` and types with fewer than ``min_cells``
        cells (or other cells) are skipped.

    Returns
    -------
    One row per scored (type, gene): ``cell_type, gene, n_cells, auroc, aupr, aupr_baseline``
    (``aupr_baseline`` = the type's fraction of cells, a random ranking's AUPR).
    """
    from scnetflow.evaluate_network import auroc_aupr

    labels = np.asarray(labels).astype(str)
    index = pd.Index(list(genes))
    rows = []
    for t, ms in markers.items():
        pos = labels == t
        if pos.sum() < min_cells or (~pos).sum() < min_cells:
            continue
        for m in ms:
            j = index.get_indexer([m])[0]
            if j < 0:
                continue
            col = X[:, j]
            col = col.toarray().ravel() if sp.issparse(col) else np.asarray(col, dtype=np.float64).ravel()
            auroc, aupr = auroc_aupr(col.astype(np.float64), pos)
            rows.append({"cell_type": t, "gene": m, "n_cells": int(pos.sum()), "auroc": auroc, "aupr": aupr,
                         "aupr_baseline": float(pos.mean())})
    return pd.DataFrame(rows, columns=["cell_type", "gene", "n_cells", "auroc", "aupr", "aupr_baseline"])


def reconstruction_markers(adata: anndata.AnnData, reconstructed: anndata.AnnData,
                           markers: Mapping[str, Sequence[str]], label_key: str, *,
                           min_cells: int = 10) -> tuple[pd.DataFrame, dict]:
    """Marker AUPR of the reconstruction against the original expression, per cell type.

    Parameters
    ----------
    adata
        scnet.h5ad (log-normalised ``X`` over the model genes, labels in ``obs[label_key]``).
    reconstructed
        reconstructed.h5ad of the same run (same cells and genes).
    markers
        ``{cell type: genes}``, chosen away from this sample (:func:`marker_genes`, :data:`PBMC_MARKERS`).

    Returns
    -------
    ``(per_type, summary)``: per type ``cell_type, n_cells, n_markers, aupr_original,
    aupr_reconstructed, aupr_baseline, verdict``; summary ``n_types, n_better, n_same, n_worse,
    n_not_worse, aupr_original_mean, aupr_reconstructed_mean`` (means over types).
    """
    if label_key not in adata.obs:
        raise InputError(f"label column {label_key!r} not in obs (columns: {list(adata.obs.columns)})")
    if reconstructed.n_obs != adata.n_obs or not (reconstructed.obs_names == adata.obs_names).all():
        raise InputError("reconstructed.h5ad cells differ from the scnet.h5ad cells; pass the files of the same train run")
    genes = list(adata.var_names)
    labels = adata.obs[label_key].astype(str).to_numpy()
    orig = marker_aupr(adata.X, labels, genes, markers, min_cells=min_cells)
    rec = marker_aupr(reconstructed[:, genes].X, labels, genes, markers, min_cells=min_cells)
    if orig.empty:
        raise InputError("no cell type has both enough cells and a marker among the model genes")
    per = (orig.groupby("cell_type", sort=True)
           .agg(n_cells=("n_cells", "first"), n_markers=("gene", "size"), aupr_original=("aupr", "mean"),
                aupr_baseline=("aupr_baseline", "first")))
    per["aupr_reconstructed"] = rec.groupby("cell_type")["aupr"].mean()
    tol = TOLERANCES["marker_aupr"]
    per["verdict"] = [verdict(r, o, tol) for r, o in zip(per["aupr_reconstructed"], per["aupr_original"])]
    per = per.reset_index()[["cell_type", "n_cells", "n_markers", "aupr_original", "aupr_reconstructed",
                             "aupr_baseline", "verdict"]]
    counts = per["verdict"].value_counts()
    summary = {"n_types": int(len(per)), **{f"n_{v}": int(counts.get(v, 0)) for v in VERDICTS},
               "n_not_worse": int(len(per) - counts.get("worse", 0)),
               "aupr_original_mean": float(per["aupr_original"].mean()),
               "aupr_reconstructed_mean": float(per["aupr_reconstructed"].mean())}
    return per, summary


def reconstruction_scores(adata: anndata.AnnData, reconstructed: anndata.AnnData,
                          markers: Mapping[str, Sequence[str]], label_key: str) -> dict:
    """``marker_aupr_reconstructed, marker_aupr_original`` (means over cell types), ``marker_types``,
    ``marker_types_not_worse``, ``marker_types_better`` and ``per_type`` records (:func:`reconstruction_markers`)."""
    per, s = reconstruction_markers(adata, reconstructed, markers, label_key)
    return {"marker_aupr_reconstructed": s["aupr_reconstructed_mean"], "marker_aupr_original": s["aupr_original_mean"],
            "marker_types": s["n_types"], "marker_types_not_worse": s["n_not_worse"],
            "marker_types_better": s["n_better"], "per_type": per.to_dict(orient="records")}
