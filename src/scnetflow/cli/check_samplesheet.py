"""``scnetflow check-samplesheet``: validate the pipeline's samplesheet (and contrasts)."""

from __future__ import annotations

import logging

import click

from scnetflow.cli._util import CONTEXT_SETTINGS, common_options, staged_outputs

logger = logging.getLogger(__name__)

OUTPUTS = ["samplesheet.valid.csv", "contrasts.valid.csv"]


@click.command("check-samplesheet", context_settings=CONTEXT_SETTINGS)
@click.argument("samplesheet", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option(
    "--outdir",
    type=click.Path(file_okay=False, path_type=str),
    default=".",
    help="Directory for samplesheet.valid.csv and contrasts.valid.csv (created if missing).",
)
@click.option(
    "--contrasts",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    default=None,
    help="Optional CSV 'contrast,condition_a,condition_b': condition pairs for the differential network.",
)
@click.option("--contrast-a", type=str, default=None, help="Reference condition of one comparison (with --contrast-b).")
@click.option("--contrast-b", type=str, default=None, help="Other condition of that comparison (with --contrast-a).")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@common_options
def command(
    samplesheet: str,
    outdir: str,
    contrasts: str | None,
    contrast_a: str | None,
    contrast_b: str | None,
    force: bool,
) -> None:
    """Validate SAMPLESHEET (CSV: sample,input,condition[,species,label_key]).

    Relative input paths are read from the samplesheet's directory. Writes samplesheet.valid.csv (absolute
    inputs, species and label_key filled in, detected format) and contrasts.valid.csv (header only when
    no comparison is requested). Exits 1 with one line naming the file, line and column on bad input.
    """
    from scnetflow.samplesheet import read_contrasts, read_samplesheet, write_contrasts, write_samplesheet

    samples = read_samplesheet(samplesheet)
    pairs = read_contrasts(samples, contrasts=contrasts, condition_a=contrast_a, condition_b=contrast_b)
    with staged_outputs(outdir, OUTPUTS, force=force) as stage:
        write_samplesheet(samples, stage / OUTPUTS[0])
        write_contrasts(pairs, stage / OUTPUTS[1])
    logger.info(
        "finished: %d samples, %d contrasts -> %s/{%s}", len(samples), len(pairs), outdir, ",".join(OUTPUTS)
    )
