"""Formula indicators over named measures in a generated workbook, recalculated by
LibreOffice (one batch), equal the Python engine (docs/rules.md «Formule su misure»).

EC27-shaped ``(ProvStrut − OnStrut) / ProvStrut`` and DFP 1.3-shaped ``Dip_Form /
(Unit_Stab + N_Dir)`` indicators of seed 004, plus ``OnStrut / ProvStrut`` sharing
ProvStrut with EC27. Measures are typed with openpyxl into the cells their defined names
point at (as an office would, which also drops every cached value), and the expected
grades are written by hand next to each case.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from cruscotto_xl.core.input_checks import forbids_negative, measure_check
from cruscotto_xl.core.rules import INVALID, MISSING
from cruscotto_xl.io.libreoffice import INSTALL_HINT, find_soffice, recalculate
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.locate import defined_cell, find_table, registry
from cruscotto_xl.services.verify import compare_with_engine
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import MEASURE_INDEX, TABLE_CHECKS, TABLE_MEASURES

CODES = ("ProvStrut", "OnStrut", "Dip_Form", "Unit_Stab", "N_Dir")


def plan_data(values: dict[str, object] | None = None, actuals: dict[str, float] | None = None
              ) -> dict:
    """The plan; ``values``: each measure's value at 31/12/2024 (a text is kept as typed)."""
    values = values or {}
    actuals = actuals or {}

    def valori(code: str) -> list[dict]:
        value = values.get(code)
        if value is None:
            return []
        key = "testo" if isinstance(value, str) else "valore"
        return [{"anno": 2024, key: value}]

    def indicator(code: str, formula: str, target: str, unit: str | None = None) -> dict:
        out = {"codice": code, "nome": f"Indicatore {code}", "target": {2024: target},
               "formula": formula}
        if unit:
            out["unita"] = unit
        if code in actuals:
            out["consuntivi"] = [{"anno": 2024, "valore": actuals[code]}]
        return out

    return {
        "ente": "Camera di Commercio di Prova", "anno": 2024,
        "ufficio_predefinito": "Controllo di gestione",
        "misure": [{"codice": c, "nome": f"Misura {c}", "unita": "N.",
                    **({"valori": valori(c)} if valori(c) else {})} for c in CODES],
        "ambiti": [{"codice": "1", "titolo": "Ambito", "obiettivi": [
            {"codice": "1.1", "titolo": "Efficienza", "indicatori": [
                indicator("EC27", "(ProvStrut − OnStrut) / ProvStrut", ">= 80 %", "%"),
                indicator("EC28", "OnStrut / ProvStrut", "<= 30 %", "%"),
                indicator("DFP13", "Dip_Form / (Unit_Stab + N_Dir)", ">= 2"),
            ]}]}],
    }


TYPED = {"ProvStrut": 200, "OnStrut": 50, "Dip_Form": 30, "Unit_Stab": 10, "N_Dir": 5}


@dataclass(frozen=True)
class Case:
    values: dict[str, object]
    expected: dict[str, float | str]       # by hand
    actuals: dict[str, float] | None = None


CASES = {
    # EC27 = 150/200 = 0.75 → 0.75/0.8; EC28 = 0.25 ≤ 0.3 → 1; DFP = 30/15 = 2 → 1
    "typed": Case(TYPED, {"EC27": 0.9375, "EC28": 1.0, "DFP13": 1.0}),
    # ProvStrut changes once, both indicators using it change:
    # EC27 = 50/100 = 0.5 → 0.5/0.8 = 0.625; EC28 = 0.5 > 0.3 → 0.3/0.5 = 0.6
    "shared": Case({**TYPED, "ProvStrut": 100}, {"EC27": 0.625, "EC28": 0.6, "DFP13": 1.0}),
    # a zero denominator: valore non valido (EC27 and EC28 by ProvStrut, DFP by 0 + 0)
    "zero": Case({**TYPED, "ProvStrut": 0, "OnStrut": 0, "Unit_Stab": 0, "N_Dir": 0},
                 {"EC27": INVALID, "EC28": INVALID, "DFP13": INVALID}),
    # a missing measure: dato mancante for every indicator that uses it
    "missing": Case({k: v for k, v in TYPED.items() if k not in ("OnStrut", "N_Dir")},
                    {"EC27": MISSING, "EC28": MISSING, "DFP13": MISSING}),
    # a text in a measure: valore non valido
    "text": Case({**TYPED, "ProvStrut": "n.d."},
                 {"EC27": INVALID, "EC28": INVALID, "DFP13": 1.0}),
    # a negative count: graded (30 / (10 - 5) = 6 → 1), flagged on Controlli
    "negative": Case({**TYPED, "N_Dir": -5}, {"EC27": 0.9375, "EC28": 1.0, "DFP13": 1.0}),
    # a typed actual overrides the formula: EC27 0.9 ≥ 0.8 → 1
    "override": Case(TYPED, {"EC27": 1.0, "EC28": 1.0, "DFP13": 1.0}, {"EC27": 0.9}),
}


