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


# --- issue 14: orientation, duplicates, 10x variants, the shared PPI and gene-list readers ------------

from scnetflow.io import merge_duplicate_genes, read_gene_list, read_ppi, table_orientation  # noqa: E402
from scnetflow.networks import load_ppi  # noqa: E402


def _table(kang, n_cells=60, n_genes=200):
    sub = kang[:n_cells, :n_genes]
    return pd.DataFrame(sub.X.toarray().astype(int), index=sub.obs_names, columns=sub.var_names)


@pytest.mark.parametrize("genes_in_rows", [True, False])
@pytest.mark.parametrize("suffix", [".csv.gz", ".tsv", ".txt"])
def test_orientation_decided_from_symbols_and_barcodes(kang, tmp_path, genes_in_rows, suffix):
    df = _table(kang)
    p = tmp_path / f"s{suffix}"
    (df.T if genes_in_rows else df).to_csv(p, sep="," if "csv" in suffix else "\t")
    a = read_counts(p)
    assert a.shape == (60, 200)
    assert list(a.var_names) == list(df.columns) and list(a.obs_names) == list(df.index)
    np.testing.assert_array_equal(a.X.toarray(), df.to_numpy())


def test_orientation_mouse_symbols_and_numbered_cells():
    genes = pd.Index(["Xkr4", "Gm26206", "Sox17", "Mrpl15"])
    cells = pd.Index(["1", "2", "3", "4"])
    assert table_orientation(genes, cells) is True
    assert table_orientation(cells, genes) is False


def test_orientation_undecidable_names_the_options(kang, tmp_path):
    df = _table(kang)
    df.index = [f"s{i}" for i in range(len(df))]
    df.columns = [f"f{i}" for i in range(df.shape[1])]
    p = tmp_path / "x.csv"
    df.to_csv(p)
    with pytest.raises(InputError, match="cannot tell whether rows or columns are genes.*--genes-in-rows or --cells-in-rows"):
        read_counts(p)
    assert read_counts(p, genes_in_rows=False).shape == (60, 200)
    assert read_counts(p, genes_in_rows=True).shape == (200, 60)


def test_table_without_header_is_refused(kang, tmp_path):
    p = tmp_path / "noheader.csv"
    _table(kang).T.to_csv(p, header=False)
    with pytest.raises(InputError, match="no header line; add one"):
        read_counts(p)


def test_non_numeric_value_names_row_and_column(kang, tmp_path):
    df = _table(kang).astype(object)
    df.iloc[3, 7] = "n/a?"
    p = tmp_path / "bad.csv"
    df.to_csv(p)
    with pytest.raises(InputError, match=rf"row '{df.index[3]}', column '{df.columns[7]}': 'n/a\?' is not a number"):
        read_counts(p)


def test_duplicate_genes_are_merged_by_sum(kang, tmp_path, caplog):
    df = _table(kang)
    cols = list(df.columns)
    cols[1] = cols[0]  # e.g. two HES4 columns
    df.columns = cols
    p = tmp_path / "dup.csv"
    df.to_csv(p)
    with caplog.at_level("WARNING"):
        a = read_counts(p)
    assert "1 gene names occur more than once (2 columns" in caplog.text and "merged them by summing" in caplog.text
    assert a.n_vars == 199 and a.var_names.is_unique and f"{cols[0]}-1" not in a.var_names
    np.testing.assert_array_equal(a[:, cols[0]].X.toarray().ravel(), df.iloc[:, 0] + df.iloc[:, 1])


def test_merge_duplicate_genes_log_values(kang):
    a = kang[:20, :4].copy()
    a.var_names = ["A", "A", "B", "C"]
    a.X = np.log1p(a.X.toarray())
    m = merge_duplicate_genes(a, log_values=True)
    expected = np.log1p(np.expm1(a.X[:, 0]) + np.expm1(a.X[:, 1]))
    np.testing.assert_allclose(np.asarray(m[:, "A"].X.todense()).ravel(), expected, rtol=1e-5)


def _mtx_dir(sub, d, feature_columns):
    d.mkdir()
    with gzip.open(d / "matrix.mtx.gz", "wb") as f:
        scipy.io.mmwrite(f, sp.csr_matrix(sub.X.T))
    feats = pd.DataFrame({"id": [f"ENSG{i:011d}" for i in range(sub.n_vars)], "name": sub.var_names,
                          "type": "Gene Expression"})
    feats.iloc[:, :feature_columns].to_csv(d / "features.tsv.gz", sep="\t", header=False, index=False)
    pd.Series(sub.obs_names).to_csv(d / "barcodes.tsv.gz", sep="\t", header=False, index=False)
    return d


