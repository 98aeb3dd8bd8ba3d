"""Helpers for the pipeline tests: paths, one finished Nextflow command, the execution trace."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NEXTFLOW = REPO / "tools" / "nextflow" / "nextflow"
LINT = REPO / "tools" / "nextflow" / "lint"
MAIN = REPO / "main.nf"


@dataclass
class Run:
    """One finished ``nextflow`` command."""

    args: list[str]
    returncode: int
    output: str
    launch_dir: Path

    def check(self) -> "Run":
        assert self.returncode == 0, f"nextflow {' '.join(self.args)} failed ({self.returncode}):\n{self.output[-6000:]}"
        return self


def trace_rows(outdir: Path) -> list[dict[str, str]]:
    """Rows of the newest execution trace in ``outdir/pipeline_info`` (empty when none)."""
    traces = sorted((outdir / "pipeline_info").glob("execution_trace_*.txt"), key=lambda p: p.stat().st_mtime)
    if not traces:
        return []
    with traces[-1].open() as fh:
        return list(csv.DictReader(fh, delimiter="\t"))
