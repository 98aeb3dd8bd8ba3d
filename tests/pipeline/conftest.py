"""Run the real Nextflow (tools/nextflow/nextflow, installed by tools/install_nextflow.sh) from pytest.

Every test in this directory is marked ``pipeline``. Without an installed Nextflow the tests are
skipped, except under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from nfhelpers import NEXTFLOW, Run

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.pipeline)


@pytest.fixture(scope="session")
def nextflow() -> Path:
    if not any((NEXTFLOW.parent / "lib").glob("*.jar")):
        msg = "Nextflow not installed: run bash tools/install_nextflow.sh"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return NEXTFLOW


@pytest.fixture(scope="session")
def nf_env() -> dict[str, str]:
    """The environment for Nextflow: this Python's bin/ first on PATH (the tasks run bin/*.py with it)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NXF_ANSI_LOG"] = "false"
    env.setdefault("NXF_OPTS", "-Xms256m -Xmx2g")
    return env


@pytest.fixture(scope="session")
def run_nextflow(nextflow, nf_env):
    """``run_nextflow(args, launch_dir, timeout=...)`` -> :class:`Run` (never raises on failure)."""

    def run(args: list[str], launch_dir: Path, *, timeout: int = 900) -> Run:
        launch_dir.mkdir(parents=True, exist_ok=True)
        p = subprocess.run(
            [str(nextflow), *args],
            cwd=launch_dir,
            env=nf_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(args, p.returncode, p.stdout, launch_dir)

    return run
