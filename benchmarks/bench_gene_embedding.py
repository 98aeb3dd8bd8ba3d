#!/usr/bin/env python3
"""Gene-embedding quality of a trained scNET model against the genes' expression profiles (GO BP).

Reproduces, in kind, the two gene-embedding evaluations of Sheinin et al. (Nature Methods 2025, scNET;
METHOD.md section 5, "Gene embedding quality") on one ``scnetflow train`` output (``PREFIX.scnet.h5ad``:
cells x model genes, log-normalised ``X``, gene embedding in ``varm["scnet"]``):

1. k-means (k = 20, 25, ..., 80; scikit-learn, ``n_init=10``, fixed seed) of the genes. Per cluster, a
   hypergeometric test against every GO Biological Process set (the shipped Enrichr 2021 library)
   restricted to the background (the model genes) with 5..500 genes left; Benjamini-Hochberg FDR over all
   (cluster, term) tests of one k. Reported: the fraction of clusters with a term at FDR < 0.05 and the
   number of distinct enriched terms.
2. A 5-fold cross-validated MLP (in -> 128 -> 128 -> terms, ReLU, dropout 0.2, multi-label BCE, Adam
   lr 1e-3, full batch, one torch thread) predicting the GO BP terms with >= ``--min-term-genes`` model
   genes (only the ``--max-terms`` largest when there are more). Genes: the model genes that appear in any
   GO BP set (unannotated genes are unknown, not negative). Features are standardised on each training
   fold. Reported: macro AUROC and AUPR over terms on the held-out fold (a term with no positive, or no
   negative, in a fold is skipped), mean +- sd (ddof=1) over folds. All representations share the folds;
   a control MLP on log PPI degree alone (model genes' degree in ``varp["ppi"]``) runs beside them.

The baseline representation is each gene's expression profile: the genes x cells log-normalised matrix,
each gene standardised across cells (mean 0, sd 1), reduced by PCA to the embedding's dimension (75), so
that both sides are compared at the same dimension. k-means runs on both representations unscaled.

    nice -n 19 env OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_gene_embedding.py \\
        --scnet /tmp/ge/train/dropseq.scnet.h5ad --out /tmp/ge/gene_embedding.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

#: The repository root: commands are recorded relative to it, never as this machine's paths.
REPO = Path(__file__).resolve().parents[1]


def expression_profiles(adata, n_components: int, seed: int) -> tuple[np.ndarray, float]:
    """Genes x ``n_components`` PCA scores of the per-gene standardised genes x cells expression, and the
    fraction of variance they keep."""
    import scipy.sparse as sp
    from sklearn.decomposition import PCA

    x = (adata.X.toarray() if sp.issparse(adata.X) else np.asarray(adata.X)).T.astype(np.float64)
    sd = x.std(axis=1, keepdims=True)
    x = (x - x.mean(axis=1, keepdims=True)) / np.where(sd > 0, sd, 1.0)
    pca = PCA(n_components=min(n_components, *x.shape), random_state=seed)
    return pca.fit_transform(x), float(pca.explained_variance_ratio_.sum())


def membership(genes: list[str], sets: dict[str, list[str]]) -> tuple[list[str], np.ndarray]:
    """Term names and the genes x terms boolean membership matrix."""
    index = {g: i for i, g in enumerate(genes)}
    m = np.zeros((len(genes), len(sets)), dtype=bool)
    for j, members in enumerate(sets.values()):
        m[[index[g] for g in members], j] = True
    return list(sets), m


def kmeans_enrichment(x: np.ndarray, m: np.ndarray, k: int, seed: int, alpha: float = 0.05) -> dict:
    """k-means of the rows of ``x``; hypergeometric enrichment of each cluster in each column of ``m``."""
    from scipy.stats import false_discovery_control, hypergeom
    from sklearn.cluster import KMeans

    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
    onehot = np.eye(k, dtype=np.int64)[labels]
    overlap = onehot.T @ m.astype(np.int64)  # clusters x terms
    sizes = onehot.sum(axis=0)[:, None]
    p = hypergeom.sf(overlap - 1, len(x), m.sum(axis=0)[None, :], sizes)
    q = false_discovery_control(p.ravel(), method="bh").reshape(p.shape)
    sig = q < alpha
    return {"k": k, "fraction_clusters_enriched": float(sig.any(axis=1).mean()),
            "n_clusters_enriched": int(sig.any(axis=1).sum()), "n_enriched_terms": int(sig.any(axis=0).sum()),
            "min_cluster_size": int(sizes.min()), "max_cluster_size": int(sizes.max())}


def mlp_cv(x: np.ndarray, y: np.ndarray, epochs: int, seed: int, n_folds: int = 5) -> dict:
    """K-fold cross-validated multi-label MLP; macro AUROC/AUPR over terms per held-out fold."""
    import torch
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.model_selection import KFold
    from sklearn.preprocessing import StandardScaler

    folds = []
    for i, (tr, te) in enumerate(KFold(n_folds, shuffle=True, random_state=seed).split(x)):
        scaler = StandardScaler().fit(x[tr])
        xtr, xte = (torch.tensor(scaler.transform(x[s]), dtype=torch.float32) for s in (tr, te))
        ytr = torch.tensor(y[tr], dtype=torch.float32)
        torch.manual_seed(seed + i)
        net = torch.nn.Sequential(
            torch.nn.Linear(x.shape[1], 128), torch.nn.ReLU(), torch.nn.Dropout(0.2),
            torch.nn.Linear(128, 128), torch.nn.ReLU(), torch.nn.Dropout(0.2),
            torch.nn.Linear(128, y.shape[1]))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        net.train()
        for _ in range(epochs):
            opt.zero_grad()
            loss = loss_fn(net(xtr), ytr)
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            scores = net(xte).numpy()
        yte = y[te]
        scored = [j for j in range(y.shape[1]) if 0 < yte[:, j].sum() < len(te)]
        folds.append({
            "fold": i, "n_test_genes": len(te), "n_terms_scored": len(scored), "final_train_loss": loss.item(),
            "auroc": float(np.mean([roc_auc_score(yte[:, j], scores[:, j]) for j in scored])),
            "aupr": float(np.mean([average_precision_score(yte[:, j], scores[:, j]) for j in scored])),
            "aupr_chance": float(np.mean([yte[:, j].mean() for j in scored])),
        })
    out = {}
    for key in ("auroc", "aupr", "aupr_chance"):
        vals = np.array([f[key] for f in folds])
        out[f"{key}_mean"], out[f"{key}_sd"] = float(vals.mean()), float(vals.std(ddof=1))
    return {**out, "folds": folds}


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scnet", required=True, help="PREFIX.scnet.h5ad written by `scnetflow train`")
    ap.add_argument("--out", required=True, help="JSON file to write")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--k-min", type=int, default=20)
    ap.add_argument("--k-max", type=int, default=80)
    ap.add_argument("--k-step", type=int, default=5)
    ap.add_argument("--mlp-epochs", type=int, default=200)
    ap.add_argument("--min-term-genes", type=int, default=50, help="MLP: GO terms with at least this many genes")
    ap.add_argument("--max-terms", type=int, default=200, help="MLP: keep only the largest terms beyond this many")
    args = ap.parse_args(argv)

    import anndata as ad
    import torch

    from scnetflow.genesets import filter_gene_sets, read_gmt, shipped_gmt

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    adata = ad.read_h5ad(args.scnet)
    if "scnet" not in adata.varm:
        sys.exit(f"{args.scnet}: varm['scnet'] (the gene embedding) is missing; pass a `scnetflow train` output")
    genes = list(adata.var_names)
    emb = np.asarray(adata.varm["scnet"], dtype=np.float64)
    expr, expr_var = expression_profiles(adata, emb.shape[1], args.seed)
    reps = {"scnet": emb, "expression": expr}
    with shipped_gmt("go_bp") as p:
        go = read_gmt(p)

    # 1. k-means clusters enriched for GO BP terms
    enr_sets = filter_gene_sets(go, genes, min_size=5, max_size=500)
    _, m = membership(genes, enr_sets)
    ks = list(range(args.k_min, args.k_max + 1, args.k_step))
    kmeans = {name: [kmeans_enrichment(x, m, k, args.seed) for k in ks] for name, x in reps.items()}

    # 2. MLP predicting GO BP terms with >= min_term_genes model genes
    big = filter_gene_sets(go, genes, min_size=args.min_term_genes)
    n_eligible = len(big)
    big = dict(sorted(big.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:args.max_terms])
    go_genes = {g for members in go.values() for g in members}
    rows = [i for i, g in enumerate(genes) if g in go_genes]
    annotated = [genes[i] for i in rows]
    terms, y = membership(annotated, big)
    # Control: the embedding's norm tracks PPI degree, and hubs carry many large GO terms, so an MLP on
    # log PPI degree alone shows how much of the score needs no embedding at all.
    mlp_reps = dict(reps)
    if "ppi" in adata.varp:
        degree = np.asarray((adata.varp["ppi"] > 0).sum(axis=1)).ravel()
        mlp_reps["ppi_degree"] = np.log1p(degree)[:, None].astype(np.float64)
    mlp = {name: mlp_cv(x[rows], y.astype(np.float32), args.mlp_epochs, args.seed) for name, x in mlp_reps.items()}

    report = {
        "input": Path(args.scnet).name, "cells": int(adata.n_obs), "model_genes": len(genes),
        "embedding_dim": int(emb.shape[1]), "expression_pca_dim": int(expr.shape[1]),
        "expression_pca_variance_kept": expr_var, "gene_sets": "go_bp (Enrichr GO Biological Process 2021)",
        "settings": {**{k: v for k, v in vars(args).items() if k not in ("scnet", "out")},
                     "kmeans_n_init": 10, "fdr": 0.05, "enrichment_set_size": [5, 500], "folds": 5,
                     "mlp": "in-128-128-terms, ReLU, dropout 0.2, BCE, Adam lr 1e-3, full batch"},
        "kmeans": {"n_terms_tested": len(enr_sets), "background_genes": len(genes), **kmeans},
        "mlp": {"n_terms_eligible": n_eligible, "n_terms": len(terms), "capped": n_eligible > args.max_terms,
                "n_genes": len(annotated), "terms": terms, **mlp},
        "seconds": time.perf_counter() - t0,
        "machine": {"threads": torch.get_num_threads(), "torch": torch.__version__},
        "command": " ".join([Path(__file__).resolve().relative_to(REPO).as_posix(), *argv]),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")

    print(f"{report['input']}: {report['cells']} cells, {len(genes)} model genes, {len(enr_sets)} GO BP terms (5..500)")
    print(f"{'k':>3}  {'frac enriched scNET/expr':>25}  {'enriched terms scNET/expr':>26}")
    for s, e in zip(kmeans["scnet"], kmeans["expression"]):
        print(f"{s['k']:>3}  {s['fraction_clusters_enriched']:>12.3f} / {e['fraction_clusters_enriched']:<10.3f}"
              f"  {s['n_enriched_terms']:>13d} / {e['n_enriched_terms']:<10d}")
    print(f"MLP, {len(terms)} terms (of {n_eligible} with >= {args.min_term_genes} genes), {len(annotated)} genes, "
          f"5-fold CV; AUPR chance {mlp['scnet']['aupr_chance_mean']:.3f}")
    for name, r in mlp.items():
        print(f"  {name:<10} AUROC {r['auroc_mean']:.3f} +- {r['auroc_sd']:.3f}   "
              f"AUPR {r['aupr_mean']:.3f} +- {r['aupr_sd']:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
