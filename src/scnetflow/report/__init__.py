"""The run report: one self-contained HTML file over a run's result files.

The files come by group (a sample or a contrast) and kind (:mod:`scnetflow.report.results`): found in a
published results directory, ``<results>/<sample>/<step>/<prefix>.<kind>`` (:func:`find_results`), or
listed with their sample, step and kind in the manifest that the pipeline writes (:func:`read_manifest`).
Groups with single-sample outputs (QC, graphs, training, ...) are samples; groups with only pair outputs
(a differential network, GSEA between conditions) are contrasts. The page opens with a verdict per sample
(each scNET output against its baseline, :mod:`scnetflow.report._verdict`), then the sample and contrast
tables, then one collapsible section per sample and contrast. Figures are PNGs embedded as base64; the
page has no script, no external style sheet, font or image, so it opens offline. Every section has a
stable HTML id (:func:`section_ids`), and a section whose input is missing says so instead of failing.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scnetflow.params import SEED_HELP, option

from scnetflow.report.results import (COMPARISON_KINDS, KINDS, MANIFEST_COLUMNS, SAMPLE_KINDS, SKIP_DIRS, ResultGroup,
                                      find_results, read_manifest, result_groups, slug)
from scnetflow.report.formatting import note

logger = logging.getLogger(__name__)

#: per-sample sections, in page order: id suffix -> heading.
SAMPLE_SECTIONS: dict[str, str] = {
    "qc": "QC summary",
    "ppi": "PPI genes and edges kept",
    "training": "Training curves",
    "attention": "Attention scores before pruning",
    "umap": "UMAP: scNET embedding vs PCA",
    "clustering": "Clustering against labels",
    "modularity": "Co-embedded network modularity vs threshold",
    "pathways": "Pathway AUPR and disease z-scores per network",
    "gsea": "GSEA: top pathways per cell type",
}
#: per-contrast sections: id suffix -> heading.
COMPARISON_SECTIONS: dict[str, str] = {
    "diffnet": "Differential network",
    "gsea": "GSEA between conditions",
}

__all__ = ["COMPARISON_KINDS", "COMPARISON_SECTIONS", "KINDS", "MANIFEST_COLUMNS", "SAMPLE_KINDS", "SAMPLE_SECTIONS",
           "SKIP_DIRS", "ReportParams", "ResultGroup", "build_report", "contrast_stats", "find_results", "read_manifest",
           "result_groups", "sample_stats", "sample_verdicts", "section_ids", "slug", "write_report"]


def _read_json(path: Path | None) -> dict | None:
    if path is None:
        return None
    with open(path) as fh:
        return json.load(fh)


def _first(d: dict | None, *keys: str):
    """The value of the first key present (nested dicts searched one level down)."""
    if not d:
        return None
    for k in keys:
        if k in d and not isinstance(d[k], dict):
            return d[k]
    for v in d.values():
        if isinstance(v, dict):
            for k in keys:
                if k in v and not isinstance(v[k], dict):
                    return v[k]
    return None


def sample_stats(group: ResultGroup) -> dict[str, float | int | str | None]:
    """Headline numbers of one sample, for the report's samples table and MultiQC's general stats.

    Returns
    -------
    ``cells``, ``genes`` (after QC), ``ppi_genes``, ``ppi_edges`` (model genes and edges kept),
    ``best_auroc`` (held-out PPI), ``best_epoch``, ``seconds_total`` (training), ``ari_scnet`` and
    ``ari_pca`` (max Leiden ARI against the labels, when the cluster-eval step ran with labels); ``None``
    where unknown.
    """
    qc = _read_json(group.files.get("qc_json"))
    gr = _read_json(group.files.get("graphs_json"))
    tr = _read_json(group.files.get("train_json"))
    ce = _read_json(group.files.get("cluster_eval_json"))
    reps = (ce or {}).get("representations", {})
    stats = {
        "cells": _first(qc, "cells_after", "n_cells"),
        "genes": _first(qc, "genes_after", "n_genes"),
        "ppi_genes": _first(gr, "model_genes", "n_genes"),
        "ppi_edges": _first(gr, "model_edges", "n_edges"),
        "best_auroc": _first(tr, "best_val_auroc", "best_auroc"),
        "best_epoch": _first(tr, "best_epoch"),
        "seconds_total": _first(tr, "seconds_total"),
        "ari_scnet": reps.get("X_scnet", {}).get("max_ari", _first(ce, "max_ari_scnet")),
        "ari_pca": reps.get("X_pca", {}).get("max_ari", _first(ce, "max_ari_pca")),
    }
    if stats["best_auroc"] is None and "history" in group.files:
        import pandas as pd

        h = pd.read_csv(group.files["history"], sep="\t")
        if "val_auroc" in h and h["val_auroc"].notna().any():
            stats["best_auroc"] = float(h["val_auroc"].max())
    if stats["ari_scnet"] is None and "cluster_eval" in group.files:
        stats.update(_ari_from_table(group.files["cluster_eval"]))
    return stats


def _ari_from_table(path: Path) -> dict[str, float | None]:
    """Max ARI per representation from a long cluster-eval table (representation, resolution, ari)."""
    import pandas as pd

    t = pd.read_csv(path, sep="\t")
    rep = next((c for c in ("representation", "embedding", "rep", "space", "method") if c in t), None)
    if rep is None or "ari" not in t:
        return {}
    best = t.groupby(t[rep].astype(str).str.lower())["ari"].max().dropna()  # all NaN: cluster-eval ran without labels
    pick = lambda *names: next((float(best[n]) for n in best.index if any(x in n for x in names)), None)  # noqa: E731
    return {"ari_scnet": pick("scnet"), "ari_pca": pick("pca")}


def contrast_stats(group: ResultGroup) -> dict[str, float | int | str | None]:
    """Headline numbers of one contrast: differential edges, genes ranked, the top non-seed genes, and
    pathways tested / at FDR < 0.25 between the two conditions (original expression)."""
    import pandas as pd

    out: dict = {"diff_edges": None, "genes_ranked": None, "top_genes": None, "pathways_tested": None,
                 "pathways_fdr25": None}
    if "diffnet_edges" in group.files:
        with open(group.files["diffnet_edges"]) as fh:
            out["diff_edges"] = max(sum(1 for _ in fh) - 1, 0)
    if "diffnet_genes" in group.files:
        g = pd.read_csv(group.files["diffnet_genes"], sep="\t")
        out["genes_ranked"] = len(g)
        if {"gene", "score"} <= set(g.columns):
            seed = g["is_seed"].astype(str).str.lower() == "true" if "is_seed" in g else False
            out["top_genes"] = ", ".join(g.loc[~seed].sort_values("score", ascending=False)["gene"].astype(str).head(5))
    if "gsea_conditions" in group.files:
        t = pd.read_csv(group.files["gsea_conditions"], sep="\t")
        if "expression" in t:
            t = t[t["expression"].astype(str) == "original"] if (t["expression"] == "original").any() else t
        out["pathways_tested"] = len(t)
        if "fdr" in t:
            out["pathways_fdr25"] = int((pd.to_numeric(t["fdr"], errors="coerce") < 0.25).sum())
    return out


def section_ids(groups: Mapping[str, ResultGroup]) -> list[str]:
    """Every section id the report for ``groups`` contains (what the browser test looks for)."""
    samples = [g for g in groups.values() if g.is_sample]
    ids = ["verdict", *(f"verdict-{g.slug}" for g in samples), "summary"]
    for g in samples:
        ids.append(f"sample-{g.slug}")
        ids += [f"sample-{g.slug}-{s}" for s in SAMPLE_SECTIONS]
    ids.append("comparisons")
    for g in groups.values():
        if g.is_comparison:
            ids += [f"comparison-{g.slug}", *(f"comparison-{g.slug}-{s}" for s in COMPARISON_SECTIONS)]
    ids.append("about")
    return ids


def _safe(render: Callable[[], str], what: str) -> str:
    """Run one section renderer; a failure becomes a note in that section, not a failed report."""
    try:
        return render()
    except Exception as e:  # noqa: BLE001  one unreadable input must not lose the whole report
        logger.warning("report: %s could not be rendered: %s: %s", what, type(e).__name__, e)
        return note(f"Could not render {what}: {type(e).__name__}: {e}")


def sample_verdicts(results: str | Path | Mapping[str, ResultGroup]) -> dict:
    """The verdict of every sample (:func:`scnetflow.report._verdict.sample_verdict`), by sample name.

    A sample whose verdict cannot be computed (an unreadable input) is left out, with a warning.
    """
    from scnetflow.report._verdict import sample_verdict

    samples = [g for g in result_groups(results).values() if g.is_sample]
    out = {}
    for g in samples:
        others = [o.files["scnet_h5ad"] for o in samples if o is not g and "scnet_h5ad" in o.files]
        try:
            out[g.name] = sample_verdict(g, others)
        except Exception as e:  # noqa: BLE001  the report still renders, saying the verdict failed
            logger.warning("report: %s: verdict could not be computed: %s: %s", g.name, type(e).__name__, e)
    return out


@dataclass(frozen=True)
class ReportParams:
    """The report step's settings."""

    title: str = option("scnetflow report", "Page title.")
    max_umap_cells: int = option(20000, "Samples with more cells are subsampled (seeded) for the UMAP figures.",
                                 min=100)
    seed: int = option(0, SEED_HELP)