def type_measures(path: Path, values: dict[str, object], actuals: dict[str, float]) -> None:
    """Type each measure in the cell its name points at, found through the crx_misure table."""
    wb = openpyxl.load_workbook(path)
    table = find_table(wb, TABLE_MEASURES)
    codes = [row["Codice"].value for row in table.rows]
    assert sorted(codes) == sorted(CODES)            # each measure once, EC27/EC28 share one
    for k, code in enumerate(codes, 1):
        cell = defined_cell(wb, f"crx_mis_{k:03d}")
        assert cell.parent.title == "Misure"
        assert cell.column == MEASURE_INDEX["value"] + 1
        assert table.rows[k - 1]["Codice"].row == cell.row
        if values.get(code) is not None:
            cell.value = values[code]
    for entry in registry(wb):
        for row in find_table(wb, entry.table).rows:
            if row["Codice"].value in actuals:
                row["Consuntivo"].value = actuals[row["Codice"].value]
    wb.save(path)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, Path]:
    if find_soffice() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    src = tmp_path_factory.mktemp("misure")
    template = plan_from_data(plan_data())
    paths = {}
    for label, case in CASES.items():
        path = src / f"{label}.xlsx"
        write_workbook(template, path)
        type_measures(path, case.values, case.actuals or {})
        paths[label] = path
    outputs = recalculate(list(paths.values()), tmp_path_factory.mktemp("rc"))
    return {label: outputs[path] for label, path in paths.items()}


def grade_cells(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for entry in registry(wb):
        for row in find_table(wb, entry.table).rows:
            out[row["Codice"].value] = row["Grado"].value
    return out


@pytest.mark.parametrize("label", list(CASES))
def test_libreoffice_equals_the_engine_and_the_hand_computed_grades(recalculated, label):
    case = CASES[label]
    plan = plan_from_data(plan_data(case.values, case.actuals))
    comparison = compare_with_engine(recalculated[label], plan)
    assert comparison.equal, comparison.mismatches
    assert comparison.compared > 3
    got = grade_cells(recalculated[label])
    for code, expected in case.expected.items():
        if isinstance(expected, float):
            assert got[code] == pytest.approx(expected, abs=1e-12), (label, code)
        else:
            assert got[code] == expected, (label, code)


#: The Controlli outcome of each measure that is not OK, by hand (units «N.»: no negatives).
CHECKS = {
    "typed": {},
    "missing": {"OnStrut": "Manca il valore della misura", "N_Dir": "Manca il valore della misura"},
    "text": {"ProvStrut": "Valore della misura non numerico"},
    "negative": {"N_Dir": "Valore della misura negativo: l'unità non lo ammette"},
}


@pytest.mark.parametrize("label", list(CHECKS))
def test_controlli_flags_measures_typed_as_text_negative_or_missing(recalculated, label):
    wb = openpyxl.load_workbook(recalculated[label], data_only=True)
    rows = find_table(wb, TABLE_CHECKS).rows
    got = {row["Codice"].value: row["Esito"].value for row in rows
           if row["Foglio"].value == "Misure"}
    assert sorted(got) == sorted(CODES)
    assert {code: outcome for code, outcome in got.items() if outcome != "OK"} == CHECKS[label]
    # and the Python twin says the same of the values as typed
    for code, outcome in got.items():
        assert measure_check(CASES[label].values.get(code), forbids_negative("N.")) == outcome
