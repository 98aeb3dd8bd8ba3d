"""Every command re-executes itself once with glibc's allocator set for large tensors (``cli/_allocator.py``)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from scnetflow.allocator import TUNABLES

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                                reason="glibc tunables exist on Linux with glibc only")

# Allocates 128 MiB with malloc, touches it, and reports the tunables and how much of it is in huge pages.
PROBE = """
import ctypes, os, sys
from scnetflow.allocator import tune_allocator
tune_allocator()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
n = 128 * 2**20
ctypes.memset(libc.malloc(ctypes.c_size_t(n)), 1, n)
huge = next(int(l.split()[1]) for l in open("/proc/self/smaps_rollup") if l.startswith("AnonHugePages"))
print(os.environ.get("GLIBC_TUNABLES", "-"), huge, os.getpid(), sys.argv[1:], sep="|")
"""


def _probe(env_tunables: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    if env_tunables is not None:
        env["GLIBC_TUNABLES"] = env_tunables
    proc = subprocess.Popen([sys.executable, "-c", PROBE, "a b", "--flag"], env=env, stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    fields = out.split("|", maxsplit=3)
    assert int(fields[2]) == proc.pid  # re-executed in place: Nextflow and schedulers track the same process
    assert fields[3].strip() == "['a b', '--flag']"  # arguments survive, spaces included
    return fields


def _thp_madvise() -> bool:
    try:
        return "[madvise]" in Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text()
    except OSError:
        return False


def test_reexecutes_with_tunables_and_gets_huge_pages():
    tunables, huge, *_ = _probe(None)
    assert tunables == TUNABLES
    if _thp_madvise():  # huge pages only because glibc asked for them
        assert int(huge) >= 64 * 1024


def test_respects_the_callers_tunables():
    tunables, huge, *_ = _probe("")  # empty: the documented opt-out
    assert tunables == ""
    if _thp_madvise():
        assert int(huge) == 0


def test_console_script_runs_through_the_reexecution():
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    exe = Path(sys.executable).with_name("scnetflow")
    out = subprocess.run([str(exe), "--version"], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert "scnetflow" in out.stdout


def test_fit_mmap_threshold_only_for_blocks_above_the_heap_maximum(monkeypatch):
    from scnetflow.allocator import HEAP_BLOCK_MAX, fit_mmap_threshold

    monkeypatch.setenv("GLIBC_TUNABLES", TUNABLES)
    assert not fit_mmap_threshold(HEAP_BLOCK_MAX)  # served from the heap and reused: leave glibc's rule
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536")
    assert not fit_mmap_threshold(4 * HEAP_BLOCK_MAX)  # the caller's own tunables win
    monkeypatch.setenv("GLIBC_TUNABLES", TUNABLES)
    assert fit_mmap_threshold(4 * HEAP_BLOCK_MAX)  # mallopt accepted it
