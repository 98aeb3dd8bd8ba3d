"""One source of truth for defaults: library dataclasses = CLI options = nextflow.config params."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from scnetflow.cli import STEPS as CLI_MODULES
from scnetflow.pipeline_params import step_params

ROOT = Path(__file__).resolve().parents[1]
STEPS = step_params()  # step -> its dataclasses, every step with settings


def _cli_defaults(step: str) -> dict:
    import importlib

    cmd = importlib.import_module(f"scnetflow.cli.{CLI_MODULES[step]}").command
    return {p.name: p.default for p in cmd.params}


def _library_defaults(step: str, *, params_only: bool = False) -> dict:
    """Field -> default; ``params_only``: only the fields that are pipeline params (not set per sample)."""
    return {f.name: f.default for c in STEPS[step] for f in dataclasses.fields(c)
            if not params_only or f.metadata.get("param", True)}


@pytest.mark.parametrize("step", list(STEPS))
def test_cli_repeats_library_defaults(step):
    cli = _cli_defaults(step)
    lib = _library_defaults(step)
    assert set(lib) <= set(cli), f"{step}: parameters without a CLI option: {sorted(set(lib) - set(cli))}"
    for name in lib:
        assert cli[name] == lib[name], f"{step} --{name.replace('_', '-')}: CLI {cli[name]!r} != library {lib[name]!r}"


def _nextflow_params() -> dict:
    text = (ROOT / "nextflow.config").read_text()
    block = text[text.index("params {"):]
    out = {}
    for m in re.finditer(r"^\s*(\w+)\s*=\s*([^/\n]+?)\s*(//.*)?$", block, flags=re.M):
        raw = m.group(2).strip()
        if raw == "null":
            value = None
        elif raw in ("true", "false"):
            value = raw == "true"
        elif raw[0] in "'\"":
            value = raw.strip("'\"")
        else:
            try:
                value = int(raw)
            except ValueError:
                try:
                    value = float(raw)
                except ValueError:
                    continue
        out.setdefault(m.group(1), value)
    return out


@pytest.mark.parametrize("step", list(STEPS))
def test_nextflow_config_repeats_library_defaults(step):
    params = _nextflow_params()
    for name, default in _library_defaults(step).items():
        if name not in params:
            continue
        if isinstance(default, tuple):  # a list param is one comma-separated string
            default = ",".join(str(v) for v in default)
        assert params[name] == default, f"params.{name} = {params[name]!r} but {step} defaults to {default!r}"
    # the pipeline exposes every setting
    missing = set(_library_defaults(step, params_only=True)) - set(params)
    assert not missing, f"nextflow.config lacks params {sorted(missing)}"
