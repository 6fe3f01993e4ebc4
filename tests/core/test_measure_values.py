"""Measure values per year and period (``misure[].valori``) and the grade of formula
indicators from them, everywhere an effective actual is computed (docs/rules.md
«Formule su misure»). Expected values are computed by hand in the comments."""

from __future__ import annotations

import pytest

from cruscotto_xl.core.actuals import actual_number, indicator_actual, reference_for
from cruscotto_xl.core.audit import audit_plan
from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.core.rollup import evaluate
from cruscotto_xl.io.planfile import plan_from_data, plan_to_data
from cruscotto_xl.services.report import actual_text

EC27 = "(ProvStrut − OnStrut) / ProvStrut"
DFP = "Dip_Form / (Unit_Stab + N_Dir)"


def values(**by_code: object) -> dict[str, list[dict]]:
    return by_code  # type: ignore[return-value]


def plan_data(measure_values: dict[str, list[dict]], *, actuals: dict | None = None,
              targets: dict | None = None) -> dict:
    codes = ["ProvStrut", "OnStrut", "Dip_Form", "Unit_Stab", "N_Dir"]
    actuals = actuals or {}
    targets = targets or {}
    return {
        "ente": "Camera di Commercio di Prova", "anno": 2024,
        "ufficio_predefinito": "Controllo di gestione",
        "misure": [{"codice": c, "nome": f"Misura {c}",
                    **({"valori": measure_values[c]} if c in measure_values else {})}
                   for c in codes],
        "ambiti": [{"codice": "1", "titolo": "Ambito", "obiettivi": [
            {"codice": "1.1", "titolo": "Obiettivo", "indicatori": [
                {"codice": "EC27", "nome": "Quota pratiche", "peso": 50,
                 "target": targets.get("EC27", {2024: ">= 80 %"}), "formula": EC27,
                 "unita": "%", **({"consuntivi": actuals["EC27"]} if "EC27" in actuals else {})},
                {"codice": "DFP13", "nome": "Formazione", "peso": 50,
                 "target": targets.get("DFP13", {2024: ">= 2"}), "formula": DFP,
                 **({"consuntivi": actuals["DFP13"]} if "DFP13" in actuals else {})},
            ]}]}],
    }


def v(year: int, value: object, period: str = "31/12", **extra: object) -> dict:
    out = {"anno": year, "periodo": period, **extra}
    if isinstance(value, str):
        out["testo"] = value
    elif value is not None:
        out["valore"] = value
    return out


def grades(data: dict, year: int = 2024, period: str = "31/12") -> dict[str, object]:
    root = evaluate(plan_from_data(data), year, period)
    return {n.code: n.grade.cell for n in root.walk() if n.level == "indicatore"}


def test_formula_indicators_are_graded_from_the_plans_measure_values():
    # EC27 = (200 - 50) / 200 = 0.75 against >= 0.8 → 0.75 / 0.8 = 0.9375
    # DFP 1.3 = 30 / (10 + 5) = 2 against >= 2 → 1
    data = plan_data({"ProvStrut": [v(2024, 200)], "OnStrut": [v(2024, 50)],
                      "Dip_Form": [v(2024, 30)], "Unit_Stab": [v(2024, 10)],
                      "N_Dir": [v(2024, 5)]})
    assert validate_plan(plan_from_data(data)) == []
    assert grades(data) == pytest.approx({"EC27": 0.9375, "DFP13": 1.0})


def test_a_missing_measure_is_dato_mancante_and_a_zero_denominator_valore_non_valido():
    data = plan_data({"ProvStrut": [v(2024, 0)], "OnStrut": [v(2024, 0)],
                      "Dip_Form": [v(2024, 30)], "Unit_Stab": [v(2024, 10)]})   # no N_Dir
    assert grades(data) == {"EC27": "valore non valido", "DFP13": "dato mancante"}


def test_a_measure_typed_as_text_is_valore_non_valido():
    data = plan_data({"ProvStrut": [v(2024, "n.d.")], "OnStrut": [v(2024, 1)]})
    assert grades(data)["EC27"] == "valore non valido"


