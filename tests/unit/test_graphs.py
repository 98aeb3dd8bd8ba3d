"""scnetflow.graphs: the PPI, species checks, and model inputs on real data."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from scnetflow.errors import InputError
from scnetflow.graphs import GraphsParams, build_model_inputs, read_ppi
from scnetflow.qc import QCParams, run_qc

from tests.conftest import TEST_DATA


@pytest.fixture(scope="module")
def default_ppi():
    return read_ppi()


@pytest.fixture(scope="module")
def kang_qc():
    out, _ = run_qc(ad.read_h5ad(TEST_DATA / "kang_ctrl.h5ad"), QCParams(min_genes=50))
    return out


def test_default_ppi_matches_the_paper(default_ppi):
    genes = pd.unique(default_ppi[["gene_a", "gene_b"]].to_numpy().ravel())
    assert len(genes) == 14136  # METHOD.md: 14,136 genes at score >= 0.5
    assert len(default_ppi) == 111770  # 111,786 rows, 111,770 unique undirected pairs
    assert (default_ppi["score"] >= 0.5).all()


def test_cellbench_model_genes_match_reference(shared_data, default_ppi):
    a = ad.read_h5ad(shared_data / "cellbench" / "cellbench_10x_3cl_cepo_subset.h5ad")
    q, _ = run_qc(a)
    g, summary = build_model_inputs(q, default_ppi)
    # the authors' package trains on 165 genes and 148 PPI edges on this subset
    assert summary["model_genes"] == 165 and summary["model_edges"] == 148
    A = g.varp["ppi"]
    assert (A != A.T).nnz == 0 and A.diagonal().sum() == 0
    assert (np.asarray(A.sum(axis=1)).ravel() > 0).all()  # every model gene has an edge


def test_hvg_mode_is_a_subset(kang_qc, default_ppi):
    full, _ = build_model_inputs(kang_qc, default_ppi)
    hvg, _ = build_model_inputs(kang_qc, default_ppi, GraphsParams(model_genes="hvg", min_model_genes=10))
    assert set(hvg.var_names) < set(full.var_names)
    assert hvg.var["highly_variable"].all()


def test_species_mismatch_names_the_cause(kang_qc, default_ppi):
    with pytest.raises(InputError, match=r"only \d+ expressed genes .* likely cause: the genes look human-cased"):
        build_model_inputs(kang_qc, default_ppi, GraphsParams(species="mouse"))
    mouse = kang_qc.copy()
    mouse.var_names = [g[:1] + g[1:].lower() for g in mouse.var_names]
    with pytest.raises(InputError, match="genes look mouse-cased"):
        build_model_inputs(mouse, default_ppi, GraphsParams(species="human"))
    g, _ = build_model_inputs(mouse, default_ppi, GraphsParams(species="mouse"))
    assert g.n_vars > 500


def test_user_table_two_columns(tmp_path, kang_qc, default_ppi):
    p = tmp_path / "edges.tsv"
    default_ppi[["gene_a", "gene_b"]].rename(columns={"gene_a": "a", "gene_b": "b"}).to_csv(p, sep="\t", index=False)
    table = read_ppi(p, min_score=0.9)
    assert (table["score"] == 1).all() and len(table) == len(default_ppi)


def test_missing_ppi_file(tmp_path):
    with pytest.raises(InputError, match="PPI file not found"):
        read_ppi(tmp_path / "nope.csv")
