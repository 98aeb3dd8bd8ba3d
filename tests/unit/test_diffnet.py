import pytest

from scnetflow.diffnet import DiffnetParams, differential_network, diffnet
from scnetflow.errors import InputError


def test_differential_network_is_xor(downstream):
    a, b = downstream["ctrl"]["emb"], downstream["stim"]["emb"]
    edges, info = differential_network(a, b, percentile=99, names=("CTRL", "STIM"))
    assert set(edges["condition"]) == {"CTRL", "STIM"}
    n_shared = info["n_shared_genes"]
    assert n_shared == len(a.index.intersection(b.index))
    assert info["n_edges_xor"] == info["n_edges"]["CTRL"] + info["n_edges"]["STIM"] - 2 * info["n_edges_both"]
    pairs = set(zip(edges["gene_a"], edges["gene_b"]))
    assert len(pairs) == len(edges)  # no edge in both conditions
    assert (edges["gene_a"] < edges["gene_b"]).all()


def test_diffnet_from_stat1(downstream):
    a, b = downstream["ctrl"]["emb"], downstream["stim"]["emb"]
    edges, ranked, info = diffnet(a, b, ["STAT1"], DiffnetParams(percentile=95.0), names=("CTRL", "STIM"))
    assert ranked.iloc[0]["gene"] == "STAT1" or ranked.loc[ranked.gene == "STAT1", "rank"].item() <= 5
    assert {"degree_CTRL", "degree_STIM"} <= set(ranked.columns)
    assert ranked["score"].is_monotonic_decreasing
    assert info["seed_genes"] == ["STAT1"]


def test_diffnet_seed_absent(downstream):
    a, b = downstream["ctrl"]["emb"], downstream["stim"]["emb"]
    with pytest.raises(InputError, match=r"seed gene\(s\) \['NOTAGENE'\] not in the differential network"):
        diffnet(a, b, ["NOTAGENE"], names=("CTRL", "STIM"))


def test_diffnet_same_condition_names(downstream):
    a = downstream["ctrl"]["emb"]
    with pytest.raises(InputError, match="must differ"):
        differential_network(a, a, names=("X", "X"))
