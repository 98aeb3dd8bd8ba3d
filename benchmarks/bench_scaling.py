#!/usr/bin/env python3
"""Trainer scaling: seconds per epoch and peak RSS of the train step at several cell counts.

Cells are drawn from the Kang IFN-b data (2,000 real cells): sizes up to 2,000 subsample it, larger sizes
tile it, each copy after the first binomially thinned (each count kept with probability 0.8) so that no
two cells are identical. For each size one process runs qc -> graphs (``--model-genes``) and writes the
model inputs to ``--cache``; a fresh process then trains on them for ``--epochs`` epochs (one evaluation,
at the end), so the peak RSS is the train step's own, as in the pipeline's TRAIN process. Above
``--max-cells`` (10,000) the trainer uses its cell-subset mode; the benchmark counts the cells that get
an embedding.

    .venv/bin/python benchmarks/bench_scaling.py --sizes 1000,10000,50000,100000 \\
        --out benchmarks/results/scaling_lowrank_cpu.json -- --encoder lowrank

Runs with the allocator tunables of the ``scnetflow`` commands (``GLIBC_TUNABLES=`` opts out).
Everything after ``--`` goes to the trainer (``TrainParams``/``ModelConfig`` fields, CLI spelling).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench_train import parse_value  # this script runs from benchmarks/, beside bench_train.py

REPO = Path(__file__).resolve().parents[1]
KANG = REPO.parent / "shared" / "data" / "two_condition" / "kang_ifnb_2000cells.h5ad"


def machine() -> dict:
    """CPU model (lscpu), usable cores, torch threads, the load average when the row was measured and the
    allocator tunables (``scnetflow.allocator``; the CLI sets them, and so does this script)."""
    import torch

    model = next((line.split(":", 1)[1].strip() for line in subprocess.run(["lscpu"], capture_output=True, text=True)
                  .stdout.splitlines() if line.startswith("Model name")), "unknown")
    return {"cpu": model, "cores": len(os.sched_getaffinity(0)), "threads": torch.get_num_threads(),
            "loadavg_1_5_15": list(os.getloadavg()), "glibc_tunables": os.environ.get("GLIBC_TUNABLES")}


def make_cells(n: int, seed: int = 0):
    import anndata as ad
    import numpy as np
    import scipy.sparse as sp

    base = ad.read_h5ad(KANG)
    rng = np.random.default_rng(seed)
    if n <= base.n_obs:
        return base[np.sort(rng.choice(base.n_obs, n, replace=False))].copy()
    parts = []
    for k in range(-(-n // base.n_obs)):
        X = sp.csr_matrix(base.X, dtype=np.float32, copy=True)
        if k:
            X.data = rng.binomial(X.data.astype(np.int64), 0.8).astype(np.float32)
            X.eliminate_zeros()
        part = ad.AnnData(X, obs=base.obs.copy(), var=base.var[[]].copy())
        part.obs_names = [f"{c}-{k}" for c in base.obs_names]
        parts.append(part)
    return ad.concat(parts)[:n].copy()


def prepare(n: int, model_genes: str, cache: Path) -> Path:
    """qc -> graphs for ``n`` cells, written once to ``cache`` (reused by later runs)."""
    from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
    from scnetflow.qc import QCParams, run_qc

    path = cache / f"kang_{n}_{model_genes}.graphs.h5ad"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        q, _ = run_qc(make_cells(n), QCParams())
        g, _ = build_model_inputs(q, read_ppi(), GraphsParams(model_genes=model_genes))
        g.write_h5ad(path.with_suffix(".tmp"))
        path.with_suffix(".tmp").rename(path)
    return path


def train_one(path: Path, epochs: int, options: dict) -> dict:
    import anndata as ad
    import numpy as np
    import torch

    from scnetflow.train.data import subset_width
    from scnetflow.allocator import fit_mmap_threshold
    from scnetflow.model import ModelConfig
    from scnetflow.model.layers import LOWRANK
    from scnetflow.train import TrainParams, train

    g = ad.read_h5ad(path)
    fields = {f.name for f in dataclasses.fields(ModelConfig)}
    config = ModelConfig(**{k: v for k, v in options.items() if k in fields})
    params = TrainParams(**{"epochs": epochs, "eval_every": epochs, **{k: v for k, v in options.items() if k not in fields}})
    fit_mmap_threshold(subset_width(g.n_obs, params) * g.n_vars * 4)  # as scnetflow train does
    before = machine()
    t = time.perf_counter()
    cpu = _cpu_seconds()
    r = train(g, params, config, device="cpu", progress=False)
    cpu = _cpu_seconds() - cpu
    s = r.summary
    return {"cells": int(g.n_obs), "model_genes": int(g.n_vars), "encoder": s["encoder"],  # "auto" resolved
            "encoder_rank": config.encoder_rank if s["encoder"] in LOWRANK else None, "epochs": epochs,
            "n_subsets": s["n_subsets"], "subset_cells": s["subset_cells"], "n_edge_batches": s["n_edge_batches"],
            "seconds_per_epoch_median": s["seconds_per_epoch_median"],
            "seconds_per_epoch": r.history["seconds"].round(2).tolist(), "seconds_train": time.perf_counter() - t,
            # CPU time (user + sys) is what the work costs; wall time also counts waiting for a loaded CPU
            "cpu_seconds_train": cpu, "cpu_seconds_per_epoch_incl_eval": cpu / epochs,
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, "n_params": s["n_params"],
            "precision": s["precision"], "best_val_auroc": s["best_val_auroc"],
            "cells_embedded": int((np.abs(r.cell_embedding).sum(axis=1) > 0).sum()),
            "machine_before": before, "machine_after": machine(), "torch": torch.__version__}


def step_cost(path: Path, steps: int, options: dict) -> dict:
    """CPU seconds of one optimiser step of the trainer's model on all cells and KNN edges of a prepared file
    (forward, PPI and expression losses, backward, the trainer's Adam), the median over ``steps`` steps after
    a warm-up step. Without the trainer's per-run set-up and evaluations, this is what an epoch of N edge
    batches costs N times."""
    import anndata as ad
    import numpy as np
    import torch
    from scnetflow.train.data import both_directions, knn_edges, sample_non_edges, sorted_edge_keys, standardise
    from scnetflow.allocator import fit_mmap_threshold
    from scnetflow.model import Graph, ModelConfig, ScNET
    from scnetflow.model.layers import LOWRANK
    from scnetflow.train import LARGE_MODEL, TrainParams
    from scnetflow.train.losses import expression_loss
    from scnetflow.train.runtime import Optimizer

    g = ad.read_h5ad(path)
    fields = {f.name for f in dataclasses.fields(ModelConfig)}
    config = ModelConfig(**{k: v for k, v in options.items() if k in fields})
    fit_mmap_threshold(g.n_obs * g.n_vars * 4)  # as scnetflow train does
    torch.manual_seed(0)
    X = g.X.toarray() if hasattr(g.X, "toarray") else np.asarray(g.X)
    xs = torch.from_numpy(standardise(X))
    ppi = g.varp["ppi"].tocoo()
    ppi_e = np.stack([ppi.row, ppi.col], axis=1).astype(np.int64)
    ppi_e = ppi_e[ppi_e[:, 0] < ppi_e[:, 1]]
    ppi_g = Graph.from_edge_index(both_directions(ppi_e), g.n_vars)
    knn_g = Graph.from_edge_index(both_directions(knn_edges(g.obsp["connectivities"])), g.n_obs)
    model = ScNET(g.n_vars, g.n_obs, config)
    config = model.config  # "auto" encoder and init resolved for this size
    n_params = sum(p.numel() for p in model.parameters())
    opt = Optimizer(model, TrainParams(), torch.float32, n_params)
    pos = ppi_g.edge_index[:, : ppi_g.edge_index.shape[1] // 2]
    keys = sorted_edge_keys(ppi_g.edge_index, g.n_vars)
    # the trainer's target: the highly variable genes, the only columns training decodes
    mask = torch.as_tensor(g.var["highly_variable"].to_numpy(bool)) if "highly_variable" in g.var else \
        torch.ones(g.n_vars, dtype=torch.bool)
    x, target, target_genes = xs.t().contiguous(), xs[:, mask].contiguous(), mask.nonzero().view(-1)
    n_cells, n_genes = g.n_obs, g.n_vars
    del g, X, xs  # the trainer keeps no AnnData copy of the input either
    costs = []
    for _ in range(steps + 1):
        c = _cpu_seconds()
        zg, zc, recon, alpha = model(x, knn_g, ppi_g, target_genes)
        neg = sample_non_edges(keys, n_genes, pos.shape[1])
        logits = ScNET.ppi_logits(zg, torch.cat([pos, neg], dim=1))
        labels = torch.cat([torch.ones(pos.shape[1]), torch.zeros(neg.shape[1])])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels) + expression_loss(recon, target, None)
        opt.step(loss)
        costs.append(_cpu_seconds() - c)
    return {"cells": int(n_cells), "model_genes": int(n_genes), "target_genes": int(mask.sum()), "encoder": config.encoder,
            "encoder_rank": config.encoder_rank if config.encoder in LOWRANK else None, "n_params": n_params,
            "large_model_optimizer": n_params >= LARGE_MODEL, "steps": steps, "cpu_seconds_per_step": costs[1:],
            "cpu_seconds_per_step_median": float(np.median(costs[1:])),
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, "machine": machine(),
            "torch": torch.__version__}


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str]) -> None:
    cut = argv.index("--") if "--" in argv else len(argv)
    ours, toks = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,50000,100000")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--model-genes", default="expressed", choices=["expressed", "hvg"])
    ap.add_argument("--cache", default="/tmp/scnetflow_scaling", help="where the qc+graphs inputs are kept")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prepare", type=int, help=argparse.SUPPRESS)  # internal: qc+graphs for one size
    ap.add_argument("--train", help=argparse.SUPPRESS)  # internal: train on one prepared file
    ap.add_argument("--steps", type=int, default=0,
                    help="instead of training: CPU seconds per optimiser step (median of this many) on all KNN edges")
    args = ap.parse_args(ours)
    options = {k.lstrip("-").replace("-", "_"): parse_value(v) for k, v in zip(toks[::2], toks[1::2])}
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.prepare:
        print(prepare(args.prepare, args.model_genes, Path(args.cache)))
        return
    if args.train:
        result = step_cost(Path(args.train), args.steps, options) if args.steps else train_one(Path(args.train), args.epochs, options)
        print(json.dumps(result))
        return
    out = Path(args.out)
    rows = json.loads(out.read_text())["rows"] if out.exists() else []
    for n in map(int, args.sizes.split(",")):
        base = [sys.executable, __file__, "--epochs", str(args.epochs), "--model-genes", args.model_genes,
                "--cache", args.cache, "--steps", str(args.steps), "--out", "-"]
        t = time.perf_counter()
        proc = subprocess.run(base + ["--prepare", str(n)], capture_output=True, text=True)
        if proc.returncode == 0:
            prep_s = time.perf_counter() - t
            path = proc.stdout.strip().splitlines()[-1]
            proc = subprocess.run(base + ["--train", path, "--", *toks], capture_output=True, text=True)
        if proc.returncode:
            sys.stderr.write(proc.stderr[-3000:])
            tail = proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"]
            row = {"cells": n, "options": options, "error": tail[-1], "returncode": proc.returncode}
        else:
            row = {**json.loads(proc.stdout.strip().splitlines()[-1]), "seconds_prepare": prep_s, "options": options}
        row["mode"] = f"{args.steps} steps" if args.steps else f"{args.epochs} epochs"
        rows = [r for r in rows if (r["cells"], r.get("options"), r.get("mode")) != (n, options, row["mode"])] + [row]
        print(json.dumps(row), flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        command = " ".join([Path(__file__).resolve().relative_to(REPO).as_posix(), *argv])
        out.write_text(json.dumps({"command": command, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    from scnetflow.allocator import tune_allocator

    tune_allocator()  # as every scnetflow command; the worker processes inherit it
    main(sys.argv[1:])
