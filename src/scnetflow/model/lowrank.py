"""Low-rank dual-view convolutions: each width-preserving encoder weight is a diagonal plus a rank-r term,
so no genes x genes or cells x cells matrix is formed (issue 11)."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from scnetflow.model.sparse import require_csr


class _LowRankGCN(torch.autograd.Function):
    r""":math:`\hat A X \,\mathrm{diag}(s) + (\hat A X U) V^\top + b` for a symmetric :math:`\hat A`, aggregating
    first so that the product with :math:`\mathrm{diag}(s)` folds into one in-place pass, and saving only
    :math:`\hat A X` and :math:`\hat A X U` for the backward."""

    @staticmethod
    def forward(ctx, x: Tensor, adj: Tensor, scale: Tensor, u: Tensor, v: Tensor, bias: Tensor) -> Tensor:
        ax = adj @ x
        axu = ax @ u
        out = _low_rank_plus(bias, axu, v, False).addcmul_(ax, scale)
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


class _LowRankConv(nn.Module):
    r"""Parameters, initialisation and checks shared by the low-rank convolutions: :math:`s, b \in
    \mathbb{R}^F` and :math:`U, V \in \mathbb{R}^{F \times r}`; ``function`` computes the layer."""

    function: type[torch.autograd.Function]

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
        """:math:`s = 1`, :math:`V = 0`, :math:`b = 0`: the GCN layer starts as the pure smoothing :math:`\\hat A X`,
        the SAGE layer as the identity."""
        with torch.no_grad():
            self.scale.fill_(1.0)
            self.v.zero_()
            self.bias.zero_()

    def forward(self, x: Tensor, adj_t: Tensor) -> Tensor:
        require_csr(self, adj_t)
        if x.shape[-1] != self.channels:
            raise ValueError(f"{self.__class__.__name__}: expected {self.channels} input channels, got {x.shape[-1]}")
        with torch.autocast(x.device.type, enabled=False):  # float32 even if the trainer stores weights in bf16
            return self.function.apply(x.float(), adj_t, *(w.float() for w in (self.scale, self.u, self.v, self.bias)))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.channels}, rank={self.rank})"


class LowRankGCNConv(_LowRankConv):
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

    function = _LowRankGCN


class _LowRankSAGE(torch.autograd.Function):
    r""":math:`X \,\mathrm{diag}(s) + \hat A (X U) V^\top + b` for a symmetric :math:`\hat A`. Every sparse product
    is :math:`|V| \times r`, and a feature-major input (the transposed view of a contiguous
    :math:`F \times |V|` tensor, as the cell view gets it) gives a feature-major output from the same
    GEMMs with transposed operands: no :math:`|V| \times F` tensor is ever transposed or aggregated.
    Saves :math:`X` (the previous layer's output, kept anyway) and :math:`\hat A X U`."""

    @staticmethod
    def forward(ctx, x: Tensor, adj: Tensor, scale: Tensor, u: Tensor, v: Tensor, bias: Tensor) -> Tensor:
        ctx.feature_major = _feature_major(x)
        axu = adj @ (x @ u)
        out = _low_rank_plus(bias, axu, v, ctx.feature_major).addcmul_(x, scale)
        ctx.adj = adj
        ctx.save_for_backward(x, axu, scale, u, v)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        x, axu, scale, u, v = ctx.saved_tensors
        if _feature_major(grad) != ctx.feature_major:
            grad = grad.t().contiguous().t() if ctx.feature_major else grad.contiguous()
        agv = ctx.adj @ (grad @ v)  # (|V|, r)
        grad_x = None
        if ctx.needs_input_grad[0]:  # the first block's input needs none
            grad_x = _low_rank_plus(None, agv, u, ctx.feature_major).addcmul_(grad, scale)
        # vecdot: the per-feature sum of grad * x without a |V| x F temporary
        return grad_x, None, torch.linalg.vecdot(grad, x, dim=0), x.t() @ agv, grad.t() @ axu, grad.sum(0)


def _feature_major(x: Tensor) -> bool:
    """Whether a 2-D tensor is the transposed view of a contiguous one."""
    return not x.is_contiguous() and x.t().is_contiguous()


def _low_rank_plus(bias: Tensor | None, a: Tensor, b: Tensor, feature_major: bool) -> Tensor:
    r""":math:`a b^\top (+ \mathrm{bias})`, :math:`(|V|, F)`, laid out feature-major if asked (a transposed view).
    The bias rides in the product as an extra rank (:math:`[a, 1][b, \mathrm{bias}]^\top`): ``addmm`` would
    first copy it into every row, a full pass."""
    if bias is not None:
        a, b = torch.cat([a, a.new_ones(len(a), 1)], dim=1), torch.cat([b, bias[:, None]], dim=1)
    return (b @ a.t()).t() if feature_major else a @ b.t()


class LowRankSAGEConv(_LowRankConv):
    r"""Width-preserving SAGE-style convolution: a diagonal root weight and a rank-:math:`r` neighbour weight.

    GraphSAGE (Hamilton et al., 2017), the authors' dual-view layer, is
    :math:`x'_i = W_1 x_i + W_2 \,\mathrm{agg}_{j} x_j` with dense :math:`F \times F` weights. Here the root
    weight is diagonal and the neighbour weight low rank, and the aggregation is GCN's normalised one:

    .. math::
        X' = X \,\mathrm{diag}(s) + \hat D^{-1/2} \hat A \hat D^{-1/2} (X U) V^\top + b

    Each feature (a gene on the cell side, a cell on the gene side) keeps its own channel, and messages
    between nodes travel through :math:`r` shared programs, so the aggregation itself is :math:`r` wide:
    :math:`O(|V| F r)` work and no full-width sparse product or transpose, where
    :class:`LowRankGCNConv` aggregates all :math:`F` features. :meth:`identity_` starts it as the
    identity map (:math:`s = 1, V = 0`).

    Args:
        channels (int): Input and output width :math:`F`.
        rank (int): :math:`r` (default: :obj:`32`).

    Shapes:
        - **input:** node features :math:`(|V|, F)`, contiguous or the transposed view of a contiguous
          :math:`(F, |V|)`; adjacency :math:`(|V|, |V|)` sparse CSR, symmetric
        - **output:** node features :math:`(|V|, F)` in the input's layout, float32
    """

    function = _LowRankSAGE
