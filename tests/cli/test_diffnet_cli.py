import pandas as pd
from click.testing import CliRunner

from scnetflow.cli.diffnet import command


def test_diffnet_cli(downstream, tmp_path):
    a, b = downstream["ctrl"]["paths"]["emb"], downstream["stim"]["paths"]["emb"]
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(a), str(b), "--outdir", str(out), "--seed-genes", "STAT1", "--percentile", "95",
                                     "--name-a", "CTRL", "--name-b", "STIM"])
    assert r.exit_code == 0, r.output
    edges = pd.read_csv(out / "CTRL_vs_STIM.diffnet_edges.tsv", sep="\t")
    assert list(edges.columns) == ["gene_a", "gene_b", "weight", "condition"]
    assert set(edges.condition) == {"CTRL", "STIM"}
    genes = pd.read_csv(out / "CTRL_vs_STIM.diffnet_genes.tsv", sep="\t")
    assert list(genes.columns) == ["gene", "score", "rank", "is_seed", "degree_CTRL", "degree_STIM"]


def test_diffnet_cli_seed_absent(downstream, tmp_path):
    a, b = downstream["ctrl"]["paths"]["emb"], downstream["stim"]["paths"]["emb"]
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(a), str(b), "--outdir", str(out), "--seed-genes", "Stat1"])
    assert r.exit_code == 1
    assert "seed gene(s) ['Stat1'] not in the differential network" in r.output and "in neither embedding" in r.output
    assert not out.exists()
