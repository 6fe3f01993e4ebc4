"""The command line answers at once: starting it imports none of the heavy libraries that
only some commands need (xlwings pulls in matplotlib; openpyxl pulls in numpy and PIL)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("xlwings", "matplotlib", "weasyprint", "openpyxl", "pandas", "numpy", "PIL",
         "pyarrow", "docx")

PROBE = """
import json, sys
sys.argv = ["cruscotto", *{args!r}]
from cruscotto_xl.cli.app import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args), heavy=HEAVY)],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_and_a_plain_command_import_no_heavy_library(tmp_path):
    assert _loaded("--help") == []
    assert _loaded("valida", "--help") == []
    plan = tmp_path / "piano.yaml"
    plan.write_text("ente: Comune di prova\nanno: 2024\nambiti: []\n", encoding="utf-8")
    assert _loaded("valida", str(plan)) == []


def test_the_probe_sees_a_heavy_import():
    """The probe is not blind: a library imported before it runs is listed."""
    done = subprocess.run([sys.executable, "-c", "import json, sys, openpyxl; print(json.dumps("
                           f"sorted(m for m in {HEAVY!r} if m in sys.modules)))"],
                          capture_output=True, text=True, timeout=120, check=True)
    assert "openpyxl" in json.loads(done.stdout)
