"""scNET layers and model on hand-built tiny graphs."""

from __future__ import annotations

import pytest
import torch

from scnetflow.model import BackwardAdam, CSRGCNConv, DualViewBlock, Graph, ModelConfig, ScNET, SigmoidTransformerConv

# 4 cells in a ring, 3 genes in a path
KNN = torch.tensor([[0, 1, 1, 2, 2, 3, 3, 0], [1, 0, 2, 1, 3, 2, 0, 3]])
PPI = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])


def test_sigmoid_attention_is_unnormalised():
    torch.manual_seed(0)
    conv = SigmoidTransformerConv(5, 2)
    x = torch.randn(4, 5)
    out, (ei, alpha) = conv(x, KNN, return_attention_weights=True)
    assert out.shape == (4, 2) and alpha.shape == (8,) or alpha.shape == (8, 1)
    assert ((alpha > 0) & (alpha < 1)).all()
    # per-node sums are not 1, unlike softmax attention
    sums = torch.zeros(4).index_add_(0, KNN[1], alpha.view(-1))
    assert not torch.allclose(sums, torch.ones(4))
    assert "temperature=3.0" in repr(conv)


def _star(n_leaves: int) -> torch.Tensor:
    """Edges from leaves 1..n into node 0."""
    leaves = torch.arange(1, n_leaves + 1)
    return torch.stack([leaves, torch.zeros_like(leaves)])


@pytest.mark.parametrize("aggr", ["mean", "weighted_mean", "sum"])
def test_sigmoid_attention_aggregation_and_degree(aggr):
    """Mean and weighted mean: the centre's output is the same with 2 or 9 identical neighbours (and equals the
    explicit formula); sum: it grows with the neighbours, which after pruning made embedding norms track degree."""
    torch.manual_seed(0)
    conv = SigmoidTransformerConv(5, 3, aggr=aggr).eval()
    assert SigmoidTransformerConv(5, 3).aggr == "add"  # the authors' sum by default
    with torch.no_grad():  # every logit exactly 0, so every score is 0.5 whatever the degree
        conv.lin_query.weight.zero_()
        conv.lin_query.bias.zero_()
    centre, leaf = torch.randn(1, 5), torch.randn(1, 5)
    outs = []
    for n in (2, 9):
        x = torch.cat([centre, leaf.expand(n, 5)])
        out, (ei, alpha) = conv(x, _star(n), return_attention_weights=True)
        into_centre = alpha.view(-1)[ei[1] == 0]
        torch.testing.assert_close(into_centre, torch.full((n,), 0.5))
        msg = conv.lin_value(leaf) * into_centre.view(-1, 1)
        agg = {"mean": msg.mean(0), "weighted_mean": msg.sum(0) / into_centre.sum(), "sum": msg.sum(0)}[aggr]
        expect = conv.lin_skip(centre) + agg
        torch.testing.assert_close(out[0], expect[0])
        outs.append(out[0])
    if aggr != "sum":
        torch.testing.assert_close(outs[0], outs[1])
    else:
        assert not torch.allclose(outs[0], outs[1], atol=1e-3)
    assert f"aggr={aggr}" in repr(conv)
    with pytest.raises(ValueError, match="aggr must be one of"):
        SigmoidTransformerConv(5, 3, aggr="max")


def test_sigmoid_attention_weighted_mean_normalises_per_node_only():
    """Unequal scores: weighted_mean is sum_j a_ij v_j / sum_j a_ij per node, and the scores it returns
    (those pruning compares across the graph) are the global sigmoid scores, the same as under sum."""
    torch.manual_seed(1)
    x, ei = torch.randn(8, 5), torch.tensor([[1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 1, 1, 2]])
    summed = SigmoidTransformerConv(5, 3).eval()
    weighted = SigmoidTransformerConv(5, 3, aggr="weighted_mean").eval()
    weighted.load_state_dict(summed.state_dict())
    out_s, (_, alpha_s) = summed(x, ei, return_attention_weights=True)
    out_w, (_, alpha_w) = weighted(x, ei, return_attention_weights=True)
    torch.testing.assert_close(alpha_w, alpha_s)
    a = alpha_w.view(-1)
    assert a.std() > 0.05  # the scores do differ, so a plain mean would not pass the check below
    msg = weighted.lin_value(x[ei[0]]) * a.view(-1, 1)
    for node in (0, 1, 2):
        on = ei[1] == node
        torch.testing.assert_close(out_w[node], weighted.lin_skip(x[node]) + msg[on].sum(0) / a[on].sum())
        torch.testing.assert_close(out_s[node], summed.lin_skip(x[node]) + msg[on].sum(0))
    torch.testing.assert_close(out_w[3:], weighted.lin_skip(x[3:]))  # no in-edges: the skip term only


