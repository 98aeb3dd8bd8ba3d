"""Tests of scnetflow.report on a results tree built from real data (bundled Kang subsets)."""

from __future__ import annotations

import html as _html
import json
import re
import shutil

import anndata as ad
import pandas as pd
import pytest
from _report_results import SAMPLES, _cli, cached_results
from click.testing import CliRunner

from scnetflow import quality as Q
from scnetflow.errors import InputError
from scnetflow.multiqc import general_stats
from scnetflow.report import (COMPARISON_SECTIONS, SAMPLE_SECTIONS, ReportParams, build_report, find_results, read_manifest,
                              sample_stats, sample_verdicts, section_ids, write_report)
from scnetflow.report.formatting import fmt, mmss, sig3

PAIR = "kang_ctrl_vs_stim"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return cached_results(tmp_path_factory)


@pytest.fixture(scope="module")
def verdicts(results):
    return sample_verdicts(results)


@pytest.fixture(scope="module")
def report(results, verdicts):
    return build_report(results, ReportParams(max_umap_cells=200), verdicts=verdicts)


def _section(page: str, sid: str) -> str:
    return re.search(rf'<section id="{sid}">(.*?)</section>', page, re.S).group(1)


# --- numbers for people -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (0.6938345537854137, "0.694"), (56.350485551999554, "56.4"), (1234.5, "1,230"), (9.996, "10.0"),
    (0.0001, "0.0001"), (1.23456e-5, "1.23e-05"), (-0.4152, "-0.415"), (0.0, "0"), (123456789.2, "123,000,000"),
])
def test_sig3(value, text):
    assert sig3(value) == text


def test_fmt_counts_seconds_and_missing():
    assert fmt(111786) == "111,786" and fmt(2004.0) == "2,004"  # counts exact, with separators
    assert fmt(56.350485551999554, "seconds_total") == "0:56" and fmt(3725.2, "seconds") == "1:02:05"
    assert fmt(82.6, "train_s") == "1:23" and mmss(0.247) == "0.247 s"
    assert fmt(None) == fmt(float("nan")) == "n/a" and fmt(True) == "yes" and fmt("cpu") == "cpu"


# --- finding results ----------------------------------------------------------------------------------------------

def test_find_results_groups_samples_and_contrasts(results):
    groups = find_results(results)
    assert set(groups) == {*SAMPLES, PAIR}
    for s in SAMPLES:
        g = groups[s]
        assert g.is_sample and not g.is_comparison
        assert {"qc_json", "qc_h5ad", "graphs_json", "history", "train_json", "scnet_h5ad", "reconstructed_h5ad",
                "modularity"} <= set(g.files)
        assert g.files["history"].name == f"{s}.history.tsv"
    comp = groups[PAIR]
    assert comp.is_comparison and not comp.is_sample  # its GSEA between conditions does not make it a sample
    assert {"diffnet_genes", "gsea_conditions"} <= set(comp.files)


def test_sample_stats_match_step_outputs(results):
    g = find_results(results)["kang_ctrl"]
    qc = json.loads(g.files["qc_json"].read_text())
    gr = json.loads(g.files["graphs_json"].read_text())
    tr = json.loads(g.files["train_json"].read_text())
    st = sample_stats(g)
    assert st["cells"] == qc["cells_after"] and st["genes"] == qc["genes_after"]
    assert st["ppi_genes"] == gr["model_genes"] and st["ppi_edges"] == gr["model_edges"]
    assert st["best_auroc"] == pytest.approx(tr["best_val_auroc"]) and st["seconds_total"] == tr["seconds_total"]


def test_empty_and_missing_directories(tmp_path):
    for bad, msg in ((tmp_path, "no scnetflow results"), (tmp_path / "nope", "results directory not found")):
        with pytest.raises(InputError, match=msg):
            build_report(bad)


