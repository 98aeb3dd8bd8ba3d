#!/usr/bin/env bash
# Create .ref-venv (git-ignored) with the authors' scNET package, scnet 0.2.4, for the
# reference benchmarks. Run from anywhere; the venv lands in the repository root.
#
#   bash benchmarks/reference/setup_reference_venv.sh            # create or update .ref-venv
#   REF_VENV=/some/where PYTHON=python3.11 bash benchmarks/reference/setup_reference_venv.sh
#
# Pins are in requirements-ref.txt next to this script (the versions the baseline in
# ../shared/notes/scnet-reference.md was measured with). torch from PyPI brings its CUDA
# runtime wheels (several GB); they are unused on CPU.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${REF_VENV:-$repo/.ref-venv}"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --upgrade pip
"$venv/bin/python" -m pip install -r "$here/requirements-ref.txt"
# --no-deps: the package pins torch==2.6.0 and numpy==1.26.4, which it does not need.
"$venv/bin/python" -m pip install --no-deps scnet==0.2.4
# scNET applies warnings.filterwarnings('ignore') and prints on import; only check that it loads.
"$venv/bin/python" -c "import scNET, setuptools; print('scNET', scNET.__file__, 'setuptools', setuptools.__version__)"
echo "reference venv ready: $venv"
