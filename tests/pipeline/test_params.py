"""Every step option the pipeline passes is a param in nextflow.config with the CLI's default."""

from __future__ import annotations

import importlib
import re

import pytest
from nfhelpers import REPO

from scnetflow.cli import STEPS

#: CLI options the pipeline sets per sample/task or internally, never from a param of the same name.
NOT_PARAMS = {
    "*": {"outdir", "prefix", "force", "verbose", "quiet"},
    "check-samplesheet": {"samplesheet", "contrasts", "contrast_a", "contrast_b"},
    "qc": {"input_path", "species", "label_key", "condition", "gene_map"},
    "graphs": {"input_path", "ppi", "species"},
    "train": {"input_path", "progress"},
    "cluster-eval": {"h5ad", "label_key"},
    "coembed": {"embeddings", "h5ad"},
    "propagate": {"edges_path", "seed_genes", "seed_file"},
    "evaluate-network": {"coembed_edges", "coexpr_edges", "ppi", "gmt", "disease_gmt"},
    "diffnet": {"embeddings_a", "embeddings_b", "seed_genes", "seed_file", "name_a", "name_b"},
    "gsea": {"h5ad", "reconstructed", "gmt", "others", "label_key", "clusters", "conditions"},
    "report": {"results_dir", "manifest", "multiqc", "versions"},
}


def nextflow_params() -> dict[str, str]:
    text = (REPO / "nextflow.config").read_text()
    block = text[text.index("params {") : text.index("\n}", text.index("params {"))]
    return {
        m.group(1): m.group(2).strip()
        for m in re.finditer(r"^\s*(\w+)\s*=\s*(.+?)\s*(?://.*)?$", block, flags=re.M)
    }


def as_config(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (tuple, list)):
        return "'" + ",".join(str(v) for v in value) + "'"
    if isinstance(value, str):
        return f"'{value}'"
    return repr(value)


def same(config: str, value) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, (str, tuple, list)):
        return config == as_config(value)
    return float(config) == float(value)


@pytest.mark.parametrize("step", list(STEPS))
def test_cli_options_are_params_with_the_same_default(step):
    params = nextflow_params()
    command = importlib.import_module(f"scnetflow.cli.{STEPS[step]}").command
    skip = NOT_PARAMS["*"] | NOT_PARAMS.get(step, set())
    for p in command.params:
        if p.name in skip:
            continue
        name = p.name  # one name: the option's is the param's
        assert name in params, f"scnetflow {step} --{p.name.replace('_', '-')}: no params.{name} in nextflow.config"
        assert same(params[name], p.default), (
            f"params.{name} = {params[name]} but scnetflow {step} defaults to {as_config(p.default)}"
        )
