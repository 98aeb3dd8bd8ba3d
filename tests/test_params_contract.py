"""The step dataclasses are the single source of every step's settings (scnetflow.params,
scnetflow.pipeline_params)."""

from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import click
from click.testing import CliRunner
import pytest

from scnetflow import pipeline_params as contract
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.model import ModelConfig
from scnetflow.params import option, settings
from scnetflow.train import TrainParams

ROOT = Path(__file__).resolve().parents[1]


def test_generated_blocks_are_current():
    stale = [p.relative_to(ROOT).as_posix() for p, text in contract.generated_files(ROOT).items() if p.read_text() != text]
    assert not stale, f"{stale} are out of date with the step dataclasses: run `python -m scnetflow.pipeline_params`"


def _with_new_field(monkeypatch) -> type:
    """TrainParams with one more setting, as a developer would add it, installed as the train step's class."""
    extended = dataclasses.make_dataclass(
        "TrainParams", [("new_knob", int, option(7, "A new knob.", min=0))], bases=(TrainParams,), frozen=True)
    steps = contract.step_params()
    monkeypatch.setattr(contract, "step_params", lambda: {**steps, "train": (extended, ModelConfig)})
    return extended


def test_a_new_field_reaches_the_cli_and_the_pipeline_with_its_name_and_default(monkeypatch, tmp_path):
    extended = _with_new_field(monkeypatch)

    @click.command()
    @dataclass_options(extended, ModelConfig)
    def cmd(**options):
        params, _ = split_options(options, extended, ModelConfig)
        click.echo(f"new_knob={params.new_knob}")

    opt = next(p for p in cmd.params if p.name == "new_knob")
    assert opt.opts == ["--new-knob"] and opt.default == 7
    assert CliRunner().invoke(cmd, ["--new-knob", "3"]).output.strip() == "new_knob=3"
    assert CliRunner().invoke(cmd, ["--new-knob", "-1"]).exit_code == 2  # min=0 enforced

    for name in ("nextflow.config", "conf/modules.config"):  # the pipeline's files, regenerated in a copy
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text((ROOT / name).read_text())
    contract.main([str(tmp_path)])
    assert re.search(r"^\s*new_knob\s*= 7\s*// A new knob\.$", (tmp_path / "nextflow.config").read_text(), re.M)
    assert '"--new-knob ${params.new_knob}",' in (tmp_path / "conf/modules.config").read_text()
    assert contract.main(["--check", str(tmp_path)]) == 0
    assert contract.main(["--check", str(ROOT)]) == 1  # the real files lack it: the check fails


@pytest.mark.parametrize("step", list(contract.step_params()))
def test_every_setting_is_a_cli_option_with_the_field_default(step):
    from scnetflow.cli import STEPS

    command = importlib.import_module(f"scnetflow.cli.{STEPS[step]}").command
    options = {p.name: p for p in command.params}
    for cls in contract.step_params()[step]:
        for s in settings(cls):
            assert s.name in options and options[s.name].default == s.default, f"{step} {s.flag}"
            assert s.flag in options[s.name].opts


def test_one_name_means_one_thing(monkeypatch):
    clash = dataclasses.make_dataclass("Clash", [("seed", int, option(1, "Another seed."))], frozen=True)
    steps = contract.step_params()
    monkeypatch.setattr(contract, "step_params", lambda: {**steps, "graphs": (clash,)})
    with pytest.raises(ValueError, match="seed is a setting of two steps"):
        contract.pipeline_settings()


def test_a_field_without_help_is_refused():
    plain = dataclasses.make_dataclass("Plain", [("knob", int, dataclasses.field(default=1))], frozen=True)
    with pytest.raises(TypeError, match="declare it with scnetflow.params.option"):
        settings(plain)


def test_a_list_setting_is_a_repeatable_option_and_a_comma_separated_param(tmp_path):
    from scnetflow.coembed import CoembedParams

    @click.command()
    @dataclass_options(CoembedParams)
    def cmd(**options):
        (params,) = split_options(options, CoembedParams)
        click.echo(repr(params.percentiles))

    assert CliRunner().invoke(cmd, []).output.strip() == "(50.0, 75.0, 95.0, 99.0)"
    assert CliRunner().invoke(cmd, ["--percentiles", "90", "--percentiles", "99"]).output.strip() == "(90.0, 99.0)"
    assert CliRunner().invoke(cmd, ["--percentiles", "100"]).exit_code == 2  # each item in range
    text = (ROOT / "conf/modules.config").read_text()
    assert ("(params.percentiles ?: '').toString().tokenize(',').collect { v -> \"--percentiles ${v.trim()}\" }"
            ".join(' ')") in text
    assert re.search(r"^\s*percentiles\s*= '50.0,75.0,95.0,99.0'", (ROOT / "nextflow.config").read_text(), re.M)
