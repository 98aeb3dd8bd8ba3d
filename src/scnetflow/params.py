"""One parameter contract per step: the step's frozen dataclass is the single source of each setting.

A field declared with :func:`option` carries its help text and its constraints (choices, range);
:func:`settings` reads them back. From the dataclasses come the step's CLI options
(:func:`scnetflow.cli.options.dataclass_options`, named ``--field-name``) and the pipeline's params, under
the field's own name and with its default (:mod:`scnetflow.pipeline_params`, which writes them into
``nextflow.config`` and ``conf/modules.config``). This module imports no step, so every step can use it.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import MISSING, dataclass
from typing import Any


#: The help of every step's ``seed``: one setting shared by the steps (one pipeline param).
SEED_HELP = "Random seed; CPU runs are deterministic for a seed."


def option(default: Any, help: str, *, choices: tuple[str, ...] | None = None, min: float | None = None,
           max: float | None = None, min_open: bool = False, max_open: bool = False, param: bool = True) -> Any:
    """A dataclass field with its CLI description: ``help``, ``choices`` (strings), and a range (``min``,
    ``max``, open ends) for numbers; for a ``tuple[T, ...]`` field they apply to each item. ``param=False``:
    the pipeline sets it per sample (e.g. the species from the samplesheet), so it has no pipeline param."""
    return dataclasses.field(default=default, metadata={
        "help": help, "choices": choices, "min": min, "max": max, "min_open": min_open, "max_open": max_open,
        "param": param})


@dataclass(frozen=True)
class Setting:
    """One field of a step dataclass, as the CLI and the pipeline see it."""

    name: str
    type: type  #: int, float, str or bool (``None`` allowed when the default is ``None``); of each item if multiple
    default: Any
    help: str
    choices: tuple[str, ...] | None
    min: float | None
    max: float | None
    min_open: bool
    max_open: bool
    param: bool
    multiple: bool = False  #: a ``tuple[T, ...]`` field: a repeatable option, a comma-separated param

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def settings(cls: type) -> list[Setting]:
    """The :class:`Setting` of every field of ``cls``, in declaration order; a field not made with
    :func:`option` is an error (it would have no help)."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if "help" not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name}: declare it with scnetflow.params.option(default, help, ...)")
        if f.default is MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: a step setting needs a default")
        hint = hints[f.name]
        multiple = typing.get_origin(hint) is tuple
        if multiple:  # tuple[T, ...]
            args = typing.get_args(hint)
            if len(args) != 2 or args[1] is not Ellipsis:
                raise TypeError(f"{cls.__name__}.{f.name}: a repeatable setting is typed tuple[T, ...], not {hint}")
            kind = args[0]
        else:
            kind = next(t for t in typing.get_args(hint) or (hint,) if t is not type(None))
        if kind not in (int, float, str, bool) or (multiple and kind is bool):
            raise TypeError(f"{cls.__name__}.{f.name}: unsupported type {hint}")
        out.append(Setting(f.name, kind, f.default, **{k: f.metadata[k] for k in (
            "help", "choices", "min", "max", "min_open", "max_open", "param")}, multiple=multiple))
    return out
