"""Step ``graphs``: the PPI network, species mapping, and the model inputs (METHOD.md sections 1 and 2.5).

The model genes are the expressed genes with at least one PPI edge to another expressed gene. The output
AnnData is restricted to them and carries the PPI as ``varp["ppi"]`` (symmetric CSR, weight = PPI score).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError

logger = logging.getLogger(__name__)

MODEL_GENES = ("expressed", "hvg")


@dataclass(frozen=True)
class GraphsParams:
    """Settings of :func:`build_model_inputs`; the CLI options and pipeline params repeat these defaults.

    ``model_genes="hvg"`` restricts the model to highly variable PPI genes: a smaller, much faster model
    (the encoder is quadratic in the gene count); ``"expressed"`` is the paper's choice.
    """

    min_score: float = 0.5
    species: str = "human"
    model_genes: str = "expressed"
    min_model_genes: int = 50


def default_ppi_path() -> Path:
    """The authors' weighted human PPI shipped with scnetflow (BSD-3, from the scnet 0.2.4 wheel)."""
    return Path(str(resources.files("scnetflow") / "data" / "ppi" / "scnet_human_ppi.csv.gz"))


def read_ppi(path: str | Path | None = None, *, min_score: float = 0.5) -> pd.DataFrame:
    """Read a PPI table as ``gene_a, gene_b, score`` rows with ``score >= min_score``.

    Accepts the authors' format (``g1_symbol, g2_symbol, conn``) or any CSV/TSV whose first two
    non-index text columns are gene symbols and whose first numeric column (optional) is a score.
    Without a score column every edge has score 1. Self-loops and duplicate pairs are removed.
    """
    path = Path(path) if path is not None else default_ppi_path()
    if not path.exists():
        raise InputError("PPI file not found; check --ppi", path=path)
    name = path.name.lower().removesuffix(".gz")
    sep = "\t" if name.endswith((".tsv", ".txt")) else ","
    try:
        df = pd.read_csv(path, sep=sep)
    except Exception as e:
        raise InputError(f"cannot read the PPI table: {e}", path=path) from e
    if {"g1_symbol", "g2_symbol"} <= set(df.columns):
        a, b, score = "g1_symbol", "g2_symbol", "conn" if "conn" in df.columns else None
    else:
        text = [c for c in df.columns if df[c].dtype == object and not str(c).startswith("Unnamed")]
        nums = [c for c in df.columns if np.issubdtype(df[c].dtype, np.number) and not str(c).startswith("Unnamed")]
        if len(text) < 2:
            raise InputError(f"needs two gene-symbol columns, found columns {list(df.columns)!r}", path=path)
        a, b = text[:2]
        score = nums[0] if nums else None
    out = pd.DataFrame({"gene_a": df[a].astype(str), "gene_b": df[b].astype(str),
                        "score": df[score].astype(np.float32) if score else np.float32(1.0)})
    n_all = len(out)
    out = out[(out["score"] >= min_score) & (out["gene_a"] != out["gene_b"])]
    lo = np.minimum(out["gene_a"].to_numpy(), out["gene_b"].to_numpy())
    hi = np.maximum(out["gene_a"].to_numpy(), out["gene_b"].to_numpy())
    out = pd.DataFrame({"gene_a": lo, "gene_b": hi, "score": out["score"].to_numpy()})
    out = out.sort_values("score", ascending=False).drop_duplicates(["gene_a", "gene_b"]).reset_index(drop=True)
    logger.info("PPI %s: %d rows, %d undirected edges with score >= %g over %d genes", path.name, n_all,
                len(out), min_score, len(pd.unique(out[["gene_a", "gene_b"]].to_numpy().ravel())))
    return out


def _mouse_case(symbols: pd.Series) -> pd.Series:
    """Human -> mouse symbol casing as the authors do (ANXA7 -> Anxa7)."""
    return symbols.str[:1].str.upper() + symbols.str[1:].str.lower()


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
    genes = pd.Index(adata.var_names[expressed])
    on = ppi["gene_a"].isin(genes) & ppi["gene_b"].isin(genes)
    edges = ppi[on]
    model_genes = pd.Index(pd.unique(edges[["gene_a", "gene_b"]].to_numpy().ravel()))
    ppi_genes = set(ppi["gene_a"]) | set(ppi["gene_b"])
    summary = {"ppi_genes": len(ppi_genes), "ppi_edges": int(len(ppi)), "candidate_genes": int(len(genes)),
               "genes_in_ppi": int(genes.isin(list(ppi_genes)).sum()), "model_genes": int(len(model_genes)),
               "model_edges": int(len(edges)), "species": params.species, "model_genes_mode": params.model_genes}
    if len(model_genes) < params.min_model_genes:
        other = "mouse" if params.species == "human" else "human"
        recased = _mouse_case(pd.Series(list(ppi_genes))) if other == "mouse" else pd.Series(
            [g.upper() for g in ppi_genes])
        n_other = int(genes.isin(set(recased)).sum())
        hint = (f"the genes look {other}-cased ({n_other} would match with --species {other})"
                if n_other > 2 * max(summary["genes_in_ppi"], 1) else
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
