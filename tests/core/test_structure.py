"""Organisation chart: grades per area and office, and the valida checks of structure and
individual scorecards. Expected grades are computed by hand (ratio rule, equal weights)."""

from __future__ import annotations

from typing import Any

import pytest

from cruscotto_xl.core.model import Plan
from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.core.structure import area_of_office, find_area, structure_grades


def _indicator(code: str, office: str, target: str, actual: float) -> dict[str, Any]:
    return {"codice": code, "nome": f"Indicatore {code}", "uffici": [office],
            "target": {2024: target}, "consuntivi": [{"anno": 2024, "valore": actual}]}


def _plan(**extra: Any) -> Plan:
    data: dict[str, Any] = {
        "ente": "Comune di Prova", "anno": 2024,
        "ambiti": [{"codice": "A", "titolo": "Ambito", "obiettivi": [
            {"codice": "OS1", "titolo": "Obiettivo", "indicatori": [
                _indicator("I1", "Servizio Uno", ">= 10", 5),      # 0,5
                _indicator("I2", "Servizio Due", ">= 10", 10),     # 1
                _indicator("I3", "Servizio Tre", ">= 20", 18),     # 0,9
            ]}]}],
        "struttura": {"aree": [
            {"codice": "AI", "nome": "Area I", "dirigente": "Rossi",
             "uffici": ["servizio uno", "Servizio Due"]},
            {"codice": "AII", "nome": "Area II", "uffici": ["Servizio Tre"]}]},
    }
    data.update(extra)
    return Plan.model_validate(data)


def test_area_grade_is_the_rollup_of_its_offices_indicators() -> None:
    grades = {(g.kind, g.code): g for g in structure_grades(_plan())}
    assert grades[("area", "AI")].grade.value == pytest.approx(0.75)
    assert grades[("area", "AI")].indicators == 2
    assert grades[("area", "AII")].grade.value == pytest.approx(0.9)
    assert grades[("ufficio", "Servizio Uno")].grade.value == pytest.approx(0.5)
    assert grades[("ufficio", "Servizio Tre")].grade.value == pytest.approx(0.9)


def test_lookups_ignore_case_and_spaces() -> None:
    plan = _plan()
    assert area_of_office(plan, "SERVIZIO  UNO").code == "AI"
    assert find_area(plan, "Area II").code == "AII"
    assert area_of_office(plan, "Altro") is None


def test_no_structure_changes_nothing() -> None:
    plan = _plan(struttura=None)
    assert [g.kind for g in structure_grades(plan)] == ["ufficio"] * 3
    assert not [p for p in validate_plan(plan) if "area" in p.message]


def _messages(plan: Plan) -> list[str]:
    return [f"{p.severity}: {p.message}" for p in validate_plan(plan)]


def test_structure_checks() -> None:
    plan = _plan(struttura={"aree": [
        {"codice": "AI", "nome": "Area I", "uffici": ["Servizio Uno", "Servizio Ignoto"]},
        {"codice": "ai", "nome": "Doppia", "uffici": ["Servizio Uno"]}]})
    text = "\n".join(_messages(plan))
    assert "errore: codice di area «ai» ripetuto" in text
    assert "«Servizio Uno» è sia nell'area «AI» sia nell'area «ai»" in text
    assert "avviso: l'ufficio «Servizio Ignoto» dell'area «AI» non è responsabile" in text
    assert "uffici in nessuna area" in text and "«Servizio Tre»" in text


def _person(**extra: Any) -> dict[str, Any]:
    person: dict[str, Any] = {
        "codice": "DIR1", "nome": "Anna Bianchi", "ruolo": "dirigente", "struttura": "AI",
        "obiettivi": [{"codice": "1", "titolo": "Lean Organization", "peso": 20,
                       "indicatori": [{"codice": "P1", "nome": "Stato di attuazione",
                                       "target": {2024: "100%"}}]}],
        "componenti_organizzative": [
            {"nome": "Performance di ente", "grado_di": "ente", "peso": 10, "target": ">= 80%"},
            {"nome": "Performance di area", "grado_di": "area", "peso": 40, "target": ">= 90%"}],
        "peso_comportamenti": 30}
    person.update(extra)
    return person


def test_a_complete_scorecard_passes() -> None:
    plan = _plan(obiettivi_individuali=[_person()])
    assert not [m for m in _messages(plan) if "Bianchi" in m or "DIR1" in m]
    assert plan.people[0].weights_total() == 100


def test_scorecard_checks() -> None:
    bad = _person(struttura="AIX", peso_comportamenti=20, componenti_organizzative=[
        {"nome": "Area", "grado_di": "area", "peso": 40, "target": "boh"},
        {"nome": "Obiettivo", "grado_di": "obiettivo", "riferimento": "OS9", "peso": 10}])
    plan = _plan(obiettivi_individuali=[bad, _person(nome="Altra")])
    text = "\n".join(_messages(plan))
    assert "pesano 90,00 in tutto (devono fare 100)" in text
    assert "struttura «AIX» sconosciuta" in text
    assert "«Area»: area «AIX» sconosciuta (aree: AI, AII)" in text
    assert "«Obiettivo»: obiettivo «OS9» non presente nel piano" in text
    assert "codice «DIR1» ripetuto" in text
    assert any("boh" in m for m in _messages(plan))
