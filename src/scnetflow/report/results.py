"""Where the report's inputs are: result files by group (sample or contrast) and kind, found in a published
results directory (:func:`find_results`) or listed in the pipeline's manifest (:func:`read_manifest`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scnetflow.errors import InputError

logger = logging.getLogger(__name__)

#: file kind -> file-name suffix (after ``<prefix>.``), as in docs/contracts.md.
KINDS: dict[str, str] = {
    "qc_json": "qc.json",
    "qc_h5ad": "qc.h5ad",
    "graphs_json": "graphs.json",
    "history": "history.tsv",
    "train_json": "train.json",
    "scnet_h5ad": "scnet.h5ad",
    "reconstructed_h5ad": "reconstructed.h5ad",
    "cluster_eval": "cluster_eval.tsv",
    "cluster_eval_json": "cluster_eval.json",
    "clusters": "clusters.tsv",
    "modularity": "modularity.tsv",
    "pathway_auc": "pathway_auc.tsv",
    "disease_zscores": "disease_zscores.tsv",
    "network_eval": "network_eval.json",
    "gsea_celltype": "gsea_celltype.tsv",
    "gsea_conditions": "gsea_conditions.tsv",
    "propagation": "propagation.tsv",
    "diffnet_genes": "diffnet_genes.tsv",
    "diffnet_edges": "diffnet_edges.tsv",
}
#: kinds that make a group a sample; kinds that make a group without them a contrast (a pair of samples).
SAMPLE_KINDS = ("qc_json", "qc_h5ad", "graphs_json", "history", "train_json", "scnet_h5ad", "reconstructed_h5ad",
                "cluster_eval", "cluster_eval_json", "clusters", "modularity", "pathway_auc", "disease_zscores", "network_eval")
COMPARISON_KINDS = ("diffnet_genes", "diffnet_edges", "gsea_conditions")
#: top-level directories of a results tree that hold no sample.
SKIP_DIRS = frozenset({"multiqc", "pipeline_info", "report"})


@dataclass
class ResultGroup:
    """The result files of one sample (or contrast): kind -> path, plus its name, and kind -> where the file
    is published (``<sample>/<step>/<file>``, shown in the report's files table)."""

    name: str
    files: dict[str, Path] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)

    @property
    def is_sample(self) -> bool:
        return any(k in self.files for k in SAMPLE_KINDS)

    @property
    def is_comparison(self) -> bool:
        return any(k in self.files for k in ("diffnet_genes", "diffnet_edges")) or (
            not self.is_sample and any(k in self.files for k in COMPARISON_KINDS + ("gsea_celltype",)))

    @property
    def slug(self) -> str:
        return slug(self.name)


def slug(name: str) -> str:
    """An HTML-id-safe form of a sample name (letters, digits, ``_`` and ``-``)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "x"


def find_results(results_dir: str | Path) -> dict[str, ResultGroup]:
    """Index the result files under ``results_dir`` by group (sample or contrast) and kind.

    Parameters
    ----------
    results_dir
        A published results directory (``<results>/<sample>/<step>/<prefix>.<kind>``).

    Returns
    -------
    Groups keyed by name, sorted. When a group has two files of one kind, the first in path order wins
    (logged). Raises :class:`~scnetflow.errors.InputError` when the directory does not exist or holds no
    result file at all.
    """
    root = Path(results_dir)
    if not root.is_dir():
        raise InputError("results directory not found; pass the pipeline's --outdir", path=root)
    groups: dict[str, ResultGroup] = {}
    by_len = sorted(KINDS.items(), key=lambda kv: -len(kv[1]))
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIP_DIRS or any(part.startswith(".") for part in rel.parts):
            continue
        for kind, suffix in by_len:
            if path.name.endswith("." + suffix) and len(path.name) > len(suffix) + 1:
                prefix = path.name[: -len(suffix) - 1]
                name = rel.parts[0] if len(rel.parts) > 1 else prefix
                group = groups.setdefault(name, ResultGroup(name))
                _add(group, kind, path, rel.as_posix())
                break
    if not groups:
        raise InputError(
            "no scnetflow results in this directory (no <prefix>.qc.json, <prefix>.scnet.h5ad, ... below it); "
            "pass the pipeline's --outdir, or run the pipeline first", path=root)
    return dict(sorted(groups.items()))


def _add(group: ResultGroup, kind: str, path: Path, where: str) -> None:
    if kind in group.files:
        logger.warning("report: %s: second %s file %s ignored", group.name, kind, where)
    else:
        group.files[kind], group.where[kind] = path, where


#: Columns of a results manifest (:func:`read_manifest`).
MANIFEST_COLUMNS = ("sample", "step", "kind", "path")


def read_manifest(manifest: str | Path) -> dict[str, ResultGroup]:
    """The result files listed in a manifest, by group, as :func:`find_results` finds them in a directory.

    The manifest is a TSV with the header ``sample, step, kind, path`` and one row per file: the group
    (sample or contrast) it belongs to, the step that wrote it, its kind (a key of :data:`KINDS`) and its
    path, relative to the manifest's directory. The pipeline writes one for the report step, so that the
    report reads the files where they are staged.
    """
    manifest = Path(manifest)
    if not manifest.is_file():
        raise InputError("manifest not found", path=manifest)
    lines = [line.rstrip("\n").split("\t") for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines or tuple(lines[0]) != MANIFEST_COLUMNS:
        raise InputError("the first line must be the header sample, step, kind, path (tab-separated)", path=manifest)
    groups: dict[str, ResultGroup] = {}
    for n, row in enumerate(lines[1:], start=2):
        if len(row) != len(MANIFEST_COLUMNS):
            raise InputError(f"line {n}: {len(row)} fields, expected {len(MANIFEST_COLUMNS)} (tab-separated)",
                             path=manifest)
        sample, step, kind, rel = row
        if kind not in KINDS:
            raise InputError(f"line {n}: unknown kind {kind!r}; use one of {', '.join(KINDS)}", path=manifest)
        path = manifest.parent / rel
        if not path.is_file():
            raise InputError(f"line {n}: file {rel!r} not found", path=manifest)
        _add(groups.setdefault(sample, ResultGroup(sample)), kind, path, f"{sample}/{step}/{path.name}")
    if not groups:
        raise InputError("the manifest lists no result file", path=manifest)
    return dict(sorted(groups.items()))


def result_groups(results: str | Path | Mapping[str, ResultGroup]) -> dict[str, ResultGroup]:
    """The groups of ``results``: found in a directory (:func:`find_results`), or as given."""
    return dict(results) if isinstance(results, Mapping) else find_results(results)
