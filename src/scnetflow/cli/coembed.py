"""``scnetflow coembed``: co-embedded gene network, co-expression baseline, communities and modularity."""

from __future__ import annotations

from pathlib import Path

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.coembed import CoembedParams


@click.command("coembed", context_settings=CONTEXT_SETTINGS)
@click.argument("embeddings", metavar="GENE_EMBEDDINGS_TSV", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("h5ad", metavar="SCNET_H5AD", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: GENE_EMBEDDINGS_TSV's name up to the first dot].")
@dataclass_options(CoembedParams)
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(embeddings: Path, h5ad: Path, outdir: Path, prefix: str | None, force: bool, **options) -> None:
    """Co-embedded gene network from GENE_EMBEDDINGS_TSV and the co-expression baseline from SCNET_H5AD.

    Edges join genes whose |Pearson r| is above a percentile of all gene pairs. Writes
    PREFIX.coembed_edges.tsv, PREFIX.coembed.graphml (with Leiden communities), PREFIX.coexpr_edges.tsv,
    PREFIX.communities.tsv (both networks, every percentile) and PREFIX.modularity.tsv.
    """
    import logging

    import pandas as pd

    from scnetflow.coembed import coembed, read_gene_embeddings, to_graphml
    from scnetflow.errors import InputError
    from scnetflow.io import read_h5ad
    from scnetflow.networks import write_edge_list

    log = logging.getLogger("scnetflow.cli.coembed")
    (params,) = split_options(options, CoembedParams)
    prefix = prefix or default_prefix(embeddings)
    names = [f"{prefix}.{n}" for n in ("coembed_edges.tsv", "coembed.graphml", "coexpr_edges.tsv",
                                      "communities.tsv", "modularity.tsv")]
    check_outputs(outdir, names, force=force)
    emb = read_gene_embeddings(embeddings)
    adata = read_h5ad(h5ad)
    log.info("input: %d genes x %d dims; %d cells x %d genes; seed %d", *emb.shape, *adata.shape, params.seed)
    try:
        co, cx = coembed(emb, adata, params)
    except InputError as e:
        raise InputError(str(e), path=h5ad) from e
    with staged_outputs(outdir, names, force=force) as stage:
        write_edge_list(co.edges, stage / names[0])
        to_graphml(co, stage / names[1])
        write_edge_list(cx.edges, stage / names[2])
        pd.concat([co.communities, cx.communities]).to_csv(stage / names[3], sep="\t", index=False)
        pd.concat([co.modularity, cx.modularity]).to_csv(stage / names[4], sep="\t", index=False, float_format="%.6g")
    mod = pd.concat([co.modularity, cx.modularity]).pivot(index="percentile", columns="network", values="modularity")
    log.info("modularity per percentile:\n%s", mod.to_string(float_format="%.4f"))
    click.echo(f"coembed: {len(co.edges)} co-embedded and {len(cx.edges)} co-expression edges at "
               f"p{params.percentile:g}; "
               f"wrote {', '.join(names)} to {outdir}", err=True)
