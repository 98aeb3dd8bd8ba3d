"""MultiQC custom content: per-sample general statistics and collated software versions.

MultiQC (``multiqc``, the ``report`` extra) picks up files named ``*_mqc.yaml`` as custom content and
``*_mqc_versions.yml`` as software versions. :func:`write_general_stats` writes one row per sample of a
results directory (cells, genes, PPI genes and edges kept, best held-out AUROC, and the numbers and signs of
the report's verdict: each scNET output against its baseline, :mod:`scnetflow.report._verdict`);
:func:`write_versions` merges the pipeline's ``versions.yml`` files. Run MultiQC offline with the
project's ``assets/multiqc_config.yml``::

    multiqc --config assets/multiqc_config.yml DIR_WITH_THESE_FILES
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

from scnetflow.errors import InputError
from scnetflow.report import ResultGroup, result_groups, sample_stats, sample_verdicts

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
    "ari_pca": {"title": "ARI PCA", "description": "Max Leiden ARI of PCA against the labels (baseline)", "min": 0,
                "max": 1, "format": "{:.3f}", "scale": "RdYlGn"},
    "knn_r_scnet": {"title": "kNN r scNET", "description": "No labels: mean r of held-out genes predicted from "
                    "X_scnet neighbours", "min": 0, "max": 1, "format": "{:.3f}", "scale": "RdYlGn"},
    "knn_r_pca": {"title": "kNN r PCA", "description": "No labels: the same from PCA neighbours (baseline)", "min": 0,
                  "max": 1, "format": "{:.3f}", "scale": "RdYlGn"},
    "verdict_cells": {"title": "Cells vs PCA", "description": "Verdict: scNET cell embedding vs PCA"},
    "modularity_coembed": {"title": "Modularity co-emb.", "description": "Modularity of the co-embedded network at "
                           "its threshold", "min": 0, "max": 1, "format": "{:.3f}", "scale": "RdYlGn"},
    "modularity_coexpr": {"title": "Modularity co-expr.", "description": "Modularity of the co-expression network at "
                          "the same threshold (baseline)", "min": 0, "max": 1, "format": "{:.3f}", "scale": "RdYlGn"},
    "verdict_coexpr": {"title": "Network vs co-expr.", "description": "Verdict: co-embedded network vs co-expression "
                       "(modularity)"},
    "pathway_aupr_coembed": {"title": "Pathway AUPR co-emb.", "description": "Mean pathway AUPR of the co-embedded "
                             "network", "min": 0, "format": "{:.3f}", "scale": "RdYlGn"},
    "pathway_aupr_ppi": {"title": "Pathway AUPR PPI", "description": "Mean pathway AUPR of the PPI (baseline)", "min": 0,
                         "format": "{:.3f}", "scale": "RdYlGn"},
    "verdict_ppi": {"title": "Network vs PPI", "description": "Verdict: co-embedded network vs the PPI (pathway AUPR)"},
    "marker_aupr_reconstructed": {"title": "Marker AUPR recon.", "description": "Mean marker AUPR over cell types, "
                                  "reconstructed expression", "min": 0, "max": 1, "format": "{:.3f}", "scale": "RdYlGn"},
    "marker_aupr_original": {"title": "Marker AUPR orig.", "description": "The same on the original expression "
                             "(baseline)", "min": 0, "max": 1, "format": "{:.3f}", "scale": "RdYlGn"},
    "verdict_reconstruction": {"title": "Recon. vs original", "description": "Verdict: reconstructed vs original "
                               "expression (marker AUPR)"},
}
#: verdict measure (quality.TOLERANCES key) -> (value column, baseline column, sign column).
VERDICT_COLUMNS: dict[str, tuple[str, str, str]] = {
    "max_ari": ("ari_scnet", "ari_pca", "verdict_cells"),
    "knn_heldout_r": ("knn_r_scnet", "knn_r_pca", "verdict_cells"),
    "modularity": ("modularity_coembed", "modularity_coexpr", "verdict_coexpr"),
    "pathway_aupr": ("pathway_aupr_coembed", "pathway_aupr_ppi", "verdict_ppi"),
    "marker_aupr": ("marker_aupr_reconstructed", "marker_aupr_original", "verdict_reconstruction"),
}


def general_stats(results: str | Path | Mapping[str, ResultGroup], verdicts: Mapping | None = None
                  ) -> dict[str, dict[str, float | int | str]]:
    """Per-sample headline numbers (:func:`scnetflow.report.sample_stats`) and the verdict's numbers and signs
    (``verdicts`` from :func:`scnetflow.report.sample_verdicts`, computed when ``None``); unknown values left out."""
    groups = result_groups(results)
    if verdicts is None:
        verdicts = sample_verdicts(groups)
    out = {}
    for g in groups.values():
        if g.is_sample:
            st = sample_stats(g)
            row = {k: st[k] for k in HEADERS if st.get(k) is not None and st[k] == st[k]}  # NaN: unknown too
            for m in getattr(verdicts.get(g.name), "measures", []):
                if m.sign != "n/a" and m.tolerance_key in VERDICT_COLUMNS:
                    vk, bk, sk = VERDICT_COLUMNS[m.tolerance_key]
                    row.update({vk: m.value, bk: m.baseline, sk: m.sign})
            if row:
                out[g.name] = {k: row[k] for k in HEADERS if k in row}
    return out


def _yaml():
    try:
        import yaml
    except ImportError as e:  # a dependency of anndata's zarr stack, so normally present
        raise ImportError("PyYAML is needed for MultiQC files; pip install pyyaml") from e
    return yaml


def write_general_stats(results: str | Path | Mapping[str, ResultGroup], path: str | Path,
                        verdicts: Mapping | None = None) -> dict[str, dict]:
    """Write ``scnetflow_general_stats_mqc.yaml`` (MultiQC ``plot_type: generalstats``) for a results directory
    or its groups (``verdicts`` as in :func:`general_stats`).

    Returns
    -------
    The data written: sample -> column -> value.
    """
    data = general_stats(results, verdicts)
    used = {k for row in data.values() for k in row}
    doc = {
        "id": "scnetflow",
        "section_name": "scnetflow",
        "description": "scNET training per sample, and each scNET output against its baseline (the verdict of the "
                       "scnetflow report: better, same within noise, worse)",
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
