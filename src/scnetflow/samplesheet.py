"""Read and validate the pipeline's samplesheet (and optional contrasts).

The samplesheet is a CSV with one row per sample::

    sample,input,condition,species,label_key
    CTRL,data/kang_ctrl.h5ad,CTRL,human,cell_type

``sample``, ``input`` and ``condition`` are required; ``species`` (``human`` or ``mouse``, default
``human``) and ``label_key`` (an ``obs`` column with known cell labels, default empty) are optional.
Relative ``input`` paths are resolved against the samplesheet's directory. Every problem raises
:class:`scnetflow.errors.InputError` with one line naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from scnetflow.errors import InputError
from scnetflow.formats import FORMATS_HELP, SPECIES, format_of

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS: tuple[str, ...] = ("sample", "input", "condition")
OPTIONAL_COLUMNS: tuple[str, ...] = ("species", "label_key")
CONTRAST_COLUMNS: tuple[str, ...] = ("contrast", "condition_a", "condition_b")
#: Sample, condition and contrast names: they become directory names and file-name prefixes (no dots:
#: a prefix is the file name up to its first dot).
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Sample:
    """One validated samplesheet row; ``input`` is an absolute path or a remote URI (``s3://``...)."""

    sample: str
    input: str
    condition: str
    species: str = "human"
    label_key: str = ""
    format: str = "h5ad"


@dataclass(frozen=True)
class Contrast:
    """Two conditions to compare: ``condition_a`` (reference) against ``condition_b``."""

    contrast: str
    condition_a: str
    condition_b: str


def input_format(path: str | Path) -> str | None:
    """Format of an input file or directory, or ``None`` when it is not one the QC step reads.

    Parameters
    ----------
    path
        A file (``.h5ad``, ``.h5``, ``.csv``, ``.tsv``, ``.csv.gz``, ``.tsv.gz``) or a 10x directory
        holding ``matrix.mtx[.gz]``, ``barcodes.tsv[.gz]`` and ``features.tsv[.gz]``/``genes.tsv[.gz]``.

    Returns
    -------
    ``"h5ad"``, ``"10x_h5"``, ``"csv"``, ``"tsv"``, ``"10x_mtx"`` or ``None``.
    """
    path = Path(path)
    if path.is_dir():
        names = {p.name for p in path.iterdir()}

        def has(*stems: str) -> bool:
            return any(s in names or f"{s}.gz" in names for s in stems)

        ok = has("matrix.mtx") and has("barcodes.tsv") and has("features.tsv", "genes.tsv")
        return "10x_mtx" if ok else None
    return format_of(path.name)


def _check_name(value: str, where: str, column: str) -> None:
    if not _NAME.match(value):
        raise InputError(
            f"{where}, column {column}: invalid name {value!r}; use letters, digits, '_' or '-' "
            "(no spaces or dots), starting with a letter or digit"
        )


def _read_rows(path: Path, what: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV; blank lines are skipped; values are stripped."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            lines = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as e:
        raise InputError(f"not a text CSV file ({e.reason}); save the {what} as UTF-8 CSV", path=path) from e
    lines = [(n, row) for n, row in lines if any(v.strip() for v in row)]
    if not lines:
        raise InputError(f"the {what} is empty; it needs a header line and at least one row", path=path)
    header = [h.strip() for h in lines[0][1]]
    rows = []
    for n, values in lines[1:]:
        if len(values) > len(header):
            raise InputError(
                f"line {n}: {len(values)} values but the header has {len(header)} columns; "
                "quote values that contain commas",
                path=path,
            )
        row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        row["_line"] = str(n)
        rows.append(row)
    if not rows:
        raise InputError(f"the {what} has a header but no rows; add one row per sample", path=path)
    return header, rows


def read_samplesheet(path: str | Path) -> list[Sample]:
    """Read and validate a samplesheet.

    Parameters
    ----------
    path
        The samplesheet CSV. Relative ``input`` paths are resolved against its directory.

    Returns
    -------
    One :class:`Sample` per row, in file order, with absolute ``input`` paths and the detected
    ``format``.

    Raises
    ------
    InputError
        Missing file or column, empty value, invalid or duplicate sample name, input not found, unknown
        species or input format. The message names the file, the line and the column.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("samplesheet not found; pass an existing CSV file", path=path)
    header, rows = _read_rows(path, "samplesheet")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"missing column {missing[0]!r}; the header must have {','.join(REQUIRED_COLUMNS)} "
            f"(optional: {','.join(OPTIONAL_COLUMNS)}), found {','.join(header)}",
            path=path,
        )
    dup_cols = sorted({h for h in header if header.count(h) > 1})
    if dup_cols:
        raise InputError(f"column {dup_cols[0]!r} appears twice in the header; keep one", path=path)

    samples: list[Sample] = []
    first_line: dict[str, str] = {}
    base = path.resolve().parent
    for row in rows:
        line = row["_line"]
        where = f"{path}: line {line}"
        for col in REQUIRED_COLUMNS:
            if not row[col]:
                raise InputError(f"{where}, column {col}: empty value; every row needs {col}")
        name = row["sample"]
        _check_name(name, where, "sample")
        _check_name(row["condition"], where, "condition")
        if name in first_line:
            raise InputError(
                f"{where}, column sample: duplicate sample {name!r} (first on line {first_line[name]}); "
                "sample names must be unique"
            )
        first_line[name] = line

        species = (row.get("species") or "human").lower()
        if species not in SPECIES:
            raise InputError(
                f"{where}, column species: unknown species {row['species']!r}; use one of {', '.join(SPECIES)}"
            )

        given = row["input"]
        if _URI.match(given):  # object store / web: existence is checked by Nextflow when staging
            resolved = given.rstrip("/")
            last = resolved.rsplit("/", 1)[-1]
            fmt = input_format(resolved) or (None if "." in last else "10x_mtx")
        else:
            input_path = Path(given).expanduser()
            if not input_path.is_absolute():
                input_path = base / input_path
            input_path = input_path.resolve()
            if not input_path.exists():
                raise InputError(
                    f"{where}, column input: file not found: {given!r} (looked for {input_path}); "
                    "relative paths are read from the samplesheet's directory"
                )
            resolved, fmt = str(input_path), input_format(input_path)
        if fmt is None:
            is_dir = not _URI.match(resolved) and Path(resolved).is_dir()
            what = "directory (no matrix.mtx, barcodes.tsv, features.tsv)" if is_dir else "format"
            raise InputError(f"{where}, column input: unknown {what} {given!r}; use {FORMATS_HELP}")

        samples.append(
            Sample(
                sample=name,
                input=resolved,
                condition=row["condition"],
                species=species,
                label_key=row.get("label_key", ""),
                format=fmt,
            )
        )
    logger.info(
        "samplesheet %s: %d samples, conditions %s",
        path,
        len(samples),
        ", ".join(sorted({s.condition for s in samples})),
    )
    return samples


def read_contrasts(
    samples: list[Sample],
    *,
    contrasts: str | Path | None = None,
    condition_a: str | None = None,
    condition_b: str | None = None,
) -> list[Contrast]:
    """The condition pairs to compare, checked against the samplesheet's conditions.

    Parameters
    ----------
    samples
        Validated samples (from :func:`read_samplesheet`).
    contrasts
        Optional CSV with columns ``contrast,condition_a,condition_b``, one comparison per row.
    condition_a, condition_b
        One comparison given directly (both or neither); named ``<a>_vs_<b>``.

    Returns
    -------
    The comparisons, contrasts-file rows first; empty when none are requested.

    Raises
    ------
    InputError
        Only one of ``condition_a``/``condition_b``, a missing contrasts file or column, a duplicate or
        invalid contrast name, a condition compared with itself, or a condition no sample has.
    """
    if (condition_a is None) != (condition_b is None):
        raise InputError("give both contrast conditions (A and B) or neither")
    known = sorted({s.condition for s in samples})
    out: list[tuple[str, Contrast]] = []
    if contrasts is not None:
        path = Path(contrasts)
        if not path.is_file():
            raise InputError("contrasts file not found; pass an existing CSV file", path=path)
        header, rows = _read_rows(path, "contrasts file")
        missing = [c for c in CONTRAST_COLUMNS if c not in header]
        if missing:
            raise InputError(
                f"missing column {missing[0]!r}; the header must be {','.join(CONTRAST_COLUMNS)}", path=path
            )
        for row in rows:
            where = f"{path}: line {row['_line']}"
            for col in CONTRAST_COLUMNS:
                if not row[col]:
                    raise InputError(f"{where}, column {col}: empty value; every row needs {col}")
            _check_name(row["contrast"], where, "contrast")
            out.append((where, Contrast(row["contrast"], row["condition_a"], row["condition_b"])))
    if condition_a is not None and condition_b is not None:
        out.append(("contrast", Contrast(f"{condition_a}_vs_{condition_b}", condition_a, condition_b)))

    seen: set[str] = set()
    for where, c in out:
        if c.contrast in seen:
            raise InputError(f"{where}: duplicate contrast {c.contrast!r}; contrast names must be unique")
        seen.add(c.contrast)
        if c.condition_a == c.condition_b:
            raise InputError(f"{where}: contrast {c.contrast!r} compares {c.condition_a!r} with itself")
        for cond in (c.condition_a, c.condition_b):
            if cond not in known:
                raise InputError(
                    f"{where}: condition {cond!r} of contrast {c.contrast!r} is not in the samplesheet; "
                    f"its conditions are {', '.join(known)}"
                )
    return [c for _, c in out]


def write_samplesheet(samples: list[Sample], path: str | Path) -> None:
    """Write validated samples as CSV (``sample,input,condition,species,label_key,format``)."""
    with Path(path).open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, "format"])
        for s in samples:
            w.writerow([s.sample, s.input, s.condition, s.species, s.label_key, s.format])


def write_contrasts(contrasts: list[Contrast], path: str | Path) -> None:
    """Write comparisons as CSV (``contrast,condition_a,condition_b``; header only when empty)."""
    with Path(path).open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(CONTRAST_COLUMNS)
        for c in contrasts:
            w.writerow([c.contrast, c.condition_a, c.condition_b])
