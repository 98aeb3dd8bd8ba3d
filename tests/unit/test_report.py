"""Tests of scnetflow.report on a results tree built from real data (bundled Kang subsets)."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from _report_results import SAMPLES, cached_results

from scnetflow.errors import InputError
from scnetflow.report import SAMPLE_SECTIONS, build_report, find_results, sample_stats, section_ids, write_report


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return cached_results(tmp_path_factory)


@pytest.fixture(scope="module")
def report(results):
    return build_report(results, max_umap_cells=200)


def test_find_results_groups_samples_and_comparisons(results):
    groups = find_results(results)
    assert set(groups) == {*SAMPLES, "kang_ctrl_vs_stim"}
    for s in SAMPLES:
        g = groups[s]
        assert g.is_sample and not g.is_comparison
        assert {"qc_json", "graphs_json", "history", "train_json", "scnet_h5ad", "modularity"} <= set(g.files)
        assert g.files["history"].name == f"{s}.history.tsv"
    comp = groups["kang_ctrl_vs_stim"]
    assert comp.is_comparison and not comp.is_sample


def test_sample_stats_match_step_outputs(results):
    g = find_results(results)["kang_ctrl"]
    qc = json.loads(g.files["qc_json"].read_text())
    gr = json.loads(g.files["graphs_json"].read_text())
    tr = json.loads(g.files["train_json"].read_text())
    st = sample_stats(g)
    assert st["cells"] == qc["cells_after"] and st["genes"] == qc["genes_after"]
    assert st["ppi_genes"] == gr["model_genes"] and st["ppi_edges"] == gr["model_edges"]
    assert st["best_auroc"] == pytest.approx(tr["best_val_auroc"])
    ce = json.loads(g.files["cluster_eval_json"].read_text())["representations"]
    assert st["ari_scnet"] == pytest.approx(ce["X_scnet"]["max_ari"])
    assert st["ari_pca"] == pytest.approx(ce["X_pca"]["max_ari"])


def test_every_section_has_its_id(results, report):
    page, ids = report
    assert ids == section_ids(find_results(results))
    for s in SAMPLES:
        for key in SAMPLE_SECTIONS:
            assert f"sample-{s}-{key}" in ids
    assert "comparison-kang_ctrl_vs_stim-diffnet" in ids
    for i in ids:
        assert page.count(f'id="{i}"') == 1, i


def test_report_is_self_contained(report):
    page, _ = report
    assert "<script" not in page.lower()
    # every src/href is embedded data or an in-page anchor: nothing to fetch, opens offline
    refs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert refs and all(r.startswith(("data:image/png;base64,", "#")) for r in refs), {r[:40] for r in refs}
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page


def test_figures_present_where_inputs_exist(results, report):
    page, _ = report
    section = re.search(r'<section id="sample-kang_stim-training">(.*?)</section>', page, re.S).group(1)
    assert "data:image/png;base64," in section and "Not available" not in section
    for key in ("attention", "umap", "modularity"):
        sec = re.search(rf'<section id="sample-kang_stim-{key}">(.*?)</section>', page, re.S).group(1)
        assert "<img" in sec, key
    for key, kind in (("clustering", "cluster_eval"), ("pathways", "pathway_auc"), ("gsea", "gsea_celltype")):
        if kind in find_results(results)["kang_stim"].files:
            sec = re.search(rf'<section id="sample-kang_stim-{key}">(.*?)</section>', page, re.S).group(1)
            assert "<img" in sec, key
    diff = re.search(r'<section id="comparison-kang_ctrl_vs_stim-diffnet">(.*?)</section>', page, re.S).group(1)
    assert "<img" in diff


def test_missing_inputs_render_not_available_notes(results, tmp_path):
    root = tmp_path / "results"
    (root / "only_qc" / "qc").mkdir(parents=True)
    shutil.copy(find_results(results)["kang_ctrl"].files["qc_json"], root / "only_qc" / "qc" / "only_qc.qc.json")
    page, ids = build_report(root)
    assert "sample-only_qc-gsea" in ids and "comparisons" in ids
    for key in SAMPLE_SECTIONS:
        sec = re.search(rf'<section id="sample-only_qc-{key}">(.*?)</section>', page, re.S).group(1)
        assert ("Not available" in sec) == (key != "qc"), key
    comp = re.search(r'<section id="comparisons">(.*?)</section>', page, re.S).group(1)
    assert "Not available" in comp


def test_unreadable_input_becomes_a_note_not_a_crash(results, tmp_path, caplog):
    root = tmp_path / "results"
    shutil.copytree(results / "kang_ctrl", root / "kang_ctrl")
    (root / "kang_ctrl" / "train" / "kang_ctrl.train.json").write_text("{not json")
    page, ids = build_report(root, max_umap_cells=200)
    sec = re.search(r'<section id="sample-kang_ctrl-attention">(.*?)</section>', page, re.S).group(1)
    assert "Could not render" in sec and "JSONDecodeError" in sec
    assert "sample-kang_ctrl-umap" in ids


def test_empty_and_missing_directories(tmp_path):
    page, ids = build_report(tmp_path)
    assert ids == ["summary", "comparisons", "about"]
    assert "no sample results" in page
    with pytest.raises(InputError, match="results directory not found"):
        build_report(tmp_path / "nope")


def test_write_report_writes_one_file(results, tmp_path):
    out = tmp_path / "r.html"
    ids = write_report(results, out, max_umap_cells=200)
    assert out.is_file() and "summary" in ids
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
