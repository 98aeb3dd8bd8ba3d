"""Pathway analysis of original and reconstructed expression (METHOD.md section 5).

Genes are ranked by the Wilcoxon statistic of scanpy's ``rank_genes_groups`` (one cell type against
the rest, or condition B against condition A within one cell type), and the ranking goes to gseapy's
``prerank`` with gene sets read from files (never from the internet). The same is done on the
log-normalised expression (``X`` of the scnet.h5ad) and on scNET's reconstruction (``X`` of the
reconstructed.h5ad), over the same genes, so that the two can be compared.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scnetflow.errors import InputError
from scnetflow.labels import cell_labels
from scnetflow.params import SEED_HELP, option

if TYPE_CHECKING:
    import anndata

logger = logging.getLogger(__name__)

GSEA_COLUMNS = [
    "comparison", "expression", "group", "reference", "term", "es", "nes", "pval", "fdr", "fwer",
    "n_cells_group", "n_cells_reference", "lead_genes",
]


@dataclass(frozen=True)
class GseaParams:
    """The gsea step's settings (METHOD.md section 5); the cell groups come from :mod:`scnetflow.labels`."""

    condition_key: str = option("condition", "obs column of the conditions (filled from uns['sample'] when absent).")
    cell_types: tuple[str, ...] = option((), "Cell types for the condition test [default: every type with "
                                             "--gsea-min-cells cells in both conditions].")
    gsea_min_cells: int = option(10, "Minimum cells per tested group.", min=1)
    permutation_num: int = option(100, "GSEA permutations.", min=1)
    gsea_min_size: int = option(15, "Minimum gene-set size after matching genes.", min=1)
    gsea_max_size: int = option(500, "Maximum gene-set size after matching genes.", min=1)
    seed: int = option(0, SEED_HELP)


def default_conditions(adata: anndata.AnnData, condition_key: str) -> tuple[str, str] | None:
    """The two conditions of ``obs[condition_key]``, sorted (the reference first), when there are exactly two."""
    if condition_key not in adata.obs:
        return None
    present = sorted(adata.obs[condition_key].astype(str).unique())
    return (present[0], present[1]) if len(present) == 2 else None


def cell_groups(adata: anndata.AnnData, label_key: str | None, seed: int) -> pd.Series:
    """The cell types GSEA compares: :func:`scnetflow.labels.cell_labels` with cluster-eval's settings."""
    from scnetflow.cluster_eval import ClusterEvalParams

    c = ClusterEvalParams()
    return cell_labels(adata, label_key, resolution=c.leiden_resolution, n_neighbors=c.cluster_n_neighbors,
                       seed=seed).astype(str)


def wilcoxon_ranking(
    X, obs: pd.DataFrame, genes: Sequence[str], groupby: str, *, groups: Sequence[str], reference: str = "rest"
) -> dict[str, pd.Series]:
    """Wilcoxon scores (scanpy ``rank_genes_groups``) of each group vs ``reference``; gene -> score per group."""
    import anndata as ad
    import scanpy as sc

    tmp = ad.AnnData(X=X, obs=obs[[groupby]].astype(str).astype("category"))
    tmp.var_names = list(genes)
    with np.errstate(divide="ignore", invalid="ignore"):  # constant genes, log2 of non-positive means
        sc.tl.rank_genes_groups(
            tmp, groupby, groups=list(groups), reference=reference, method="wilcoxon", n_genes=tmp.n_vars,
            use_raw=False, tie_correct=True,
        )
    res = tmp.uns["rank_genes_groups"]
    out = {}
    for g in groups:
        s = pd.Series(np.asarray(res["scores"][g], dtype=float), index=np.asarray(res["names"][g]))
        out[g] = s[np.isfinite(s)]
    return out


def prerank(
    ranking: pd.Series,
    gene_sets: Mapping[str, Sequence[str]],
    *,
    permutation_num: int = 100,
    min_size: int = 15,
    max_size: int = 500,
    seed: int = 0,
) -> pd.DataFrame:
    """gseapy prerank of one ranking (no files, no network); tidy ``term, es, nes, pval, fdr, fwer, lead_genes``."""
    import gseapy

    from scnetflow.genesets import filter_gene_sets

    empty = pd.DataFrame(columns=["term", "es", "nes", "pval", "fdr", "fwer", "lead_genes"])
    usable = filter_gene_sets(gene_sets, set(ranking.index), min_size=min_size, max_size=max_size)
    if not usable:
        logger.warning(
            "no gene set has %d-%d genes among the %d ranked genes; check the gene symbols or the size limits",
            min_size, max_size, len(ranking),
        )
        return empty
    ranking = ranking.sort_values(ascending=False)
    # break ties in a fixed order, so that results do not depend on the sort algorithm
    ranking = ranking + np.linspace(0, -1e-9, len(ranking))
    res = gseapy.prerank(
        rnk=ranking, gene_sets=usable, outdir=None, permutation_num=permutation_num,
        min_size=min_size, max_size=max_size, seed=seed, threads=1, no_plot=True, verbose=False,
    )
    d = res.res2d.rename(
        columns={"Term": "term", "ES": "es", "NES": "nes", "NOM p-val": "pval", "FDR q-val": "fdr",
                 "FWER p-val": "fwer", "Lead_genes": "lead_genes"}
    )[["term", "es", "nes", "pval", "fdr", "fwer", "lead_genes"]]
    for c in ("es", "nes", "pval", "fdr", "fwer"):
        d[c] = pd.to_numeric(d[c], errors="coerce")
    return d.sort_values(["fdr", "nes"], ascending=[True, False], key=None).reset_index(drop=True)


