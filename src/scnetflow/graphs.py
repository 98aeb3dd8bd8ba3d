"""Step ``graphs``: the PPI network, species mapping, and the model inputs (METHOD.md sections 1 and 2.5).

The model genes are the expressed genes with at least one PPI edge to another expressed gene. The output
AnnData is restricted to them and carries the PPI as ``varp["ppi"]`` (symmetric CSR, weight = PPI score).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.formats import SPECIES
from scnetflow.io import default_ppi_path, read_ppi
from scnetflow.params import option

__all__ = ["MODEL_GENES", "GraphsParams", "build_model_inputs", "default_ppi_path", "read_ppi"]

logger = logging.getLogger(__name__)

MODEL_GENES = ("expressed", "hvg")


@dataclass(frozen=True)
class GraphsParams:
    """Settings of :func:`build_model_inputs`: the single source of the step's CLI options and pipeline params
    (:mod:`scnetflow.params`; the species comes from the samplesheet).

    ``model_genes="hvg"`` restricts the model to highly variable PPI genes: a smaller, much faster model
    (the encoder is quadratic in the gene count); ``"expressed"`` is the paper's choice.
    """

    min_score: float = option(0.5, "Keep PPI edges with score >= this.")
    species: str = option("human", "Species of the sample; mouse re-cases the human PPI symbols (ANXA7 -> Anxa7).",
                          choices=SPECIES, param=False)
    model_genes: str = option("expressed", "Candidate genes: all expressed (the paper) or only highly variable ones "
                                           "(much faster).", choices=MODEL_GENES)
    min_model_genes: int = option(50, "Stop with an error when fewer genes overlap the PPI.", min=2)


def _mouse_case(symbols: pd.Series) -> pd.Series:
    """Human -> mouse symbol casing as the authors do (ANXA7 -> Anxa7)."""
    return symbols.str[:1].str.upper() + symbols.str[1:].str.lower()


def _case_insensitive_matches(names: pd.Index, ppi_genes: set[str]) -> dict[str, str]:
    """``{data gene: PPI symbol}`` for genes in the PPI only ignoring case, when the PPI symbol is not a gene too."""
    by_upper: dict[str, str] = {}
    for g in sorted(ppi_genes):
        by_upper.setdefault(g.upper(), g)
    present = set(names)
    out = {}
    for g in names[~names.isin(list(ppi_genes))]:
        target = by_upper.get(g.upper())
        if target is not None and target not in present and target not in out.values():
            out[g] = target
    return out


def build_model_inputs(adata: ad.AnnData, ppi: pd.DataFrame, params: GraphsParams = GraphsParams(), *,
                       source: str | None = None) -> tuple[ad.AnnData, dict]:
    """Restrict a QC'd sample to the model genes and attach the PPI among them.

    Parameters
    ----------
    adata
        Output of :func:`scnetflow.qc.run_qc`. Not modified.
    ppi
        Output of :func:`read_ppi` (human symbols, as the default network).
    params
        Species, gene selection and the minimum number of model genes.

    Returns
    -------
    ``(out, summary)``: ``out`` is cells x model genes with ``varp["ppi"]`` and ``uns["graphs"]["params"]``;
    ``summary`` reports genes and edges at each filter.

    Genes are matched to the PPI by symbol; genes that match only ignoring case (``Hes4`` for ``HES4``)
    are renamed to the PPI's symbol, with one warning line. A sample whose genes mostly match in the other
    species' casing is refused (``--species`` is likely wrong).
    """
    if params.species not in ("human", "mouse"):
        raise InputError(f"unknown species {params.species!r}; use 'human' or 'mouse'")
    if params.model_genes not in MODEL_GENES:
        raise InputError(f"unknown model_genes {params.model_genes!r}; use one of {MODEL_GENES}")
    ppi = ppi.copy()
    if params.species == "mouse":
        ppi["gene_a"], ppi["gene_b"] = _mouse_case(ppi["gene_a"]), _mouse_case(ppi["gene_b"])
    X = adata.X
    expressed = np.asarray((X > 0).sum(axis=0)).ravel() > 0
    if params.model_genes == "hvg":
        if "highly_variable" not in adata.var:
            raise InputError("var['highly_variable'] is missing; run the qc step first", path=source)
        expressed &= adata.var["highly_variable"].to_numpy(dtype=bool)
    ppi_genes = set(ppi["gene_a"]) | set(ppi["gene_b"])
    genes = pd.Index(adata.var_names[expressed])
    n_exact = int(genes.isin(list(ppi_genes)).sum())
    other = "mouse" if params.species == "human" else "human"
    recased = set(_mouse_case(pd.Series(list(ppi_genes)))) if other == "mouse" else {g.upper() for g in ppi_genes}
    n_other = int(genes.isin(list(recased)).sum())
    if n_other > 2 * max(n_exact, 1) and n_other >= params.min_model_genes:  # before case-insensitive matching
        raise InputError(f"only {n_exact} expressed genes (of {len(genes)}) are in the PPI with --species "
                         f"{params.species}; likely cause: the genes look {other}-cased ({n_other} would match with "
                         f"--species {other})", path=source)
    rename = _case_insensitive_matches(pd.Index(adata.var_names), ppi_genes)
    if rename:
        n_matched = int(pd.Index(list(rename)).isin(genes).sum())
        logger.warning("%s: %d genes (%d expressed) match the PPI only ignoring case (e.g. %s); renamed to the PPI's "
                       "symbols", source or "input", len(rename), n_matched,
                       ", ".join(f"{k!r} -> {v!r}" for k, v in list(rename.items())[:2]))
        adata = adata.copy()
        adata.var_names = pd.Index([rename.get(g, g) for g in adata.var_names])
        genes = pd.Index(adata.var_names[expressed])
    on = ppi["gene_a"].isin(genes) & ppi["gene_b"].isin(genes)
    edges = ppi[on]
    model_genes = pd.Index(pd.unique(edges[["gene_a", "gene_b"]].to_numpy().ravel()))
    summary = {"ppi_genes": len(ppi_genes), "ppi_edges": int(len(ppi)), "candidate_genes": int(len(genes)),
               "genes_in_ppi": int(genes.isin(list(ppi_genes)).sum()), "model_genes": int(len(model_genes)),
               "model_edges": int(len(edges)), "species": params.species, "model_genes_mode": params.model_genes,
               "genes_matched_ignoring_case": len(rename)}
    if len(model_genes) < params.min_model_genes:
        hint = (f"the genes look {other}-cased ({n_other} would match with --species {other})"
                if n_other > 2 * max(n_exact, 1) else
                "check the gene identifiers (symbols expected) and the PPI file")
        raise InputError(f"only {len(model_genes)} expressed genes (of {len(genes)}) have a PPI edge among "
                         f"themselves (need >= {params.min_model_genes}) with --species {params.species}; "
                         f"likely cause: {hint}", path=source)
    out = adata[:, model_genes].copy()
    idx = pd.Series(np.arange(len(model_genes)), index=model_genes)
    ia, ib = idx[edges["gene_a"]].to_numpy(), idx[edges["gene_b"]].to_numpy()
    w = edges["score"].to_numpy(dtype=np.float32)
    n = len(model_genes)
    A = sp.coo_matrix((np.r_[w, w], (np.r_[ia, ib], np.r_[ib, ia])), shape=(n, n)).tocsr()
    out.varp["ppi"] = A
    if "highly_variable" in out.var and out.var["highly_variable"].sum() == 0:
        logger.warning("no highly variable gene among the model genes; all model genes are reconstruction targets")
        out.var["highly_variable"] = True
    out.uns["graphs"] = {"params": asdict(params)}
    logger.info("graphs finished: %d model genes, %d PPI edges (of %d expressed genes, %d in the PPI)",
                n, len(edges), len(genes), summary["genes_in_ppi"])
    return out, summary
