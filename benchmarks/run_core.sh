#!/usr/bin/env bash
# The trainer benchmarks behind docs/benchmarks.md ("Trainer: speed, memory, quality"), one after the
# other (2-core machine: never two at once). Results: benchmarks/results/ours_*.json and scaling_cpu.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
py=.venv/bin/python
data=../shared/data

# CellBench 10x subset, defaults, all 250 epochs (compare: reference_cellbench_e20_t{1,2}_amd.json)
$py benchmarks/bench_train.py --input $data/cellbench/cellbench_10x_3cl_cepo_subset.h5ad --label cell_line \
    --count-flops --out benchmarks/results/ours_cellbench_e250_amd_s3_r1.json -- --epochs 250 --patience 0

# Kang IFN-b, all 8,433 expressed PPI genes (the reference's model: 455.7 M parameters), 10 epochs
# (compare per epoch: reference_kang_e1.json)
$py benchmarks/bench_train.py --input $data/two_condition/kang_ifnb_2000cells.h5ad --label cell_type \
    --count-flops --out benchmarks/results/ours_kang_e10.json -- --epochs 10 --eval-every 5

# Kang IFN-b, highly variable PPI genes only (1,003 genes), 250 epochs: the fast option
$py benchmarks/bench_train.py --input $data/two_condition/kang_ifnb_2000cells.h5ad --label cell_type \
    --model-genes hvg --out benchmarks/results/ours_kang_hvg_e250.json -- --epochs 250

# Scaling: 1k, 5k, 20k, 50k cells (hvg genes, 2 epochs each, one process per size)
$py benchmarks/bench_scaling.py --out benchmarks/results/scaling_cpu.json

# CEL-seq2 and Drop-seq full count matrices (Ensembl IDs; labels from the metadata), hvg genes, 250 epochs
for p in dropseq celseq2; do
    $py benchmarks/bench_train.py --input $data/cellbench/sc_$p.count.csv.gz \
        --metadata $data/cellbench/sc_$p.metadata.csv.gz --label cell_line --model-genes hvg \
        --out benchmarks/results/ours_${p}_hvg_e250.json -- --epochs 250
done

# CEL-seq2 and Drop-seq with all expressed PPI genes (the paper's setting), early-stopped
for p in dropseq celseq2; do
    $py benchmarks/bench_train.py --input $data/cellbench/sc_$p.count.csv.gz \
        --metadata $data/cellbench/sc_$p.metadata.csv.gz --label cell_line \
        --out benchmarks/results/ours_${p}_expressed_amd.json -- --epochs 250 --eval-every 5 --patience 2
done

# What any representation of the model's inputs reaches on Kang (the ARI ceiling for X_scnet)
$py benchmarks/bench_cell_representations.py --input $data/two_condition/kang_ifnb_2000cells.h5ad \
    --label cell_type --out benchmarks/results/cell_representations_kang.json
