import numpy as np
import pytest

from scnetflow.cluster_eval import ClusterEvalParams, cluster_eval, misplaced_cells
from scnetflow.errors import InputError
from scnetflow.labels import knn_graph, leiden_of


def test_cluster_eval_real_cells(downstream):
    a = downstream["stim"]["adata"]
    table, summary = cluster_eval(a, "cell_type", ClusterEvalParams(resolutions=(0.2, 0.6, 1.0)))
    assert list(table.columns) == ["representation", "resolution", "n_clusters", "ari", "nmi"]
    assert len(table) == 6
    assert table["ari"].between(-1, 1).all() and table["nmi"].between(0, 1).all()
    # real PBMC cell types are recovered far better than chance
    assert summary["representations"]["X_pca"]["max_ari"] > 0.2
    # X_scnet is X_pca here: same KNN recipe -> same clustering
    assert summary["representations"]["X_scnet"]["max_ari"] == pytest.approx(summary["representations"]["X_pca"]["max_ari"])
    assert set(a.obs.columns) == {"cell_type", "condition"}  # input not modified


def test_label_from_sample_metadata_and_none(downstream):
    a = downstream["ctrl"]["adata"].copy()
    one = ClusterEvalParams(resolutions=(0.5,))
    _, summary = cluster_eval(a, params=one)
    assert summary["label_key"] == "cell_type"
    a.uns.pop("sample")
    table, summary = cluster_eval(a, params=one)
    assert summary["label_key"] is None and table["ari"].isna().all()


def test_label_column_missing(downstream):
    with pytest.raises(InputError, match="label column 'celltype' not in obs"):
        cluster_eval(downstream["ctrl"]["adata"], "celltype")


def test_representation_missing(downstream):
    with pytest.raises(InputError, match=r"representation\(s\) \['X_umap'\] not in obsm"):
        cluster_eval(downstream["ctrl"]["adata"], params=ClusterEvalParams(representations=("X_umap",)))


def test_scnet_clusters_written_only_when_asked(downstream):
    a = downstream["ctrl"]["adata"].copy()
    params = ClusterEvalParams(resolutions=(0.5, 1.0), leiden_resolution=1.0)
    table, _ = cluster_eval(a, "cell_type", params)
    assert "scnet_leiden" not in a.obs
    cluster_eval(a, "cell_type", params, key_added="scnet_leiden")
    # the clusters written are the ones scored at that resolution
    n = table.query("representation == 'X_scnet' and resolution == 1.0")["n_clusters"].item()
    assert a.obs["scnet_leiden"].nunique() == n > 1


def test_misplaced_cells_counts_cells_outside_the_label_matching(downstream):
    labels = downstream["stim"]["adata"].obs["cell_type"].astype(str).to_numpy()
    types, counts = np.unique(labels, return_counts=True)
    assert misplaced_cells(labels, labels) == 0
    # relabel clusters arbitrarily: still a one-to-one match
    assert misplaced_cells(labels, np.array([f"c{list(types).index(t)}" for t in labels])) == 0
    big, small = types[np.argmax(counts)], types[np.argmin(counts)]
    moved = labels.copy()
    idx = np.flatnonzero(labels == big)[:7]
    moved[idx] = small  # 7 cells of the largest type put in the smallest type's cluster
    assert misplaced_cells(labels, moved) == 7
    split = labels.astype(object).copy()
    part = np.flatnonzero(labels == big)[: counts.max() // 3]
    split[part] = "new"  # a type split in two: its smaller part is misplaced
    assert misplaced_cells(labels, split) == len(part)
    merged = np.where(labels == small, big, labels)  # two types in one cluster: the smaller one is misplaced
    assert misplaced_cells(labels, merged) == counts.min()


def test_summary_gives_the_misplaced_cells_of_the_best_resolution(downstream):
    a = downstream["stim"]["adata"]
    params = ClusterEvalParams(resolutions=(0.2, 1.0))
    table, summary = cluster_eval(a, "cell_type", params)
    labels = a.obs["cell_type"].astype(str).to_numpy()
    for rep, info in summary["representations"].items():
        graph = knn_graph(a.obsm[rep], n_neighbors=params.cluster_n_neighbors, seed=params.seed, what=rep)
        clusters = leiden_of(graph, resolution=info["max_ari_resolution"], seed=params.seed)
        assert info["max_ari_misplaced"] == misplaced_cells(labels, clusters)
        assert 0 < info["max_ari_misplaced"] < a.n_obs  # real PBMC types: some cells off, most matched
