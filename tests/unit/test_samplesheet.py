"""Unit tests for scnetflow.samplesheet on the bundled Kang subsets."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scnetflow.errors import InputError
from scnetflow.samplesheet import (
    Contrast,
    input_format,
    read_contrasts,
    read_samplesheet,
    write_contrasts,
    write_samplesheet,
)

DATA = Path(__file__).resolve().parents[1] / "data"
ASSETS = Path(__file__).resolve().parents[2] / "assets"
HEADER = "sample,input,condition,species,label_key\n"


@pytest.fixture
def sheet(tmp_path: Path):
    """Write a samplesheet in ``tmp_path`` (next to a copy-free link of the test data) and return its path."""
    (tmp_path / "data").symlink_to(DATA)

    def make(body: str, header: str = HEADER) -> Path:
        path = tmp_path / "samplesheet.csv"
        path.write_text(header + body)
        return path

    return make


def test_bundled_test_samplesheet():
    samples = read_samplesheet(ASSETS / "samplesheet_test.csv")
    assert [s.sample for s in samples] == ["CTRL", "STIM", "MIX"]
    assert [s.condition for s in samples] == ["CTRL", "STIM", "MIX"]
    assert all(Path(s.input).is_absolute() and Path(s.input).is_file() for s in samples)
    assert {s.species for s in samples} == {"human"}
    # the third sample is unlabelled (empty label_key) and a genes x cells CSV
    assert [s.label_key for s in samples] == ["cell_type", "cell_type", ""]
    assert [s.format for s in samples] == ["h5ad", "h5ad", "csv"]


def test_relative_paths_resolve_against_samplesheet_dir(sheet, monkeypatch, tmp_path):
    path = sheet("A,data/kang_ctrl.h5ad,CTRL,,\n")
    monkeypatch.chdir(Path("/"))
    (s,) = read_samplesheet(path)
    assert Path(s.input) == (DATA / "kang_ctrl.h5ad").resolve()


def test_optional_columns_default(sheet):
    path = sheet("A,data/kang_ctrl.h5ad,CTRL\n", header="sample,input,condition\n")
    (s,) = read_samplesheet(path)
    assert (s.species, s.label_key) == ("human", "")


def test_species_case_insensitive(sheet):
    (s,) = read_samplesheet(sheet("A,data/kang_ctrl.h5ad,CTRL,Mouse,\n"))
    assert s.species == "mouse"


def test_missing_column(sheet):
    path = sheet("A,data/kang_ctrl.h5ad\n", header="sample,input\n")
    with pytest.raises(InputError, match=r"samplesheet\.csv: missing column 'condition'; the header must have"):
        read_samplesheet(path)


def test_duplicate_sample(sheet):
    path = sheet("A,data/kang_ctrl.h5ad,CTRL,,\nA,data/kang_stim.h5ad,STIM,,\n")
    with pytest.raises(InputError, match=r"line 3, column sample: duplicate sample 'A' \(first on line 2\)"):
        read_samplesheet(path)


def test_file_not_found(sheet):
    path = sheet("A,data/nope.h5ad,CTRL,,\n")
    with pytest.raises(InputError, match=r"line 2, column input: file not found: 'data/nope.h5ad'"):
        read_samplesheet(path)


def test_unknown_species(sheet):
    path = sheet("A,data/kang_ctrl.h5ad,CTRL,rat,\n")
    with pytest.raises(InputError, match=r"column species: unknown species 'rat'; use one of human, mouse"):
        read_samplesheet(path)


def test_unknown_format(sheet, tmp_path):
    (tmp_path / "x.loom").write_text("")
    path = sheet("A,x.loom,CTRL,,\n")
    with pytest.raises(InputError, match=r"column input: unknown format 'x.loom'; use \.h5ad"):
        read_samplesheet(path)


def test_directory_without_10x_files(sheet, tmp_path):
    (tmp_path / "mtx").mkdir()
    path = sheet("A,mtx,CTRL,,\n")
    with pytest.raises(InputError, match=r"unknown directory \(no matrix\.mtx"):
        read_samplesheet(path)


def test_empty_value_and_bad_name(sheet):
    with pytest.raises(InputError, match=r"line 2, column condition: empty value"):
        read_samplesheet(sheet("A,data/kang_ctrl.h5ad,,,\n"))
    with pytest.raises(InputError, match=r"column sample: invalid name 'a b'"):
        read_samplesheet(sheet("a b,data/kang_ctrl.h5ad,CTRL,,\n"))
    with pytest.raises(InputError, match=r"column sample: invalid name 'a.b'"):
        read_samplesheet(sheet("a.b,data/kang_ctrl.h5ad,CTRL,,\n"))


def test_empty_and_header_only(sheet, tmp_path):
    with pytest.raises(InputError, match="has a header but no rows"):
        read_samplesheet(sheet(""))
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    with pytest.raises(InputError, match="is empty"):
        read_samplesheet(empty)
    with pytest.raises(InputError, match="samplesheet not found"):
        read_samplesheet(tmp_path / "absent.csv")


def test_too_many_values(sheet):
    with pytest.raises(InputError, match="line 2: 6 values but the header has 5 columns"):
        read_samplesheet(sheet("A,data/kang_ctrl.h5ad,CTRL,human,,x\n"))


def test_remote_uri_passes_through(sheet):
    (s,) = read_samplesheet(sheet("A,s3://bucket/a.h5ad,CTRL,,\n"))
    assert (s.input, s.format) == ("s3://bucket/a.h5ad", "h5ad")
    (s,) = read_samplesheet(sheet("A,s3://bucket/run1/filtered_feature_bc_matrix/,CTRL,,\n"))
    assert s.format == "10x_mtx"
    with pytest.raises(InputError, match="unknown format"):
        read_samplesheet(sheet("A,gs://bucket/a.loom,CTRL,,\n"))


def test_input_format(tmp_path):
    for name, fmt in [
        ("a.h5ad", "h5ad"),
        ("a.h5", "10x_h5"),
        ("a.csv", "csv"),
        ("a.TSV", "tsv"),
        ("a.csv.gz", "csv"),
        ("a.tsv.gz", "tsv"),
        ("a.loom", None),
        ("a.gz", None),
    ]:
        assert input_format(tmp_path / name) == fmt, name
    mtx = tmp_path / "filtered"
    mtx.mkdir()
    for n in ("matrix.mtx.gz", "barcodes.tsv.gz"):
        with gzip.open(mtx / n, "wt") as fh:
            fh.write("")
    assert input_format(mtx) is None
    (mtx / "genes.tsv").write_text("")
    assert input_format(mtx) == "10x_mtx"


def test_contrasts(sheet, tmp_path):
    samples = read_samplesheet(sheet("A,data/kang_ctrl.h5ad,CTRL,,\nB,data/kang_stim.h5ad,STIM,,\n"))
    assert read_contrasts(samples) == []
    assert read_contrasts(samples, condition_a="CTRL", condition_b="STIM") == [
        Contrast("CTRL_vs_STIM", "CTRL", "STIM")
    ]
    f = tmp_path / "contrasts.csv"
    f.write_text("contrast,condition_a,condition_b\nifn,CTRL,STIM\n")
    assert read_contrasts(samples, contrasts=f) == [Contrast("ifn", "CTRL", "STIM")]
    with pytest.raises(InputError, match="condition 'LPS' of contrast 'CTRL_vs_LPS' is not in the samplesheet"):
        read_contrasts(samples, condition_a="CTRL", condition_b="LPS")
    with pytest.raises(InputError, match="give both contrast conditions"):
        read_contrasts(samples, condition_a="CTRL")
    with pytest.raises(InputError, match="compares 'CTRL' with itself"):
        read_contrasts(samples, condition_a="CTRL", condition_b="CTRL")
    f.write_text("contrast,condition_a,condition_b\nifn,CTRL,STIM\nifn,STIM,CTRL\n")
    with pytest.raises(InputError, match="duplicate contrast 'ifn'"):
        read_contrasts(samples, contrasts=f)
    f.write_text("name,a,b\nifn,CTRL,STIM\n")
    with pytest.raises(InputError, match="missing column 'contrast'"):
        read_contrasts(samples, contrasts=f)


def test_write_roundtrip(tmp_path):
    samples = read_samplesheet(ASSETS / "samplesheet_test.csv")
    write_samplesheet(samples, tmp_path / "s.csv")
    again = read_samplesheet(tmp_path / "s.csv")
    assert again == samples
    write_contrasts([Contrast("c", "CTRL", "STIM")], tmp_path / "c.csv")
    assert (tmp_path / "c.csv").read_text() == "contrast,condition_a,condition_b\nc,CTRL,STIM\n"
