"""Rows are identified by the locked identity the workbook was generated with, never by
the editable code cell (issue 15, cause 5): swapping the code cells of two rows (locked,
but the sheet protection has no password) must not route a value into another indicator."""

from __future__ import annotations

import json
import os
import shutil
import time

import openpyxl
from support.hostile_b import cell_value
from support.hostile_c import describe, input_cell, run, type_input
from support.hostile_d import make_returns


def test_swapped_code_cells_do_not_route_values_into_other_indicators(tmp_path):
    plan, folder, books = make_returns(tmp_path)   # K1 = 120 («>= 100»), K2 = 8 («<= 10 gg»)
    path = books["Ufficio A"]
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


def _set_mtime(path, seconds_ago):
    t = time.time() - seconds_ago
    os.utime(path, (t, t))


def _consolida(folder, plan, master):
    result = run("consolida", folder, "--piano", plan, "--out", master, "--json")
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        describe(result)
    assert result.exit_code in (0, 1)
    return json.loads(result.output)


def test_two_different_files_of_one_office_are_not_decided_by_file_time(tmp_path):
    plan, folder, books = make_returns(tmp_path)
    master = tmp_path / "m.xlsx"
    _consolida(folder, plan, master)                       # the master holds K1 = 120
    copy = folder / "Ufficio_A_bis.xlsx"
    shutil.copy(books["Ufficio A"], copy)
    type_input(copy, "K1", 130)
    _set_mtime(books["Ufficio A"], 3600)
    _set_mtime(copy, 0)
    data = _consolida(folder, plan, master)
    about = [p for p in data["problemi"] if "più cartelle diverse" in p["message"]]
    assert sorted(p["where"]["file"] for p in about) == sorted([books["Ufficio A"].name,
                                                                copy.name])
    assert all(p["severity"] == "errore" for p in about)
    assert cell_value(master, "K1") == 120                  # kept, not the newest file's
    assert cell_value(master, "K3") == 12                   # the other office unaffected


def test_a_copy_with_the_same_values_is_one_file(tmp_path):
    plan, folder, books = make_returns(tmp_path)
    shutil.copy(books["Ufficio A"], folder / "copia.xlsx")
    master = tmp_path / "m.xlsx"
    data = _consolida(folder, plan, master)
    assert cell_value(master, "K1") == 120
    assert not [p for p in data["problemi"] if p["severity"] == "errore"]


def test_an_office_claiming_another_office_does_not_push_its_file_out(tmp_path):
    plan, folder, books = make_returns(tmp_path)
    forged = folder / "falso.xlsx"
    shutil.copy(books["Ufficio A"], forged)
    wb = openpyxl.load_workbook(forged)
    sheet, coord = next(iter(wb.defined_names["crx_ufficio"].destinations))
    wb[sheet][coord.replace("$", "")] = "Ufficio B"
    wb.save(forged)
    _set_mtime(books["Ufficio B"], 3600)
    _set_mtime(forged, 0)
    master = tmp_path / "m.xlsx"
    data = _consolida(folder, plan, master)
    assert cell_value(master, "K3") == 12
    states = {s["file"]: s["stato"] for s in data["uffici"]}
    assert states.get(books["Ufficio B"].name) == "restituita", data["uffici"]
    assert any(p["where"].get("file") == "falso.xlsx" and p["severity"] == "errore"
               for p in data["problemi"])
