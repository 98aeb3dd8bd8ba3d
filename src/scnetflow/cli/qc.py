"""``scnetflow qc``: read one sample, filter, normalise, HVGs, PCA and KNN."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.qc import QCParams


@click.command("qc", context_settings=CONTEXT_SETTINGS)
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: INPUT's name up to the first dot].")
@click.option("--species", type=click.Choice(["human", "mouse"]), default=None,
              help="Species, for Ensembl ID mapping [default: guessed from the IDs].")
@click.option("--gene-map", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV without header: Ensembl ID, symbol [default: the bundled GENCODE map].")
@click.option("--genes-in-rows/--cells-in-rows", default=None,
              help="Orientation of a CSV/TSV input [default: decided from the row and column labels (gene "
                   "symbols/Ensembl IDs vs cell barcodes); an error asks for this option when they do not tell].")
@dataclass_options(QCParams)
@click.option("--label-key", default=None,
              help="obs column with cell labels, checked to exist and recorded for cluster-eval/gsea [default: none].")
@click.option("--condition", default=None, help="Condition of this sample, recorded in uns['sample'].")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(input_path: Path, outdir: Path, prefix: str | None, species: str | None, gene_map: Path | None,
            genes_in_rows: bool | None, label_key: str | None, condition: str | None, force: bool, **params) -> None:
    """Quality-control one sample: INPUT is .h5ad, 10x .h5, a 10x mtx directory, or CSV/TSV counts.

    Writes PREFIX.qc.h5ad (log-normalised X, layers['counts'], var['highly_variable'], obsm['X_pca'],
    obsp['connectivities']) and PREFIX.qc.json (cells and genes before/after).
    """
    from scnetflow.errors import InputError
    from scnetflow.io import read_expression
    from scnetflow.qc import run_qc

    prefix = prefix or default_prefix(input_path)
    names = [f"{prefix}.qc.h5ad", f"{prefix}.qc.json"]
    check_outputs(outdir, names, force=force)
    if label_key is not None and label_key.strip().lower() in ("", "none"):
        label_key = None  # what the samplesheet's empty label_key means: an unlabelled sample
    adata = read_expression(input_path, genes_in_rows=genes_in_rows, species=species, gene_map=gene_map,
                            input_normalized=params["input_normalized"])
    if label_key is not None and label_key not in adata.obs:
        raise InputError(f"label column {label_key!r} not in obs (columns: {list(adata.obs.columns)}); pass an "
                         "existing column, or no --label-key for an unlabelled sample", path=input_path)
    (qc_params,) = split_options(params, QCParams)
    out, summary = run_qc(adata, qc_params, source=str(input_path))
    out.uns["sample"] = {"id": prefix, "condition": condition or "", "species": species or "",
                         "label_key": label_key or ""}
    summary.update(sample=prefix, input=input_path.name)
    with staged_outputs(outdir, names, force=force) as stage:
        out.write_h5ad(stage / names[0], compression="gzip")
        (stage / names[1]).write_text(json.dumps(summary, indent=2) + "\n")
    click.echo(f"qc: wrote {', '.join(names)} to {outdir}", err=True)
