#!/usr/bin/env bash
# Run the pipeline end to end on the bundled test data (two Kang et al. 2018 PBMC samples, CTRL and
# STIM, CPU, a few epochs):
#
#   bash tools/run_test_pipeline.sh [OUTDIR] [extra nextflow options, e.g. -resume]
#
# Sets up .venv and Nextflow first (tools/setup.sh). Results go to OUTDIR (default: results/).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/tools/setup.sh"

outdir="${1:-results}"
shift || true
export PATH="$repo/.venv/bin:$PATH"   # the tasks run bin/scnetflow_*.py with this Python
exec "$repo/tools/nextflow/nextflow" run "$repo/main.nf" -profile test --outdir "$outdir" "$@"
