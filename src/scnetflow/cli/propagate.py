"""``scnetflow propagate``: random walk with restart from seed genes over a gene network."""

from __future__ import annotations

from pathlib import Path

import click

from scnetflow.cli._downstream import seed_gene_list
from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.propagate import PropagateParams


@click.command("propagate", context_settings=CONTEXT_SETTINGS)
@click.argument("edges_path", metavar="EDGES_TSV", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: EDGES_TSV's name up to the first dot].")
@click.option("--seed-genes", multiple=True, help="Seed gene symbols, comma-separated or repeated.")
@click.option("--seed-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="File with one seed gene a line (first tab-, comma- or space-separated field; # comments).")
@dataclass_options(PropagateParams)
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(edges_path: Path, outdir: Path, prefix: str | None, seed_genes: tuple[str, ...], seed_file: Path | None,
            force: bool, **options) -> None:
    """Propagate from seed genes over EDGES_TSV (gene_a, gene_b, weight) and rank every network gene.

    Scores are degree-corrected (divided by the propagation of the all-ones vector). Writes
    PREFIX.propagation.tsv (gene, score, rank, is_seed).
    """
    import logging

    from scnetflow.errors import InputError
    from scnetflow.networks import read_edge_list
    from scnetflow.propagate import propagate

    log = logging.getLogger("scnetflow.cli.propagate")
    (params,) = split_options(options, PropagateParams)
    prefix = prefix or default_prefix(edges_path)
    names = [f"{prefix}.propagation.tsv"]
    check_outputs(outdir, names, force=force)
    seeds = seed_gene_list(seed_genes, seed_file)
    edges = read_edge_list(edges_path)
    log.info("input: %d edges, %d seed gene(s)", len(edges), len(seeds))
    try:
        ranked = propagate(edges, seeds, params)
    except InputError as e:
        raise InputError(str(e), path=edges_path) from e
    with staged_outputs(outdir, names, force=force) as stage:
        ranked.to_csv(stage / names[0], sep="\t", index=False, float_format="%.6g")
    top = ", ".join(ranked.loc[~ranked["is_seed"], "gene"].head(5))
    click.echo(f"propagate: {len(ranked)} genes ranked (top non-seeds: {top}); wrote {names[0]} to {outdir}", err=True)
