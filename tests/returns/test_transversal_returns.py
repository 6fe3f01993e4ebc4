"""Transversal indicators through the returns (docs/transversal.md): a second
consolidation keeps the values of a service that did not report again, the history has a
row per service, reminders ask each service for its own value, and the export has a row
per service that ``audit --consuntivi`` does not take for the ente's value."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pytest

from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.importers.tabella.actuals import read_table_actuals
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.returns.table import export_table
from cruscotto_xl.services.export import write_table
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.services.reminders import reminders
from cruscotto_xl.workbook import workbook_jobs, write_workbook

OFFICES = ("Area 1", "Area 2", "Area 3")
PLAN = {
    "ente": "Università di prova", "anno": 2025, "id": "uni-2025",
    "uffici": [{"nome": o, "email": f"area{k}@uni.invalid"} for k, o in enumerate(OFFICES, 1)],
    "ambiti": [{"codice": "A", "titolo": "Didattica", "obiettivi": [
        {"codice": "OS1", "titolo": "Servizi agli studenti", "indicatori": [
            {"codice": "T1", "nome": "Pratiche evase nei termini", "uffici": "tutti",
             "unita": "%", "numeratore": "evase nei termini", "denominatore": "ricevute",
             "target": {2025: ">= 90 %"}, "trasversale": {"regola": "media_pesata"}},
            {"codice": "K1", "nome": "Sportelli aperti", "uffici": ["Area 1"],
             "target": {2025: ">= 2"}},
        ]}]}],
}


def _returns(plan, folder: Path, typed: dict[str, dict[str, Typed]]) -> None:
    folder.mkdir(exist_ok=True)
    for office, path in workbook_jobs(plan, folder, per_office=True):
        if office in typed:
            write_workbook(plan, path, office=office)
            fill_workbook(path, typed[office])


@pytest.fixture
def plan():
    return plan_from_data(PLAN, "<uni>")


def _t1(held):
    return next(s.indicator for s in held.indicators() if s.indicator.code == "T1")


def test_second_consolidation_keeps_the_values_of_who_did_not_report(plan, tmp_path):
    first = tmp_path / "giro1"
    _returns(plan, first, {"Area 1": {"T1": Typed(None, 80, 100), "K1": Typed(2.0)},
                           "Area 2": {"T1": Typed(None, 45, 50)},
                           "Area 3": {"T1": Typed(None, 10, 50)}})
    master = tmp_path / "master.xlsx"
    write_master(consolidate(first, plan), master, now=datetime(2026, 1, 10, 9))
    second = tmp_path / "giro2"
    _returns(plan, second, {"Area 3": {"T1": Typed(None, 40, 50)}})
    write_master(consolidate(second, plan), master, now=datetime(2026, 1, 20, 9))
    reading = read_workbook(master)
    ind = _t1(reading.held_plan())
    own = {o: (a.numerator, a.denominator) for o, a in ind.office_actuals(2025).items()}
    assert own == {"Area 1": (80, 100), "Area 2": (45, 50), "Area 3": (40, 50)}
    assert math.isclose(ind.actual_for(2025).value, (80 + 45 + 40) / (100 + 50 + 50),
                        rel_tol=1e-12)
    rows = [r for r in reading.history if r[2] == "T1"]
    by_office = [(r[1], r[4], r[5]) for r in rows if r[1] in OFFICES]
    assert ("Area 2", "vuoto", "(45 / 50)") in by_office
    assert ("Area 3", "(10 / 50)", "(40 / 50)") in by_office
    assert len([r for r in by_office if r[0] == "Area 3"]) == 2      # first value, change
    assert len(rows) == 4 + 2     # the ente row + three first values, then ente + Area 3
    assert [r[1] for r in rows if r[1] not in OFFICES] == ["ente (Area 1, Area 2, Area 3)",
                                                           "ente (Area 3)"]


def test_each_office_owes_its_own_value(plan, tmp_path):
    _returns(plan, tmp_path / "r", {"Area 1": {"T1": Typed(None, 80, 100), "K1": Typed(2.0)},
                                    "Area 2": {"T1": Typed(None, 45, 50)},
                                    "Area 3": {}})
    result = consolidate(tmp_path / "r", plan)
    assert [m.code for m in result.missing.get("Area 3", [])] == ["T1"]
    assert "Area 1" not in result.missing and "Area 2" not in result.missing
    asked = {r.office: [m.code for m in r.missing] for r in reminders(result, plan)}
    assert asked.get("Area 3") == ["T1"]
    assert not asked.get("Area 1") and not asked.get("Area 2")


def test_export_has_one_row_per_office_not_read_back_as_the_ente_value(plan, tmp_path):
    _returns(plan, tmp_path / "r", {"Area 1": {"T1": Typed(None, 80, 100), "K1": Typed(2.0)},
                                    "Area 2": {"T1": Typed(None, 45, 50)},
                                    "Area 3": {"T1": Typed(None, 10, 50)}})
    master = tmp_path / "master.xlsx"
    write_master(consolidate(tmp_path / "r", plan), master)
    table = export_table(master)
    final = [r for r in table.rows if r.periodo == "31/12" and r.codice == "T1"]
    assert [(r.livello, r.uffici) for r in final] == [
        ("indicatore", "Area 1, Area 2, Area 3"), ("ufficio", "Area 1"), ("ufficio", "Area 2"),
        ("ufficio", "Area 3")]
    assert math.isclose(final[0].consuntivo, 135 / 200, rel_tol=1e-12)
    assert [(r.numeratore, r.denominatore) for r in final[1:]] == [(80, 100), (45, 50),
                                                                    (10, 50)]
    assert [r.grado for r in final[1:]] == pytest.approx([0.8 / 0.9, 1.0, 0.2 / 0.9])
    csv = write_table(table, tmp_path / "dati.csv")
    read = read_table_actuals(csv)
    t1 = [a for a in read.actuals["T1"] if a.period == "31/12"]
    assert len(t1) == 1 and math.isclose(t1[0].value, 135 / 200, rel_tol=1e-12)
    assert not [p for p in read.problems if "ripetuto" in p.message]


def test_consolida_button_refuses_a_master_with_transversal_indicators(plan, tmp_path):
    from cruscotto_xl.excel import macros
    from cruscotto_xl.excel.port import OpenpyxlPort

    _returns(plan, tmp_path / "r", {"Area 1": {"T1": Typed(None, 80, 100)}})
    master = tmp_path / "master.xlsx"
    write_master(consolidate(tmp_path / "r", plan), master)
    before = master.read_bytes()
    port = OpenpyxlPort(master)
    result = macros.consolida(port, tmp_path / "r")
    assert not result.ok
    assert "indicatori trasversali" in port.alerts[-1][1]
    assert master.read_bytes() == before


def test_office_workbook_says_its_grade_is_the_office_s(plan, tmp_path):
    import openpyxl

    _returns(plan, tmp_path / "r", {"Area 2": {}})
    path = next((tmp_path / "r").glob("*.xlsx"))
    found = read_workbook(path).indicators["T1"]
    wb = openpyxl.load_workbook(path)
    comment = wb[found.sheet][found.cells["grade"]].comment
    assert comment is not None and comment.text.startswith("Grado dell'ufficio")
    assert "media pesata" in comment.text
    assert wb[found.sheet][read_workbook(path).indicators.get("T1").cells["actual"]] \
        .protection.locked is False                  # its own input cell
    guide = [str(c.value) for row in wb["Istruzioni"].iter_rows() for c in row if c.value]
    assert any("grado dell'ufficio" in text for text in guide)
