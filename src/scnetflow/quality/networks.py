"""The co-embedded network against co-expression (modularity) and the PPI (Reactome AUPR, disease z-scores)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from scnetflow.quality.verdicts import TOLERANCES, verdict

if TYPE_CHECKING:
    from scnetflow.evaluate_network import EvaluateNetworkParams


def modularity_table(coembed: object, coexpr: object) -> pd.DataFrame:
    """Modularity per percentile of the co-embedded and co-expression networks side by side.

    ``coembed`` and ``coexpr`` are the :class:`scnetflow.coembed.NetworkSummary` objects of
    :func:`scnetflow.coembed.coembed` (the ``coembed`` step's ``modularity.tsv``, pivoted).
    Columns: ``percentile, modularity_coembed, modularity_coexpr, n_genes_coembed, n_genes_coexpr, verdict``.
    """
    a = coembed.modularity.set_index("percentile")
    b = coexpr.modularity.set_index("percentile")
    out = pd.DataFrame({"modularity_coembed": a["modularity"], "modularity_coexpr": b["modularity"],
                        "n_genes_coembed": a["n_genes"], "n_genes_coexpr": b["n_genes"]})
    out["verdict"] = [verdict(x, y, TOLERANCES["modularity"]) for x, y in
                      zip(out["modularity_coembed"], out["modularity_coexpr"])]
    return out.reset_index()


def network_evaluation(coembed_edges: pd.DataFrame, coexpr_edges: pd.DataFrame, *,
                       pathway_sets: Mapping[str, Sequence[str]] | str | None = "reactome",
                       disease_sets: Mapping[str, Sequence[str]] | str | None = None, ppi: str | None = None,
                       params: EvaluateNetworkParams | None = None) -> dict:
    """Reactome reconstruction (and disease z-scores) of the co-embedded network, the PPI and co-expression.

    The ``evaluate-network`` step (:func:`scnetflow.evaluate_network.compare_networks`) with ``params`` (the
    step's defaults when ``None``) and the PPI ``ppi`` (default: the shipped one). Gene sets are mappings, or
    GMT paths / shipped library names (:func:`scnetflow.genesets.read_gmt`); ``pathway_sets`` defaults to the
    shipped Reactome library, ``None`` skips a kind (``disease_sets`` is skipped by default).

    Returns
    -------
    The step's ``network_eval.json`` summary: per network ``n_genes, n_edges, pathways{aupr_mean, ...},
    disease{auroc_z, aupr_z, ...}, seconds``.
    """
    from scnetflow.evaluate_network import EvaluateNetworkParams, compare_networks
    from scnetflow.genesets import read_gmt

    if isinstance(pathway_sets, str):
        pathway_sets = read_gmt(pathway_sets)
    if isinstance(disease_sets, str):
        disease_sets = read_gmt(disease_sets)
    _, _, summary = compare_networks(coembed_edges, coexpr_edges, pathway_sets, disease_sets,
                                     params or EvaluateNetworkParams(), ppi=ppi)
    return summary


def modularity_scores(coembed: object, coexpr: object) -> dict:
    """``modularity_coembed_p<P>`` and ``modularity_coexpr_p<P>`` per percentile (:func:`modularity_table`)."""
    out = {}
    for r in modularity_table(coembed, coexpr).itertuples():
        out[f"modularity_coembed_p{r.percentile:g}"] = r.modularity_coembed
        out[f"modularity_coexpr_p{r.percentile:g}"] = r.modularity_coexpr
    return out


def network_scores(summary: Mapping) -> dict:
    """From :func:`network_evaluation`'s summary, per network (``coembed``, ``ppi``, ``coexpr``):
    ``reactome_aupr_<net>``, ``reactome_sets_<net>`` and, when scored, ``disease_z_auroc_<net>``,
    ``disease_z_aupr_<net>``, ``disease_sets_<net>``."""
    out: dict = {}
    for net, info in summary["networks"].items():
        pw, dz = info.get("pathways"), info.get("disease")
        if pw is not None:
            out[f"reactome_aupr_{net}"] = pw.get("aupr_mean")
            out[f"reactome_sets_{net}"] = pw.get("n_sets", 0)
        if dz is not None:
            out[f"disease_z_auroc_{net}"] = dz.get("auroc_z")
            out[f"disease_z_aupr_{net}"] = dz.get("aupr_z")
            out[f"disease_sets_{net}"] = dz.get("n_sets", 0)
    return out
