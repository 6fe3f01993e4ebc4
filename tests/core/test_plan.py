"""Plan model, plan files, validation and roll-up."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cruscotto_xl.core.actuals import reference_for
from cruscotto_xl.core.model import Plan
from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.core.problems import has_errors
from cruscotto_xl.core.rollup import effective_weights, evaluate
from cruscotto_xl.io.planfile import PlanFileError, load_plan, plan_from_data, save_plan


def indicator(code, weight, target, actual=None, **extra):
    data = {"codice": code, "nome": f"Indicatore {code}", "peso": weight,
            "target": {2024: target}, **extra}
    if actual is not None:
        data["consuntivi"] = [{"anno": 2024, "valore": actual}]
    return data


def small_plan(**overrides) -> dict:
    data = {
        "ente": "Camera di Commercio di Prova",
        "anno": 2024,
        "ufficio_predefinito": "Controllo di gestione",   # every indicator has an owner
        "ambiti": [
            {"codice": "011", "titolo": "Utenti, imprese e territorio", "peso": 60, "obiettivi": [
                {"codice": "01", "titolo": "Digitalizzazione", "peso": 50, "indicatori": [
                    indicator("K1", 50, ">= 70,00 %", "63 %"),
                    indicator("K2", 30, "<= 10 gg", 20),
                    indicator("K3", 20, ">= 5 N."),          # missing → renormalized away
                ]},
                {"codice": "02", "titolo": "Innovazione", "peso": 50, "obiettivi_operativi": [
                    {"codice": "02.01", "titolo": "Bandi", "indicatori": [
                        indicator("K4", 100, "Entro 31-12-2024", "15/10/2024")]},
                    {"codice": "02.02", "titolo": "Eventi", "indicatori": [
                        indicator("K5", 100, ">= 4 N.", 2)]},
                ]},
            ]},
            {"codice": "032", "titolo": "Processi interni", "peso": 40, "obiettivi": [
                {"codice": "03", "titolo": "Trasparenza", "peso": 100, "indicatori": [
                    indicator("K6", 100, "Sì", "No")]},
            ]},
        ],
    }
    data.update(overrides)
    return data


def test_roll_up_with_renormalization_and_equal_weights():
    root = evaluate(plan_from_data(small_plan()))
    # K1 = 0.9, K2 = 0.5, K3 missing: (50·0.9 + 30·0.5) / 80 = 0.75
    assert root.find("os", "01").grade.value == pytest.approx(0.75)
    # OO without weights weigh the same: (1 + 0.5) / 2
    assert root.find("oo", "02.02").weight == 50
    assert root.find("os", "02").grade.value == pytest.approx(0.75)
    assert root.find("ambito", "011").grade.value == pytest.approx(0.75)
    assert root.find("ambito", "032").grade.value == 0.0
    assert root.grade.value == pytest.approx(0.6 * 0.75)
    assert root.find("indicatore", "K3").grade.reason == "dato mancante"


def test_nothing_graded_is_not_valutabile():
    data = small_plan()
    data["ambiti"][1]["obiettivi"][0]["indicatori"][0].pop("consuntivi")
    root = evaluate(plan_from_data(data))
    assert root.find("os", "03").grade.reason == "nessun elemento valutabile"
    assert root.grade.value == pytest.approx(0.75)   # the other ambito alone


def test_neutralized_indicator_is_excluded():
    data = small_plan()
    data["ambiti"][0]["obiettivi"][0]["indicatori"][1]["stati"] = [
        {"anno": 2024, "tipo": "neutralizzato", "nota": "causa esterna"}]
    root = evaluate(plan_from_data(data))
    assert root.find("os", "01").grade.value == pytest.approx(0.9)


def test_os_mix_policy():
    data = small_plan()
    os_ = data["ambiti"][0]["obiettivi"][1]
    os_["indicatori"] = [indicator("K7", 100, ">= 10", 10)]
    root = evaluate(plan_from_data(data))
    assert root.find("os", "02").grade.value == pytest.approx(0.5 * 1 + 0.5 * 0.75)
    data["politica"] = {"composizione_os": "indicatori"}
    assert evaluate(plan_from_data(data)).find("os", "02").grade.value == 1.0
    data["politica"] = {"composizione_os": "misto", "quota_indicatori_os": "80%"}
    assert evaluate(plan_from_data(data)).find("os", "02").grade.value == pytest.approx(
        0.8 + 0.2 * 0.75)


def test_effective_weights():
    assert effective_weights([None, None, None, None]) == [25.0] * 4
    assert effective_weights([60, 40]) == [60.0, 40.0]


def test_clean_plan_validates():
    assert validate_plan(plan_from_data(small_plan())) == []


def test_weights_30_30_30_name_the_group_and_the_sum():
    data = small_plan()
    data["ambiti"][0]["obiettivi"][0]["indicatori"] = [
        indicator("K1", 30, ">= 1"), indicator("K2", 30, ">= 1"), indicator("K3", 30, ">= 1")]
    problems = validate_plan(plan_from_data(data))
    assert has_errors(problems)
    [problem] = problems
    assert problem.location == "ambiti[0].obiettivi[0].indicatori"
    assert "«01»" in problem.message and "90,00" in problem.message


def test_weights_within_tolerance_pass():
    data = small_plan()
    data["ambiti"][0]["obiettivi"][0]["indicatori"] = [
        indicator(f"W{i}", w, ">= 1") for i, w in enumerate([14.28, 14.29, 14.28, 14.29, 14.28,
                                                             14.29, 14.28], 1)]
    assert validate_plan(plan_from_data(data)) == []   # sums to 99,99


def test_all_problems_at_once():
    data = small_plan()
    os_ = data["ambiti"][0]["obiettivi"][0]
    os_["indicatori"][0]["target"] = {2024: "settanta"}
    os_["indicatori"][1]["codice"] = "K5"                 # duplicate of the OO indicator
    os_["indicatori"][2]["peso"] = 10                     # 50 + 30 + 10 = 90
    data["ambiti"][1]["obiettivi"][0]["indicatori"][0]["stati"] = [
        {"anno": 2024, "tipo": "forzato", "nota": "deroga"}]
    problems = validate_plan(plan_from_data(data))
    messages = "\n".join(str(p) for p in problems)
    assert "«settanta»" in messages and "target.2024" in messages
    assert "«K5» ripetuto" in messages
    assert "90,00" in messages
    assert "forzato senza grado" in messages
    assert sum(p.severity == "errore" for p in problems) == 4


def test_yaml_and_json_round_trip(tmp_path):
    plan = plan_from_data(small_plan())
    for name in ("piano.yaml", "piano.json"):
        path = save_plan(plan, tmp_path / name)
        assert load_plan(path) == plan
    k4 = load_plan(tmp_path / "piano.yaml").areas[0].objectives[1].operational[0].indicators[0]
    assert k4.actuals[0].value == date(2024, 10, 15)
    assert "2024: '>= 70,00 %'" in (tmp_path / "piano.yaml").read_text()


def test_bad_file_names_file_and_path(tmp_path):
    data = small_plan()
    data["ambiti"][0]["obiettivi"][0]["indicatori"][1]["peso"] = "trenta"
    data["ambiti"][0]["obiettivi"][0]["indicatori"][2]["unita_misura"] = "N."
    path = tmp_path / "piano.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    text = str(info.value)
    assert f"{path}: ambiti[0].obiettivi[0].indicatori[1].peso (codice K2): «trenta» non è" in text
    assert "indicatori[2].unita_misura (codice K3): campo sconosciuto" in text
    assert "Traceback" not in text


def test_yaml_syntax_error_gives_the_line(tmp_path):
    path = tmp_path / "piano.yaml"
    path.write_text("ente: Prova\nanno: 2024\nambiti: [\n  - codice: 1\n", encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    assert "riga" in str(info.value) and "YAML non valido" in str(info.value)


def test_model_defaults():
    plan = Plan(entity="Ente X", year=2025)
    assert plan.id == "ente-x-2025"
    assert plan.target_years == [2025]


def test_reference_defaults_to_previous_years_actual():
    data = small_plan()
    ind = data["ambiti"][0]["obiettivi"][0]["indicatori"][1]
    ind["target"] = {2024: "x < x-1"}
    ind["consuntivi"] = [{"anno": 2023, "valore": 10}, {"anno": 2024, "valore": 12}]
    root = evaluate(plan_from_data(data))
    assert root.find("indicatore", "K2").grade.value == pytest.approx(10 / 12)


# --- references of relative targets and the checks of targets --------------------------

def _relative_plan(target: str, **extra) -> Plan:
    data = small_plan()
    ind = data["ambiti"][0]["obiettivi"][0]["indicatori"][1]
    ind["target"] = {2024: target}
    ind["consuntivi"] = [{"anno": 2021, "valore": 9}, {"anno": 2022, "numeratore": 24,
                                                       "denominatore": 2},
                         {"anno": 2023, "valore": 15}, {"anno": 2024, "valore": 12}]
    ind.update(extra)
    return plan_from_data(data)


@pytest.mark.parametrize(("target", "extra", "expected"), [
    ("x < x-1", {}, 15.0),
    ("x < x-2", {}, 12.0),                     # 2022: numerator / denominator
    ("anno n < anno n-3", {}, 9.0),
    (">= valore 2021", {}, 9.0),
    (">= media triennio", {}, 12.0),           # (9 + 12 + 15) / 3
    ("> media 2022-2023", {}, 13.5),
    (">= baseline + 10", {"baseline": {"valore": 4, "anno": 2020}}, 4.0),
    (">= baseline + 10", {}, None),            # no baseline
    (">= valore 2019", {}, None),              # no actual of 2019: never 0
    ("> media 2018-2020", {}, None),           # one year missing: no mean
    ("> media cluster", {}, None),             # the office types it
    ("<= 10 gg", {}, None),                    # not relative
    ("x < x-1", {"riferimenti": {2024: 7}}, 7.0),     # an explicit value wins
    ("x < x-1", {"riferimenti": {2024: None}}, None),  # even an emptied one
])
def test_reference_for_takes_what_the_target_names(target, extra, expected):
    ind = _relative_plan(target, **extra).areas[0].objectives[0].indicators[1]
    assert reference_for(ind, 2024) == expected


def _problems(plan: Plan, year: int | None = None) -> list:
    return [p for p in validate_plan(plan, year) if p.subject == "K2"]


def test_an_unreadable_target_of_a_later_year_warns_and_does_not_block():
    data = small_plan()
    data["ambiti"][0]["obiettivi"][0]["indicatori"][1]["target"] = {
        2024: "<= 10 gg", 2025: "Definizione di una proposta di regolamento"}
    plan = plan_from_data(data)
    (problem,) = [p for p in _problems(plan) if "2025" in p.location]
    assert problem.severity == "avviso" and "non blocca le cartelle del 2024" in problem.message
    assert "«Definizione di una proposta di regolamento»" in problem.message
    assert not has_errors(validate_plan(plan))
    (as_error,) = [p for p in _problems(plan, 2025) if "target.2025" in p.location]
    assert as_error.severity == "errore"          # generating 2025 it is this year's
    assert has_errors(validate_plan(plan, 2025))


def test_an_unreadable_target_of_the_plan_year_is_an_error():
    data = small_plan()
    data["ambiti"][0]["obiettivi"][0]["indicatori"][1]["target"] = {2024: "da definire"}
    (problem,) = _problems(plan_from_data(data))
    assert problem.severity == "errore" and "da definire" in problem.message


def test_an_indicator_to_confirm_is_listed_until_the_flag_is_removed():
    data = small_plan()
    ind = data["ambiti"][0]["obiettivi"][0]["indicatori"][1]
    ind["target"] = {2024: "Realizzazione: Definizione di una proposta di regolamento"}
    ind["da_confermare"] = True
    (problem,) = _problems(plan_from_data(data))
    assert problem.severity == "avviso" and problem.location.endswith(".da_confermare")
    assert "Definizione di una proposta di regolamento" in problem.message
    ind["da_confermare"] = False
    assert _problems(plan_from_data(data)) == []


def test_a_relative_target_without_reference_warns_and_says_which():
    (problem,) = _problems(_relative_plan(">= valore 2019"))
    assert problem.severity == "avviso" and "il consuntivo 2019" in problem.message
