"""Shared CLI plumbing: logging, error translation and all-or-nothing output directories."""

from __future__ import annotations

import contextlib
import functools
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from scnetflow.errors import InputError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "show_default": True}


def setup_logging(verbose: int, quiet: bool) -> None:
    """Log to stderr: INFO by default, DEBUG with ``-v``, WARNING with ``--quiet``."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``-v/--verbose`` and ``--quiet``, set up logging, and turn :class:`InputError` into one line."""

    @click.option("-v", "--verbose", count=True, help="More log output (debug).")
    @click.option("--quiet", is_flag=True, help="Only warnings and errors.")
    @functools.wraps(func)
    def wrapper(*args: Any, verbose: int, quiet: bool, **kwargs: Any) -> Any:
        setup_logging(verbose, quiet)
        try:
            return func(*args, **kwargs)
        except InputError as e:
            raise click.ClickException(str(e)) from e

    return wrapper


@contextlib.contextmanager
def staged_outputs(outdir: str | Path, names: list[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a private staging directory; on success move ``names`` from it into ``outdir``.

    Nothing appears in ``outdir`` unless the whole step succeeds: a failure removes the staging
    directory, and ``outdir`` too when this call created it. Existing outputs are refused unless
    ``force``, so a run never silently clobbers an earlier one.
    """
    outdir = Path(outdir)
    existing = [n for n in names if (outdir / n).exists()]
    if existing and not force:
        raise InputError(f"output {existing[0]!r} already exists; use --force to overwrite", path=outdir)
    created = not outdir.exists()
    outdir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=outdir))
    try:
        yield stage
        missing = [n for n in names if not (stage / n).exists()]
        if missing:
            raise RuntimeError(f"step did not write {missing}")
        for n in names:
            (stage / n).replace(outdir / n)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if created and not any(outdir.iterdir()):
            outdir.rmdir()


def default_prefix(path: Path) -> str:
    """A file's name up to the first dot (``ctrl.qc.h5ad`` -> ``ctrl``), the default ``--prefix``."""
    return Path(path).name.split(".")[0]