@pytest.mark.parametrize("built", ["sum", "mean", "weighted_mean"])
def test_sigmoid_attention_reaggregate_matches_a_layer_built_that_way(built):
    """reaggregate() turns one layer's output into what the same weights give under every other aggregation,
    from the output and scores alone; a node without in-edges keeps the skip term."""
    torch.manual_seed(2)
    x, ei = torch.randn(8, 5), torch.tensor([[1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 1, 1, 2]])
    layers = {aggr: SigmoidTransformerConv(5, 3, aggr=aggr).eval() for aggr in ("sum", "mean", "weighted_mean")}
    for layer in layers.values():
        layer.load_state_dict(layers["sum"].state_dict())
    with torch.no_grad():
        out, (_, alpha) = layers[built](x, ei, return_attention_weights=True)
        outs = {aggr: layer(x, ei) for aggr, layer in layers.items()}
        assert not torch.allclose(outs["mean"], outs["weighted_mean"], atol=1e-3)  # the scores differ
        for aggr, expect in outs.items():
            got = layers[built].reaggregate(x, out, ei, alpha, aggr)
            torch.testing.assert_close(got, expect, rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(got[3:], layers[built].lin_skip(x[3:]))
    with pytest.raises(ValueError, match="aggr must be one of"):
        layers[built].reaggregate(x, out, ei, alpha, "max")


def test_model_cell_embedding_aggr_leaves_the_reconstruction():
    """ScNET(cell_embedding_aggr=...) changes Z_c only; the decoder reads the aggregation it was built with."""
    torch.manual_seed(3)
    model = ScNET(3, 4, ModelConfig(hidden_dim=8, embedding_dim=2)).eval()
    x, knn, ppi = torch.randn(3, 4), Graph.from_edge_index(KNN, 4), Graph.from_edge_index(PPI, 3)
    with torch.no_grad():
        zg, zc, recon, alpha = model(x, knn, ppi)
        zg_m, zc_m, recon_m, alpha_m = model(x, knn, ppi, cell_embedding_aggr="mean")
    for a, b in ((zg, zg_m), (recon, recon_m), (alpha, alpha_m)):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.allclose(zc, zc_m, atol=1e-4)  # every ring cell has 2 neighbours: the sum halves


@pytest.mark.parametrize("autocast", [False, True])
def test_csr_gcn_matches_pyg_gcn(autocast):
    from torch_geometric.nn import GCNConv

    torch.manual_seed(0)
    ours, pyg = CSRGCNConv(5, 3), GCNConv(5, 3)
    torch.nn.init.normal_(pyg.bias)
    ours.load_state_dict(pyg.state_dict())  # the same parameters, so checkpoints load either way
    x = torch.randn(4, 5, requires_grad=True)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        out = ours(x, Graph.from_edge_index(KNN, 4).head_adj)
        ref = pyg(x, KNN)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, ref.float(), atol=0 if not autocast else 2e-2, rtol=1e-5 if not autocast else 2e-2)
    (grad,) = torch.autograd.grad(out.sum(), x)
    (grad_ref,) = torch.autograd.grad(ref.float().sum(), x)
    torch.testing.assert_close(grad, grad_ref, atol=2e-2, rtol=2e-2)
    with pytest.raises(TypeError, match="normalised CSR adjacency"):
        ours(x, KNN)


@pytest.mark.parametrize("encoder", ["sage", "gcn", "lowrank", "lowrank_sage"])
def test_dual_view_block_shapes(encoder):
    block = DualViewBlock(n_genes=3, n_cells=4, encoder=encoder)
    knn, ppi = Graph.from_edge_index(KNN, 4), Graph.from_edge_index(PPI, 3)
    out = block(torch.randn(3, 4), knn.encoder_adj(encoder), ppi.encoder_adj(encoder))
    assert out.shape == (3, 4)
    assert "genes=3, cells=4" in repr(block)


