"""Cell clustering evaluation (METHOD.md section 5): Leiden over resolutions on cell embeddings.

The KNN graph is built the same way for every representation (scanpy ``neighbors``, same ``k``,
same seed), then Leiden (igraph flavour, seeded) runs at each resolution. With a label column, ARI
and NMI against it are reported, and the maximum over resolutions summarises each representation
(the paper's "maximum ARI"), with the cells misplaced at that resolution (:func:`misplaced_cells`): a count
that reads where two ARIs differ in the third digit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scnetflow.errors import InputError
from scnetflow.labels import knn_graph, label_key_of, leiden_of
from scnetflow.params import SEED_HELP, option

if TYPE_CHECKING:
    import anndata

logger = logging.getLogger(__name__)

DEFAULT_RESOLUTIONS = tuple(round(0.1 * i, 1) for i in range(1, 11))


@dataclass(frozen=True)
class ClusterEvalParams:
    """The cluster-eval step's settings (METHOD.md section 5)."""

    representations: tuple[str, ...] = option(("X_scnet", "X_pca"), "obsm keys of the cell representations compared.")
    resolutions: tuple[float, ...] = option(DEFAULT_RESOLUTIONS, "Leiden resolutions scored against the labels.",
                                            min=0, min_open=True)
    cluster_n_neighbors: int = option(15, "Neighbours per cell in the KNN graph that Leiden clusters (the same for "
                                           "every representation).", min=2)
    leiden_resolution: float = option(0.5, "Resolution of scNET's clusters, obs['scnet_leiden'] (clusters.tsv): the "
                                           "cell groups of GSEA and the report when a sample has no labels.",
                                      min=0, min_open=True)
    seed: int = option(0, SEED_HELP)


def misplaced_cells(labels: np.ndarray, clusters: np.ndarray) -> int:
    """Cells outside the best one-to-one matching of clusters to labels: each label is paired with at most
    one cluster (Hungarian, maximising the cells in matched pairs) and every other cell counts, so a label
    split over two clusters misplaces its smaller part and a cluster of mixed labels its minority."""
    from scipy.optimize import linear_sum_assignment

    ct = pd.crosstab(np.asarray(labels), np.asarray(clusters)).to_numpy()
    rows, cols = linear_sum_assignment(ct, maximize=True)
    return int(ct.sum() - ct[rows, cols].sum())


def cluster_eval(
    adata: anndata.AnnData,
    label_key: str | None = None,
    params: ClusterEvalParams = ClusterEvalParams(),
    *,
    key_added: str | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Leiden clusters over resolutions for each cell representation, scored against labels.

    Parameters
    ----------
    adata
        Cells with the representations in ``obsm``; not modified unless ``key_added``.
    label_key
        obs column with known labels (:func:`scnetflow.labels.label_key_of`): ``None`` uses
        ``uns['sample']['label_key']`` when that column exists, else clusters are only counted (ARI/NMI left
        empty); ``""`` and ``"none"`` (any case) mean no labels. With fewer than 2 distinct labels ARI/NMI mean
        nothing: they are left empty, with a warning.
    params
        Representations (default: scNET's embedding and PCA), resolutions (0.1, ..., 1.0), the KNN's
        neighbours (the same for every representation), the resolution of scNET's clusters and the seed.
    key_added
        Also write scNET's Leiden clusters at ``params.leiden_resolution`` to ``obs[key_added]`` (the step
        uses ``"scnet_leiden"``); needs ``"X_scnet"`` among the representations.

    Returns
    -------
    ``(table, summary)``: one row per representation and resolution (``representation, resolution,
    n_clusters, ari, nmi``); summary per representation with the best ARI and NMI, their resolutions and
    cluster counts, and ``max_ari_misplaced`` (:func:`misplaced_cells` at the best ARI's resolution), plus
    the settings.
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    representations, resolutions = params.representations, params.resolutions
    label_key = label_key_of(adata, label_key)
    missing = [r for r in representations if r not in adata.obsm]
    if missing:
        raise InputError(
            f"representation(s) {missing} not in obsm (keys: {list(adata.obsm)}); "
            "pass the train step's scnet.h5ad or choose --representations from those keys"
        )
    if key_added is not None and "X_scnet" not in representations:
        raise InputError("scNET's clusters need X_scnet among --representations")
    bad = [r for r in resolutions if not r > 0]
    if bad:
        raise InputError(f"resolutions must be > 0, got {bad}")
    labels = None
    if label_key is not None:
        lab = adata.obs[label_key]
        keep = lab.notna().to_numpy()
        labels = lab.astype(str).to_numpy()
        if (~keep).any():
            logger.info("%d cells without a label are left out of ARI/NMI", int((~keep).sum()))
        n_labels = len(set(labels[keep]))
        if n_labels < 2:
            logger.warning("label column %r has %d distinct label(s) over %d cells; ARI/NMI need at least 2 and are "
                           "left empty (clusters are only counted)", label_key, n_labels, int(keep.sum()))
            labels = None
    rows, scored = [], {}  # scored[(rep, resolution)]: the labelled cells' clusters
    n_neighbors, seed = params.cluster_n_neighbors, params.seed
    for rep in representations:
        graph = knn_graph(adata.obsm[rep], n_neighbors=n_neighbors, seed=seed, what=f"obsm[{rep!r}]")
        scnet_clusters = None  # at params.leiden_resolution, for key_added
        for res in resolutions:
            clusters = leiden_of(graph, resolution=res, seed=seed)
            if res == params.leiden_resolution:
                scnet_clusters = clusters
            row = {"representation": rep, "resolution": float(res), "n_clusters": int(len(set(clusters))),
                   "ari": np.nan, "nmi": np.nan}
            if labels is not None:
                row["ari"] = adjusted_rand_score(labels[keep], clusters[keep])
                row["nmi"] = normalized_mutual_info_score(labels[keep], clusters[keep])
                scored[rep, float(res)] = clusters[keep]
            rows.append(row)
        if rep == "X_scnet" and key_added is not None:
            if scnet_clusters is None:  # that resolution is not among the scored ones
                scnet_clusters = leiden_of(graph, resolution=params.leiden_resolution, seed=seed)
            adata.obs[key_added] = pd.Categorical(scnet_clusters)
            logger.info("scNET clusters at resolution %g: %d, in obs[%r]", params.leiden_resolution,
                        adata.obs[key_added].nunique(), key_added)
        logger.info("%s: %d-NN, %d resolutions done", rep, n_neighbors, len(resolutions))
    table = pd.DataFrame(rows)
    summary: dict = {
        "label_key": label_key,
        "n_labels": 0 if labels is None else int(len(set(labels[keep]))),
        "params": {"representations": list(representations), "resolutions": [float(r) for r in resolutions],
                   "cluster_n_neighbors": n_neighbors, "leiden_resolution": params.leiden_resolution, "seed": seed},
        "representations": {},
    }
    for rep, sub in table.groupby("representation", sort=False):
        info = {"max_clusters": int(sub["n_clusters"].max()), "min_clusters": int(sub["n_clusters"].min())}
        if labels is not None:
            for m in ("ari", "nmi"):
                best = sub.loc[sub[m].idxmax()]
                info[f"max_{m}"] = float(best[m])
                info[f"max_{m}_resolution"] = float(best["resolution"])
                info[f"max_{m}_n_clusters"] = int(best["n_clusters"])
            info["max_ari_misplaced"] = misplaced_cells(labels[keep], scored[rep, info["max_ari_resolution"]])
        summary["representations"][rep] = info
    return table, summary
