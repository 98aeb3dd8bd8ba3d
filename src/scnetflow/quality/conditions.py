"""Two conditions: GSEA of B vs A in one cell type on original and reconstructed expression."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from scnetflow.errors import InputError

if TYPE_CHECKING:
    import anndata

#: Reactome interferon pathways tracked by :func:`condition_gsea` (Kang IFN-beta).
IFN_TERMS: tuple[str, ...] = ("Interferon alpha/beta signaling", "Interferon Signaling", "Interferon gamma signaling")


def gsea_term_ranks(table: pd.DataFrame, terms: Sequence[str] = IFN_TERMS, *, fdr: float = 0.05) -> dict:
    """Summary of one GSEA result (one comparison and expression): sets tested, sets at FDR < ``fdr``,
    and each term's rank by NES (1 = most up in the tested group), NES and FDR (``None`` if not tested)."""
    t = table.sort_values("nes", ascending=False, kind="mergesort").reset_index(drop=True)
    out: dict = {"n_tested": int(len(t)), "n_significant": int((t["fdr"] < fdr).sum()),
                 "n_up_significant": int(((t["fdr"] < fdr) & (t["nes"] > 0)).sum()), "terms": {}}
    for term in terms:
        hit = t.index[t["term"] == term]
        out["terms"][term] = ({"rank": int(hit[0] + 1), "nes": float(t.loc[hit[0], "nes"]),
                               "fdr": float(t.loc[hit[0], "fdr"])} if len(hit) else None)
    return out


def condition_gsea(samples: Sequence[anndata.AnnData], reconstructed: Sequence[anndata.AnnData], *,
                   conditions: tuple[str, str], cell_type: str, label_key: str,
                   gene_sets: Mapping[str, Sequence[str]] | None = None, terms: Sequence[str] = IFN_TERMS,
                   condition_key: str = "condition", **params) -> dict:
    """GSEA of condition B vs A in one cell type, on original and on reconstructed expression.

    The ``gsea`` step with ``--other-sample``: :func:`scnetflow.gsea.combine_samples` then
    :func:`scnetflow.gsea.gsea_conditions` (:class:`~scnetflow.gsea.GseaParams` defaults unless given in
    ``params``; gene sets default
    to the shipped Reactome), summarised by :func:`gsea_term_ranks`.

    Returns
    -------
    ``{"original": {...}, "reconstructed": {...}}``, each as :func:`gsea_term_ranks`.
    """
    from scnetflow.genesets import read_gmt
    from scnetflow.gsea import GseaParams, combine_samples, gsea_conditions

    if gene_sets is None:
        gene_sets = read_gmt("reactome")
    adata, recon = combine_samples(list(samples), list(reconstructed), condition_key=condition_key)
    settings = GseaParams(**{**params, "condition_key": condition_key, "cell_types": (cell_type,)})
    table = gsea_conditions(adata, recon, gene_sets, settings, conditions=conditions, label_key=label_key)
    if table.empty:
        raise InputError(f"{cell_type!r} has too few cells in {conditions[0]} or {conditions[1]} to test")
    return {expr: gsea_term_ranks(sub, terms) for expr, sub in table.groupby("expression")}
