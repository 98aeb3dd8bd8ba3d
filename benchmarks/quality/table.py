"""The quality suite's table: ``quality.json`` (every row, every number) and ``quality.md`` (readable).

Rows of earlier invocations are kept; a rerun (same sample and setting) replaces its row.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from scnetflow.quality import IFN_TERMS, TOLERANCES, verdict

MARK = {"better": "+", "same": "=", "worse": "-", "n/a": ""}


def _f(x, nd=3) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    return f"{x:.{nd}f}" if isinstance(x, float) else str(x)


def _vs(row: dict, a: str, b: str, measure: str, nd: int = 3) -> str:
    """'value / baseline mark' with the verdict of the measure's tolerance."""
    va, vb = row.get(a), row.get(b)
    if va is None and vb is None:
        return "-"
    mark = MARK[verdict(va, vb, TOLERANCES[measure])] if va is not None and vb is not None else ""
    return f"{_f(va, nd)} / {_f(vb, nd)} {mark}".strip()


def _table(title: str, cols: list[str], lines: list[list[str]], note: str = "") -> list[str]:
    out = [f"## {title}", ""]
    if note:
        out += [note, ""]
    out += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return out + [""]


def _gsea_cell(g: dict | None, expr: str, term: str) -> str:
    t = ((g or {}).get(expr) or {}).get("terms", {}).get(term)
    return "-" if t is None else f"{t['rank']} ({t['fdr']:.2g})"


