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
