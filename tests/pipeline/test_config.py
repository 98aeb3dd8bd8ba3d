"""Profiles resolve offline, the pipeline lints clean, and --help lists every parameter."""

from __future__ import annotations

import re
import subprocess

import pytest

from nfhelpers import LINT, MAIN, REPO

PROFILES = ["test", "docker", "singularity", "apptainer", "gpu", "slurm", "awsbatch", "google"]


@pytest.mark.parametrize("profile", [*PROFILES, "test,docker,gpu", "test,singularity,gpu", "slurm,apptainer,gpu"])
def test_config_resolves(run_nextflow, tmp_path, profile):
    r = run_nextflow(["config", "-flat", "-profile", profile, str(REPO)], tmp_path).check()
    flat = r.output
    assert "params.outdir = null" in flat
    assert "process.'withLabel:process_gpu'.cpus = { 8 * task.attempt }" in flat
    if "gpu" in profile.split(","):
        assert "process.'withLabel:process_gpu'.accelerator = [request:1, type:'nvidia-tesla-t4']" in flat
        assert "process.'withLabel:process_gpu'.container = 'ghcr.io/scnetflow/scnetflow:0.1.0-cuda'" in flat
        assert "docker.runOptions = '-u $(id -u):$(id -g) --gpus all'" in flat
        assert "singularity.runOptions = '--nv'" in flat
        assert "apptainer.runOptions = '--nv'" in flat
    if "docker" in profile.split(","):
        assert "docker.enabled = true" in flat
    if profile in ("singularity", "apptainer"):
        assert f"{profile}.enabled = true" in flat
        assert "docker.enabled = false" in flat
    if profile == "test":
        assert "process.resourceLimits = [cpus:2, memory:'6 GB', time:'1h']" in flat
        assert "params.epochs = 4" in flat
    if profile == "slurm":
        assert "process.executor = 'slurm'" in flat
    if profile == "awsbatch":
        assert "process.executor = 'awsbatch'" in flat
    if profile == "google":
        assert "process.executor = 'google-batch'" in flat
        assert "google.project = null" in flat or "google.location = 'europe-west2'" in flat


def test_no_plugins_declared(run_nextflow, tmp_path):
    r = run_nextflow(["config", "-profile", ",".join(PROFILES), str(REPO)], tmp_path).check()
    assert "plugins" not in r.output


def test_lint_reports_no_errors(nextflow):
    r = subprocess.run([str(LINT)], cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"linted \d+ files: 0 errors", r.stdout), r.stdout


def test_help_lists_params(run_nextflow, tmp_path):
    r = run_nextflow(["run", str(MAIN), "--help"], tmp_path).check()
    flat = run_nextflow(["config", "-flat", str(REPO)], tmp_path).check().output
    params = re.findall(r"^params\.(\w+) = ", flat, flags=re.M)
    assert len(params) > 20
    for name in params:
        assert f"--{name}" in r.output, name
    assert not (tmp_path / "null").exists()  # no run reports for --help
