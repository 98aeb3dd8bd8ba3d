import json

import pandas as pd
from click.testing import CliRunner

from scnetflow.cli.coembed import command as coembed_cmd
from scnetflow.cli.evaluate_network import command


def test_evaluate_network_cli(downstream, shared_data, tmp_path):
    p = downstream["ctrl"]["paths"]
    net = tmp_path / "net"
    r = CliRunner().invoke(coembed_cmd, [str(p["emb"]), str(p["scnet"]), "--outdir", str(net), "--percentiles", "99"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    disease = shared_data / "disease_genes" / "disgenet_curated_disease_genes_min5.gmt.gz"
    r = CliRunner().invoke(command, [
        str(net / "kang_ctrl.coembed_edges.tsv"), str(net / "kang_ctrl.coexpr_edges.tsv"), "--outdir", str(out),
        "--disease-gmt", str(disease), "--min-size", "10", "--n-splits", "1", "--n-random", "2",
    ])
    assert r.exit_code == 0, r.output
    pw = pd.read_csv(out / "kang_ctrl.pathway_auc.tsv", sep="\t")
    assert set(pw.network) == {"coembed", "ppi", "coexpr"}
    dz = pd.read_csv(out / "kang_ctrl.disease_zscores.tsv", sep="\t")
    assert {"auroc_z", "aupr_z"} <= set(dz.columns)
    summary = json.loads((out / "kang_ctrl.network_eval.json").read_text())
    assert summary["inputs"]["restrict_ppi"] is True and summary["params"]["n_random"] == 2


def test_evaluate_network_missing_gene_set_file(downstream, tmp_path):
    f = tmp_path / "x.coembed_edges.tsv"
    f.write_text("gene_a\tgene_b\tweight\nSTAT1\tIRF7\t0.9\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(f), str(f), "--outdir", str(out), "--gmt", str(tmp_path / "missing.gmt")])
    assert r.exit_code == 2 and "missing.gmt' does not exist" in r.output
    assert not out.exists()


def test_evaluate_network_bad_edge_list(tmp_path):
    f = tmp_path / "x.coembed_edges.tsv"
    f.write_text("source\ttarget\nSTAT1\tIRF7\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(f), str(f), "--outdir", str(out)])
    assert r.exit_code == 1 and "x.coembed_edges.tsv: missing column(s) ['gene_a', 'gene_b']" in r.output
    assert not out.exists()