def build_report(results: str | Path | Mapping[str, ResultGroup], params: ReportParams = ReportParams(), *,
                 verdicts: Mapping | None = None, source: str | None = None) -> tuple[str, list[str]]:
    """Render the report for a results directory or its groups.

    Parameters
    ----------
    results
        Published results (``<results>/<sample>/<step>/...``), or their groups (:func:`read_manifest`).
    params
        The title; ``max_umap_cells``: samples with more cells are subsampled (seeded) for the UMAPs;
        ``seed``: of the UMAP layout, subsampling and any clustering computed for the figures.
    verdicts
        Precomputed :func:`sample_verdicts` (computed here when ``None``).
    source
        Where the results came from, for the page's "About" [default: the directory, or "a manifest"].

    Returns
    -------
    ``(html, ids)``: the page and the ids of its sections (:func:`section_ids`).
    """
    from scnetflow.report import _page as pg
    from scnetflow.report import _sections as rs
    from scnetflow.report._verdict_html import glance_table, verdict_block

    groups = result_groups(results)
    if source is None:
        source = "a manifest" if isinstance(results, Mapping) else str(results)
    samples = [g for g in groups.values() if g.is_sample]
    comparisons = [g for g in groups.values() if g.is_comparison]
    logger.info("report: %d sample(s), %d contrast(s) in %s", len(samples), len(comparisons), source)
    if verdicts is None:
        verdicts = sample_verdicts(groups)
    sec = pg.section

    summary = ("<h3>Samples</h3>" + _safe(lambda: pg.samples_table(samples, sample_stats), "the samples table")
               + "<h3>Contrasts</h3>" + _safe(lambda: pg.contrasts_table(comparisons, contrast_stats), "the contrasts table"))
    verdict_parts = [sec(f"verdict-{g.slug}", f"Verdict: {g.name}",
                         verdict_block(verdicts[g.name]) if g.name in verdicts else note(
                             f"Could not compute the verdict of {g.name}; see the log."))
                     for g in samples]
    intro = ("<p>Is each scNET output better than the input it came from? Per sample, each output against its "
             "baseline on the same cells and genes: <b>better</b>, <b>same within noise</b> or <b>worse</b>.</p>")
    parts = [sec("verdict", "Verdict per sample", intro + glance_table(verdicts, samples) + "\n".join(verdict_parts), 2),
             sec("summary", "Samples and contrasts", summary, 2)]
    renderers = {
        "qc": lambda g: rs.qc_section(g.files.get("qc_json")),
        "ppi": lambda g: rs.ppi_section(g.files.get("graphs_json")),
        "training": lambda g: rs.training_section(g.files.get("history"), g.files.get("train_json")),
        "attention": lambda g: rs.attention_section(g.files.get("train_json")),
        "umap": lambda g: rs.umap_section(g.files.get("scnet_h5ad"), g.files.get("clusters"),
                                         max_cells=params.max_umap_cells, seed=params.seed),
        "clustering": lambda g: rs.clustering_section(g.files.get("cluster_eval"), g.files.get("cluster_eval_json")),
        "modularity": lambda g: rs.modularity_section(g.files.get("modularity")),
        "pathways": lambda g: rs.pathways_section(g.files.get("pathway_auc"), g.files.get("disease_zscores")),
        "gsea": lambda g: rs.gsea_section(g.files.get("gsea_celltype"), g.files.get("gsea_conditions")),
    }
    toc = [("verdict", "Verdict per sample", []), ("summary", "Samples and contrasts", [])]
    for g in samples:
        sid = f"sample-{g.slug}"
        inner = [sec(f"{sid}-{key}", heading, _safe(lambda g=g, key=key: renderers[key](g), f"{g.name}: {heading}"))
                 for key, heading in SAMPLE_SECTIONS.items()]
        parts.append(sec(sid, f"Sample {g.name}", "\n".join(inner), 2))
        toc.append((sid, f"Sample {g.name}", [(f"verdict-{g.slug}", "Verdict")]
                    + [(f"{sid}-{k}", h) for k, h in SAMPLE_SECTIONS.items()]))
    comp = []
    toc.append(("comparisons", "Contrasts", []))
    for g in comparisons:
        cid = f"comparison-{g.slug}"
        inner = [sec(f"{cid}-diffnet", COMPARISON_SECTIONS["diffnet"], _safe(
                     lambda g=g: rs.diffnet_section(g.files.get("diffnet_genes"), g.files.get("diffnet_edges")),
                     f"{g.name}: differential network")),
                 sec(f"{cid}-gsea", COMPARISON_SECTIONS["gsea"], _safe(
                     lambda g=g: rs.gsea_section(g.files.get("gsea_celltype"), g.files.get("gsea_conditions")),
                     f"{g.name}: GSEA"))]
        comp.append(sec(cid, f"Contrast {g.name}", "\n".join(inner)))
        toc.append((cid, f"Contrast {g.name}", [(f"{cid}-{k}", h) for k, h in COMPARISON_SECTIONS.items()]))
    parts.append(sec("comparisons", "Contrasts", "\n".join(comp) if comp else note(
        "Not available: no contrast results (<A>_vs_<B>/diffnet, gsea between conditions) in this run."), 2))
    from scnetflow import __version__

    about = (f"<p>scnetflow {html.escape(__version__)}; generated "
             f"{_dt.datetime.now(_dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} from "
             f"<code>{html.escape(source)}</code>. Numbers: counts exact, others to 3 significant "
             "digits, durations as m:ss.</p>" + rs.files_table(groups))
    parts.append(sec("about", "About this report", about, 2, open_=False))
    toc.append(("about", "About this report", []))
    ids = section_ids(groups)
    return pg.page(params.title, pg.contents(toc), parts), ids


def write_report(results: str | Path | Mapping[str, ResultGroup], out_html: str | Path,
                 params: ReportParams = ReportParams(), **kwargs) -> list[str]:
    """Render :func:`build_report` to ``out_html`` (written to a temporary name, then renamed).

    Returns
    -------
    The ids of the sections written.
    """
    page, ids = build_report(results, params, **kwargs)
    out_html = Path(out_html)
    tmp = out_html.with_name(out_html.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out_html)
    logger.debug("report written: %s (%d sections, %.1f MB)", out_html, len(ids), out_html.stat().st_size / 1e6)
    return ids
