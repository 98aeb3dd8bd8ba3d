"""The train step's settings (METHOD.md section 3.5-3.8); the architecture is :class:`scnetflow.model.ModelConfig`.

Each field is the single source of its CLI option and pipeline param (:mod:`scnetflow.params`).
"""

from __future__ import annotations

from dataclasses import dataclass

from scnetflow.model.layers import ATTENTION_AGGRS
from scnetflow.params import SEED_HELP, option
from scnetflow.train.selection import SELECTIONS

PRECISIONS = ("auto", "fp32", "bf16")
#: The reconstruction target: the highly variable genes (the paper) or every model gene.
TARGET_GENES = ("hvg", "all")
DEVICES = ("auto", "cpu", "cuda")
#: How the held-out PPI edges are drawn (:func:`scnetflow.train.data.split_ppi`).
VAL_SPLITS = ("keep_degree", "uniform")
#: How the written cell embedding (``obsm["X_scnet"]``) is scaled (:func:`scnetflow.train.result.kept_result`).
CELL_EMBEDDING_NORMS = ("l2", "none")


@dataclass(frozen=True)
class TrainParams:
    """Training settings (METHOD.md section 3.5-3.8)."""

    epochs: int = option(250, "Training epochs.", min=1)
    lr: float = option(1e-4, "Adam learning rate.", min=0, min_open=True)
    gene_encoder_lr_scale: float = option(3.0, "The gene encoder's learning rate (the GCN and attention layers "
                                               "that give the gene embedding, reached by the PPI loss alone) is "
                                               "--lr times this (1: one rate, the paper).", min=0, min_open=True)
    weight_decay: float = option(1e-5, "Adam L2 penalty.", min=0)
    lambda_ppi: float = option(1.0, "Weight of the PPI loss.", min=0)
    lambda_expr: float = option(1.0, "Weight of the expression loss.", min=0)
    lambda_corr: float = option(0.0, "Weight of the authors' extra PPI-correlation loss on the reconstruction "
                                     "(0: off, as in the paper).", min=0)
    target_genes: str = option("hvg", "Genes whose expression the loss reconstructs: hvg (highly variable, the "
                                      "paper) or all model genes. Only these genes' reconstruction is trained.",
                               choices=TARGET_GENES)
    n_edge_batches: int = option(5, "KNN edge mini-batches per epoch (each step uses all cells and 1/N of the "
                                    "edges).", min=1)
    val_fraction: float = option(0.2, "PPI edges held out to score the gene embedding (AUROC/AUPR).", min=0, max=1,
                                 min_open=True, max_open=True)
    val_split: str = option("keep_degree", "How PPI edges are held out: keep_degree (only while both genes keep "
                                           "another training edge, so every gene keeps one) or uniform (a uniform "
                                           "random fraction, the paper; genes can lose every edge).",
                            choices=VAL_SPLITS)
    expr_val_fraction: float = option(0.05, "(Cell, target gene) expression entries held out of the input and the "
                                            "loss to score the reconstruction (val_expr_r); 0: none.",
                                      min=0, max=1, max_open=True)
    ema_decay: float = option(0.0, "Decay per optimiser step of an exponential moving average of the weights; "
                                   "evaluations, outputs and the checkpoint then use the averaged weights, which "
                                   "hold about the last 1/(1 - decay) steps (0: off, the live weights as in the "
                                   "paper).", min=0, max=1, max_open=True)
    eval_every: int = option(10, "Epochs between evaluations.", min=1)
    eval_partitions: int = option(0, "Random partitions of the KNN edges into --n-edge-batches batches, drawn as "
                                     "training draws its batches, that each evaluation averages its outputs over "
                                     "(0: contiguous batches of the sorted edge list).", min=0)
    selection: str = option("last", "Which evaluation's model to keep: auroc (best held-out PPI AUROC, the paper), "
                                    "last (the authors' code), expr (best held-out expression r), combined (best "
                                    "mean of both skills).", choices=SELECTIONS)
    cell_embedding_norm: str = option("l2", "How the cell embedding is written: l2 (each cell's vector scaled to "
                                            "unit length; its length grows with the cell's KNN edges that survive "
                                            "pruning) or none (as the cell attention returns it, the authors' code).",
                                      choices=CELL_EMBEDDING_NORMS)
    cell_embedding_aggr: str = option(
        "weighted_mean", "How the written cell embedding combines a cell's attention-weighted neighbour messages: "
                         "sum (the authors' code), mean (divided by the cell's KNN degree) or weighted_mean (by the "
                         "sum of its attention scores). The same trained weights; the reconstruction always uses "
                         "--attention-aggr.", choices=ATTENTION_AGGRS)
    patience: int = option(0, "Stop after this many evaluations without gain of the --selection criterion (0: "
                              "never stop early).", min=0)
    prune_every: int = option(30, "Epochs between KNN prunings (0: off).", min=0)
    prune_percentile: float = option(10.0, "Drop edges with attention below max(0, this percentile).", min=0,
                                     max=100)
    prune_max_fraction: float = option(0.1, "At most this fraction of KNN edges dropped per pruning.", min=0, max=1)
    min_cell_degree: int = option(5, "Pruning never leaves a cell with fewer edges.", min=1)
    max_cells: int = option(10000, "Above this many cells, train on --n-subsets random cell subsets in turn.", min=2)
    n_subsets: int = option(10, "Cell subsets for large data.", min=1)
    n_neighbors: int = option(25, "Neighbours per cell in the KNN graphs: the qc step's graph, and the train "
                                  "step's per-subset graphs of large data.", min=2)
    precision: str = option("auto", "auto: bfloat16 matrix products where the CPU (AMX/AVX512-BF16) or GPU "
                                    "supports them, else float32.", choices=PRECISIONS)
    seed: int = option(0, SEED_HELP)
