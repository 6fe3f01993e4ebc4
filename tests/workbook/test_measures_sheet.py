"""The Misure sheet (workbook/sheets/measures.py): the measures a workbook's formulas use,
typed once, through defined names; plans without measures are unchanged."""

from __future__ import annotations

import openpyxl
from support import EXAMPLES

from cruscotto_xl.io.planfile import load_plan, plan_from_data
from cruscotto_xl.returns.locate import find_table, registry
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.layout import TABLE_MEASURES


def plan_data() -> dict:
    measures = [
        {"codice": "ProvStrut", "nome": '=HYPERLINK("http://x")', "unita": "N.",
         "ufficio": "Registro", "fonte": "+Registro imprese",
         "valori": [{"anno": 2024, "valore": 200}, {"anno": 2024, "periodo": "30/06",
                                                     "valore": 90}]},
        {"codice": "OnStrut", "nome": "Pratiche online", "valori": [{"anno": 2024, "valore": 50}]},
        {"codice": "Dip_Form", "nome": "Dipendenti formati"},
        {"codice": "Unit_Stab", "nome": "Unità stabili"},
        {"codice": "N_Dir", "nome": "Dirigenti"},
    ]
    return {
        "ente": "Camera di Commercio di Prova", "anno": 2024, "misure": measures,
        "ambiti": [{"codice": "1", "titolo": "Ambito", "obiettivi": [
            {"codice": "1.1", "titolo": "Registro", "uffici": ["Registro"], "indicatori": [
                {"codice": "EC27", "nome": "Quota", "target": {2024: ">= 80 %"},
                 "formula": "(ProvStrut - OnStrut) / ProvStrut", "unita": "%"},
                {"codice": "EC28", "nome": "Online", "target": {2024: "<= 30 %"},
                 "formula": "OnStrut / ProvStrut", "unita": "%"}]},
            {"codice": "1.2", "titolo": "Personale", "uffici": ["Personale"], "indicatori": [
                {"codice": "DFP13", "nome": "Formazione", "target": {2024: ">= 2"},
                 "formula": "Dip_Form / (Unit_Stab + N_Dir)"},
                {"codice": "P1", "nome": "Senza formula", "target": {2024: ">= 2"}}]}]}],
    }


def measure_rows(path) -> list[dict]:
    wb = openpyxl.load_workbook(path)
    return find_table(wb, TABLE_MEASURES).rows


def test_each_measure_is_listed_once_with_an_unlocked_named_input(tmp_path):
    path = tmp_path / "piano.xlsx"
    write_workbook(plan_from_data(plan_data()), path, with_actuals=True)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames.index("Misure") == wb.sheetnames.index("Controlli") - 2
    rows = find_table(wb, TABLE_MEASURES).rows
    assert [r["Codice"].value for r in rows] == ["ProvStrut", "OnStrut", "Dip_Form",
                                                 "Unit_Stab", "N_Dir"]
    first = rows[0]
    assert first["Indicatori"].value == "EC27, EC28"          # shared, typed once
    assert (first["Valore"].value, first["Valore 30/06"].value) == (200, 90)
    assert first["Valore"].protection.locked is False
    for key in ("Codice", "Misura", "Unità", "Ufficio", "Fonte", "Indicatori", "Valore 30/06"):
        assert first[key].protection.locked is not False, key
    # texts are never formulas: a name or a source starting with = or + stays text
    assert first["Misura"].value == '=HYPERLINK("http://x")'
    assert first["Misura"].data_type == "s" and first["Misura"].quotePrefix
    assert first["Fonte"].data_type == "s" and first["Fonte"].quotePrefix
    names = {n: d.attr_text for n, d in wb.defined_names.items() if n.startswith("crx_mis_")}
    assert names == {f"crx_mis_{k:03d}": f"'Misure'!$G${6 + k - 1}" for k in range(1, 6)}
    assert wb["Misure"].protection.sheet
    # the effective actual reads the measures by name, the typed actual first
    sheet = wb[registry(wb)[0].sheet]
    table = find_table(wb, registry(wb)[0].table)
    effective = table.rows[0]["Consuntivo effettivo"].value
    actual = table.rows[0]["Consuntivo"].coordinate
    assert effective.startswith(f'=IF({actual}<>"",{actual},')
    assert "crx_mis_001" in effective and "crx_mis_002" in effective
    assert "Misure!" not in effective and sheet.title != "Misure"


def test_an_office_workbook_lists_only_the_measures_of_its_indicators(tmp_path):
    plan = plan_from_data(plan_data())
    written = {}
    for office, path in workbook_jobs(plan, tmp_path, per_office=True):
        write_workbook(plan, path, office=office)
        written[office] = [r["Codice"].value for r in measure_rows(path)]
        # the plan part it carries has only those measures (and their values)
        carried = [m.code for m in read_workbook(path).embedded_plan().measures]
        assert carried == written[office]
    assert written == {"Registro": ["ProvStrut", "OnStrut"],
                       "Personale": ["Dip_Form", "Unit_Stab", "N_Dir"]}


def test_a_template_leaves_the_inputs_empty(tmp_path):
    path = tmp_path / "modello.xlsx"
    write_workbook(plan_from_data(plan_data()), path)
    assert [r["Valore"].value for r in measure_rows(path)] == [None] * 5
    # other periods' values are the plan's (locked), as on the objective sheets
    assert measure_rows(path)[0]["Valore 30/06"].value == 90


def test_a_plan_without_measures_has_no_misure_sheet_nor_names(tmp_path):
    path = tmp_path / "operativo.xlsx"
    write_workbook(load_plan(EXAMPLES / "piano-operativo-2023.yaml"), path)
    wb = openpyxl.load_workbook(path)
    assert "Misure" not in wb.sheetnames
    assert not [n for n in wb.defined_names if n.startswith("crx_mis_")]
