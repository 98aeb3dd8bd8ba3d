"""Input formats and species that every step accepts; light (no anndata), so the samplesheet check uses it too."""

from __future__ import annotations

SPECIES: tuple[str, ...] = ("human", "mouse")
#: File name endings the QC step reads, longest first, and the format each one means.
FORMATS: tuple[tuple[str, str], ...] = (
    (".csv.gz", "csv"),
    (".tsv.gz", "tsv"),
    (".txt.gz", "tsv"),
    (".h5ad", "h5ad"),
    (".h5", "10x_h5"),
    (".csv", "csv"),
    (".tsv", "tsv"),
    (".txt", "tsv"),
)
FORMATS_HELP = ".h5ad, 10x .h5, .csv, .tsv, .txt (optionally .gz) or a 10x mtx directory"


def format_of(name: str) -> str | None:
    """The format key of a file name by its ending (case-insensitive): ``h5ad``, ``10x_h5``, ``csv`` or
    ``tsv``; ``None`` when no known ending matches."""
    name = name.lower()
    return next((key for suffix, key in FORMATS if name.endswith(suffix)), None)
