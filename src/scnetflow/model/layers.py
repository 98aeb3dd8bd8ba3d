"""Graph layers of scNET built on PyTorch Geometric."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch_geometric.nn import GCNConv, SAGEConv, TransformerConv
from torch_geometric.typing import Adj, OptTensor

ENCODERS = ("sage", "gcn", "lowrank")
INITS = ("identity", "random")


class SigmoidTransformerConv(TransformerConv):
    r"""Transformer graph attention (Shi et al., 2021) with a global sigmoid in place of the per-node softmax.

    As in scNET (Sheinin et al., 2025), attention scores are not normalised per node, so they can be
    compared across the whole graph and used to prune it:

    .. math::
        z_{ij} = \frac{(W_q x_i)^\top (W_k x_j)}{\sqrt{d}}, \quad
        \alpha_{ij} = \sigma\!\left(\tau \frac{z_{ij} - \mu_z}{s_z}\right), \quad
        x'_i = W_s x_i + \sum_{j \in \mathcal{N}(i)} \alpha_{ij} W_v x_j

    where :math:`\mu_z, s_z` are the mean and standard deviation of the logits over all edges.

    Args:
        in_channels (int): Input width.
        out_channels (int): Output width.
        temperature (float, optional): :math:`\tau` (default: :obj:`3.0`, the authors' value).
        dropout (float, optional): Dropout on the attention scores (default: :obj:`0.0`).

    Shapes:
        - **input:** node features :math:`(|V|, F_{in})`, edge index :math:`(2, |E|)`
        - **output:** node features :math:`(|V|, F_{out})`; with ``return_attention_weights=True`` also
          ``(edge_index, alpha)`` with alpha :math:`(|E|, 1)`
    """

    def __init__(self, in_channels: int, out_channels: int, temperature: float = 3.0, dropout: float = 0.0):
        super().__init__(in_channels, out_channels, heads=1, concat=True, dropout=dropout, root_weight=True)
        self.temperature = temperature

    def message(self, query_i: Tensor, key_j: Tensor, value_j: Tensor, edge_attr: OptTensor, index: Tensor,
                ptr: OptTensor, size_i: int | None) -> Tensor:
        logits = (query_i * key_j).sum(dim=-1) / math.sqrt(self.out_channels)
        logits = logits.float()
        z = (logits - logits.mean()) / (logits.std() + 1e-6) if logits.numel() > 1 else logits * 0
        alpha = torch.sigmoid(self.temperature * z)
        self._alpha = alpha
        alpha = nn.functional.dropout(alpha, p=self.dropout, training=self.training)
        return value_j * alpha.view(-1, self.heads, 1).to(value_j.dtype)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, temperature={self.temperature})"


def _require_csr(layer: nn.Module, adj_t: Tensor) -> None:
    """Refuse an edge index: it would run unnormalised and without self-loops."""
    if adj_t.layout != torch.sparse_csr:
        raise TypeError(f"{layer.__class__.__name__} needs the normalised CSR adjacency (Graph.head_adj), "
                        f"got a {adj_t.layout} tensor")


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
        _require_csr(self, adj_t)
        return super().forward(x, adj_t)

    def message_and_aggregate(self, adj_t: Tensor, x: Tensor) -> Tensor:
        with torch.autocast(x.device.type, enabled=False):
            return symmetric_spmm(adj_t, x.float())


class _SymmetricSpMM(torch.autograd.Function):
    """:math:`A x` for a symmetric sparse CSR :math:`A`; the backward is :math:`A g` again. Autograd's own
    backward transposes :math:`A`, a sort of all its entries on every step (a seventh of a dual-view block's
    time on the 136 k-entry Kang PPI)."""

    @staticmethod
    def forward(ctx, adj: Tensor, x: Tensor) -> Tensor:
        ctx.adj = adj
        return adj @ x

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[None, Tensor | None]:
        return None, (ctx.adj @ grad if ctx.needs_input_grad[1] else None)


def symmetric_spmm(adj: Tensor, x: Tensor) -> Tensor:
    """:math:`A x` for the symmetric normalised adjacency of an undirected graph (:attr:`Graph.head_adj`, whose
    edge index holds both directions of every edge)."""
    return _SymmetricSpMM.apply(adj, x)


class _LowRankGCN(torch.autograd.Function):
    r""":math:`\hat A X \,\mathrm{diag}(s) + (\hat A X U) V^\top + b` for a symmetric :math:`\hat A`, aggregating
    first so that the product with :math:`\mathrm{diag}(s)` folds into one in-place pass, and saving only
    :math:`\hat A X` and :math:`\hat A X U` for the backward."""

    @staticmethod
    def forward(ctx, x: Tensor, adj: Tensor, scale: Tensor, u: Tensor, v: Tensor, bias: Tensor) -> Tensor:
        ax = adj @ x
        axu = ax @ u
        out = torch.addmm(bias, axu, v.t()).addcmul_(ax, scale)
        ctx.adj = adj
        ctx.save_for_backward(ax, axu, scale, u, v)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        ax, axu, scale, u, v = ctx.saved_tensors
        grad = grad.contiguous()
        gv = grad @ v
        grad_x = None
        if ctx.needs_input_grad[0]:  # the first block's input needs none
            grad_x = ctx.adj @ (gv @ u.t()).addcmul_(grad, scale)
        return grad_x, None, (grad * ax).sum(0), ax.t() @ gv, grad.t() @ axu, grad.sum(0)


class _LeakyDropout(torch.autograd.Function):
    r"""LeakyReLU then inverted dropout as one factor :math:`f = m \, s \, (1 \text{ if } x > 0 \text{ else }
    \text{slope})`: :math:`y = x f`, and the backward is :math:`g f`; only :math:`f` is saved."""

    @staticmethod
    def forward(ctx, x: Tensor, keep: Tensor, scale: float, slope: float) -> Tensor:
        f = torch.where(x > 0, scale, slope * scale).to(x.dtype).mul_(keep)
        ctx.save_for_backward(f)
        return x * f

    @staticmethod
    def backward(ctx, grad: Tensor):
        (f,) = ctx.saved_tensors
        return grad * f, None, None, None


def leaky_dropout(x: Tensor, p: float, training: bool, slope: float = 0.01) -> Tensor:
    """``Dropout(p)(LeakyReLU(slope)(x))`` with the same mask draw (:func:`keep_mask`), in fewer passes."""
    if not training or p == 0:
        return nn.functional.leaky_relu(x, slope)
    return _LeakyDropout.apply(x, keep_mask(x.shape, p, x.device), 1.0 / (1.0 - p), slope)


class LowRankGCNConv(nn.Module):
    r"""Width-preserving graph convolution whose weight is a diagonal plus a rank-:math:`r` term.

    The dual-view encoder's convolutions map genes to genes (cell view) and cells to cells (gene view):
    a dense weight has :math:`F^2` entries (71 M for 8,433 genes) and costs :math:`|V| F^2` per product.
    Here

    .. math::
        W = \mathrm{diag}(s) + U V^\top, \quad
        X' = \hat D^{-1/2} \hat A \hat D^{-1/2} \left( X \odot s + (X U) V^\top \right) + b

    with :math:`s, b \in \mathbb{R}^F` and :math:`U, V \in \mathbb{R}^{F \times r}`: :math:`F (2r + 2)`
    parameters and :math:`O(|V| F r)` work, and no :math:`F \times F` matrix is ever formed. The diagonal
    keeps each feature (a gene on the cell side, a cell on the gene side) its own channel; the low-rank
    term mixes them through :math:`r` shared programs, as LoRA (Hu et al., 2022) adapts a dense weight.
    The aggregation is GCN's, over the precomputed normalised adjacency (:attr:`Graph.head_adj`), in
    float32: at these widths the products are cheap and CPU sparse kernels have no bfloat16.

    :meth:`reset_parameters` draws :math:`s` as the diagonal of PyTorch's default dense weight
    (:math:`\mathcal{U}(\pm 1/\sqrt{F})`) and :math:`U, V` from :math:`\mathcal{N}(0, (3 F r)^{-1/2})`, so
    each entry of :math:`U V^\top` has that weight's variance :math:`1 / (3F)`; :meth:`identity_` sets
    :math:`s = 1, V = 0, b = 0`: the layer starts as the pure GCN smoothing and learns its mixing.

    Args:
        channels (int): Input and output width :math:`F`.
        rank (int): :math:`r`, the rank of the mixing term (default: :obj:`32`).

    Shapes:
        - **input:** node features :math:`(|V|, F)`, adjacency :math:`(|V|, |V|)` sparse CSR
        - **output:** node features :math:`(|V|, F)`, float32
    """

    def __init__(self, channels: int, rank: int = 32):
        super().__init__()
        if not 1 <= rank:
            raise ValueError(f"{self.__class__.__name__}: rank must be >= 1, got {rank}")
        self.channels, self.rank = channels, rank
        self.scale = nn.Parameter(torch.empty(channels))
        self.u = nn.Parameter(torch.empty(channels, rank))
        self.v = nn.Parameter(torch.empty(channels, rank))
        self.bias = nn.Parameter(torch.empty(channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.channels)
        std = (3 * self.channels * self.rank) ** -0.25
        with torch.no_grad():
            self.scale.uniform_(-bound, bound)
            self.u.normal_(0, std)
            self.v.normal_(0, std)
            self.bias.zero_()

    def identity_(self) -> None:
        """Start as the pure smoothing :math:`\\hat A X`: :math:`s = 1`, :math:`V = 0`, :math:`b = 0`."""
        with torch.no_grad():
            self.scale.fill_(1.0)
            self.v.zero_()
            self.bias.zero_()

    def forward(self, x: Tensor, adj_t: Tensor) -> Tensor:
        _require_csr(self, adj_t)
        if x.shape[-1] != self.channels:
            raise ValueError(f"{self.__class__.__name__}: expected {self.channels} input channels, got {x.shape[-1]}")
        with torch.autocast(x.device.type, enabled=False):  # float32 even if the trainer stores weights in bf16
            return _LowRankGCN.apply(x.float(), adj_t, *(w.float() for w in (self.scale, self.u, self.v, self.bias)))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.channels}, rank={self.rank})"


class _MaskedScale(torch.autograd.Function):
    """:math:`y = s \\, x \\odot m` for a 0/1 mask :math:`m` in :math:`x`'s dtype and a scale :math:`s`: plain
    products in both directions, several times faster on CPU than :func:`torch.where`. The scale stays a
    Python float, so bfloat16 entries are scaled by :math:`1 / (1 - p)` itself, not by its rounding."""

    @staticmethod
    def forward(ctx, x: Tensor, mask: Tensor, scale: float) -> Tensor:
        ctx.save_for_backward(mask)
        ctx.scale = scale
        return (x * mask).mul_(scale)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None, None]:
        (mask,) = ctx.saved_tensors
        return (grad * mask).mul_(ctx.scale), None, None


#: Resolution of the keep draw: 15-bit uniform integers.
_LANE = 1 << 15


def keep_mask(shape: torch.Size | tuple[int, ...], p: float, device: torch.device | None = None) -> Tensor:
    r"""A boolean mask with each entry kept with probability :math:`1 - \lfloor 2^{15} p \rceil / 2^{15}`
    (exactly :math:`1 - p` for :math:`p = 0.25`), drawn from PyTorch's generator as 64-bit integers split
    into four 15-bit lanes: a quarter of the draws of :func:`torch.rand`, about three times faster on CPU.
    """
    n = math.prod(shape)
    bits = torch.empty((n + 3) // 4, dtype=torch.int64, device=device).random_()
    lanes = bits.view(torch.int16)[:n].view(shape)
    return lanes.bitwise_and_(_LANE - 1) >= round(p * _LANE)


class Dropout(nn.Module):
    r"""Inverted dropout as :class:`torch.nn.Dropout`, made cheaper: :func:`keep_mask` draws the mask
    (dropout was a tenth of a small model's step with PyTorch's kernels) and a product with the 0/1 mask in
    the input's dtype replaces masking in both directions. Under :func:`torch.utils.checkpoint` the
    RNG state is restored, so recomputation draws the same masks.

    Args:
        p (float, optional): Probability of zeroing an entry (default: :obj:`0.5`).

    Shapes:
        - **input:** any
        - **output:** same as input
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        return _MaskedScale.apply(x, keep_mask(x.shape, self.p, x.device).to(x.dtype), 1.0 / (1.0 - self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _identity_init(conv: nn.Module) -> None:
    """Square convolution weights set to a smoothing: GCN :math:`W = I`; SAGE :math:`W_l = W_r = I/2`;
    low rank :math:`s = 1, V = 0`."""
    if isinstance(conv, LowRankGCNConv):
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
    or ``"lowrank"`` (:class:`LowRankGCNConv`, diagonal plus rank ``rank``; square only)."""
    if kind == "sage":
        return SAGEConv(in_channels, out_channels)
    if kind == "gcn":
        return CSRGCNConv(in_channels, out_channels)
    if kind == "lowrank":
        if in_channels != out_channels:
            raise ValueError(f"the lowrank encoder keeps width; got {in_channels} -> {out_channels}")
        return LowRankGCNConv(in_channels, rank)
    raise ValueError(f"unknown encoder {kind!r}; use one of {ENCODERS}")


class DualViewBlock(nn.Module):
    r"""One block of scNET's dual-view encoder: a convolution over the cell KNN on :math:`X^\top`, then one
    over the PPI on :math:`X`, each followed by LeakyReLU and dropout.

    .. math::
        X \leftarrow \delta(\sigma(\mathrm{conv}_{PPI}(\delta(\sigma(\mathrm{conv}_{KNN}(X^\top)))^\top)))

    Both convolutions keep width (genes on the cell side, cells on the gene side). ``"sage"`` and
    ``"gcn"`` use full-width weights (:math:`G \times G` and :math:`C \times C`), as in the paper and the
    authors' code; ``"lowrank"`` uses :class:`LowRankGCNConv` (diagonal plus rank :math:`r`).

    Args:
        n_genes (int): :math:`G`.
        n_cells (int): :math:`C`.
        encoder (str, optional): ``"sage"``, ``"gcn"`` or ``"lowrank"`` (default: :obj:`"sage"`).
        dropout (float, optional): Dropout probability (default: :obj:`0.25`).
        init (str, optional): ``"identity"`` starts each convolution as a pure smoothing (GCN weight
            :math:`I`; SAGE :math:`\tfrac12 x + \tfrac12 \mathrm{mean}_{j} x_j`), so genes and cells keep
            their identity through the full-width blocks; ``"random"`` is PyTorch's default, as the authors
            (default: :obj:`"random"`).
        rank (int, optional): :math:`r` of the ``"lowrank"`` encoder; unused otherwise (default: :obj:`32`).

    Shapes:
        - **input:** :math:`X` :math:`(G, C)`, KNN adjacency over cells, PPI adjacency over genes (the
          :attr:`Graph.encoder_adj` of each)
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
        if self.encoder == "lowrank":  # activation and dropout fused: the C x G passes are its main cost
            xc = leaky_dropout(self.cell_conv(x.t(), knn), self.dropout, self.training)
            return leaky_dropout(self.gene_conv(xc.t(), ppi), self.dropout, self.training)
        xc = self.drop(self.act(self._conv(self.cell_conv, x.t(), knn)))
        return self.drop(self.act(self._conv(self.gene_conv, xc.t(), ppi)))

    def _conv(self, conv: nn.Module, x: Tensor, adj: Adj) -> Tensor:
        if self.encoder == "sage":  # sparse mean aggregation has no bfloat16 kernel: aggregate in float32
            return conv(x.float(), adj)
        return conv(x, adj)  # CSRGCNConv and LowRankGCNConv aggregate in float32 themselves

    def __repr__(self) -> str:
        rank = f", rank={self.rank}" if self.encoder == "lowrank" else ""
        return f"{self.__class__.__name__}(genes={self.n_genes}, cells={self.n_cells}, encoder={self.encoder}{rank})"
