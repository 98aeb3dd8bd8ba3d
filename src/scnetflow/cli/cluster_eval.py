"""``scnetflow cluster-eval``: Leiden over resolutions on the scNET and PCA cell embeddings."""

from __future__ import annotations

from pathlib import Path

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.cluster_eval import ClusterEvalParams


@click.command("cluster-eval", context_settings=CONTEXT_SETTINGS)
@click.argument("h5ad", metavar="SCNET_H5AD", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: SCNET_H5AD's name up to the first dot].")
@click.option("--label-key", default=None,
              help="obs column of known labels [default: uns['sample']['label_key']]; 'none' (or empty): no labels, "
                   "clusters are only counted.")
@dataclass_options(ClusterEvalParams)
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(h5ad: Path, outdir: Path, prefix: str | None, label_key: str | None, force: bool, **options) -> None:
    """Leiden clustering over resolutions of each cell representation, scored against a label column.

    Writes PREFIX.cluster_eval.tsv (representation, resolution, n_clusters, ari, nmi),
    PREFIX.cluster_eval.json (maximum ARI/NMI per representation and the settings) and PREFIX.clusters.tsv
    (cell, scnet_leiden: scNET's clusters at --leiden-resolution, the groups of GSEA and the report for an
    unlabelled sample).
    """
    import json
    import logging

    from scnetflow import __version__
    from scnetflow.cluster_eval import cluster_eval
    from scnetflow.errors import InputError
    from scnetflow.io import read_h5ad
    from scnetflow.labels import CLUSTER_KEY

    log = logging.getLogger("scnetflow.cli.cluster_eval")
    prefix = prefix or default_prefix(h5ad)
    (params,) = split_options(options, ClusterEvalParams)
    names = [f"{prefix}.cluster_eval.tsv", f"{prefix}.cluster_eval.json", f"{prefix}.clusters.tsv"]
    check_outputs(outdir, names, force=force)
    adata = read_h5ad(h5ad)
    log.info("input: %d cells; representations %s; seed %d", adata.n_obs, list(params.representations), params.seed)
    try:
        table, summary = cluster_eval(adata, label_key, params, key_added=CLUSTER_KEY)
    except InputError as e:
        raise InputError(str(e), path=h5ad) from e
    summary.update(version=__version__, sample=prefix, n_cells=int(adata.n_obs))
    with staged_outputs(outdir, names, force=force) as stage:
        table.to_csv(stage / names[0], sep="\t", index=False, float_format="%.6g")
        (stage / names[1]).write_text(json.dumps(summary, indent=2) + "\n")
        adata.obs[[CLUSTER_KEY]].rename_axis("cell").to_csv(stage / names[2], sep="\t")
    best = "; ".join(f"{rep}: max ARI {info['max_ari']:.3f}" for rep, info in summary["representations"].items()
                     if "max_ari" in info)
    click.echo(f"cluster-eval: {best or 'no labels'}; wrote {', '.join(names)} to {outdir}", err=True)
