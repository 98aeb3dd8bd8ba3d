import pandas as pd
from click.testing import CliRunner

from scnetflow.cli.propagate import command
from scnetflow.networks import load_ppi, write_edge_list


def _edges(downstream, tmp_path):
    f = tmp_path / "net.edges.tsv"
    write_edge_list(load_ppi(genes=list(downstream["ctrl"]["emb"].index)), f)
    return f


def test_propagate_cli(downstream, tmp_path):
    f = _edges(downstream, tmp_path)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# interferon\nIRF7\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(f), "--outdir", str(out), "--seed-genes", "STAT1", "--seed-file", str(seeds)])
    assert r.exit_code == 0, r.output
    res = pd.read_csv(out / "net.propagation.tsv", sep="\t")
    assert list(res.columns) == ["gene", "score", "rank", "is_seed"]
    assert set(res.loc[res.is_seed, "gene"]) == {"STAT1", "IRF7"}


def test_propagate_cli_seed_absent(downstream, tmp_path):
    f = _edges(downstream, tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(f), "--outdir", str(out), "--seed-genes", "STAT1,NOTAGENE"])
    assert r.exit_code == 1
    assert "net.edges.tsv: seed gene(s) ['NOTAGENE'] not in the network" in r.output
    assert "--ignore-missing" in r.output
    assert not out.exists()


def test_propagate_cli_no_seeds(downstream, tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(_edges(downstream, tmp_path)), "--outdir", str(out)])
    assert r.exit_code == 1 and "no seed genes given" in r.output and not out.exists()
