"""``scnetflow diffnet``: differential co-embedded network of two conditions, propagated from seed genes."""

from __future__ import annotations

from pathlib import Path

import click

from scnetflow.cli._downstream import seed_gene_list
from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.diffnet import DiffnetParams
EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("diffnet", context_settings=CONTEXT_SETTINGS)
@click.argument("embeddings_a", metavar="GENE_EMBEDDINGS_A", type=EXISTING)
@click.argument("embeddings_b", metavar="GENE_EMBEDDINGS_B", type=EXISTING)
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: A_vs_B from the two file names].")
@click.option("--seed-genes", multiple=True, help="Seed gene symbols, comma-separated or repeated.")
@click.option("--seed-file", type=EXISTING, default=None, help="File with one seed gene a line.")
@click.option("--name-a", default=None, help="Name of condition A [default: GENE_EMBEDDINGS_A's name up to the first dot].")
@click.option("--name-b", default=None, help="Name of condition B [default: GENE_EMBEDDINGS_B's name up to the first dot].")
@dataclass_options(DiffnetParams)
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(embeddings_a: Path, embeddings_b: Path, outdir: Path, prefix: str | None, seed_genes: tuple[str, ...],
            seed_file: Path | None, name_a: str | None, name_b: str | None, force: bool, **options) -> None:
    """XOR of the co-embedded networks of two conditions, then propagation from seed genes over it.

    Writes PREFIX.diffnet_edges.tsv (gene_a, gene_b, weight, condition: the condition that has the
    edge) and PREFIX.diffnet_genes.tsv (gene, score, rank, is_seed, degree per condition).
    """
    import logging

    from scnetflow.coembed import read_gene_embeddings
    from scnetflow.diffnet import diffnet
    from scnetflow.networks import write_edge_list

    log = logging.getLogger("scnetflow.cli.diffnet")
    (params,) = split_options(options, DiffnetParams)
    name_a = name_a or default_prefix(embeddings_a)
    name_b = name_b or default_prefix(embeddings_b)
    prefix = prefix or f"{name_a}_vs_{name_b}"
    names = [f"{prefix}.diffnet_edges.tsv", f"{prefix}.diffnet_genes.tsv"]
    check_outputs(outdir, names, force=force)
    seeds = seed_gene_list(seed_genes, seed_file)
    emb_a, emb_b = read_gene_embeddings(embeddings_a), read_gene_embeddings(embeddings_b)
    log.info("input: %s %d genes, %s %d genes; seeds %s", name_a, len(emb_a), name_b, len(emb_b), seeds)
    edges, ranked, info = diffnet(emb_a, emb_b, seeds, params, names=(name_a, name_b))
    with staged_outputs(outdir, names, force=force) as stage:
        write_edge_list(edges, stage / names[0], extra_columns=["condition"])
        ranked.to_csv(stage / names[1], sep="\t", index=False, float_format="%.6g")
    top = ", ".join(ranked.loc[~ranked["is_seed"], "gene"].head(10))
    click.echo(f"diffnet: {info['n_edges_only'][name_a]} edges only in {name_a}, {info['n_edges_only'][name_b]} only in "
               f"{name_b}; top genes: {top}; wrote {', '.join(names)} to {outdir}", err=True)
