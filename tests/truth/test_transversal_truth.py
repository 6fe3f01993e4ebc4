"""Transversal indicators (docs/transversal.md), end to end: three services return their
workbooks, ``consolida`` keeps each service's value, and the master's ente value — a
native formula over the ``Trasversali`` block — equals the engine and the value worked
out by hand for every rule, once LibreOffice has recalculated the master (one soffice
call for the master and the three office workbooks). An ordinary indicator reported
differently by two services is still a conflict; each service's grade uses its own value.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.core.rollup import evaluate
from cruscotto_xl.io.libreoffice import find_soffice, recalculate
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.consolidate import consolidate, graded_plan, write_master
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.layout import SHEET_TRANSVERSAL, TABLE_TRANSVERSAL

OFFICES = ("Servizio A", "Servizio B", "Servizio C")


def _ind(code: str, rule: str | None, target: str, **extra: object) -> dict:
    data: dict = {"codice": code, "nome": f"Indicatore {code}", "target": {2024: target},
                  "uffici": "tutti", **extra}
    if rule is not None:
        data["trasversale"] = {"regola": rule}
    return data


PLAN = {
    "ente": "Camera di prova", "anno": 2024, "id": "trasv-2024",
    "uffici": [{"nome": o} for o in OFFICES],
    "ambiti": [{"codice": "A1", "titolo": "Ambito", "obiettivi": [
        {"codice": "OS1", "titolo": "Obiettivi trasversali", "indicatori": [
            _ind("TM", "media", ">= 20"),
            _ind("TS", "somma", ">= 100"),
            _ind("TN", "minimo", ">= 20"),
            _ind("TX", "massimo", "<= 30"),
            _ind("TW", "media pesata", ">= 80 %", unita="%", numeratore="pratiche nei termini",
                 denominatore="pratiche"),
            {**_ind("TF", "media_pesata", ">= 20"),
             "trasversale": {"regola": "media_pesata",
                             "pesi": {"Servizio A": 1, "Servizio B": 2, "Servizio C": 1}}},
            _ind("TG", "media", ">= 20"),
            _ind("TE", "media", ">= 20"),
            {"codice": "K2", "nome": "Ordinario di due servizi", "target": {2024: ">= 10"},
             "uffici": ["Servizio A", "Servizio B"]},
        ]}]}],
}

VALUES = {"Servizio A": 10.0, "Servizio B": 20.0, "Servizio C": 36.0}
FRACTIONS = {"Servizio A": (70.0, 100.0), "Servizio B": (45.0, 50.0), "Servizio C": (30.0, 40.0)}


def typed_for(office: str) -> dict[str, Typed]:
    v = VALUES[office]
    num, den = FRACTIONS[office]
    typed = {code: Typed(v) for code in ("TM", "TS", "TN", "TX", "TF")}
    typed["TW"] = Typed(None, num, den)
    if office != "Servizio C":
        typed["TG"] = Typed(v)                       # C leaves TG empty
    if office in ("Servizio A", "Servizio B"):
        typed["K2"] = Typed(12.0 if office == "Servizio A" else 8.0)
    return typed


#: The ente values worked out by hand from VALUES and FRACTIONS.
ENTE = {
    "TM": (10 + 20 + 36) / 3,                        # 22
    "TS": 10 + 20 + 36,                              # 66
    "TN": 10.0,
    "TX": 36.0,
    "TW": (70 + 45 + 30) / (100 + 50 + 40),          # Σ numeratori / Σ denominatori
    "TF": (1 * 10 + 2 * 20 + 1 * 36) / (1 + 2 + 1),  # 21,5
    "TG": (10 + 20) / 2,                             # C has no value: left out
}
#: The ente grades by hand (targets of PLAN).
ENTE_GRADES = {"TM": 1.0, "TS": 0.66, "TN": 0.5, "TX": 30 / 36,
               "TW": (145 / 190) / 0.8, "TF": 1.0, "TG": 15 / 20}
#: Servizio A's own grade of TM, TN (10 against >= 20) and TW (0,70 against >= 80 %).
OWN_GRADES_A = {"TM": 0.5, "TN": 0.5, "TW": 0.7 / 0.8}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    plan = plan_from_data(PLAN, "<trasversali>")
    returned = tmp_path_factory.mktemp("restituite")
    offices = {}
    for office, path in workbook_jobs(plan, returned, per_office=True):
        write_workbook(plan, path, office=office)
        fill_workbook(path, typed_for(office))
        offices[office] = path
    result = consolidate(returned, plan)
    master = tmp_path_factory.mktemp("master") / "master.xlsx"
    write_master(result, master)
    # openpyxl drops every cached value: LibreOffice must compute each formula
    plain = tmp_path_factory.mktemp("senza_valori")
    inputs = []
    for path in [master, *offices.values()]:
        wb = openpyxl.load_workbook(path)
        wb.save(plain / path.name)
        inputs.append(plain / path.name)
    outputs = recalculate(inputs, tmp_path_factory.mktemp("ricalcolate"))
    return {"plan": plan, "result": result, "master": outputs[inputs[0]],
            "offices": {o: outputs[plain / p.name] for o, p in offices.items()}}


def _cell_values(path: Path, code: str, keys: tuple[str, ...]) -> dict[str, object]:
    found = read_workbook(path).indicators[code]
    ws = openpyxl.load_workbook(path, data_only=True)[found.sheet]
    return {k: ws[found.cells[k]].value for k in keys}


def _office_block(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    ws = openpyxl.load_workbook(path, data_only=True)[SHEET_TRANSVERSAL]
    ref = ws.tables[TABLE_TRANSVERSAL].ref
    rows = list(ws[ref])
    headers = [c.value for c in rows[0]]
    out = {}
    for row in rows[1:]:
        values = dict(zip(headers, (c.value for c in row), strict=True))
        out[(values["Codice"], values["Ufficio"])] = values
    return out


@pytest.mark.parametrize("code", sorted(ENTE))
def test_ente_value_by_each_rule_equal_in_libreoffice_and_python(run, code):
    cells = _cell_values(run["master"], code, ("actual", "grade"))
    engine = graded_plan(run["result"])
    ind = next(s.indicator for s in engine.indicators() if s.indicator.code == code)
    python_value = ind.actual_for(2024).value
    assert math.isclose(cells["actual"], ENTE[code], rel_tol=1e-12)
    assert math.isclose(python_value, ENTE[code], rel_tol=1e-12)
    root = evaluate(engine, 2024)
    grade = next(n.grade.value for n in root.walk() if n.code == code)
    assert math.isclose(cells["grade"], ENTE_GRADES[code], rel_tol=1e-9)
    assert math.isclose(grade, ENTE_GRADES[code], rel_tol=1e-9)


def test_no_office_value_is_dato_mancante_not_zero(run):
    cells = _cell_values(run["master"], "TE", ("actual", "grade"))
    assert cells["actual"] in (None, "")
    assert cells["grade"] == "dato mancante"


def test_transversal_values_are_no_conflict_and_ordinary_still_is(run):
    conflicts = [p for p in run["result"].problems if "discordanti" in p.message]
    assert [p.subject for p in conflicts] == ["K2"]
    assert "Servizio A: 12" in conflicts[0].message and "Servizio B: 8" in conflicts[0].message
    assert "K2" in run["result"].unusable
    cells = _cell_values(run["master"], "K2", ("actual", "grade"))
    assert cells["actual"] in (None, "") and cells["grade"] == "dato mancante"


def test_missing_office_is_counted_and_left_out(run):
    warnings = [p.message for p in run["result"].problems if p.subject == "TG"]
    assert any("Servizio C" in m and "1 uffici su 3" in m for m in warnings)
    note = _cell_values(run["master"], "TG", ("note",))["note"]
    assert "2 uffici su 3" in note and "Servizio C" in note


def test_each_office_keeps_its_value_and_is_graded_by_it(run):
    block = _office_block(run["master"])
    assert len(block) == 8 * 3                       # eight transversal indicators, 3 offices
    for office, value in VALUES.items():
        assert block[("TM", office)]["Consuntivo"] == value
        assert block[("TW", office)]["Valore numeratore"] == FRACTIONS[office][0]
    for code, grade in OWN_GRADES_A.items():
        assert math.isclose(block[(code, "Servizio A")]["Grado dell'ufficio"], grade,
                            rel_tol=1e-9)
        own = _cell_values(run["offices"]["Servizio A"], code, ("grade",))["grade"]
        assert math.isclose(own, grade, rel_tol=1e-9)   # the office's workbook: same grade
    assert block[("TG", "Servizio C")]["Grado dell'ufficio"] == "dato mancante"
    assert block[("TM", "Servizio B")]["Grado dell'ufficio"] == 1


def test_master_read_back_remakes_the_ente_value(run):
    held = read_workbook(run["master"]).held_plan()
    ind = next(s.indicator for s in held.indicators() if s.indicator.code == "TW")
    assert {o: (a.numerator, a.denominator) for o, a in ind.office_actuals(2024).items()} \
        == FRACTIONS
    assert math.isclose(ind.actual_for(2024).value, ENTE["TW"], rel_tol=1e-12)