def test_scnet_shapes_and_determinism():
    outs = []
    for _ in range(2):
        torch.manual_seed(1)
        model = ScNET(3, 4, ModelConfig(hidden_dim=8, embedding_dim=2)).eval()
        zg, zc, recon, alpha = model(torch.randn(3, 4), Graph.from_edge_index(KNN, 4), Graph.from_edge_index(PPI, 3))
        outs.append(zc)
    assert zg.shape == (3, 2) and zc.shape == (4, 2) and recon.shape == (4, 3) and alpha.shape == (8,)
    assert torch.equal(outs[0], outs[1])
    assert ScNET.ppi_logits(zg, PPI).shape == (4,)


def test_backward_adam_matches_torch_adam():
    torch.manual_seed(0)
    a = torch.nn.Linear(6, 5)
    b = torch.nn.Linear(6, 5)
    b.load_state_dict(a.state_dict())
    ours = BackwardAdam(a.parameters(), lr=1e-2, weight_decay=1e-3, chunk=7)
    ref = torch.optim.Adam(b.parameters(), lr=1e-2, weight_decay=1e-3)
    x = torch.randn(10, 6)
    for _ in range(5):
        ours.begin_step()
        a(x).pow(2).sum().backward()
        ref.zero_grad()
        b(x).pow(2).sum().backward()
        ref.step()
    assert a.weight.grad is None  # freed inside backward
    torch.testing.assert_close(a.weight, b.weight)
    torch.testing.assert_close(a.bias, b.bias)


def test_backward_adam_groups_take_their_own_lr_like_torch_adam():
    torch.manual_seed(0)
    a1, a2 = torch.nn.Linear(6, 5), torch.nn.Linear(5, 3)
    b1, b2 = torch.nn.Linear(6, 5), torch.nn.Linear(5, 3)
    b1.load_state_dict(a1.state_dict())
    b2.load_state_dict(a2.state_dict())
    start = a2.weight.detach().clone()
    ours = BackwardAdam([{"params": a1.parameters()}, {"params": a2.parameters(), "lr": 3e-2}], lr=1e-2)
    ref = torch.optim.Adam([{"params": b1.parameters()}, {"params": b2.parameters(), "lr": 3e-2}], lr=1e-2)
    x = torch.randn(10, 6)
    for _ in range(3):
        ours.begin_step()
        a2(a1(x)).pow(2).sum().backward()
        ref.zero_grad()
        b2(b1(x)).pow(2).sum().backward()
        ref.step()
    for ours_p, ref_p in ((a1.weight, b1.weight), (a2.weight, b2.weight), (a2.bias, b2.bias)):
        torch.testing.assert_close(ours_p, ref_p)
    assert (a2.weight - start).abs().max() > 5e-2  # three steps of about 3e-2 each, not 1e-2


def test_backward_adam_bfloat16_weights_follow_float32():
    torch.manual_seed(0)
    a = torch.nn.Linear(64, 64)
    b = torch.nn.Linear(64, 64).to(torch.bfloat16)
    b.load_state_dict({k: v.to(torch.bfloat16) for k, v in a.state_dict().items()})
    start = b.weight.detach().clone()
    ours32 = BackwardAdam(a.parameters(), lr=1e-4)
    ours16 = BackwardAdam(b.parameters(), lr=1e-4, state_dtype=torch.bfloat16)
    x = torch.randn(32, 64)
    for _ in range(20):
        for opt, layer in ((ours32, a), (ours16, b)):
            opt.begin_step()
            layer(x.to(layer.weight.dtype)).float().pow(2).sum().backward()
    assert b.weight.dtype == torch.bfloat16
    moved = (b.weight.float() - start.float()).abs().mean()
    assert moved > 1e-4  # lr 1e-4 steps are below bf16 resolution: only stochastic rounding moves them
    err = (b.weight.float() - a.weight).abs().mean()
    assert err < 0.2 * (a.weight - start.float()).abs().mean() + 4e-3


