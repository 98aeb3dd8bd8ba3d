"""scnetflow.qc on the bundled Kang subset."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pytest

from scnetflow.errors import InputError
from scnetflow.qc import QCParams, run_qc

from tests.conftest import TEST_DATA


@pytest.fixture(scope="module")
def kang():
    return ad.read_h5ad(TEST_DATA / "kang_ctrl.h5ad")


def test_qc_outputs(kang):
    before = kang.X.copy()
    out, summary = run_qc(kang, QCParams(min_genes=50))
    assert (kang.X != before).nnz == 0  # input untouched
    assert summary["cells_before"] == 300 and summary["cells_after"] == out.n_obs
    assert out.layers["counts"].max() > 20  # raw counts kept
    totals = np.expm1(out.X.toarray()).sum(axis=1)
    np.testing.assert_allclose(totals, 1e4, rtol=1e-3)  # normalize_total(1e4) + log1p
    assert out.obsm["X_pca"].shape == (out.n_obs, 15)
    conn = out.obsp["connectivities"]
    assert (abs(conn - conn.T) > 1e-6).nnz == 0  # symmetrised
    assert 2 <= out.var["highly_variable"].sum() <= 3000


def test_hvg_cap(kang):
    out, _ = run_qc(kang, QCParams(min_genes=50, max_hvgs=100))
    assert out.var["highly_variable"].sum() == 100


def test_too_few_cells(kang):
    with pytest.raises(InputError, match=r"only 30 of 30 cells pass QC .* --n-neighbors=30"):
        run_qc(kang[:30].copy(), QCParams(min_genes=50, n_neighbors=30))


def test_empty_after_qc(kang):
    with pytest.raises(InputError, match="no data left after QC"):
        run_qc(kang, QCParams(min_genes=100000))
