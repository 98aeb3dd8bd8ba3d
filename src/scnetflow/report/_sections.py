"""Per-sample and per-contrast section renderers of the HTML report (:mod:`scnetflow.report`).

Each renderer takes the paths of its inputs (``None`` when absent) and returns an HTML fragment; a
missing input gives a "not available" note naming the file that would fill the section. Every figure
has a caption saying what it shows and what a good result looks like.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from scnetflow.cluster_eval import ClusterEvalParams
from scnetflow.labels import CLUSTER_KEY, label_key_of, leiden_of, read_clusters
from scnetflow.report.formatting import esc as _esc
from scnetflow.report.formatting import figure, kv_table, note, table
from scnetflow.report.formatting import plt as _plt

logger = logging.getLogger(__name__)


def _missing(what: str, file: str) -> str:
    return note(f"Not available: {what} ({file}) was not found in the results.")


def qc_section(path: Path | None) -> str:
    if path is None:
        return _missing("the QC summary", "<prefix>.qc.json")
    d = json.loads(path.read_text())
    body = kv_table(d)
    if all(k in d for k in ("cells_before", "cells_after", "genes_before", "genes_after")):
        plt = _plt()
        fig, ax = plt.subplots(1, 2, figsize=(7, 2.4))
        for a, what in zip(ax, ("cells", "genes")):
            a.barh(["after", "before"], [d[f"{what}_after"], d[f"{what}_before"]], color=["#2b6cb0", "#a0aec0"])
            a.set_title(f"{what}: {d[f'{what}_before']:,} -> {d[f'{what}_after']:,}", fontsize=9)
        body += figure(fig, "cells and genes before and after QC",
                       "Cells and genes before and after QC filtering. Good: most cells are kept; a large drop points to a "
                       "low-quality sample or a too strict --min-genes.")
    return body


def ppi_section(path: Path | None) -> str:
    if path is None:
        return _missing("the PPI summary", "<prefix>.graphs.json")
    d = json.loads(path.read_text())
    body = kv_table(d)
    steps = [(k, d[k]) for k in ("ppi_genes", "genes_in_ppi", "candidate_genes", "model_genes") if isinstance(d.get(k), int)]
    if steps:
        plt = _plt()
        fig, ax = plt.subplots(figsize=(6, 0.5 + 0.4 * len(steps)))
        ax.barh([s[0] for s in steps][::-1], [s[1] for s in steps][::-1], color="#2b6cb0")
        for i, (_, v) in enumerate(steps[::-1]):
            ax.text(v, i, f" {v:,}", va="center", fontsize=8)
        ax.set_xlabel("genes")
        ax.set_title(f"model: {d.get('model_genes', '?'):,} genes, {d.get('model_edges', '?'):,} PPI edges", fontsize=9)
        body += figure(fig, "genes kept at each PPI filter",
                       "Genes left after each PPI filter. Good: thousands of model genes (expressed genes with a PPI edge "
                       "among themselves); a few hundred or fewer means the species or gene identifiers do not match the PPI.")
    return body


def training_section(history: Path | None, train_json: Path | None) -> str:
    out = []
    if train_json is not None:
        out.append(kv_table(json.loads(train_json.read_text()), skip=("attention_histogram",)))
    if history is None:
        out.append(_missing("the training history", "<prefix>.history.tsv"))
        return "\n".join(out)
    h = pd.read_csv(history, sep="\t")
    plt = _plt()
    fig, ax = plt.subplots(1, 3, figsize=(13, 3.2))
    for c in [c for c in h.columns if c.startswith("loss")]:
        if h[c].notna().any() and (c == "loss" or h[c].abs().sum() > 0):
            ax[0].plot(h["epoch"], h[c], label=c, lw=1.2)
    ax[0].set(title="training losses", xlabel="epoch")
    ax[0].legend(fontsize=7)
    for c in ("val_auroc", "val_aupr"):
        if c in h and h[c].notna().any():
            v = h[["epoch", c]].dropna()
            ax[1].plot(v["epoch"], v[c], marker="o", ms=3, label=c)
    ax[1].axhline(0.5, color="#999", lw=0.8, ls="--")
    ax[1].set(title="held-out PPI edges (dashed: chance AUROC)", xlabel="epoch", ylim=(0.0, 1.0))
    ax[1].legend(fontsize=7)
    if "n_knn_edges" in h:
        ax[2].plot(h["epoch"], h["n_knn_edges"], color="#2b6cb0", label="KNN edges")
    if "n_pruned" in h and (h["n_pruned"] > 0).any():
        p = h[h["n_pruned"] > 0]
        ax[2].bar(p["epoch"], p["n_pruned"], color="#e53e3e", label="pruned", width=max(1, len(h) / 100))
    ax[2].set(title="cell KNN edges and pruning", xlabel="epoch")
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    out.append(figure(fig, "training losses, held-out AUROC/AUPR and KNN edges pruned per epoch",
                      "Left: training losses per epoch. Middle: AUROC/AUPR of held-out PPI edges (the best evaluation "
                      "is the model kept). Right: cell KNN edges and the edges pruned. Good: losses fall and level off, "
                      "held-out AUROC well above chance (dashed, 0.5), and small steps down at each pruning (at most "
                      "10 % each), not a collapse."))
    return "\n".join(out)


def attention_section(train_json: Path | None) -> str:
    if train_json is None:
        return _missing("the training summary", "<prefix>.train.json")
    hist = json.loads(train_json.read_text()).get("attention_histogram")
    if not hist or "bin_edges" not in hist or "counts" not in hist:
        return note("Not available: <prefix>.train.json has no 'attention_histogram' (bin_edges, counts).")
    edges, counts = np.asarray(hist["bin_edges"], float), np.asarray(hist["counts"], float)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#2b6cb0", edgecolor="white", lw=0.3)
    when = f" (epoch {hist['epoch']})" if "epoch" in hist else ""
    ax.set(xlabel="attention score (sigmoid)", ylabel="KNN edges", title=f"attention scores before pruning{when}")
    caption = ("Attention score of each cell-graph edge before the first pruning. Good: two peaks, edges the model "
               "keeps (high) and low-scoring edges that pruning removes; one narrow peak means attention does not "
               "tell edges apart yet.")
    return f"<p>{int(counts.sum()):,} cell-graph edges.</p>" + figure(fig, "histogram of attention scores", caption)


def umap_section(path: Path | None, clusters: Path | None = None, *, max_cells: int, seed: int) -> str:
    """UMAPs of scNET's and PCA's cell embeddings coloured by scNET's clusters (cluster-eval's ``clusters``
    file, else computed as cluster-eval does), the label column and the condition."""
    if path is None:
        return _missing("the trained AnnData", "<prefix>.scnet.h5ad")
    import anndata as ad
    import scanpy as sc

    a = ad.read_h5ad(path, backed="r")
    obs, obsm = a.obs.copy(), {k: np.asarray(a.obsm[k]) for k in ("X_scnet", "X_pca") if k in a.obsm}
    label = label_key_of(a)
    a.file.close()
    if clusters is not None:
        obs[CLUSTER_KEY] = read_clusters(clusters, obs.index).to_numpy()
    if "X_scnet" not in obsm:
        return note(f"Not available: {path.name} has no obsm['X_scnet'].")
    n = len(obs)
    keep = np.sort(np.random.default_rng(seed).choice(n, max_cells, replace=False)) if n > max_cells else np.arange(n)
    obs = obs.iloc[keep]
    colourings = []
    coords = {}
    for rep in obsm:
        b = ad.AnnData(np.zeros((len(keep), 1), np.float32), obs=obs.copy())
        b.obsm[rep] = obsm[rep][keep].astype(np.float32)
        sc.pp.neighbors(b, n_neighbors=ClusterEvalParams().cluster_n_neighbors, use_rep=rep, transformer="sklearn",
                        random_state=seed)
        sc.tl.umap(b, random_state=seed)
        coords[rep] = b.obsm["X_umap"]
        if rep == "X_scnet" and CLUSTER_KEY not in obs:  # no cluster-eval: its clusters, computed here
            obs[CLUSTER_KEY] = leiden_of(b, resolution=ClusterEvalParams().leiden_resolution, seed=seed)
    cluster = CLUSTER_KEY
    colourings.append(("cluster", cluster))
    colourings.append(("label", label))
    colourings.append(("condition", "condition" if "condition" in obs else None))
    missing = [what for what, key in colourings if key is None]
    colourings = [(w, k) for w, k in colourings if k is not None]
    plt = _plt()
    fig, axes = plt.subplots(len(colourings), len(coords), figsize=(5.2 * len(coords), 4.2 * len(colourings)), squeeze=False)
    names = {"X_scnet": "scNET (X_scnet)", "X_pca": "PCA (X_pca)"}
    for i, (what, key) in enumerate(colourings):
        values = obs[key].astype(str)
        order = sorted(values.unique(), key=lambda v: (0, int(v), v) if v.isdigit() else (1, 0, v))
        cats = pd.Categorical(values, categories=order)
        cmap = plt.get_cmap("tab20" if len(cats.categories) > 10 else "tab10")
        for j, rep in enumerate(coords):
            ax = axes[i, j]
            for c, cat in enumerate(cats.categories[:20]):
                m = cats == cat
                ax.scatter(coords[rep][m, 0], coords[rep][m, 1], s=4, color=cmap(c % cmap.N), label=cat, lw=0)
            ax.set(xticks=[], yticks=[], title=f"{names.get(rep, rep)}: {what} ({key})")
            ax.title.set_fontsize(9)
        axes[i, -1].legend(fontsize=7, markerscale=3, loc="center left", bbox_to_anchor=(1, 0.5), frameon=False)
    fig.tight_layout()
    head = f"<p>{len(keep):,} cells{f' (of {n:,}, subsampled)' if n > len(keep) else ''}; 15-NN UMAP on each representation.</p>"
    if "X_pca" not in coords:
        head += note("Not available: obsm['X_pca'] is missing, so there is no PCA panel.")
    if missing:
        head += note(f"Not available: no {' or '.join(missing)} column in obs, so that colouring is not shown.")
    return head + figure(fig, "UMAP of the scNET embedding and of PCA",
                         "UMAP of scNET's cell embedding (left) and of PCA (right), coloured by cluster, label and "
                         "condition. Good: on scNET, cells with one label form compact, separated groups, at least as "
                         "clearly as on PCA; conditions mix within a cell type unless they truly differ.")


def clustering_section(tsv: Path | None, js: Path | None) -> str:
    if tsv is None and js is None:
        return _missing("the clustering evaluation", "<prefix>.cluster_eval.tsv")
    out = []
    if js is not None:
        d = json.loads(js.read_text())
        reps = d.get("representations")
        if isinstance(reps, dict) and reps:
            out.append(f"<p>Labels: <code>{_esc(d.get('label_key', '?'))}</code>; maximum over Leiden resolutions.</p>")
            out.append(table(pd.DataFrame.from_dict(reps, orient="index").rename_axis("representation").reset_index()))
        else:
            out.append(kv_table(d))
    if tsv is not None:
        t = pd.read_csv(tsv, sep="\t")
        rep = next((c for c in ("representation", "embedding", "rep", "space", "method") if c in t), None)
        if rep and {"resolution", "ari"} <= set(t.columns):
            plt = _plt()
            fig, ax = plt.subplots(figsize=(6, 3))
            for name, sub in t.groupby(rep):
                ax.plot(sub["resolution"], sub["ari"], marker="o", ms=3, label=str(name))
            ax.set(xlabel="Leiden resolution", ylabel="ARI vs labels", title="clustering agreement with labels")
            ax.legend(fontsize=8)
            out.append(figure(fig, "ARI against labels by Leiden resolution",
                              "Agreement (ARI) of Leiden clusters with the known labels at each resolution, per "
                              "representation. Good: scNET's curve above PCA's, its maximum close to 1."))
        else:
            out.append(table(t))
    return "\n".join(out)


def modularity_section(path: Path | None) -> str:
    if path is None:
        return _missing("co-embedded network modularity", "<prefix>.modularity.tsv")
    t = pd.read_csv(path, sep="\t")
    x = next((c for c in ("percentile", "threshold") if c in t), None)
    if x is None or "modularity" not in t:
        return table(t)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for name, sub in (t.groupby("network") if "network" in t else [("network", t)]):
        ax.plot(sub[x], sub["modularity"], marker="o", ms=4, label=str(name))
    ax.set(xlabel=f"edge threshold ({x} of |r|)", ylabel="modularity", title="modularity vs threshold")
    ax.legend(fontsize=8)
    return figure(fig, "modularity of the co-embedded and co-expression networks by threshold",
                  "Modularity of the Leiden communities of each gene network at each |r| percentile threshold. "
                  "Good: the co-embedded network above co-expression at every threshold (as in the paper).") + table(t)


def _long(t: pd.DataFrame, metrics: Sequence[str]) -> tuple[pd.DataFrame, str] | None:
    """(network, value) pairs from a long table (a ``network`` column and a metric) or a wide one."""
    metric = next((m for m in metrics if m in t.columns), None)
    if "network" in t and metric:
        if "gene_set" in t:  # one value per set: the mean over its splits
            t = t.groupby(["network", "gene_set"], sort=False, as_index=False)[metric].mean()
        return t[["network", metric]].rename(columns={metric: "value"}), metric
    num = [c for c in t.columns if pd.api.types.is_numeric_dtype(t[c]) and c not in ("n_genes", "size", "n_seeds")]
    if num:
        return t[num].melt(var_name="network", value_name="value"), metrics[0]
    return None


def _boxes(t: pd.DataFrame, metrics: Sequence[str], title: str, caption: str):
    got = _long(t, metrics)
    if got is None:
        return None
    lt, metric = got
    lt = lt.dropna()
    nets = list(dict.fromkeys(lt["network"].astype(str)))
    plt = _plt()
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(nets), 3.2))
    ax.boxplot([lt.loc[lt["network"].astype(str) == n, "value"].to_numpy() for n in nets], showmeans=True)
    ax.set_xticks(range(1, len(nets) + 1), nets, rotation=20, fontsize=8)
    ax.set(ylabel=metric, title=title)
    means = lt.groupby(lt["network"].astype(str))["value"].agg(["count", "mean", "median"]).reset_index()
    return figure(fig, title, caption) + table(means)


def pathways_section(auc: Path | None, z: Path | None) -> str:
    out = []
    for path, metrics, title, file, caption in (
            (auc, ("aupr", "auprc", "auc", "auroc"), "pathway AUPR per network", "<prefix>.pathway_auc.tsv",
             "AUPR of recovering the held-out third of each pathway from the other two thirds by network propagation, "
             "one point per pathway (box: quartiles, triangle: mean). Good: the co-embedded network's box above the "
             "PPI's and co-expression's (the paper's best pathway reconstruction)."),
            (z, ("aupr_z", "auroc_z", "zscore", "z_score", "z"), "disease gene z-scores per network",
             "<prefix>.disease_zscores.tsv",
             "How much better each network recovers disease genes than degree-preserving randomisations of itself "
             "(z-score per disease list). Good: well above 2; the paper reports about 7 for co-embedded networks, 3 "
             "for the PPI and 0.5 for co-expression.")):
        if path is None:
            out.append(_missing(title, file))
            continue
        t = pd.read_csv(path, sep="\t")
        out.append(f"<h4>{_esc(title)}</h4>" + (_boxes(t, metrics, title, caption) or table(t)))
    return "\n".join(out)


def _heatmap(t: pd.DataFrame, title: str, top: int = 25) -> str:
    term = next((c for c in ("term", "Term", "pathway", "gene_set", "name") if c in t), None)
    group = next((c for c in ("cell_type", "group", "cluster", "celltype", "label", "comparison") if c in t), None)
    value = next((c for c in ("nes", "NES", "score", "es", "ES", "neg_log10_fdr", "-log10(fdr)") if c in t), None)
    source = next((c for c in ("source", "expression", "matrix", "data", "input", "layer") if c in t), None)
    if not (term and group and value):
        return table(t)
    t = t.copy()
    t[value] = pd.to_numeric(t[value], errors="coerce")
    sources = list(dict.fromkeys(t[source].astype(str))) if source else [None]
    full = t.pivot_table(index=term, columns=group, values=value, aggfunc="mean")
    terms = full.abs().max(axis=1).sort_values(ascending=False).index[:top]
    groups = list(full.columns)
    mats = []
    for src in sources:
        sub = t if src is None else t[t[source].astype(str) == src]
        mats.append(sub.pivot_table(index=term, columns=group, values=value, aggfunc="mean").reindex(index=terms, columns=groups))
    lim = float(np.nanmax([np.nanmax(np.abs(m.to_numpy())) for m in mats])) or 1.0
    plt = _plt()
    fig, axes = plt.subplots(1, len(mats), figsize=(3.5 + (0.35 * len(groups) + 0.5) * len(mats), 1.6 + 0.28 * len(terms)),
                             squeeze=False, sharey=True)
    for ax, m, src in zip(axes[0], mats, sources):
        im = ax.imshow(m.to_numpy(), cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_xticks(range(len(groups)), [str(g) for g in groups], rotation=60, ha="right", fontsize=7)
        ax.set_title(src or title, fontsize=9)
    axes[0, 0].set_yticks(range(len(terms)), [str(x)[:60] for x in terms], fontsize=7)
    fig.colorbar(im, ax=list(axes[0]), label=value, shrink=0.6)
    caption = (f"{value} of the top {len(terms)} pathways (rows) per {group} (columns)"
               + (f", one panel per {source}" if source else "") + ". Red: enriched, blue: depleted. Good: strong, "
               "group-specific colours that make biological sense; on scNET's reconstructed expression more of them, "
               "and sharper, than on the original expression.")
    return figure(fig, title, caption)


def gsea_section(celltype: Path | None, conditions: Path | None) -> str:
    out = []
    for path, title, file in ((celltype, "top pathways per cell type (reconstructed vs original)", "<prefix>.gsea_celltype.tsv"),
                              (conditions, "top pathways between conditions", "<prefix>.gsea_conditions.tsv")):
        if path is None:
            out.append(_missing(f"GSEA {title}", file))
            continue
        t = pd.read_csv(path, sep="\t")
        out.append(f"<h4>{_esc(title)}</h4>" + (_heatmap(t, title) if len(t) else note(f"{path.name} is empty.")))
    return "\n".join(out)


def diffnet_section(genes: Path | None, edges: Path | None) -> str:
    if genes is None:
        return _missing("differential-network genes", "<prefix>.diffnet_genes.tsv")
    t = pd.read_csv(genes, sep="\t")
    gene = next((c for c in ("gene", "symbol", "name") if c in t), t.columns[0])
    score = next((c for c in ("score", "diff_score", "delta", "abs_delta", "propagation_diff", "diff") if c in t), None)
    if score is None:
        score = next((c for c in t.columns if pd.api.types.is_numeric_dtype(t[c]) and c != "rank"), None)
    out = []
    if score is not None:
        top = t.reindex(t[score].abs().sort_values(ascending=False).index).head(20)
        plt = _plt()
        fig, ax = plt.subplots(figsize=(6, 0.6 + 0.25 * len(top)))
        colour = np.where(top[score][::-1] >= 0, "#c53030", "#2b6cb0")
        title = "top differential-network genes"
        if "is_seed" in top:
            colour = np.where(top["is_seed"][::-1].astype(str).str.lower() == "true", "#a0aec0", colour)
            title += " (grey: seed genes)"
        ax.barh(top[gene].astype(str)[::-1], top[score][::-1], color=colour)
        ax.set(xlabel=score, title=title)
        ax.tick_params(axis="y", labelsize=7)
        out.append(figure(fig, "top differential-network genes",
                          "Genes ranked by the change of their propagation score from the seed genes between the two "
                          "conditions' co-embedded networks. Good: the top genes are known responders of this contrast "
                          "(for interferon stimulation: interferon-response genes), not just the best-connected genes."))
        out.append(table(top))
    else:
        out.append(table(t, max_rows=20))
    if edges is not None:
        e = pd.read_csv(edges, sep="\t")
        out.append(f"<p>{len(e):,} differential edges in {_esc(edges.name)}.</p>")
    return "\n".join(out)


def files_table(groups) -> str:
    """Which input file filled which part of the report (as published: ``<sample>/<step>/<file>``)."""
    rows = [{"group": g.name, "kind": k, "file": g.where.get(k, p.name)} for g in groups.values() for k, p in g.files.items()]
    return table(pd.DataFrame(rows, columns=["group", "kind", "file"]), max_rows=500) if rows else note("No result files found.")
