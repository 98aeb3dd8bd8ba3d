"""Compare gene networks by propagation (METHOD.md section 5): pathway reconstruction and disease z-scores.

The three networks of the paper are the co-embedded network, the PPI and the co-expression network.
Each is evaluated over **its own node set** (genes with at least one edge), as in the paper; gene sets
are restricted to those nodes and kept when at least ``min_size`` genes remain, so the number of sets
can differ between networks (reported). The PPI is by default restricted to the genes that the other
two networks were built from (the model genes), so that it is not credited for genes the data never
measured; pass ``--no-restrict-ppi`` to use the whole PPI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.networks import edges_to_adjacency, normalize_adjacency, rwr, seeded_igraph
from scnetflow.params import SEED_HELP, option
from scnetflow.propagate import ALPHA_HELP

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvaluateNetworkParams:
    """The evaluate-network step's settings: which PPI is compared, and the two evaluations'."""

    min_score: float = option(0.5, "Keep PPI edges with score >= this.")
    restrict_ppi: bool = option(True, "Restrict the PPI to the genes of the two other networks (the model genes).")
    min_size: int = option(30, "Minimum genes of a gene set in a network for the set to be used.", min=3)
    n_splits: int = option(3, "Random 2/3 seed, 1/3 held-out splits per pathway.", min=1)
    n_random: int = option(30, "Degree-preserving randomisations per network for the disease z-score.", min=2)
    alpha: float = option(0.9, ALPHA_HELP, min=0, max=1, min_open=True, max_open=True)
    seed: int = option(0, SEED_HELP)


def auroc_aupr(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """AUROC and average precision (sklearn's definitions, ties handled), without sklearn's overhead."""
    labels = labels.astype(bool)
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan"), float("nan")
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], labels[order]
    distinct = np.r_[np.nonzero(np.diff(s))[0], s.size - 1]
    tps = np.cumsum(y)[distinct]
    fps = (distinct + 1) - tps
    precision = tps / (tps + fps)
    recall = tps / n_pos
    ap = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    tpr = np.r_[0.0, tps / n_pos]
    fpr = np.r_[0.0, fps / n_neg]
    auroc = float(np.trapezoid(tpr, fpr))
    return auroc, ap


def _split_sets(
    gene_sets: Mapping[str, Sequence[str]],
    index: pd.Index,
    *,
    n_splits: int,
    seed_fraction: float,
    rng: np.random.Generator,
) -> list[tuple[str, int, np.ndarray, np.ndarray]]:
    """(set, split, seed indices, held-out indices) for each set and split."""
    jobs = []
    for name, genes in gene_sets.items():
        idx = index.get_indexer(list(genes))
        idx = idx[idx >= 0]
        n_seed = int(round(seed_fraction * len(idx)))
        n_seed = min(max(n_seed, 1), len(idx) - 1)
        for split in range(n_splits):
            perm = rng.permutation(idx)
            jobs.append((name, split, np.sort(perm[:n_seed]), np.sort(perm[n_seed:])))
    return jobs


def _score_jobs(
    W: sp.spmatrix,
    in_network: np.ndarray,
    jobs: list[tuple[str, int, np.ndarray, np.ndarray]],
    *,
    alpha: float,
    tol: float,
    batch_size: int,
) -> np.ndarray:
    """AUROC/AUPR of held-out genes vs all other non-seed network genes, for each job (n_jobs x 2)."""
    W_norm = normalize_adjacency(W)
    n = W.shape[0]
    ones = rwr(W_norm, np.ones(n, np.float32), alpha=alpha, tol=tol)
    denom = np.where(ones > 0, ones, np.inf).astype(np.float32)
    out = np.full((len(jobs), 2), np.nan)
    for start in range(0, len(jobs), batch_size):
        batch = jobs[start : start + batch_size]
        F0 = np.zeros((n, len(batch)), np.float32)
        for k, (_, _, seeds, _) in enumerate(batch):
            F0[seeds, k] = 1.0
        F = rwr(W_norm, F0, alpha=alpha, tol=tol)
        F /= denom[:, None]
        for k, (_, _, seeds, held) in enumerate(batch):
            cand = in_network.copy()
            cand[seeds] = False
            labels = np.zeros(n, bool)
            labels[held] = True
            out[start + k] = auroc_aupr(F[cand, k], labels[cand])
    return out


def _network_matrix(edges: pd.DataFrame, *, weighted: bool) -> tuple[sp.csr_matrix, pd.Index, np.ndarray]:
    W, genes = edges_to_adjacency(edges, weighted=weighted)
    in_network = np.asarray((W != 0).sum(axis=1)).ravel() > 0
    return W, pd.Index(genes), in_network


def pathway_reconstruction(
    edges: pd.DataFrame,
    gene_sets: Mapping[str, Sequence[str]],
    *,
    min_size: int = 30,
    max_size: int | None = None,
    n_splits: int = 3,
    seed_fraction: float = 2 / 3,
    alpha: float = 0.9,
    weighted: bool = False,
    seed: int = 0,
    batch_size: int = 256,
    tol: float = 1e-6,
) -> pd.DataFrame:
    """Pathway reconstruction by propagation: seed a fraction of each set, rank the held-out rest.

    For each gene set with at least ``min_size`` genes in the network and each of ``n_splits`` random
    splits, ``seed_fraction`` of its network genes are seeds; all other network genes that are not
    seeds are scored, and AUROC/AUPR measure how well the held-out set genes rank among them.

    Parameters
    ----------
    edges
        Network edge list.
    gene_sets
        ``{name: genes}`` (e.g. :func:`scnetflow.genesets.read_gmt`).
    min_size, max_size
        Bounds on the number of set genes in the network.
    n_splits
        Random seed/held-out splits per set.
    seed_fraction
        Fraction of the set's network genes used as seeds (2/3 in scNET).
    alpha
        RWR edge-following probability.
    weighted
        Use edge weights (default: unweighted, so the three networks and their degree-preserving
        randomisations are compared as topologies).
    seed
        Seed of the splits.
    batch_size
        Seed vectors propagated together (memory: n_genes x batch_size float32).
    tol
        Propagation tolerance.

    Returns
    -------
    One row per set and split: ``gene_set, split, n_genes, n_seeds, n_heldout, n_candidates, auroc,
    aupr, aupr_baseline`` (``aupr_baseline`` = held-out / candidates, the AUPR of a random ranking).
    """
    W, index, in_network = _network_matrix(edges, weighted=weighted)
    from scnetflow.genesets import filter_gene_sets

    sets = filter_gene_sets(gene_sets, set(index[in_network]), min_size=min_size, max_size=max_size)
    if not sets:
        raise InputError(
            f"no gene set has >= {min_size} genes in the network ({int(in_network.sum())} genes); "
            "check that the gene sets use the same symbols as the network, or lower --min-size"
        )
    rng = np.random.default_rng(seed)
    jobs = _split_sets(sets, index, n_splits=n_splits, seed_fraction=seed_fraction, rng=rng)
    logger.info("pathway reconstruction: %d sets x %d splits on %d genes", len(sets), n_splits, int(in_network.sum()))
    res = _score_jobs(W, in_network, jobs, alpha=alpha, tol=tol, batch_size=batch_size)
    n_net = int(in_network.sum())
    rows = []
    for (name, split, seeds, held), (auroc, aupr) in zip(jobs, res):
        n_cand = n_net - len(seeds)
        rows.append(
            {
                "gene_set": name,
                "split": split,
                "n_genes": len(seeds) + len(held),
                "n_seeds": len(seeds),
                "n_heldout": len(held),
                "n_candidates": n_cand,
                "auroc": auroc,
                "aupr": aupr,
                "aupr_baseline": len(held) / n_cand,
            }
        )
    return pd.DataFrame(rows)


def degree_preserving_randomisations(
    edges: pd.DataFrame, *, n_random: int = 30, seed: int = 0, swaps_per_edge: int = 10
) -> list[sp.csr_matrix]:
    """Unweighted adjacencies of ``n_random`` degree-preserving rewirings (igraph, simple graphs).

    Node order is that of :func:`scnetflow.networks.edges_to_adjacency` on ``edges``.
    """
    import igraph


    W, genes = edges_to_adjacency(edges, weighted=False)
    upper = sp.triu(W, k=1).tocoo()
    base = igraph.Graph(n=len(genes), edges=list(zip(upper.row.tolist(), upper.col.tolist())), directed=False)
    out = []
    with seeded_igraph(seed):
        for _ in range(n_random):
            g = base.copy()
            g.rewire(n=swaps_per_edge * g.ecount(), allowed_edge_types="simple")
            e = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
            n = len(genes)
            A = sp.csr_matrix((np.ones(2 * len(e)), (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n))
            out.append(A)
    return out


def disease_zscores(
    edges: pd.DataFrame,
    gene_sets: Mapping[str, Sequence[str]],
    *,
    n_random: int = 30,
    min_size: int = 30,
    max_size: int | None = None,
    seed_fraction: float = 2 / 3,
    alpha: float = 0.9,
    seed: int = 0,
    batch_size: int = 256,
    tol: float = 1e-6,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Topology-free z-scores: the network's propagation AUCs against degree-preserving randomisations.

    Each gene set gets one seeded 2/3-1/3 split, scored on the (unweighted) network and on
    ``n_random`` degree-preserving rewirings of it with the same split. The summary z-score compares
    the mean AUC over sets on the network with the mean AUCs of the randomisations:
    ``z = (mean_real - mean(mean_random)) / sd(mean_random)``.

    Returns
    -------
    ``(per_set, summary)``. ``per_set``: ``gene_set, n_genes, auroc, auroc_random_mean, auroc_random_sd,
    auroc_z, aupr, aupr_random_mean, aupr_random_sd, aupr_z``. ``summary``: ``n_sets, n_random,
    auroc, auroc_random_mean, auroc_random_sd, auroc_z`` and the same for ``aupr``.
    """
    if n_random < 2:
        raise InputError(f"n_random must be >= 2 to estimate a standard deviation, got {n_random}")
    W, index, in_network = _network_matrix(edges, weighted=False)
    from scnetflow.genesets import filter_gene_sets

    sets = filter_gene_sets(gene_sets, set(index[in_network]), min_size=min_size, max_size=max_size)
    if not sets:
        raise InputError(
            f"no disease gene list has >= {min_size} genes in the network ({int(in_network.sum())} genes); "
            "check the symbols or lower --min-size"
        )
    rng = np.random.default_rng(seed)
    jobs = _split_sets(sets, index, n_splits=1, seed_fraction=seed_fraction, rng=rng)
    logger.info("disease z-scores: %d sets, %d randomisations", len(sets), n_random)
    real = _score_jobs(W, in_network, jobs, alpha=alpha, tol=tol, batch_size=batch_size)
    randoms = degree_preserving_randomisations(edges, n_random=n_random, seed=seed)
    rand = np.stack(
        [_score_jobs(A, in_network, jobs, alpha=alpha, tol=tol, batch_size=batch_size) for A in randoms]
    )  # n_random x n_jobs x 2
    per_set = pd.DataFrame({"gene_set": [j[0] for j in jobs], "n_genes": [len(j[2]) + len(j[3]) for j in jobs]})
    summary: dict[str, float] = {"n_sets": len(jobs), "n_random": n_random}
    for m, metric in enumerate(("auroc", "aupr")):
        mu, sd = rand[:, :, m].mean(axis=0), rand[:, :, m].std(axis=0, ddof=1)
        per_set[metric] = real[:, m]
        per_set[f"{metric}_random_mean"] = mu
        per_set[f"{metric}_random_sd"] = sd
        with np.errstate(divide="ignore", invalid="ignore"):
            per_set[f"{metric}_z"] = (real[:, m] - mu) / sd
        real_mean = float(np.nanmean(real[:, m]))
        rand_means = np.nanmean(rand[:, :, m], axis=1)
        summary[metric] = real_mean
        summary[f"{metric}_random_mean"] = float(rand_means.mean())
        summary[f"{metric}_random_sd"] = float(rand_means.std(ddof=1))
        summary[f"{metric}_z"] = float((real_mean - rand_means.mean()) / rand_means.std(ddof=1))
    return per_set, summary


def _n_usable(gene_sets: Mapping[str, Sequence[str]], genes: set[str], min_size: int) -> int:
    return sum(1 for v in gene_sets.values() if len(genes.intersection(v)) >= min_size)


def evaluate_networks(
    networks: Mapping[str, pd.DataFrame],
    pathway_sets: Mapping[str, Sequence[str]] | None = None,
    disease_sets: Mapping[str, Sequence[str]] | None = None,
    params: EvaluateNetworkParams = EvaluateNetworkParams(),
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
    params
        ``min_size``: minimum number of set genes in a network for a set to be used; ``n_splits``: random
        2/3 seed, 1/3 held-out splits per pathway; ``n_random``: degree-preserving randomisations per network
        for the z-score; ``alpha``: RWR edge-following probability; ``seed``: of splits and randomisations.
        (``min_score`` and ``restrict_ppi`` choose the PPI, which the caller loads.)

    Networks where no set reaches ``min_size`` genes are skipped with a warning (``n_sets`` 0 in the
    summary); an :class:`~scnetflow.errors.InputError` is raised when that holds for every network.

    Returns
    -------
    ``(pathway_auc, disease_z, summary)``: the per-set tables of
    :func:`pathway_reconstruction` and :func:`disease_zscores`
    with a leading ``network`` column, and per network ``n_genes, n_edges``, pathway means and
    disease summary, plus the seconds taken.
    """
    min_size, n_splits, n_random, alpha, seed = (params.min_size, params.n_splits, params.n_random, params.alpha,
                                                  params.seed)
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


def compare_networks(coembed_edges: pd.DataFrame, coexpr_edges: pd.DataFrame,
                     pathway_sets: Mapping[str, Sequence[str]] | None,
                     disease_sets: Mapping[str, Sequence[str]] | None = None,
                     params: EvaluateNetworkParams = EvaluateNetworkParams(), *, ppi: str | Path | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The evaluate-network step: :func:`evaluate_networks` of the co-embedded network, the PPI (``ppi``, else
    the shipped one, at ``params.min_score``; restricted to the two other networks' genes when
    ``params.restrict_ppi``) and the co-expression network, in that order."""
    from scnetflow.networks import load_ppi

    genes = sorted(set(coembed_edges["gene_a"]) | set(coembed_edges["gene_b"])
                   | set(coexpr_edges["gene_a"]) | set(coexpr_edges["gene_b"]))
    ppi_edges = load_ppi(ppi, cutoff=params.min_score, genes=genes if params.restrict_ppi else None)
    networks = {"coembed": coembed_edges, "ppi": ppi_edges, "coexpr": coexpr_edges}
    logger.info("networks: %s; seed %d", {k: len(v) for k, v in networks.items()}, params.seed)
    return evaluate_networks(networks, pathway_sets, disease_sets, params)
