import json

import pandas as pd
from click.testing import CliRunner

from scnetflow.cli.cluster_eval import command


def test_cluster_eval_cli(downstream, tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(downstream["stim"]["paths"]["scnet"]), "--outdir", str(out),
                                     "--resolutions", "0.3", "--resolutions", "0.8"])
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out / "kang_stim.cluster_eval.tsv", sep="\t")
    assert len(table) == 4
    summary = json.loads((out / "kang_stim.cluster_eval.json").read_text())
    assert summary["label_key"] == "cell_type" and "max_ari" in summary["representations"]["X_scnet"]


def test_cluster_eval_cli_label_missing(downstream, tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(downstream["stim"]["paths"]["scnet"]), "--outdir", str(out),
                                     "--label-key", "celltype"])
    assert r.exit_code == 1
    assert "kang_stim.scnet.h5ad: label column 'celltype' not in obs" in r.output
    assert not out.exists()


def test_scnet_clusters_are_written_once_and_read_by_gsea(downstream, tmp_path):
    """cluster-eval writes scNET's clusters; gsea on an unlabelled sample compares those groups, unchanged."""
    from scnetflow.cli.gsea import command as gsea

    from tests.cli.test_gsea_cli import _small_gmt

    p = downstream["stim"]["paths"]
    out = tmp_path / "ce"
    r = CliRunner().invoke(command, [str(p["scnet"]), "--outdir", str(out), "--resolutions", "0.5",
                                     "--leiden-resolution", "0.5"])
    assert r.exit_code == 0, r.output
    clusters = pd.read_csv(out / "kang_stim.clusters.tsv", sep="\t", index_col="cell", dtype=str)["scnet_leiden"]
    table = pd.read_csv(out / "kang_stim.cluster_eval.tsv", sep="\t")
    # the clusters written are those scored at that resolution on X_scnet
    assert clusters.nunique() == table.query("representation == 'X_scnet'")["n_clusters"].item() > 1
    # a wrong file is refused with its name
    clusters.iloc[:10].to_frame().to_csv(tmp_path / "few.tsv", sep="\t")
    r = CliRunner().invoke(gsea, [str(p["scnet"]), str(p["reconstructed"]), "--outdir", str(tmp_path / "bad"),
                                  "--gmt", str(_small_gmt(tmp_path)), "--label-key", "none",
                                  "--clusters", str(tmp_path / "few.tsv")])
    assert r.exit_code == 1 and "few.tsv" in r.output and "have no cluster" in r.output
    # gsea with --label-key none groups cells by exactly these clusters
    big = clusters.value_counts()
    r = CliRunner().invoke(gsea, [str(p["scnet"]), str(p["reconstructed"]), "--outdir", str(tmp_path / "g"),
                                  "--gmt", str(_small_gmt(tmp_path)), "--label-key", "none",
                                  "--clusters", str(out / "kang_stim.clusters.tsv"), "--permutation-num", "10",
                                  "--gsea-min-cells", "20", "--gsea-min-size", "5"])
    assert r.exit_code == 0, r.output
    groups = pd.read_csv(tmp_path / "g" / "kang_stim.gsea_celltype.tsv", sep="\t", dtype={"group": str})
    assert set(groups["group"]) == {g for g, n in big.items() if n >= 20 and len(clusters) - n >= 20}
