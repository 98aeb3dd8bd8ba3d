import pytest

from scnetflow.cluster_eval import cluster_eval
from scnetflow.errors import InputError


def test_cluster_eval_real_cells(downstream):
    a = downstream["stim"]["adata"]
    table, summary = cluster_eval(a, "cell_type", resolutions=(0.2, 0.6, 1.0))
    assert list(table.columns) == ["representation", "resolution", "n_clusters", "ari", "nmi"]
    assert len(table) == 6
    assert table["ari"].between(-1, 1).all() and table["nmi"].between(0, 1).all()
    # real PBMC cell types are recovered far better than chance
    assert summary["representations"]["X_pca"]["max_ari"] > 0.2
    # X_scnet is X_pca here: same KNN recipe -> same clustering
    assert summary["representations"]["X_scnet"]["max_ari"] == pytest.approx(summary["representations"]["X_pca"]["max_ari"])
    assert set(a.obs.columns) == {"cell_type", "condition"}  # input not modified


def test_label_from_sample_metadata_and_none(downstream):
    a = downstream["ctrl"]["adata"]
    _, summary = cluster_eval(a, resolutions=(0.5,))
    assert summary["label_key"] == "cell_type"
    a.uns.pop("sample")
    table, summary = cluster_eval(a, resolutions=(0.5,))
    assert summary["label_key"] is None and table["ari"].isna().all()


def test_label_column_missing(downstream):
    with pytest.raises(InputError, match="label column 'celltype' not in obs"):
        cluster_eval(downstream["ctrl"]["adata"], "celltype")


def test_representation_missing(downstream):
    with pytest.raises(InputError, match=r"representation\(s\) \['X_umap'\] not in obsm"):
        cluster_eval(downstream["ctrl"]["adata"], representations=("X_umap",))
