"""Compare gene networks by propagation (METHOD.md section 5): pathway reconstruction and disease z-scores.

The three networks of the paper are the co-embedded network, the PPI and the co-expression network.
Each is evaluated over **its own node set** (genes with at least one edge), as in the paper; gene sets
are restricted to those nodes and kept when at least ``min_size`` genes remain, so the number of sets
can differ between networks (reported). The PPI is by default restricted to the genes that the other
two networks were built from (the model genes), so that it is not credited for genes the data never
measured; pass ``restrict_ppi=False`` to use the whole PPI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from scnetflow.errors import InputError
from scnetflow.propagate import disease_zscores, pathway_reconstruction

logger = logging.getLogger(__name__)


def _n_usable(gene_sets: Mapping[str, Sequence[str]], genes: set[str], min_size: int) -> int:
    return sum(1 for v in gene_sets.values() if len(genes.intersection(v)) >= min_size)


def evaluate_networks(
    networks: Mapping[str, pd.DataFrame],
    pathway_sets: Mapping[str, Sequence[str]] | None = None,
    disease_sets: Mapping[str, Sequence[str]] | None = None,
    *,
    min_size: int = 30,
    n_splits: int = 3,
    n_random: int = 30,
    alpha: float = 0.9,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Pathway reconstruction and disease z-scores for several networks.

    Parameters
    ----------
    networks
        ``{name: edge list}``, e.g. ``{"coembed": ..., "ppi": ..., "coexpr": ...}``.
    pathway_sets
        Gene sets for pathway reconstruction (e.g. Reactome), or ``None`` to skip.
    disease_sets
        Disease gene lists for the topology-free z-score, or ``None`` to skip.
    min_size
        Minimum number of set genes in a network for a set to be used.
    n_splits
        Random 2/3 seed, 1/3 held-out splits per pathway.
    n_random
        Degree-preserving randomisations per network for the z-score.
    alpha
        RWR edge-following probability.
    seed
        Seed of splits and randomisations.

    Networks where no set reaches ``min_size`` genes are skipped with a warning (``n_sets`` 0 in the
    summary); an :class:`~scnetflow.errors.InputError` is raised when that holds for every network.

    Returns
    -------
    ``(pathway_auc, disease_z, summary)``: the per-set tables of
    :func:`scnetflow.propagate.pathway_reconstruction` and :func:`scnetflow.propagate.disease_zscores`
    with a leading ``network`` column, and per network ``n_genes, n_edges``, pathway means and
    disease summary, plus the seconds taken.
    """
    if pathway_sets is None and disease_sets is None:
        raise InputError("nothing to evaluate: give pathway gene sets and/or disease gene lists")
    pw_tables, dz_tables, summary = [], [], {"networks": {}, "params": {
        "min_size": min_size, "n_splits": n_splits, "n_random": n_random, "alpha": alpha, "seed": seed,
        "weighted": False}}
    t_all = time.perf_counter()
    for name, edges in networks.items():
        t0 = time.perf_counter()
        genes = set(edges["gene_a"]) | set(edges["gene_b"])
        info: dict = {"n_genes": len(genes), "n_edges": int(len(edges))}
        logger.info("evaluating network %r: %d genes, %d edges", name, len(genes), len(edges))
        if pathway_sets is not None and not _n_usable(pathway_sets, genes, min_size):
            logger.warning("network %r: no pathway gene set has >= %d genes in it; skipped", name, min_size)
            info["pathways"] = {"n_sets": 0}
        elif pathway_sets is not None:
            pw = pathway_reconstruction(edges, pathway_sets, min_size=min_size, n_splits=n_splits, alpha=alpha, seed=seed)
            pw.insert(0, "network", name)
            pw_tables.append(pw)
            per_set = pw.groupby("gene_set")[["auroc", "aupr", "aupr_baseline"]].mean()
            info["pathways"] = {
                "n_sets": int(len(per_set)),
                "auroc_mean": float(per_set["auroc"].mean()),
                "aupr_mean": float(per_set["aupr"].mean()),
                "aupr_baseline_mean": float(per_set["aupr_baseline"].mean()),
                "aupr_over_baseline_median": float(np.median(per_set["aupr"] / per_set["aupr_baseline"])),
            }
        if disease_sets is not None and not _n_usable(disease_sets, genes, min_size):
            logger.warning("network %r: no disease gene list has >= %d genes in it; skipped", name, min_size)
            info["disease"] = {"n_sets": 0}
        elif disease_sets is not None:
            dz, dsum = disease_zscores(edges, disease_sets, n_random=n_random, min_size=min_size, alpha=alpha, seed=seed)
            dz.insert(0, "network", name)
            dz_tables.append(dz)
            info["disease"] = dsum
        info["seconds"] = round(time.perf_counter() - t0, 1)
        summary["networks"][name] = info
        logger.info("network %r done in %.1f s", name, info["seconds"])
    summary["seconds"] = round(time.perf_counter() - t_all, 1)
    for kind, sets, tables in (("pathway gene set", pathway_sets, pw_tables), ("disease gene list", disease_sets, dz_tables)):
        if sets is not None and not tables:
            sizes = ", ".join(f"{k}: {v['n_genes']} genes" for k, v in summary["networks"].items())
            raise InputError(
                f"no {kind} has >= {min_size} genes in any network ({sizes}); check that the gene sets use "
                "the networks' gene symbols, or lower --min-size"
            )
    pathway_auc = pd.concat(pw_tables, ignore_index=True) if pw_tables else pd.DataFrame()
    disease_z = pd.concat(dz_tables, ignore_index=True) if dz_tables else pd.DataFrame()
    return pathway_auc, disease_z, summary
