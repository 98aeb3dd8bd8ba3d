"""A bad samplesheet fails the run with the Python validator's one-line message, and no other task runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from nfhelpers import MAIN, REPO, trace_rows

DATA = REPO / "tests" / "data"

CASES = {
    "missing-column": ("sample,input\nA,kang_ctrl.h5ad\n", "missing column 'condition'"),
    "duplicate-sample": (
        "sample,input,condition\nA,kang_ctrl.h5ad,CTRL\nA,kang_stim.h5ad,STIM\n",
        "line 3, column sample: duplicate sample 'A' (first on line 2)",
    ),
    "file-not-found": ("sample,input,condition\nA,missing.h5ad,CTRL\n", "column input: file not found: 'missing.h5ad'"),
    "unknown-species": (
        "sample,input,condition,species\nA,kang_ctrl.h5ad,CTRL,zebrafish\n",
        "column species: unknown species 'zebrafish'; use one of human, mouse",
    ),
    "unknown-format": (
        "sample,input,condition\nA,counts.loom,CTRL\n",
        "column input: unknown format 'counts.loom'; use .h5ad",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_samplesheet_stops_before_any_other_task(run_nextflow, tmp_path: Path, case: str):
    body, message = CASES[case]
    sheet_dir = tmp_path / "sheet"
    sheet_dir.mkdir()
    for f in ("kang_ctrl.h5ad", "kang_stim.h5ad"):
        (sheet_dir / f).symlink_to(DATA / f)
    (sheet_dir / "counts.loom").write_text("")
    sheet = sheet_dir / "samplesheet.csv"
    sheet.write_text(body)
    outdir = tmp_path / "results"

    r = run_nextflow(
        ["run", str(MAIN), "-profile", "test", "--input", str(sheet), "--outdir", str(outdir)], tmp_path / "launch"
    )

    assert r.returncode != 0
    assert message in r.output, r.output[-4000:]
    # No task but the check: one task directory in work/, and the trace names only the check.
    task_dirs = [d.parent for d in (r.launch_dir / "work").glob("??/*/.command.sh")]
    assert len(task_dirs) == 1, task_dirs
    assert "check_samplesheet" in (task_dirs[0] / ".command.sh").read_text()
    rows = trace_rows(outdir)
    assert {row["process"] for row in rows} <= {"SCNETFLOW:CHECK_SAMPLESHEET"}, rows
    assert all(row["status"] == "FAILED" for row in rows), rows
    published = [p for p in outdir.iterdir() if p.name != "pipeline_info"]
    assert published == []
    assert not (outdir / "pipeline_info" / "samplesheet.valid.csv").exists()


def test_missing_samplesheet_fails_in_groovy(run_nextflow, tmp_path: Path):
    outdir = tmp_path / "results"
    r = run_nextflow(
        ["run", str(MAIN), "-profile", "test", "--input", str(tmp_path / "absent.csv"), "--outdir", str(outdir)],
        tmp_path / "launch",
    )
    assert r.returncode != 0
    assert f"No such file or directory: {tmp_path / 'absent.csv'}" in r.output, r.output[-3000:]
    assert all(row["status"] != "COMPLETED" for row in trace_rows(outdir))
