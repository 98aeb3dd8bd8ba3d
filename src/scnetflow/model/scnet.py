"""The scNET dual-view graph autoencoder (Sheinin, Sharan & Madi, Nature Methods 2025)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint
from torch_geometric.nn import TransformerConv
from torch_geometric.utils import to_torch_csr_tensor

from scnetflow.model.layers import (ATTENTION_AGGRS, ENCODERS, INITS, LOWRANK, CSRGCNConv, Dropout, DualViewBlock,
                                    SigmoidTransformerConv)
from scnetflow.params import option

#: ``encoder="auto"`` keeps the full-width SAGE encoder while its weights number fewer than this, and uses
#: ``lowrank_sage`` above: below it a training of 250 epochs takes minutes on one CPU thread (13.8 M weights,
#: CellBench Drop-seq: 1.8 s per epoch), above it hours (Kang CTRL, 376 M: about 15 s per optimiser step).
FULL_WIDTH_MAX = 20_000_000


@dataclass
class Graph:
    """One graph, in every layout the model needs, built once per graph: ``edge_index`` :math:`(2, |E|)`
    for the attention layers; ``head_adj``, the transposed CSR of the symmetric normalisation with
    self-loops :math:`\\hat D^{-1/2} \\hat A \\hat D^{-1/2}`, for the GCN heads and every encoder but
    ``"sage"``; and ``adj_t``, the transposed CSR adjacency, for the ``"sage"`` encoder's mean aggregation.

    The graph must be undirected (``edge_index`` lists both directions of every edge): the GCN layers'
    backward uses the normalised adjacency as its own transpose.
    """

    edge_index: Tensor
    head_adj: Tensor
    adj_t: Tensor

    @classmethod
    def from_edge_index(cls, edge_index: Tensor, num_nodes: int) -> Graph:
        from torch_geometric.nn.conv.gcn_conv import gcn_norm

        size = (num_nodes, num_nodes)
        key, key_t = edge_index[0] * num_nodes + edge_index[1], edge_index[1] * num_nodes + edge_index[0]
        if not torch.equal(key.sort().values, key_t.sort().values):  # O(E log E): 7 ms for the Kang PPI
            raise ValueError(f"{cls.__name__}: edge_index is not undirected; add both directions of every edge")
        norm_index, norm_weight = gcn_norm(edge_index, None, num_nodes, add_self_loops=True)
        head_adj = to_torch_csr_tensor(norm_index.flip(0), norm_weight, size=size)
        return cls(edge_index, head_adj, to_torch_csr_tensor(edge_index.flip(0), size=size))

    def encoder_adj(self, encoder: str) -> Tensor:
        """The adjacency the dual-view ``encoder`` aggregates over."""
        return self.adj_t if encoder == "sage" else self.head_adj

    def to(self, device: torch.device) -> Graph:
        return Graph(self.edge_index.to(device), self.head_adj.to(device), self.adj_t.to(device))


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of :class:`ScNET` (METHOD.md section 3); defaults are the paper's but for the encoder
    (``docs/method.md``, "Defaults")."""

    n_layers: int = option(3, "Dual-view encoder blocks.", min=1)
    encoder: str = option("auto", "Dual-view convolution: sage (the authors' code), gcn (the paper's text), both "
                                  "full width; lowrank (GCN with weight diag(s) + U V^T of rank --encoder-rank) or "
                                  "lowrank_sage (root weight diag(s), neighbour weight U V^T: messages r wide, the "
                                  "fastest): no genes x genes or cells x cells weights. auto: sage while its "
                                  "weights number under 20 M, else lowrank_sage.", choices=("auto", *ENCODERS))
    encoder_init: str = option("auto", "Dual-view weights start as a smoothing (identity) or at random (the "
                                       "authors' code). auto: identity for the low-rank encoders, random for "
                                       "full width.", choices=("auto", *INITS))
    encoder_rank: int = option(32, "Rank r of the low-rank encoders' U V^T (unused by sage and gcn).", min=1)
    hidden_dim: int = option(250, "Hidden width of encoders and decoder.", min=1)
    embedding_dim: int = option(75, "Gene and cell embedding width.", min=1)
    dropout: float = option(0.25, "Dropout probability.", min=0, max=1, max_open=True)
    attention_temperature: float = option(3.0, "tau in sigmoid(tau * z) of the cell attention.", min=0,
                                          min_open=True)
    attention_aggr: str = option("sum", "How the cell attention combines a cell's neighbours' messages: sum (the "
                                        "authors' code), mean (divided by the cell's KNN degree) or weighted_mean "
                                        "(divided by the sum of its attention scores); the last two keep its "
                                        "embedding from growing with the edges that survive pruning.",
                                 choices=ATTENTION_AGGRS)
    recompute: bool = option(False, "Recompute the dual-view encoder's activations in backward instead of storing "
                                    "them: about 1 GB less memory on 2,000 cells x 8,433 genes for about a third "
                                    "more compute.")


