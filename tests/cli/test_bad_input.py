"""Issue 14: bad or unusual input through the step CLIs, one test per reported problem.

Each failure asserts the one ``Error:`` line (file, what, what to do), the exit status and an output
directory that does not exist; each warning asserts the warning line and the corrected result.
Data: the bundled ``tests/data`` files and subsets of them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import anndata as ad
import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from scnetflow.cli import Interrupted, common_options, main, staged_outputs

from tests.conftest import TEST_DATA

PPI = TEST_DATA / "ppi_subset.csv.gz"
FAST_QC = ["--min-genes", 20, "--n-neighbors", 10]


def run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


def error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output, result.output
    return lines[0]


def assert_fails(result, *messages, exit_code=1, outdir=None):
    assert result.exit_code == exit_code, result.output
    line = error_line(result)
    for m in messages:
        assert m in line, line
    if outdir is not None:
        assert not outdir.exists(), list(outdir.rglob("*"))


@pytest.fixture(scope="module")
def kang():
    return ad.read_h5ad(TEST_DATA / "kang_ctrl.h5ad")


@pytest.fixture(scope="module")
def qc_h5ad(tmp_path_factory):
    d = tmp_path_factory.mktemp("qc")
    r = run(["qc", TEST_DATA / "kang_ctrl.h5ad", "--outdir", d, "--min-genes", 50, "--label-key", "cell_type",
             "--condition", "CTRL"])
    assert r.exit_code == 0, r.output
    return d / "kang_ctrl.qc.h5ad"


@pytest.fixture(scope="module")
def graphs_h5ad(qc_h5ad, tmp_path_factory):
    d = tmp_path_factory.mktemp("graphs")
    r = run(["graphs", qc_h5ad, "--outdir", d, "--ppi", PPI, "--model-genes", "hvg", "--min-model-genes", 10])
    assert r.exit_code == 0, r.output
    return d / "kang_ctrl.graphs.h5ad"


# 1. gene x cell tables with symbols (the GEO layout), with and without a header --------------------

def _geo_table(kang, path, **kw):
    sub = kang[:120]
    df = pd.DataFrame(sub.X.toarray().astype(int).T, index=sub.var_names, columns=sub.obs_names)
    df.to_csv(path, **kw)
    return path


def test_genes_x_cells_symbols_table_is_read_as_cells_x_genes(kang, tmp_path):
    p = _geo_table(kang, tmp_path / "geo.csv.gz")
    out = tmp_path / "out"
    r = run(["qc", p, "--outdir", out, *FAST_QC])
    assert r.exit_code == 0, r.output
    assert "genes in rows (decided from the labels" in r.output
    summary = json.loads((out / "geo.qc.json").read_text())
    assert summary["cells_before"] == 120 and summary["genes_before"] == 2004


def test_genes_x_cells_table_without_header(kang, tmp_path):
    p = _geo_table(kang, tmp_path / "geo.tsv", sep="\t", header=False)
    out = tmp_path / "out"
    assert_fails(run(["qc", p, "--outdir", out, *FAST_QC]), str(p), "no header line; add one", outdir=out)


def test_undecidable_orientation_asks_for_the_option(kang, tmp_path):
    sub = kang[:120]
    df = pd.DataFrame(sub.X.toarray().astype(int).T, index=[f"f{i}" for i in range(sub.n_vars)],
                      columns=[f"s{i}" for i in range(sub.n_obs)])
    p = tmp_path / "anon.csv"
    df.to_csv(p)
    out = tmp_path / "out"
    assert_fails(run(["qc", p, "--outdir", out, *FAST_QC]), str(p), "cannot tell whether rows or columns are genes",
                 "pass --genes-in-rows or --cells-in-rows", outdir=out)
    r = run(["qc", p, "--outdir", out, "--genes-in-rows", *FAST_QC])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "anon.qc.json").read_text())["cells_before"] == 120


# 2. unlabelled samples in cluster-eval ---------------------------------------------------------------

def _scnet_with(downstream, tmp_path, label_key=None, obs=None):
    a = downstream["stim"]["adata"]
    if label_key is not None:
        a.uns["sample"]["label_key"] = label_key
    for k, v in (obs or {}).items():
        a.obs[k] = v
    p = tmp_path / "s.scnet.h5ad"
    a.write_h5ad(p)
    return p


def test_cluster_eval_unlabelled_sample_from_qc(downstream, tmp_path):
    p = _scnet_with(downstream, tmp_path, label_key="")  # what qc records without --label-key
    out = tmp_path / "out"
    r = run(["cluster-eval", p, "--outdir", out, "--resolutions", 0.5])
    assert r.exit_code == 0, r.output
    assert "cluster-eval: no labels" in r.output
    table = pd.read_csv(out / "s.cluster_eval.tsv", sep="\t")
    assert table["ari"].isna().all() and (table["n_clusters"] > 1).all()
    assert json.loads((out / "s.cluster_eval.json").read_text())["label_key"] is None


def test_cluster_eval_label_key_none(downstream, tmp_path):
    out = tmp_path / "out"
    r = run(["cluster-eval", downstream["stim"]["paths"]["scnet"], "--outdir", out, "--label-key", "none",
             "--resolutions", 0.5])
    assert r.exit_code == 0, r.output
    assert pd.read_csv(out / "kang_stim.cluster_eval.tsv", sep="\t")["ari"].isna().all()


def test_cluster_eval_one_label_warns_and_leaves_ari_empty(downstream, tmp_path):
    p = _scnet_with(downstream, tmp_path, obs={"batch": "b1"})
    out = tmp_path / "out"
    r = run(["cluster-eval", p, "--outdir", out, "--label-key", "batch", "--resolutions", 0.5])
    assert r.exit_code == 0, r.output
    assert "label column 'batch' has 1 distinct label(s) over 300 cells; ARI/NMI need at least 2" in r.output
    assert pd.read_csv(out / "s.cluster_eval.tsv", sep="\t")["ari"].isna().all()
    assert "max_ari" not in json.loads((out / "s.cluster_eval.json").read_text())["representations"]["X_scnet"]


# 3. one PPI reader: graphs and evaluate-network accept and refuse the same tables ------------------

def _bad_score_ppi(tmp_path):
    p = tmp_path / "ppi.csv"
    p.write_text(",g1_symbol,g2_symbol,conn\n0,STAT1,IRF7,0.9\n1,STAT1,MX1,high\n")
    return p


def test_graphs_non_numeric_ppi_score(qc_h5ad, tmp_path):
    ppi = _bad_score_ppi(tmp_path)
    out = tmp_path / "out"
    assert_fails(run(["graphs", qc_h5ad, "--outdir", out, "--ppi", ppi]), f"{ppi}: line 3, column 'conn': score "
                 "'high' is not a number (1 such rows); fix or remove them", outdir=out)


def test_evaluate_network_same_ppi_message(tmp_path):
    ppi = _bad_score_ppi(tmp_path)
    edges = tmp_path / "x.coembed_edges.tsv"
    edges.write_text("gene_a\tgene_b\tweight\nSTAT1\tIRF7\t0.9\n")
    out = tmp_path / "out"
    assert_fails(run(["evaluate-network", edges, edges, "--outdir", out, "--ppi", ppi]),
                 f"{ppi}: line 3, column 'conn': score 'high' is not a number", outdir=out)


def test_ppi_edge_list_accepted_by_graphs_and_evaluate_network(qc_h5ad, tmp_path):
    """A gene_a/gene_b/weight CSV: graphs read it and evaluate-network refused it before."""
    table = pd.read_csv(PPI, index_col=0).rename(columns={"g1_symbol": "gene_a", "g2_symbol": "gene_b",
                                                          "conn": "weight"})
    ppi = tmp_path / "edges.csv"
    table.to_csv(ppi, index=False)
    out = tmp_path / "g"
    r = run(["graphs", qc_h5ad, "--outdir", out, "--ppi", ppi, "--model-genes", "hvg", "--min-model-genes", 10])
    assert r.exit_code == 0, r.output
    from scnetflow.networks import load_ppi

    assert len(load_ppi(ppi)) == json.loads((out / "kang_ctrl.graphs.json").read_text())["ppi_edges"] == 2539


# 4. genes lost without a word: mixed case, duplicated names ----------------------------------------

def test_mixed_case_symbols_match_the_ppi(qc_h5ad, tmp_path):
    ref = tmp_path / "ref"
    assert run(["graphs", qc_h5ad, "--outdir", ref, "--ppi", PPI]).exit_code == 0
    expected = json.loads((ref / "kang_ctrl.graphs.json").read_text())["model_genes"]
    a = ad.read_h5ad(qc_h5ad)
    a.var_names = [g[:1] + g[1:].lower() if i % 2 else g for i, g in enumerate(a.var_names)]  # Hes4, ISG15, Agrn...
    p = tmp_path / "mixed.qc.h5ad"
    a.write_h5ad(p)
    out = tmp_path / "out"
    r = run(["graphs", p, "--outdir", out, "--ppi", PPI])
    assert r.exit_code == 0, r.output
    assert "genes (" in r.output and "match the PPI only ignoring case" in r.output
    got = json.loads((out / "mixed.graphs.json").read_text())
    # the numbers: 990 model genes, 422 when half the symbols are mouse-cased and matched exactly
    assert got["model_genes"] == expected == 990 and got["genes_matched_ignoring_case"] > 400
    g = ad.read_h5ad(out / "mixed.graphs.h5ad")
    assert set(g.var_names) == set(ad.read_h5ad(ref / "kang_ctrl.graphs.h5ad").var_names)  # the PPI's symbols


def test_duplicate_gene_names_are_merged(kang, tmp_path):
    a = kang.copy()
    names = list(a.var_names)
    names[1] = names[0]  # ISG15 -> a second HES4
    a.var_names = names
    p = tmp_path / "dup.h5ad"
    a.write_h5ad(p)
    out = tmp_path / "out"
    r = run(["qc", p, "--outdir", out, *FAST_QC])
    assert r.exit_code == 0, r.output
    assert "1 gene names occur more than once (2 columns, e.g. 'HES4'); merged them by summing their counts" in r.output
    q = ad.read_h5ad(out / "dup.qc.h5ad")
    assert "HES4-1" not in q.var_names and "HES4" in q.var_names
    counts = q[:, "HES4"].layers["counts"].toarray().ravel()
    expected = np.asarray(kang[q.obs_names, :2].X.sum(axis=1)).ravel()
    np.testing.assert_array_equal(counts, expected)


# 5. tracebacks and wrong advice -------------------------------------------------------------------

@pytest.mark.parametrize("step", ["graphs", "train", "cluster-eval"])
def test_truncated_h5ad(graphs_h5ad, tmp_path, step):
    data = graphs_h5ad.read_bytes()
    p = tmp_path / "cut.h5ad"
    p.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    assert_fails(run([step, p, "--outdir", out]), f"{p}: cannot read as", "rerun the step that wrote it", outdir=out)


def test_graphs_refuses_a_raw_sample(tmp_path):
    out = tmp_path / "out"
    assert_fails(run(["graphs", TEST_DATA / "kang_ctrl.h5ad", "--outdir", out, "--ppi", PPI]),
                 "not an output of the qc step (no uns['qc']); run scnetflow qc", outdir=out)


def test_two_column_features_tsv(kang, tmp_path):
    import gzip

    import scipy.io
    import scipy.sparse as sp

    d = tmp_path / "filtered_feature_bc_matrix"
    d.mkdir()
    sub = kang[:150]
    with gzip.open(d / "matrix.mtx.gz", "wb") as f:
        scipy.io.mmwrite(f, sp.csr_matrix(sub.X.T))
    pd.DataFrame({"id": [f"ENSG{i:011d}" for i in range(sub.n_vars)], "name": sub.var_names}).to_csv(
        d / "features.tsv.gz", sep="\t", header=False, index=False)
    pd.Series(sub.obs_names).to_csv(d / "barcodes.tsv.gz", sep="\t", header=False, index=False)
    out = tmp_path / "out"
    r = run(["qc", d, "--outdir", out, *FAST_QC])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "filtered_feature_bc_matrix.qc.json").read_text())["genes_before"] == 2004


def test_qc_checks_outputs_before_reading(tmp_path):
    """Existing outputs are reported before the (here unreadable) input is even read."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "broken.qc.h5ad").write_text("earlier run")
    p = tmp_path / "broken.h5ad"
    p.write_text("not hdf5")
    assert_fails(run(["qc", p, "--outdir", out]), "output 'broken.qc.h5ad' already exists; use --force")
    assert sorted(x.name for x in out.iterdir()) == ["broken.qc.h5ad"]