def test_dropout_keeps_1_minus_p_and_rescales():
    from scnetflow.model.dropout import Dropout

    torch.manual_seed(0)
    drop = Dropout(0.25)
    x = torch.ones(400, 500, requires_grad=True)
    y = drop(x)
    kept = y != 0
    assert abs(kept.float().mean().item() - 0.75) < 0.01  # 200,000 draws: sd of the mean ~0.001
    assert torch.allclose(y[kept], torch.full_like(y[kept], 1 / 0.75))
    y.sum().backward()
    assert torch.equal(x.grad != 0, kept)  # gradient flows only where the entry was kept
    assert torch.allclose(x.grad[kept], torch.full_like(x.grad[kept], 1 / 0.75))
    torch.manual_seed(1)
    b = Dropout(0.25)(torch.ones(4, 4, dtype=torch.bfloat16))
    assert b.dtype == torch.bfloat16
    drop.eval()
    assert drop(x) is x
    with pytest.raises(ValueError, match="dropout probability"):
        Dropout(1.0)


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.6])  # 0.25 and 0.5: eight 7-bit lanes; else four 15-bit
def test_keep_mask_rate_and_independence(p):
    from scnetflow.model.dropout import keep_mask

    torch.manual_seed(0)
    m = keep_mask((1000, 401), p).float()  # odd width: the lanes of one draw straddle rows
    assert abs(m.mean().item() - (1 - p)) < 0.005  # 401,000 draws: sd of the mean < 0.001
    flat = m.view(-1)
    for lag in range(1, 9):  # entries from one 64-bit draw are uncorrelated
        if lag == 8:  # the same lane of consecutive draws, the top one included, keeps the rate
            for lane in range(8):
                assert abs(flat[lane::8].mean().item() - (1 - p)) < 0.01
        r = torch.corrcoef(torch.stack([flat[:-lag], flat[lag:]]))[0, 1].item()
        assert abs(r) < 0.01
    torch.manual_seed(0)
    assert torch.equal(keep_mask((1000, 401), p).float(), m)  # seeded by torch's generator


def _dense_gcn_adj(edge_index: torch.Tensor, n: int) -> torch.Tensor:
    """D^-1/2 (A + I) D^-1/2, dense, built by hand (independent of PyG's gcn_norm)."""
    a = torch.eye(n)
    a[edge_index[1], edge_index[0]] = 1.0
    d = a.sum(dim=1).rsqrt()
    return d[:, None] * a * d[None, :]


@pytest.mark.parametrize("init", ["random", "identity"])
def test_lowrank_conv_matches_dense_reference(init):
    from scnetflow.model import LowRankGCNConv
    from scnetflow.model.layers import _identity_init

    torch.manual_seed(0)
    conv = LowRankGCNConv(5, rank=2)
    if init == "identity":
        _identity_init(conv)
    else:
        torch.nn.init.normal_(conv.bias)
    x = torch.randn(4, 5, requires_grad=True)
    out = conv(x, Graph.from_edge_index(KNN, 4).head_adj)
    w = torch.diag(conv.scale) + conv.u @ conv.v.t()  # the dense G x G weight the layer never forms
    ref = _dense_gcn_adj(KNN, 4) @ (x @ w) + conv.bias
    assert out.shape == (4, 5) and out.dtype == torch.float32
    torch.testing.assert_close(out, ref)
    if init == "identity":  # starts as the pure smoothing
        torch.testing.assert_close(out, _dense_gcn_adj(KNN, 4) @ x)
    g = torch.randn(4, 5)
    grads = torch.autograd.grad((out * g).sum(), [x, conv.scale, conv.u, conv.v, conv.bias])
    grads_ref = torch.autograd.grad((ref * g).sum(), [x, conv.scale, conv.u, conv.v, conv.bias])
    for a, b in zip(grads, grads_ref):
        torch.testing.assert_close(a, b)
    nonzero = [gr.abs().sum().item() > 0 for gr in grads]
    # from the identity start (V = 0) U gets no gradient until V moves; V's is driven by X U, U != 0
    assert nonzero == ([True, True, False, True, True] if init == "identity" else [True] * 5)
    assert repr(conv) == "LowRankGCNConv(5, rank=2)"
    with pytest.raises(TypeError, match="normalised CSR adjacency"):
        conv(x, KNN)


def test_lowrank_conv_random_init_matches_dense_layer_scale():
    from scnetflow.model import LowRankGCNConv

    torch.manual_seed(0)
    conv = LowRankGCNConv(400, rank=16)
    w = torch.diag(conv.scale) + conv.u @ conv.v.t()
    off = w[~torch.eye(400, dtype=torch.bool)]
    ref = torch.nn.Linear(400, 400).weight  # PyTorch's default dense init: variance 1 / (3 F)
    assert 0.8 < off.var().item() / ref.var().item() < 1.25
    assert conv.u.shape == conv.v.shape == (400, 16) and sum(p.numel() for p in conv.parameters()) == 400 * 34