def test_values_are_per_year_and_period():
    data = plan_data({"ProvStrut": [v(2024, 100, "30/06"), v(2024, 200)],
                      "OnStrut": [v(2024, 60, "30/06"), v(2024, 20)]},
                     targets={"EC27": {2023: ">= 80 %", 2024: ">= 80 %"}})
    # 30/06: (100 - 60) / 100 = 0.4 → 0.4 / 0.8 = 0.5;  31/12: 180 / 200 = 0.9 → 1
    assert grades(data, 2024, "30/06")["EC27"] == pytest.approx(0.5)
    assert grades(data)["EC27"] == pytest.approx(1.0)
    assert grades(data, 2023)["EC27"] == "dato mancante"


def test_a_typed_actual_overrides_the_formula_as_it_overrides_numerator_denominator():
    data = plan_data({"ProvStrut": [v(2024, 200)], "OnStrut": [v(2024, 50)]},
                     actuals={"EC27": [{"anno": 2024, "valore": 0.4}]})
    # typed 0.4 wins over (200 - 50) / 200: 0.4 / 0.8 = 0.5
    assert grades(data)["EC27"] == pytest.approx(0.5)
    plan = plan_from_data(data)
    ind = next(s.indicator for s in plan.indicators() if s.indicator.code == "EC27")
    assert indicator_actual(ind, ind.actual_for(2024), plan.measure_values(2024)) == 0.4
    assert indicator_actual(ind, None, plan.measure_values(2024)) == pytest.approx(0.75)
    assert indicator_actual(ind, None, None) is None


def test_values_round_trip_through_the_plan_file_with_the_office_that_typed_them():
    data = plan_data({"ProvStrut": [v(2024, 200, ufficio="Registro"), v(2024, "n.d.", "30/06")]})
    plan = plan_from_data(data)
    again = plan_from_data(plan_to_data(plan))
    assert again == plan
    measure = again.measures[0]
    assert measure.value_for(2024).office == "Registro"
    assert measure.value_for(2024, "30/06").typed == "n.d."
    assert again.measure_values(2024) == {"ProvStrut": 200.0}


def test_a_relative_target_takes_last_years_formula_value_as_reference():
    # 2023: (100 - 40) / 100 = 0.6, the reference of the 2024 target «>= x-1»
    data = plan_data({"ProvStrut": [v(2023, 100), v(2024, 100)],
                      "OnStrut": [v(2023, 40), v(2024, 30)]},
                     targets={"EC27": {2023: ">= 50 %", 2024: ">= x-1"}})
    plan = plan_from_data(data)
    ind = next(s.indicator for s in plan.indicators() if s.indicator.code == "EC27")
    assert actual_number(ind, 2023, plan) == pytest.approx(0.6)
    assert actual_number(ind, 2023) is None           # without the plan: no measures
    assert reference_for(ind, 2024, plan=plan) == pytest.approx(0.6)
    # 2024: 0.7 against the reference 0.6 → 1
    assert grades(data)["EC27"] == pytest.approx(1.0)


def test_the_report_shows_a_formula_indicators_actual():
    data = plan_data({"ProvStrut": [v(2024, 200)], "OnStrut": [v(2024, 50)]})
    plan = plan_from_data(data)
    ind = next(s.indicator for s in plan.indicators() if s.indicator.code == "EC27")
    assert actual_text(ind, None, 2024, plan.measure_values(2024)) == "75,00 %"


def test_the_audit_grades_a_formula_indicators_actual_with_its_measures():
    # a typed text actual of a formula indicator is still reported as invalid
    data = plan_data({"ProvStrut": [v(2024, 200)], "OnStrut": [v(2024, 50)]},
                     actuals={"EC27": [{"anno": 2024, "valore": 0.75}]})
    found = [p.message for p in audit_plan(plan_from_data(data), 2024)]
    assert not [m for m in found if "EC27" in m or "consuntivo" in m]


def test_valida_refuses_two_values_of_a_measure_for_the_same_year_and_period():
    data = plan_data({"ProvStrut": [v(2024, 200), v(2024, 210)]})
    found = [(p.severity, str(p.location), p.message) for p in validate_plan(plan_from_data(data))]
    assert len(found) == 1
    severity, where, message = found[0]
    assert severity == "errore"
    assert "misure[0].valori[1]" in where
    assert "ProvStrut" in message and "31/12/2024" in message
