"""The verdict of a sample as HTML: a table of numbers and signs, then one small figure per measure."""

from __future__ import annotations

import html

import numpy as np

from scnetflow.report.formatting import esc, figure, fmt, note, plt
from scnetflow.report._verdict import SIGN_TEXT, Verdict

SCNET, BASE = "#2b6cb0", "#a0aec0"


def verdict_table(v: Verdict) -> str:
    """Rows: output, measure, scNET, baseline, difference, within-noise tolerance, sign, source."""
    head = ("<tr><th>output</th><th>measure</th><th>scNET</th><th>baseline</th><th>difference</th>"
            "<th>noise tolerance</th><th>verdict</th><th>from</th></tr>")
    rows = []
    for m in v.measures:
        sign = m.sign
        if sign == "n/a":
            nums = f'<td class="num">n/a</td><td>{esc(m.baseline_name)}: n/a</td><td class="num">n/a</td>'
        else:
            nums = (f'<td class="num" data-key="{esc(m.value_key)}">{esc(fmt(m.value))}</td>'
                    f'<td>{esc(m.baseline_name)}: <span class="num" data-key="{esc(m.baseline_key)}">'
                    f"{esc(fmt(m.baseline))}</span></td>"
                    f'<td class="num">{esc(fmt(m.value - m.baseline))}</td>')
        rows.append(f'<tr class="verdict-row" data-output="{esc(m.output)}" data-verdict="{sign}">'
                    f"<td>{esc(m.output)} vs {esc(m.baseline_name)}</td><td>{esc(m.measure)}</td>{nums}"
                    f'<td class="num">&#177;{esc(fmt(m.tolerance))}</td>'
                    f'<td class="{sign if sign != "n/a" else ""}">{esc(SIGN_TEXT[sign])}</td>'
                    f"<td>{esc(m.source or m.note)}</td></tr>")
    return f'<table class="verdict"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _cell_figure(v: Verdict) -> str | None:
    p = plt()
    if v.cluster_table is not None and {"representation", "resolution", "ari"} <= set(v.cluster_table.columns):
        t = v.cluster_table
        fig, ax = p.subplots(figsize=(3.6, 2.9))
        for rep, colour, name in (("X_scnet", SCNET, "scNET"), ("X_pca", BASE, "PCA")):
            sub = t[t["representation"] == rep].sort_values("resolution")
            if len(sub):
                ax.plot(sub["resolution"], sub["ari"], marker="o", ms=4, color=colour, label=name)
        ax.set(xlabel="Leiden resolution", ylabel=f"ARI vs {v.label_key}", title="cell embedding vs PCA", ylim=(0, 1.02))
        ax.legend(fontsize=8)
        return figure(fig, "ARI against resolution for scNET and PCA",
                      "Agreement (ARI) of Leiden clusters with the labels at each resolution. Good: the scNET "
                      "curve above PCA's at its best resolution, near 1 for well-separated cell types.")
    if v.knn:
        fig, ax = p.subplots(figsize=(3.2, 2.9))
        vals = [v.knn["X_scnet"]["r_mean"], v.knn["X_pca"]["r_mean"]]
        ax.bar(["scNET", "PCA"], vals, color=[SCNET, BASE])
        ax.set(ylabel="mean r, held-out genes", title="cell embedding vs PCA (no labels)")
        return figure(fig, "kNN held-out-gene r for scNET and PCA",
                      f"How well each cell's {v.knn['X_scnet']['n_neighbors']} nearest neighbours predict genes "
                      f"neither representation was built from ({v.knn['X_scnet']['n_genes']:,} genes). Good: the "
                      "scNET bar higher: its neighbours share more biology.")
    return None


def _modularity_figure(v: Verdict) -> str | None:
    t = v.modularity
    if t is None or not {"network", "percentile", "modularity"} <= set(t.columns):
        return None
    fig, ax = plt().subplots(figsize=(3.6, 2.9))
    for net, colour, name in (("coembed", SCNET, "co-embedded (scNET)"), ("coexpr", BASE, "co-expression")):
        sub = t[t["network"] == net].sort_values("percentile")
        if len(sub):
            ax.plot(sub["percentile"], sub["modularity"], marker="o", ms=4, color=colour, label=name)
    if v.percentile is not None:
        ax.axvline(v.percentile, color="#666", lw=0.8, ls="--")
    ax.set(xlabel="threshold (percentile of |r|)", ylabel="modularity", title="gene network modularity")
    ax.legend(fontsize=8)
    return figure(fig, "modularity against threshold for the co-embedded and co-expression networks",
                  "Modularity of each gene network's Leiden communities at each |r| threshold (dashed: the "
                  "threshold of the verdict). Good: the co-embedded line above co-expression at every threshold.")


