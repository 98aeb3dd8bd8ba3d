#!/usr/bin/env bash
# Kang IFN-beta PBMC, CTRL and STIM trained separately on all expressed PPI genes, then every downstream
# analysis (issue 4; the paper's network evaluations of issue 5). Results: docs/downstream_results.md,
# built by benchmarks/summarise_kang_conditions.py from the outputs in $WORK.
#
#   bash benchmarks/run_kang_conditions.sh [WORK=/tmp/kang]
#
# Train options: the defaults (250 epochs, an evaluation every 10, no early stop, the best held-out-AUROC
# evaluation kept) except --n-edge-batches 1: one optimiser step per epoch instead of five, because a
# 2-core CPU takes ~10 s per step of the 380 M-parameter model (250 x 5 steps would be ~3.5 h per sample).
# The two samples train side by side, one thread each (~17 s per epoch, about 1.5 h); then one process at a
# time. Set TRAIN_OPTS to change the train options (e.g. TRAIN_OPTS="" for every default, on a GPU).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/kang}"
data="$repo/../shared/data"
S="$repo/.venv/bin/scnetflow"
mkdir -p "$work" && cd "$work"

"$repo/.venv/bin/python" - "$data/two_condition/kang_ifnb_2000cells.h5ad" <<'EOF'
import sys
from pathlib import Path

import anndata as ad

a = ad.read_h5ad(sys.argv[1])
for c in ("CTRL", "STIM"):
    out = Path(f"kang_{c.lower()}.h5ad")
    if not out.exists():
        a[a.obs["condition"] == c].copy().write_h5ad(out)
EOF

read -r -a train_opts <<< "${TRAIN_OPTS---n-edge-batches 1}"
for c in ctrl stim; do
    [[ -f qc/kang_$c.qc.h5ad ]] || $S qc kang_$c.h5ad --outdir qc --label-key cell_type --condition "${c^^}"
    [[ -f graphs/kang_$c.graphs.h5ad ]] || $S graphs qc/kang_$c.qc.h5ad --outdir graphs
done
pids=()
for c in ctrl stim; do
    if [[ ! -f train/kang_$c.scnet.h5ad ]]; then
        OMP_NUM_THREADS=1 $S train graphs/kang_$c.graphs.h5ad --outdir train --seed 0 "${train_opts[@]}" \
            --no-progress 2> train_$c.log &
        pids+=($!)
    fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
for c in ctrl stim; do
    $S cluster-eval train/kang_$c.scnet.h5ad --outdir cluster-eval --force
    $S coembed train/kang_$c.gene_embeddings.tsv train/kang_$c.scnet.h5ad --outdir coembed --force
    $S evaluate-network coembed/kang_$c.coembed_edges.tsv coembed/kang_$c.coexpr_edges.tsv \
        --disease-gmt "$data/disease_genes/disgenet_curated_disease_genes_min5.gmt.gz" \
        --outdir evaluate-network --prefix kang_$c --force
    "$repo/.venv/bin/python" "$repo/benchmarks/bench_gene_embedding.py" --scnet train/kang_$c.scnet.h5ad \
        --out gene-embedding/kang_$c.json
done
$S diffnet train/kang_ctrl.gene_embeddings.tsv train/kang_stim.gene_embeddings.tsv \
    --name-a CTRL --name-b STIM --seed-genes STAT1 --outdir diffnet --force
$S gsea train/kang_ctrl.scnet.h5ad train/kang_ctrl.reconstructed.h5ad \
    --other-sample train/kang_stim.scnet.h5ad train/kang_stim.reconstructed.h5ad \
    --conditions CTRL STIM --cell-types "CD14 Mono" --prefix kang --outdir gsea --force
"$repo/.venv/bin/python" "$repo/benchmarks/summarise_kang_conditions.py" "$work"