def _prerank(ranking: pd.Series, gene_sets: Mapping[str, Sequence[str]], params: GseaParams) -> pd.DataFrame:
    return prerank(ranking, gene_sets, permutation_num=params.permutation_num, min_size=params.gsea_min_size,
                   max_size=params.gsea_max_size, seed=params.seed)


def _expressions(adata: anndata.AnnData, reconstructed: anndata.AnnData | None) -> dict[str, object]:
    out = {"original": adata.X}
    if reconstructed is not None:
        if reconstructed.n_obs != adata.n_obs or not (reconstructed.obs_names == adata.obs_names).all():
            raise InputError(
                "reconstructed.h5ad cells differ from the scnet.h5ad cells; pass the files of the same train run"
            )
        missing = adata.var_names.difference(reconstructed.var_names)
        if len(missing):
            raise InputError(
                f"{len(missing)} gene(s) of the scnet.h5ad are not in the reconstructed.h5ad (first: {missing[0]!r}); "
                "pass the files of the same train run"
            )
        out["reconstructed"] = reconstructed[:, adata.var_names].X
    return out


def gsea_celltypes(
    adata: anndata.AnnData,
    reconstructed: anndata.AnnData | None,
    gene_sets: Mapping[str, Sequence[str]],
    params: GseaParams = GseaParams(),
    *,
    label_key: str | None = None,
) -> pd.DataFrame:
    """GSEA of each cell type against all other cells, on original and reconstructed expression.

    Parameters
    ----------
    adata
        scnet.h5ad (cells x model genes, log-normalised ``X``).
    reconstructed
        reconstructed.h5ad of the same run (``None``: original expression only).
    gene_sets
        ``{name: genes}`` (:func:`scnetflow.genesets.read_gmt`).
    params
        ``gsea_min_cells``: cell types with fewer cells are skipped (logged); ``permutation_num``,
        ``gsea_min_size``, ``gsea_max_size``, ``seed``: gseapy prerank settings.
    label_key
        obs column of cell types (default: ``uns['sample']['label_key']``, else scNET's Leiden clusters,
        :func:`cell_groups`). ``adata`` is not modified.

    Returns
    -------
    Tidy table with columns :data:`GSEA_COLUMNS`; ``comparison`` = ``"celltype"``, ``reference`` = ``"rest"``.
    """
    labels = cell_groups(adata, label_key, params.seed)
    key, min_cells = labels.name, params.gsea_min_cells
    counts = labels.value_counts()
    groups = [g for g, n in counts.items() if n >= min_cells and adata.n_obs - n >= min_cells]
    skipped = sorted(set(counts.index) - set(groups))
    if skipped:
        logger.info("skipping groups with < %d cells (or no other cells): %s", min_cells, skipped)
    if not groups:
        raise InputError(f"no group of obs[{key!r}] has >= {min_cells} cells; lower --gsea-min-cells")
    tables = []
    for expr, X in _expressions(adata, reconstructed).items():
        rankings = wilcoxon_ranking(X, labels.to_frame(), adata.var_names, key, groups=groups)
        for g in groups:
            d = _prerank(rankings[g], gene_sets, params)
            d = d.assign(comparison="celltype", expression=expr, group=g, reference="rest",
                         n_cells_group=int(counts[g]), n_cells_reference=int(adata.n_obs - counts[g]))
            tables.append(d[GSEA_COLUMNS])
            logger.info("%s %s vs rest: %d sets, %d at FDR < 0.05", expr, g, len(d), int((d["fdr"] < 0.05).sum()))
    return pd.concat(tables, ignore_index=True)


