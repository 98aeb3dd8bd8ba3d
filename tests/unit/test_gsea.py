import numpy as np
import pytest

from scnetflow.errors import InputError
from scnetflow.genesets import read_gmt
from scnetflow.gsea import GSEA_COLUMNS, GseaParams, cell_groups, combine_samples, gsea_celltypes, gsea_conditions


@pytest.fixture(scope="module")
def reactome():
    return read_gmt("reactome")


def test_gsea_celltypes_tidy(downstream, reactome):
    d = downstream["stim"]
    res = gsea_celltypes(d["adata"], d["reconstructed"], reactome, GseaParams(gsea_min_cells=40, permutation_num=20))
    assert list(res.columns) == GSEA_COLUMNS
    assert set(res["expression"]) == {"original", "reconstructed"}
    assert set(res["group"]) == {"CD14 Mono", "CD4 Naive T"}  # the types with >= 40 cells
    assert res["fdr"].between(0, 1).all() and np.isfinite(res["nes"]).all()
    again = gsea_celltypes(d["adata"], d["reconstructed"], reactome, GseaParams(gsea_min_cells=40, permutation_num=20))
    assert res["nes"].tolist() == again["nes"].tolist()


def test_gsea_conditions_interferon_up_in_stim(downstream, reactome):
    adata, recon = combine_samples(
        [downstream["ctrl"]["adata"], downstream["stim"]["adata"]],
        [downstream["ctrl"]["reconstructed"], downstream["stim"]["reconstructed"]],
    )
    assert set(adata.obs["condition"]) == {"CTRL", "STIM"}
    res = gsea_conditions(
        adata, recon, reactome, GseaParams(cell_types=("CD14 Mono",), permutation_num=50, gsea_min_size=5),
        conditions=("CTRL", "STIM"),
    )
    assert set(res["comparison"]) == {"condition:CD14 Mono"}
    orig = res[(res.expression == "original")].set_index("term")
    # real biology: IFN-beta stimulation raises interferon signalling in monocytes
    assert orig.loc["Interferon Signaling", "nes"] > 1.5


def test_combining_samples_of_different_encoders_warns(downstream, caplog):
    ctrl, stim = downstream["ctrl"]["adata"].copy(), downstream["stim"]["adata"].copy()
    ctrl.uns["scnet"] = {"params": {"encoder": "sage"}}
    stim.uns["scnet"] = {"params": {"encoder": "lowrank_sage"}}
    with caplog.at_level("WARNING", logger="scnetflow.gsea"):
        combine_samples([ctrl, stim])
    assert "different encoders (lowrank_sage, sage)" in caplog.text
    caplog.clear()
    stim.uns["scnet"]["params"]["encoder"] = "sage"
    with caplog.at_level("WARNING", logger="scnetflow.gsea"):
        combine_samples([ctrl, stim])
    assert "different encoders" not in caplog.text


def test_conditions_not_found(downstream, reactome):
    d = downstream["ctrl"]
    with pytest.raises(InputError, match=r"condition 'STIM' not found in obs\['condition'\] \(values: \['CTRL'\]\)"):
        gsea_conditions(d["adata"], None, reactome, conditions=("CTRL", "STIM"))


def test_label_column_missing(downstream, reactome):
    d = downstream["ctrl"]
    with pytest.raises(InputError, match="label column 'celltype' not in obs"):
        gsea_celltypes(d["adata"], None, reactome, label_key="celltype")


def test_leiden_fallback_without_labels_leaves_the_data_alone(downstream):
    a = downstream["ctrl"]["adata"].copy()
    a.uns.pop("sample")
    before = list(a.obs.columns)
    groups = cell_groups(a, None, seed=0)
    assert groups.name == "scnet_leiden" and groups.nunique() > 1 and len(groups) == a.n_obs
    assert list(a.obs.columns) == before  # computed, not written into the caller's AnnData
    a.obs["scnet_leiden"] = "x"  # cluster-eval's clusters, when present, are used as they are
    assert set(cell_groups(a, None, seed=0)) == {"x"}


def test_prerank_without_usable_sets_is_empty(caplog):
    import pandas as pd

    from scnetflow.gsea import prerank

    ranking = pd.Series([3.0, 2.0, 1.0], index=["Stat1", "Irf7", "Isg15"])  # mouse case vs human sets
    res = prerank(ranking, {"Interferon": ["STAT1", "IRF7", "ISG15"]}, min_size=1)
    assert res.empty
    assert "no gene set has 1-500 genes among the 3 ranked genes" in caplog.text


@pytest.mark.parametrize("key", ["none", "None", ""])
def test_label_key_none_means_leiden_clusters(downstream, key):
    a = downstream["ctrl"]["adata"].copy()
    assert "cell_type" in a.obs  # the sample has labels, and --label-key none still asks for clusters
    assert cell_groups(a, key, seed=0).name == "scnet_leiden"
