"""Regenerate the golden workbooks of tests/data/golden/ on purpose.

    python scripts/update_golden.py

tests/workbook/test_golden.py regenerates the same files in a temporary folder and compares
them with the committed ones part by part (XML split at tag boundaries, as XlsxWriter's own
test suite compares its files with Excel's), naming the first part and line that differ.
Run this script only when a difference is intended (a change of the writer, of the layout
or of XlsxWriter), look at `git diff --stat tests/data/golden` and say why in the commit.

The files are made from tests/data/golden/piano.yaml with every date fixed, so the same code
gives the same bytes:

- ``ufficio.xlsx``: the workbook of the office «Servizi alle imprese», as sent to it;
- ``principale.xlsx``: the master after one consolidation of the year end, where the offices
  returned their workbooks with values (one left empty, one typed as text).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cruscotto_xl.io.planfile import load_plan  # noqa: E402
from cruscotto_xl.returns.consolidate import consolidate, write_master  # noqa: E402
from cruscotto_xl.services.filling import Typed, fill_workbook  # noqa: E402
from cruscotto_xl.workbook import workbook_jobs, write_workbook  # noqa: E402

GOLDEN = ROOT / "tests" / "data" / "golden"
PLAN = GOLDEN / "piano.yaml"
OFFICE = "Servizi alle imprese"
#: When the golden files say they were made, returned and consolidated.
CREATED = datetime(2024, 12, 2, 9, 0, 0)
RETURNED = datetime(2025, 1, 20, 17, 30, 0)
CONSOLIDATED = datetime(2025, 1, 31, 12, 0, 0)

#: What the offices typed at the year end (K2 left empty; K6 typed as text, not Sì/No).
TYPED = {
    "K1": Typed(None, 460.0, 500.0, "pratiche telematiche"),
    "K3": Typed(date(2024, 10, 15)),
    "K4": Typed(date(2024, 3, 20), event_date=date(2024, 3, 1)),
    "K5": Typed(21.0),
    "K6": Typed("fatto"),
    "K7": Typed(1250.0),
    "K8": Typed(4.5),
}

FILES = ("ufficio.xlsx", "principale.xlsx")


def build(out: Path) -> dict[str, Path]:
    """Write the golden files into ``out``; returns them by name."""
    plan = load_plan(PLAN)
    office = out / FILES[0]
    write_workbook(plan, office, office=OFFICE, created=CREATED)
    with tempfile.TemporaryDirectory() as tmp:
        returned = Path(tmp) / "ritorni"
        returned.mkdir()
        stamp = RETURNED.timestamp()
        for name, path in workbook_jobs(plan, returned, per_office=True):
            write_workbook(plan, path, office=name, created=CREATED)
            fill_workbook(path, TYPED)
            os.utime(path, (stamp, stamp))       # «Ultima modifica» in Stato uffici
        result = consolidate(returned, plan)
        master = Path(tmp) / FILES[1]
        write_master(result, master, now=CONSOLIDATED)
        shutil.copyfile(master, out / FILES[1])
    return {name: out / name for name in FILES}


def main() -> int:
    for path in build(GOLDEN).values():
        print(f"written {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
