"""scnetflow.train on the bundled Kang subset: outputs, pruning rule, subsets, determinism."""

from __future__ import annotations

import dataclasses

import anndata as ad
import numpy as np
import pytest
import scipy.sparse as sp

from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
from scnetflow.model import ModelConfig
from scnetflow.qc import QCParams, run_qc
from scnetflow.train import TrainParams, annotate, train
from scnetflow.train.pruning import prune

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
    # SMALL leaves encoder and init at "auto": the run and the annotation record what they resolved to
    assert (SMALL.encoder, r.summary["encoder"], r.summary["encoder_init"]) == ("auto", "sage", "random")
    assert out.uns["scnet"]["params"]["encoder"] == "sage"
    assert (r.summary["val_split"], r.summary["ema_decay"]) == ("keep_degree", 0.0) and r.summary["n_val_edges"] > 0
    assert (r.summary["lr"], r.summary["gene_encoder_lr_scale"]) == (params.lr, params.gene_encoder_lr_scale)
    assert "X_scnet" not in inputs.obsm  # input untouched


def test_early_stop_on_held_out_auroc(inputs):
    params = TrainParams(epochs=40, eval_every=1, patience=2, prune_every=0, precision="fp32", selection="auroc")
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
    kept = prune(edges, scores, n, TrainParams())
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
    kept = prune(edges, np.zeros(n, np.float32) - 1, n, TrainParams(min_cell_degree=2))
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


