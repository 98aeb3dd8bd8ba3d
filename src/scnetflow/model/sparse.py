"""Sparse products of the GCN layers over a precomputed normalised adjacency (:attr:`Graph.head_adj`)."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def require_csr(layer: nn.Module, adj_t: Tensor) -> None:
    """Refuse an edge index: it would run unnormalised and without self-loops."""
    if adj_t.layout != torch.sparse_csr:
        raise TypeError(f"{layer.__class__.__name__} needs the normalised CSR adjacency (Graph.head_adj), "
                        f"got a {adj_t.layout} tensor")


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
