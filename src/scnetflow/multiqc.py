"""MultiQC custom content: per-sample general statistics and collated software versions.

MultiQC (``multiqc``, the ``report`` extra) picks up files named ``*_mqc.yaml`` as custom content and
``*_mqc_versions.yml`` as software versions. :func:`write_general_stats` writes one row per sample of a
results directory (cells, genes, PPI genes and edges kept, best held-out AUROC, ARI when labels exist);
:func:`write_versions` merges the pipeline's ``versions.yml`` files. Run MultiQC offline with the
project's ``assets/multiqc_config.yml``::

    multiqc --config assets/multiqc_config.yml DIR_WITH_THESE_FILES
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from scnetflow.errors import InputError
from scnetflow.report import find_results, sample_stats

logger = logging.getLogger(__name__)

GENERAL_STATS_FILE = "scnetflow_general_stats_mqc.yaml"
VERSIONS_FILE = "scnetflow_software_mqc_versions.yml"

#: general-stats column -> MultiQC header settings.
HEADERS: dict[str, dict] = {
    "cells": {"title": "Cells", "description": "Cells after QC", "format": "{:,.0f}", "scale": "Blues"},
    "genes": {"title": "Genes", "description": "Genes after QC", "format": "{:,.0f}", "scale": "Greens"},
    "ppi_genes": {"title": "PPI genes", "description": "Model genes: expressed genes with a PPI edge", "format": "{:,.0f}",
                  "scale": "Purples"},
    "ppi_edges": {"title": "PPI edges", "description": "PPI edges among the model genes", "format": "{:,.0f}",
                  "scale": "Purples"},
    "best_auroc": {"title": "Best AUROC", "description": "Best held-out PPI edge AUROC during training", "min": 0.5,
                   "max": 1.0, "format": "{:.3f}", "scale": "RdYlGn"},
    "ari_scnet": {"title": "ARI scNET", "description": "Max Leiden ARI of X_scnet against the labels", "min": 0, "max": 1,
                  "format": "{:.3f}", "scale": "RdYlGn"},
    "ari_pca": {"title": "ARI PCA", "description": "Max Leiden ARI of PCA against the labels", "min": 0, "max": 1,
                "format": "{:.3f}", "scale": "RdYlGn", "hidden": True},
}


def general_stats(results_dir: str | Path) -> dict[str, dict[str, float | int]]:
    """Per-sample headline numbers (:func:`scnetflow.report.sample_stats`), unknown values left out."""
    out = {}
    for g in find_results(results_dir).values():
        if g.is_sample:
            row = {k: v for k, v in sample_stats(g).items() if v is not None}
            if row:
                out[g.name] = row
    return out


def _yaml():
    try:
        import yaml
    except ImportError as e:  # a dependency of anndata's zarr stack, so normally present
        raise ImportError("PyYAML is needed for MultiQC files; pip install pyyaml") from e
    return yaml


def write_general_stats(results_dir: str | Path, path: str | Path) -> dict[str, dict]:
    """Write ``scnetflow_general_stats_mqc.yaml`` (MultiQC ``plot_type: generalstats``) for a results directory.

    Returns
    -------
    The data written: sample -> column -> value.
    """
    data = general_stats(results_dir)
    used = {k for row in data.values() for k in row}
    doc = {
        "id": "scnetflow",
        "section_name": "scnetflow",
        "description": "scNET training per sample",
        "plot_type": "generalstats",
        "pconfig": [{k: dict(v)} for k, v in HEADERS.items() if k in used],
        "data": data,
    }
    Path(path).write_text(_yaml().safe_dump(doc, sort_keys=False))
    logger.info("multiqc: general stats for %d sample(s) -> %s", len(data), path)
    return data


def read_versions(path: str | Path) -> dict[str, dict[str, str]]:
    """One ``versions.yml`` (``PROCESS: {tool: version}``) as nested dicts of strings."""
    try:
        doc = _yaml().load(Path(path).read_text(), Loader=_yaml().BaseLoader)  # keep "1.10" a string
    except _yaml().YAMLError as e:
        raise InputError(f"not valid YAML ({e}); expected 'PROCESS:' then indented 'tool: version' lines", path=path) from e
    if not isinstance(doc, dict) or not all(isinstance(v, dict) for v in doc.values()):
        raise InputError("expected 'PROCESS:' then indented 'tool: version' lines (a versions.yml)", path=path)
    return {str(p): {str(t): str(v) for t, v in tools.items()} for p, tools in doc.items()}


def write_versions(paths: Iterable[str | Path], path: str | Path, *, workflow: dict[str, str] | None = None
                   ) -> dict[str, dict[str, str]]:
    """Merge ``versions.yml`` files into MultiQC's ``*_mqc_versions.yml`` (process -> tool -> version).

    The process name is shortened to its last ``:``-separated part (``SCNETFLOW:TRAIN`` -> ``TRAIN``);
    ``workflow`` (default: scnetflow's version) is added as the ``Workflow`` group.
    """
    from scnetflow import __version__

    merged: dict[str, dict[str, str]] = {}
    for p in paths:
        for proc, tools in read_versions(p).items():
            merged.setdefault(proc.split(":")[-1], {}).update(tools)
    merged["Workflow"] = {"scnetflow": __version__, **(workflow or {})}
    Path(path).write_text(_yaml().safe_dump(dict(sorted(merged.items())), sort_keys=False))
    logger.info("multiqc: versions of %d process(es) -> %s", len(merged) - 1, path)
    return merged
