"""Regenerate the bundled test data in ``tests/data/`` from the shared real data sets.

Run from the repository root (the shared data live in ``../shared/data``)::

    .venv/bin/python tests/data/make_test_data.py [--shared ../shared/data] [--outdir tests/data]

Writes ``kang_ctrl.h5ad`` and ``kang_stim.h5ad`` (raw counts in ``X``, ``obs`` ``cell_type`` and
``condition``) and ``ppi_subset.csv.gz`` (rows of the scNET human PPI among the kept genes, same
columns). See ``tests/data/README.md`` for how the cut is made. Deterministic (fixed seed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scanpy as sc
import scipy.sparse as sp

KANG = "two_condition/kang_ifnb_2000cells.h5ad"
PPI = "ppi/scnet_human_ppi.csv.gz"
#: Interferon-response genes kept whatever their variability (seeds for the differential network).
SEED_GENES = ["STAT1", "ISG15", "IFIT1", "IFIT3", "MX1", "IRF7", "OAS1", "CXCL10", "IFI6", "LY6E"]


def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=here.parents[1].parent / "shared" / "data")
    parser.add_argument("--outdir", type=Path, default=here)
    parser.add_argument("--cells", type=int, default=300, help="cells per condition")
    parser.add_argument("--genes", type=int, default=2000, help="highly variable PPI genes to keep")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    kang = ad.read_h5ad(args.shared / KANG)
    ppi = pd.read_csv(args.shared / PPI, index_col=0)
    rng = np.random.default_rng(args.seed)

    # Cells: a random subset per condition.
    cells = np.concatenate([
        rng.choice(np.flatnonzero(kang.obs["condition"].to_numpy() == cond), args.cells, replace=False)
        for cond in ("CTRL", "STIM")
    ])
    sub = kang[np.sort(cells)].copy()

    # Genes: the most variable genes (scanpy "seurat" flavour on log-normalised counts of the kept
    # cells) among genes of the PPI that are detected in at least 3 kept cells, plus the seed genes.
    ppi_genes = set(ppi["g1_symbol"]) | set(ppi["g2_symbol"])
    detected = np.asarray((sub.X > 0).sum(axis=0)).ravel() >= 3
    cand = sub[:, detected & sub.var_names.isin(list(ppi_genes))].copy()
    sc.pp.normalize_total(cand, target_sum=1e4)
    sc.pp.log1p(cand)
    sc.pp.highly_variable_genes(cand, n_top_genes=args.genes, flavor="seurat")
    keep = set(cand.var_names[cand.var["highly_variable"]]) | (set(SEED_GENES) & set(cand.var_names))
    genes = [g for g in sub.var_names if g in keep]

    args.outdir.mkdir(parents=True, exist_ok=True)
    for cond in ("CTRL", "STIM"):
        part = sub[sub.obs["condition"] == cond, genes]
        out = ad.AnnData(
            X=sp.csr_matrix(part.X, dtype=np.float32),
            obs=pd.DataFrame(
                {
                    "cell_type": part.obs["cell_type"].astype(str).astype("category"),
                    "condition": part.obs["condition"].astype(str).astype("category"),
                },
                index=part.obs_names.copy(),
            ),
            var=pd.DataFrame(index=pd.Index(genes, name=None)),
        )
        out.uns["source"] = (
            f"{KANG} (Kang et al. 2018, GSE96583; via SeuratData ifnb): {args.cells} random "
            f"{cond} cells (seed {args.seed}), {len(genes)} genes; raw counts"
        )
        out.write_h5ad(args.outdir / f"kang_{cond.lower()}.h5ad", compression="gzip")

    gene_set = set(genes)
    edges = ppi[ppi["g1_symbol"].isin(gene_set) & ppi["g2_symbol"].isin(gene_set)]
    edges.to_csv(args.outdir / "ppi_subset.csv.gz", compression={"method": "gzip", "mtime": 0})
    print(f"{2 * args.cells} cells, {len(genes)} genes, {len(edges)} PPI edges -> {args.outdir}")
    write_unlabelled(args.outdir)


def write_unlabelled(outdir: Path, cells: int = 100) -> None:
    """``kang_mix_genes_x_cells.csv.gz``: the pipeline's unlabelled sample, in the usual GEO layout.

    The first ``cells`` cells of each bundled sample (CTRL then STIM), raw counts as a gene-symbols x
    barcodes CSV without any cell labels, so the test profile runs a sample that has no ``label_key``
    and whose orientation the reader decides from the labels.
    """
    parts = [ad.read_h5ad(outdir / f"kang_{c}.h5ad")[:cells] for c in ("ctrl", "stim")]
    X = sp.vstack([p.X for p in parts]).toarray().astype(np.int64)
    barcodes = [f"{b}_{c}" for p, c in zip(parts, ("CTRL", "STIM")) for b in p.obs_names]
    table = pd.DataFrame(X.T, index=pd.Index(parts[0].var_names, name="gene"), columns=barcodes)
    table.to_csv(outdir / "kang_mix_genes_x_cells.csv.gz", compression={"method": "gzip", "mtime": 0})
    print(f"unlabelled sample: {table.shape[0]} genes x {table.shape[1]} cells -> {outdir}")


if __name__ == "__main__":
    if "--unlabelled-only" in __import__("sys").argv:  # from the bundled h5ads, without ../shared/data
        write_unlabelled(Path(__file__).resolve().parent)
    else:
        main()
