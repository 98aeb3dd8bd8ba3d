"""The pipeline in its container: the ``podman`` profile's config, and (opt-in) the whole test profile
run by podman on the image that tools/build_containers.sh builds.

The run needs the built image (GBs, about 15-25 min to build here) and takes several times the local
run, so it is off unless ``SCNETFLOW_CONTAINER_TESTS=1``:

    bash tools/build_containers.sh cpu
    SCNETFLOW_CONTAINER_TESTS=1 .venv/bin/python -m pytest tests/pipeline/test_container.py -v
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest
from nfhelpers import MAIN, REPO, trace_rows
from test_run import PROCESSES, expected_files

ENGINES = ("docker", "podman", "singularity", "apptainer", "conda")


def config_param(name: str) -> str:
    """A quoted string default of nextflow.config's params block (the image names)."""
    m = re.search(rf"^\s*{name}\s*=\s*'([^']*)'", (REPO / "nextflow.config").read_text(), re.MULTILINE)
    assert m, f"params.{name} not in nextflow.config"
    return m.group(1)


def test_podman_profile_turns_only_podman_on(run_nextflow, tmp_path):
    flat = run_nextflow(["config", "-flat", "-profile", "test,podman", str(REPO)], tmp_path).check().output
    for engine in ENGINES:
        assert f"{engine}.enabled = {'true' if engine == 'podman' else 'false'}" in flat, engine
    assert f"params.container = '{config_param('container')}'" in flat


@pytest.fixture(scope="module")
def podman_image() -> str:
    if not os.environ.get("SCNETFLOW_CONTAINER_TESTS"):
        pytest.skip("container run is opt-in: SCNETFLOW_CONTAINER_TESTS=1 (after bash tools/build_containers.sh)")
    image = config_param("container")
    if shutil.which("podman") is None:
        pytest.fail("podman not installed: run bash tools/build_containers.sh")
    if subprocess.run(["podman", "image", "exists", image], check=False).returncode != 0:
        pytest.fail(f"image {image} not built: run bash tools/build_containers.sh")
    return image


@pytest.fixture(scope="module")
def podman_run(run_nextflow, podman_image, tmp_path_factory):
    """One real ``-profile test,podman`` run; its trace also records each task's container."""
    base = tmp_path_factory.mktemp("test_podman")
    outdir = base / "results"
    extra = base / "trace.config"
    extra.write_text("trace.fields = 'task_id,hash,process,name,status,exit,container,duration,realtime'\n")
    args = ["run", str(MAIN), "-profile", "test,podman", "-c", str(extra), "--outdir", str(outdir)]
    t0 = time.monotonic()
    run = run_nextflow(args, base / "launch", timeout=3600).check()
    elapsed = time.monotonic() - t0
    print(f"-profile test,podman: {elapsed:.0f} s")
    return {"outdir": outdir, "run": run, "elapsed": elapsed, "trace": trace_rows(outdir), "image": podman_image}


def test_every_task_ran_in_the_image(podman_run):
    rows = podman_run["trace"]
    counts: dict[str, int] = {}
    for row in rows:
        assert row["status"] == "COMPLETED", row
        assert row["container"] == podman_run["image"], row
        name = row["process"].split(":")[-1]
        counts[name] = counts.get(name, 0) + 1
    assert counts == PROCESSES


def test_tasks_were_launched_by_podman(podman_run):
    work = podman_run["outdir"].parent / "launch" / "work"
    wrappers = list(work.glob("*/*/.command.run"))
    assert len(wrappers) == sum(PROCESSES.values())
    assert all("podman run" in w.read_text() for w in wrappers)


def test_same_published_files_as_the_local_run(podman_run):
    outdir = podman_run["outdir"]
    missing = [str(p.relative_to(outdir)) for p in expected_files(outdir) if not p.is_file()]
    assert not missing, missing
    assert not list(outdir.rglob("versions.yml")), "versions.yml must not be published"
