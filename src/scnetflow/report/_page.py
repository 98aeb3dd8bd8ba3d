"""The report's page frame: style, the contents (grouped by sample and contrast, collapsible), collapsible
sections, and the summary tables (samples and contrasts apart)."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import pandas as pd

from scnetflow.report.formatting import esc, note, table

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1200px;
padding:0 1.5em 3em;color:#222;line-height:1.45}
h1{border-bottom:3px solid #2b6cb0;padding-bottom:.3em}h2{border-bottom:1px solid #ccc;margin-top:1.5em}
h3{margin-top:1.2em;color:#2b4a7b}h2,h3{display:inline-block;margin-bottom:.3em}
details>summary{cursor:pointer}details.section>summary{list-style-position:outside;margin-left:1em}
nav details{margin:.1em 0}nav ul{margin:.2em 0 .4em;padding-left:1.6em;columns:2;font-size:.9em}
nav>ul{columns:1}nav summary{font-weight:600}
table{border-collapse:collapse;margin:.5em 0;font-size:.88em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#eef3fa}td.num{text-align:right;font-variant-numeric:tabular-nums}img{max-width:100%;height:auto}
figure{margin:.6em 0 1.2em}figcaption{font-size:.88em;color:#444;max-width:60em}
.note{background:#fff8e1;border-left:4px solid #f0b429;padding:.4em .8em;color:#5c4400}
code{background:#f3f3f3;padding:0 .2em}
.better{background:#e6f4ea;color:#1e6b34;font-weight:600}.worse{background:#fde8e8;color:#9b1c1c;font-weight:600}
.same{background:#f1f1f1;color:#444;font-weight:600}
.verdict-figures{display:flex;flex-wrap:wrap;gap:.8em}.verdict-figures figure{flex:1 1 260px;max-width:300px;margin:0}
table.glance td{vertical-align:top}
"""


def section(sid: str, heading: str, body: str, level: int = 3, *, open_: bool = True) -> str:
    """A section with a stable id whose body folds under its heading (a ``<details>``: no script needed)."""
    flag = " open" if open_ else ""
    return (f'<section id="{sid}"><details class="section"{flag}><summary><h{level}>{html.escape(heading)}</h{level}>'
            f"</summary>\n{body}\n</details></section>")


def contents(entries: Sequence[tuple[str, str, Sequence[tuple[str, str]]]]) -> str:
    """The contents: ``(id, heading, [(sub id, sub heading), ...])`` per entry; entries with subsections
    (a sample, a contrast) are collapsible groups of links."""
    items = []
    for sid, heading, subs in entries:
        link = f'<a href="#{sid}">{esc(heading)}</a>'
        if not subs:
            items.append(f"<li>{link}</li>")
            continue
        inner = "".join(f'<li><a href="#{i}">{esc(h)}</a></li>' for i, h in subs)
        items.append(f'<li><details class="toc-group" data-group="{sid}"><summary>{link}</summary><ul>{inner}</ul>'
                     "</details></li>")
    return f'<nav id="contents"><h2>Contents</h2><ul>{"".join(items)}</ul></nav>'


def page(title: str, toc: str, parts: Sequence[str]) -> str:
    """The whole HTML document: inline style, the contents, then the sections."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body>\n<h1>{esc(title)}</h1>\n{toc}\n"
            + "\n".join(parts) + "\n</body></html>\n")


#: summary-table column -> header shown.
SAMPLE_HEADERS = {"sample": "sample", "cells": "cells", "genes": "genes", "ppi_genes": "PPI genes kept",
                  "ppi_edges": "PPI edges kept", "best_auroc": "best held-out AUROC", "best_epoch": "best epoch",
                  "seconds_total": "training time (m:ss)"}
CONTRAST_HEADERS = {"contrast": "contrast", "diff_edges": "differential edges", "genes_ranked": "genes ranked",
                    "top_genes": "top genes (not seeds)", "pathways_tested": "pathways tested between conditions",
                    "pathways_fdr25": "of them FDR < 0.25"}


def samples_table(samples, stats: Callable) -> str:
    """One row per sample: cells, genes, PPI genes/edges, best AUROC and epoch, training time."""
    if not samples:
        return note("Not available: no sample results were found in this directory.")
    rows = []
    for g in samples:
        st = stats(g)
        rows.append({"sample": f'<a href="#sample-{g.slug}">{esc(g.name)}</a>',
                     **{k: st.get(k) for k in SAMPLE_HEADERS if k != "sample"}})
    df = pd.DataFrame(rows, columns=list(SAMPLE_HEADERS))
    df = df.loc[:, [c for c in df.columns if c == "sample" or df[c].notna().any()]]
    return table(df, headers=SAMPLE_HEADERS, html_cols=("sample",), cls="samples")


def contrasts_table(comparisons, stats: Callable) -> str:
    """One row per contrast (pair of samples): differential edges, top genes, pathways between conditions."""
    if not comparisons:
        return note("No contrasts in this run (no <A>_vs_<B>/diffnet or gsea between conditions).")
    rows = [{"contrast": f'<a href="#comparison-{g.slug}">{esc(g.name)}</a>', **stats(g)} for g in comparisons]
    df = pd.DataFrame(rows, columns=list(CONTRAST_HEADERS))
    df = df.loc[:, [c for c in df.columns if c == "contrast" or df[c].notna().any()]]
    return table(df, headers=CONTRAST_HEADERS, html_cols=("contrast",), cls="contrasts")
