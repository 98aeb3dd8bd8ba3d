"""``scnetflow train``: fit scNET on one sample's model inputs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.model.layers import ENCODERS, INITS
from scnetflow.model.scnet import ModelConfig
from scnetflow.selection import SELECTIONS
from scnetflow.train import DEVICES, PRECISIONS, TARGET_GENES, TrainParams

T, M = TrainParams(), ModelConfig()


@click.command("train", context_settings=CONTEXT_SETTINGS)
@click.argument("input_path", metavar="GRAPHS_H5AD", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: GRAPHS_H5AD's name up to the first dot].")
@click.option("--device", type=click.Choice(DEVICES), default="auto", help="auto picks CUDA when available.")
@click.option("--seed", type=int, default=T.seed, help="Random seed; CPU runs are deterministic for a seed.")
@click.option("--epochs", type=click.IntRange(1), default=T.epochs, help="Training epochs.")
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=T.lr, help="Adam learning rate.")
@click.option("--weight-decay", type=click.FloatRange(0), default=T.weight_decay, help="Adam L2 penalty.")
@click.option("--lambda-ppi", type=click.FloatRange(0), default=T.lambda_ppi, help="Weight of the PPI loss.")
@click.option("--lambda-expr", type=click.FloatRange(0), default=T.lambda_expr, help="Weight of the expression loss.")
@click.option("--lambda-corr", type=click.FloatRange(0), default=T.lambda_corr,
              help="Weight of the authors' extra PPI-correlation loss on the reconstruction (0: off, as in the paper).")
@click.option("--target-genes", type=click.Choice(TARGET_GENES), default=T.target_genes,
              help="Genes whose expression the loss reconstructs: hvg (highly variable, the paper) or all model "
                   "genes. Only these genes' reconstruction is trained.")
@click.option("--n-edge-batches", type=click.IntRange(1), default=T.n_edge_batches,
              help="KNN edge mini-batches per epoch (each step uses all cells and 1/N of the edges).")
@click.option("--val-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=T.val_fraction,
              help="PPI edges held out to score the gene embedding (AUROC/AUPR).")
@click.option("--expr-val-fraction", type=click.FloatRange(0, 1, max_open=True), default=T.expr_val_fraction,
              help="(Cell, target gene) expression entries held out of the input and the loss to score the "
                   "reconstruction (val_expr_r); 0: none.")
@click.option("--eval-every", type=click.IntRange(1), default=T.eval_every, help="Epochs between evaluations.")
@click.option("--selection", type=click.Choice(SELECTIONS), default=T.selection,
              help="Which evaluation's model to keep: auroc (best held-out PPI AUROC, the paper), last (the "
                   "authors' code), expr (best held-out expression r), combined (best mean of both skills).")
@click.option("--patience", type=click.IntRange(0), default=T.patience,
              help="Stop after this many evaluations without gain of the --selection criterion (0: never stop early).")
@click.option("--prune-every", type=click.IntRange(0), default=T.prune_every, help="Epochs between KNN prunings (0: off).")
@click.option("--prune-percentile", type=click.FloatRange(0, 100), default=T.prune_percentile,
              help="Drop edges with attention below max(0, this percentile).")
@click.option("--prune-max-fraction", type=click.FloatRange(0, 1), default=T.prune_max_fraction,
              help="At most this fraction of KNN edges dropped per pruning.")
@click.option("--min-cell-degree", type=click.IntRange(1), default=T.min_cell_degree,
              help="Pruning never leaves a cell with fewer edges.")
@click.option("--max-cells", type=click.IntRange(2), default=T.max_cells,
              help="Above this many cells, train on --n-subsets random cell subsets in turn.")
@click.option("--n-subsets", type=click.IntRange(1), default=T.n_subsets, help="Cell subsets for large data.")
@click.option("--n-neighbors", type=click.IntRange(2), default=T.n_neighbors,
              help="Neighbours per cell for the per-subset KNN graphs (large data only).")
@click.option("--precision", type=click.Choice(PRECISIONS), default=T.precision,
              help="auto: bfloat16 matrix products where the CPU (AMX/AVX512-BF16) or GPU supports them, else float32.")
@click.option("--recompute/--no-recompute", default=T.recompute,
              help="Recompute the dual-view encoder's activations in backward instead of storing them: "
                   "about 1 GB less memory on 2,000 cells x 8,433 genes for about a third more compute.")
@click.option("--encoder", type=click.Choice(ENCODERS), default=M.encoder,
              help="Dual-view convolution: sage (the authors' code), gcn (the paper's text), both full width; "
                   "lowrank (GCN with weight diag(s) + U V^T of rank --encoder-rank) or lowrank_sage (root weight "
                   "diag(s), neighbour weight U V^T: messages r wide, the fastest): no genes x genes or "
                   "cells x cells weights.")
@click.option("--encoder-init", type=click.Choice(INITS), default=M.encoder_init,
              help="Dual-view weights start as a smoothing (identity) or at random (the authors' code).")
@click.option("--encoder-rank", type=click.IntRange(1), default=M.encoder_rank,
              help="Rank r of the low-rank encoders' U V^T (unused by sage and gcn).")
@click.option("--n-layers", type=click.IntRange(1), default=M.n_layers, help="Dual-view encoder blocks.")
@click.option("--hidden-dim", type=click.IntRange(1), default=M.hidden_dim, help="Hidden width of encoders and decoder.")
@click.option("--embedding-dim", type=click.IntRange(1), default=M.embedding_dim, help="Gene and cell embedding width.")
@click.option("--dropout", type=click.FloatRange(0, 1, max_open=True), default=M.dropout, help="Dropout probability.")
@click.option("--attention-temperature", type=click.FloatRange(0, min_open=True), default=M.attention_temperature,
              help="tau in sigmoid(tau * z) of the cell attention.")
@click.option("--progress/--no-progress", default=None, help="Progress bar [default: on a terminal only].")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(input_path: Path, outdir: Path, prefix: str | None, device: str, progress: bool | None, force: bool,
            **options) -> None:
    """Train scNET on GRAPHS_H5AD (the graphs step's output).

    Writes PREFIX.scnet.h5ad (obsm['X_scnet'], obsp['scnet_connectivities'], varm['scnet'], uns['scnet']),
    PREFIX.gene_embeddings.tsv, PREFIX.reconstructed.h5ad (cells x model genes, log-normalised units;
    var['reconstruction_target'] marks the trained genes), PREFIX.model.pt (best
    checkpoint), PREFIX.history.tsv and PREFIX.train.json (summary, attention histogram).
    """
    from scnetflow._train_graphs import subset_width
    from scnetflow.cli._allocator import fit_mmap_threshold
    from scnetflow.errors import InputError
    from scnetflow.io import read_h5ad
    from scnetflow.train import annotate, train

    model_fields = {f.name for f in dataclasses.fields(ModelConfig)}
    config = ModelConfig(**{k: v for k, v in options.items() if k in model_fields})
    params = TrainParams(**{k: v for k, v in options.items() if k not in model_fields})
    prefix = prefix or default_prefix(input_path)
    names = [f"{prefix}.{s}" for s in ("scnet.h5ad", "gene_embeddings.tsv", "reconstructed.h5ad", "model.pt",
                                       "history.tsv", "train.json")]
    check_outputs(outdir, names, force=force)
    adata = read_h5ad(input_path, what="the graphs step's h5ad")
    if "ppi" not in adata.varp:  # before any compute: e.g. the qc step's output passed by mistake
        raise InputError("varp['ppi'] is missing; run the graphs step first (pass its <prefix>.graphs.h5ad)",
                         path=input_path)
    # the largest tensors are cells (of a subset) x model genes, float32
    fit_mmap_threshold(subset_width(adata.n_obs, params) * adata.n_vars * 4)
    with staged_outputs(outdir, names, force=force) as stage:
        result = train(adata, params, config, device=device, checkpoint=stage / names[3], progress=progress)
        annotate(adata, result, params, config).write_h5ad(stage / names[0], compression="gzip")
        result.gene_embedding.to_csv(stage / names[1], sep="\t", float_format="%.6g")
        result.reconstruction_anndata(adata).write_h5ad(stage / names[2], compression="gzip")
        result.history.to_csv(stage / names[4], sep="\t", index=False, float_format="%.6g")
        (stage / names[5]).write_text(json.dumps({"sample": prefix, **result.summary}, indent=2) + "\n")
    s = result.summary
    click.echo(f"train: kept epoch {s['best_epoch']} (--selection {s['selection']}): held-out PPI AUROC "
               f"{s['best_val_auroc']:.3f}, expression r {s['best_val_expr_r']:.3f}; wrote {', '.join(names)} to "
               f"{outdir}", err=True)
