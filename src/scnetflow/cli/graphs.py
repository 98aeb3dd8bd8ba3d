"""``scnetflow graphs``: the PPI among expressed genes and the model inputs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.graphs import GraphsParams


@click.command("graphs", context_settings=CONTEXT_SETTINGS)
@click.argument("input_path", metavar="QC_H5AD", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: QC_H5AD's name up to the first dot].")
@click.option("--ppi", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="PPI table: two gene-symbol columns and an optional score [default: the authors' human network].")
@dataclass_options(GraphsParams)
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(input_path: Path, outdir: Path, prefix: str | None, ppi: Path | None, force: bool, **params) -> None:
    """Intersect the PPI with the sample's expressed genes and write the model inputs.

    Writes PREFIX.graphs.h5ad (cells x model genes, varp['ppi']) and PREFIX.graphs.json (genes and edges kept).
    """
    from scnetflow.errors import InputError
    from scnetflow.graphs import build_model_inputs
    from scnetflow.io import default_ppi_path, read_h5ad, read_ppi

    prefix = prefix or default_prefix(input_path)
    names = [f"{prefix}.graphs.h5ad", f"{prefix}.graphs.json"]
    check_outputs(outdir, names, force=force)
    (graphs_params,) = split_options(params, GraphsParams)
    table = read_ppi(ppi, min_score=graphs_params.min_score)  # before the h5ad: a bad --ppi fails fast
    adata = read_h5ad(input_path, what="the qc step's h5ad")
    if "qc" not in adata.uns:
        raise InputError("not an output of the qc step (no uns['qc']); run scnetflow qc on the sample first",
                         path=input_path)
    out, summary = build_model_inputs(adata, table, graphs_params, source=str(input_path))
    summary.update(sample=prefix, ppi=(ppi or default_ppi_path()).name, min_score=graphs_params.min_score)
    with staged_outputs(outdir, names, force=force) as stage:
        out.write_h5ad(stage / names[0], compression="gzip")
        (stage / names[1]).write_text(json.dumps(summary, indent=2) + "\n")
    click.echo(f"graphs: {summary['model_genes']} model genes, {summary['model_edges']} PPI edges; "
               f"wrote {', '.join(names)} to {outdir}", err=True)