def markdown(rows: list[dict], command: str) -> str:
    key = [(r["sample"], r["setting"]) for r in rows]
    rows = [r for _, r in sorted(zip(key, rows), key=lambda kr: kr[0])]
    head = lambda r: [r["sample"], r["setting"]]  # noqa: E731
    tol = ", ".join(f"{k} {v:g}" for k, v in TOLERANCES.items())
    md = ["# Quality suite", "",
          "Written by `benchmarks/quality/run_suite.py` (see `benchmarks/quality/README.md`); every number is in "
          "`quality.json`. One row per sample and setting (Kang: one per condition). `a / b +` means scNET's "
          "value a against the baseline b: `+` better, `=` the same within the tolerance, `-` worse "
          f"(`scnetflow.quality.TOLERANCES`: {tol}).", "",
          f"Last invocation: `{command}`", ""]
    md += _table("Runs", ["sample", "setting", "tier", "seed", "encoder, precision", "CPU, threads, load", "date",
                          "kept epoch / run", "held-out PPI AUROC", "expr loss kept / last", "train s", "s / epoch"],
                 [head(r) + [r["tier"], _f(r.get("seed")),
                             f"{r.get('encoder') or '-'}, {r.get('precision') or '-'}",
                             f"{r['machine']['cpu']}, {r['machine']['threads']}, {_f(r['machine'].get('loadavg_start'), 1)}",
                             r["date"], f"{r.get('best_epoch')} / {r.get('epochs_run')}", _f(r.get("val_auroc")),
                             f"{_f(r.get('loss_expr_best'))} / {_f(r.get('loss_expr_last'))}",
                             _f(r["seconds"].get("train"), 0), _f(r.get("seconds_per_epoch"), 2)] for r in rows],
                 "Overrides of each setting are in `quality.json` (`overrides`) and `settings.toml`. Load: the "
                 "1-minute load average when the invocation started (2 cores; other work inflates times).")
    md += _table("Cell embedding vs PCA", ["sample", "setting", "cells", "max ARI scNET / PCA",
                                           "misplaced at max ARI scNET / PCA", "max NMI scNET / PCA",
                                           "kNN held-out-gene r scNET / PCA (genes)"],
                 [head(r) + [_f(r.get("n_cells")), _vs(r, "ari_scnet", "ari_pca", "max_ari"),
                             f"{_f(r.get('misplaced_scnet'))} / {_f(r.get('misplaced_pca'))}",
                             _vs(r, "nmi_scnet", "nmi_pca", "max_nmi"),
                             f"{_vs(r, 'knn_r_scnet', 'knn_r_pca', 'knn_heldout_r')} ({_f(r.get('knn_r_genes'))})"]
                  for r in rows],
                 "Labels: `cell_line` (CellBench, ground truth) and `cell_type` (Kang, expression-based: reported, "
                 "not optimised). Misplaced: cells outside the best one-to-one matching of the max-ARI "
                 "resolution's clusters to the labels (`scnetflow.cluster_eval.misplaced_cells`; rows before "
                 "session 19: `-`). kNN held-out-gene r: label-free (`scnetflow.quality.knn_heldout_r`).")
    md += _table("Reconstruction vs original expression (marker AUPR)",
                 ["sample", "setting", "mean marker AUPR reconstructed / original", "types not worse / scored",
                  "types better"],
                 [head(r) + [_vs(r, "marker_aupr_reconstructed", "marker_aupr_original", "marker_aupr"),
                             f"{_f(r.get('marker_types_not_worse'))} / {_f(r.get('marker_types'))}",
                             _f(r.get("marker_types_better"))] for r in rows],
                 "Markers: CellBench, top-10 Wilcoxon genes per cell line on the other two protocols; Kang, "
                 "canonical PBMC markers (`scnetflow.quality.PBMC_MARKERS`); only model genes.")
    md += _table("Co-embedded network vs co-expression (modularity)",
                 ["sample", "setting"] + [f"p{p} co-embedded / co-expression" for p in (50, 75, 95, 99)],
                 [head(r) + [_vs(r, f"modularity_coembed_p{p}", f"modularity_coexpr_p{p}", "modularity")
                             for p in (50, 75, 95, 99)] for r in rows])
    net = []
    for r in rows:
        err = r.get("pathways_error")
        pw = [_vs(r, "reactome_aupr_coembed", "reactome_aupr_ppi", "pathway_aupr", 4),
              _vs(r, "reactome_aupr_coembed", "reactome_aupr_coexpr", "pathway_aupr", 4),
              f"{_f(r.get('reactome_sets_coembed'))} / {_f(r.get('reactome_sets_ppi'))} / {_f(r.get('reactome_sets_coexpr'))}"]
        if err and r.get("reactome_aupr_coembed") is None:
            pw = ["no set >= 30 genes"] * 2 + ["0"]
        dz = [_vs(r, "disease_z_aupr_coembed", "disease_z_aupr_ppi", "disease_z", 2),
              _vs(r, "disease_z_aupr_coembed", "disease_z_aupr_coexpr", "disease_z", 2)]
        net.append(head(r) + pw + dz)
    md += _table("Co-embedded network vs PPI and co-expression (propagation)",
                 ["sample", "setting", "Reactome AUPR co-embedded / PPI", "co-embedded / co-expression",
                  "Reactome sets (co-emb / PPI / co-expr)", "disease z (AUPR) co-embedded / PPI",
                  "co-embedded / co-expression"], net,
                 "Disease z-scores and GO tests are in full-tier rows only (`-` in fast-tier rows).")
    md += _table("Gene embedding (GO BP) vs expression profiles",
                 ["sample", "setting", "k-means: mean fraction of clusters enriched scNET / expression",
                  "5-fold MLP AUROC scNET / expression", "MLP terms"],
                 [head(r) + [_vs(r, "go_kmeans_scnet", "go_kmeans_expression", "go_kmeans"),
                             _vs(r, "go_mlp_auroc_scnet", "go_mlp_auroc_expression", "go_mlp_auroc"),
                             _f(r.get("go_mlp_terms"))] for r in rows])
    g_rows = [r for r in rows if r.get("gsea")]
    if g_rows:
        md += _table("Kang: GSEA STIM vs CTRL in CD14 Mono (Reactome), reconstructed / original",
                     ["samples", "setting", "sets at FDR < 0.05"] + [f"'{t}' rank (FDR)" for t in IFN_TERMS],
                     [["kang_ctrl + kang_stim", r["setting"],
                       f"{_f(((r['gsea'].get('reconstructed') or {}).get('n_significant')))} / "
                       f"{_f(((r['gsea'].get('original') or {}).get('n_significant')))}"]
                      + [f"{_gsea_cell(r['gsea'], 'reconstructed', t)} / {_gsea_cell(r['gsea'], 'original', t)}"
                         for t in IFN_TERMS] for r in g_rows if r["sample"] == "kang_stim"])
    parts = ["prep", "train", "cells", "markers", "modularity", "pathways", "disease", "go", "gsea"]
    md += _table("Wall time per part (s)", ["sample", "setting"] + parts + ["total"],
                 [head(r) + [_f(r["seconds"].get(p), 1) for p in parts]
                  + [_f(round(sum(v for v in r["seconds"].values() if v), 1), 1)] for r in rows],
                 "Each part's wall time when it was computed (cached parts keep their first time); prep is qc + "
                 "graphs (`-`: not recorded); the machine was shared, so times are upper bounds. GSEA covers both "
                 "Kang conditions. Settings sharing one training show its time in each row.")
    return "\n".join(md)


def write_tables(rows: list[dict], results: Path, command: str) -> None:
    results.mkdir(parents=True, exist_ok=True)
    path = results / "quality.json"
    old = json.loads(path.read_text())["rows"] if path.exists() else []
    new_keys = {(r["sample"], r["setting"]) for r in rows}
    merged = [r for r in old if (r["sample"], r["setting"]) not in new_keys] + rows
    doc = {"written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "last_command": command,
           "tolerances": TOLERANCES, "rows": merged}
    path.write_text(json.dumps(doc, indent=1, default=float) + "\n")
    (results / "quality.md").write_text(markdown(merged, command) + "\n")
    print(f"[quality] wrote {path} and quality.md ({len(merged)} rows)", flush=True)
