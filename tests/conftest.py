"""Shared test fixtures.

Real data lives in ``../shared/data`` relative to the repository (see its SOURCES.md). Tests that need
it take the ``shared_data`` fixture, which skips when the directory is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: ``<repo>/../shared/data``: this file is ``<repo>/tests/conftest.py``.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the shared real-data directory; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA
