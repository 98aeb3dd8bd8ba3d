"""Build a small published-results tree from real data for the report tests.

The chain runs for real on the bundled Kang subsets (``tests/data/kang_{ctrl,stim}.h5ad``, PBMC,
300 cells each): through the step CLIs where they exist, else through the library functions with the
files written as ``docs/contracts.md`` describes. Training is cut to a few epochs (with evaluation and
pruning inside them) to keep the tests fast; the layout is ``<results>/<sample>/<step>/<prefix>.<kind>``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = {"kang_ctrl": "CTRL", "kang_stim": "STIM"}


def _write_json(path: Path, d: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(d, indent=2, default=float))


def build_sample(results: Path, sample: str, *, epochs: int = 4) -> None:
    """qc -> graphs -> train -> coembed for one bundled sample, with the library."""
    import anndata as ad

    from scnetflow.coembed import coembed
    from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
    from scnetflow.qc import QCParams, run_qc
    from scnetflow.train import TrainParams, annotate, train

    raw = ad.read_h5ad(DATA / f"{sample}.h5ad")
    qc, qc_summary = run_qc(raw, QCParams(min_genes=20, n_neighbors=15), source=sample)
    _write_json(results / sample / "qc" / f"{sample}.qc.json", qc_summary)
    ppi = read_ppi(DATA / "ppi_subset.csv.gz")
    g, g_summary = build_model_inputs(qc, ppi, GraphsParams(model_genes="hvg"), source=sample)
    _write_json(results / sample / "graphs" / f"{sample}.graphs.json", g_summary)
    params = TrainParams(epochs=epochs, eval_every=2, prune_every=2, n_neighbors=15, seed=0)
    res = train(g, params, device="cpu", progress=False)
    out = annotate(g, res, params, __import__("scnetflow.model", fromlist=["ModelConfig"]).ModelConfig())
    out.uns["sample"] = {"id": sample, "condition": SAMPLES[sample], "species": "human", "label_key": "cell_type"}
    tdir = results / sample / "train"
    tdir.mkdir(parents=True, exist_ok=True)
    out.write_h5ad(tdir / f"{sample}.scnet.h5ad")
    res.history.to_csv(tdir / f"{sample}.history.tsv", sep="\t", index=False)
    res.gene_embedding.to_csv(tdir / f"{sample}.gene_embeddings.tsv", sep="\t")
    _write_json(tdir / f"{sample}.train.json", res.summary)
    co, cx = coembed(res.gene_embedding, out, percentiles=(50, 75, 95, 99))
    cdir = results / sample / "coembed"
    cdir.mkdir(parents=True, exist_ok=True)
    pd.concat([co.modularity, cx.modularity]).to_csv(cdir / f"{sample}.modularity.tsv", sep="\t", index=False)


def build_results(results: Path, *, epochs: int = 4) -> Path:
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
        _CACHE["results"] = root
    return _CACHE["results"]