def gsea_conditions(
    adata: anndata.AnnData,
    reconstructed: anndata.AnnData | None,
    gene_sets: Mapping[str, Sequence[str]],
    params: GseaParams = GseaParams(),
    *,
    conditions: tuple[str, str],
    label_key: str | None = None,
) -> pd.DataFrame:
    """GSEA of condition B against condition A within each cell type.

    Parameters
    ----------
    conditions
        ``(A, B)``: the reference condition and the tested one (positive NES = up in B).
    params
        ``condition_key``: the obs column holding the condition; ``cell_types``: the types to test
        (default: every type with ``gsea_min_cells`` cells in both conditions); the others as in
        :func:`gsea_celltypes`.
    Other parameters
        As in :func:`gsea_celltypes`.

    Returns
    -------
    Tidy table (:data:`GSEA_COLUMNS`); ``comparison`` = ``"condition:<type>"``, ``group`` = B,
    ``reference`` = A.
    """
    condition_key, min_cells = params.condition_key, params.gsea_min_cells
    if condition_key not in adata.obs:
        raise InputError(
            f"condition column {condition_key!r} not in obs (columns: {list(adata.obs.columns)}); "
            "pass --condition-key"
        )
    cond = adata.obs[condition_key].astype(str)
    a, b = conditions
    present = sorted(cond.unique())
    for c in (a, b):
        if c not in present:
            raise InputError(
                f"condition {c!r} not found in obs[{condition_key!r}] (values: {present}); pass two of those"
            )
    if a == b:
        raise InputError(f"the two conditions must differ, got {a!r} twice")
    types = cell_groups(adata, label_key, params.seed)
    key = types.name
    wanted = list(params.cell_types) or sorted(types.unique())
    unknown = [t for t in wanted if t not in set(types)]
    if unknown:
        raise InputError(f"cell type(s) {unknown} not in obs[{key!r}] (values: {sorted(types.unique())})")
    exprs = _expressions(adata, reconstructed)
    tables = []
    for t in wanted:
        mask = (types == t).to_numpy()
        n_a, n_b = int((mask & (cond == a).to_numpy()).sum()), int((mask & (cond == b).to_numpy()).sum())
        if min(n_a, n_b) < min_cells:
            logger.info("skipping %s: %d %s and %d %s cells (< %d)", t, n_a, a, n_b, b, min_cells)
            continue
        obs = pd.DataFrame({"cond": cond[mask]})
        for expr, X in exprs.items():
            rankings = wilcoxon_ranking(X[mask], obs, adata.var_names, "cond", groups=[b], reference=a)
            d = _prerank(rankings[b], gene_sets, params)
            d = d.assign(comparison=f"condition:{t}", expression=expr, group=b, reference=a,
                         n_cells_group=n_b, n_cells_reference=n_a)
            tables.append(d[GSEA_COLUMNS])
            logger.info("%s %s: %s vs %s: %d at FDR < 0.05", expr, t, b, a, int((d["fdr"] < 0.05).sum()))
    if not tables:
        logger.warning("no cell type has >= %d cells in both %s and %s", min_cells, a, b)
        return pd.DataFrame(columns=GSEA_COLUMNS)
    return pd.concat(tables, ignore_index=True)


def combine_samples(
    samples: Sequence[anndata.AnnData], reconstructed: Sequence[anndata.AnnData] | None = None,
    *, condition_key: str = "condition",
) -> tuple[anndata.AnnData, anndata.AnnData | None]:
    """Concatenate per-condition samples (cells) over their shared genes, for :func:`gsea_conditions`.

    Missing ``obs[condition_key]`` is filled from ``uns['sample']['condition']``.
    """
    import anndata as ad

    if reconstructed is not None and len(reconstructed) != len(samples):
        raise InputError(f"got {len(samples)} scnet.h5ad but {len(reconstructed)} reconstructed.h5ad; pass one per sample")
    encoders = {((s.uns.get("scnet") or {}).get("params") or {}).get("encoder") for s in samples} - {None}
    if len(encoders) > 1:  # --encoder auto picks by size, so two samples can straddle its bound
        logger.warning("the samples were trained with different encoders (%s): their reconstructions differ by "
                       "model as well as by condition; train them with one --encoder", ", ".join(sorted(encoders)))
    genes = samples[0].var_names
    for s in samples[1:]:
        genes = genes.intersection(s.var_names, sort=False)
    if len(genes) == 0:
        raise InputError("the samples share no genes")
    def _prep(s):
        s = s[:, genes].copy()
        if condition_key not in s.obs:
            c = (s.uns.get("sample") or {}).get("condition")
            if c is None:
                raise InputError(
                    f"a sample has no obs[{condition_key!r}] and no uns['sample']['condition']; "
                    "set --condition in qc or pass --condition-key"
                )
            s.obs[condition_key] = str(c)
        return s
    preps = [_prep(s) for s in samples]
    label_key = (samples[0].uns.get("sample") or {}).get("label_key")
    joined = ad.concat(preps, join="inner", merge="same", index_unique=None)
    if label_key:
        joined.uns["sample"] = {"label_key": label_key}
    if not joined.obs_names.is_unique:
        joined.obs_names_make_unique()
    recon = None
    if reconstructed is not None:
        recon = ad.concat([r[:, genes] for r in reconstructed], join="inner", index_unique=None)
        recon.obs_names = joined.obs_names
    return joined, recon
