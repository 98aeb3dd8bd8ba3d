"""scnetflow.quality on the bundled Kang subsets (``downstream`` fixture: real cells and genes in the shapes
of the train step's outputs; X_scnet and the reconstruction are PCA stand-ins)."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from scnetflow import quality as Q
from scnetflow.cluster_eval import ClusterEvalParams, cluster_eval
from scnetflow.evaluate_network import EvaluateNetworkParams
from scnetflow.coembed import coembed
from scnetflow.errors import InputError


def test_verdict():
    assert Q.verdict(0.80, 0.70, 0.05) == "better"
    assert Q.verdict(0.72, 0.70, 0.05) == "same"
    assert Q.verdict(0.70, 0.75, 0.05) == "same"  # the boundary is still within noise
    assert Q.verdict(0.60, 0.70, 0.05) == "worse"
    assert Q.verdict(float("nan"), 0.70, 0.05) == "n/a"
    with pytest.raises(ValueError, match="tolerance must be >= 0"):
        Q.verdict(1, 0, -0.1)
    assert all(v >= 0 for v in Q.TOLERANCES.values())


def test_cell_embedding_is_cluster_eval(downstream):
    a = downstream["ctrl"]["adata"]
    out = Q.cell_embedding(a, "cell_type", representations=("X_scnet",))
    _, summary = cluster_eval(a, "cell_type", ClusterEvalParams(representations=("X_scnet",)))
    assert out == summary["representations"]
    assert 0 < out["X_scnet"]["max_ari"] <= 1 and 0 < out["X_scnet"]["max_nmi"] <= 1


def test_knn_heldout_r_label_free(downstream):
    expr = downstream["ctrl"]["adata"]  # all genes: the expression side
    expr.var["highly_variable"] = np.arange(expr.n_vars) % 3 == 0
    model = expr[:, expr.var_names[::2]].copy()  # the "model genes"
    rng = np.random.default_rng(0)
    model.obsm["X_noise"] = rng.normal(size=(model.n_obs, 20)).astype(np.float32)
    held = Q.heldout_genes(model, expr)
    assert held and not set(held) & set(model.var_names)
    assert not expr.var.loc[held, "highly_variable"].any()
    r = Q.knn_heldout_r(model, expr, representations=("X_scnet", "X_noise"))
    # neighbours in a real representation agree on genes it never saw; random neighbours do not
    assert r["X_scnet"]["r_mean"] > 0.1 > abs(r["X_noise"]["r_mean"])
    assert r["X_scnet"]["n_genes"] <= len(held)
    with pytest.raises(InputError, match="not in the expression matrix"):
        Q.knn_heldout_r(model, expr[:50])
    small = model[:120].copy()
    flat = Q.cell_scores(small, "cell_type", expr)
    assert {"ari_scnet", "ari_pca", "nmi_scnet", "nmi_pca", "knn_r_scnet", "knn_r_pca"} <= set(flat)
    assert flat["n_cells"] == 120 and flat["n_model_genes"] == model.n_vars


def test_marker_genes_from_another_sample(downstream):
    stim = downstream["stim"]["adata"]
    ctrl = downstream["ctrl"]["adata"]
    universe = list(ctrl.var_names[: ctrl.n_vars // 2]) + ["LYZ", "CD79A", "MS4A1", "FCN1", "S100A9"]
    m = Q.marker_genes([stim], "cell_type", n_genes=5, universe=universe)
    assert "CD14 Mono" in m and "B" in m
    assert all(g in set(universe) for genes in m.values() for g in genes)
    assert {"CD79A", "MS4A1"} & set(m["B"])
    assert {"LYZ", "FCN1", "S100A9"} & set(m["CD14 Mono"])


def test_reconstruction_markers(downstream):
    d = downstream["ctrl"]
    a = d["adata"]
    markers = Q.marker_genes([downstream["stim"]["adata"]], "cell_type", n_genes=5, universe=a.var_names)
    same = a.copy()
    same.X = a.X.toarray()
    per, s = Q.reconstruction_markers(a, same, markers, "cell_type")
    assert (per["verdict"] == "same").all() and s["n_not_worse"] == s["n_types"] > 3
    assert s["aupr_original_mean"] == pytest.approx(s["aupr_reconstructed_mean"])
    assert (per["aupr_original"] > per["aupr_baseline"]).all()  # markers from STIM separate CTRL's types
    shuffled = same.copy()
    shuffled.X = same.X[np.random.default_rng(0).permutation(a.n_obs)]
    per, s = Q.reconstruction_markers(a, shuffled, markers, "cell_type")
    assert s["n_worse"] > s["n_types"] / 2
    flat = Q.reconstruction_scores(a, shuffled, markers, "cell_type")
    assert flat["marker_types"] == s["n_types"] and flat["marker_types_not_worse"] == s["n_types"] - s["n_worse"]
    with pytest.raises(InputError, match="cells differ"):
        Q.reconstruction_markers(a, same[:10], markers, "cell_type")


def test_network_measures_equal_the_steps(downstream, tmp_path):
    from scnetflow.cli.evaluate_network import command

    d = downstream["ctrl"]
    co, cx = coembed(d["emb"], d["adata"])
    mod = Q.modularity_table(co, cx)
    assert list(mod["percentile"]) == [50, 75, 95, 99]
    assert mod["modularity_coembed"].tolist() == co.modularity["modularity"].tolist()
    for name, edges in (("co", co.edges), ("cx", cx.edges)):
        edges.to_csv(tmp_path / f"{name}.tsv", sep="\t", index=False, float_format="%.6g")
    args = ["--min-size", "10", "--n-splits", "1"]
    r = CliRunner().invoke(command, [str(tmp_path / "co.tsv"), str(tmp_path / "cx.tsv"), "--outdir",
                                     str(tmp_path / "ne"), "--prefix", "s", *args])
    assert r.exit_code == 0, r.output
    step = json.loads((tmp_path / "ne" / "s.network_eval.json").read_text())
    ours = Q.network_evaluation(co.edges, cx.edges, params=EvaluateNetworkParams(min_size=10, n_splits=1))
    flat = Q.network_scores(ours)
    for net in ("coembed", "ppi", "coexpr"):
        assert ours["networks"][net]["pathways"] == step["networks"][net]["pathways"]
        assert flat[f"reactome_aupr_{net}"] == step["networks"][net]["pathways"]["aupr_mean"]
    assert not any(k.startswith("disease") for k in flat)  # disease lists are skipped unless given
    assert Q.modularity_scores(co, cx) == {f"modularity_{n}_p{p}": v for n, s in (("coembed", co), ("coexpr", cx))
                                           for p, v in zip((50, 75, 95, 99), s.modularity["modularity"])}


def test_condition_gsea_interferon(downstream):
    res = Q.condition_gsea([downstream["ctrl"]["adata"], downstream["stim"]["adata"]],
                           [downstream["ctrl"]["reconstructed"], downstream["stim"]["reconstructed"]],
                           conditions=("CTRL", "STIM"), cell_type="CD14 Mono", label_key="cell_type",
                           permutation_num=20, gsea_min_size=5)
    assert set(res) == {"original", "reconstructed"}
    orig = res["original"]
    assert orig["n_tested"] > 0 and orig["n_significant"] <= orig["n_tested"]
    # real biology: IFN-beta raises interferon signalling in monocytes
    assert orig["terms"]["Interferon Signaling"]["rank"] <= 10
    with pytest.raises(InputError, match="too few cells"):
        Q.condition_gsea([downstream["ctrl"]["adata"], downstream["stim"]["adata"]],
                         [downstream["ctrl"]["reconstructed"], downstream["stim"]["reconstructed"]],
                         conditions=("CTRL", "STIM"), cell_type="CD14 Mono", label_key="cell_type", gsea_min_cells=500)


def test_gsea_term_ranks():
    t = pd.DataFrame({"term": ["a", "b", "c"], "nes": [-1.0, 2.0, 1.0], "fdr": [0.01, 0.2, 0.04]})
    s = Q.gsea_term_ranks(t, ["b", "a", "z"])
    assert s["n_tested"] == 3 and s["n_significant"] == 2 and s["n_up_significant"] == 1
    assert s["terms"]["b"]["rank"] == 1 and s["terms"]["a"]["rank"] == 3 and s["terms"]["z"] is None


def test_verdicts_flat_scores():
    v = Q.verdicts({"ari_scnet": 0.9, "ari_pca": 0.7, "modularity_coembed_p99": 0.5, "modularity_coexpr_p99": 0.6,
                    "marker_aupr_reconstructed": None, "marker_aupr_original": 0.8})
    got = dict(zip(v["value_key"], v["verdict"]))
    assert got == {"ari_scnet": "better", "marker_aupr_reconstructed": "n/a", "modularity_coembed_p99": "worse"}
