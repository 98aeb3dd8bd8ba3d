"""Shared test fixtures.

Real data lives in ``../shared/data`` relative to the repository (see its SOURCES.md). Tests that need
it take the ``shared_data`` fixture, which skips when the directory is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: ``<repo>/../shared/data``: this file is ``<repo>/tests/conftest.py``.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the shared real-data directory; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


# ---------------------------------------------------------------------------------------------------
# Downstream-analysis inputs (coembed, propagate, diffnet, gsea, cluster-eval).
#
# Until real train outputs are small enough to bundle, these are built from the bundled Kang subsets
# (tests/data/kang_{ctrl,stim}.h5ad, real cells and genes) in the shapes of the train step's outputs:
# gene embeddings = scaled PCA loadings of the genes, X_scnet = PCA of the cells, reconstructed
# expression = the rank-20 PCA reconstruction. Real inputs of the right shape, not mocks.

TEST_DATA = Path(__file__).resolve().parent / "data"
IFN_GENES = ["STAT1", "ISG15", "IFIT1", "IFIT3", "MX1", "IRF7", "OAS1", "CXCL10", "IFI6", "LY6E"]


def _downstream_sample(path: Path, n_genes: int = 600, n_dims: int = 20):
    import anndata as ad
    import numpy as np
    import pandas as pd
    import scanpy as sc

    a = ad.read_h5ad(path)
    a.layers["counts"] = a.X.copy()
    sc.pp.normalize_total(a, target_sum=1e4)
    sc.pp.log1p(a)
    var = np.asarray(a.X.power(2).mean(axis=0)).ravel() - np.asarray(a.X.mean(axis=0)).ravel() ** 2
    top = set(a.var_names[np.argsort(-var)[:n_genes]]) | {g for g in IFN_GENES if g in a.var_names}
    a = a[:, [g for g in a.var_names if g in top]].copy()
    sc.pp.pca(a, n_comps=n_dims, random_state=0)
    a.obsm["X_scnet"] = a.obsm["X_pca"].copy()
    cond = str(a.obs["condition"].iloc[0])
    a.uns["sample"] = {"id": f"kang_{cond.lower()}", "condition": cond, "species": "human", "label_key": "cell_type"}
    emb = pd.DataFrame(
        a.varm["PCs"] * np.sqrt(a.uns["pca"]["variance"])[None, :],
        index=pd.Index(a.var_names, name="gene"),
        columns=[f"scnet_{i}" for i in range(n_dims)],
    )
    X = a.X.toarray()
    mu = X.mean(axis=0)
    recon = ((X - mu) @ a.varm["PCs"] @ a.varm["PCs"].T + mu).astype(np.float32)
    r = ad.AnnData(X=recon, obs=a.obs.copy(), var=pd.DataFrame(index=a.var_names))
    return a, emb, r


@pytest.fixture(scope="session")
def _downstream_cache(tmp_path_factory):
    out = tmp_path_factory.mktemp("downstream")
    cache = {}
    for cond in ("ctrl", "stim"):
        a, emb, r = _downstream_sample(TEST_DATA / f"kang_{cond}.h5ad")
        paths = {
            "scnet": out / f"kang_{cond}.scnet.h5ad",
            "emb": out / f"kang_{cond}.gene_embeddings.tsv",
            "reconstructed": out / f"kang_{cond}.reconstructed.h5ad",
        }
        a.write_h5ad(paths["scnet"])
        emb.to_csv(paths["emb"], sep="\t")
        r.write_h5ad(paths["reconstructed"])
        cache[cond] = {"adata": a, "emb": emb, "reconstructed": r, "paths": paths}
    return cache


@pytest.fixture
def downstream(_downstream_cache):
    """Per condition (``"ctrl"``, ``"stim"``): fresh copies of ``adata`` (scnet.h5ad-like), ``emb``
    (gene embeddings), ``reconstructed``, and ``paths`` of the same written as the train step's files."""
    return {
        cond: {
            "adata": d["adata"].copy(),
            "emb": d["emb"].copy(),
            "reconstructed": d["reconstructed"].copy(),
            "paths": dict(d["paths"]),
        }
        for cond, d in _downstream_cache.items()
    }
