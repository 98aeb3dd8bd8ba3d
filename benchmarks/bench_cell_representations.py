#!/usr/bin/env python3
"""How well can any representation built from scNET's inputs cluster the cells? (Kang ARI ceiling)

scNET's cell embedding is learned from the model genes only (expressed genes with a PPI edge, each
standardised across cells) and is trained to reconstruct the highly variable ones. This script puts
the max Leiden ARI of ``X_scnet`` (when ``--scnet`` is given) next to linear representations of the
same inputs, all scored by ``scnetflow.cluster_eval`` (15-NN, Leiden 0.1..1.0, seed 0):

- ``X_pca``: the qc step's 15 PCs of all scaled highly variable genes (the comparison in issue 2);
- ``X_pca smoothed``: X_pca averaged once with its KNN neighbours (0.5 self + 0.5 neighbour mean);
- PCA (15 and 75 components) of the model genes, standardised as the model's input, for the
  ``hvg`` and ``expressed`` model-gene choices, and of their highly variable subset.

    .venv/bin/python benchmarks/bench_cell_representations.py \\
        --input ../shared/data/two_condition/kang_ifnb_2000cells.h5ad --label cell_type \\
        --out benchmarks/results/cell_representations_kang.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

#: The repository root: commands are recorded relative to it, never as this machine's paths.
REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--scnet", action="append", default=[], help="NAME=PATH of a scnet.h5ad on the same cells")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)

    import anndata as ad
    import scipy.sparse as sp
    from sklearn.decomposition import PCA

    from scnetflow.train.data import standardise
    from scnetflow.cluster_eval import ClusterEvalParams, cluster_eval
    from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
    from scnetflow.io import map_ensembl_to_symbols, read_counts
    from scnetflow.qc import QCParams, run_qc

    q, _ = run_qc(map_ensembl_to_symbols(read_counts(args.input)), QCParams())
    out = ad.AnnData(obs=q.obs[[args.label]].copy())
    reps = {"X_pca": q.obsm["X_pca"]}
    A = (q.obsp["connectivities"] > 0).astype(np.float32)
    P = sp.diags(1 / np.asarray(A.sum(axis=1)).ravel()) @ A
    reps["X_pca smoothed"] = 0.5 * q.obsm["X_pca"] + 0.5 * (P @ q.obsm["X_pca"])
    ppi = read_ppi(None)
    n_genes = {}
    for mode in ("hvg", "expressed"):
        g, s = build_model_inputs(q, ppi, GraphsParams(model_genes=mode))
        n_genes[mode] = s["model_genes"]
        X = g.X.toarray() if sp.issparse(g.X) else np.asarray(g.X)
        Xs = standardise(X)  # the model's input scaling
        for d in (15, 75):
            reps[f"PCA{d} of {mode} model genes"] = PCA(d, random_state=0).fit_transform(Xs)
        hv = g.var["highly_variable"].to_numpy(bool)
        reps[f"PCA15 of {mode} model genes, HVG only"] = PCA(15, random_state=0).fit_transform(Xs[:, hv])
    for spec in args.scnet:
        name, path = spec.split("=", 1)
        s = ad.read_h5ad(path)
        if list(s.obs_names) != list(q.obs_names):
            sys.exit(f"{path}: cells differ from the qc output of {args.input}")
        reps[f"X_scnet {name}"] = s.obsm["X_scnet"]
    keys = {name: f"rep{i}" for i, name in enumerate(reps)}
    for name, x in reps.items():
        out.obsm[keys[name]] = np.asarray(x, dtype=np.float32)
    _, summary = cluster_eval(out, args.label, ClusterEvalParams(representations=tuple(keys.values())))
    rows = []
    for name, key in keys.items():
        r = summary["representations"][key]
        rows.append({"representation": name, "max_ari": r["max_ari"], "resolution": r["max_ari_resolution"],
                     "n_clusters": r["max_ari_n_clusters"], "max_nmi": r["max_nmi"]})
    report = {"input": Path(args.input).name, "cells": int(q.n_obs), "label": args.label,
              "model_genes": n_genes, "rows": rows, "command": " ".join([Path(__file__).resolve().relative_to(REPO).as_posix(), *argv])}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print("| representation | max ARI | resolution | clusters | max NMI |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['representation']} | {r['max_ari']:.3f} | {r['resolution']} | {r['n_clusters']} | {r['max_nmi']:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
