"""``scnetflow train``: fit scNET on one sample's model inputs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.model.scnet import ModelConfig
from scnetflow.train.params import DEVICES, TrainParams


@click.command("train", context_settings=CONTEXT_SETTINGS)
@click.argument("input_path", metavar="GRAPHS_H5AD", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: GRAPHS_H5AD's name up to the first dot].")
@click.option("--device", type=click.Choice(DEVICES), default="auto", help="auto picks CUDA when available.")
@dataclass_options(TrainParams, ModelConfig)
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
    from scnetflow.allocator import fit_mmap_threshold
    from scnetflow.errors import InputError
    from scnetflow.io import read_h5ad
    from scnetflow.train import annotate, train
    from scnetflow.train.data import subset_width

    params, config = split_options(options, TrainParams, ModelConfig)
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
