#!/usr/bin/env python3
"""The quality suite (issue 10): train each SETTING on each DATASET of a fixed panel and score every output.

    nice -n 10 .venv/bin/python benchmarks/quality/run_suite.py \\
        --datasets cellbench_10x,cellbench_celseq2,cellbench_dropseq --settings default --fast

Settings are named override dicts in ``benchmarks/quality/settings.toml``. Every measure comes from
``scnetflow.quality`` (the steps' own computations). Each sample's preprocessing, each (sample,
setting)'s training outputs and each scoring part are cached under ``--work`` (default
``$QUALITY_WORK`` or ``benchmarks/quality/work``, git-ignored) and skipped when present, so the suite
resumes where it stopped. The table (``benchmarks/results/quality/quality.{json,md}``) keeps the rows
of earlier invocations and replaces those rerun. See ``benchmarks/quality/README.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO.parent / "shared" / "data"
RESULTS = REPO / "benchmarks" / "results" / "quality"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "benchmarks"))

from datasets import DATASETS, Sample  # noqa: E402
from table import write_tables  # noqa: E402

log = logging.getLogger("quality")
FAST_PARTS = ("cells", "markers", "modularity", "pathways")
SLOW_PARTS = ("disease", "go")
DISEASE_GMT = DATA / "disease_genes" / "disgenet_curated_disease_genes_min5.gmt.gz"


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        return next(ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return platform.processor() or platform.machine()


def load_settings(path: Path, names: list[str]) -> dict[str, dict]:
    """The named settings' overrides, each with ``extends = "other"`` resolved (the other's overrides, then its own)."""
    table = tomllib.loads(path.read_text())
    unknown = [n for n in names if n not in table]
    if unknown:
        sys.exit(f"Error: {path.name}: no setting {unknown[0]!r} (defined: {', '.join(table)})")

    def resolve(name: str, chain: tuple[str, ...]) -> dict:
        own = dict(table[name])
        parent = own.pop("extends", None)
        if parent is None:
            return own
        if parent not in table:
            sys.exit(f"Error: {path.name}: setting {name!r} extends {parent!r}, which is not defined")
        if parent in chain:
            sys.exit(f"Error: {path.name}: settings extend each other in a cycle: {' -> '.join(chain + (parent,))}")
        return {**resolve(parent, chain + (parent,)), **own}

    return {n: resolve(n, (n,)) for n in names}


def split_overrides(overrides: dict) -> tuple[dict, dict, dict, dict]:
    """(qc, graphs, train, model) keyword arguments; unknown keys are an error naming the valid ones."""
    from scnetflow.graphs import GraphsParams
    from scnetflow.model import ModelConfig
    from scnetflow.qc import QCParams
    from scnetflow.train import TrainParams

    fields = {c: {f.name for f in dataclasses.fields(c)} for c in (QCParams, GraphsParams, TrainParams, ModelConfig)}
    qc, graphs, train, model = {}, {}, {}, {}
    for k, v in overrides.items():
        if k.startswith("qc.") and k[3:] in fields[QCParams]:
            qc[k[3:]] = v
        elif k.startswith("graphs.") and k[7:] in fields[GraphsParams]:
            graphs[k[7:]] = v
        elif k in fields[TrainParams]:
            train[k] = v
        elif k in fields[ModelConfig]:
            model[k] = v
        else:
            valid = sorted(fields[TrainParams] | fields[ModelConfig])
            sys.exit(f"Error: setting key {k!r} is not a TrainParams/ModelConfig field nor qc.<field>/graphs.<field> "
                     f"(fields: {', '.join(valid)})")
    return qc, graphs, train, model


def digest(obj) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:8]


def timed(label: str):
    """Context manager printing the part's start and wall time."""
    class _T:
        def __enter__(self):
            self.t0 = time.perf_counter()
            print(f"[quality] {label} ...", flush=True)
            return self

        def __exit__(self, *exc):
            self.seconds = round(time.perf_counter() - self.t0, 1)
            print(f"[quality] {label}: {'failed' if exc[0] else 'done'} in {self.seconds:.1f} s", flush=True)
    return _T()


