"""Cell clustering evaluation (METHOD.md section 5): Leiden over resolutions on cell embeddings.

The KNN graph is built the same way for every representation (scanpy ``neighbors``, same ``k``,
same seed), then Leiden (igraph flavour, seeded) runs at each resolution. With a label column, ARI
and NMI against it are reported, and the maximum over resolutions summarises each representation
(the paper's "maximum ARI").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scnetflow.errors import InputError

if TYPE_CHECKING:
    import anndata

logger = logging.getLogger(__name__)

DEFAULT_RESOLUTIONS = tuple(round(0.1 * i, 1) for i in range(1, 11))
#: ``label_key`` values that mean "no labels" (the qc step stores ``""`` for an unlabelled sample).
NO_LABELS = ("", "none")


def cluster_eval(
    adata: anndata.AnnData,
    label_key: str | None = None,
    *,
    representations: Sequence[str] = ("X_scnet", "X_pca"),
    resolutions: Sequence[float] = DEFAULT_RESOLUTIONS,
    n_neighbors: int = 15,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict]:
    """Leiden clusters over resolutions for each cell representation, scored against labels.

    Parameters
    ----------
    adata
        Cells with the representations in ``obsm`` (not modified).
    label_key
        obs column with known labels; ``None`` uses ``uns['sample']['label_key']`` when set, else
        clusters are only counted (ARI/NMI left empty). ``""`` and ``"none"`` (any case) mean no labels,
        as the qc step records an unlabelled sample. With fewer than 2 distinct labels ARI/NMI mean
        nothing: they are left empty, with a warning.
    representations
        ``obsm`` keys to compare (default: scNET's embedding and PCA).
    resolutions
        Leiden resolutions (default 0.1, 0.2, ..., 1.0).
    n_neighbors
        Neighbours in the KNN graph (same for every representation).
    seed
        Seed of the KNN graph and of Leiden.

    Returns
    -------
    ``(table, summary)``: one row per representation and resolution (``representation, resolution,
    n_clusters, ari, nmi``); summary per representation with the best ARI and NMI and their
    resolutions, plus the settings.
    """
    import anndata as ad
    import scanpy as sc
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    explicit = label_key is not None
    if label_key is None:
        sample = adata.uns.get("sample") or {}
        label_key = sample.get("label_key") if hasattr(sample, "get") else None
    if label_key is not None and str(label_key).strip().lower() in NO_LABELS:
        label_key = None
    if label_key is not None and label_key not in adata.obs:
        hint = "pass an existing column, or none to only count clusters"
        where = "" if explicit else " (from uns['sample']['label_key'])"
        raise InputError(f"label column {label_key!r}{where} not in obs (columns: {list(adata.obs.columns)}); {hint}")
    missing = [r for r in representations if r not in adata.obsm]
    if missing:
        raise InputError(
            f"representation(s) {missing} not in obsm (keys: {list(adata.obsm)}); "
            "pass the train step's scnet.h5ad or choose --representation from those keys"
        )
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
    rows = []
    for rep in representations:
        X = np.asarray(adata.obsm[rep], dtype=np.float32)
        if not np.isfinite(X).all():
            raise InputError(f"obsm[{rep!r}] has NaN or infinite values")
        tmp = ad.AnnData(obs=pd.DataFrame(index=adata.obs_names), obsm={rep: X})
        sc.pp.neighbors(tmp, use_rep=rep, n_neighbors=n_neighbors, transformer="sklearn", random_state=seed)
        for res in resolutions:
            sc.tl.leiden(tmp, resolution=res, key_added="c", flavor="igraph", n_iterations=2, directed=False,
                         random_state=seed)
            clusters = tmp.obs["c"].to_numpy()
            row = {"representation": rep, "resolution": float(res), "n_clusters": int(len(set(clusters))),
                   "ari": np.nan, "nmi": np.nan}
            if labels is not None:
                row["ari"] = adjusted_rand_score(labels[keep], clusters[keep])
                row["nmi"] = normalized_mutual_info_score(labels[keep], clusters[keep])
            rows.append(row)
        logger.info("%s: %d-NN, %d resolutions done", rep, n_neighbors, len(resolutions))
    table = pd.DataFrame(rows)
    summary: dict = {
        "label_key": label_key,
        "n_labels": 0 if labels is None else int(len(set(labels[keep]))),
        "params": {"representations": list(representations), "resolutions": [float(r) for r in resolutions],
                   "n_neighbors": n_neighbors, "seed": seed},
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
        summary["representations"][rep] = info
    return table, summary
