"""PPI tables and gene lists: the references every network step reads."""

from __future__ import annotations

import gzip
import logging
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from scnetflow.errors import InputError
from scnetflow.io._common import ENSEMBL, STRING_ID, fraction, looks_numeric, open_text

logger = logging.getLogger(__name__)


#: Recognised column names (lower case) of PPI tables: gene pairs, then scores.
PPI_GENE_COLUMNS = (("g1_symbol", "g2_symbol"), ("gene_a", "gene_b"), ("gene1", "gene2"), ("symbol_a", "symbol_b"),
                    ("source", "target"), ("protein1", "protein2"), ("node1", "node2"))
PPI_SCORE_COLUMNS = ("conn", "score", "weight", "combined_score", "confidence")


def default_ppi_path() -> Path:
    """The authors' weighted human PPI shipped with scnetflow (BSD-3, from the scnet 0.2.4 wheel)."""
    return Path(str(resources.files("scnetflow") / "data" / "ppi" / "scnet_human_ppi.csv.gz"))


def _sniff_sep(path: Path) -> str:
    with open_text(path) as fh:
        first = fh.readline()
    if "\t" in first:
        return "\t"
    if "," in first:
        return ","
    return r"\s+"  # STRING's protein.links.txt is space-separated


def read_ppi(path: str | Path | None = None, *, min_score: float = 0.5) -> pd.DataFrame:
    """Read a PPI table as ``gene_a, gene_b, score`` rows with ``score >= min_score``: the reader of every step.

    Accepts the authors' format (``,g1_symbol,g2_symbol,conn``), edge lists (``gene_a, gene_b, weight``),
    other recognised column names (:data:`PPI_GENE_COLUMNS`, :data:`PPI_SCORE_COLUMNS`, any case), or
    any table whose first two columns are gene symbols and whose next numeric column (optional) is a
    score; comma-, tab- or space-separated (sniffed), plain or gzipped, with or without a header line.
    Without a score every edge has score 1. Self-loops and duplicate pairs (largest score kept) are
    removed. Bad tables raise :class:`InputError` naming the row and column.
    """
    path = Path(path) if path is not None else default_ppi_path()
    if not path.is_file():
        raise InputError("PPI file not found; check --ppi", path=path)
    try:
        sep = _sniff_sep(path)
        df = pd.read_csv(path, sep=sep, keep_default_na=False, skipinitialspace=True,
                         engine="python" if sep == r"\s+" else "c")
    except pd.errors.EmptyDataError as e:
        raise InputError("the PPI file is empty; it needs one gene pair a line", path=path) from e
    except Exception as e:
        raise InputError(f"cannot read the PPI table ({type(e).__name__}: {e}); pass a CSV/TSV with two gene-symbol "
                         "columns and an optional score", path=path) from e
    df = df[[c for c in df.columns if str(c).strip() and not str(c).startswith("Unnamed")]]
    lower = {str(c).strip().lower(): c for c in df.columns}
    pair = next(((lower[a], lower[b]) for a, b in PPI_GENE_COLUMNS if a in lower and b in lower), None)
    if pair is None:
        if df.shape[1] < 2:
            raise InputError(f"needs two gene-symbol columns, found column(s) {list(df.columns)!r}; is it comma-, "
                             "tab- or space-separated?", path=path)
        if df[df.columns[0]].isin([df.columns[0], df.columns[1]]).any() or looks_numeric(pd.Index(df.columns)) > 0:
            # no header line: the first edge became the column names
            df = pd.read_csv(path, sep=sep, keep_default_na=False, header=None, skipinitialspace=True,
                             engine="python" if sep == r"\s+" else "c")
            df.columns = [f"column {i + 1}" for i in range(df.shape[1])]
        pair = (df.columns[0], df.columns[1])
        rest = [c for c in df.columns[2:]]
        score = next((c for c in rest if looks_numeric(pd.Index(df[c].iloc[:1000])) >= 0.5), None)
    else:
        score = next((lower[s] for s in PPI_SCORE_COLUMNS if s in lower), None)
    a = df[pair[0]].astype(str)
    b = df[pair[1]].astype(str)
    line0 = 2 if not str(pair[0]).startswith("column ") else 1  # file line of row 0
    if score is not None:
        s = pd.to_numeric(df[score], errors="coerce")
        bad = np.flatnonzero(s.isna().to_numpy() | ~np.isfinite(s.to_numpy(dtype=float, na_value=np.nan)))
        if len(bad):
            raise InputError(f"line {bad[0] + line0}, column {score!r}: score {df[score].iloc[bad[0]]!r} is not a "
                             f"number ({len(bad)} such rows); fix or remove them", path=path)
        scores = s.to_numpy(dtype=np.float64)
    else:
        scores = np.ones(len(df))
    empty = ((a == "") | (b == "")).to_numpy()
    if empty.any():
        logger.warning("%s: dropped %d rows with an empty gene name (first on line %d)", path.name, int(empty.sum()),
                       int(np.flatnonzero(empty)[0]) + line0)
    genes = pd.concat([a[~empty], b[~empty]])
    if len(genes) == 0:
        raise InputError("the PPI table has no gene pairs", path=path)
    if fraction(genes.iloc[:1000], lambda x: bool(STRING_ID.match(x))) > 0.5:
        raise InputError(f"genes are STRING protein IDs (e.g. {genes.iloc[0]!r}); map them to gene symbols first "
                         "(STRING's protein.info file has the preferred names)", path=path)
    if fraction(genes.iloc[:1000], lambda x: bool(ENSEMBL.match(x))) > 0.5:
        raise InputError(f"genes are Ensembl IDs (e.g. {genes.iloc[0]!r}); the model matches gene symbols: map the "
                         "PPI to symbols first", path=path)
    out = pd.DataFrame({"gene_a": a.to_numpy()[~empty], "gene_b": b.to_numpy()[~empty], "score": scores[~empty]})
    n_all = len(out)
    out = out[(out["score"] >= min_score) & (out["gene_a"] != out["gene_b"])]
    if len(out) == 0:
        raise InputError(f"no edge has score >= {min_score:g} (scores range {scores.min():g} to {scores.max():g}); "
                         "lower --min-score", path=path)
    lo = np.minimum(out["gene_a"].to_numpy(), out["gene_b"].to_numpy())
    hi = np.maximum(out["gene_a"].to_numpy(), out["gene_b"].to_numpy())
    out = pd.DataFrame({"gene_a": lo, "gene_b": hi, "score": out["score"].to_numpy()})
    out = out.sort_values("score", ascending=False, kind="stable").drop_duplicates(["gene_a", "gene_b"])
    out = out.reset_index(drop=True)
    logger.info("PPI %s: %d rows, %d undirected edges with score >= %g over %d genes", path.name, n_all,
                len(out), min_score, len(pd.unique(out[["gene_a", "gene_b"]].to_numpy().ravel())))
    return out


# --------------------------------------------------------------------------------------------------
# gene lists (seed genes)


def read_gene_list(path: str | Path) -> list[str]:
    """Gene symbols from a text file: one a line (first tab-, comma- or space-separated field), ``#`` comments.

    A UTF-8 byte-order mark, Windows line ends and surrounding quotes are removed; duplicates are dropped
    (file order kept).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("gene list not found; pass a text file with one gene a line", path=path)
    try:
        with open_text(path) as fh:
            lines = fh.read().splitlines()
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as e:
        raise InputError(f"not a text file ({e}); pass a UTF-8 text file with one gene a line", path=path) from e
    genes = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        genes.append(re.split(r"[\t, ]", line, maxsplit=1)[0].strip().strip("\"'"))
    genes = list(dict.fromkeys(g for g in genes if g))
    if not genes:
        raise InputError("no gene names in the file; put one gene symbol a line", path=path)
    return genes
