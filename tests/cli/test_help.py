"""Every step answers --help, as the console script and as its bin/ script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scnetflow.cli import STEPS

ROOT = Path(__file__).resolve().parents[2]


def test_console_script_lists_every_step():
    out = subprocess.run([sys.executable, "-m", "scnetflow.cli", "--help"], capture_output=True, text=True, check=True)
    for step in STEPS:
        assert step in out.stdout


@pytest.mark.parametrize("step", list(STEPS))
def test_bin_script_help(step):
    script = ROOT / "bin" / f"scnetflow_{STEPS[step]}.py"
    assert script.exists() and script.stat().st_mode & 0o111, f"{script} missing or not executable"
    out = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "--outdir" in out.stdout and "Show this message and exit" in out.stdout
