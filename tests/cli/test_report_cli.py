"""``scnetflow report`` through Click's CliRunner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _report_results import cached_results  # noqa: E402

from scnetflow.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return cached_results(tmp_path_factory)


def test_report_cli_writes_html_and_multiqc_files(results, tmp_path):
    v = tmp_path / "versions.yml"
    v.write_text('"SCNETFLOW:TRAIN":\n    torch: 2.15.0\n')
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["report", str(results), "--outdir", str(out), "--max-umap-cells", "200",
                                  "--versions", str(v), "--quiet"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["scnetflow_general_stats_mqc.yaml", "scnetflow_report.html",
                                                     "scnetflow_software_mqc_versions.yml"]
    assert 'id="sample-kang_ctrl-umap"' in (out / "scnetflow_report.html").read_text()

    again = CliRunner().invoke(main, ["report", str(results), "--outdir", str(out), "--quiet"])
    assert again.exit_code == 1
    assert "already exists; use --force to overwrite" in again.output
    forced = CliRunner().invoke(main, ["report", str(results), "--outdir", str(out), "--no-multiqc", "--force",
                                       "--max-umap-cells", "200", "--quiet"])
    assert forced.exit_code == 0, forced.output


def test_report_cli_missing_dir_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["report", str(tmp_path / "missing"), "--outdir", str(out)])
    assert r.exit_code == 2 and "does not exist" in r.output
    assert not out.exists()


def test_report_cli_bad_versions_file_leaves_nothing(results, tmp_path):
    bad = tmp_path / "versions.yml"
    bad.write_text("[1, 2]\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["report", str(results), "--outdir", str(out), "--versions", str(bad),
                                  "--max-umap-cells", "200", "--quiet"])
    assert r.exit_code == 1
    assert "versions.yml: expected 'PROCESS:'" in r.output
    assert not out.exists()


def test_report_help():
    r = CliRunner().invoke(main, ["report", "--help"])
    assert r.exit_code == 0 and "--max-umap-cells" in r.output
    assert "[default: 20000" in " ".join(r.output.split())  # the library default, shown
