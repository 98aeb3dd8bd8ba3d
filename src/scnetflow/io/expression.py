"""Expression input: h5ad of a previous step, and one sample's counts in any supported format."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.formats import FORMATS_HELP, format_of
from scnetflow.io._common import BARCODE, ENSEMBL, examples, fraction, looks_numeric, open_text
from scnetflow.io.genes import known_symbols, map_ensembl_to_symbols, merge_duplicate_genes

logger = logging.getLogger(__name__)

ORIENTATION_HINT = "pass --genes-in-rows or --cells-in-rows"


def detect_format(path: str | Path) -> str:
    """Return the format key of ``path``: ``h5ad``, ``10x_h5``, ``mtx``, ``csv`` or ``tsv``."""
    path = Path(path)
    name = path.name
    if path.is_dir():
        if any((path / f).exists() for f in ("matrix.mtx", "matrix.mtx.gz")):
            return "mtx"
        raise InputError("directory has no matrix.mtx(.gz); expected a 10x mtx directory", path=path)
    key = format_of(name)
    if key is None:
        raise InputError(f"unknown input format; use {FORMATS_HELP}", path=path)
    return key


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


def _gene_like(labels: pd.Index) -> float:
    known = known_symbols()
    return fraction(labels, lambda x: bool(ENSEMBL.match(x)) or x.upper() in known)


def _cell_like(labels: pd.Index) -> float:
    return fraction(labels, lambda x: bool(BARCODE.search(x)))


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
        f"cannot tell whether rows or columns are genes: row labels (e.g. {examples(rows)}) and column labels "
        f"(e.g. {examples(columns)}) look neither like gene symbols/Ensembl IDs nor like cell barcodes; "
        f"{ORIENTATION_HINT}", path=path)


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
    if looks_numeric(columns) >= 0.9:
        raise InputError(f"the first line holds numbers ({examples(columns)}), not column labels: the table has "
                         "no header line; add one (cell barcodes or gene names, one per column)", path=path)
    rows = pd.Index(df.index.astype(str).to_numpy()).str.strip()
    if looks_numeric(rows) >= 0.9 and not rows.is_unique:
        raise InputError(f"the first column holds repeated numbers ({examples(rows)}), not row labels; the first "
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
    with open_text(feat_path) as fh:
        feats = pd.read_csv(fh, sep="\t", header=None, dtype=str, keep_default_na=False)
    with open_text(bc_path) as fh:
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


def read_expression(path: str | Path, *, genes_in_rows: bool | None = None, species: str | None = None,
                    gene_map: str | Path | None = None, input_normalized: bool = False) -> ad.AnnData:
    """One sample as cells x gene symbols: :func:`read_counts`, then :func:`map_ensembl_to_symbols`.

    The reader every step uses for expression input; see those two functions for the checks made.
    """
    adata = read_counts(path, genes_in_rows=genes_in_rows, input_normalized=input_normalized)
    return map_ensembl_to_symbols(adata, species=species, gene_map=gene_map, source=str(path),
                                  input_normalized=input_normalized)