def prep_dir(sample: Sample, qc_over: dict, graphs_over: dict, work: Path) -> Path:
    from scnetflow.graphs import GraphsParams
    from scnetflow.qc import QCParams

    qcp = QCParams(**{**sample.qc, **qc_over})
    gp = GraphsParams(**{**sample.graphs, **graphs_over})
    return work / "prep" / f"{sample.name}-{digest([dataclasses.asdict(qcp), dataclasses.asdict(gp)])}"


def prepare(sample: Sample, qc_over: dict, graphs_over: dict, work: Path) -> tuple[Path, Path]:
    """qc and graphs outputs of one sample (cached by the preprocessing overrides)."""
    from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
    from scnetflow.qc import QCParams, run_qc

    qcp = QCParams(**{**sample.qc, **qc_over})
    gp = GraphsParams(**{**sample.graphs, **graphs_over})
    d = prep_dir(sample, qc_over, graphs_over, work)
    qc_path, g_path = d / f"{sample.name}.qc.h5ad", d / f"{sample.name}.graphs.h5ad"
    if not g_path.exists():
        with timed(f"{sample.name}: qc + graphs"):
            t0 = time.perf_counter()
            q, _ = run_qc(sample.load(DATA), qcp)
            q.uns["sample"] = {"id": sample.name, "condition": sample.condition or "", "species": "human",
                               "label_key": sample.label}
            g, gs = build_model_inputs(q, read_ppi(None), gp)
            tmp = d.with_name(d.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            q.write_h5ad(tmp / qc_path.name)
            g.write_h5ad(tmp / g_path.name)
            (tmp / "graphs.json").write_text(json.dumps({**gs, "seconds": round(time.perf_counter() - t0, 1)}, indent=1) + "\n")
            shutil.rmtree(d, ignore_errors=True)
            tmp.rename(d)
    return qc_path, g_path


def train_run(g_path: Path, runs: dict[str, Path], prefix: str, train_over: dict, model_over: dict,
              machine: dict, threads: int) -> None:
    """The train step's files (without the checkpoint) in each run directory of ``runs`` (selection rule ->
    directory) that lacks them. One training serves every rule (``train(keep_rules=...)``): a rule only
    picks among the same evaluations."""
    missing = {rule: run for rule, run in runs.items() if not (run / f"{prefix}.train.json").exists()}
    if not missing:
        return
    import anndata as ad
    import torch

    from scnetflow.model import ModelConfig
    from scnetflow.train import TrainParams, train

    rules = list(missing)
    params, config = TrainParams(**{**train_over, "selection": rules[0]}), ModelConfig(**model_over)
    adata = ad.read_h5ad(g_path)
    extra = {"keep_rules": tuple(rules[1:])} if len(rules) > 1 else {}
    # scanpy's sklearn neighbours (the scoring of an earlier sample) leave torch with more threads than set,
    # which two suite processes sharing two cores turned into 10x slower epochs spinning at OpenMP barriers
    torch.set_num_threads(threads)
    result = train(adata, params, config, device="cpu", progress=False, **extra)
    for rule, run in missing.items():
        res = result if rule == rules[0] else result.alternatives[rule]
        write_run(adata, res, dataclasses.replace(params, selection=rule), config, run, prefix, rules, machine)


def write_run(adata, result, params, config, run: Path, prefix: str, shared: list[str], machine: dict) -> None:
    from scnetflow.train import annotate

    tmp = run.with_name(run.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    annotate(adata, result, params, config).write_h5ad(tmp / f"{prefix}.scnet.h5ad")
    result.gene_embedding.to_csv(tmp / f"{prefix}.gene_embeddings.tsv", sep="\t", float_format="%.6g")
    result.reconstruction_anndata(adata).write_h5ad(tmp / f"{prefix}.reconstructed.h5ad")
    result.history.to_csv(tmp / f"{prefix}.history.tsv", sep="\t", index=False, float_format="%.6g")
    summary = {k: v for k, v in result.summary.items() if k != "attention_histogram"}
    summary["training_shared_by_rules"] = shared
    (tmp / f"{prefix}.train.json").write_text(json.dumps({"sample": prefix, **summary}, indent=2, default=str) + "\n")
    (tmp / "machine.json").write_text(json.dumps(machine, indent=1) + "\n")  # where and when it trained
    shutil.rmtree(run, ignore_errors=True)
    tmp.rename(run)


def rule_siblings(settings: dict[str, dict]) -> dict[str, dict[str, str]]:
    """Per setting, ``{selection rule: setting}`` of the requested settings that differ from it only in
    ``selection`` (itself included); those share one training. Settings with early stopping (which
    watches their own rule) train alone."""
    from scnetflow.train import TrainParams

    default_rule = getattr(TrainParams(), "selection", None)
    out = {}
    for name, over in settings.items():
        rule = over.get("selection", default_rule)
        group = {rule: name}
        if over.get("patience", 0) == 0 and default_rule is not None:
            rest = {k: v for k, v in over.items() if k != "selection"}
            for other, o in settings.items():
                r = o.get("selection", default_rule)
                if other != name and r not in group and {k: v for k, v in o.items() if k != "selection"} == rest:
                    group[r] = other
        out[name] = group
    return out


class Scores:
    """A run's scores.json: one entry per part (values and seconds), written after each part."""

    def __init__(self, path: Path):
        self.path = path
        self.parts = json.loads(path.read_text()) if path.exists() else {}

    def run(self, part: str, label: str, func) -> None:
        if part in self.parts:
            print(f"[quality] {label}: cached ({self.parts[part]['seconds']} s)", flush=True)
            return
        with timed(label) as t:
            values = func()
        self.parts[part] = {"seconds": t.seconds, "values": values}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.parts, indent=1, default=float) + "\n")
        tmp.replace(self.path)


