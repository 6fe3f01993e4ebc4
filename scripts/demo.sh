#!/usr/bin/env bash
# The main job of the README on the bundled examples: install, then `cruscotto demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/cruscotto demo "$@"
