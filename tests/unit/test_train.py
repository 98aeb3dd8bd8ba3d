"""scnetflow.train on the bundled Kang subset: outputs, pruning rule, subsets, determinism."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pytest

from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
from scnetflow.model import ModelConfig
from scnetflow.qc import QCParams, run_qc
from scnetflow.train import TrainParams, _prune, annotate, train

from tests.conftest import TEST_DATA

SMALL = ModelConfig(hidden_dim=32, embedding_dim=8)


@pytest.fixture(scope="module")
def inputs():
    q, _ = run_qc(ad.read_h5ad(TEST_DATA / "kang_ctrl.h5ad"), QCParams(min_genes=50))
    g, _ = build_model_inputs(q, read_ppi(TEST_DATA / "ppi_subset.csv.gz"), GraphsParams(model_genes="hvg",
                                                                                       min_model_genes=10))
    return g


def test_train_outputs(inputs, tmp_path):
    params = TrainParams(epochs=6, eval_every=2, prune_every=3, precision="fp32")
    r = train(inputs, params, SMALL, device="cpu", checkpoint=tmp_path / "m.pt", progress=False)
    C, G = inputs.shape
    assert r.cell_embedding.shape == (C, 8) and np.isfinite(r.cell_embedding).all()
    assert r.gene_embedding.shape == (G, 8) and list(r.gene_embedding.index) == list(inputs.var_names)
    assert r.reconstruction.shape == (C, G)
    assert (tmp_path / "m.pt").stat().st_size > 0
    h = r.history
    assert list(h["epoch"]) == list(range(1, 7))
    assert h["val_auroc"].notna().sum() == 3  # epochs 2, 4, 6
    assert h.loc[h["epoch"] == 3, "n_pruned"].item() > 0  # pruned at epoch 3
    assert 0 <= r.summary["best_val_auroc"] <= 1
    assert sum(r.summary["attention_histogram"]["counts"]) == h["n_knn_edges"].iloc[0]
    assert (r.knn != r.knn.T).nnz == 0
    out = annotate(inputs, r, params, SMALL)
    assert out.obsm["X_scnet"].shape == (C, 8) and "scnet_connectivities" in out.obsp
    assert out.uns["scnet"]["params"]["seed"] == 0
    assert "X_scnet" not in inputs.obsm  # input untouched


def test_early_stop_on_held_out_auroc(inputs):
    params = TrainParams(epochs=40, eval_every=1, patience=2, prune_every=0, precision="fp32")
    r = train(inputs, params, SMALL, device="cpu", progress=False)
    h = r.history
    run = int(h["epoch"].iloc[-1])
    assert run < 40, "AUROC never stalled for 2 evaluations in 40"
    # stopped exactly `patience` evaluations after the best one, and the best one is what is returned
    assert run == r.summary["best_epoch"] + 2
    assert r.summary["best_val_auroc"] == h["val_auroc"].max()
    assert TrainParams().patience == 0  # the documented default: off, as the paper


def test_prune_rule():
    rng = np.random.default_rng(0)
    n = 40
    edges = np.array([(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.3])
    scores = rng.random(len(edges)).astype(np.float32)
    kept = _prune(edges, scores, n, TrainParams())
    removed = len(edges) - len(kept)
    assert 0 < removed <= int(0.1 * len(edges))
    beta = np.percentile(scores, 10)
    kept_set = set(map(tuple, kept))
    dropped = [s for e, s in zip(map(tuple, edges), scores) if e not in kept_set]
    assert max(dropped) < beta
    degree = np.bincount(kept.ravel(), minlength=n)
    assert degree.min() >= min(5, np.bincount(edges.ravel(), minlength=n).min())


def test_prune_keeps_min_degree():
    # a star-free ring of degree 2 is never pruned below min_cell_degree
    n = 30
    edges = np.array([(i, (i + 1) % n) for i in range(n)])
    edges = np.sort(edges, axis=1)
    kept = _prune(edges, np.zeros(n, np.float32) - 1, n, TrainParams(min_cell_degree=2))
    assert len(kept) == n


def test_cell_subsets_embed_every_cell(inputs):
    params = TrainParams(epochs=3, eval_every=3, prune_every=2, max_cells=120, n_subsets=3, precision="fp32")
    r = train(inputs, params, SMALL, device="cpu", progress=False)
    assert r.summary["n_subsets"] == 3 and r.summary["subset_cells"] == 100
    assert np.abs(r.cell_embedding).sum(axis=1).min() > 0  # no cell left without an embedding
    assert r.history["n_pruned"].sum() > 0  # pruning also runs in subset mode
    assert r.knn.shape == (inputs.n_obs,) * 2


def test_same_seed_same_embeddings(inputs):
    params = TrainParams(epochs=3, eval_every=3, precision="fp32", seed=7)
    a = train(inputs, params, SMALL, device="cpu", progress=False)
    b = train(inputs, params, SMALL, device="cpu", progress=False)
    np.testing.assert_array_equal(a.cell_embedding, b.cell_embedding)
    np.testing.assert_array_equal(a.gene_embedding.to_numpy(), b.gene_embedding.to_numpy())
    c = train(inputs, TrainParams(epochs=3, eval_every=3, precision="fp32", seed=8), SMALL, device="cpu",
              progress=False)
    assert not np.array_equal(a.cell_embedding, c.cell_embedding)


def test_recompute_gives_the_same_model(inputs):
    base = TrainParams(epochs=2, eval_every=2, precision="fp32", seed=3)
    a = train(inputs, base, SMALL, device="cpu", progress=False)
    b = train(inputs, TrainParams(**{**base.__dict__, "recompute": True}), SMALL, device="cpu", progress=False)
    np.testing.assert_allclose(a.cell_embedding, b.cell_embedding, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_gcn_encoder_trains(inputs, precision):
    config = ModelConfig(encoder="gcn", hidden_dim=32, embedding_dim=8)
    r = train(inputs, TrainParams(epochs=2, eval_every=2, precision=precision), config, device="cpu", progress=False)
    assert np.isfinite(r.cell_embedding).all() and r.summary["precision"] == {"fp32": "float32", "bf16": "bfloat16"}[precision]