def score_sample(sample: Sample, qc_path: Path, run: Path, parts: tuple[str, ...], markers) -> Scores:
    """Run the missing scoring parts of one trained sample; ``markers()`` gives its marker genes."""
    import anndata as ad

    from scnetflow import quality as Q
    from scnetflow.networks import read_edge_list, write_edge_list

    p = sample.name
    scores = Scores(run / "scores.json")
    lazy: dict = {}

    def adata():
        if "a" not in lazy:
            lazy["a"] = ad.read_h5ad(run / f"{p}.scnet.h5ad")
        return lazy["a"]

    def cells():
        return Q.cell_scores(adata(), sample.label, ad.read_h5ad(qc_path))

    def marker_part():
        m = markers()
        return {**Q.reconstruction_scores(adata(), ad.read_h5ad(run / f"{p}.reconstructed.h5ad"), m, sample.label),
                "markers": m}

    def modularity():
        from scnetflow.coembed import coembed, read_gene_embeddings

        co, cx = coembed(read_gene_embeddings(run / f"{p}.gene_embeddings.tsv"), adata())
        write_edge_list(co.edges, run / f"{p}.coembed_edges.tsv")
        write_edge_list(cx.edges, run / f"{p}.coexpr_edges.tsv")
        return Q.modularity_scores(co, cx)

    def network(kind: str):
        from scnetflow.errors import InputError
        from scnetflow.genesets import read_gmt

        co, cx = read_edge_list(run / f"{p}.coembed_edges.tsv"), read_edge_list(run / f"{p}.coexpr_edges.tsv")
        try:
            if kind == "pathways":
                return Q.network_scores(Q.network_evaluation(co, cx))
            return Q.network_scores(Q.network_evaluation(co, cx, pathway_sets=None, disease_sets=read_gmt(DISEASE_GMT)))
        except InputError as e:  # small models (CellBench subset: 165 genes) reach no set of >= 30 genes
            return {f"{kind}_error": str(e)}

    def go():
        from go_scores import go_scores

        return go_scores(adata())

    funcs = {"cells": cells, "markers": marker_part, "modularity": modularity,
             "pathways": lambda: network("pathways"), "disease": lambda: network("disease"), "go": go}
    for part in parts:
        scores.run(part, f"{p}: {part}", funcs[part])
    return scores


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default=",".join(DATASETS), help=f"comma-separated, of: {', '.join(DATASETS)}")
    ap.add_argument("--settings", default="default", help="comma-separated setting names of --settings-file")
    ap.add_argument("--settings-file", type=Path, default=HERE / "settings.toml")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("QUALITY_WORK", HERE / "work")),
                    help="cache directory [default: $QUALITY_WORK or benchmarks/quality/work]")
    ap.add_argument("--fast", action="store_true", help="skip the slow parts: GO BP tests and disease z-scores")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (recorded in the table)")
    ap.add_argument("--results", type=Path, default=RESULTS, help="where quality.json and quality.md go")
    ap.add_argument("--samples", default="",
                    help="comma-separated sample names to train and score (default: every sample of --datasets); "
                         "others already trained, e.g. by a parallel invocation, join their dataset's GSEA")
    ap.add_argument("--table-only", action="store_true",
                    help="compute nothing: rebuild the table from the cached runs and scores of --datasets x --settings")
    args = ap.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("scnetflow.coembed", "scnetflow.evaluate_network", "scnetflow.gsea"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    import torch

    torch.set_num_threads(args.threads)
    names = [d for d in args.datasets.split(",") if d]
    bad = [d for d in names if d not in DATASETS]
    if bad:
        sys.exit(f"Error: unknown dataset {bad[0]!r}; choose from {', '.join(DATASETS)}")
    settings = load_settings(args.settings_file, [s for s in args.settings.split(",") if s])
    parts = FAST_PARTS if args.fast else FAST_PARTS + SLOW_PARTS
    machine = {"cpu": cpu_model(), "threads": args.threads, "torch": torch.__version__,
               "loadavg_start": round(os.getloadavg()[0], 1),  # other work on a shared machine inflates times
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "git_commit": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                            capture_output=True, text=True).stdout.strip()}
    print(f"[quality] {machine['cpu']}, {args.threads} thread(s); datasets {names}; settings {list(settings)}; "
          f"{'fast' if args.fast else 'full'} tier; work {args.work}", flush=True)
    rows = []
    t_all = time.perf_counter()
    siblings = rule_siblings(settings)
    for setting, overrides in settings.items():
        qc_over, graphs_over, train_over, model_over = split_overrides(overrides)
        tag = f"{setting}-{digest(overrides)}"
        for dname in names:
            ds = DATASETS[dname]
            t_ds = time.perf_counter()
            runs = {}
            samples = ds.samples
            if args.samples:
                samples = [s for s in samples if s.name in args.samples.split(",")]
                if not samples:
                    continue
            if args.table_only:  # rows of the samples trained so far (a pair's GSEA needs both)
                samples = [s for s in ds.samples if (args.work / "runs" / tag / s.name / f"{s.name}.train.json").exists()]
                if not samples:
                    print(f"[quality] {dname} [{setting}]: not trained yet; no row", flush=True)
                    continue
            for sample in samples:
                if args.table_only:
                    run = args.work / "runs" / tag / sample.name
                    runs[sample.name] = (run, Scores(run / "scores.json"))
                    continue
                qc_path, g_path = prepare(sample, qc_over, graphs_over, args.work)
                run = args.work / "runs" / tag / sample.name
                group = {rule: args.work / "runs" / f"{other}-{digest(settings[other])}" / sample.name
                         for rule, other in siblings[setting].items()}
                with timed(f"{sample.name} [{', '.join(siblings[setting].values())}]: train"):
                    train_run(g_path, group, sample.name, train_over, model_over, machine, args.threads)
                def markers(sample=sample, g_path=g_path):  # depend on the preprocessing only: cached beside it
                    cache = g_path.parent / "markers.json"
                    if not cache.exists():
                        m = ds.markers(sample, g_path, lambda s: prepare(s, qc_over, graphs_over, args.work)[0])
                        cache.write_text(json.dumps(m, indent=1) + "\n")
                    return json.loads(cache.read_text())

                scores = score_sample(sample, qc_path, run, parts, markers)
                runs[sample.name] = (run, scores)
            for s in ds.samples:  # trained elsewhere (--samples): scored there, here only for the dataset's GSEA
                run = args.work / "runs" / tag / s.name
                if s.name not in runs and (run / f"{s.name}.train.json").exists():
                    runs[s.name] = (run, Scores(run / "scores.json"))
            pair = None
            if ds.gsea is not None and len(runs) < len(ds.samples):
                print(f"[quality] {dname} [{setting}]: GSEA waits for {len(ds.samples) - len(runs)} more sample(s)",
                      flush=True)
            elif ds.gsea is not None:
                pair = Scores(args.work / "runs" / tag / f"{dname}.gsea.json")
                if not args.table_only:
                    pair.run("gsea", f"{dname} [{setting}]: gsea", lambda: ds.gsea(runs))
            for sample in samples:
                run, scores = runs[sample.name]
                row = make_row(dname, sample, setting, overrides, run, scores, pair, machine)
                prep = prep_dir(sample, qc_over, graphs_over, args.work) / "graphs.json"
                row["seconds"] = {"prep": json.loads(prep.read_text()).get("seconds") if prep.exists() else None,
                                  **row["seconds"]}
                rows.append(row)
            print(f"[quality] {dname} [{setting}]: {time.perf_counter() - t_ds:.1f} s this invocation", flush=True)
    print(f"[quality] all done in {time.perf_counter() - t_all:.1f} s", flush=True)
    command = " ".join(["benchmarks/quality/run_suite.py", *argv])
    write_tables(rows, args.results, command)


