"""Shared CLI plumbing: logging, error translation, signals and all-or-nothing output directories."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import tempfile
import threading
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


class Interrupted(BaseException):
    """SIGTERM or SIGINT arrived: unwinds like ``KeyboardInterrupt`` so that staged outputs are removed."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


class StepInterrupted(click.ClickException):
    """One ``Error:`` line and the shell's exit status for a signal (128 + signal number).

    130/143 rather than 1: schedulers and Nextflow (``conf/base.config`` retries 130-145) then see a kill.
    """

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.exit_code = 128 + signum


def _raise_interrupted(signum: int, _frame: Any) -> None:
    raise Interrupted(signum)


def _interrupt_in_chain(exc: BaseException) -> Interrupted | KeyboardInterrupt | None:
    """The signal behind ``exc``, if any: a handler that ran inside a C extension's import (scipy's
    ``_highspy``) comes back as ``ImportError: initialization failed`` with the :class:`Interrupted` as its cause."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (Interrupted, KeyboardInterrupt)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM (SLURM, Nextflow, ``kill``) and SIGINT into :class:`Interrupted` while a step runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold SIGTERM/SIGINT until the block ends (they are delivered then)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``-v/--verbose`` and ``--quiet``, set up logging, turn :class:`InputError` into one ``Error:`` line,
    and SIGTERM/SIGINT into one ``Error:`` line with exit status 143/130 after removing staged outputs."""

    @click.option("-v", "--verbose", count=True, help="More log output (debug).")
    @click.option("--quiet", is_flag=True, help="Only warnings and errors.")
    @functools.wraps(func)
    def wrapper(*args: Any, verbose: int, quiet: bool, **kwargs: Any) -> Any:
        setup_logging(verbose, quiet)
        try:
            with _signals_raise():
                return func(*args, **kwargs)
        except InputError as e:
            raise click.ClickException(str(e)) from e
        except BaseException as e:
            interrupt = _interrupt_in_chain(e)
            if interrupt is None:
                raise
            signum = interrupt.signum if isinstance(interrupt, Interrupted) else int(signal.SIGINT)
            where = f" to {kwargs['outdir']}" if kwargs.get("outdir") is not None else ""
            raise StepInterrupted(f"interrupted by {signal.Signals(signum).name}; nothing was written{where}",
                                  signum) from None

    return wrapper


def check_outputs(outdir: str | Path, names: list[str], *, force: bool = False) -> None:
    """The cheap output checks, to run before any compute.

    Refuses output names that are not plain file names (a ``--prefix`` with ``/``), outputs that exist
    (unless ``force``), an ``outdir`` that is a file or under a file, and an ``outdir`` (or the directory
    it would be created in) that is not writable.
    """
    outdir = Path(outdir)
    bad = [n for n in names if Path(n).name != n or n.startswith(".")]
    if bad:  # a prefix with '/' would write outside --outdir
        raise InputError(f"output name {bad[0]!r} is not a plain file name; use a --prefix without '/' or a leading "
                         "dot")
    if outdir.exists() and not outdir.is_dir():
        raise InputError("exists and is not a directory; choose another --outdir", path=outdir)
    existing = [n for n in names if (outdir / n).exists()]
    if existing and not force:
        raise InputError(f"output {existing[0]!r} already exists; use --force to overwrite", path=outdir)
    base = outdir
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise InputError(f"cannot create the output directory: {base} is a file; choose another --outdir", path=outdir)
    if not os.access(base, os.W_OK | os.X_OK):
        raise InputError(f"cannot write to {base}; choose another --outdir or fix its permissions", path=outdir)


@contextlib.contextmanager
def staged_outputs(outdir: str | Path, names: list[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a private staging directory; on success move ``names`` from it into ``outdir``.

    Nothing appears in ``outdir`` unless the whole step succeeds: a failure (an exception, SIGTERM or
    SIGINT under :func:`common_options`) removes the staging directory, and ``outdir`` and its parents
    too when this call created them. Existing outputs are refused unless ``force``, so a run never
    silently clobbers an earlier one. Call :func:`check_outputs` before the compute as well, so that
    these checks fail fast.
    """
    outdir = Path(outdir)
    check_outputs(outdir, names, force=force)
    created = []  # directories this call creates, deepest first
    d = outdir
    while not d.exists() and d != d.parent:
        created.append(d)
        d = d.parent
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
        with _signals_blocked():  # a second SIGTERM must not stop the clean-up half-way
            shutil.rmtree(stage, ignore_errors=True)
            for d in created:
                with contextlib.suppress(OSError):  # not empty: another step's or this step's outputs
                    d.rmdir()


def default_prefix(path: Path) -> str:
    """A file's name up to the first dot (``ctrl.qc.h5ad`` -> ``ctrl``), the default ``--prefix``."""
    return Path(path).name.split(".")[0]
