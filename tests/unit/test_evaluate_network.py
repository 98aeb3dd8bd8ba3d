import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from scnetflow.coembed import CoembedParams, coembed
from scnetflow.errors import InputError
from scnetflow.genesets import read_gmt
from scnetflow.evaluate_network import (
    EvaluateNetworkParams,
    auroc_aupr,
    degree_preserving_randomisations,
    disease_zscores,
    evaluate_networks,
    pathway_reconstruction,
)
from scnetflow.networks import edges_to_adjacency, load_ppi

@pytest.fixture
def ppi_edges(downstream):
    genes = list(downstream["ctrl"]["emb"].index)
    return load_ppi(genes=genes)


def test_auroc_aupr_matches_sklearn():
    rng = np.random.default_rng(1)
    s = np.round(rng.random(500), 2)  # ties
    y = rng.random(500) < 0.1
    auroc, ap = auroc_aupr(s, y)
    assert auroc == pytest.approx(roc_auc_score(y, s))
    assert ap == pytest.approx(average_precision_score(y, s))


def test_randomisations_preserve_degrees(ppi_edges):
    W, _ = edges_to_adjacency(ppi_edges, weighted=False)
    deg = np.asarray(W.sum(axis=1)).ravel()
    rand = degree_preserving_randomisations(ppi_edges, n_random=2, seed=0)
    for A in rand:
        np.testing.assert_array_equal(np.asarray(A.sum(axis=1)).ravel(), deg)
        assert (A != W).nnz > 0
        assert A.diagonal().sum() == 0


def test_pathway_reconstruction_and_disease_z(ppi_edges, shared_data):
    sets = read_gmt("reactome")
    pw = pathway_reconstruction(ppi_edges, sets, min_size=10, n_splits=2, seed=0)
    assert set(pw["split"]) == {0, 1}
    assert pw["auroc"].between(0, 1).all()
    assert (pw["n_seeds"] == (pw["n_genes"] * 2 / 3).round()).all()
    # the PPI carries pathway structure: better than random ranking
    assert pw["auroc"].mean() > 0.6 and (pw["aupr"] > pw["aupr_baseline"]).mean() > 0.6
    again = pathway_reconstruction(ppi_edges, sets, min_size=10, n_splits=2, seed=0)
    pd.testing.assert_frame_equal(pw, again)
    disease = read_gmt(shared_data / "disease_genes" / "disgenet_curated_disease_genes_min5.gmt.gz")
    per_set, summary = disease_zscores(ppi_edges, disease, n_random=3, min_size=10, seed=0)
    assert summary["n_random"] == 3 and summary["n_sets"] == len(per_set) > 0
    assert np.isfinite(summary["auroc_z"])


def test_pathway_reconstruction_no_sets(ppi_edges):
    with pytest.raises(InputError, match="no gene set has >= 30 genes"):
        pathway_reconstruction(ppi_edges, {"tiny": ["STAT1", "IRF7"]})


def test_evaluate_networks_three_networks(downstream):
    d = downstream["ctrl"]
    co, cx = coembed(d["emb"], d["adata"], CoembedParams(percentiles=(99.0,)))
    ppi = load_ppi(genes=list(d["emb"].index))
    sets = read_gmt("reactome")
    pw, dz, summary = evaluate_networks(
        {"coembed": co.edges, "ppi": ppi, "coexpr": cx.edges}, sets, sets, EvaluateNetworkParams(min_size=10, n_splits=1, n_random=2)
    )
    assert set(pw["network"]) == {"coembed", "ppi", "coexpr"}
    assert set(summary["networks"]) == {"coembed", "ppi", "coexpr"}
    assert "aupr_mean" in summary["networks"]["ppi"]["pathways"]
    assert "auroc_z" in summary["networks"]["coembed"]["disease"]


def test_evaluate_networks_skips_network_without_sets(ppi_edges):
    tiny = ppi_edges.head(3)
    sets = read_gmt("reactome")
    pw, _, summary = evaluate_networks({"tiny": tiny, "ppi": ppi_edges}, sets, params=EvaluateNetworkParams(min_size=10, n_splits=1))
    assert set(pw["network"]) == {"ppi"} and summary["networks"]["tiny"]["pathways"]["n_sets"] == 0
    with pytest.raises(InputError, match="no pathway gene set has >= 10 genes in any network"):
        evaluate_networks({"tiny": tiny}, sets, params=EvaluateNetworkParams(min_size=10))