def test_lowrank_under_bfloat16_autocast_is_float32():
    from scnetflow.model import LowRankGCNConv

    torch.manual_seed(0)
    conv = LowRankGCNConv(5, rank=3)
    x = torch.randn(4, 5)
    adj = Graph.from_edge_index(KNN, 4).head_adj
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = conv(x.to(torch.bfloat16), adj)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, conv(x.to(torch.bfloat16).float(), adj))
    conv.to(torch.bfloat16)  # the trainer's storage for large encoders
    out = conv(x, adj)
    assert out.dtype == torch.float32
    out.sum().backward()
    assert conv.u.grad.dtype == torch.bfloat16


@pytest.mark.parametrize("encoder", ["lowrank", "lowrank_sage"])
def test_lowrank_scnet_determinism_gradients_and_size(encoder):
    config = ModelConfig(encoder=encoder, encoder_rank=2, hidden_dim=8, embedding_dim=2)
    outs = []
    for _ in range(2):
        torch.manual_seed(3)
        model = ScNET(3, 4, config)
        x = torch.randn(3, 4)
        zg, zc, recon, alpha = model(x, Graph.from_edge_index(KNN, 4), Graph.from_edge_index(PPI, 3))
        (zg.sum() + zc.sum() + recon.sum()).backward()
        outs.append((zc.detach(), model.encoder[0].cell_conv.u.grad.clone()))
    assert zg.shape == (3, 2) and zc.shape == (4, 2) and recon.shape == (4, 3) and alpha.shape == (8,)
    assert torch.equal(outs[0][0], outs[1][0]) and torch.equal(outs[0][1], outs[1][1])  # training mode: same dropout
    for block in model.encoder:
        for p in block.parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all()
    # no G x G or C x C weights: 3 blocks x (genes + cells) x (2 r + 2)
    enc = sum(p.numel() for p in model.encoder.parameters())
    assert enc == 3 * (3 + 4) * (2 * 2 + 2)
    assert f"encoder={encoder}, rank=2" in repr(model) and "rank=2" in repr(model.encoder[0])
    state = model.state_dict()
    assert {"encoder.0.cell_conv.scale", "encoder.0.cell_conv.u", "encoder.0.cell_conv.v",
            "encoder.0.gene_conv.bias"} <= set(state)
    with pytest.raises(ValueError, match="rank must be >= 1"):
        ScNET(3, 4, ModelConfig(encoder=encoder, encoder_rank=0))


def test_auto_encoder_is_full_width_below_the_weight_bound_and_low_rank_above():
    from scnetflow.model import FULL_WIDTH_MAX, full_width_weights, resolve_config

    auto = ModelConfig()
    assert (auto.encoder, auto.encoder_init) == ("auto", "auto")
    # the real SAGE encoder's weight count is what the bound is compared with
    block = DualViewBlock(n_genes=30, n_cells=20, encoder="sage")
    assert full_width_weights(30, 20, n_layers=1) == sum(p.numel() for p in block.parameters())
    # CellBench Drop-seq (1,497 HVG PPI genes x 225 cells): full width; Kang (7,848 genes x 1,000 cells): low rank
    assert full_width_weights(1497, 225) < FULL_WIDTH_MAX < full_width_weights(7848, 1000)
    small, large = resolve_config(auto, 1497, 225), resolve_config(auto, 7848, 1000)
    assert (small.encoder, small.encoder_init) == ("sage", "random")
    assert (large.encoder, large.encoder_init) == ("lowrank_sage", "identity")
    # explicit values are kept; an explicit low-rank encoder still takes identity from init "auto"
    assert resolve_config(ModelConfig(encoder="gcn", encoder_init="identity"), 7848, 1000).encoder == "gcn"
    assert resolve_config(ModelConfig(encoder="lowrank"), 10, 10).encoder_init == "identity"
    assert resolve_config(ModelConfig(encoder="lowrank", encoder_init="random"), 10, 10).encoder_init == "random"
    model = ScNET(3, 4, ModelConfig(hidden_dim=8, embedding_dim=2))
    assert model.config.encoder == "sage" and "encoder=sage" in repr(model)


