#!/usr/bin/env python3
"""Trainer scaling: seconds per epoch and peak RSS for 1k, 5k, 20k and 50k cells.

Cells are drawn from the Kang IFN-b data (2,000 real cells): sizes above 2,000 tile the data, each copy
binomially thinned (each count kept with probability 0.8) so that no two cells are identical. Every size
runs in a fresh process (qc -> graphs with --model-genes hvg -> train for --epochs epochs) so that the
peak RSS is that size's own. Above --max-cells (10,000) the trainer uses its cell-subset mode; the
benchmark checks that every cell gets an embedding.

    .venv/bin/python benchmarks/bench_scaling.py --out benchmarks/results/scaling_cpu.json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

KANG = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "two_condition" / "kang_ifnb_2000cells.h5ad"


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


def one_size(n: int, epochs: int, device: str = "cpu") -> dict:
    import logging

    import numpy as np

    from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
    from scnetflow.qc import QCParams, run_qc
    from scnetflow.train import TrainParams, train

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    q, _ = run_qc(make_cells(n), QCParams())
    g, summary = build_model_inputs(q, read_ppi(), GraphsParams(model_genes="hvg"))
    del q
    t = time.perf_counter()
    r = train(g, TrainParams(epochs=epochs, eval_every=epochs), device=device, progress=False)
    s = r.summary
    import torch

    gpu_gb = torch.cuda.max_memory_allocated() / 1e9 if device == "cuda" else None
    return {"gpu_peak_allocated_gb": gpu_gb, "cells": n, "model_genes": int(g.n_vars), "epochs": epochs, "n_subsets": s["n_subsets"],
            "subset_cells": s["subset_cells"], "seconds_per_epoch_median": s["seconds_per_epoch_median"],
            "seconds_train": time.perf_counter() - t, "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
            "n_params": s["n_params"], "precision": s["precision"], "device": s["device"],
            "cells_embedded": int((np.abs(r.cell_embedding).sum(axis=1) > 0).sum())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,20000,50000")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="cuda: the GPU column")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size in this process
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.epochs, args.device)))
        return
    rows = []
    for n in map(int, args.sizes.split(",")):
        proc = subprocess.run([sys.executable, __file__, "--one", str(n), "--epochs", str(args.epochs), "--device", args.device,
                               "--out", "-"],
                              capture_output=True, text=True)
        if proc.returncode:
            sys.stderr.write(proc.stderr[-3000:])
            rows.append({"cells": n, "error": proc.stderr.strip().splitlines()[-1]})
        else:
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
