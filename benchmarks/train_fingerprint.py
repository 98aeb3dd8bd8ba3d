#!/usr/bin/env python3
"""Fingerprint of ``train()``: a hash of every output of three small fixed-seed trainings on the bundled
test data (full-width SAGE; low-rank SAGE in cell-subset mode; GCN with the correlation loss and every gene
a target), each keeping three selection rules.

Run it before and after a change meant to keep the trainer's behaviour (same machine and torch): equal
output means the same embeddings, reconstruction, pruned graph, history and kept epochs, bit for bit.

    PYTHONPATH=src .venv/bin/python benchmarks/train_fingerprint.py > before.json
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import anndata as ad
import numpy as np

from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
from scnetflow.model import ModelConfig
from scnetflow.qc import QCParams, run_qc
from scnetflow.train import TrainParams, train

TEST_DATA = Path(__file__).resolve().parents[1] / "tests" / "data"

CASES = {
    "sage": (TrainParams(epochs=6, eval_every=2, prune_every=3, precision="fp32"),
             ModelConfig(hidden_dim=32, embedding_dim=8)),
    "lowrank_sage_subsets": (TrainParams(epochs=4, eval_every=2, prune_every=2, max_cells=100, n_subsets=3,
                                         precision="fp32", seed=5),
                             ModelConfig(encoder="lowrank_sage", encoder_init="identity", hidden_dim=32,
                                         embedding_dim=8)),
    "gcn_corr": (TrainParams(epochs=3, eval_every=1, lambda_corr=0.5, target_genes="all", precision="fp32", seed=2),
                 ModelConfig(encoder="gcn", hidden_dim=16, embedding_dim=4)),
}


def _hash(a) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


def main() -> None:
    q, _ = run_qc(ad.read_h5ad(TEST_DATA / "kang_ctrl.h5ad"), QCParams(min_genes=50))
    g, _ = build_model_inputs(q, read_ppi(TEST_DATA / "ppi_subset.csv.gz"),
                              GraphsParams(model_genes="hvg", min_model_genes=10))
    out = {}
    for name, (params, config) in CASES.items():
        r = train(g, params, config, device="cpu", progress=False, keep_rules=("auroc", "expr"))
        out[name] = {"zc": _hash(r.cell_embedding), "zg": _hash(r.gene_embedding.to_numpy()),
                     "recon": _hash(r.reconstruction), "knn": _hash(r.knn.toarray()),
                     "hist": _hash(r.history.drop(columns=["seconds"]).to_numpy(dtype=float)),
                     "best": r.summary["best_epoch"],
                     "alt": {k: (v.summary["best_epoch"], _hash(v.cell_embedding)) for k, v in r.alternatives.items()}}
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
