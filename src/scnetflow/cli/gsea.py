"""``scnetflow gsea``: Wilcoxon DE + GSEA prerank per cell type and between conditions."""

from __future__ import annotations

from pathlib import Path

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.gsea import GseaParams

EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


def _read(path: Path):
    from scnetflow.io import read_h5ad

    return read_h5ad(path)


@click.command("gsea", context_settings=CONTEXT_SETTINGS)
@click.argument("h5ad", metavar="SCNET_H5AD", type=EXISTING)
@click.argument("reconstructed", metavar="RECONSTRUCTED_H5AD", type=EXISTING)
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: SCNET_H5AD's name up to the first dot].")
@click.option("--gmt", type=EXISTING, multiple=True, help="Gene sets (GMT), repeatable [default: the shipped Reactome].")
@click.option("--other-sample", "others", type=EXISTING, nargs=2, multiple=True, metavar="SCNET_H5AD RECONSTRUCTED_H5AD",
              help="Another sample (e.g. the other condition) to add before testing; repeatable.")
@click.option("--label-key", default=None,
              help="obs column of cell types [default: uns['sample']['label_key'], else scNET's Leiden clusters: "
                   "--clusters, else computed as cluster-eval does]; 'none': the clusters even with labels.")
@click.option("--clusters", type=EXISTING, default=None,
              help="cluster-eval's PREFIX.clusters.tsv: scNET's clusters (obs['scnet_leiden']) of SCNET_H5AD's cells.")
@click.option("--conditions", nargs=2, default=None, metavar="A B",
              help="Test B against A within each cell type [default: the two conditions present, sorted; none: skipped].")
@dataclass_options(GseaParams)
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(h5ad: Path, reconstructed: Path, outdir: Path, prefix: str | None, gmt: tuple[Path, ...],
            others: tuple[tuple[Path, Path], ...], label_key: str | None, clusters: Path | None,
            conditions: tuple[str, str] | None, force: bool, **options) -> None:
    """GSEA (gseapy prerank, offline gene sets) of Wilcoxon rankings on original and reconstructed expression.

    Per cell type against the rest: PREFIX.gsea_celltype.tsv. Condition B against A within each cell
    type, when two conditions are present (add the other condition's files with --other-sample):
    PREFIX.gsea_conditions.tsv. Both tidy: comparison, expression, group, reference, term, es, nes,
    pval, fdr, fwer, cell counts, lead_genes.
    """
    import logging

    from scnetflow.errors import InputError
    from scnetflow.genesets import read_gmt
    from scnetflow.gsea import combine_samples, default_conditions, gsea_celltypes, gsea_conditions
    from scnetflow.labels import CLUSTER_KEY, read_clusters

    log = logging.getLogger("scnetflow.cli.gsea")
    (params,) = split_options(options, GseaParams)
    if clusters is not None and others:  # two samples' cluster numbers name unrelated groups
        raise click.UsageError("--clusters labels one sample's cells; with --other-sample use --label-key")
    condition_key = params.condition_key
    prefix = prefix or default_prefix(h5ad)
    # the condition table exists only when conditions are known; check what surely will be written
    check_outputs(outdir, [f"{prefix}.gsea_celltype.tsv"], force=force)
    gene_sets: dict[str, list[str]] = {}
    for path in gmt or ("reactome",):
        gene_sets.update(read_gmt(path))
    adata, recon = _read(h5ad), _read(reconstructed)
    if clusters is not None:  # this command's own copy: the input file is not changed
        adata.obs[CLUSTER_KEY] = read_clusters(clusters, adata.obs_names)
    if others:
        adata, recon = combine_samples([adata] + [_read(a) for a, _ in others], [recon] + [_read(r) for _, r in others],
                                       condition_key=condition_key)
    elif condition_key not in adata.obs and (adata.uns.get("sample") or {}).get("condition") is not None:
        adata.obs[condition_key] = str(adata.uns["sample"]["condition"])
    log.info("input: %d cells x %d genes, %d gene sets, seed %d", adata.n_obs, adata.n_vars, len(gene_sets), params.seed)
    if conditions is None:
        conditions = default_conditions(adata, condition_key)
        if conditions:
            log.info("conditions: %s vs %s (reference first)", conditions[1], conditions[0])
    elif conditions is not None and condition_key not in adata.obs:
        raise InputError(f"condition column {condition_key!r} not in obs (columns: {list(adata.obs.columns)}); "
                         "pass --condition-key or add the other condition with --other-sample", path=h5ad)
    names = [f"{prefix}.gsea_celltype.tsv"] + ([f"{prefix}.gsea_conditions.tsv"] if conditions else [])
    ct = gsea_celltypes(adata, recon, gene_sets, params, label_key=label_key)
    cond = None
    if conditions:
        cond = gsea_conditions(adata, recon, gene_sets, params, conditions=tuple(conditions), label_key=label_key)
    with staged_outputs(outdir, names, force=force) as stage:
        ct.to_csv(stage / names[0], sep="\t", index=False, float_format="%.6g")
        if cond is not None:
            cond.to_csv(stage / names[1], sep="\t", index=False, float_format="%.6g")
    n_sig = int((ct["fdr"] < 0.05).sum())
    click.echo(f"gsea: {ct['group'].nunique()} groups, {n_sig} (group, expression, set) at FDR < 0.05; "
               f"wrote {', '.join(names)} to {outdir}", err=True)
