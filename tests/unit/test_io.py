"""scnetflow.io on real data: formats, Ensembl mapping, and value checks."""

from __future__ import annotations

import gzip

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.io
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.io import check_values, detect_format, map_ensembl_to_symbols, read_counts

from tests.conftest import TEST_DATA


@pytest.fixture(scope="module")
def kang():
    return ad.read_h5ad(TEST_DATA / "kang_ctrl.h5ad")


def test_h5ad_prefers_counts_layer(kang, tmp_path):
    a = kang.copy()
    a.layers["counts"] = a.X.copy()
    a.X = a.X.multiply(0.5).tocsr()
    a.write_h5ad(tmp_path / "x.h5ad")
    back = read_counts(tmp_path / "x.h5ad")
    assert back.shape == kang.shape
    assert (back.X != kang.X).nnz == 0
    assert not back.layers


def test_csv_and_mtx_roundtrip(kang, tmp_path):
    sub = kang[:50, :100]
    df = pd.DataFrame(sub.X.toarray(), index=sub.obs_names, columns=sub.var_names)
    df.to_csv(tmp_path / "s.csv.gz")
    a = read_counts(tmp_path / "s.csv.gz")
    np.testing.assert_array_equal(a.X.toarray(), df.to_numpy())
    assert list(a.var_names) == list(sub.var_names)
    d = tmp_path / "mtx"
    d.mkdir()
    with gzip.open(d / "matrix.mtx.gz", "wb") as f:
        scipy.io.mmwrite(f, sp.csr_matrix(sub.X.T))
    pd.DataFrame({"id": sub.var_names, "name": sub.var_names, "t": "Gene Expression"}).to_csv(
        d / "features.tsv.gz", sep="\t", header=False, index=False)
    pd.Series(sub.obs_names).to_csv(d / "barcodes.tsv.gz", sep="\t", header=False, index=False)
    m = read_counts(d)
    assert detect_format(d) == "mtx"
    np.testing.assert_array_equal(m.X.toarray(), df.to_numpy())


def test_ensembl_genes_in_rows_are_mapped(shared_data):
    a = read_counts(shared_data / "cellbench" / "sc_dropseq.count.csv.gz")
    assert a.n_obs == 225 and a.n_vars == 15127  # genes x cells, transposed by the Ensembl guess
    m = map_ensembl_to_symbols(a)
    assert "GAPDH" in m.var_names and m.var["gene_id"].str.startswith("ENSG").all()
    assert m.n_vars > 0.95 * a.n_vars


def test_unmappable_ensembl_ids(kang):
    a = kang[:, :20].copy()
    a.var_names = [f"ENSG{90000000000 + i:011d}" for i in range(20)]
    with pytest.raises(InputError, match="none of the 20 Ensembl IDs"):
        map_ensembl_to_symbols(a)


@pytest.mark.parametrize(("change", "message"), [
    (lambda x: x.__setitem__((0, 0), np.nan), "NaN or infinite"),
    (lambda x: x.__setitem__((0, 0), -1.0), "negative values"),
    (lambda x: x.__setitem__((0, 0), 0.5), "non-integer values"),
])
def test_value_checks(kang, change, message):
    X = kang.X[:20].toarray()
    change(X)
    with pytest.raises(InputError, match=message):
        check_values(ad.AnnData(X))


def test_normalized_input_allowed_when_declared(kang):
    X = np.log1p(kang.X[:20].toarray() / 3)
    check_values(ad.AnnData(X), input_normalized=True)


def test_unknown_format(tmp_path):
    p = tmp_path / "x.loom"
    p.write_text("x")
    with pytest.raises(InputError, match="unknown input format"):
        read_counts(p)