def test_leaky_dropout_equals_leaky_relu_then_dropout():
    from scnetflow.model.dropout import Dropout, leaky_dropout

    x = torch.randn(40, 30, requires_grad=True)
    torch.manual_seed(5)
    out = leaky_dropout(x, 0.25, training=True)
    torch.manual_seed(5)
    ref = Dropout(0.25)(torch.nn.functional.leaky_relu(x))  # the same mask draw
    torch.testing.assert_close(out, ref)
    g = torch.randn(40, 30)
    torch.testing.assert_close(torch.autograd.grad((out * g).sum(), x)[0], torch.autograd.grad((ref * g).sum(), x)[0])
    torch.testing.assert_close(leaky_dropout(x, 0.25, training=False), torch.nn.functional.leaky_relu(x))


def test_symmetric_spmm_gradient_matches_dense():
    from scnetflow.model.sparse import symmetric_spmm

    adj = Graph.from_edge_index(PPI, 3).head_adj
    dense = _dense_gcn_adj(PPI, 3)
    torch.testing.assert_close(adj.to_dense(), dense.t())  # undirected: the stored transpose is A itself
    x = torch.randn(3, 4, requires_grad=True)
    g = torch.randn(3, 4)
    out = symmetric_spmm(adj, x)
    torch.testing.assert_close(out, dense @ x)
    torch.testing.assert_close(torch.autograd.grad((out * g).sum(), x)[0], dense.t() @ g)
    with pytest.raises(ValueError, match="not undirected"):
        Graph.from_edge_index(torch.tensor([[0, 1], [1, 2]]), 3)


@pytest.mark.parametrize("layout", ["node_major", "feature_major"])
@pytest.mark.parametrize("init", ["random", "identity"])
def test_lowrank_sage_conv_matches_dense_reference(layout, init):
    from scnetflow.model import LowRankSAGEConv

    torch.manual_seed(0)
    conv = LowRankSAGEConv(5, rank=2)
    if init == "identity":
        conv.identity_()
    else:
        torch.nn.init.normal_(conv.bias)
    base = torch.randn(4, 5) if layout == "node_major" else torch.randn(5, 4)
    base.requires_grad_(True)
    x = base if layout == "node_major" else base.t()  # the cell view gets the (G, C) input's transposed view
    out = conv(x, Graph.from_edge_index(KNN, 4).head_adj)
    # root weight diag(s), neighbour weight U V^T: the dense F x F weights the layer never forms
    ref = x @ torch.diag(conv.scale) + _dense_gcn_adj(KNN, 4) @ x @ (conv.u @ conv.v.t()) + conv.bias
    assert out.shape == (4, 5) and out.dtype == torch.float32
    assert out.is_contiguous() == (layout == "node_major")  # the output keeps the input's layout
    torch.testing.assert_close(out, ref)
    if init == "identity":
        torch.testing.assert_close(out, x)
    g = torch.randn(4, 5)
    params = [base, conv.scale, conv.u, conv.v, conv.bias]
    grads_ref = torch.autograd.grad((ref * g).sum(), params)
    for a, b in zip(torch.autograd.grad((out * g).sum(), params), grads_ref):
        torch.testing.assert_close(a, b)
    # a gradient arriving in the other layout gives the same result
    (grad_other,) = torch.autograd.grad(conv(x, Graph.from_edge_index(KNN, 4).head_adj), base,
                                        g.t().contiguous().t() if layout == "node_major" else g.contiguous())
    torch.testing.assert_close(grad_other, grads_ref[0])
    with pytest.raises(TypeError, match="normalised CSR adjacency"):
        conv(x, KNN)


def test_lowrank_sage_block_runs_in_one_layout():
    """The block's output equals the two convolutions composed by hand, and is contiguous (G, C)."""
    from scnetflow.model.dropout import leaky_dropout

    torch.manual_seed(0)
    block = DualViewBlock(n_genes=3, n_cells=4, encoder="lowrank_sage", rank=2).eval()
    knn, ppi = Graph.from_edge_index(KNN, 4), Graph.from_edge_index(PPI, 3)
    x = torch.randn(3, 4)
    out = block(x, knn.head_adj, ppi.head_adj)
    c, g = block.cell_conv, block.gene_conv
    xc = leaky_dropout(x.t() * c.scale + _dense_gcn_adj(KNN, 4) @ x.t() @ c.u @ c.v.t() + c.bias, 0.25, False)
    ref = leaky_dropout(xc.t() * g.scale + _dense_gcn_adj(PPI, 3) @ xc.t() @ g.u @ g.v.t() + g.bias, 0.25, False)
    torch.testing.assert_close(out, ref)
    assert out.shape == (3, 4) and out.is_contiguous()


