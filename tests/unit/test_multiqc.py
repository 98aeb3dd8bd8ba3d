"""Tests of scnetflow.multiqc: custom-content files, versions collation, and MultiQC itself offline."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _report_results import cached_results

from scnetflow.errors import InputError
from scnetflow.multiqc import GENERAL_STATS_FILE, VERDICT_COLUMNS, VERSIONS_FILE, write_general_stats, write_versions
from scnetflow.report import sample_verdicts

CONFIG = Path(__file__).resolve().parents[2] / "assets" / "multiqc_config.yml"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return cached_results(tmp_path_factory)


def _versions(tmp_path: Path) -> list[Path]:
    a, b = tmp_path / "a.versions.yml", tmp_path / "b.versions.yml"
    a.write_text('"SCNETFLOW:SCNETFLOW:TRAIN":\n    scnetflow: 0.1.0\n    torch: 2.15.0\n')
    b.write_text('"SCNETFLOW:SCNETFLOW:QC":\n    scanpy: 1.10\n')
    return [a, b]


def test_general_stats_yaml(results, tmp_path):
    out = tmp_path / GENERAL_STATS_FILE
    data = write_general_stats(results, out)
    doc = yaml.safe_load(out.read_text())
    assert doc["plot_type"] == "generalstats"
    assert set(doc["data"]) == {"kang_ctrl", "kang_stim"}  # the contrast is not a sample
    assert doc["data"] == data
    for row in data.values():
        assert {"cells", "genes", "ppi_genes", "ppi_edges", "best_auroc"} <= set(row)
    ce = json.loads((results / "kang_stim" / "cluster_eval" / "kang_stim.cluster_eval.json").read_text())
    assert data["kang_stim"]["ari_scnet"] == pytest.approx(ce["representations"]["X_scnet"]["max_ari"])
    cols = [next(iter(h)) for h in doc["pconfig"]]
    assert cols == ["cells", "genes", "ppi_genes", "ppi_edges", "best_auroc", "ari_scnet", "ari_pca", "verdict_cells",
                    "modularity_coembed", "modularity_coexpr", "verdict_coexpr", "pathway_aupr_coembed",
                    "pathway_aupr_ppi", "verdict_ppi", "marker_aupr_reconstructed", "marker_aupr_original",
                    "verdict_reconstruction"]


def test_general_stats_carry_the_report_verdict(results, tmp_path):
    """The general-stats verdict columns are the report's verdict: same numbers, same signs."""
    verdicts = sample_verdicts(results)
    data = write_general_stats(results, tmp_path / GENERAL_STATS_FILE, verdicts)
    for s, v in verdicts.items():
        by = {m.tolerance_key: m for m in v.measures}
        for key, (vk, bk, sk) in VERDICT_COLUMNS.items():
            if key in by and by[key].sign != "n/a":
                assert (data[s][vk], data[s][bk], data[s][sk]) == (by[key].value, by[key].baseline, by[key].sign)
        nets = json.loads((results / s / "evaluate_network" / f"{s}.network_eval.json").read_text())["networks"]
        assert data[s]["pathway_aupr_coembed"] == nets["coembed"]["pathways"]["aupr_mean"]
        assert data[s]["verdict_ppi"] in ("better", "same", "worse")


def test_general_stats_without_labels_leave_ari_out(results, tmp_path):
    root = tmp_path / "results"
    shutil.copytree(results / "kang_ctrl", root / "kang_ctrl", ignore=shutil.ignore_patterns("cluster_eval", "*.h5ad"))
    data = write_general_stats(root, tmp_path / GENERAL_STATS_FILE)
    assert "ari_scnet" not in data["kang_ctrl"] and "cells" in data["kang_ctrl"]  # left out, not zero
    assert "verdict_cells" not in data["kang_ctrl"] and "verdict_coexpr" in data["kang_ctrl"]
    doc = yaml.safe_load((tmp_path / GENERAL_STATS_FILE).read_text())
    assert "ari_scnet" not in [next(iter(h)) for h in doc["pconfig"]]


def test_versions_are_merged_as_strings(tmp_path):
    out = tmp_path / VERSIONS_FILE
    merged = write_versions(_versions(tmp_path), out)
    doc = yaml.load(out.read_text(), Loader=yaml.BaseLoader)
    assert doc == merged
    assert doc["TRAIN"] == {"scnetflow": "0.1.0", "torch": "2.15.0"}
    assert doc["QC"] == {"scanpy": "1.10"}  # not the float 1.1
    assert "scnetflow" in doc["Workflow"]


def test_bad_versions_file(tmp_path):
    bad = tmp_path / "versions.yml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(InputError, match="versions.yml"):
        write_versions([bad], tmp_path / VERSIONS_FILE)


def test_multiqc_runs_offline_on_our_files(results, tmp_path):
    pytest.importorskip("multiqc")
    inp = tmp_path / "in"
    inp.mkdir()
    write_general_stats(results, inp / GENERAL_STATS_FILE)
    write_versions(_versions(tmp_path), inp / VERSIONS_FILE)
    exe = shutil.which("multiqc", path=str(Path(sys.executable).parent)) or shutil.which("multiqc")
    proc = subprocess.run([exe, "--config", str(CONFIG), str(inp), "-o", str(tmp_path / "out"), "--no-ansi"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = tmp_path / "out" / "multiqc_data"
    gs = (data / "multiqc_general_stats.txt").read_text().splitlines()
    assert gs[0].startswith("Sample") and "best_auroc" in gs[0] and "ppi_edges" in gs[0] and "verdict_ppi" in gs[0]
    assert {line.split("\t")[0] for line in gs[1:]} == {"kang_ctrl", "kang_stim"}
    sv = (data / "multiqc_software_versions.txt").read_text()
    assert "TRAIN" in sv and "2.15.0" in sv and "QC" in sv
    assert (tmp_path / "out" / "multiqc_report.html").stat().st_size > 0
    assert "version check" not in proc.stderr.lower() or "disabled" in proc.stderr.lower()
