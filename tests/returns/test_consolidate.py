"""consolida on the bundled example split per office, with the problems of real life."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from support import EXAMPLES
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import typed_from_plan
from cruscotto_xl.io.libreoffice import find_soffice, recalculate
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns.consolidate import (
    MISSING,
    RETURNED,
    WITH_PROBLEMS,
    consolidate,
    graded_plan,
    write_master,
)
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.services.verify import compare_with_engine
from cruscotto_xl.workbook import workbook_jobs, write_workbook

PLAN_FILE = EXAMPLES / "piano-operativo-2023.yaml"
MISSING_OFFICE = "Contabilità e Provveditorato"
SHARED = "02.03_01"                      # owned by two offices in the example
TAMPERED_OFFICE = "Registro Imprese"
TEXT_OFFICE = "Risorse Umane"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    plan = load_plan(PLAN_FILE)
    folder = tmp_path_factory.mktemp("ritorni")
    typed = typed_from_plan(plan, 2023)
    owners = {s.indicator.code: plan.owners(s) for s in plan.indicators()}
    assert len(owners[SHARED]) == 2
    paths = {}
    for office, path in workbook_jobs(plan, folder, per_office=True):
        if office == MISSING_OFFICE:
            continue
        write_workbook(plan, path, office=office)
        fill_workbook(path, typed)
        paths[office] = path
    # the shared indicator, reported differently by its second owner
    second = owners[SHARED][1]
    book = openpyxl.load_workbook(paths[second])
    shared = read_workbook(paths[second]).indicators[SHARED]
    book[shared.sheet][shared.cells["actual"]] = 9
    book.save(paths[second])
    # a target changed by hand
    tampered = next(iter(read_workbook(paths[TAMPERED_OFFICE]).indicators.values()))
    book = openpyxl.load_workbook(paths[TAMPERED_OFFICE])
    book[tampered.sheet][tampered.cells["target_text"]] = ">= 10,00 %"
    book.save(paths[TAMPERED_OFFICE])
    # a percentage typed as text
    text = next(v for v in read_workbook(paths[TEXT_OFFICE]).indicators.values()
                if v.unit == "%" and v.kind == "confronto")
    book = openpyxl.load_workbook(paths[TEXT_OFFICE])
    book[text.sheet][text.cells["actual"]] = "97,87 %"
    book[text.sheet][text.cells["numerator"]] = None
    book[text.sheet][text.cells["denominator"]] = None
    book.save(paths[TEXT_OFFICE])
    result = consolidate(folder, plan)
    master = tmp_path_factory.mktemp("master") / "cruscotto.xlsx"
    write_master(result, master)
    return plan, folder, paths, result, master, shared, tampered, text, second


def where(path: Path, sheet: str, coord: str) -> str:
    return f"{path.name} › {sheet}!{coord}"


def test_missing_office_is_reported(scenario):
    _, _, _, result, *_ = scenario
    states = {s.office: s.state for s in result.statuses}
    assert states[MISSING_OFFICE] == MISSING
    assert any(p.location == MISSING_OFFICE and "non ha restituito" in p.message
               for p in result.problems)


def test_conflicting_values_are_both_reported_and_none_chosen(scenario):
    _, _, paths, result, _, shared, _, _, second = scenario
    [conflict] = [p for p in result.problems if p.subject == SHARED and "discordanti" in p.message]
    assert where(paths[second], shared.sheet, shared.cells["actual"]) in conflict.message
    assert "Comunicazione: 9,0000" in conflict.message
    assert "Promozione e Sviluppo: 2,0000" in conflict.message
    assert result.typed[SHARED].actual is None
    assert "Valori discordanti" in (result.typed[SHARED].note or "")


def test_tampered_target_is_reported_at_its_cell(scenario):
    _, _, paths, result, _, _, tampered, _, _ = scenario
    location = where(paths[TAMPERED_OFFICE], tampered.sheet, tampered.cells["target_text"])
    [problem] = [p for p in result.problems if p.location == location]
    assert problem.severity == "errore" and "«>= 10,00 %»" in problem.message
    assert {s.office: s.state for s in result.statuses}[TAMPERED_OFFICE] == WITH_PROBLEMS


def test_text_typed_percentage_is_converted_with_a_warning(scenario):
    _, _, paths, result, _, _, _, text, _ = scenario
    location = where(paths[TEXT_OFFICE], text.sheet, text.cells["actual"])
    [problem] = [p for p in result.problems if p.location == location]
    assert problem.severity == "avviso" and "«97,87 %»" in problem.message
    assert result.typed[text.code].actual == pytest.approx(0.9787)


def test_other_offices_returned_cleanly(scenario):
    _, _, _, result, *_ = scenario
    states = {s.office: s.state for s in result.statuses}
    assert sum(state == RETURNED for state in states.values()) >= 4


def test_master_grades_recalculated_by_libreoffice_equal_the_engine(scenario, tmp_path):
    _, _, _, result, master, *_ = scenario
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    wb = openpyxl.load_workbook(master)
    assert wb.sheetnames[2] == "Stato uffici"
    assert "crx_consolidamento" in wb["Controlli"].tables
    out = recalculate([master], tmp_path / "rc")[master]
    comparison = compare_with_engine(out, graded_plan(result))
    assert comparison.equal, [str(m) for m in comparison.mismatches[:10]]
    assert comparison.compared > 400


def test_resent_file_updates_the_master_in_place(scenario, tmp_path):
    _, folder, paths, _, master, *_ = scenario
    work = tmp_path / "ritorni"
    shutil.copytree(folder, work)
    out = tmp_path / "cruscotto.xlsx"
    shutil.copy(master, out)
    office = "Segreteria Generale"
    resent = work / paths[office].name
    first = next(iter(read_workbook(resent).indicators.values()))
    book = openpyxl.load_workbook(resent)
    book[first.sheet][first.cells["actual"]] = 0.123
    book[first.sheet][first.cells["numerator"]] = None
    book[first.sheet][first.cells["denominator"]] = None
    book.save(resent)
    result = CliRunner().invoke(app, ["consolida", str(work), "--plan", str(PLAN_FILE),
                                      "--out", str(out)])
    assert result.exit_code == 1, result.output     # the tampered file is still there
    assert "Stato uffici" in result.output
    assert read_workbook(out).indicators[first.code].typed_lenient.actual == pytest.approx(0.123)
    assert list(tmp_path.glob("cruscotto.xlsx.*.bak"))


def test_a_refused_office_is_not_also_reported_missing(tmp_path):
    plan = load_plan(PLAN_FILE)
    office, path = next(j for j in workbook_jobs(plan, tmp_path, per_office=True)
                        if j[0] == "Comunicazione")
    write_workbook(plan, path, office=office, period="30/06")   # the wrong period
    result = consolidate(tmp_path, plan)
    states = [s.state for s in result.statuses if s.office == office]
    assert states == ["rifiutata"]
    assert not any(p.location == office and "non ha restituito" in p.message
                   for p in result.problems)


def test_a_master_holding_typed_references_is_not_an_older_plan(tmp_path):
    """A reference typed by an office is an input: the master that carries it is still made
    from the current plan (the plan digest leaves inputs out)."""
    from cruscotto_xl.core.actuals import Typed
    from cruscotto_xl.io.planfile import plan_from_data

    plan = plan_from_data({
        "ente": "Comune di prova", "anno": 2024, "id": "rif-2024",
        "ambiti": [{"codice": "A", "titolo": "Servizi", "obiettivi": [
            {"codice": "O1", "titolo": "Tempi", "uffici": ["Tributi"], "indicatori": [
                {"codice": "R1", "nome": "Pratiche", "target": {2024: "x < x-1"}},
                {"codice": "R2", "nome": "Incassi", "target": {2024: ">= 90 %"}}]}]}]})
    folder = tmp_path / "ritorni"
    folder.mkdir()
    for office, path in workbook_jobs(plan, folder, per_office=True):
        write_workbook(plan, path, office=office)
        fill_workbook(path, {"R1": Typed(10, reference=12), "R2": Typed(0.95)})
    plan_file = tmp_path / "piano.yaml"
    from cruscotto_xl.io.planfile import save_plan
    save_plan(plan, plan_file)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(folder, plan), master)
    result = CliRunner().invoke(app, ["controlla", str(master), "--piano", str(plan_file)])
    assert "versione precedente del piano" not in result.output, result.output