def test_cell_embedding_norm_scales_only_the_written_cells(inputs):
    params = TrainParams(epochs=4, eval_every=2, prune_every=2, precision="fp32", seed=5)
    assert params.cell_embedding_norm == "l2"
    unit = train(inputs, params, SMALL, device="cpu", progress=False)
    raw = train(inputs, dataclasses.replace(params, cell_embedding_norm="none"), SMALL, device="cpu", progress=False)
    length = np.linalg.norm(raw.cell_embedding, axis=1, keepdims=True)
    assert length.std() > 0.01 * length.mean()  # raw vectors differ in length: the scaling changes something
    np.testing.assert_allclose(np.linalg.norm(unit.cell_embedding, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(unit.cell_embedding, raw.cell_embedding / length, rtol=1e-5, atol=1e-6)
    # the same training: genes, reconstruction, pruned graph and history untouched
    np.testing.assert_array_equal(unit.gene_embedding.to_numpy(), raw.gene_embedding.to_numpy())
    np.testing.assert_array_equal(unit.reconstruction, raw.reconstruction)
    assert (unit.knn != raw.knn).nnz == 0
    assert unit.history.drop(columns="seconds").equals(raw.history.drop(columns="seconds"))
    assert (unit.summary["cell_embedding_norm"], raw.summary["cell_embedding_norm"]) == ("l2", "none")


def test_cell_embedding_aggr_changes_only_the_written_cells(inputs):
    """The written embedding under each aggregation from one training: genes, reconstruction, pruned KNN
    and history are those of the sum the model trained with."""
    params = TrainParams(epochs=4, eval_every=2, prune_every=2, precision="fp32", seed=5, cell_embedding_norm="none")
    assert TrainParams().cell_embedding_aggr == "weighted_mean" and ModelConfig().attention_aggr == "sum"
    runs = {aggr: train(inputs, dataclasses.replace(params, cell_embedding_aggr=aggr), SMALL, device="cpu",
                        progress=False) for aggr in ("sum", "mean", "weighted_mean")}
    base = runs["sum"]
    for aggr, r in runs.items():
        np.testing.assert_array_equal(r.gene_embedding.to_numpy(), base.gene_embedding.to_numpy())
        np.testing.assert_array_equal(r.reconstruction, base.reconstruction)
        assert (r.knn != base.knn).nnz == 0
        assert r.history.drop(columns="seconds").equals(base.history.drop(columns="seconds"))
        assert r.summary["cell_embedding_aggr"] == aggr
        if aggr != "sum":
            assert np.abs(r.cell_embedding - base.cell_embedding).max() > 1e-3
    # the sum's length grows with the pruned degree; the mean's follows it less
    degree = np.asarray(base.knn.sum(axis=1)).ravel()
    r_sum = np.corrcoef(degree, np.linalg.norm(base.cell_embedding, axis=1))[0, 1]
    r_mean = np.corrcoef(degree, np.linalg.norm(runs["mean"].cell_embedding, axis=1))[0, 1]
    assert r_sum > 0.5 and abs(r_mean) < r_sum


def test_recompute_gives_the_same_model(inputs):
    base = TrainParams(epochs=2, eval_every=2, precision="fp32", seed=3)
    a = train(inputs, base, SMALL, device="cpu", progress=False)
    b = train(inputs, base, dataclasses.replace(SMALL, recompute=True), device="cpu", progress=False)
    np.testing.assert_allclose(a.cell_embedding, b.cell_embedding, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_gcn_encoder_trains(inputs, precision):
    config = ModelConfig(encoder="gcn", hidden_dim=32, embedding_dim=8)
    r = train(inputs, TrainParams(epochs=2, eval_every=2, precision=precision), config, device="cpu", progress=False)
    assert np.isfinite(r.cell_embedding).all() and r.summary["precision"] == {"fp32": "float32", "bf16": "bfloat16"}[precision]


@pytest.fixture(scope="module")
def long_history(inputs):
    """One 10-epoch run evaluated every epoch; every rule's choice is checked against its history."""
    params = TrainParams(epochs=10, eval_every=1, prune_every=0, precision="fp32", seed=3, selection="last")
    return train(inputs, params, SMALL, device="cpu", progress=False).history


@pytest.mark.parametrize("rule", ["auroc", "last", "expr", "combined"])
def test_selection_rule_keeps_the_epoch_it_implies(inputs, long_history, rule, tmp_path):
    import torch

    params = TrainParams(epochs=10, eval_every=1, prune_every=0, precision="fp32", seed=3, selection=rule)
    r = train(inputs, params, SMALL, device="cpu", checkpoint=tmp_path / "m.pt", progress=False)
    h = r.history.set_index("epoch")
    # the rule only picks: every criterion of the run is the same whatever the rule
    np.testing.assert_allclose(h["val_auroc"], long_history.set_index("epoch")["val_auroc"])
    np.testing.assert_allclose(h["val_expr_r"], long_history.set_index("epoch")["val_expr_r"])
    implied = {"auroc": h["val_auroc"].idxmax(), "last": h.index.max(), "expr": h["val_expr_r"].idxmax(),
               "combined": (((2 * h["val_auroc"] - 1) + h["val_expr_r"]) / 2).idxmax()}[rule]
    assert r.summary["best_epoch"] == implied and r.summary["selection"] == rule
    assert r.summary["best_val_auroc"] == h.loc[implied, "val_auroc"]
    assert r.summary["best_val_expr_r"] == h.loc[implied, "val_expr_r"]
    assert torch.load(tmp_path / "m.pt", weights_only=False)["epoch"] == implied


def test_rules_disagree_on_this_run(long_history):
    # the test above is only meaningful if the criteria peak at different evaluations
    h = long_history.set_index("epoch")
    assert len({h["val_auroc"].idxmax(), h["val_expr_r"].idxmax(), h.index.max()}) >= 2


def test_history_records_every_criterion(long_history):
    h = long_history
    for col in ("val_auroc", "val_aupr", "val_expr_r", "val_expr_mse", "val_combined"):
        assert h[col].notna().all(), col
    assert (h["val_expr_r"].iloc[-1] > 0), "the reconstruction does not correlate with held-out entries"


def test_held_out_expression_is_hidden_and_out_of_the_loss():
    import torch

    from scnetflow.train.data import Subset, hold_out_expression
    from scnetflow.train.losses import expression_loss

    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 40)).astype(np.float32)  # (G, s)
    sub = Subset(np.arange(40), 30, torch.from_numpy(x.copy()), torch.from_numpy(x.T.copy()), np.zeros((0, 2)),
                  np.zeros(0))
    target_genes = np.array([1, 3, 4])
    hold_out_expression([sub], target_genes, 0.2, rng)
    rows, cols = (h.numpy() for h in sub.held)
    assert len(rows) == round(0.2 * 30 * 3) and rows.max() < 30  # own cells only
    assert (sub.x.numpy()[target_genes[cols], rows] == 0).all()
    unchanged = np.ones_like(x, bool)
    unchanged[target_genes[cols], rows] = False
    np.testing.assert_array_equal(sub.x.numpy()[unchanged], x[unchanged])
    # the loss ignores the held-out entries: changing their targets leaves it as it is
    mask = torch.zeros(6, dtype=torch.bool)
    mask[target_genes] = True
    recon = torch.from_numpy(rng.standard_normal((40, 6)).astype(np.float32))
    other = sub.target.clone()
    other[:, mask] = other[:, mask].index_put((sub.held[0], sub.held[1]), torch.tensor(99.0))
    a = expression_loss(recon, sub.target, mask, sub.held)
    b = expression_loss(recon, other, mask, sub.held)
    assert torch.equal(a, b) and not torch.equal(expression_loss(recon, other, mask), a)


def test_selection_needing_expression_refuses_no_held_out_entries(inputs):
    from scnetflow.errors import InputError

    with pytest.raises(InputError, match="--expr-val-fraction"):
        train(inputs, TrainParams(epochs=1, selection="combined", expr_val_fraction=0.0), SMALL, device="cpu",
              progress=False)


def test_keep_rules_return_what_each_rule_alone_keeps(inputs, long_history):
    params = TrainParams(epochs=10, eval_every=1, prune_every=0, precision="fp32", seed=3, selection="auroc")
    r = train(inputs, params, SMALL, device="cpu", progress=False, keep_rules=("last", "combined"))
    assert set(r.alternatives) == {"last", "combined"}
    alone = train(inputs, TrainParams(**{**params.__dict__, "selection": "combined"}), SMALL, device="cpu",
                  progress=False)
    alt = r.alternatives["combined"]
    assert alt.summary["best_epoch"] == alone.summary["best_epoch"]
    np.testing.assert_array_equal(alt.cell_embedding, alone.cell_embedding)
    np.testing.assert_array_equal(alt.reconstruction, alone.reconstruction)
    assert r.alternatives["last"].summary["best_epoch"] == 10


def test_reconstruction_is_in_expression_units(inputs):
    """Each gene's reconstruction has the gene's mean and sd in X; the trained genes are marked."""
    inputs = inputs.copy()
    inputs.var["highly_variable"] = np.arange(inputs.n_vars) % 3 > 0  # a third of the genes off target
    r = train(inputs, TrainParams(epochs=2, eval_every=2, precision="fp32"), SMALL, device="cpu", progress=False)
    X = inputs.X.toarray() if hasattr(inputs.X, "toarray") else np.asarray(inputs.X)
    np.testing.assert_allclose(r.reconstruction.mean(0), X.mean(0), atol=1e-4)
    varies = X.std(0) > 0
    # the standardisation divides by sd + 1e-5 (as the loss): a decoder output with little spread comes out a
    # little under its gene's sd
    np.testing.assert_allclose(r.reconstruction.std(0)[varies], X.std(0)[varies], rtol=2e-2)
    hvg = inputs.var["highly_variable"].to_numpy(bool)
    assert r.target.tolist() == hvg.tolist() and r.summary["n_target_genes"] == hvg.sum() < inputs.n_vars
    rec = r.reconstruction_anndata(inputs)
    assert rec.var["reconstruction_target"].tolist() == hvg.tolist() and rec.shape == inputs.shape


def test_expression_units_inverts_the_standardisation():
    from scnetflow.train import expression_units

    rng = np.random.default_rng(0)
    X = rng.gamma(2.0, 1.0, size=(50, 4)).astype(np.float32)
    X[:, 3] = 1.5  # constant gene: its mean
    recon = 7.0 * (X - X.mean(0)) / (X.std(0) + 1e-5) - 3.0  # a decoder output with its own offset and scale
    out = expression_units(recon, X)
    np.testing.assert_allclose(out[:, :3], X[:, :3], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out[:, 3], 1.5)


def test_all_target_genes_and_lowrank_sage_train(inputs):
    config = ModelConfig(encoder="lowrank_sage", encoder_init="identity", encoder_rank=4, hidden_dim=32, embedding_dim=8)
    params = TrainParams(epochs=4, eval_every=2, precision="fp32", target_genes="all", selection="last")
    r = train(inputs, params, config, device="cpu", progress=False)
    assert r.target.all() and r.summary["n_target_genes"] == inputs.n_vars
    assert np.isfinite(r.cell_embedding).all() and r.history["loss_expr"].iloc[-1] < r.history["loss_expr"].iloc[0]
    again = train(inputs, params, config, device="cpu", progress=False)
    np.testing.assert_array_equal(r.cell_embedding, again.cell_embedding)  # deterministic on CPU
    with pytest.raises(Exception, match="unknown target genes"):
        train(inputs, TrainParams(epochs=1, target_genes="some"), config, device="cpu", progress=False)


def test_sample_non_edges_avoids_edges_and_self_loops():
    import torch

    from scnetflow.train.data import sample_non_edges, sorted_edge_keys

    n = 30
    dense = torch.rand(n, n, generator=torch.Generator().manual_seed(0)) < 0.5  # a dense graph: many redraws
    dense = dense | dense.t()
    edge_index = dense.nonzero().t()
    keys = sorted_edge_keys(edge_index, n)
    torch.manual_seed(1)
    neg = sample_non_edges(keys, n, 5000)
    assert neg.shape == (2, 5000)
    assert not dense[neg[0], neg[1]].any() and (neg[0] != neg[1]).all()
    # uniform over the non-edges: every one is drawn, none far more often than the rest
    counts = torch.zeros(n, n).index_put_((neg[0], neg[1]), torch.ones(5000), accumulate=True)
    allowed = ~dense & ~torch.eye(n, dtype=torch.bool)
    assert (counts[allowed] > 0).float().mean() > 0.95 and counts[allowed].max() < 5 * 5000 / allowed.sum()
    torch.manual_seed(1)
    assert torch.equal(sample_non_edges(keys, n, 5000), neg)
    assert sample_non_edges(keys[:0], n, 10).shape == (2, 10)  # no edges at all


def test_full_width_runs_are_deterministic_at_two_threads():
    """The pipeline's defaults (full width, every expressed gene) on 2 threads. The PPI decoder's gene pairs
    repeat genes; gathered by indexing (``zg[pairs[0]]``), their gradients were summed in thread-timing order
    and two runs differed by 3e-3 after 2 epochs on a 2-core Xeon. ``index_select`` sums them in order."""
    import torch

    q, _ = run_qc(ad.read_h5ad(TEST_DATA / "kang_ctrl.h5ad"), QCParams(min_genes=20, n_neighbors=15))
    g, _ = build_model_inputs(q, read_ppi(TEST_DATA / "ppi_subset.csv.gz"), GraphsParams())
    params = TrainParams(epochs=2, eval_every=2, prune_every=0, precision="fp32", n_neighbors=15)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        runs = [train(g, params, ModelConfig(), device="cpu", progress=False) for _ in range(2)]
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_array_equal(runs[0].cell_embedding, runs[1].cell_embedding)
    np.testing.assert_array_equal(runs[0].gene_embedding.to_numpy(), runs[1].gene_embedding.to_numpy())


def test_weight_average_is_the_bias_corrected_geometric_mean_of_the_steps():
    import torch

    from scnetflow.train.averaging import WeightAverage

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    avg = WeightAverage(model, decay=0.9)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    trajectory = []
    for _ in range(7):
        opt.zero_grad()
        model(torch.randn(5, 4)).pow(2).sum().backward()
        opt.step()
        avg.update()
        trajectory.append(model.weight.detach().clone())
    weights = torch.tensor([0.1 * 0.9 ** (6 - s) for s in range(7)])
    expected = (weights[:, None, None] * torch.stack(trajectory)).sum(0) / weights.sum()
    live = model.weight.detach().clone()
    with avg.applied():
        torch.testing.assert_close(model.weight.detach(), expected)
    torch.testing.assert_close(model.weight.detach(), live, rtol=0, atol=0)  # live weights restored exactly


def test_weight_averaged_training_keeps_and_saves_the_averaged_model(inputs, tmp_path):
    """With --ema-decay the evaluations, outputs and checkpoint are the averaged model's; training itself (the
    live weights, hence the training losses) is the same run as without it."""
    import torch

    from scnetflow.train import Trainer

    base = TrainParams(epochs=8, eval_every=4, prune_every=0, precision="fp32", seed=2)
    plain = train(inputs, base, SMALL, device="cpu", progress=False)
    trainer = Trainer(inputs, dataclasses.replace(base, ema_decay=0.8), SMALL, device="cpu")
    ema = trainer.fit(tmp_path / "ema.pt", progress=False)
    np.testing.assert_array_equal(plain.history["loss"], ema.history["loss"])
    assert not np.allclose(plain.gene_embedding.to_numpy(), ema.gene_embedding.to_numpy())
    assert not np.allclose(plain.history["val_expr_mse"].dropna(), ema.history["val_expr_mse"].dropna())
    # the checkpoint (selection last: epoch 8) holds the average of every step's weights, not the live ones
    saved = torch.load(tmp_path / "ema.pt", weights_only=False)
    assert saved["epoch"] == 8 and saved["train_params"]["ema_decay"] == 0.8
    avg = trainer.average
    assert avg.steps == 8 * base.n_edge_batches
    names = {id(p): n for n, p in trainer.model.named_parameters()}
    for mean, param in zip(avg.mean, avg.params):
        torch.testing.assert_close(saved["state_dict"][names[id(param)]], mean / (1 - 0.8 ** avg.steps))
    assert any(not torch.equal(saved["state_dict"][n], p) for n, p in trainer.model.named_parameters())


def test_keep_degree_split_leaves_every_gene_a_training_edge(inputs):
    """On the bundled PPI the uniform split strips genes of every edge; keep_degree holds out as many edges
    and none of them a gene's last, and uniform is the split it always was (the same random order)."""
    from scnetflow.train.data import split_ppi

    ppi = inputs.varp["ppi"]
    degree = np.bincount(np.stack(sp.triu(ppi, k=1).nonzero()).ravel(), minlength=ppi.shape[0])
    split = {s: split_ppi(ppi, 0.2, np.random.default_rng(0), s) for s in ("uniform", "keep_degree")}
    trained = {s: np.bincount(tr.ravel(), minlength=ppi.shape[0]) for s, (tr, _, _) in split.items()}
    assert ((trained["uniform"] == 0) & (degree > 0)).sum() > 0, "no gene lost its edges: the test shows nothing"
    assert (trained["keep_degree"][degree > 0] >= 1).all()
    for s, (tr, va, neg) in split.items():
        assert len(va) == len(neg) == round(0.2 * degree.sum() / 2) and len(tr) + len(va) == degree.sum() // 2
        assert not set(map(tuple, tr.tolist())) & set(map(tuple, va.tolist()))
    # uniform: held-out edges are the first 20 % of the permutation, as before val_split existed
    upper = sp.triu(ppi, k=1).tocoo()
    edges = np.stack([upper.row, upper.col], axis=1)
    order = np.random.default_rng(0).permutation(len(edges))
    np.testing.assert_array_equal(split["uniform"][1], edges[order[:len(split["uniform"][1])]])
    np.testing.assert_array_equal(split["uniform"][0], edges[order[len(split["uniform"][1]):]])


def test_keep_degree_split_holds_out_fewer_edges_when_too_few_qualify():
    from scnetflow.train.data import split_ppi

    star = sp.csr_matrix((np.ones(8), (np.r_[[0] * 4, 1, 2, 3, 4], np.r_[1, 2, 3, 4, [0] * 4])), shape=(5, 5))
    train_edges, val, neg = split_ppi(star, 0.5, np.random.default_rng(0), "keep_degree")
    assert len(val) == len(neg) == 0 and len(train_edges) == 4  # every leaf's only edge stays in training


def _densest_batch_share(batches, n_cells: int) -> float:
    """Mean over cells of the largest fraction of the cell's KNN edges that one batch holds."""
    per_batch = np.stack([np.bincount(b.ravel(), minlength=n_cells) for b in batches])
    return float((per_batch.max(axis=0) / np.maximum(per_batch.sum(axis=0), 1)).mean())


def test_eval_batches_partition_the_edges_as_training_draws_them(inputs):
    """Random partitions hold each edge once per partition, the same at every evaluation, and give a cell about
    1/n_batches of its edges per batch; contiguous batches of the sorted edges (0) give most cells far more."""
    from scnetflow.train.trainer import EVAL_STREAM, Trainer

    def batches(partitions: int) -> tuple[list[np.ndarray], np.ndarray]:
        t = Trainer(inputs, TrainParams(eval_partitions=partitions, precision="fp32"), SMALL, device="cpu")
        return t.eval_batches(t.subsets[0].edges, np.random.default_rng([0, EVAL_STREAM])), t.subsets[0].edges

    (contiguous, edges), (one, _), (two, _) = batches(0), batches(1), batches(2)
    assert len(contiguous) == len(one) == 5 and len(two) == 10
    for got, expected in zip(contiguous, np.array_split(edges, 5)):
        np.testing.assert_array_equal(got, expected)
    key = lambda b: np.sort(np.concatenate(b)[:, 0] * len(edges) + np.concatenate(b)[:, 1])  # noqa: E731
    np.testing.assert_array_equal(key(one), key([edges]))  # each edge once
    np.testing.assert_array_equal(key(two), key([edges, edges]))  # once per partition
    assert max(map(len, one)) - min(map(len, one)) <= 1
    for a, b in zip(one, batches(1)[0]):  # the same generator seed, the same partition
        np.testing.assert_array_equal(a, b)
    n = inputs.n_obs
    assert _densest_batch_share(one, n) < 0.45 < _densest_batch_share(contiguous, n)


def test_eval_partitions_change_only_the_outputs(inputs):
    """The evaluation draws from a generator of its own: losses and pruning are the same under every
    eval_partitions; the outputs are the model evaluated on other batches."""
    params = TrainParams(epochs=4, eval_every=2, prune_every=2, precision="fp32", seed=3)
    runs = {k: train(inputs, dataclasses.replace(params, eval_partitions=k), SMALL, device="cpu", progress=False)
            for k in (0, 1, 2)}
    losses = ["loss", "loss_ppi", "loss_expr", "n_knn_edges", "n_pruned"]
    for k, r in runs.items():
        assert r.history[losses].equals(runs[0].history[losses]) and (r.knn != runs[0].knn).nnz == 0
        assert r.summary["eval_partitions"] == k
        if k:
            assert np.abs(r.cell_embedding - runs[0].cell_embedding).max() > 1e-3
            assert np.abs(r.reconstruction - runs[0].reconstruction).max() > 1e-3


def test_quality_readouts_reproduce_the_written_cell_embedding(inputs, monkeypatch):
    """benchmarks/quality/readouts.py: its ``wmean`` readout under p0 and p1 is the cell embedding the train
    step writes under --eval-partitions 0 and 1 (the same weights, batches and normalisation); the root term
    alone is another embedding, written as unit rows (root) and as it is (root_raw)."""
    import importlib.util
    import sys

    from scnetflow.train.trainer import Trainer

    path = TEST_DATA.parents[1] / "benchmarks" / "quality" / "readouts.py"
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts its folder first, for run_suite
    spec = importlib.util.spec_from_file_location("quality_readouts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    params = TrainParams(epochs=4, eval_every=2, prune_every=2, precision="fp32", seed=3, selection="last")
    for k in (0, 1):
        trainer = Trainer(inputs, dataclasses.replace(params, eval_partitions=k), SMALL, device="cpu")
        written = trainer.fit(None, False).cell_embedding
        ro = module.readouts(trainer, f"p{k}")
        np.testing.assert_allclose(ro["wmean"], written, atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(ro["root"], axis=1), 1, atol=1e-5)
        assert np.abs(ro["root"] - ro["wmean"]).max() > 1e-2
        assert np.abs(np.linalg.norm(ro["root_raw"], axis=1) - 1).max() > 1e-2