@pytest.mark.parametrize("feature_columns", [1, 2, 3])
def test_mtx_with_one_two_or_three_feature_columns(kang, tmp_path, feature_columns):
    sub = kang[:30, :50]
    d = _mtx_dir(sub, tmp_path / "mtx", feature_columns)
    if feature_columns == 1:  # a single column: it is the gene name
        (d / "features.tsv.gz").unlink()
        pd.Series(sub.var_names).to_csv(d / "features.tsv.gz", sep="\t", header=False, index=False)
    a = read_counts(d)
    assert list(a.var_names) == list(sub.var_names) and a.n_obs == 30
    np.testing.assert_array_equal(a.X.toarray(), sub.X.toarray())


def test_mtx_size_mismatch_and_missing_file(kang, tmp_path):
    sub = kang[:30, :50]
    d = _mtx_dir(sub, tmp_path / "mtx", 2)
    pd.Series(sub.obs_names[:29]).to_csv(d / "barcodes.tsv.gz", sep="\t", header=False, index=False)
    with pytest.raises(InputError, match="matrix is 50 x 30 but features.tsv.gz has 50 rows and barcodes.tsv.gz 29"):
        read_counts(d)
    (d / "barcodes.tsv.gz").unlink()
    with pytest.raises(InputError, match="has no barcodes.tsv"):
        read_counts(d)


PPI_FORMATS = {
    "authors.csv": lambda e: e.rename(columns={"gene_a": "g1_symbol", "gene_b": "g2_symbol", "score": "conn"}).to_csv(),
    "edges.tsv": lambda e: e.rename(columns={"score": "weight"}).to_csv(sep="\t", index=False),
    "edges.csv": lambda e: e.rename(columns={"score": "weight"}).to_csv(index=False),
    "custom.tsv": lambda e: e.rename(columns={"gene_a": "a", "gene_b": "b", "score": "s"}).to_csv(sep="\t", index=False),
    "noheader.tsv": lambda e: e.to_csv(sep="\t", index=False, header=False),
    "spaces.txt": lambda e: e.rename(columns={"gene_a": "protein1", "gene_b": "protein2", "score": "combined_score"}
                                     ).to_csv(sep=" ", index=False),
}


@pytest.mark.parametrize("name", sorted(PPI_FORMATS))
def test_ppi_readers_agree_on_every_format(tmp_path, name):
    edges = read_ppi(TEST_DATA / "ppi_subset.csv.gz", min_score=0.0).head(300)
    p = tmp_path / name
    p.write_text(PPI_FORMATS[name](edges))
    graphs_table = read_ppi(p, min_score=0.5)  # what graphs uses
    network_table = load_ppi(p, cutoff=0.5)    # what evaluate-network uses
    expected = edges[edges["score"] >= 0.5]
    assert len(graphs_table) == len(network_table) == len(expected) > 0
    a = graphs_table.sort_values(["gene_a", "gene_b"]).reset_index(drop=True)
    b = network_table.sort_values(["gene_a", "gene_b"]).reset_index(drop=True)
    assert (a[["gene_a", "gene_b"]] == b[["gene_a", "gene_b"]]).all().all()
    np.testing.assert_allclose(a["score"], b["weight"])


@pytest.mark.parametrize(("text", "message"), [
    (",g1_symbol,g2_symbol,conn\n0,STAT1,IRF7,0.9\n1,STAT1,MX1,high\n", r"line 3, column 'conn': score 'high' is not a number"),
    ("protein1 protein2 combined_score\n9606.ENSP00000000233 9606.ENSP00000272298 490\n", "STRING protein IDs"),
    ("gene_a\tgene_b\tweight\nSTAT1\tIRF7\t0.2\n", r"no edge has score >= 0.5 \(scores range 0.2 to 0.2\); lower --min-score"),
    ("STAT1\n", "needs two gene-symbol columns"),
    ("", "the PPI file is empty"),
])
def test_ppi_bad_tables(tmp_path, text, message):
    p = tmp_path / "ppi.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=message):
        read_ppi(p)
    with pytest.raises(InputError, match=message):
        load_ppi(p)


def test_gene_list_bom_crlf_comments(tmp_path):
    p = tmp_path / "seeds.txt"
    p.write_bytes("\ufeffSTAT1\r\n# comment\r\nIRF7\t0.5\r\n\r\nMX1,x\r\nSTAT1\r\n".encode())
    assert read_gene_list(p) == ["STAT1", "IRF7", "MX1"]
    p.write_text("# only a comment\n")
    with pytest.raises(InputError, match="no gene names in the file"):
        read_gene_list(p)


def test_h5ad_counts_in_raw_are_used(kang, tmp_path, caplog):
    a = kang[:40].copy()
    a.raw = a.copy()
    a.X = np.log1p(a.X.toarray() / 2)
    a.write_h5ad(tmp_path / "r.h5ad")
    with caplog.at_level("WARNING"):
        back = read_counts(tmp_path / "r.h5ad")
    assert "X is not counts (non-integer values) but .raw holds integer counts (2004 genes); using .raw" in caplog.text
    np.testing.assert_array_equal(back.X.toarray(), kang[:40].X.toarray())
    assert read_counts(tmp_path / "r.h5ad", input_normalized=True).X.max() < 10  # the user asked for X
