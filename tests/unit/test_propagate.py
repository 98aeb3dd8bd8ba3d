import numpy as np
import pytest
import scipy.sparse as sp

from scnetflow.errors import InputError
from scnetflow.networks import edges_to_adjacency, load_ppi, normalize_adjacency, rwr
from scnetflow.propagate import PropagateParams, propagate

@pytest.fixture
def ppi_edges(downstream):
    genes = list(downstream["ctrl"]["emb"].index)
    return load_ppi(genes=genes)


def test_rwr_fixed_point_and_methods_agree(ppi_edges):
    W, genes = edges_to_adjacency(ppi_edges)
    Wn = normalize_adjacency(W)
    rng = np.random.default_rng(0)
    F0 = (rng.random((len(genes), 5)) < 0.02).astype(np.float32)
    Fc = rwr(Wn, F0, alpha=0.9, tol=1e-7)
    Fp = rwr(Wn, F0, alpha=0.9, tol=1e-7, method="power")
    np.testing.assert_allclose(Fc, Fp, atol=1e-5)
    # closed form: (I - a W') F = (1 - a) F0
    A = sp.identity(len(genes)) - 0.9 * Wn.astype(np.float64)
    exact = sp.linalg.spsolve(A.tocsc(), 0.1 * F0[:, 0].astype(np.float64))
    np.testing.assert_allclose(Fc[:, 0], exact, atol=1e-5)


def test_propagate_ranks_seeds_and_neighbours(ppi_edges):
    res = propagate(ppi_edges, ["STAT1"])
    assert list(res.columns) == ["gene", "score", "rank", "is_seed"]
    assert res["score"].is_monotonic_decreasing
    assert res["rank"].tolist() == list(range(1, len(res) + 1))
    top = set(res["gene"].head(10))
    neighbours = set(ppi_edges.loc[ppi_edges.gene_a == "STAT1", "gene_b"]) | set(
        ppi_edges.loc[ppi_edges.gene_b == "STAT1", "gene_a"]
    )
    assert "STAT1" in top and top & neighbours
    assert res.loc[res.gene == "STAT1", "is_seed"].item()


def test_seed_absent_from_network(ppi_edges):
    with pytest.raises(InputError, match=r"seed gene\(s\) \['NOTAGENE'\] not in the network"):
        propagate(ppi_edges, ["STAT1", "NOTAGENE"])
    res = propagate(ppi_edges, ["STAT1", "NOTAGENE"], PropagateParams(ignore_missing=True))
    assert res["is_seed"].sum() == 1
