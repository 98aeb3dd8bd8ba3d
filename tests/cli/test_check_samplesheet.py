"""``scnetflow check-samplesheet``: outputs, and one error line + exit 1 + no outputs on bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from scnetflow.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
ASSETS = Path(__file__).resolve().parents[2] / "assets"


def run(*args: str):
    return CliRunner().invoke(main, ["check-samplesheet", *args])


def test_writes_valid_samplesheet_and_contrasts(tmp_path):
    out = tmp_path / "out"
    r = run(str(ASSETS / "samplesheet_test.csv"), "--outdir", str(out), "--contrast-a", "CTRL", "--contrast-b", "STIM")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader((out / "samplesheet.valid.csv").open()))
    assert [r["sample"] for r in rows] == ["CTRL", "STIM", "MIX"]
    assert rows[0]["input"] == str((DATA / "kang_ctrl.h5ad").resolve())
    assert [r["format"] for r in rows] == ["h5ad", "h5ad", "csv"]
    assert [r["label_key"] for r in rows] == ["cell_type", "cell_type", ""]  # MIX: an unlabelled sample
    assert (out / "contrasts.valid.csv").read_text().splitlines() == [
        "contrast,condition_a,condition_b",
        "CTRL_vs_STIM,CTRL,STIM",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["contrasts.valid.csv", "samplesheet.valid.csv"]


def test_refuses_to_overwrite_without_force(tmp_path):
    args = [str(ASSETS / "samplesheet_test.csv"), "--outdir", str(tmp_path)]
    assert run(*args).exit_code == 0
    r = run(*args)
    assert r.exit_code == 1 and "already exists; use --force" in r.output
    assert run(*args, "--force").exit_code == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("sample,input\nA,kang_ctrl.h5ad\n", "missing column 'condition'"),
        ("sample,input,condition\nA,kang_ctrl.h5ad,CTRL\nA,kang_stim.h5ad,STIM\n", "duplicate sample 'A'"),
        ("sample,input,condition\nA,missing.h5ad,CTRL\n", "file not found: 'missing.h5ad'"),
        ("sample,input,condition,species\nA,kang_ctrl.h5ad,CTRL,zebrafish\n", "unknown species 'zebrafish'"),
        ("sample,input,condition\nA,make_test_data.py,CTRL\n", "unknown format 'make_test_data.py'"),
    ],
    ids=["missing-column", "duplicate-sample", "file-not-found", "unknown-species", "unknown-format"],
)
def test_bad_samplesheet(tmp_path, body, message):
    sheet = tmp_path / "samplesheet.csv"
    sheet.write_text(body)
    for f in ("kang_ctrl.h5ad", "kang_stim.h5ad", "make_test_data.py"):
        (tmp_path / f).symlink_to(DATA / f)
    out = tmp_path / "out"
    r = run(str(sheet), "--outdir", str(out))
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and message in lines[0], r.output
    assert not out.exists()


def test_bad_contrast(tmp_path):
    out = tmp_path / "out"
    r = run(str(ASSETS / "samplesheet_test.csv"), "--outdir", str(out), "--contrast-a", "CTRL", "--contrast-b", "LPS")
    assert r.exit_code == 1
    assert "condition 'LPS' of contrast 'CTRL_vs_LPS' is not in the samplesheet; its conditions are CTRL, MIX, STIM" in r.output
    assert not out.exists()


def test_missing_samplesheet_is_usage_error(tmp_path):
    r = run(str(tmp_path / "absent.csv"), "--outdir", str(tmp_path / "out"))
    assert r.exit_code == 2 and "does not exist" in r.output


def test_bin_script_help():
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "bin" / "scnetflow_check_samplesheet.py"
    r = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, check=False)
    assert r.returncode == 0 and "--contrast-a" in r.stdout