def test_cli_empty_results_directory_fails_and_writes_nothing(tmp_path):
    from scnetflow.cli import main

    empty, out = tmp_path / "empty", tmp_path / "out"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a result")
    r = CliRunner().invoke(main, ["report", str(empty), "--outdir", str(out), "--quiet"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and str(empty) in lines[0]
    assert "no scnetflow results" in lines[0] and "--outdir" in lines[0]  # what is wrong and what to do
    assert not out.exists()


# --- the pipeline's manifest --------------------------------------------------------------------------------------

def _manifest_of(results, staged) -> list[str]:
    """The pipeline's view of ``results``: every file staged flat in ``staged/inputs`` and a manifest row each."""
    (staged / "inputs").mkdir(parents=True)
    rows = ["sample\tstep\tkind\tpath"]
    for g in find_results(results).values():
        for kind, path in g.files.items():
            shutil.copy(path, staged / "inputs" / path.name)
            rows.append(f"{g.name}\t{path.parent.name}\t{kind}\tinputs/{path.name}")
    (staged / "manifest.tsv").write_text("\n".join(rows) + "\n")
    return rows


def test_manifest_gives_the_groups_that_the_directory_gives(results, tmp_path):
    _manifest_of(results, tmp_path)
    from_dir, from_manifest = find_results(results), read_manifest(tmp_path / "manifest.tsv")
    assert set(from_manifest) == set(from_dir)
    for name, g in from_dir.items():
        m = from_manifest[name]
        assert set(m.files) == set(g.files) and m.is_sample == g.is_sample and m.is_comparison == g.is_comparison
        assert all(m.files[k].read_bytes() == g.files[k].read_bytes() for k in g.files)
        assert m.where == g.where  # shown as published: <sample>/<step>/<file>


def test_cli_reports_from_a_manifest(results, tmp_path):
    from scnetflow.cli import main

    _manifest_of(results, tmp_path / "task")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["report", "--manifest", str(tmp_path / "task" / "manifest.tsv"), "--outdir", str(out),
                                  "--max-umap-cells", "200", "--quiet"])
    assert r.exit_code == 0, r.output
    page = (out / "scnetflow_report.html").read_text()
    assert "kang_ctrl/train/kang_ctrl.history.tsv" in _section(page, "about")
    assert 'id="sample-kang_ctrl-training"' in page and (out / "scnetflow_general_stats_mqc.yaml").is_file()
    both = CliRunner().invoke(main, ["report", str(results), "--manifest", str(tmp_path / "task" / "manifest.tsv"),
                                     "--outdir", str(tmp_path / "o2")])
    assert both.exit_code == 2 and "either RESULTS_DIR or --manifest" in both.output


@pytest.mark.parametrize("edit, message", [
    (lambda rows: ["sample,step,kind,path"] + rows[1:], "header sample, step, kind, path"),
    (lambda rows: rows[:1] + ["\t".join(rows[1].split("\t")[:2] + ["counts"] + rows[1].split("\t")[3:])] + rows[2:],
     "line 2: unknown kind 'counts'"),
    (lambda rows: rows[:1] + ["kang_ctrl\ttrain\thistory\tinputs/missing.history.tsv"] + rows[1:],
     "line 2: file 'inputs/missing.history.tsv' not found"),
    (lambda rows: rows[:1] + ["kang_ctrl\ttrain\thistory"] + rows[1:], "line 2: 3 fields, expected 4"),
    (lambda rows: rows[:1], "lists no result file"),
])
def test_bad_manifest_names_the_line(results, tmp_path, edit, message):
    rows = _manifest_of(results, tmp_path)
    (tmp_path / "manifest.tsv").write_text("\n".join(edit(rows)) + "\n")
    with pytest.raises(InputError, match=re.escape(message)) as e:
        read_manifest(tmp_path / "manifest.tsv")
    assert "manifest.tsv" in str(e.value)


# --- the verdict --------------------------------------------------------------------------------------------------

def test_verdict_numbers_equal_the_step_outputs(results, verdicts):
    """The verdict reads cluster-eval, coembed and evaluate-network outputs: the same numbers, and the
    suite's sign function."""
    for s in SAMPLES:
        g = find_results(results)[s]
        sc = verdicts[s].scores()
        ce = json.loads(g.files["cluster_eval_json"].read_text())["representations"]
        assert sc["ari_scnet"] == ce["X_scnet"]["max_ari"] and sc["ari_pca"] == ce["X_pca"]["max_ari"]
        mod = pd.read_csv(g.files["modularity"], sep="\t").set_index(["network", "percentile"])["modularity"]
        # the fixture's coembed ran with --percentile 95: the network evaluate-network scored
        assert verdicts[s].percentile == 95
        assert sc["modularity_coembed_p95"] == mod["coembed", 95] and sc["modularity_coexpr_p95"] == mod["coexpr", 95]
        ne = json.loads(g.files["network_eval"].read_text())["networks"]
        assert sc["reactome_aupr_coembed"] == ne["coembed"]["pathways"]["aupr_mean"]
        assert sc["reactome_aupr_ppi"] == ne["ppi"]["pathways"]["aupr_mean"]
        # reconstruction: the quality suite's function on the same files and canonical PBMC markers
        a = ad.read_h5ad(g.files["scnet_h5ad"])
        markers = {t: [x for x in ms if x in set(a.var_names)] for t, ms in Q.PBMC_MARKERS.items()}
        _, summ = Q.reconstruction_markers(a, ad.read_h5ad(g.files["reconstructed_h5ad"]),
                                           {t: ms for t, ms in markers.items() if ms}, "cell_type")
        assert sc["marker_aupr_reconstructed"] == summ["aupr_reconstructed_mean"]
        assert sc["marker_aupr_original"] == summ["aupr_original_mean"]
        # the signs are quality.verdicts' on the same scores
        suite = Q.verdicts(sc).set_index("value_key")["verdict"]
        for m in verdicts[s].measures:
            assert m.sign == suite[m.value_key] if m.value_key in suite else m.sign in Q.VERDICTS


def test_verdict_is_shown_with_its_numbers(results, verdicts, report):
    page, _ = report
    for s in SAMPLES:
        sec = _section(page, f"verdict-{s}")
        rows = re.findall(r'<tr class="verdict-row" data-output="([^"]+)" data-verdict="(\w+)">', sec)
        assert [o for o, _ in rows] == ["cell embedding", "co-embedded network", "co-embedded network",
                                        "reconstructed expression"]
        assert all(v in Q.VERDICTS for _, v in rows)
        for key, value in verdicts[s].scores().items():
            assert re.search(rf'data-key="{key}">{re.escape(fmt(value))}<', sec), key
        assert sec.count("<img") == 4 and sec.count("<figcaption>") == 4


def test_label_free_verdict_without_labels(results, tmp_path):
    """A sample without labels gets the label-free cell measure (quality.knn_heldout_r) and no marker verdict."""
    root = tmp_path / "results"
    shutil.copytree(results / "kang_ctrl", root / "kang_ctrl", ignore=shutil.ignore_patterns("cluster_eval"))
    g = root / "kang_ctrl"
    _cli(["cluster-eval", str(g / "train" / "kang_ctrl.scnet.h5ad"), "--outdir", str(g / "cluster_eval"),
          "--label-key", "none", "--resolutions", "0.5"])
    v = sample_verdicts(root)["kang_ctrl"]
    kr = Q.knn_heldout_r(ad.read_h5ad(g / "train" / "kang_ctrl.scnet.h5ad"), ad.read_h5ad(g / "qc" / "kang_ctrl.qc.h5ad"))
    cell = v.measures[0]
    assert (cell.value, cell.baseline) == (kr["X_scnet"]["r_mean"], kr["X_pca"]["r_mean"])
    assert cell.sign == Q.verdict(cell.value, cell.baseline, Q.TOLERANCES["knn_heldout_r"])
    assert v.measures[-1].sign == "n/a" and "labels" in v.measures[-1].note
    # no ARI anywhere (cluster-eval's table has NaN ARI), the label-free numbers in MultiQC instead
    assert sample_stats(find_results(root)["kang_ctrl"])["ari_scnet"] is None
    row = general_stats(root)["kang_ctrl"]
    assert "ari_scnet" not in row and (row["knn_r_scnet"], row["knn_r_pca"]) == (cell.value, cell.baseline)


# --- the page -----------------------------------------------------------------------------------------------------

def test_every_section_has_its_id(results, report):
    page, ids = report
    assert ids == section_ids(find_results(results))
    for s in SAMPLES:
        assert f"verdict-{s}" in ids
        for key in SAMPLE_SECTIONS:
            assert f"sample-{s}-{key}" in ids
    for key in COMPARISON_SECTIONS:
        assert f"comparison-{PAIR}-{key}" in ids
    for i in ids:
        assert page.count(f'id="{i}"') == 1, i


def test_samples_and_contrasts_in_separate_tables(report):
    page, _ = report
    summary = _section(page, "summary")
    samples = re.search(r'<table class="samples">(.*?)</table>', summary, re.S).group(1)
    contrasts = re.search(r'<table class="contrasts">(.*?)</table>', summary, re.S).group(1)
    assert all(f'href="#sample-{s}"' in samples for s in SAMPLES) and PAIR not in samples
    assert f'href="#comparison-{PAIR}"' in contrasts and "n/a" not in contrasts


def test_contents_grouped_by_sample(results, report):
    page, ids = report
    nav = re.search(r'<nav id="contents">(.*?)</nav>', page, re.S).group(1)
    groups = dict(re.findall(r'<details class="toc-group" data-group="([^"]+)">(.*?)</details>', nav, re.S))
    assert set(groups) == {*(f"sample-{s}" for s in SAMPLES), f"comparison-{PAIR}"}
    for s in SAMPLES:
        links = re.findall(r'href="#([^"]+)"', groups[f"sample-{s}"])
        assert links[0] == f"sample-{s}" and f"verdict-{s}" in links
        assert {f"sample-{s}-{k}" for k in SAMPLE_SECTIONS} <= set(links)
        assert all(s in link for link in links)  # nothing of another sample in its group
    assert set(re.findall(r'href="#([^"]+)"', nav)) == set(ids)


def test_no_raw_floats_in_tables(report):
    page, _ = report
    cells = [_html.unescape(re.sub(r"<[^>]+>", " ", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    assert cells
    for c in cells:
        for word in c.split():
            word = word.strip("±(),;:")
            if re.fullmatch(r"-?\d+\.\d+(e[-+]\d+)?", word):
                assert len(re.sub(r"^[0.]+", "", word.split("e")[0].replace("-", "").replace(".", "")) or "0") <= 4, c


def test_report_is_self_contained(report):
    page, _ = report
    assert "<script" not in page.lower()
    # every src/href is embedded data or an in-page anchor: nothing to fetch, opens offline
    refs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert refs and all(r.startswith(("data:image/png;base64,", "#")) for r in refs), {r[:40] for r in refs}
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page


def test_figures_have_captions_and_exist_where_inputs_exist(results, report):
    page, _ = report
    section = _section(page, "sample-kang_stim-training")
    assert "data:image/png;base64," in section and "Not available" not in section
    for key in ("attention", "umap", "modularity", "clustering", "pathways"):
        assert "<img" in _section(page, f"sample-kang_stim-{key}"), key
    for key in COMPARISON_SECTIONS:
        assert "<img" in _section(page, f"comparison-{PAIR}-{key}"), key
    figures = re.findall(r"<figure>(.*?)</figure>", page, re.S)
    assert len(figures) == page.count("<img")  # every image is a captioned figure
    assert all("Good:" in f for f in figures)


def test_missing_inputs_render_not_available_notes(results, tmp_path):
    root = tmp_path / "results"
    (root / "only_qc" / "qc").mkdir(parents=True)
    shutil.copy(find_results(results)["kang_ctrl"].files["qc_json"], root / "only_qc" / "qc" / "only_qc.qc.json")
    page, ids = build_report(root)
    assert "sample-only_qc-gsea" in ids and "comparisons" in ids
    for key in SAMPLE_SECTIONS:
        assert ("Not available" in _section(page, f"sample-only_qc-{key}")) == (key != "qc"), key
    assert page.count('data-verdict="n/a"') == 4
    assert "Not available" in _section(page, "comparisons")


def test_unreadable_input_becomes_a_note_not_a_crash(results, tmp_path, caplog):
    root = tmp_path / "results"
    shutil.copytree(results / "kang_ctrl", root / "kang_ctrl")
    (root / "kang_ctrl" / "train" / "kang_ctrl.train.json").write_text("{not json")
    page, ids = build_report(root, ReportParams(max_umap_cells=200))
    sec = _section(page, "sample-kang_ctrl-attention")
    assert "Could not render" in sec and "JSONDecodeError" in sec
    assert "sample-kang_ctrl-umap" in ids


def test_write_report_writes_one_file(results, verdicts, tmp_path):
    out = tmp_path / "r.html"
    ids = write_report(results, out, ReportParams(max_umap_cells=200), verdicts=verdicts)
    assert out.is_file() and "summary" in ids
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
