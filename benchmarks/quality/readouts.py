#!/usr/bin/env python3
"""Cell-embedding readouts of one trained model, scored by max Leiden ARI against the cell labels.

    nice -n 5 env OMP_NUM_THREADS=1 .venv/bin/python benchmarks/quality/readouts.py \\
        --graphs $QUALITY_WORK/prep/cellbench_dropseq-<hash>/cellbench_dropseq.graphs.h5ad --setting gene_lr3 \\
        --out benchmarks/results/quality/readouts.json

A diagnostic of issue 10, not a suite measure: it trains SETTING (``settings.toml``) once on a graphs.h5ad
that the suite prepared, then writes the cell embedding several ways from the same weights and the same
pruned KNN graph, and scores each with ``scnetflow.cluster_eval`` (the suite's cell measure; PCA of the
same cells alongside). Readouts (rows of the output):

- ``wmean``: what the train step writes (``--cell-embedding-aggr weighted_mean``, unit rows);
- ``root``: the cell attention's root term :math:`W_s h_i` alone, without its neighbour messages, unit rows;
- ``root_raw``: the same without unit rows.

Each under three edge batchings: ``p0`` the contiguous batches (``--eval-partitions 0``), ``p1`` one random
partition (``--eval-partitions 1``), ``full`` every KNN edge in one pass. Prints one JSON line per
readout and adds them to ``--out`` (JSON) when given, replacing that file's rows of the same setting and
sample (session 18's rows: ``benchmarks/results/quality/readouts.json``). Any choice among these readouts
would be made on the evaluation data themselves: one that wins here is a lead to confirm elsewhere, not a
default.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run_suite import split_overrides  # noqa: E402

BATCHINGS = ("p0", "p1", "full")


def readouts(trainer, batching: str) -> dict:
    """``{readout: (C, embedding_dim) array}`` from the trained ``trainer``'s first subset under ``batching``
    (one of :data:`BATCHINGS`)."""
    import numpy as np
    import torch

    from scnetflow.train.result import unit_rows
    from scnetflow.train.trainer import EVAL_STREAM

    sub, model = trainer.subsets[0], trainer.model.eval()
    if batching == "full":
        batches = [sub.edges]
    else:  # the batches the train step's evaluation draws under that --eval-partitions
        rng = np.random.default_rng([trainer.params.seed, EVAL_STREAM])
        batches = trainer.eval_batches(sub.edges, rng, partitions={"p0": 0, "p1": 1}[batching])
    seen = {}
    hook = model.cell_attention.register_forward_hook(lambda mod, inp, out: seen.update(h=inp[0].detach()))
    wmean = root = 0
    try:
        with torch.no_grad():
            for batch in batches:
                _, zc, _, _ = trainer.forward(sub, batch, cell_embedding_aggr="weighted_mean")
                wmean = wmean + zc.numpy()
                root = root + model.cell_attention.lin_skip(seen["h"]).float().numpy()
    finally:
        hook.remove()
    n = len(batches)
    return {"wmean": unit_rows(wmean / n), "root": unit_rows(root / n), "root_raw": root / n}


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--graphs", type=Path, required=True, help="a graphs.h5ad the suite prepared")
    ap.add_argument("--setting", default="gene_lr3", help="a setting of settings.toml (its seed included)")
    ap.add_argument("--label-key", default="cell_line")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path,
                    help="add the rows to this JSON file (replacing its rows of this setting and sample)")
    args = ap.parse_args(argv)
    if not args.graphs.is_file():
        sys.exit(f"Error: --graphs {args.graphs}: no such file; run run_suite.py on its dataset first")
    table = tomllib.loads((HERE / "settings.toml").read_text())
    if args.setting not in table:
        sys.exit(f"Error: settings.toml: no setting {args.setting!r}")

    import anndata as ad
    import numpy as np
    import torch

    from scnetflow.cluster_eval import ClusterEvalParams, cluster_eval
    from scnetflow.model import ModelConfig
    from scnetflow.train import TrainParams
    from scnetflow.train.trainer import Trainer

    torch.set_num_threads(args.threads)
    _, _, train_over, model_over = split_overrides(table[args.setting])
    adata = ad.read_h5ad(args.graphs)
    if args.label_key not in adata.obs:
        sys.exit(f"Error: {args.graphs}: no obs column {args.label_key!r} (columns: {', '.join(adata.obs)})")
    t0 = time.perf_counter()
    trainer = Trainer(adata, TrainParams(**train_over), ModelConfig(**model_over), device="cpu")
    if len(trainer.subsets) != 1:
        sys.exit("Error: readouts.py reads one cell subset; this setting trains several")
    trainer.fit(None, False)
    print(f"[readouts] trained {args.setting} on {args.graphs.name} in {time.perf_counter() - t0:.0f} s", flush=True)

    reps = {"X_pca": adata.obsm["X_pca"]}
    for batching in BATCHINGS:
        for name, z in readouts(trainer, batching).items():
            reps[f"{name}_{batching}"] = np.asarray(z, dtype=np.float32)
    cells = ad.AnnData(obs=adata.obs[[args.label_key]].copy(), obsm=reps)
    _, summary = cluster_eval(cells, args.label_key, ClusterEvalParams(representations=tuple(reps)))
    rows = [{"setting": args.setting, "sample": args.graphs.name.split(".")[0], "readout": rep,
             "max_ari": round(info["max_ari"], 4), "max_nmi": round(info["max_nmi"], 4)}
            for rep, info in summary["representations"].items()]
    for row in rows:
        print(json.dumps(row), flush=True)
    if args.out:  # keeps the rows of other (setting, sample) pairs, so runs accumulate in one file
        old = json.loads(args.out.read_text()) if args.out.exists() else []
        mine = {(rows[0]["setting"], rows[0]["sample"])}
        merged = [r for r in old if (r["setting"], r["sample"]) not in mine] + rows
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(merged, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
