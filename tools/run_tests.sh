#!/usr/bin/env bash
# Run the whole test suite: unit, CLI, browser and pipeline tests (real Nextflow: -profile test run,
# -resume, -stub-run, every profile's config, lint, samplesheet errors).
#
#   bash tools/run_tests.sh [pytest options, e.g. -m "not pipeline" or -k samplesheet]
#
# Sets up .venv and Nextflow first (tools/setup.sh).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/tools/setup.sh"
cd "$repo"

export PATH="$repo/.venv/bin:$PATH"
status=0
.venv/bin/python -m pytest tests "$@" || status=$?
if [[ $status -eq 5 ]]; then
    # pytest's "no tests collected" (e.g. a -k that selects nothing) is not a failure of the code.
    echo "run_tests: pytest collected no tests (exit 5); treating as success" >&2
    status=0
fi
exit $status
