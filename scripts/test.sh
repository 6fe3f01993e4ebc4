#!/usr/bin/env bash
# The test command of the README (and of .ci/run): install what tests need, then lint and test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> ruff"
.venv/bin/ruff check .
echo "==> pytest"
.venv/bin/python -m pytest -q "$@"
