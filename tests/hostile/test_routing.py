"""Rows are identified by the locked identity the workbook was generated with, never by
the editable code cell (issue 15, cause 5): swapping the code cells of two rows (locked,
but the sheet protection has no password) must not route a value into another indicator."""

from __future__ import annotations

import openpyxl
from support.hostile_b import cell_value
from support.hostile_c import describe, generate, input_cell, plan_data, run, type_input, write_plan


def test_swapped_code_cells_do_not_route_values_into_other_indicators(tmp_path):
    plan = write_plan(tmp_path, plan_data())
    folder = tmp_path / "ritorni"
    books = generate(plan, folder)
    path = books["Ufficio A"]
    type_input(path, "K1", 120)          # K1 «>= 100»: the value of the K1 row
    type_input(path, "K2", 8)            # K2 «<= 10 gg»: the value of the K2 row
    type_input(books["Ufficio B"], "K3", 12)
    s1, c1 = input_cell(path, "K1", "Codice")
    s2, c2 = input_cell(path, "K2", "Codice")
    wb = openpyxl.load_workbook(path)
    wb[s1][c1], wb[s2][c2] = "K2", "K1"
    wb.save(path)
    master = tmp_path / "m.xlsx"
    result = run("consolida", folder, "--piano", plan, "--out", master, "--json")
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        describe(result)
    assert result.exit_code in (0, 1)
    assert "valore bloccato modificato" in result.output          # the change is reported
    assert (cell_value(master, "K1"), cell_value(master, "K2")) == (120, 8)
