"""Build a small published-results tree from real data for the report tests.

The chain runs for real on the bundled Kang subsets (``tests/data/kang_{ctrl,stim}.h5ad``, PBMC,
300 cells each) through the step CLIs, as the pipeline runs them. Training is cut to a few epochs (with
evaluation and pruning inside them) and the evaluations to few splits and randomisations to keep the
tests fast; the layout is the published one, ``<results>/<sample>/<step>/<prefix>.<kind>``.
"""

from __future__ import annotations

import os
from pathlib import Path


DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = {"kang_ctrl": "CTRL", "kang_stim": "STIM"}
#: interferon-response genes kept in the bundled subset as seeds (tests/data/README.md)
IFN_SEEDS = ("STAT1", "ISG15", "IFIT1", "IFIT3", "MX1", "IRF7")
#: real disease gene lists when ../shared/data is there (CI has it); else the z-scores are skipped
DISEASE_GMT = DATA.parents[2] / "shared" / "data" / "disease_genes" / "disgenet_curated_disease_genes_min5.gmt.gz"


def _cli(args: list[str]) -> None:
    from click.testing import CliRunner

    from scnetflow.cli import main

    r = CliRunner().invoke(main, args + ["--quiet"], catch_exceptions=False)
    assert r.exit_code == 0, f"scnetflow {' '.join(args)} failed: {r.output}"


def build_sample(results: Path, sample: str, *, epochs: int = 3) -> None:
    """qc -> graphs -> train -> coembed -> evaluate-network -> cluster-eval (the step CLIs) for one sample."""
    d = results / sample
    _cli(["qc", str(DATA / f"{sample}.h5ad"), "--outdir", str(d / "qc"), "--min-genes", "20", "--n-neighbors", "15",
          "--label-key", "cell_type", "--condition", SAMPLES[sample]])
    _cli(["graphs", str(d / "qc" / f"{sample}.qc.h5ad"), "--outdir", str(d / "graphs"),
          "--ppi", str(DATA / "ppi_subset.csv.gz")])
    _cli(["train", str(d / "graphs" / f"{sample}.graphs.h5ad"), "--outdir", str(d / "train"), "--device", "cpu",
          "--epochs", str(epochs), "--eval-every", "1", "--prune-every", "2", "--no-progress"])
    emb, scnet = d / "train" / f"{sample}.gene_embeddings.tsv", d / "train" / f"{sample}.scnet.h5ad"
    _cli(["coembed", str(emb), str(scnet), "--outdir", str(d / "coembed"), "--percentile", "95",
          *[a for p in (50, 75, 90, 95, 99) for a in ("--percentiles", str(p))]])
    disease = [] if not DISEASE_GMT.is_file() else ["--disease-gmt", str(DISEASE_GMT)]
    _cli(["evaluate-network", str(d / "coembed" / f"{sample}.coembed_edges.tsv"),
          str(d / "coembed" / f"{sample}.coexpr_edges.tsv"), "--outdir", str(d / "evaluate_network"),
          "--ppi", str(DATA / "ppi_subset.csv.gz"), "--min-size", "10", "--n-splits", "2", "--n-random", "5", *disease])
    _cli(["cluster-eval", str(scnet), "--outdir", str(d / "cluster_eval"),
          *[a for r in (0.2, 0.5, 1.0) for a in ("--resolutions", str(r))]])


def build_comparison(results: Path, a: str = "kang_ctrl", b: str = "kang_stim", name: str = "kang_ctrl_vs_stim") -> str:
    """The pipeline's contrast ``<a>_vs_<b>``: gsea of ``b`` with ``a`` added (cell types and conditions) and
    diffnet ``a`` vs ``b``, both under ``<results>/<name>/``."""
    ta, tb = results / a / "train", results / b / "train"
    _cli(["gsea", str(tb / f"{b}.scnet.h5ad"), str(tb / f"{b}.reconstructed.h5ad"), "--outdir", str(results / name / "gsea"),
          "--prefix", name,
          "--other-sample", str(ta / f"{a}.scnet.h5ad"), str(ta / f"{a}.reconstructed.h5ad"),
          "--gsea-min-size", "10", "--permutation-num", "20"])
    _cli(["diffnet", str(ta / f"{a}.gene_embeddings.tsv"), str(tb / f"{b}.gene_embeddings.tsv"),
          "--outdir", str(results / name / "diffnet"), "--prefix", name, "--name-a", "CTRL", "--name-b", "STIM",
          "--seed-genes", ",".join(IFN_SEEDS), "--ignore-missing", "--percentile", "95"])
    return name


def build_results(results: Path, *, epochs: int = 3) -> Path:
    """Both bundled samples; returns ``results``."""
    for s in SAMPLES:
        build_sample(results, s, epochs=epochs)
    return results


_CACHE: dict[str, Path] = {}


def cached_results(tmp_path_factory) -> Path:
    """One real-data results tree (both samples + a diffnet table) per test session, shared by modules.

    Treat it as read-only; copy it (``shutil.copytree``) before changing anything. While developing,
    ``SCNETFLOW_REPORT_RESULTS=DIR`` reuses a tree built before by :func:`build_results` and
    :func:`build_comparison` instead of building one.
    """
    if "results" not in _CACHE and os.environ.get("SCNETFLOW_REPORT_RESULTS"):  # a tree built before, to iterate fast
        _CACHE["results"] = Path(os.environ["SCNETFLOW_REPORT_RESULTS"])
    if "results" not in _CACHE:
        root = tmp_path_factory.mktemp("report_results") / "results"
        build_results(root)
        build_comparison(root)
        _CACHE["results"] = root
    return _CACHE["results"]


