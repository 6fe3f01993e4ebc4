"""Individual scorecards that come back wrong: scores typed as text or out of range, a
changed weight, a change after the evaluator signed, the plan checks of a scorecard, and
the command line's refusals. Expected values by hand (tests/support/people_plan.py)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from support.people_plan import ANNA, people_data, people_plan
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.model import Plan
from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.core.signoff import CHANGED, SIGNED
from cruscotto_xl.returns.individual import consolidate_individuals
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.returns.refresh import refresh_workbook
from cruscotto_xl.returns.sign import sign_workbook
from cruscotto_xl.workbook import person_jobs, render_book, write_workbook
from cruscotto_xl.workbook.book import Extras
from cruscotto_xl.workbook.layout import SHEET_SCORECARD, behaviour_name, org_grade_name

runner = CliRunner()


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    blank = people_plan(with_actuals=False)
    master = tmp_path / "cruscotto.xlsx"
    render_book(people_plan(), master, with_actuals=True, extras=Extras())
    folder = tmp_path / "schede"
    folder.mkdir()
    paths = {}
    for code, path in person_jobs(blank, folder):
        write_workbook(blank, path, person=code)
        paths[code] = path
    return {"anna": paths[ANNA], "master": master, "folder": folder}


def _set_name(path: Path, name: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    wb[sheet][ref.replace("$", "")] = value
    wb.save(path)


def _anna(setup: dict[str, Path]):
    result = consolidate_individuals(setup["folder"], people_plan(with_actuals=False),
                                     setup["master"])
    return next(r for r in result.results if r.person.code == ANNA), result.problems


def test_a_score_typed_as_text_is_read_and_reported(setup: dict[str, Path]) -> None:
    _set_name(setup["anna"], behaviour_name(1), "90 %")
    _set_name(setup["anna"], behaviour_name(2), 0.7)
    anna, problems = _anna(setup)
    behaviours = next(p for p in anna.card.parts if p.kind == "comportamenti")
    assert behaviours.grade.value == pytest.approx(0.82)
    texts = [str(p) for p in problems if p.subject == "comportamenti"]
    assert any("«90 %» scritta come testo" in t and "Scheda individuale!F22" in t
               for t in texts), texts


def test_a_score_of_80_instead_of_80_percent_is_an_error_never_a_grade(
        setup: dict[str, Path]) -> None:
    _set_name(setup["anna"], behaviour_name(1), 80)
    _set_name(setup["anna"], behaviour_name(2), 0.7)
    anna, problems = _anna(setup)
    behaviours = next(p for p in anna.card.parts if p.kind == "comportamenti")
    assert behaviours.grade.value is None
    assert any(p.severity == "errore" and "fuori da 0–100 %" in p.message for p in problems)


def test_a_changed_weight_is_reported_and_the_file_left_alone(setup: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(setup["anna"])
    wb[SHEET_SCORECARD]["G10"] = 99          # the first objective's weight (20)
    wb.save(setup["anna"])
    anna, problems = _anna(setup)
    assert not anna.refreshed
    assert any("valore bloccato modificato (Peso): atteso «20», trovato «99»" in p.message
               and p.where.cell == "G10" for p in problems), [str(p) for p in problems]
    assert read_workbook(setup["anna"]).scorecard.org == {0: None, 1: None}
    # the score is the engine's, from the plan's weights: (10 × 1 + 40 × 0,8333…) / 50
    assert anna.card.score.value == pytest.approx((10 + 40 * 0.75 / 0.9) / 50)


def test_a_hand_typed_organisational_grade_is_replaced_by_the_masters(
        setup: dict[str, Path]) -> None:
    _set_name(setup["anna"], org_grade_name(2), 1)      # area grade «improved» by hand
    anna, problems = _anna(setup)
    assert anna.refreshed
    assert any(p.where.cell == "F13" and "«100,00 %» diverso da quello della cartella principale: "
               "sostituito con «75,00 %»" in p.message for p in problems), \
        [str(p) for p in problems]
    assert read_workbook(setup["anna"]).scorecard.org[1] == pytest.approx(0.75)


def test_the_evaluators_scores_are_sealed_by_the_signature(setup: dict[str, Path]) -> None:
    _set_name(setup["anna"], behaviour_name(1), 0.9)
    _set_name(setup["anna"], behaviour_name(2), 0.7)
    sign_workbook(setup["anna"], signer="Segretario Generale", role="Valutatore",
                  confirm=True)
    assert read_workbook(setup["anna"]).signature_state() == SIGNED
    _set_name(setup["anna"], behaviour_name(2), 1)
    assert read_workbook(setup["anna"]).signature_state() == CHANGED


def test_ricalcola_keeps_a_scorecard_whole(setup: dict[str, Path]) -> None:
    _set_name(setup["anna"], behaviour_name(1), 0.5)
    result = refresh_workbook(setup["anna"], people_plan(with_actuals=False))
    reading = read_workbook(setup["anna"])
    assert reading.hash_matches
    assert reading.scorecard.behaviours[0] == 0.5
    assert result.problems == []


def test_valida_refuses_a_component_target_that_is_not_a_comparison() -> None:
    data = people_data()
    data["obiettivi_individuali"][0]["componenti_organizzative"][0]["target"] = "Sì"
    problems = [p for p in validate_plan(Plan.model_validate(data)) if p.severity == "errore"]
    assert [p.where.path for p in problems] == [
        "obiettivi_individuali[0].componenti_organizzative[0].target"]


def test_a_code_used_twice_in_a_scorecard_is_renamed_in_its_workbook_and_reported(
        tmp_path: Path) -> None:
    data = people_data()
    data["obiettivi_individuali"][0]["obiettivi"][1]["indicatori"][0]["codice"] = "DIR-AI-1"
    data["obiettivi_individuali"][0]["obiettivi"][1]["codice"] = "1"
    plan = Plan.model_validate(data)
    warned = {p.where.path: p.message for p in validate_plan(plan) if p.severity == "avviso"}
    assert "«DIR-AI-1 (2)»" in warned["obiettivi_individuali[0].obiettivi[1].indicatori[0]"
                                     ".codice"]
    assert "«1 (2)»" in warned["obiettivi_individuali[0].obiettivi[1].codice"]
    path = tmp_path / "anna.xlsx"
    write_workbook(plan, path, person=ANNA, with_actuals=True)
    reading = read_workbook(path)
    assert set(reading.indicators) == {"DIR-AI-1", "DIR-AI-2", "DIR-AI-1 (2)"}
    assert reading.indicators["DIR-AI-1"].raw["actual"] == 8
    assert reading.indicators["DIR-AI-1 (2)"].raw["actual"] == "Sì"
    assert reading.hash_matches


def test_command_line_refusals(tmp_path: Path) -> None:
    plan = tmp_path / "piano.yaml"
    plan.write_text(yaml.safe_dump(people_data(False), allow_unicode=True), encoding="utf-8")
    both = runner.invoke(app, ["genera", str(plan), "--out", str(tmp_path / "o"),
                               "--individuali", "--per-ufficio"])
    assert both.exit_code == 2 and "--per-ufficio" in both.output
    (tmp_path / "s").mkdir()
    no_master = runner.invoke(app, ["consolida", str(tmp_path / "s"), "--piano", str(plan),
                                    "--individuali", "--out", str(tmp_path / "p.xlsx")])
    assert no_master.exit_code == 2 and "--consolidato" in no_master.output
    data = people_data(False)
    data.pop("obiettivi_individuali")
    plain = tmp_path / "semplice.yaml"
    plain.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    none = runner.invoke(app, ["genera", str(plain), "--out", str(tmp_path / "x"),
                               "--individuali"])
    assert none.exit_code == 1 and "obiettivi_individuali" in none.output


def test_a_scorecard_relabelled_as_another_persons_is_refused(setup: dict[str, Path]) -> None:
    _set_name(setup["anna"], "crx_persona", "PO-AII")     # Anna's file passed off as Marco's
    result = consolidate_individuals(setup["folder"], people_plan(with_actuals=False),
                                     setup["master"])
    marco = next(r for r in result.results if r.person.code == "PO-AII")
    assert marco.file != setup["anna"].name
    assert any(p.where.file == setup["anna"].name and "file rifiutato" in p.message
               and "non contiene i dati di quella persona" in p.message
               for p in result.problems), [str(p) for p in result.problems]


def test_an_area_component_of_a_service_head_takes_the_area_of_the_service() -> None:
    data = people_data()
    marco = data["obiettivi_individuali"][1]
    marco["struttura"] = "Servizio Tre"          # a PO of a service, not of an area
    marco["componenti_organizzative"] = [{"nome": "Performance di area", "grado_di": "area",
                                          "peso": 30}]
    plan = Plan.model_validate(data)
    assert not [p for p in validate_plan(plan) if p.severity == "errore"]
    from cruscotto_xl.returns.individual import organisational_cells
    person = plan.people[1]
    assert organisational_cells(plan, person, 2024, "31/12") == pytest.approx({0: 0.9})
