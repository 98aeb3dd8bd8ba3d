import pandas as pd
from click.testing import CliRunner

from scnetflow.cli.coembed import command


def test_coembed_cli_writes_all_outputs(downstream, tmp_path):
    p = downstream["ctrl"]["paths"]
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(p["emb"]), str(p["scnet"]), "--outdir", str(out), "--percentiles", "95",
                                     "--percentiles", "99"])
    assert r.exit_code == 0, r.output
    names = sorted(f.name for f in out.iterdir())
    assert names == sorted(f"kang_ctrl.{n}" for n in ("coembed_edges.tsv", "coembed.graphml", "coexpr_edges.tsv",
                                                      "communities.tsv", "modularity.tsv"))
    mod = pd.read_csv(out / "kang_ctrl.modularity.tsv", sep="\t")
    assert set(zip(mod.network, mod.percentile)) == {(n, p) for n in ("coembed", "coexpr") for p in (95.0, 99.0)}
    edges = pd.read_csv(out / "kang_ctrl.coembed_edges.tsv", sep="\t")
    assert list(edges.columns) == ["gene_a", "gene_b", "weight"]
    # refuses to overwrite without --force
    r2 = CliRunner().invoke(command, [str(p["emb"]), str(p["scnet"]), "--outdir", str(out), "--percentiles", "99"])
    assert r2.exit_code == 1 and "already exists; use --force" in r2.output


def test_coembed_cli_mismatched_inputs_leave_nothing(downstream, tmp_path):
    emb = downstream["ctrl"]["emb"].rename(index={downstream["ctrl"]["emb"].index[0]: "NOTAGENE"})
    f = tmp_path / "x.gene_embeddings.tsv"
    emb.to_csv(f, sep="\t")
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(f), str(downstream["ctrl"]["paths"]["scnet"]), "--outdir", str(out)])
    assert r.exit_code == 1
    assert "kang_ctrl.scnet.h5ad: 1 embedding gene(s) not in the expression matrix (first: 'NOTAGENE')" in r.output
    assert not out.exists()
