"""``scnetflow report``: the HTML run report (and MultiQC custom content) over a results directory."""

from __future__ import annotations

import logging

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, common_options, staged_outputs
from scnetflow.cli.options import dataclass_options, split_options
from scnetflow.report import ReportParams

logger = logging.getLogger(__name__)

REPORT_HTML = "scnetflow_report.html"


@click.command("report", context_settings=CONTEXT_SETTINGS)
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False), required=False)
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Instead of RESULTS_DIR: a TSV listing the result files (sample, step, kind, path), as the "
                   "pipeline writes for this step.")
@click.option("--outdir", type=click.Path(file_okay=False), default=".", help="Directory for the report (created if missing).")
@dataclass_options(ReportParams)
@click.option("--multiqc/--no-multiqc", default=True,
              help="Also write MultiQC custom content: general stats per sample and collated software versions.")
@click.option("--versions", "versions", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="A process's versions.yml to collate for MultiQC (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(results_dir: str | None, manifest: str | None, outdir: str, multiqc: bool, versions: tuple[str, ...],
            force: bool, **options) -> None:
    """Render RESULTS_DIR (published pipeline results, <sample>/<step>/...), or the files a --manifest lists,
    as OUTDIR/scnetflow_report.html.

    One self-contained file: figures embedded, no scripts or external resources, opens offline. With
    --multiqc (default), also OUTDIR/scnetflow_general_stats_mqc.yaml and, given --versions,
    OUTDIR/scnetflow_software_mqc_versions.yml, for MultiQC.
    """
    from scnetflow import multiqc as mqc
    from scnetflow.report import find_results, read_manifest, sample_verdicts, write_report

    (params,) = split_options(options, ReportParams)
    names = [REPORT_HTML]
    if multiqc:
        names.append(mqc.GENERAL_STATS_FILE)
        if versions:
            names.append(mqc.VERSIONS_FILE)
    if (results_dir is None) == (manifest is None):
        raise click.UsageError("pass either RESULTS_DIR or --manifest")
    # an empty or foreign directory, or a bad manifest, fails here, before anything is written
    groups = find_results(results_dir) if manifest is None else read_manifest(manifest)
    logger.info("report: results %s -> %s", results_dir or manifest, outdir)
    with staged_outputs(outdir, names, force=force) as stage:
        verdicts = sample_verdicts(groups)  # once, for the report and MultiQC
        ids = write_report(groups, stage / REPORT_HTML, params, verdicts=verdicts,
                           source=results_dir or "the pipeline's results")
        if multiqc:
            mqc.write_general_stats(groups, stage / mqc.GENERAL_STATS_FILE, verdicts)
            if versions:
                mqc.write_versions(versions, stage / mqc.VERSIONS_FILE)
    logger.info("report finished: %s in %s (%d sections)", ", ".join(names), outdir, len(ids))
