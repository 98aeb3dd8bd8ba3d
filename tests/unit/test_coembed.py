import numpy as np
import pandas as pd
import pytest

from scnetflow.coembed import CoembedParams, coembed, read_gene_embeddings, to_graphml
from scnetflow.errors import InputError
from scnetflow.networks import abs_coexpression, abs_correlation, threshold_edges, upper_triangle_percentiles


def test_abs_correlation_matches_numpy(downstream):
    emb = downstream["ctrl"]["emb"].iloc[:50]
    C = abs_correlation(emb.to_numpy())
    ref = np.abs(np.corrcoef(emb.to_numpy().astype(np.float64)))
    np.fill_diagonal(ref, 0)
    assert C.dtype == np.float32
    np.testing.assert_allclose(C, ref, atol=1e-5)


def test_abs_coexpression_sparse_matches_numpy(downstream):
    a = downstream["ctrl"]["adata"][:, :40]
    C = abs_coexpression(a.X, chunk_size=64)  # several chunks
    ref = np.abs(np.corrcoef(a.X.toarray().T.astype(np.float64)))
    ref[np.isnan(ref)] = 0
    np.fill_diagonal(ref, 0)
    np.testing.assert_allclose(C, ref, atol=1e-4)


def test_percentile_is_over_upper_triangle():
    C = np.array([[0, 0.1, 0.2, 0.3], [0.1, 0, 0.4, 0.5], [0.2, 0.4, 0, 0.6], [0.3, 0.5, 0.6, 0]], np.float32)
    q = upper_triangle_percentiles(C, [50])[50.0]
    assert q == pytest.approx(0.35)  # median of the 6 pairs, diagonal zeros excluded
    r, c, v = threshold_edges(C, q)
    assert sorted(zip(r.tolist(), c.tolist())) == [(1, 2), (1, 3), (2, 3)]
    assert (r < c).all()


def test_coembed_on_real_embeddings(downstream, tmp_path):
    d = downstream["ctrl"]
    co, cx = coembed(d["emb"], d["adata"])
    G = len(d["emb"])
    n_pairs = G * (G - 1) // 2
    assert list(co.modularity["percentile"]) == [50, 75, 95, 99]
    # each percentile keeps ~ (100 - p)% of the pairs
    for _, row in co.modularity.iterrows():
        assert row["n_edges"] == pytest.approx(n_pairs * (100 - row["percentile"]) / 100, rel=0.01)
    assert (co.modularity["modularity"].between(-0.5, 1)).all()
    # sparser networks are more modular
    assert co.modularity["modularity"].is_monotonic_increasing
    assert len(co.edges) == co.modularity.iloc[-1]["n_edges"]
    assert list(co.edges.columns) == ["gene_a", "gene_b", "weight"]
    assert (co.edges["weight"] > co.modularity.iloc[-1]["threshold"]).all()
    assert cx is not None and cx.kind == "coexpr" and len(cx.edges) > 0
    comm99 = co.communities[co.communities["percentile"] == 99]
    assert set(comm99["gene"]) == set(co.edges["gene_a"]) | set(co.edges["gene_b"])
    # seeded: same communities again
    co2, _ = coembed(d["emb"], None, CoembedParams(percentiles=(99.0,), seed=0))
    pd.testing.assert_frame_equal(co2.communities.reset_index(drop=True), comm99.reset_index(drop=True))
    to_graphml(co, tmp_path / "x.graphml")
    import igraph

    g = igraph.Graph.Read_GraphML(str(tmp_path / "x.graphml"))
    assert g.ecount() == len(co.edges) and "community" in g.vs.attributes()


def test_read_gene_embeddings_errors(tmp_path):
    with pytest.raises(InputError, match="gene embedding file not found"):
        read_gene_embeddings(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tscnet_0\tscnet_1\nA\t1\t2\nB\t3\t4\nC\t5\t7\n")
    with pytest.raises(InputError, match="first column must be 'gene'"):
        read_gene_embeddings(bad)
    nan = tmp_path / "nan.tsv"
    nan.write_text("gene\tscnet_0\tscnet_1\nA\t1\t2\nB\tnan\t4\nC\t5\t7\n")
    with pytest.raises(InputError, match="NaN"):
        read_gene_embeddings(nan)


def test_coexpression_needs_embedding_genes(downstream):
    d = downstream["ctrl"]
    emb = d["emb"].rename(index={d["emb"].index[0]: "NOT_A_GENE"})
    with pytest.raises(InputError, match="'NOT_A_GENE'"):
        coembed(emb, d["adata"], CoembedParams(percentiles=(99.0,)))
