"""``scnetflow evaluate-network``: pathway reconstruction and disease z-scores for three gene networks."""

from __future__ import annotations

from pathlib import Path

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, check_outputs, common_options, default_prefix, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.evaluate_network import EvaluateNetworkParams

EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("evaluate-network", context_settings=CONTEXT_SETTINGS)
@click.argument("coembed_edges", metavar="COEMBED_EDGES_TSV", type=EXISTING)
@click.argument("coexpr_edges", metavar="COEXPR_EDGES_TSV", type=EXISTING)
@click.option("--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--prefix", default=None, help="Output file prefix [default: COEMBED_EDGES_TSV's name up to the first dot].")
@click.option("--ppi", type=EXISTING, default=None,
              help="PPI table, read as by graphs --ppi: two gene-symbol columns and an optional score "
                   "[default: the shipped human PPI].")
@click.option("--gmt", type=EXISTING, multiple=True,
              help="Gene sets (GMT) for pathway reconstruction, repeatable [default: the shipped Reactome].")
@click.option("--disease-gmt", type=EXISTING, default=None,
              help="Disease gene lists (GMT) for the topology-free z-score [default: skipped].")
@dataclass_options(EvaluateNetworkParams)
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(coembed_edges: Path, coexpr_edges: Path, outdir: Path, prefix: str | None, ppi: Path | None,
            gmt: tuple[Path, ...], disease_gmt: Path | None, force: bool, **options) -> None:
    """Compare the co-embedded, PPI and co-expression networks by propagation.

    Pathway reconstruction: for each gene set with >= --min-size genes in a network, seed 2/3 of them
    and score the held-out third (AUROC/AUPR). With --disease-gmt, the topology-free z-score of each
    network against --n-random degree-preserving randomisations. Writes PREFIX.pathway_auc.tsv,
    PREFIX.network_eval.json and, with --disease-gmt, PREFIX.disease_zscores.tsv.
    """
    import json
    import logging

    from scnetflow import __version__
    from scnetflow.evaluate_network import compare_networks
    from scnetflow.genesets import read_gmt
    from scnetflow.networks import read_edge_list

    log = logging.getLogger("scnetflow.cli.evaluate_network")
    (params,) = split_options(options, EvaluateNetworkParams)
    prefix = prefix or default_prefix(coembed_edges)
    names = [f"{prefix}.pathway_auc.tsv", f"{prefix}.network_eval.json"]
    if disease_gmt is not None:
        names.insert(1, f"{prefix}.disease_zscores.tsv")
    check_outputs(outdir, names, force=force)
    pathway_sets: dict[str, list[str]] = {}
    for path in gmt or ("reactome",):
        pathway_sets.update(read_gmt(path))
    disease_sets = read_gmt(disease_gmt) if disease_gmt is not None else None
    log.info("%d pathway sets; %s disease lists", len(pathway_sets), len(disease_sets) if disease_sets else "no")
    pw, dz, summary = compare_networks(read_edge_list(coembed_edges), read_edge_list(coexpr_edges), pathway_sets,
                                       disease_sets, params, ppi=ppi)
    summary.update(
        version=__version__, sample=prefix,
        inputs={"coembed": coembed_edges.name, "coexpr": coexpr_edges.name,
                "ppi": ppi.name if ppi else "scnet_human_ppi.csv.gz (shipped)", "min_score": params.min_score,
                "restrict_ppi": params.restrict_ppi, "gmt": [str(Path(p).name) for p in gmt] or ["reactome (shipped)"],
                "disease_gmt": disease_gmt.name if disease_gmt else None},
    )
    with staged_outputs(outdir, names, force=force) as stage:
        pw.to_csv(stage / names[0], sep="\t", index=False, float_format="%.6g")
        if disease_gmt is not None:
            dz.to_csv(stage / names[1], sep="\t", index=False, float_format="%.6g")
        (stage / names[-1]).write_text(json.dumps(summary, indent=2) + "\n")
    for name, info in summary["networks"].items():
        line = f"{name}: {info['n_genes']} genes, {info['n_edges']} edges"
        if info.get("pathways", {}).get("n_sets"):
            line += f", pathway AUPR {info['pathways']['aupr_mean']:.4f} ({info['pathways']['n_sets']} sets)"
        if info.get("disease", {}).get("n_sets"):
            line += f", disease z AUROC {info['disease']['auroc_z']:.2f} / AUPR {info['disease']['aupr_z']:.2f}"
        log.info(line)
    click.echo(f"evaluate-network: {summary['seconds']:.0f} s; wrote {', '.join(names)} to {outdir}", err=True)
