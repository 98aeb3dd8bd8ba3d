"""qc -> graphs -> train through the CLI on bundled data, and every bad-input class of the core steps."""

from __future__ import annotations

import json

import anndata as ad
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from scnetflow.cli import main

from tests.conftest import TEST_DATA

PPI = str(TEST_DATA / "ppi_subset.csv.gz")


def run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    d = tmp_path_factory.mktemp("chain")
    r = run(["qc", TEST_DATA / "kang_ctrl.h5ad", "--outdir", d / "qc", "--min-genes", 50, "--label-key", "cell_type",
             "--condition", "CTRL"])
    assert r.exit_code == 0, r.output
    r = run(["graphs", d / "qc" / "kang_ctrl.qc.h5ad", "--outdir", d / "graphs", "--ppi", PPI, "--model-genes", "hvg",
             "--min-model-genes", 10])
    assert r.exit_code == 0, r.output
    r = run(["train", d / "graphs" / "kang_ctrl.graphs.h5ad", "--outdir", d / "train", "--epochs", 4, "--eval-every", 2,
             "--hidden-dim", 32, "--embedding-dim", 8, "--device", "cpu", "--precision", "fp32"])
    assert r.exit_code == 0, r.output
    return d


def test_chain_outputs(chain):
    qc = json.loads((chain / "qc" / "kang_ctrl.qc.json").read_text())
    assert qc["cells_before"] == 300 and qc["genes_before"] == 2004
    g = json.loads((chain / "graphs" / "kang_ctrl.graphs.json").read_text())
    assert g["model_genes"] > 10
    t = chain / "train"
    a = ad.read_h5ad(t / "kang_ctrl.scnet.h5ad")
    assert a.obsm["X_scnet"].shape == (300, 8) and "scnet_connectivities" in a.obsp
    assert a.uns["sample"]["condition"] == "CTRL" and "cell_type" in a.obs
    emb = pd.read_csv(t / "kang_ctrl.gene_embeddings.tsv", sep="\t", index_col="gene")
    assert list(emb.columns) == [f"scnet_{i}" for i in range(8)] and len(emb) == g["model_genes"]
    rec = ad.read_h5ad(t / "kang_ctrl.reconstructed.h5ad")
    assert rec.shape == (300, g["model_genes"])
    h = pd.read_csv(t / "kang_ctrl.history.tsv", sep="\t")
    assert len(h) == 4 and h["val_auroc"].notna().sum() == 2
    summary = json.loads((t / "kang_ctrl.train.json").read_text())
    assert summary["device"] == "cpu" and "attention_histogram" in summary
    assert not list(t.glob(".staging-*"))


def test_refuses_to_overwrite(chain):
    r = run(["qc", TEST_DATA / "kang_ctrl.h5ad", "--outdir", chain / "qc", "--min-genes", 50])
    assert r.exit_code == 1 and "already exists; use --force" in r.output


def _bad(tmp_path, adata):
    p = tmp_path / "bad.h5ad"
    adata.write_h5ad(p)
    return p


@pytest.fixture(scope="module")
def kang():
    return ad.read_h5ad(TEST_DATA / "kang_ctrl.h5ad")


def _nan(a):
    a.X = a.X.toarray()
    a.X[3, 5] = np.nan
    return a


def _norm(a):
    a.X = np.log1p(a.X.toarray())
    return a


def _ensembl(a):
    a.var_names = [f"ENSG{90000000000 + i:011d}" for i in range(a.n_vars)]
    return a


@pytest.mark.parametrize(("make", "extra", "message"), [
    (_nan, [], "X has 1 NaN or infinite values; remove or impute them"),
    (_norm, [], "non-integer values, so it looks normalised; pass raw counts, or --input-normalized"),
    (_ensembl, [], "none of the 2004 Ensembl IDs"),
    (lambda a: a[:20].copy(), ["--min-genes", 50], "only 20 of 20 cells pass QC"),
    (lambda a: a, ["--min-genes", 100000], "no data left after QC"),
    (lambda a: a, ["--label-key", "celltype"], "label column 'celltype' not in obs"),
])
def test_qc_bad_input(tmp_path, kang, make, extra, message):
    p = _bad(tmp_path, make(kang.copy()))
    out = tmp_path / "out"
    r = run(["qc", p, "--outdir", out, *extra])
    assert r.exit_code == 1
    errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0] and str(p) in errors[0]
    assert not out.exists()


def test_missing_and_unreadable(tmp_path):
    r = run(["qc", tmp_path / "nope.h5ad", "--outdir", tmp_path / "o"])
    assert r.exit_code == 2 and "does not exist" in r.output
    p = tmp_path / "broken.h5ad"
    p.write_text("not hdf5")
    r = run(["qc", p, "--outdir", tmp_path / "o"])
    assert r.exit_code == 1 and "cannot read as h5ad" in r.output and not (tmp_path / "o").exists()


def test_graphs_species_mismatch(chain, tmp_path):
    out = tmp_path / "g"
    r = run(["graphs", chain / "qc" / "kang_ctrl.qc.h5ad", "--outdir", out, "--species", "mouse"])
    assert r.exit_code == 1
    assert "with --species mouse; likely cause: the genes look human-cased" in r.output
    assert not out.exists()


def test_train_on_qc_output_is_refused(chain, tmp_path):
    out = tmp_path / "t"
    r = run(["train", chain / "qc" / "kang_ctrl.qc.h5ad", "--outdir", out, "--epochs", 1])
    assert r.exit_code == 1 and "varp['ppi'] is missing; run the graphs step first" in r.output
    assert not out.exists()