def _pathway_figure(v: Verdict) -> str | None:
    nets = {k: i["pathways"] for k, i in (v.networks or {}).items() if "aupr_mean" in i.get("pathways", {})}
    if not nets:
        return None
    names = {"coembed": "co-embedded", "ppi": "PPI", "coexpr": "co-expression"}
    keys = list(nets)
    fig, ax = plt().subplots(figsize=(3.4, 2.9))
    ax.bar([names.get(k, k) for k in keys], [nets[k]["aupr_mean"] for k in keys],
           color=[SCNET if k == "coembed" else BASE for k in keys])
    base = np.mean([nets[k].get("aupr_baseline_mean", np.nan) for k in keys])
    if np.isfinite(base):
        ax.axhline(base, color="#666", lw=0.8, ls="--")
    ax.set(ylabel="mean pathway AUPR", title="pathway reconstruction")
    return figure(fig, "mean pathway AUPR per network",
                  "Mean AUPR of recovering each pathway's held-out genes from the rest by network propagation "
                  "(dashed: a random ranking). Good: the co-embedded bar above the PPI's and well above the dashed line.")


def _marker_figure(v: Verdict) -> str | None:
    t = v.markers
    if t is None or t.empty:
        return None
    t = t.sort_values("aupr_original")
    y = np.arange(len(t))
    fig, ax = plt().subplots(figsize=(3.6, 1.2 + 0.28 * len(t)))
    ax.barh(y + 0.2, t["aupr_reconstructed"], height=0.4, color=SCNET, label="reconstructed (scNET)")
    ax.barh(y - 0.2, t["aupr_original"], height=0.4, color=BASE, label="original")
    ax.scatter(t["aupr_baseline"], y, marker="|", color="#222", s=80, label="random", zorder=3)
    ax.set_yticks(y, t["cell_type"].astype(str), fontsize=8)
    ax.set(xlabel="marker AUPR", xlim=(0, 1.02), title="reconstruction vs original")
    ax.legend(fontsize=7, loc="lower right")
    return figure(fig, "marker AUPR per cell type, reconstructed vs original expression",
                  "How well each cell type's marker genes pick out its cells (AUPR; tick: a random ranking), on "
                  "scNET's reconstructed and on the original expression. Good: the blue bars at least as long as "
                  "the grey ones, most of all for small cell types, where dropout hides markers.")


def verdict_block(v: Verdict) -> str:
    """The sample's verdict: a one-line summary, the table, then the figures side by side."""
    signs = [m.sign for m in v.measures]
    counts = ", ".join(f"{signs.count(s)} {SIGN_TEXT[s]}" for s in ("better", "same", "worse", "n/a") if signs.count(s))
    out = [f"<p>Of {len(signs)} comparisons: {html.escape(counts)}. "
           "Tolerances (largest difference still called the same) are the quality suite's "
           "(<code>scnetflow.quality.TOLERANCES</code>).</p>", verdict_table(v)]
    figs = [f for f in (_cell_figure(v), _modularity_figure(v), _pathway_figure(v), _marker_figure(v)) if f]
    if figs:
        out.append(f'<div class="verdict-figures">{"".join(figs)}</div>')
    else:
        out.append(note("No verdict figure: none of the step outputs behind the verdict was found."))
    return "\n".join(out)


def glance_table(verdicts, samples) -> str:
    """Samples x outputs: the sign of each comparison with its two numbers, the answer at a glance."""
    cols = []
    for g in samples:
        for m in getattr(verdicts.get(g.name), "measures", []):
            if (m.output, m.baseline_name) not in cols:
                cols.append((m.output, m.baseline_name))
    if not cols:
        return note("No verdict: none of the step outputs behind it was found.")
    head = "<tr><th>sample</th>" + "".join(f"<th>{esc(o)} vs {esc(b)}</th>" for o, b in cols) + "</tr>"
    rows = []
    for g in samples:
        v = verdicts.get(g.name)
        by = {(m.output, m.baseline_name): m for m in (v.measures if v else [])}
        cells = []
        for c in cols:
            m = by.get(c)
            if m is None or m.sign == "n/a":
                cells.append("<td>not available</td>")
            else:
                cells.append(f'<td class="{m.sign}">{esc(SIGN_TEXT[m.sign])}<br><small>{esc(fmt(m.value))} vs '
                             f"{esc(fmt(m.baseline))}</small></td>")
        rows.append(f'<tr><td><a href="#verdict-{g.slug}">{esc(g.name)}</a></td>{"".join(cells)}</tr>')
    return f'<table class="glance"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
