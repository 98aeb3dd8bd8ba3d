#!/usr/bin/env python3
"""Markdown tables of benchmarks/run_kang_conditions.sh's outputs (for docs/downstream_results.md and
docs/benchmarks.md), and the same numbers as JSON in benchmarks/results/kang_conditions.json.

    .venv/bin/python benchmarks/summarise_kang_conditions.py /tmp/kang
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anndata as ad
import pandas as pd

SAMPLES = ("ctrl", "stim")
IFN_TERMS = ("Interferon Signaling", "Interferon alpha/beta signaling", "Interferon gamma signaling")
RESULTS = Path(__file__).resolve().parent / "results" / "kang_conditions.json"


def _fmt(x, nd=3):
    return "-" if x is None or (isinstance(x, float) and x != x) else (f"{x:.{nd}f}" if isinstance(x, float) else str(x))


def _table(title: str, columns: list[str], first: bool = False) -> None:
    """Print a markdown section title and a table header."""
    print(("" if first else "\n") + f"#### {title}\n")
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))


def main(work: Path) -> None:
    out: dict = {"samples": {}}
    _table("Training (all expressed PPI genes)",
           ["sample", "cells", "model genes", "PPI edges", "parameters", "epochs run", "best epoch",
            "best held-out AUROC", "AUPR", "s / epoch", "max ARI X_scnet", "max ARI X_pca"], first=True)
    for s in SAMPLES:
        tj = json.loads((work / "train" / f"kang_{s}.train.json").read_text())
        ce = json.loads((work / "cluster-eval" / f"kang_{s}.cluster_eval.json").read_text())["representations"]
        gj = json.loads((work / "graphs" / f"kang_{s}.graphs.json").read_text())
        cells = ad.read_h5ad(work / "train" / f"kang_{s}.scnet.h5ad", backed="r").n_obs
        row = {"cells": cells, "model_genes": gj.get("model_genes"), "ppi_edges": gj.get("model_edges"),
               "n_params": tj.get("n_params"), "epochs_run": tj.get("epochs_run"), "best_epoch": tj.get("best_epoch"),
               "best_val_auroc": tj.get("best_val_auroc"), "best_val_aupr": tj.get("best_val_aupr"),
               "seconds_per_epoch": tj.get("seconds_per_epoch_median"),
               "max_ari_scnet": ce["X_scnet"]["max_ari"], "max_ari_pca": ce["X_pca"]["max_ari"]}
        out["samples"][s] = {"train": row}
        print(f"| {s.upper()} | {_fmt(row['cells'])} | {row['model_genes']:,} | {row['ppi_edges']:,} | "
              f"{row['n_params'] / 1e6:.1f} M | {row['epochs_run']} | {row['best_epoch']} | "
              f"{_fmt(row['best_val_auroc'])} | {_fmt(row['best_val_aupr'])} | {_fmt(row['seconds_per_epoch'], 1)} | "
              f"{_fmt(row['max_ari_scnet'])} | {_fmt(row['max_ari_pca'])} |")

    _table("Modularity (Leiden, unweighted) per percentile",
           ["sample", "percentile", "co-embedded", "co-expression", "genes co-emb / co-expr", "co-embedded more modular"])
    for s in SAMPLES:
        m = pd.read_csv(work / "coembed" / f"kang_{s}.modularity.tsv", sep="\t")
        rows = []
        for p, sub in m.groupby("percentile"):
            e = sub.set_index("network")
            ce_, cx = float(e.loc["coembed", "modularity"]), float(e.loc["coexpr", "modularity"])
            rows.append({"percentile": float(p), "coembed": ce_, "coexpr": cx,
                         "genes_coembed": int(e.loc["coembed", "n_genes"]), "genes_coexpr": int(e.loc["coexpr", "n_genes"])})
            print(f"| {s.upper()} | {p:g} | {ce_:.4f} | {cx:.4f} | {rows[-1]['genes_coembed']} / {rows[-1]['genes_coexpr']} | "
                  f"{'yes' if ce_ > cx else 'no'} |")
        out["samples"][s]["modularity"] = rows

    _table("Network evaluation: Reactome reconstruction and DisGeNET z-scores",
           ["sample", "network", "genes", "edges", "Reactome sets", "mean AUROC", "mean AUPR", "AUPR of a random ranking",
            "disease lists", "z (AUROC)", "z (AUPR)", "seconds"])
    for s in SAMPLES:
        ne = json.loads((work / "evaluate-network" / f"kang_{s}.network_eval.json").read_text())
        out["samples"][s]["network_eval"] = ne
        for name, info in ne["networks"].items():
            pw, dz = info.get("pathways", {}), info.get("disease", {})
            print(f"| {s.upper()} | {name} | {info['n_genes']} | {info['n_edges']} | {pw.get('n_sets', 0)} | "
                  f"{_fmt(pw.get('auroc_mean'))} | {_fmt(pw.get('aupr_mean'), 4)} | {_fmt(pw.get('aupr_baseline_mean'), 4)} | "
                  f"{dz.get('n_sets', 0)} | {_fmt(dz.get('auroc_z'), 2)} | {_fmt(dz.get('aupr_z'), 2)} | {info['seconds']} |")
        print(f"| {s.upper()} | total | | | | | | | | | | {ne['seconds']} |")

    _table("Gene embedding against expression profiles (GO BP)",
           ["sample", "k-means: mean fraction of clusters enriched (k 20..80), scNET / expression",
            "MLP AUROC scNET / expression / PPI degree", "MLP AUPR scNET / expression / PPI degree (chance)"])
    for s in SAMPLES:
        ge = json.loads((work / "gene-embedding" / f"kang_{s}.json").read_text())
        km = {r: sum(x["fraction_clusters_enriched"] for x in ge["kmeans"][r]) / len(ge["kmeans"][r])
              for r in ("scnet", "expression")}
        mlp = ge["mlp"]
        reps = [r for r in ("scnet", "expression", "ppi_degree") if r in mlp]
        out["samples"][s]["gene_embedding"] = {"kmeans_mean_fraction": km,
                                               **{f"mlp_{r}": {k: mlp[r][k] for k in ("auroc_mean", "aupr_mean")} for r in reps}}
        print(f"| {s.upper()} | {km['scnet']:.3f} / {km['expression']:.3f} | "
              + " / ".join(f"{mlp[r]['auroc_mean']:.3f}" for r in reps) + " | "
              + " / ".join(f"{mlp[r]['aupr_mean']:.3f}" for r in reps) + f" ({mlp['scnet']['aupr_chance_mean']:.3f}) |")

    genes = pd.read_csv(work / "diffnet" / "CTRL_vs_STIM.diffnet_genes.tsv", sep="\t")
    top = genes.head(30)
    out["diffnet_top30"] = top.to_dict(orient="records")
    _table("Differential network (XOR, 99th percentile) propagated from STAT1: top 30 genes", list(top.columns))
    for rec in top.itertuples(index=False):
        print("| " + " | ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in rec) + " |")

    g = pd.read_csv(work / "gsea" / "kang.gsea_conditions.tsv", sep="\t")
    _table("GSEA STIM vs CTRL in CD14 Mono (Reactome)", ["expression", "sets tested", "FDR < 0.05",
           "up in STIM at FDR < 0.05", *(f"rank of '{t}' (NES, FDR)" for t in IFN_TERMS)])
    out["gsea"] = {}
    for expr, sub in g.groupby("expression"):
        sub = sub.sort_values("nes", ascending=False).reset_index(drop=True)
        sig = sub[sub["fdr"] < 0.05]
        ranks = []
        for t in IFN_TERMS:
            hit = sub.index[sub["term"] == t]
            ranks.append(f"{hit[0] + 1} ({sub.loc[hit[0], 'nes']:.2f}, {sub.loc[hit[0], 'fdr']:.3g})" if len(hit) else "not tested")
        out["gsea"][expr] = {"tested": len(sub), "fdr_lt_0.05": len(sig), "up_fdr_lt_0.05": int((sig["nes"] > 0).sum()),
                             "ifn_ranks": dict(zip(IFN_TERMS, ranks))}
        print(f"| {expr} | {len(sub)} | {len(sig)} | {int((sig['nes'] > 0).sum())} | " + " | ".join(ranks) + " |")
    RESULTS.write_text(json.dumps(out, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
