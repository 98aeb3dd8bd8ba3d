"""Run the authors' scNET package (``scnet`` 0.2.4) on one dataset and record speed, memory and quality.

Run it with the reference venv's Python (``benchmarks/reference/setup_reference_venv.sh``), from the
repository root::

    .ref-venv/bin/python benchmarks/reference/run_scnet_reference.py \
        --input ../shared/data/cellbench/cellbench_10x_3cl_cepo_subset.h5ad \
        --label cell_line --human --epochs 250 --run cellbench_e250

What it does:

* copies the installed ``scNET`` package into a temporary directory and imports it from there, so the
  pickles scNET writes into its own package directory (``Embedding/``, ``KNNs/``) land in the copy and
  the venv stays clean;
* calls ``scNET.run_scNET`` with the package's own preprocessing (``pre_processing_flag=True``: filter,
  normalise, log1p, 15-PC KNN with ``--n-neighbors``), as the baseline in
  ``../shared/notes/scnet-reference.md`` was measured;
* times every epoch (by wrapping the ``tqdm`` iterator of ``scNET.main.train``), records every held-out
  PPI AUROC/AP that ``test_recon`` computes (the best one is what scNET prints as "Best Network AUC"),
  the KNN edge count whenever the edge loader is (re)built (pruning), the model's parameter count and
  the process's peak RSS (``resource.getrusage``);
* loads the cell embedding scNET saved (``load_embeddings``) and computes the maximum adjusted Rand
  index over Leiden resolutions 0.1..1.0 (igraph flavour, seed 0, 15-NN) against ``--label``, for the
  scNET cell embedding and for the 15-PC space scNET built itself;
* writes everything as JSON to ``benchmarks/results/reference_<run>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESOLUTIONS = [round(0.1 * i, 1) for i in range(1, 11)]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--input", required=True, help="AnnData (.h5ad) with raw counts in X")
    p.add_argument("--label", required=True, help="obs column with the ground-truth labels for ARI")
    p.add_argument("--run", required=True, help="run name: output is benchmarks/results/reference_<run>.json")
    p.add_argument("--epochs", type=int, default=150, help="max_epoch passed to run_scNET (package default 150)")
    p.add_argument("--human", action="store_true", help="human_flag=True (keep PPI symbols upper-case); needed for human data")
    p.add_argument("--n-neighbors", type=int, default=25, help="n_neighbors passed to run_scNET")
    p.add_argument("--number-of-batches", type=int, default=5, help="number_of_batches passed to run_scNET")
    p.add_argument("--split-cells", action="store_true", help="split_cells=True (cell mini-batches; no pruning)")
    p.add_argument("--expression-cutoff", type=float, default=None, help="override scNET.main.EXPRESSION_CUTOFF (package: 0.0)")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    p.add_argument("--outdir", default=str(REPO / "benchmarks" / "results"), help="where the JSON goes")
    p.add_argument("--keep-tmp", action="store_true", help="keep the temporary package copy (its path is logged)")
    return p.parse_args(argv)


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def max_leiden_ari(rep, labels, *, n_neighbors: int = 15) -> dict:
    """Leiden (igraph, seed 0) on a 15-NN graph of ``rep`` at each resolution; ARI against ``labels``."""
    import anndata as ad
    import numpy as np
    import scanpy as sc
    from sklearn.metrics import adjusted_rand_score

    a = ad.AnnData(np.zeros((rep.shape[0], 1), dtype=np.float32))
    a.obsm["rep"] = np.asarray(rep, dtype=np.float32)
    sc.pp.neighbors(a, n_neighbors=n_neighbors, use_rep="rep", random_state=0)
    per_res = []
    for r in RESOLUTIONS:
        sc.tl.leiden(a, resolution=r, flavor="igraph", n_iterations=2, random_state=0, key_added="leiden")
        per_res.append({
            "resolution": r,
            "n_clusters": int(a.obs["leiden"].nunique()),
            "ari": float(adjusted_rand_score(labels, a.obs["leiden"].to_numpy())),
        })
    best = max(per_res, key=lambda d: d["ari"])
    return {"max_ari": best["ari"], "best_resolution": best["resolution"], "best_n_clusters": best["n_clusters"], "per_resolution": per_res}


def import_scnet_copy(tmp: Path):
    """Copy the installed scNET package to ``tmp/scNET`` and import it from there."""
    spec = importlib.util.find_spec("scNET")
    if spec is None or spec.origin is None:
        raise SystemExit("scNET is not installed in this Python; run benchmarks/reference/setup_reference_venv.sh and use .ref-venv/bin/python")
    src = Path(spec.origin).parent
    shutil.copytree(src, tmp / "scNET", ignore=shutil.ignore_patterns("__pycache__"))
    for sub in ("Embedding", "KNNs", "Models"):
        (tmp / "scNET" / sub).mkdir(exist_ok=True)
    sys.path.insert(0, str(tmp))
    import scNET  # noqa: E402  (imported from the copy)
    import scNET.main as scnet_main

    if not Path(scNET.__file__).resolve().is_relative_to(tmp.resolve()):
        raise SystemExit(f"scNET imported from {scNET.__file__}, not from the copy in {tmp}")
    return scNET, scnet_main


class Tee(io.TextIOBase):
    """Write to several text streams (scNET prints its results; keep them in the log and in memory)."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, s):
        for st in self.streams:
            st.write(s)
        return len(s)

    def flush(self):
        for st in self.streams:
            st.flush()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t_start = time.perf_counter()
    load_start = os.getloadavg()
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out_json = outdir / f"reference_{args.run}.json"

    import anndata as ad
    import numpy as np
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    tmp = Path(tempfile.mkdtemp(prefix="scnet_ref_"))
    print(f"[harness] scNET copy in {tmp}", file=sys.stderr)
    try:
        scNET, m = import_scnet_copy(tmp)
        if args.expression_cutoff is not None:
            m.EXPRESSION_CUTOFF = args.expression_cutoff

        rec: dict = {"epoch_seconds": [], "epoch_cpu_seconds": [], "evals": [], "loader_edges": [], "ppi": {}}

        # Per-epoch timing: train() iterates `for epoch in tqdm(range(max_epoch), ...)`.
        def timed_tqdm(iterable, *a, **k):
            last, last_cpu = time.perf_counter(), time.process_time()
            for item in iterable:
                yield item
                now, now_cpu = time.perf_counter(), time.process_time()
                rec["epoch_seconds"].append(now - last)
                rec["epoch_cpu_seconds"].append(now_cpu - last_cpu)
                print(
                    f"[harness] epoch {item}: {now - last:.2f} s wall, {now_cpu - last_cpu:.2f} s CPU, "
                    f"peak RSS {peak_rss_bytes() / 2**30:.2f} GiB, load {os.getloadavg()[0]:.2f}",
                    file=sys.stderr, flush=True,
                )
                last, last_cpu = time.perf_counter(), time.process_time()

        m.tqdm = timed_tqdm

        orig_test_recon = m.test_recon

        def test_recon(model, x, data, knn_edge_index):
            auc, ap = orig_test_recon(model, x, data, knn_edge_index)
            rec["evals"].append({"epoch_index": len(rec["epoch_seconds"]), "auroc": float(auc), "ap": float(ap)})
            return auc, ap

        m.test_recon = test_recon

        orig_mini_batch_knn = m.mini_batch_knn

        def mini_batch_knn(edge_index, batch_size):
            rec["loader_edges"].append(int(edge_index.shape[1]))
            return orig_mini_batch_knn(edge_index, batch_size)

        m.mini_batch_knn = mini_batch_knn

        orig_build_network = m.build_network

        def build_network(obj, net, *a, **k):
            net2, gp, node_feature = orig_build_network(obj, net, *a, **k)
            rec["ppi"] = {"genes": int(gp.number_of_nodes()), "undirected_edges": int(gp.number_of_edges())}
            return net2, gp, node_feature

        m.build_network = build_network

        orig_train = m.train

        def train(data, loader, *a, **k):
            t0 = time.perf_counter()
            rec["train_pos_edges_directed"] = int(data.train_pos_edge_index.shape[1])
            rec["model_input_shape_genes_x_cells"] = list(data.x.shape)
            model = orig_train(data, loader, *a, **k)
            rec["train_seconds"] = time.perf_counter() - t0
            rec["n_parameters"] = int(sum(p.numel() for p in model.parameters()))
            return model

        m.train = train

        adata = ad.read_h5ad(args.input)
        n_cells_in, n_genes_in = adata.shape
        if args.label not in adata.obs:
            raise SystemExit(f"{args.input}: obs has no column {args.label!r}; choose one of {list(adata.obs.columns)}")
        model_name = f"ref_{args.run}"
        captured = io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(Tee(sys.stdout, captured)):
            scNET.run_scNET(
                adata, pre_processing_flag=True, human_flag=args.human, number_of_batches=args.number_of_batches,
                split_cells=args.split_cells, n_neighbors=args.n_neighbors, max_epoch=args.epochs, model_name=model_name,
            )
        run_seconds = time.perf_counter() - t0
        peak_after_train = peak_rss_bytes()

        best_auc_printed = None
        for line in captured.getvalue().splitlines():
            if line.startswith("Best Network AUC:"):
                best_auc_printed = float(line.split(":", 1)[1])

        written = sorted(str(p.relative_to(tmp / "scNET")) for sub in ("Embedding", "KNNs", "Models") for p in (tmp / "scNET" / sub).iterdir())
        _gene_emb, cell_emb, _node_features, _out = scNET.load_embeddings(model_name)
        # run_scNET filtered `adata` in place (pre_processing); split mode drops the last cells (drop_last).
        labels = adata.obs[args.label].astype(str).to_numpy()
        n_emb = cell_emb.shape[0]
        ari_scnet = max_leiden_ari(cell_emb, labels[:n_emb])
        ari_pca = max_leiden_ari(adata.obsm["X_pca"][:, :15], labels)

        es = rec["epoch_seconds"]
        result = {
            "tool": "scnet (authors' package)",
            "scnet_version": "0.2.4",
            "run": args.run,
            "input": os.path.relpath(Path(args.input).resolve(), REPO),
            "label": args.label,
            "settings": {
                "epochs": args.epochs, "human_flag": args.human, "n_neighbors": args.n_neighbors,
                "number_of_batches": args.number_of_batches, "split_cells": args.split_cells,
                "expression_cutoff": m.EXPRESSION_CUTOFF, "pre_processing_flag": True,
            },
            "cells_in": int(n_cells_in), "genes_in": int(n_genes_in),
            "cells_after_preprocessing": int(adata.n_obs), "cells_embedded": int(n_emb),
            "ppi_genes": rec["ppi"].get("genes"), "ppi_undirected_edges": rec["ppi"].get("undirected_edges"),
            "ppi_train_edges_directed": rec.get("train_pos_edges_directed"),
            "model_input_genes_x_cells": rec.get("model_input_shape_genes_x_cells"),
            "knn_edges_per_loader_build": rec["loader_edges"],
            "n_parameters": rec.get("n_parameters"),
            "run_scnet_seconds": run_seconds,
            "train_seconds": rec.get("train_seconds"),
            "epoch_seconds": es,
            "epoch_seconds_median": float(np.median(es)) if es else None,
            "epoch_seconds_mean": float(np.mean(es)) if es else None,
            "epoch_cpu_seconds": rec["epoch_cpu_seconds"],
            "epoch_cpu_seconds_median": float(np.median(rec["epoch_cpu_seconds"])) if es else None,
            "peak_rss_bytes": peak_after_train,
            "peak_rss_gib": peak_after_train / 2**30,
            "held_out_ppi_evals": rec["evals"],
            "best_auroc_printed": best_auc_printed,
            "best_auroc_recorded": max((e["auroc"] for e in rec["evals"]), default=None),
            "embedding_saved_at_epoch_index": max((i for i in range(args.epochs) if i % 10 == 0), default=None),
            "ari_scnet_cells": ari_scnet,
            "ari_pca15": ari_pca,
            "files_written_by_scnet": written,
            "wall_seconds_total": time.perf_counter() - t_start,
            # Other processes on this shared machine slow the wall-clock numbers: 1-min load average
            # at start and end (this process alone contributes up to torch_threads).
            "loadavg_start": load_start[0], "loadavg_end": os.getloadavg()[0],
            "environment": {
                "python": platform.python_version(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
                "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                "versions": _versions(["torch-geometric", "scanpy", "anndata", "numpy", "pandas", "networkx", "setuptools", "leidenalg", "igraph", "scnet"]),
            },
        }
        tmp_json = out_json.with_suffix(".json.tmp")
        tmp_json.write_text(json.dumps(result, indent=2) + "\n")
        tmp_json.replace(out_json)
        print(
            f"[harness] {args.run}: {np.median(es):.2f} s/epoch (median), peak RSS {result['peak_rss_gib']:.2f} GiB, "
            f"best AUROC {best_auc_printed}, ARI scNET {ari_scnet['max_ari']:.3f} vs PCA {ari_pca['max_ari']:.3f} -> {out_json}",
            file=sys.stderr,
        )
    finally:
        if args.keep_tmp:
            print(f"[harness] kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _versions(names: list[str]) -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for n in names:
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            out[n] = None
    return out


if __name__ == "__main__":
    sys.exit(main())
