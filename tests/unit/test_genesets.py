import gzip

import pytest

from scnetflow.errors import InputError
from scnetflow.genesets import filter_gene_sets, read_gmt


def test_read_shipped_reactome():
    sets = read_gmt("reactome")
    assert len(sets) > 2000
    assert "Interferon Signaling" in sets and "STAT1" in sets["Interferon Signaling"]


def test_read_user_gmt_gz_and_filter(tmp_path):
    p = tmp_path / "x.gmt.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("S1\tdesc\tA\tB\tC\tA\nS2\t\tc\td\n")
    sets = read_gmt(p, uppercase=True)
    assert sets == {"S1": ["A", "B", "C"], "S2": ["C", "D"]}
    assert filter_gene_sets(sets, {"A", "B", "D"}, min_size=2) == {"S1": ["A", "B"]}


def test_missing_gene_set_file(tmp_path):
    with pytest.raises(InputError, match="gene-set file not found"):
        read_gmt(tmp_path / "nope.gmt")


def test_not_a_gmt(tmp_path):
    p = tmp_path / "x.gmt"
    p.write_text("just one column\n")
    with pytest.raises(InputError, match="line 1: expected"):
        read_gmt(p)
