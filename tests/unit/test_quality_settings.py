"""benchmarks/quality/run_suite.py: settings that extend another resolve to the same overrides (and cache key)
as writing every key out."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "quality" / "run_suite.py"


@pytest.fixture
def run_suite(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts its folder first
    spec = importlib.util.spec_from_file_location("quality_run_suite", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_extends_resolves_to_the_written_out_overrides(run_suite):
    path = SCRIPT.parent / "settings.toml"
    s = run_suite.load_settings(path, ["gene_lr3", "s20_base_seed1", "s20_eb10_g15_seed2"])
    assert s["s20_base_seed1"] == {**s["gene_lr3"], "n_edge_batches": 5, "seed": 1}
    assert s["s20_eb10_g15_seed2"] == {**s["gene_lr3"], "gene_encoder_lr_scale": 1.5, "n_edge_batches": 10, "seed": 2}
    written_out = {**s["gene_lr3"], "n_edge_batches": 5, "seed": 1}
    assert run_suite.digest(s["s20_base_seed1"]) == run_suite.digest(dict(reversed(written_out.items())))


def test_extends_errors_name_the_setting(run_suite, tmp_path):
    f = tmp_path / "settings.toml"
    f.write_text('[a]\nextends = "missing"\n')
    with pytest.raises(SystemExit, match="setting 'a' extends 'missing', which is not defined"):
        run_suite.load_settings(f, ["a"])
    f.write_text('[a]\nextends = "b"\n[b]\nextends = "a"\n')
    with pytest.raises(SystemExit, match="cycle: a -> b -> a"):
        run_suite.load_settings(f, ["a"])
