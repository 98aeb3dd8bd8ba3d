"""Build a small published-results tree from real data for the report tests.

The chain runs for real on the bundled Kang subsets (``tests/data/kang_{ctrl,stim}.h5ad``, PBMC,
300 cells each) through the step CLIs (``coembed`` through the library until its CLI exists). Training
is cut to a few epochs (with evaluation and pruning inside them) to keep the tests fast; the layout is
``<results>/<sample>/<step>/<prefix>.<kind>``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = {"kang_ctrl": "CTRL", "kang_stim": "STIM"}


def _cli(args: list[str]) -> None:
    from click.testing import CliRunner

    from scnetflow.cli import main

    r = CliRunner().invoke(main, args + ["--quiet"], catch_exceptions=False)
    assert r.exit_code == 0, f"scnetflow {' '.join(args)} failed: {r.output}"


def _has_cli(step: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"scnetflow.cli.{step}") is not None


def build_sample(results: Path, sample: str, *, epochs: int = 3) -> None:
    """qc -> graphs -> train (the step CLIs) -> coembed for one bundled sample."""
    d = results / sample
    _cli(["qc", str(DATA / f"{sample}.h5ad"), "--outdir", str(d / "qc"), "--min-genes", "20", "--n-neighbors", "15",
          "--label-key", "cell_type", "--condition", SAMPLES[sample]])
    _cli(["graphs", str(d / "qc" / f"{sample}.qc.h5ad"), "--outdir", str(d / "graphs"),
          "--ppi", str(DATA / "ppi_subset.csv.gz"), "--model-genes", "hvg"])
    _cli(["train", str(d / "graphs" / f"{sample}.graphs.h5ad"), "--outdir", str(d / "train"), "--device", "cpu",
          "--epochs", str(epochs), "--eval-every", "1", "--prune-every", "2", "--no-progress"])
    emb, scnet = d / "train" / f"{sample}.gene_embeddings.tsv", d / "train" / f"{sample}.scnet.h5ad"
    if _has_cli("coembed"):
        _cli(["coembed", str(emb), str(scnet), "--outdir", str(d / "coembed")])
        return
    import anndata as ad

    from scnetflow.coembed import coembed, read_gene_embeddings

    co, cx = coembed(read_gene_embeddings(emb), ad.read_h5ad(scnet), percentiles=(50, 75, 90, 95, 99), percentile=90)
    (d / "coembed").mkdir(parents=True, exist_ok=True)
    pd.concat([co.modularity, cx.modularity]).to_csv(d / "coembed" / f"{sample}.modularity.tsv", sep="\t", index=False)
    add_network_eval(d, sample, {"coembed": co.edges, "coexpr": cx.edges})


def add_network_eval(d: Path, sample: str, networks: dict[str, pd.DataFrame]) -> None:
    """Pathway reconstruction (shipped Reactome sets) and z-scores on the sample's real networks.

    The "disease" lists here are GO Biological Process sets (also shipped), so the test needs no
    ``../shared/data``; the real step uses DisGeNET.
    """
    from scnetflow.genesets import filter_gene_sets, read_gmt
    from scnetflow.network_eval import evaluate_networks

    genes = set().union(*({*e["gene_a"], *e["gene_b"]} for e in networks.values()))
    pw = filter_gene_sets(read_gmt("reactome"), genes, min_size=5, max_size=60)
    go = filter_gene_sets(read_gmt("go_bp"), genes, min_size=5, max_size=60)
    pw = dict(list(pw.items())[:12])
    go = dict(list(go.items())[:8])
    auc, z, summary = evaluate_networks(networks, pw, go, min_size=5, n_splits=2, n_random=5, seed=0)
    out = d / "evaluate_network"
    out.mkdir(parents=True, exist_ok=True)
    auc.to_csv(out / f"{sample}.pathway_auc.tsv", sep="\t", index=False)
    z.to_csv(out / f"{sample}.disease_zscores.tsv", sep="\t", index=False)


def build_results(results: Path, *, epochs: int = 3) -> Path:
    """Both bundled samples; returns ``results``."""
    for s in SAMPLES:
        build_sample(results, s, epochs=epochs)
    return results


def add_diffnet(results: Path, comparison: str = "kang_ctrl_vs_stim") -> None:
    """A differential-network gene table from the two samples' real gene embeddings.

    Until the diffnet step exists, the score is the drop in a gene's mean |cosine| to its co-embedded
    neighbours between conditions: real-data-derived, in the contract's ``gene  score  rank`` shape.
    """
    embs = [pd.read_csv(next((results / s).rglob("*.gene_embeddings.tsv")), sep="\t", index_col=0) for s in SAMPLES]
    genes = embs[0].index.intersection(embs[1].index)

    def mean_abs_cos(e: pd.DataFrame) -> np.ndarray:
        x = e.loc[genes].to_numpy()
        x = x / np.linalg.norm(x, axis=1, keepdims=True)
        return np.abs(x @ x.T).mean(axis=1)

    score = mean_abs_cos(embs[1]) - mean_abs_cos(embs[0])
    t = pd.DataFrame({"gene": genes, "score": score}).sort_values("score", ascending=False)
    t["rank"] = np.arange(1, len(t) + 1)
    d = results / comparison / "diffnet"
    d.mkdir(parents=True, exist_ok=True)
    t.to_csv(d / f"{comparison}.diffnet_genes.tsv", sep="\t", index=False)


_CACHE: dict[str, Path] = {}


def cached_results(tmp_path_factory) -> Path:
    """One real-data results tree (both samples + a diffnet table) per test session, shared by modules.

    Treat it as read-only; copy it (``shutil.copytree``) before changing anything.
    """
    if "results" not in _CACHE:
        root = tmp_path_factory.mktemp("report_results") / "results"
        build_results(root)
        add_diffnet(root)
        if not _has_cli("cluster_eval"):
            add_cluster_eval(root, "kang_stim")
        if not _has_cli("gsea"):
            add_gsea(root, "kang_stim")
        _CACHE["results"] = root
    return _CACHE["results"]


def add_cluster_eval(results: Path, sample: str) -> None:
    """Max Leiden ARI per resolution of X_scnet and X_pca against ``cell_type`` (real, from the sample).

    Stands in for the cluster-eval step until its CLI exists; long table ``representation, resolution,
    n_clusters, ari`` and a JSON with ``max_ari_scnet`` / ``max_ari_pca``.
    """
    import json

    import anndata as ad
    import scanpy as sc
    from sklearn.metrics import adjusted_rand_score

    a = ad.read_h5ad(results / sample / "train" / f"{sample}.scnet.h5ad")
    rows = []
    for rep, name in (("X_scnet", "scnet"), ("X_pca", "pca")):
        b = ad.AnnData(np.zeros((a.n_obs, 1), np.float32), obs=a.obs[["cell_type"]].copy())
        b.obsm[rep] = np.asarray(a.obsm[rep], np.float32)
        sc.pp.neighbors(b, n_neighbors=15, use_rep=rep, random_state=0)
        for r in (0.2, 0.5, 1.0):
            sc.tl.leiden(b, resolution=r, flavor="igraph", n_iterations=2, random_state=0)
            rows.append({"representation": name, "resolution": r, "n_clusters": b.obs["leiden"].nunique(),
                         "ari": adjusted_rand_score(b.obs["cell_type"], b.obs["leiden"])})
    t = pd.DataFrame(rows)
    d = results / sample / "cluster_eval"
    d.mkdir(parents=True, exist_ok=True)
    t.to_csv(d / f"{sample}.cluster_eval.tsv", sep="\t", index=False)
    best = t.groupby("representation")["ari"].max()
    (d / f"{sample}.cluster_eval.json").write_text(json.dumps(
        {"label_key": "cell_type", "max_ari_scnet": float(best["scnet"]), "max_ari_pca": float(best["pca"])}))


def add_gsea(results: Path, sample: str, n_sets: int = 8) -> None:
    """Per cell type, the mean z-scored expression of Reactome sets in the original and the reconstructed
    matrix (real, from the sample), in a long ``cell_type, term, source, nes`` table.

    Stands in for the gsea step's ``<prefix>.gsea_celltype.tsv`` until that step exists.
    """
    import anndata as ad

    from scnetflow.genesets import filter_gene_sets, read_gmt

    tdir = results / sample / "train"
    orig = ad.read_h5ad(tdir / f"{sample}.scnet.h5ad")
    recon = ad.read_h5ad(tdir / f"{sample}.reconstructed.h5ad")
    sets = dict(list(filter_gene_sets(read_gmt("reactome"), set(orig.var_names), min_size=3).items())[:n_sets])
    rows = []
    for source, a in (("original", orig), ("reconstructed", recon)):
        x = a.X.toarray() if hasattr(a.X, "toarray") else np.asarray(a.X)
        z = pd.DataFrame((x - x.mean(0)) / (x.std(0) + 1e-6), columns=a.var_names, index=a.obs_names)
        for term, genes in sets.items():
            score = z[genes].mean(axis=1).groupby(orig.obs["cell_type"].to_numpy()).mean()
            rows += [{"cell_type": ct, "term": term, "source": source, "nes": float(v)} for ct, v in score.items()]
    d = results / sample / "gsea"
    d.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(d / f"{sample}.gsea_celltype.tsv", sep="\t", index=False)
