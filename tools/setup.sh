#!/usr/bin/env bash
# Set up everything the pipeline and the tests need, inside the repository; fast when already done.
#   1. .venv/ (created with python3.11, or $PYTHON) with the pinned versions of requirements.lock
#      and this package (editable, with its test and report extras);
#   2. Nextflow in tools/nextflow/lib/ (tools/install_nextflow.sh; Java 17+ and Maven needed).
# Needs PyPI and Maven Central (or their mirrors/caches) only the first time.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

log() { echo "[setup] $*" >&2; }

python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null; then python="$candidate"; break; fi
    done
fi
if [[ ! -x .venv/bin/python ]]; then
    [[ -n "$python" ]] || { log "no python3.11/python3 found; set PYTHON=/path/to/python3.11"; exit 1; }
    log "creating .venv with $("$python" --version 2>&1)"
    "$python" -m venv .venv
fi

# Reinstall only when the pins or the package metadata changed.
stamp=".venv/.scnetflow-setup"
want="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]] || ! .venv/bin/python -c "import scnetflow, pytest" 2>/dev/null; then
    log "installing requirements.lock and scnetflow (editable) into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
    # Everything is pinned above; --no-deps keeps pip from touching the pins.
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e ".[test,report]"
    echo "$want" >"$stamp"
else
    log ".venv is up to date"
fi

bash tools/install_nextflow.sh

# Headless Chromium for the report's browser test (Debian package; needs root and apt).
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
    log "installing Debian chromium for the report browser test"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
