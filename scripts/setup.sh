#!/usr/bin/env bash
# Installs what cruscotto_xl needs on a fresh Debian machine, skipping what is already there:
#   - LibreOffice Calc headless (recalculates generated workbooks) and poppler-utils (PNG renders);
#   - Pango and HarfBuzz-subset, which WeasyPrint needs for the report's PDF;
#   - a virtual environment .venv with the package and its test tools.
# Usage: bash scripts/setup.sh            (used by scripts/test.sh and scripts/demo.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
    echo "==> installo LibreOffice Calc (headless) e poppler-utils"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libreoffice-calc-nogui poppler-utils >/dev/null
fi

# WeasyPrint (PDF of `cruscotto relazione`) loads Pango and HarfBuzz-subset at run time
# (without the latter it warns that future versions will require it).
pdf_libs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if ! dpkg-query -W -f='${Status}\n' "${pdf_libs[@]}" 2>/dev/null \
        | grep -c "ok installed" | grep -qx "${#pdf_libs[@]}"; then
    echo "==> installo Pango e HarfBuzz (PDF della relazione)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${pdf_libs[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "==> creo l'ambiente virtuale .venv"
    if ! "$PY" -m venv .venv 2>/dev/null; then
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3-venv python3-pip >/dev/null
        rm -rf .venv && "$PY" -m venv .venv
    fi
fi
echo "==> installo cruscotto-xl e gli strumenti di test in .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
