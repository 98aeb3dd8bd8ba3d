"""CLI options generated from a step's dataclasses (:mod:`scnetflow.params`): one option per field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from scnetflow.params import Setting, settings

T = TypeVar("T")


def _click_type(s: Setting) -> Any:
    if s.choices:
        return click.Choice(s.choices)
    if s.type in (int, float) and (s.min is not None or s.max is not None):
        kind = click.IntRange if s.type is int else click.FloatRange
        return kind(s.min, s.max, min_open=s.min_open, max_open=s.max_open)
    return s.type


def _option(s: Setting) -> Callable:
    if s.type is bool:
        return click.option(f"{s.flag}/--no-{s.flag[2:]}", s.name, default=s.default, help=s.help)
    if s.multiple:
        return click.option(s.flag, s.name, type=_click_type(s), default=s.default, multiple=True,
                            help=s.help + " Repeatable.")
    return click.option(s.flag, s.name, type=_click_type(s), default=s.default, help=s.help)


def dataclass_options(*classes: type, exclude: tuple[str, ...] = ()) -> Callable:
    """A decorator adding one option per field of ``classes`` (in declaration order; a name shared by two
    classes once), except ``exclude``; :func:`split_options` rebuilds the dataclasses from the values."""
    seen: dict[str, Setting] = {}
    for cls in classes:
        for s in settings(cls):
            if s.name not in exclude:
                seen.setdefault(s.name, s)

    def decorate(f: Callable) -> Callable:
        for s in reversed(list(seen.values())):
            f = _option(s)(f)
        return f

    return decorate


def split_options(options: dict[str, Any], *classes: type) -> tuple:
    """One instance per class from the parsed ``options`` (a field shared by two classes gets the same
    value); the options consumed are removed from ``options``."""
    names = {s.name for cls in classes for s in settings(cls)}
    values = {name: options.pop(name) for name in list(options) if name in names}
    return tuple(cls(**{s.name: values[s.name] for s in settings(cls) if s.name in values}) for cls in classes)
