"""GO BP tests of a gene embedding for the quality suite: the k-means enrichment and 5-fold MLP of
``benchmarks/bench_gene_embedding.py`` (its functions, its settings), reduced to one number each."""

from __future__ import annotations

import numpy as np

from bench_gene_embedding import expression_profiles, kmeans_enrichment, membership, mlp_cv

K_VALUES = tuple(range(20, 81, 5))
MLP_EPOCHS = 200
MIN_TERM_GENES = 50
MAX_TERMS = 200


def go_scores(adata, seed: int = 0) -> dict:
    """Mean fraction of k-means clusters enriched for a GO BP term (k = 20..80, k < genes) and the MLP's
    macro AUROC/AUPR (5-fold), for the scNET gene embedding and the expression-profile PCA baseline."""
    from scnetflow.genesets import filter_gene_sets, read_gmt

    genes = list(adata.var_names)
    emb = np.asarray(adata.varm["scnet"], dtype=np.float64)
    expr, _ = expression_profiles(adata, emb.shape[1], seed)
    reps = {"scnet": emb, "expression": expr}
    go = read_gmt("go_bp")
    out: dict = {}
    _, m = membership(genes, filter_gene_sets(go, genes, min_size=5, max_size=500))
    ks = [k for k in K_VALUES if k < len(genes) // 2]
    for name, x in reps.items():
        fr = [kmeans_enrichment(x, m, k, seed)["fraction_clusters_enriched"] for k in ks]
        out[f"go_kmeans_{name}"] = float(np.mean(fr)) if fr else None
    out["go_kmeans_k"] = ks
    big = filter_gene_sets(go, genes, min_size=MIN_TERM_GENES)
    big = dict(sorted(big.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:MAX_TERMS])
    go_genes = {g for members in go.values() for g in members}
    rows = [i for i, g in enumerate(genes) if g in go_genes]
    out["go_mlp_terms"] = len(big)
    if len(big) == 0 or len(rows) < 10:  # too few genes (e.g. the 165 of the CellBench subset)
        return out
    _, y = membership([genes[i] for i in rows], big)
    for name, x in reps.items():
        r = mlp_cv(x[rows], y.astype(np.float32), MLP_EPOCHS, seed)
        out[f"go_mlp_auroc_{name}"], out[f"go_mlp_aupr_{name}"] = r["auroc_mean"], r["aupr_mean"]
    return out
