"""Reading the Misure sheet back (by the crx_misure table and its headers), its locked
cells in the tamper hash, and ricalcola keeping every typed measure."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from cruscotto_xl.core.actuals import plan_with_typed
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.integrity import integrity_problems
from cruscotto_xl.returns.locate import registry
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.returns.refresh import RefreshError, refresh_workbook
from cruscotto_xl.services.verify import compare_with_engine
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import TABLE_MEASURES


def plan_data() -> dict:
    return {
        "ente": "Camera di Commercio di Prova", "anno": 2024,
        "ufficio_predefinito": "Registro",
        "misure": [{"codice": c, "nome": f"Misura {c}", "unita": unit}
                   for c, unit in (("ProvStrut", "N."), ("OnStrut", "N."), ("Dip_Form", "N."),
                                   ("Unit_Stab", None), ("N_Dir", "n"))],
        "ambiti": [{"codice": "1", "titolo": "Ambito", "obiettivi": [
            {"codice": "1.1", "titolo": "Efficienza", "indicatori": [
                {"codice": "EC27", "nome": "Quota", "target": {2024: ">= 80 %"},
                 "formula": "(ProvStrut - OnStrut) / ProvStrut", "unita": "%"},
                {"codice": "EC28", "nome": "Online", "target": {2024: "<= 30 %"},
                 "formula": "OnStrut / ProvStrut", "unita": "%"},
                {"codice": "DFP13", "nome": "Formazione", "target": {2024: ">= 2"},
                 "formula": "Dip_Form / (Unit_Stab + N_Dir)"}]}]}],
    }


@pytest.fixture(scope="module")
def plan():
    return plan_from_data(plan_data())


@pytest.fixture(scope="module")
def template(plan, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "registro.xlsx"
    write_workbook(plan, path)
    return path


def typed_copy(template: Path, tmp_path: Path, values: dict[str, object]) -> Path:
    path = tmp_path / "registro.xlsx"
    shutil.copy(template, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Misure"]
    for row in ws.iter_rows(min_row=6, max_row=10):
        code = row[0].value
        if code in values:
            row[6].value = values[code]
    wb.save(path)
    return path


def test_measures_are_read_by_table_and_header_with_every_conversion_reported(template,
                                                                              tmp_path):
    path = typed_copy(template, tmp_path, {"ProvStrut": "1.234,5", "OnStrut": "n.d.",
                                           "Dip_Form": "boh", "Unit_Stab": -3, "N_Dir": -2})
    reading = read_workbook(path)
    assert list(reading.measures) == ["ProvStrut", "OnStrut", "Dip_Form", "Unit_Stab", "N_Dir"]
    assert reading.measure_values() == {"ProvStrut": 1234.5, "OnStrut": None, "Dip_Form": None,
                                        "Unit_Stab": -3.0, "N_Dir": -2.0}
    assert reading.measure_values(lenient=False) == {
        "ProvStrut": "1.234,5", "OnStrut": "n.d.", "Dip_Form": "boh", "Unit_Stab": -3.0,
        "N_Dir": -2.0}
    found = {(p.where.cell, p.severity): p.message for p in reading.problems
             if p.where.sheet == "Misure"}
    assert found == {
        ("G6", "avviso"): "misura «ProvStrut»: «1.234,5» scritto come testo: letto come "
                          "numero 1234.5",
        ("G8", "errore"): "misura «Dip_Form»: «boh» non è un numero: valore ignorato",
        # Unit_Stab has no unit: a negative value is not refused; «n» is a count
        ("G10", "avviso"): "misura «N_Dir»: -2 negativo, ma l'unità «n» non lo ammette: "
                           "verificare il dato",
    }
    assert reading.hash_matches
    held = reading.held_plan()
    assert held.measure_values(2024) == {"ProvStrut": 1234.5, "Unit_Stab": -3.0, "N_Dir": -2.0}


def test_a_changed_locked_cell_of_the_misure_sheet_breaks_the_hash_and_is_named(template,
                                                                               tmp_path):
    path = typed_copy(template, tmp_path, {"ProvStrut": 10})
    assert read_workbook(path).hash_matches          # typing a measure is not tampering
    wb = openpyxl.load_workbook(path)
    wb["Misure"]["B7"] = "Un'altra misura"
    wb.save(path)
    reading = read_workbook(path)
    assert not reading.hash_matches
    [problem] = integrity_problems(reading)
    assert (problem.where.sheet, problem.where.cell) == ("Misure", "B7")
    assert "«Misura OnStrut»" in problem.message and "«Un'altra misura»" in problem.message
    with pytest.raises(RefreshError):
        refresh_workbook(path)


def test_a_signature_covers_the_measures(template, tmp_path):
    path = typed_copy(template, tmp_path, {"ProvStrut": 10})
    before = read_workbook(path).inputs_fingerprint(None)
    path = typed_copy(template, tmp_path, {"ProvStrut": 11})
    assert read_workbook(path).inputs_fingerprint(None) != before


def test_ricalcola_keeps_every_typed_measure_and_grades_like_the_engine(plan, template,
                                                                        tmp_path):
    typed = {"ProvStrut": 200, "OnStrut": "50", "Dip_Form": 30, "Unit_Stab": 10, "N_Dir": 5}
    path = typed_copy(template, tmp_path, typed)
    before = [c.value for c in openpyxl.load_workbook(path)["Misure"]["G"][5:10]]
    result = refresh_workbook(path)
    assert result.changed and result.cells > 0
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["Misure"]["G"][5:10]] == before == [200, "50", 30, 10, 5]
    cached = openpyxl.load_workbook(path, data_only=True)
    sheet = cached[registry(cached)[0].sheet]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=7, max_row=9)}
    # cached effective actuals by hand: EC27 text «50» in a measure → invalid; DFP 30/15 = 2
    assert rows["EC27"][23].value == "valore non valido"
    assert rows["DFP13"][23].value == 2
    reading = read_workbook(path)
    graded = plan_with_typed(plan, reading.typed(lenient=False), 2024, raw=True,
                             replace_all=True, measures=reading.measure_values(lenient=False))
    comparison = compare_with_engine(path, graded)
    assert comparison.equal, comparison.mismatches
    content = path.read_bytes()
    assert refresh_workbook(path).changed is False
    assert path.read_bytes() == content


def test_the_table_name_is_the_contract(template):
    wb = openpyxl.load_workbook(template)
    assert TABLE_MEASURES in wb["Misure"].tables
