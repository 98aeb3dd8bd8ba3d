"""Graph layers of scNET built on PyTorch Geometric."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch_geometric.nn import GCNConv, SAGEConv, TransformerConv
from torch_geometric.typing import Adj, OptTensor
from torch_geometric.utils import scatter

from scnetflow.model.dropout import Dropout, leaky_dropout
from scnetflow.model.lowrank import LowRankGCNConv, LowRankSAGEConv
from scnetflow.model.sparse import require_csr, symmetric_spmm

ENCODERS = ("sage", "gcn", "lowrank", "lowrank_sage")
LOWRANK = ("lowrank", "lowrank_sage")
INITS = ("identity", "random")
#: How :class:`SigmoidTransformerConv` combines the weighted messages of a node's neighbours.
ATTENTION_AGGRS = ("sum", "mean", "weighted_mean")


class SigmoidTransformerConv(TransformerConv):
    r"""Transformer graph attention (Shi et al., 2021) with a global sigmoid in place of the per-node softmax.

    As in scNET (Sheinin et al., 2025), attention scores are not normalised per node, so they can be
    compared across the whole graph and used to prune it:

    .. math::
        z_{ij} = \frac{(W_q x_i)^\top (W_k x_j)}{\sqrt{d}}, \quad
        \alpha_{ij} = \sigma\!\left(\tau \frac{z_{ij} - \mu_z}{s_z}\right), \quad
        x'_i = W_s x_i + \sum_{j \in \mathcal{N}(i)} \alpha_{ij} W_v x_j

    where :math:`\mu_z, s_z` are the mean and standard deviation of the logits over all edges. A softmax
    makes each node's scores sum to 1; sigmoid scores do not, so with ``aggr="sum"`` (the authors' code,
    the default) a node's output grows with its degree: after pruning (degrees 5 to ~70 on a k = 25 KNN)
    the cell embedding's norm partly tracks how many of its edges survived. ``aggr="mean"`` divides the
    sum by :math:`|\mathcal{N}(i)|`; ``aggr="weighted_mean"`` divides it by
    :math:`\sum_{j} \alpha_{ij}`, the normalisation the softmax of ``TransformerConv`` implies. Both keep
    the scores themselves global (pruning compares them across the graph) and the output degree-free
    (``docs/method.md``: the quality suite made neither the default for training; :meth:`reaggregate`
    writes the cell embedding of a model trained under the sum as a weighted mean).

    Args:
        in_channels (int): Input width.
        out_channels (int): Output width.
        temperature (float, optional): :math:`\tau` (default: :obj:`3.0`, the authors' value).
        dropout (float, optional): Dropout on the attention scores (default: :obj:`0.0`).
        aggr (str, optional): ``"sum"``, ``"mean"`` or ``"weighted_mean"`` over neighbours
            (default: :obj:`"sum"`).

    Shapes:
        - **input:** node features :math:`(|V|, F_{in})`, edge index :math:`(2, |E|)`
        - **output:** node features :math:`(|V|, F_{out})`; with ``return_attention_weights=True`` also
          ``(edge_index, alpha)`` with alpha :math:`(|E|, 1)`
    """

    def __init__(self, in_channels: int, out_channels: int, temperature: float = 3.0, dropout: float = 0.0,
                 aggr: str = "sum"):
        if aggr not in ATTENTION_AGGRS:
            raise ValueError(f"aggr must be one of {ATTENTION_AGGRS}, got {aggr!r}")
        super().__init__(in_channels, out_channels, heads=1, concat=True, dropout=dropout, root_weight=True,
                         aggr="mean" if aggr == "mean" else "add")
        self.temperature = temperature
        self.normalize_scores = aggr == "weighted_mean"

    def message(self, query_i: Tensor, key_j: Tensor, value_j: Tensor, edge_attr: OptTensor, index: Tensor,
                ptr: OptTensor, size_i: int | None) -> Tensor:
        logits = (query_i * key_j).sum(dim=-1) / math.sqrt(self.out_channels)
        logits = logits.float()
        z = (logits - logits.mean()) / (logits.std() + 1e-6) if logits.numel() > 1 else logits * 0
        alpha = torch.sigmoid(self.temperature * z)
        self._alpha = alpha  # what pruning and return_attention_weights see: global, not per-node
        if self.normalize_scores:  # each node's scores sum to 1, as after a softmax; dropout after, as PyG's
            alpha = alpha / _divisor("weighted_mean", alpha, index, size_i)[index]
        alpha = nn.functional.dropout(alpha, p=self.dropout, training=self.training)
        return value_j * alpha.view(-1, self.heads, 1).to(value_j.dtype)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, temperature={self.temperature}, "
                f"aggr={self.attention_aggr})")

    @property
    def attention_aggr(self) -> str:
        """The ``aggr`` this layer was built with, one of :data:`ATTENTION_AGGRS`."""
        return "weighted_mean" if self.normalize_scores else "sum" if self.aggr == "add" else "mean"

    def reaggregate(self, x: Tensor, out: Tensor, edge_index: Tensor, alpha: Tensor, aggr: str) -> Tensor:
        r"""This layer's output ``out`` on ``x`` with its neighbour term combined by ``aggr`` in place of the
        layer's own: :math:`W_s x_i + \frac{1}{n_i} \sum_{j \in \mathcal{N}(i)} \alpha_{ij} W_v x_j` with
        :math:`n_i` = 1 (``"sum"``), :math:`|\mathcal{N}(i)|` (``"mean"``) or :math:`\sum_j \alpha_{ij}`
        (``"weighted_mean"``). The same weights and scores: a model trained under one aggregation writes its
        cell embedding under another (``--cell-embedding-aggr``). For eval mode, where the scores carry no
        dropout; a node without neighbours keeps :math:`W_s x_i`.

        Shapes:
            - **input:** ``x`` :math:`(|V|, F_{in})`, ``out`` :math:`(|V|, F_{out})`, ``edge_index``
              :math:`(2, |E|)`, ``alpha`` :math:`(|E|,)` or :math:`(|E|, 1)`, the scores ``forward`` returned
            - **output:** :math:`(|V|, F_{out})`, float32
        """
        if aggr not in ATTENTION_AGGRS:
            raise ValueError(f"aggr must be one of {ATTENTION_AGGRS}, got {aggr!r}")
        if aggr == self.attention_aggr:
            return out.float()
        index, n = edge_index[1], out.shape[0]
        alpha = alpha.reshape(-1).float()
        skip = self.lin_skip(x).float()
        # float32 from here: out - skip recovers the neighbour term to out's own rounding
        raw = (out.float() - skip) * _divisor(self.attention_aggr, alpha, index, n).view(-1, 1)
        return skip + raw / _divisor(aggr, alpha, index, n).view(-1, 1)


def _divisor(aggr: str, alpha: Tensor, index: Tensor, n: int) -> Tensor:
    """Per node :math:`(n,)`, what ``aggr`` divides the sum of its weighted messages by: 1 (``"sum"``), its
    in-degree (``"mean"``, at least 1, as PyG's mean) or the sum of its scores ``alpha`` (``"weighted_mean"``)."""
    if aggr == "sum":
        return alpha.new_ones(n)
    if aggr == "mean":
        return scatter(torch.ones_like(alpha), index, 0, n, reduce="sum").clamp_min(1)
    return scatter(alpha, index, 0, n, reduce="sum").clamp_min(1e-12)


class CSRGCNConv(GCNConv):
    r"""Graph convolution (Kipf & Welling, 2017) over a precomputed normalised sparse adjacency.

    The same layer and parameters as :class:`~torch_geometric.nn.conv.GCNConv`,
    :math:`X' = \hat D^{-1/2} \hat A \hat D^{-1/2} X W + b`, given the transposed normalised adjacency
    with self-loops as a CSR tensor (:attr:`Graph.head_adj`, built once per graph). One sparse product
    replaces PyG's per-edge gather, scale and scatter, which took a fifth of a training step on the
    CellBench subset. The product runs in float32: CPU sparse kernels have no bfloat16.

    Args:
        in_channels (int): Input width.
        out_channels (int): Output width.

    Shapes:
        - **input:** node features :math:`(|V|, F_{in})`, adjacency :math:`(|V|, |V|)` sparse CSR
        - **output:** node features :math:`(|V|, F_{out})`, float32
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__(in_channels, out_channels, add_self_loops=False, normalize=False)

    def forward(self, x: Tensor, adj_t: Tensor) -> Tensor:
        require_csr(self, adj_t)
        return super().forward(x, adj_t)

    def message_and_aggregate(self, adj_t: Tensor, x: Tensor) -> Tensor:
        with torch.autocast(x.device.type, enabled=False):
            return symmetric_spmm(adj_t, x.float())


def _identity_init(conv: nn.Module) -> None:
    """Square convolution weights set to a smoothing: GCN :math:`W = I`; SAGE :math:`W_l = W_r = I/2`;
    low rank :math:`s = 1, V = 0` (the low-rank SAGE layer: the identity)."""
    if isinstance(conv, (LowRankGCNConv, LowRankSAGEConv)):
        conv.identity_()
        return
    with torch.no_grad():
        if isinstance(conv, GCNConv):
            conv.lin.weight.copy_(torch.eye(conv.out_channels, conv.in_channels))
            conv.bias.zero_()
        else:
            for lin, scale in ((conv.lin_l, 0.5), (conv.lin_r, 0.5)):
                lin.weight.copy_(scale * torch.eye(conv.out_channels, conv.in_channels))
                if lin.bias is not None:
                    lin.bias.zero_()


def make_conv(kind: str, in_channels: int, out_channels: int, rank: int = 32) -> nn.Module:
    """An encoder convolution: full width ``"sage"`` (the authors' SAGEConv) or ``"gcn"`` (the paper's GCN),
    or, square only, ``"lowrank"`` (:class:`LowRankGCNConv`) and ``"lowrank_sage"`` (:class:`LowRankSAGEConv`):
    diagonal plus rank ``rank``."""
    if kind == "sage":
        return SAGEConv(in_channels, out_channels)
    if kind == "gcn":
        return CSRGCNConv(in_channels, out_channels)
    if kind in LOWRANK:
        if in_channels != out_channels:
            raise ValueError(f"the {kind} encoder keeps width; got {in_channels} -> {out_channels}")
        return (LowRankGCNConv if kind == "lowrank" else LowRankSAGEConv)(in_channels, rank)
    raise ValueError(f"unknown encoder {kind!r}; use one of {ENCODERS}")


class DualViewBlock(nn.Module):
    r"""One block of scNET's dual-view encoder: a convolution over the cell KNN on :math:`X^\top`, then one
    over the PPI on :math:`X`, each followed by LeakyReLU and dropout.

    .. math::
        X \leftarrow \delta(\sigma(\mathrm{conv}_{PPI}(\delta(\sigma(\mathrm{conv}_{KNN}(X^\top)))^\top)))

    Both convolutions keep width (genes on the cell side, cells on the gene side). ``"sage"`` and
    ``"gcn"`` use full-width weights (:math:`G \times G` and :math:`C \times C`), as in the paper and the
    authors' code; ``"lowrank"`` uses :class:`LowRankGCNConv` and ``"lowrank_sage"``
    :class:`LowRankSAGEConv` (diagonal plus rank :math:`r`). ``"lowrank_sage"`` runs the whole block in
    :math:`X`'s :math:`(G, C)` layout: the cell view takes the transposed view, and nothing is transposed.

    Args:
        n_genes (int): :math:`G`.
        n_cells (int): :math:`C`.
        encoder (str, optional): One of :data:`ENCODERS` (default: :obj:`"sage"`).
        dropout (float, optional): Dropout probability (default: :obj:`0.25`).
        init (str, optional): ``"identity"`` starts each convolution as a pure smoothing (GCN weight
            :math:`I`; SAGE :math:`\tfrac12 x + \tfrac12 \mathrm{mean}_{j} x_j`), so genes and cells keep
            their identity through the full-width blocks; ``"random"`` is PyTorch's default, as the authors
            (default: :obj:`"random"`).
        rank (int, optional): :math:`r` of the low-rank encoders; unused otherwise (default: :obj:`32`).

    Shapes:
        - **input:** :math:`X` :math:`(G, C)`, KNN adjacency over cells, PPI adjacency over genes (the
          :meth:`Graph.encoder_adj` of each)
        - **output:** :math:`(G, C)`
    """

    def __init__(self, n_genes: int, n_cells: int, encoder: str = "sage", dropout: float = 0.25,
                 init: str = "random", rank: int = 32):
        super().__init__()
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; use one of {INITS}")
        self.n_genes, self.n_cells, self.encoder, self.dropout, self.init = n_genes, n_cells, encoder, dropout, init
        self.rank = rank
        self.cell_conv = make_conv(encoder, n_genes, n_genes, rank)
        self.gene_conv = make_conv(encoder, n_cells, n_cells, rank)
        self.act = nn.LeakyReLU()
        self.drop = Dropout(dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for conv in (self.cell_conv, self.gene_conv):
            conv.reset_parameters()
            if self.init == "identity":
                _identity_init(conv)

    def forward(self, x: Tensor, knn: Adj, ppi: Adj) -> Tensor:
        if self.encoder in LOWRANK:  # activation and dropout fused: the C x G passes are its main cost
            xc = leaky_dropout(self.cell_conv(x.t(), knn), self.dropout, self.training)
            return leaky_dropout(self.gene_conv(xc.t(), ppi), self.dropout, self.training)
        xc = self.drop(self.act(self._conv(self.cell_conv, x.t(), knn)))
        return self.drop(self.act(self._conv(self.gene_conv, xc.t(), ppi)))

    def _conv(self, conv: nn.Module, x: Tensor, adj: Adj) -> Tensor:
        if self.encoder == "sage":  # sparse mean aggregation has no bfloat16 kernel: aggregate in float32
            return conv(x.float(), adj)
        return conv(x, adj)  # CSRGCNConv and LowRankGCNConv aggregate in float32 themselves

    def __repr__(self) -> str:
        rank = f", rank={self.rank}" if self.encoder in LOWRANK else ""
        return f"{self.__class__.__name__}(genes={self.n_genes}, cells={self.n_cells}, encoder={self.encoder}{rank})"
