"""The pipeline's test profile, run for real on the bundled data: published files, run reports, -resume
reusing every task, and a -stub-run of the whole DAG."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from nfhelpers import MAIN, trace_rows

SAMPLES = ("CTRL", "STIM", "MIX")  # MIX: no label_key, a genes x cells CSV (assets/samplesheet_test.csv)
PAIR = "CTRL_vs_STIM"

#: <outdir>/<sample>/<step>/<files>, per docs/contracts.md (optional outputs left out).
PER_SAMPLE = {
    "qc": ["{s}.qc.h5ad", "{s}.qc.json"],
    "graphs": ["{s}.graphs.h5ad", "{s}.graphs.json"],
    "train": [
        "{s}.scnet.h5ad",
        "{s}.gene_embeddings.tsv",
        "{s}.reconstructed.h5ad",
        "{s}.model.pt",
        "{s}.history.tsv",
        "{s}.train.json",
    ],
    "cluster-eval": ["{s}.cluster_eval.tsv", "{s}.cluster_eval.json", "{s}.clusters.tsv"],
    "coembed": [
        "{s}.coembed_edges.tsv",
        "{s}.coembed.graphml",
        "{s}.coexpr_edges.tsv",
        "{s}.communities.tsv",
        "{s}.modularity.tsv",
    ],
    "evaluate-network": ["{s}.pathway_auc.tsv", "{s}.network_eval.json"],
    "propagate": ["{s}.propagation.tsv"],
    "gsea": ["{s}.gsea_celltype.tsv"],
}
PER_PAIR = {
    "diffnet": ["{s}.diffnet_edges.tsv", "{s}.diffnet_genes.tsv"],
    "gsea": ["{s}.gsea_celltype.tsv", "{s}.gsea_conditions.tsv"],
}
PROCESSES = {  # process -> tasks in the test profile (3 samples, 1 contrast pair)
    "CHECK_SAMPLESHEET": 1,
    "QC": 3,
    "GRAPHS": 3,
    "TRAIN": 3,
    "CLUSTER_EVAL": 3,
    "COEMBED": 3,
    "EVALUATE_NETWORK": 3,
    "PROPAGATE": 3,
    "DIFFNET": 1,
    "GSEA": 3,
    "GSEA_CONTRAST": 1,
    "REPORT": 1,
    "MULTIQC": 1,
}


def expected_files(outdir: Path) -> list[Path]:
    files = [outdir / s / step / f.format(s=s) for s in SAMPLES for step, fs in PER_SAMPLE.items() for f in fs]
    files += [outdir / PAIR / step / f.format(s=PAIR) for step, fs in PER_PAIR.items() for f in fs]
    files += [outdir / "report" / "scnetflow_report.html", outdir / "multiqc" / "multiqc_report.html"]
    files += [outdir / "pipeline_info" / n for n in ("samplesheet.valid.csv", "contrasts.valid.csv")]
    return files


@pytest.fixture(scope="module")
def test_run(run_nextflow, tmp_path_factory):
    """One real ``-profile test`` run, then the same command with ``-resume``."""
    base = tmp_path_factory.mktemp("test_profile")
    outdir = base / "results"
    args = ["run", str(MAIN), "-profile", "test", "--outdir", str(outdir)]
    t0 = time.monotonic()
    first = run_nextflow(args, base / "launch", timeout=1500).check()
    elapsed = time.monotonic() - t0
    first_trace = trace_rows(outdir)
    time.sleep(1.1)  # run reports are named by the second they start
    second = run_nextflow([*args, "-resume"], base / "launch", timeout=600).check()
    return {"outdir": outdir, "first": first, "elapsed": elapsed, "first_trace": first_trace,
            "second": second, "second_trace": trace_rows(outdir)}


def test_every_process_ran_and_succeeded(test_run):
    rows = test_run["first_trace"]
    counts: dict[str, int] = {}
    for row in rows:
        assert row["status"] == "COMPLETED", row
        name = row["process"].split(":")[-1]
        counts[name] = counts.get(name, 0) + 1
    assert counts == PROCESSES


def test_published_files_per_sample(test_run):
    outdir = test_run["outdir"]
    missing = [str(p.relative_to(outdir)) for p in expected_files(outdir) if not p.is_file()]
    assert not missing, missing
    assert not list(outdir.rglob("versions.yml")), "versions.yml must not be published"


def test_published_content(test_run):
    import anndata as ad

    outdir = test_run["outdir"]
    for s in SAMPLES:
        a = ad.read_h5ad(outdir / s / "train" / f"{s}.scnet.h5ad", backed="r")
        assert a.obsm["X_scnet"].shape[0] == a.n_obs > 100
        assert a.uns["sample"]["condition"] == s
        with (outdir / s / "train" / f"{s}.history.tsv").open() as fh:
            assert len(list(csv.DictReader(fh, delimiter="\t"))) == 4  # epochs in conf/test.config
        qc = json.loads((outdir / s / "qc" / f"{s}.qc.json").read_text())
        assert qc
    # the unlabelled sample: clusters counted, no ARI (issue 14)
    mix = json.loads((outdir / "MIX" / "cluster-eval" / "MIX.cluster_eval.json").read_text())
    assert mix["label_key"] is None and "max_ari" not in mix["representations"]["X_scnet"]
    assert json.loads((outdir / "MIX" / "qc" / "MIX.qc.json").read_text())["cells_before"] == 200  # genes x cells CSV
    # ... and its GSEA groups are cluster-eval's clusters, computed once (issue 15)
    with (outdir / "MIX" / "cluster-eval" / "MIX.clusters.tsv").open() as fh:
        clusters = {row["scnet_leiden"] for row in csv.DictReader(fh, delimiter="\t")}
    with (outdir / "MIX" / "gsea" / "MIX.gsea_celltype.tsv").open() as fh:
        groups = {row["group"] for row in csv.DictReader(fh, delimiter="\t")}
    assert groups and groups <= clusters
    with (outdir / PAIR / "diffnet" / f"{PAIR}.diffnet_genes.tsv").open() as fh:
        assert len(list(csv.DictReader(fh, delimiter="\t"))) > 10
    html = (outdir / "report" / "scnetflow_report.html").read_text()
    assert "CTRL" in html and "STIM" in html


def test_pipeline_info(test_run):
    info = test_run["outdir"] / "pipeline_info"
    for pattern in ("execution_report_*.html", "execution_timeline_*.html", "execution_trace_*.txt", "pipeline_dag_*.html"):
        assert len(list(info.glob(pattern))) == 2, pattern  # first run and -resume
    # every task's tools, from the modules' eval outputs on the versions topic, collated once
    import yaml

    versions = yaml.safe_load((info / "scnetflow_software_mqc_versions.yml").read_text())
    assert set(versions) == set(PROCESSES) - {"REPORT", "MULTIQC"}  # those two read the collated file
    assert {"scnetflow", "python", "torch", "torch_geometric"} <= set(versions["TRAIN"])
    assert "gseapy" in versions["GSEA"] and all(v and v != "null" for t in versions.values() for v in t.values())
    header = next(iter(test_run["first_trace"]))
    for field in ("name", "status", "hash", "exit", "duration", "peak_rss"):
        assert field in header


def test_resume_reuses_every_task(test_run):
    first, second = test_run["first_trace"], test_run["second_trace"]
    assert len(second) == len(first) == sum(PROCESSES.values())
    not_cached = [row["name"] for row in second if row["status"] != "CACHED"]
    assert not not_cached, f"re-ran on -resume: {not_cached}"
    assert {row["hash"] for row in second} == {row["hash"] for row in first}


def test_runs_within_ten_minutes(test_run):
    assert test_run["elapsed"] < 600, f"-profile test took {test_run['elapsed']:.0f} s"


def test_stub_run(run_nextflow, tmp_path):
    outdir = tmp_path / "results"
    run_nextflow(["run", str(MAIN), "-profile", "test", "-stub-run", "--outdir", str(outdir)], tmp_path / "launch").check()
    missing = [str(p.relative_to(outdir)) for p in expected_files(outdir) if not p.is_file()]
    assert not missing, missing
    rows = trace_rows(outdir)
    assert len(rows) == sum(PROCESSES.values())
    assert all(row["status"] == "COMPLETED" for row in rows)
