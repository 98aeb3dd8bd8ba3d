"""glibc's allocator set for large tensors.

A training step allocates and frees tensors of cells x genes floats dozens of times. glibc serves a block
from its heap, and reuses it, only below its ``mmap`` threshold, which it raises as large blocks are freed
but never above 32 MiB; a larger block is mapped afresh and unmapped on ``free``, so every allocation of
it faults in its 4 KiB pages again. On 2,000 Kang cells x 8,433 genes (67 MB per tensor) that was 45 %
of a ``lowrank_sage`` step's CPU time. Two settings, both measured in ``docs/benchmarks.md``:

- :data:`TUNABLES`, for every command: transparent huge pages on glibc's mappings (a fault per 2 MiB)
  and the threshold fixed at its 32 MiB maximum from the start. The tunables are read only when a process
  starts, hence :func:`tune_allocator`'s re-execution; glibc before 2.35 ignores ``hugetlb``.
- :func:`fit_mmap_threshold`, for training: when the cells x genes tensors are above 32 MiB (mapped
  anyway), a 4 MiB threshold maps the mid-sized blocks too (per-edge attention tensors, genes x hidden),
  so they are returned instead of piling up in the heap: 1.95 instead of 2.29 GB peak RSS on those
  2,000 cells. Below 32 MiB it would map the cells x genes tensors, which the heap otherwise reuses.

A ``GLIBC_TUNABLES`` already in the environment is respected (set it to an empty string to opt out).
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys

TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432"
#: glibc's largest automatic ``mmap`` threshold (``DEFAULT_MMAP_THRESHOLD_MAX`` on 64-bit).
HEAP_BLOCK_MAX = 32 * 2**20
_M_MMAP_THRESHOLD = -3  # mallopt parameter, <malloc.h>


def _glibc() -> bool:
    return sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def tune_allocator() -> None:
    """Re-execute the running command (same interpreter, arguments and process id) with :data:`TUNABLES`,
    unless ``GLIBC_TUNABLES`` is set or this is not Linux with glibc. Call it before any work starts."""
    if "GLIBC_TUNABLES" in os.environ or not _glibc() or not sys.executable:  # embedded: nothing to re-run
        return
    os.environ["GLIBC_TUNABLES"] = TUNABLES
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def fit_mmap_threshold(largest_block: int) -> bool:
    """Map every block of 4 MiB or more when the largest blocks (bytes) exceed :data:`HEAP_BLOCK_MAX`, unless
    the caller set ``GLIBC_TUNABLES`` to something else. Returns whether the threshold was set."""
    if largest_block <= HEAP_BLOCK_MAX or os.environ.get("GLIBC_TUNABLES", TUNABLES) != TUNABLES or not _glibc():
        return False
    return ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 4 * 2**20) == 1
