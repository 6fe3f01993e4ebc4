"""The acceptance of issue 15: `consolida` over the good returns plus one file of each bad
kind (the causes of every group) writes the master for all the good ones and lists each
bad one by name; it is never stopped by one file."""

from __future__ import annotations

import json
import shutil
import zipfile

import openpyxl
from support.hostile_b import cell_value, set_cell_xml
from support.hostile_c import (
    describe,
    generate,
    input_cell,
    plan_data,
    rewrite_zip,
    run,
    sheet_part,
    type_input,
    write_plan,
)
from support.hostile_d import oversized_plan_part


def test_consolida_writes_the_master_for_the_good_files_and_lists_every_bad_one(tmp_path):
    plan = write_plan(tmp_path, plan_data())
    folder = tmp_path / "ritorni"
    books = generate(plan, folder)
    good_a, good_b = books["Ufficio A"], books["Ufficio B"]
    type_input(good_a, "K1", 120)
    type_input(good_a, "K2", 8)
    type_input(good_b, "K3", 12)

    def copy_of_a(name: str):
        path = folder / name
        shutil.copy(good_a, path)
        return path

    bad = {}
    bad["nan.xlsx"] = copy_of_a("nan.xlsx")
    set_cell_xml(bad["nan.xlsx"], "K1", "NaN")
    bad["errore.xlsx"] = copy_of_a("errore.xlsx")
    set_cell_xml(bad["errore.xlsx"], "K1", "#DIV/0!", attrs=' t="e"')
    bad["enorme.xlsx"] = copy_of_a("enorme.xlsx")
    set_cell_xml(bad["enorme.xlsx"], "K1", "1E+308")
    bad["codici.xlsx"] = copy_of_a("codici.xlsx")
    s1, c1 = input_cell(bad["codici.xlsx"], "K1", "Codice")
    s2, c2 = input_cell(bad["codici.xlsx"], "K2", "Codice")
    wb = openpyxl.load_workbook(bad["codici.xlsx"])
    wb[s1][c1], wb[s2][c2] = "K2", "K1"
    wb.save(bad["codici.xlsx"])
    bad["piano_enorme.xlsx"] = copy_of_a("piano_enorme.xlsx")
    oversized_plan_part(bad["piano_enorme.xlsx"], 8)
    bad["doctype.xlsx"] = copy_of_a("doctype.xlsx")
    part = sheet_part(bad["doctype.xlsx"], "Riepilogo")
    rewrite_zip(bad["doctype.xlsx"], {part: lambda d: d.replace(
        b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet', 1)})
    bad["testo.xlsx"] = folder / "testo.xlsx"
    bad["testo.xlsx"].write_text("non sono una cartella Excel", encoding="utf-8")
    bad["troncato.xlsx"] = folder / "troncato.xlsx"
    bad["troncato.xlsx"].write_bytes(good_b.read_bytes()[:5000])
    bad["altro.xlsx"] = folder / "altro.xlsx"
    other = openpyxl.Workbook()
    other.active["A1"] = "=1+1"
    other.save(bad["altro.xlsx"])
    assert all(zipfile.is_zipfile(p) for n, p in bad.items() if n not in ("testo.xlsx",
                                                                          "troncato.xlsx"))

    master = tmp_path / "m.xlsx"
    result = run("consolida", folder, "--piano", plan, "--out", master, "--json")
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        describe(result)
    assert result.exit_code in (0, 1), describe(result)
    data = json.loads(result.output)
    assert master.exists()
    assert (cell_value(master, "K1"), cell_value(master, "K2"), cell_value(master, "K3")) \
        == (120, 8, 12)
    named = {p["where"].get("file") for p in data["problemi"]} | {
        s["file"] for s in data["uffici"] if s["stato"] != "restituita"}
    assert set(bad) <= named, sorted(set(bad) - named)
    states = {s["file"]: s["stato"] for s in data["uffici"]}
    assert states[good_a.name] == "restituita" and states[good_b.name] == "restituita"
