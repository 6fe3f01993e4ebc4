"""Plan-level measures (``misure``) and indicator formulas over them: model and ``valida``
(docs/rules.md «Formule su misure»)."""

from __future__ import annotations

from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.io.planfile import plan_from_data, plan_to_data


def measure(code: str, name: str = "", **extra: str) -> dict:
    return {"codice": code, "nome": name or f"Misura {code}", **extra}


def plan_with(formulas: dict[str, str], measures: list[dict], **indicator_extra) -> dict:
    weight = 100 / len(formulas)
    return {
        "ente": "Camera di Commercio di Prova", "anno": 2024,
        "ufficio_predefinito": "Controllo di gestione",
        "misure": measures,
        "ambiti": [{"codice": "1", "titolo": "Ambito", "obiettivi": [
            {"codice": "1.1", "titolo": "Obiettivo", "indicatori": [
                {"codice": code, "nome": f"Indicatore {code}", "peso": weight,
                 "target": {2024: ">= 50 %"}, "formula": formula, **indicator_extra}
                for code, formula in formulas.items()]}]}],
    }


EC27 = "(ProvStrut − OnStrut) / ProvStrut"
DFP = "Dip_Form / (Unit_Stab + N_Dir)"
FIVE = [measure("ProvStrut", "Provvedimenti strutturati", unita="N.", ufficio="Registro",
                fonte="Registro imprese"), measure("OnStrut"), measure("Dip_Form"),
        measure("Unit_Stab"), measure("N_Dir")]


def messages(data: dict) -> list[tuple[str, str, str]]:
    return [(p.severity, str(p.location), p.message) for p in validate_plan(plan_from_data(data))]


def test_a_plan_with_measures_and_formulas_is_valid_and_round_trips():
    data = plan_with({"EC27": EC27, "DFP13": DFP}, FIVE)
    plan = plan_from_data(data)
    assert validate_plan(plan) == []
    assert [m.code for m in plan.measures] == ["ProvStrut", "OnStrut", "Dip_Form", "Unit_Stab",
                                                "N_Dir"]
    first = plan.measures[0]
    assert (first.name, first.unit, first.office, first.source) == (
        "Provvedimenti strutturati", "N.", "Registro", "Registro imprese")
    again = plan_from_data(plan_to_data(plan))
    assert again == plan


def test_a_plan_without_measures_writes_no_measure_key():
    data = plan_with({"K1": "A"}, [measure("A")])
    del data["misure"]
    del data["ambiti"][0]["obiettivi"][0]["indicatori"][0]["formula"]
    written = plan_to_data(plan_from_data(data))
    assert "misure" not in written
    assert "formula" not in written["ambiti"][0]["obiettivi"][0]["indicatori"][0]


def test_unknown_measure_codes_are_errors_naming_them():
    found = messages(plan_with({"EC27": EC27}, [measure("ProvStrut")]))
    assert len(found) == 1
    severity, where, message = found[0]
    assert severity == "errore"
    assert "formula" in where
    assert "misura sconosciuta «OnStrut»" in message


def test_duplicate_measure_codes_are_errors():
    found = messages(plan_with({"K1": "A / B"}, [measure("A"), measure("B"), measure("A")]))
    assert [(s, m) for s, _, m in found] == [
        ("errore", "codice misura «A» ripetuto (già in misure[0]): dare a ogni misura un "
                   "codice diverso")]
    assert "misure[2].codice" in found[0][1]


def test_measures_never_used_are_warnings():
    found = messages(plan_with({"K1": "A * 2"}, [measure("A"), measure("Unused")]))
    assert [(s, m) for s, _, m in found] == [
        ("avviso", "misura «Unused» non usata da nessuna formula: toglierla o usarla in una "
                   "formula")]


def test_a_formula_with_numerator_and_denominator_is_refused():
    found = messages(plan_with({"K1": "A / B"}, [measure("A"), measure("B")],
                               numeratore="Pratiche evase", denominatore="Pratiche ricevute"))
    assert len(found) == 1
    assert found[0][0] == "errore"
    assert "sia una formula sia numeratore/denominatore" in found[0][2]


def test_an_unreadable_formula_is_an_error_with_its_position():
    found = messages(plan_with({"K1": "(A + B"}, [measure("A"), measure("B")]))
    assert len(found) == 1
    assert found[0][0] == "errore"
    assert "parentesi aperta e mai chiusa" in found[0][2]
    assert "posizione 7" in found[0][2]


def test_a_measure_code_that_a_formula_cannot_name_is_an_error():
    found = messages(plan_with({"K1": "A"}, [measure("A"), measure("Imprese attive")]))
    severities = sorted(s for s, _, _ in found)
    assert severities == ["avviso", "errore"]
    assert any("«Imprese attive» non usabile in una formula" in m for _, _, m in found)