def full_width_weights(n_genes: int, n_cells: int, n_layers: int = 3) -> int:
    """Weights of the full-width SAGE dual-view encoder: per block a genes x genes and a cells x cells
    convolution, each with a root and a neighbour weight and one bias."""
    return n_layers * (2 * n_genes ** 2 + n_genes + 2 * n_cells ** 2 + n_cells)


def resolve_config(config: ModelConfig, n_genes: int, n_cells: int) -> ModelConfig:
    """``config`` with ``encoder`` and ``encoder_init`` of ``"auto"`` made concrete for :math:`G` genes and
    :math:`C` cells seen at once (see :data:`FULL_WIDTH_MAX`); explicit values are kept."""
    encoder = config.encoder
    if encoder == "auto":
        small = full_width_weights(n_genes, n_cells, config.n_layers) < FULL_WIDTH_MAX
        encoder = "sage" if small else "lowrank_sage"
    init = config.encoder_init
    if init == "auto":
        init = "identity" if encoder in LOWRANK else "random"
    return dataclasses.replace(config, encoder=encoder, encoder_init=init)


class ScNET(nn.Module):
    r"""scNET: a dual-view encoder over the cell KNN graph and the PPI, attention encoders for genes and
    cells, an inner-product PPI decoder and an MLP expression decoder.

    .. math::
        H = \mathrm{DualView}^{L}(X), \quad
        Z_g = \mathrm{Attn}_{PPI}(\mathrm{GCN}_{PPI}(H)), \quad
        Z_c = \mathrm{SigmoidAttn}_{KNN}(\mathrm{GCN}_{KNN}(H^\top)), \quad
        \hat A = \sigma(Z_g Z_g^\top), \quad \hat X = \mathrm{MLP}(Z_c)

    Args:
        n_genes (int): :math:`G`, the model genes.
        n_cells (int): :math:`C`, the cells seen at once (a cell subset's size in subset mode).
        config (ModelConfig): Architecture; ``"auto"`` values are resolved by :func:`resolve_config`.

    Shapes:
        - **input:** :math:`X` :math:`(G, C)` (genes standardised across cells), KNN :class:`Graph` over
          :math:`C` cells, PPI :class:`Graph` over :math:`G` genes, both built for ``config.encoder``;
          optionally ``target_genes`` :math:`(G_t,)`
        - **output:** :math:`Z_g` :math:`(G, 75)`, :math:`Z_c` :math:`(C, 75)`, :math:`\hat X` :math:`(C, G)` (or
          :math:`(C, G_t)`),
          attention :math:`(|E_{KNN}|,)`
    """

    def __init__(self, n_genes: int, n_cells: int, config: ModelConfig = ModelConfig()):
        super().__init__()
        config = resolve_config(config, n_genes, n_cells)
        self.n_genes, self.n_cells, self.config = n_genes, n_cells, config
        c = config
        self.encoder = nn.ModuleList(
            DualViewBlock(n_genes, n_cells, c.encoder, c.dropout, c.encoder_init, c.encoder_rank)
            for _ in range(c.n_layers))
        self.gene_gcn = CSRGCNConv(n_cells, c.hidden_dim)
        self.gene_attention = TransformerConv(c.hidden_dim, c.embedding_dim, heads=1, dropout=c.dropout)
        self.cell_gcn = CSRGCNConv(n_genes, c.hidden_dim)
        self.cell_attention = SigmoidTransformerConv(c.hidden_dim, c.embedding_dim, c.attention_temperature, c.dropout,
                                                     aggr=c.attention_aggr)
        self.expression_decoder = nn.Sequential(
            nn.Linear(c.embedding_dim, c.hidden_dim), nn.ReLU(),
            nn.Linear(c.hidden_dim, c.hidden_dim), nn.ReLU(),
            nn.Linear(c.hidden_dim, n_genes),
        )
        self.act = nn.LeakyReLU()
        self.drop = Dropout(c.dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for block in self.encoder:
            block.reset_parameters()
        for m in (self.gene_gcn, self.gene_attention, self.cell_gcn, self.cell_attention):
            m.reset_parameters()
        for m in self.expression_decoder:
            if isinstance(m, nn.Linear):
                m.reset_parameters()

    def forward(self, x: Tensor, knn: Graph, ppi: Graph, target_genes: Tensor | None = None,
                cell_embedding_aggr: str | None = None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        r"""``target_genes`` (indices) limits :math:`\hat X` to those genes' columns: training scores only the
        target genes, and every weight gets the same gradient (zero for the other genes' rows).
        ``cell_embedding_aggr`` (one of :data:`ATTENTION_AGGRS`; eval mode) returns :math:`Z_c` with the cell
        attention's neighbour term combined that way (:meth:`SigmoidTransformerConv.reaggregate`);
        :math:`\hat X` is always decoded from the aggregation the model was built with."""
        args = (knn.encoder_adj(self.config.encoder), ppi.encoder_adj(self.config.encoder))
        for block in self.encoder:
            if self.config.recompute and self.training and torch.is_grad_enabled():
                x = checkpoint(block, x, *args, use_reentrant=False)  # same dropout masks on recompute
            else:
                x = block(x, *args)
        zg = self.drop(self.act(self.gene_gcn(x, ppi.head_adj)))
        zg = self.gene_attention(zg, ppi.edge_index)
        h = self.drop(self.act(self.cell_gcn(x.t(), knn.head_adj)))
        zc, (_, alpha) = self.cell_attention(h, knn.edge_index, return_attention_weights=True)
        if target_genes is None:
            recon = self.expression_decoder(zc)
        else:
            out = self.expression_decoder[-1]
            recon = nn.functional.linear(self.expression_decoder[:-1](zc), out.weight[target_genes],
                                         out.bias[target_genes])
        if cell_embedding_aggr is not None:
            zc = self.cell_attention.reaggregate(h, zc, knn.edge_index, alpha, cell_embedding_aggr)
        return zg.float(), zc.float(), recon.float(), alpha.view(-1).float()

    @staticmethod
    def ppi_logits(zg: Tensor, pairs: Tensor) -> Tensor:
        """Inner-product decoder logits :math:`z_a^\\top z_b` for gene pairs :math:`(2, P)`. ``index_select``, not
        ``zg[pairs[0]]``: its backward sums the repeated genes' gradients in a fixed order (indexing's backward
        accumulates in thread-timing order on a multi-threaded CPU)."""
        return (zg.index_select(0, pairs[0]) * zg.index_select(0, pairs[1])).sum(dim=-1)

    def __repr__(self) -> str:
        c = self.config
        return (f"{self.__class__.__name__}(genes={self.n_genes}, cells={self.n_cells}, layers={c.n_layers}, "
                f"encoder={c.encoder}{f', rank={c.encoder_rank}' if c.encoder in LOWRANK else ''}, "
                f"embedding_dim={c.embedding_dim})")
