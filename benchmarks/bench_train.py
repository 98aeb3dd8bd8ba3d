#!/usr/bin/env python3
"""Time, memory and quality of scnetflow's trainer on one dataset, in the reference harness's terms.

One process runs qc -> graphs -> train -> cluster-eval, as the reference harness runs the authors'
run_scNET, and reports: median seconds per epoch, peak RSS of the process, best held-out PPI AUROC,
max Leiden ARI (15-NN, igraph, seed 0, resolutions 0.1..1.0) of X_scnet and of X_pca against a label,
the floating-point work of one training epoch (torch's FlopCounterMode) and the fraction of this CPU's
measured dense GEMM peak that the trainer sustains.

    .venv/bin/python benchmarks/bench_train.py --input ../shared/data/cellbench/cellbench_10x_3cl_cepo_subset.h5ad \\
        --label cell_line --out benchmarks/results/ours_cellbench.json -- --epochs 250

Everything after ``--`` goes to ``scnetflow train`` options (as library keyword arguments).
"""

from __future__ import annotations

import argparse
import gc
import dataclasses
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

#: The repository root: commands are recorded relative to it, never as this machine's paths.
REPO = Path(__file__).resolve().parents[1]


def lscpu_model() -> str | None:
    """``Model name`` from lscpu (``platform.processor()`` is empty on Linux)."""
    import subprocess

    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    return next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")), None)


def gemm_peak(dtype, n: int = 4096, repeats: int = 3) -> float:
    """Measured dense matmul rate (FLOP/s) of this machine for ``dtype``: the practical peak."""
    import torch

    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    t = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - t)


def epoch_flops(adata, params, config) -> float:
    """FLOPs of one training epoch: a 2-epoch run minus a 1-epoch run (each ends with one evaluation)."""
    from torch.utils.flop_counter import FlopCounterMode

    from scnetflow.train import train

    totals = []
    for epochs in (1, 2):
        p = dataclasses.replace(params, epochs=epochs, eval_every=epochs, prune_every=0)
        with FlopCounterMode(display=False) as counter:
            train(adata, p, config, device="cpu", progress=False)
        totals.append(counter.get_total_flops())
    return float(totals[1] - totals[0])


def parse_value(v: str):
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(v.lower(), v)


def main(argv: list[str]) -> None:
    cut = argv.index("--") if "--" in argv else len(argv)
    ours, toks = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--ppi", default=None)
    ap.add_argument("--metadata", default=None, help="CSV indexed by cell with the --label column (sc_mixology)")
    ap.add_argument("--model-genes", default="expressed", choices=["expressed", "hvg"])
    ap.add_argument("--min-genes", type=int, default=200)
    ap.add_argument("--count-flops", action="store_true")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(ours)
    kwargs = {}
    for k, v in zip(toks[::2], toks[1::2]):
        kwargs[k.lstrip("-").replace("-", "_")] = parse_value(v)

    import logging

    import pandas as pd
    import torch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    from scnetflow.cluster_eval import cluster_eval
    from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
    from scnetflow.io import map_ensembl_to_symbols, read_counts
    from scnetflow.model import ModelConfig
    from scnetflow.qc import QCParams, run_qc
    from scnetflow.train import TrainParams, annotate, resolve_precision, train

    model_fields = {f.name for f in dataclasses.fields(ModelConfig)}
    config = ModelConfig(**{k: v for k, v in kwargs.items() if k in model_fields})
    params = TrainParams(**{k: v for k, v in kwargs.items() if k not in model_fields})

    t0 = time.perf_counter()
    adata = map_ensembl_to_symbols(read_counts(args.input))
    if args.metadata:
        meta = pd.read_csv(args.metadata, index_col=0)
        adata = adata[adata.obs_names.isin(meta.index)].copy()
        adata.obs[args.label] = meta.loc[adata.obs_names, args.label].astype(str).to_numpy()
    q, qc_summary = run_qc(adata, QCParams(min_genes=args.min_genes))
    g, graphs_summary = build_model_inputs(q, read_ppi(args.ppi), GraphsParams(model_genes=args.model_genes))
    t_prep = time.perf_counter() - t0
    del adata, q  # the pipeline trains in its own process; keep only what train() needs
    gc.collect()
    result = train(g, params, config, device="cpu", progress=False)
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # peak of qc+graphs+train, like the reference
    out = annotate(g, result, params, config)
    _, ce = cluster_eval(out, args.label)
    s = result.summary
    report = {
        "input": Path(args.input).name, "cells": int(g.n_obs), "model_genes": int(g.n_vars),
        "ppi_edges": graphs_summary["model_edges"], "model_genes_mode": args.model_genes,
        "train_params": dataclasses.asdict(params), "model_config": dataclasses.asdict(config),
        "epochs_run": s["epochs_run"], "best_epoch": s["best_epoch"], "n_params": s["n_params"],
        "precision": s["precision"], "seconds_prep": t_prep, "seconds_train": s["seconds_total"],
        "seconds_per_epoch_median": s["seconds_per_epoch_median"], "peak_rss_gb": rss_gb,
        "best_val_auroc": s["best_val_auroc"], "best_val_aupr": s["best_val_aupr"],
        "loss_expr_last": float(result.history["loss_expr"].iloc[-1]),
        "loss_ppi_last": float(result.history["loss_ppi"].iloc[-1]),
        "max_ari_scnet": ce["representations"]["X_scnet"]["max_ari"],
        "max_ari_pca": ce["representations"]["X_pca"]["max_ari"],
        "knn_edges_start": s["knn_edges_start"], "knn_edges_best": s["knn_edges_best"],
        "machine": {"cpu": lscpu_model() or platform.processor() or platform.machine(),
                    "threads": torch.get_num_threads(), "torch": torch.__version__,
                    "loadavg_1_5_15_at_end": list(os.getloadavg())},
        "command": " ".join([Path(__file__).resolve().relative_to(REPO).as_posix(), *argv]),
    }
    if args.count_flops:
        flops = epoch_flops(g, params, config)
        dtype = resolve_precision(params.precision, torch.device("cpu"))
        peak = gemm_peak(dtype)
        report.update(flops_per_epoch=flops, gemm_peak_flops=peak,
                      fraction_of_peak=flops / s["seconds_per_epoch_median"] / peak)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    keys = ["cells", "model_genes", "epochs_run", "best_epoch", "seconds_per_epoch_median", "peak_rss_gb",
            "best_val_auroc", "loss_expr_last", "max_ari_scnet", "max_ari_pca", "flops_per_epoch", "fraction_of_peak"]
    print(json.dumps({k: report.get(k) for k in keys}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