def test_outdir_is_a_file(tmp_path):
    f = tmp_path / "results"
    f.write_text("a file")
    assert_fails(run(["qc", TEST_DATA / "kang_ctrl.h5ad", "--outdir", f]), "is a file", exit_code=2)  # click's check
    assert_fails(run(["qc", TEST_DATA / "kang_ctrl.h5ad", "--outdir", f / "qc"]),
                 f"cannot create the output directory: {f} is a file")
    assert f.read_text() == "a file"


def test_seed_file_with_bom(downstream, tmp_path):
    from scnetflow.networks import load_ppi, write_edge_list

    edges = tmp_path / "net.edges.tsv"
    write_edge_list(load_ppi(genes=list(downstream["ctrl"]["emb"].index)), edges)
    seeds = tmp_path / "seeds.txt"
    seeds.write_bytes("\ufeffSTAT1\r\nIrf7\r\n".encode())  # Excel/Notepad: BOM, CRLF; a mouse-cased symbol
    out = tmp_path / "out"
    r = run(["propagate", edges, "--outdir", out, "--seed-file", seeds])
    assert r.exit_code == 0, r.output
    assert "1 seed gene(s) match the network only ignoring case; using 'Irf7' -> 'IRF7'" in r.output
    res = pd.read_csv(out / "net.propagation.tsv", sep="\t")
    assert set(res.loc[res.is_seed, "gene"]) == {"STAT1", "IRF7"}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_leaves_nothing(graphs_h5ad, tmp_path, signum):
    """SIGTERM (SLURM, Nextflow) and SIGINT during training: staged outputs removed, one Error line."""
    out = tmp_path / "results" / "train"
    cmd = [sys.executable, "-m", "scnetflow.cli", "train", str(graphs_h5ad), "--outdir", str(out), "--epochs", "100000",
           "--hidden-dim", "16", "--embedding-dim", "8", "--device", "cpu", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    deadline = time.monotonic() + 120
    while not (out.exists() and list(out.glob(".staging-*"))):  # training has started in the staging dir
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: interrupted by {signal.Signals(signum).name}; nothing was written to {out}"], stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "results").exists()


def test_signal_inside_an_import_is_still_an_interrupt(tmp_path):
    """A signal whose handler runs inside a C extension's module init comes back as ``ImportError`` with the
    interrupt as its cause (CI, stop 21: scipy's ``_highspy`` while sklearn imported mid-training): still 130."""
    out = tmp_path / "results" / "step"

    @click.command()
    @click.option("--outdir")
    @common_options
    def step(outdir):
        with staged_outputs(outdir, ["x.tsv"]) as stage:
            (stage / "x.tsv").write_text("partial")
            try:
                signal.raise_signal(signal.SIGINT)  # the installed handler raises Interrupted here
            except Interrupted as e:
                raise ImportError("initialization failed") from e

    result = CliRunner().invoke(step, ["--outdir", str(out)])
    assert result.exit_code == 130, result.output
    assert error_line(result) == f"Error: interrupted by SIGINT; nothing was written to {out}"
    assert not (tmp_path / "results").exists()


def test_prefix_cannot_leave_the_outdir(tmp_path):
    out = tmp_path / "out"
    assert_fails(run(["qc", TEST_DATA / "kang_ctrl.h5ad", "--outdir", out, "--prefix", "../escape"]),
                 "output name '../escape.qc.h5ad' is not a plain file name; use a --prefix without '/'", outdir=out)
    assert not list(tmp_path.glob("escape*"))
