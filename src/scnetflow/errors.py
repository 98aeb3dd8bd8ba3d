"""Errors raised by the library for bad user input.

The CLI turns an :class:`InputError` into one line, ``<file>[: row/column]: what is wrong; what to do``,
and a non-zero exit.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: a file, a column, a value. The message says what is wrong and what to do."""

    def __init__(self, message: str, *, path: str | None = None):
        self.path = str(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)
