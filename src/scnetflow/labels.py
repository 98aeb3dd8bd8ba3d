"""Cell labels, resolved one way for every step: a label column, else scNET's Leiden clusters.

The label column is ``--label-key`` when given, else the qc step's record ``uns['sample']['label_key']``.
Without one, the cells' groups are Leiden clusters of the scNET embedding: the cluster-eval step computes
them once (``obs['scnet_leiden']``, written as ``<prefix>.clusters.tsv``) and GSEA and the report read
them; :func:`leiden_clusters` computes them where that file is not at hand, with the same settings.
Nothing here changes the caller's AnnData.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scnetflow.errors import InputError

if TYPE_CHECKING:
    import anndata

logger = logging.getLogger(__name__)

#: ``label_key`` values that mean "no labels" (the qc step stores ``""`` for an unlabelled sample).
NO_LABELS = ("", "none")
#: The obs column of scNET's Leiden clusters (cluster-eval's ``<prefix>.clusters.tsv``).
CLUSTER_KEY = "scnet_leiden"


def label_key_of(adata: anndata.AnnData, label_key: str | None = None) -> str | None:
    """The obs column of known labels, or ``None`` for none.

    ``label_key`` when given (``""`` and ``"none"``, any case, mean none; a column not in ``obs`` is an
    :class:`~scnetflow.errors.InputError`), else ``uns['sample']['label_key']`` when that column exists.
    """
    if label_key is not None:
        if str(label_key).strip().lower() in NO_LABELS:
            return None
        if label_key not in adata.obs:
            raise InputError(f"label column {label_key!r} not in obs (columns: {list(adata.obs.columns)}); pass an "
                             "existing column, or none for scNET's Leiden clusters")
        return label_key
    sample = adata.uns.get("sample") or {}
    key = sample.get("label_key") if hasattr(sample, "get") else None
    if key is None or str(key).strip().lower() in NO_LABELS:
        return None
    if key not in adata.obs:
        logger.warning("uns['sample']['label_key'] is %r but obs has no such column; no labels", key)
        return None
    return str(key)


def knn_graph(X: np.ndarray, *, n_neighbors: int, seed: int, what: str = "the cell representation") -> anndata.AnnData:
    """A private AnnData holding the KNN graph (scanpy ``neighbors``, ``n_neighbors``, ``seed``) of the cells of a
    representation ``X`` (cells x dims): the graph that cluster-eval clusters for every representation."""
    import anndata as ad
    import scanpy as sc

    X = np.asarray(X, dtype=np.float32)
    if not np.isfinite(X).all():
        raise InputError(f"{what} has NaN or infinite values")
    graph = ad.AnnData(obs=pd.DataFrame(index=[str(i) for i in range(len(X))]), obsm={"X": X})
    sc.pp.neighbors(graph, use_rep="X", n_neighbors=n_neighbors, transformer="sklearn", random_state=seed)
    return graph


def leiden_clusters(X: np.ndarray, *, resolution: float, n_neighbors: int, seed: int) -> np.ndarray:
    """Leiden clusters (strings ``"0"``, ``"1"``, ...) of the cells of a representation ``X`` (cells x dims), on
    its :func:`knn_graph`, as cluster-eval computes them."""
    return leiden_of(knn_graph(X, n_neighbors=n_neighbors, seed=seed), resolution=resolution, seed=seed)


def leiden_of(graph: anndata.AnnData, *, resolution: float, seed: int) -> np.ndarray:
    """Leiden clusters of an AnnData holding a scanpy KNN graph (``obsp['connectivities']``)."""
    import scanpy as sc

    sc.tl.leiden(graph, resolution=resolution, key_added="_leiden", flavor="igraph", n_iterations=2, directed=False,
                 random_state=seed)
    return graph.obs.pop("_leiden").astype(str).to_numpy()


def read_clusters(path: str | Path, obs_names: pd.Index) -> pd.Series:
    """cluster-eval's ``<prefix>.clusters.tsv`` (``cell``, ``scnet_leiden``) as a Series on ``obs_names``; every
    cell must be in it."""
    table = pd.read_csv(path, sep="\t", dtype=str, index_col=0)
    if CLUSTER_KEY not in table.columns:
        raise InputError(f"no {CLUSTER_KEY!r} column (columns: {list(table.columns)}); pass cluster-eval's "
                         "<prefix>.clusters.tsv", path=path)
    missing = pd.Index(obs_names).difference(table.index)
    if len(missing):
        raise InputError(f"{len(missing)} cell(s) of the AnnData have no cluster (first: {missing[0]!r}); pass the "
                         "clusters.tsv of the same sample", path=path)
    return table[CLUSTER_KEY].reindex(obs_names).rename(CLUSTER_KEY)


def cell_labels(adata: anndata.AnnData, label_key: str | None, *, resolution: float, n_neighbors: int,
                seed: int) -> pd.Series:
    """Each cell's group, named after its source: the label column (:func:`label_key_of`), else
    ``obs['scnet_leiden']`` (cluster-eval's clusters), else Leiden clusters of ``obsm['X_scnet']`` computed here
    with cluster-eval's settings (``resolution`` = its ``leiden_resolution``, ``n_neighbors`` = its
    ``cluster_n_neighbors``, ``seed``). ``adata`` is not modified."""
    key = label_key_of(adata, label_key)
    if key is not None:
        return adata.obs[key].rename(key)
    if CLUSTER_KEY in adata.obs:
        return adata.obs[CLUSTER_KEY].astype(str)
    if "X_scnet" not in adata.obsm:
        raise InputError("no label column and no obsm['X_scnet'] to cluster; pass --label-key or the scnet.h5ad")
    logger.info("no label column: Leiden clusters of X_scnet (resolution %g)", resolution)
    clusters = leiden_clusters(adata.obsm["X_scnet"], resolution=resolution, n_neighbors=n_neighbors, seed=seed)
    return pd.Series(clusters, index=adata.obs_names, name=CLUSTER_KEY)
