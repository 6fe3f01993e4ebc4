"""Issue 15, cause 8: roll-ups must match codes exactly, whatever the codes are.

The summary's roll-ups used SUMIFS criteria built from the codes: codes differing only in
case, or holding the wildcards ``? * ~`` or a ``"``, passed `valida` but gave other grades
in Excel/LibreOffice (or #VALUE!). Here two sibling elements are graded 1 and 0 and weigh
50/50: by hand, the first is 100 %, the second 0 %, their parent 50 %. LibreOffice
recalculates the generated workbook (an independent route) and its Riepilogo must say the
same for every pair of codes.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from support.hostile_c import generate, plan_data, run, type_input, write_plan

from cruscotto_xl.io.libreoffice import find_soffice, recalculate

PAIRS = {
    "case": ("A1", "a1"),
    "star": ("A*", "AB"),
    "question": ("A?", "AB"),
    "tilde": ("A~1", "A1"),
    "tilde-star": ("A~*", "A*"),
    "quote": ('A"1', "A2"),
    "comparison": ("<>A", "=A"),
    "accented-case": ("É1", "é1"),
}
LEVELS = ("ambito", "os")


def _plan(folder, level, first, second):
    """Two ambiti of one OS each, or one ambito of two OS of one operational objective each
    (the OS grade rolls up its OO), with codes ``first``/``second``."""
    d = plan_data()
    os1, os2 = d["ambiti"][0]["obiettivi"]
    if level == "ambito":
        os1["peso"] = os2["peso"] = 100
        d["ambiti"] = [{"codice": first, "titolo": "Primo", "peso": 50, "obiettivi": [os1]},
                       {"codice": second, "titolo": "Secondo", "peso": 50, "obiettivi": [os2]}]
    else:
        os1["peso"] = os2["peso"] = 50
        os1["codice"], os2["codice"] = first, second
        for i, os_ in enumerate((os1, os2), 1):
            os_["obiettivi_operativi"] = [{"codice": f"OO{i}", "titolo": f"Operativo {i}",
                                           "indicatori": os_.pop("indicatori")}]
    return write_plan(folder, d)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """{(level, case): (valida exit code, {(level label, code): grade} of the recalculated
    Riepilogo)}: one LibreOffice call for all the workbooks."""
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    base = tmp_path_factory.mktemp("rollup_codes")
    stage = base / "stage"
    stage.mkdir()
    todo, result = {}, {}
    for level in LEVELS:
        for case, (first, second) in PAIRS.items():
            plan = _plan(base / f"{level}-{case}", level, first, second)
            code = run("valida", plan).exit_code
            if code != 0:
                result[(level, case)] = (code, None)
                continue
            [book] = generate(plan, base / f"{level}-{case}" / "out", per_office=False).values()
            type_input(book, "K1", 100)     # >= 100 → 1
            type_input(book, "K2", 10)      # <= 10 gg → 1
            type_input(book, "K3", 0)       # >= 10 → 0
            todo[(level, case)] = shutil.copy(book, stage / f"{level}-{case}.xlsx")
    out = recalculate(list(todo.values()), base / "rc") if todo else {}
    for key, staged in todo.items():
        ws = openpyxl.load_workbook(out[staged], data_only=True)["Riepilogo"]
        grades = {(ws.cell(r, 1).value, ws.cell(r, 2).value): ws.cell(r, 5).value
                  for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value}
        result[key] = (0, grades)
    return result


@pytest.mark.parametrize("case", list(PAIRS))
@pytest.mark.parametrize("level", LEVELS)
def test_rollups_match_exactly_for_any_code(recalculated, level, case):
    code, grades = recalculated[(level, case)]
    assert code == 0, "valida refused codes the workbook can roll up exactly"
    first, second = PAIRS[case]
    label = "Ambito" if level == "ambito" else "OS"
    parent = ("Ente", None) if level == "ambito" else ("Ambito", "A1")
    got = (grades[parent], grades[(label, first)], grades[(label, second)])
    assert got == (0.5, 1, 0), f"LibreOffice: parent, {first!r}, {second!r} = {got}"