def make_row(dname, sample, setting, overrides, run, scores, pair, machine) -> dict:
    import pandas as pd

    tj = json.loads((run / f"{sample.name}.train.json").read_text())
    hist = pd.read_csv(run / f"{sample.name}.history.tsv", sep="\t")
    best = tj.get("best_epoch")
    at_best = hist[hist["epoch"] == best]
    row = {"dataset": dname, "sample": sample.name, "setting": setting, "overrides": overrides,
           "tier": "full" if "go" in scores.parts else "fast", "seed": tj.get("seed"),
           "machine": json.loads((run / "machine.json").read_text()) if (run / "machine.json").exists() else machine,
           "selection": tj.get("selection"), "training_shared_by_rules": tj.get("training_shared_by_rules"),
           # train.json records the encoder since session 8; before, an explicit setting names it
           "encoder": tj.get("encoder") or overrides.get("encoder"), "precision": tj.get("precision"),
           "best_epoch": best, "epochs_run": tj.get("epochs_run"), "n_params": tj.get("n_params"),
           "val_auroc": tj.get("best_val_auroc"), "val_aupr": tj.get("best_val_aupr"),
           "loss_expr_best": float(at_best["loss_expr"].iloc[0]) if len(at_best) else None,
           "loss_expr_last": float(hist["loss_expr"].iloc[-1]),
           "seconds": {"train": round(tj.get("seconds_total", float("nan")), 1)},
           "seconds_per_epoch": tj.get("seconds_per_epoch_median")}
    row["date"] = row["machine"].get("date", time.strftime("%Y-%m-%d", time.gmtime()))
    for part, entry in scores.parts.items():
        row["seconds"][part] = entry["seconds"]
        row.update({k: v for k, v in entry["values"].items() if k not in ("per_type", "markers")})
        if part == "markers":
            row["marker_per_type"] = entry["values"].get("per_type")
    if pair is not None and "gsea" in pair.parts:
        row["seconds"]["gsea"] = pair.parts["gsea"]["seconds"]
        row["gsea"] = pair.parts["gsea"]["values"]
    return row


if __name__ == "__main__":
    from scnetflow.allocator import tune_allocator

    tune_allocator()  # train in-process as fast as the scnetflow commands do
    main(sys.argv[1:])