def test_leaky_dropout_on_a_transposed_view_keeps_its_layout():
    from scnetflow.model.dropout import leaky_dropout

    base = torch.randn(30, 40, requires_grad=True)
    torch.manual_seed(1)
    out = leaky_dropout(base.t(), 0.25, training=True)
    assert out.shape == (40, 30) and out.t().is_contiguous()
    torch.manual_seed(1)
    ref = leaky_dropout(base, 0.25, training=True).t()  # the mask is drawn in memory order
    torch.testing.assert_close(out, ref)
    kept = out != 0
    assert 0.7 < kept.float().mean().item() < 0.8
    g = torch.randn(40, 30)
    (grad,) = torch.autograd.grad((out * g).sum(), base)
    slope = torch.where(base.t() > 0, 1.0, 0.01)
    torch.testing.assert_close(grad.t(), g * slope * kept / 0.75)


def test_decoding_only_target_genes_gives_the_same_gradients():
    """Training decodes the target genes only: the same loss and the same gradient for every weight."""
    config = ModelConfig(encoder="lowrank_sage", encoder_rank=2, hidden_dim=8, embedding_dim=2, dropout=0.0)
    torch.manual_seed(0)
    model = ScNET(3, 4, config)
    x, genes = torch.randn(3, 4), torch.tensor([0, 2])
    knn, ppi = Graph.from_edge_index(KNN, 4), Graph.from_edge_index(PPI, 3)
    grads = []
    for target_genes in (None, genes):
        model.zero_grad()
        zg, zc, recon, _ = model(x, knn, ppi, target_genes)
        part = recon if target_genes is not None else recon[:, genes]
        (part.square().sum() + zg.sum()).backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    assert recon.shape == (4, 2)
    assert grads[0].keys() == grads[1].keys()
    for name in grads[0]:
        torch.testing.assert_close(grads[0][name], grads[1][name])
    assert grads[0]["expression_decoder.4.weight"][1].abs().sum() == 0  # a non-target gene's row


@pytest.mark.parametrize("in_backward", [False, True])
def test_gene_encoder_lr_scale_sets_the_gene_encoder_step(in_backward):
    """Adam's first step moves each weight by about its lr: the gene encoder's by lr x scale, the rest by lr,
    with PyTorch's Adam and with the in-backward Adam of large models alike."""
    from scnetflow.train.params import TrainParams
    from scnetflow.train.runtime import LARGE_MODEL, Optimizer, param_groups

    torch.manual_seed(0)
    model = ScNET(3, 4, ModelConfig(hidden_dim=6, embedding_dim=2, dropout=0.0))
    params = TrainParams(lr=1e-3, gene_encoder_lr_scale=3.0, weight_decay=0.0)
    groups = param_groups(model, params)
    gene = {id(p) for m in (model.gene_gcn, model.gene_attention) for p in m.parameters()}
    assert {id(p) for p in groups[1]["params"]} == gene and groups[1]["lr"] == pytest.approx(3e-3)
    assert len(groups[0]["params"]) + len(gene) == len(list(model.parameters()))
    start = {n: p.detach().clone() for n, p in model.named_parameters()}
    opt = Optimizer(model, params, torch.float32, LARGE_MODEL if in_backward else 1)
    assert opt.in_backward is in_backward
    zg, zc, recon, _ = model(torch.randn(3, 4), Graph.from_edge_index(KNN, 4), Graph.from_edge_index(PPI, 3))
    opt.step(zg.pow(2).sum() + recon.pow(2).sum())
    moved = {n: (p.detach() - start[n]).abs().max().item() for n, p in model.named_parameters()}
    assert moved["gene_attention.lin_value.weight"] == pytest.approx(3e-3, rel=1e-3)
    assert moved["expression_decoder.0.weight"] == pytest.approx(1e-3, rel=1e-3)
    opt.remove()
