import pytest

from scnetflow.cluster_eval import ClusterEvalParams, cluster_eval
from scnetflow.errors import InputError


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
