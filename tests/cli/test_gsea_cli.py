import gzip

import pandas as pd
from click.testing import CliRunner

from scnetflow.cli.gsea import command
from scnetflow.genesets import read_gmt


def _small_gmt(tmp_path):
    sets = read_gmt("reactome")
    keep = ["Interferon Signaling", "Interferon alpha/beta signaling", "Interferon gamma signaling",
            "Cell Cycle", "Translation", "Neutrophil degranulation", "Signaling by Interleukins"]
    f = tmp_path / "small.gmt.gz"
    with gzip.open(f, "wt") as fh:
        for k in keep:
            fh.write("\t".join([k, ""] + sets[k]) + "\n")
    return f


def test_gsea_cli_two_conditions(downstream, tmp_path):
    c, s = downstream["ctrl"]["paths"], downstream["stim"]["paths"]
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [
        str(c["scnet"]), str(c["reconstructed"]), "--other-sample", str(s["scnet"]), str(s["reconstructed"]),
        "--outdir", str(out), "--gmt", str(_small_gmt(tmp_path)), "--gsea-min-cells", "40", "--cell-types", "CD14 Mono",
        "--permutation-num", "20", "--gsea-min-size", "5",
    ])
    assert r.exit_code == 0, r.output
    cond = pd.read_csv(out / "kang_ctrl.gsea_conditions.tsv", sep="\t")
    assert set(cond.group) == {"STIM"} and set(cond.reference) == {"CTRL"}
    assert set(cond.expression) == {"original", "reconstructed"}
    ct = pd.read_csv(out / "kang_ctrl.gsea_celltype.tsv", sep="\t")
    assert "CD14 Mono" in set(ct.group)


def test_gsea_cli_conditions_not_found(downstream, tmp_path):
    c = downstream["ctrl"]["paths"]
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(c["scnet"]), str(c["reconstructed"]), "--outdir", str(out),
                                     "--gmt", str(_small_gmt(tmp_path)), "--conditions", "CTRL", "STIM"])
    assert r.exit_code == 1
    assert "condition 'STIM' not found in obs['condition'] (values: ['CTRL'])" in r.output
    assert not out.exists()


def test_gsea_cli_label_missing(downstream, tmp_path):
    c = downstream["ctrl"]["paths"]
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(c["scnet"]), str(c["reconstructed"]), "--outdir", str(out),
                                     "--gmt", str(_small_gmt(tmp_path)), "--label-key", "celltype"])
    assert r.exit_code == 1 and "label column 'celltype' not in obs" in r.output
    assert not out.exists()


def test_gsea_cli_missing_gene_set_file(downstream, tmp_path):
    c = downstream["ctrl"]["paths"]
    out = tmp_path / "out"
    r = CliRunner().invoke(command, [str(c["scnet"]), str(c["reconstructed"]), "--outdir", str(out),
                                     "--gmt", str(tmp_path / "nope.gmt")])
    assert r.exit_code == 2 and "nope.gmt' does not exist" in r.output
    assert not out.exists()
