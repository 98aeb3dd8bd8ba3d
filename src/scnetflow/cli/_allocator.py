"""glibc's allocator set for large tensors: each command re-executes itself once with ``GLIBC_TUNABLES``.

A training step allocates and frees tensors of cells x genes floats (67 MB on 2,000 Kang cells) dozens of
times. glibc serves these with ``mmap`` and returns them on ``free``, so every allocation faults in its
4 KiB pages again: on 2,000 cells x 8,433 genes that was 40 % of a ``lowrank_sage`` step's CPU time.
:data:`TUNABLES` asks glibc (2.35+; older versions ignore it) for transparent huge pages on those
mappings (a fault per 2 MiB) and a fixed 4 MiB ``mmap`` threshold, so that mid-sized blocks do not pile up
in the heap (glibc otherwise raises the threshold to the largest block freed). Measured in
``docs/benchmarks.md``: 2.5 instead of 4.4 CPU seconds per step and 1.94 instead of 2.24 GB peak RSS.

The tunables are read only when a process starts, hence the re-execution. A ``GLIBC_TUNABLES`` already in
the environment is respected (set it to an empty string to opt out).
"""

from __future__ import annotations

import os
import platform
import sys

TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=4194304"


def tune_allocator() -> None:
    """Re-execute the running command (same interpreter, arguments and process id) with :data:`TUNABLES`,
    unless ``GLIBC_TUNABLES`` is set or this is not Linux with glibc. Call it before any work starts."""
    if "GLIBC_TUNABLES" in os.environ or not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return
    os.environ["GLIBC_TUNABLES"] = TUNABLES
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
