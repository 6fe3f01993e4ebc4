"""Indicators eliminated in their own change log: out of the year's workbooks, weights and
grades, kept in the plan; and the audit's lone «=» in a series of «>=» targets.

Expected grades are computed by hand; one LibreOffice recalculation checks that the
workbooks of a plan with an eliminated indicator (and the «Senza ufficio» workbook) grade
exactly as the engine.
"""

from __future__ import annotations

import email
import json
from email import policy

import openpyxl
import pytest
from typer.testing import CliRunner

from cruscotto_xl.cli import output as cli_output
from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import Typed, plan_with_typed
from cruscotto_xl.core.audit import TARGETS, audit_findings
from cruscotto_xl.core.model import Change, Indicator
from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.core.rollup import evaluate
from cruscotto_xl.core.tree import UNOWNED, plan_for_year
from cruscotto_xl.io.libreoffice import find_soffice, recalculate
from cruscotto_xl.io.planfile import plan_from_data, save_plan
from cruscotto_xl.returns.consolidate import consolidate
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.services.reminders import reminders
from cruscotto_xl.services.verify import compare_with_engine
from cruscotto_xl.workbook import workbook_jobs, write_workbook

runner = CliRunner()
DELIBERA = "deliberazione della Giunta n. 12 del 30.01.2024"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    monkeypatch.setattr(cli_output.console, "width", 1000)


def _run(*args: object):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result, " ".join(result.output.split())


def _plan_data(k1=50, k2=30, k3=20) -> dict:
    return {"ente": "Camera di prova", "anno": 2024, "id": "prova-2024", "ambiti": [
        {"codice": "A1", "titolo": "Imprese", "obiettivi": [
            {"codice": "OS1", "titolo": "Servizi", "uffici": ["Ufficio A"], "indicatori": [
                {"codice": "K1", "nome": "Pratiche evase", "peso": k1,
                 "target": {2023: ">= 90", 2024: ">= 100"},
                 "consuntivi": [{"anno": 2024, "valore": 120}]},
                {"codice": "K2", "nome": "Sportelli aperti", "peso": k2,
                 "target": {2023: ">= 4", 2024: ">= 5"},
                 "consuntivi": [{"anno": 2024, "valore": 1}],
                 "modifiche": [{"anno": 2022, "azione": "Inserito"},
                               {"anno": 2024, "azione": "Eliminato", "delibera": DELIBERA}]},
                {"codice": "K3", "nome": "Reclami", "peso": k3, "target": {2024: "<= 10"},
                 "consuntivi": [{"anno": 2024, "valore": 20}]}]},
            {"codice": "OS2", "titolo": "Bandi", "indicatori": [
                {"codice": "K4", "nome": "Bando", "target": {2024: "Sì"}}]}]}]}


def _codes(path) -> set[str]:
    """Indicator codes in every table with «Codice» and «Indicatore» columns (openpyxl)."""
    wb = openpyxl.load_workbook(path)
    out = set()
    for ws in wb.worksheets:
        for table in ws.tables.values():
            rows = [[c.value for c in row] for row in ws[table.ref]]
            if "Codice" in rows[0] and "Indicatore" in rows[0]:
                at = rows[0].index("Codice")
                out |= {r[at] for r in rows[1:] if r[at]}
    return out


def test_removed_in_is_decided_by_the_latest_entry():
    def ind(*changes: tuple[int, str]) -> Indicator:
        return Indicator(codice="K", nome="K", modifiche=[
            Change(anno=y, azione=a) for y, a in changes])

    gone = ind((2022, "Inserito"), (2024, "Eliminato"), (2025, "Aggiornato"))
    assert [gone.removed_in(y) is not None for y in (2023, 2024, 2025, 2026)] == [
        False, True, True, True]
    back = ind((2023, "Eliminato"), (2025, "Inserito"))
    assert [back.removed_in(y) is not None for y in (2022, 2023, 2024, 2025)] == [
        False, True, True, False]
    assert ind().removed_in(2024) is None
    assert not gone.owes_actual(2024) and ind().owes_actual(2024) is False   # no target


def test_out_of_the_grades_and_the_weights_renormalize():
    plan = plan_from_data(_plan_data())
    root = evaluate(plan)
    # K1 120 vs >= 100 → 1; K3 20 vs <= 10 → 10/20 = 0.5; K2 (1 vs >= 5) is out.
    assert root.find("os", "OS1").grade.value == pytest.approx((50 * 1 + 20 * 0.5) / 70)
    with pytest.raises(KeyError):
        root.find("indicatore", "K2")
    # The year before, it was in: with its weight, and no 2023 actual → «dato mancante».
    k2 = evaluate(plan, 2023).find("indicatore", "K2")
    assert (k2.weight, k2.grade.value, k2.grade.reason) == (30.0, None, "dato mancante")
    view = plan_for_year(plan, 2024)
    assert [s.indicator.code for s in view.indicators()] == ["K1", "K3", "K4"]
    assert [(r.code, r.objective, r.changes[-1].deliberation) for r in view.removed] == [
        ("K2", "OS1", DELIBERA)]
    assert [s.indicator.code for s in plan.indicators()] == ["K1", "K2", "K3", "K4"]


def test_valida_names_it_and_checks_the_active_weights(tmp_path):
    plan = plan_from_data(_plan_data())
    problems = validate_plan(plan)
    assert not [p for p in problems if p.severity == "errore"]
    [flag] = [p for p in problems if p.subject == "K2"]
    assert flag.location == "ambiti[0].obiettivi[0].indicatori[1].modifiche[1]"
    assert flag.message.startswith(f"indicatore «Sportelli aperti» eliminato nel 2024 "
                                   f"({DELIBERA}) ma ancora nel piano; ha ancora il target "
                                   f"2024 «>= 5»")
    [weights] = [p for p in problems if p.location == "ambiti[0].obiettivi[0].indicatori"]
    assert weights.severity == "avviso"
    assert "senza gli indicatori eliminati (K2): la somma dei pesi è 70,00" in weights.message
    # Weights already redistributed: nothing to say about them.
    redistributed = validate_plan(plan_from_data(_plan_data(k1=70, k2=30, k3=30)))
    assert not [p for p in redistributed if p.location.endswith("obiettivi[0].indicatori")]
    # Neither the active nor all of them sum to 100: the usual error.
    wrong = validate_plan(plan_from_data(_plan_data(k1=40, k2=30, k3=20)))
    [error] = [p for p in wrong if p.location.endswith("obiettivi[0].indicatori")]
    assert error.severity == "errore" and "la somma dei pesi è 60,00" in error.message

    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    result, text = _run("valida", plan_file)
    assert result.exit_code == 0 and DELIBERA in text
    result, _ = _run("audit", plan_file, "--json")
    k2 = [f for f in json.loads(result.output) if f["subject"] == "K2"]
    assert [f["controllo"] for f in k2] == ["Struttura"]   # targets of K2 not audited


def test_out_of_the_workbooks_consolidation_and_reminders(tmp_path):
    plan = plan_from_data(_plan_data())
    folder = tmp_path / "ritorni"
    folder.mkdir()
    for office, path in workbook_jobs(plan, folder, per_office=True):
        write_workbook(plan, path, office=office)
    files = sorted(folder.glob("*.xlsx"))
    assert [p.name for p in files] == ["prova-2024__Senza_ufficio.xlsx",
                                       "prova-2024__Ufficio_A.xlsx"]
    assert _codes(files[1]) == {"K1", "K3"} and _codes(files[0]) == {"K4"}
    whole = write_workbook(plan, tmp_path / "intero.xlsx").path
    assert _codes(whole) == {"K1", "K3", "K4"}
    log = [r[0].value for r in openpyxl.load_workbook(whole)["Istruzioni"].iter_rows()]
    assert "2024 — Eliminato — K2" in log      # still in the plan's history
    assert _codes(write_workbook(plan, tmp_path / "2023.xlsx", year=2023).path) == {
        "K1", "K2", "K3", "K4"}

    fill_workbook(files[1], {"K1": Typed(120.0)})
    result = consolidate(folder, plan)
    assert not [p for p in result.problems if "assente" in p.message]
    missing = {o: [m.code for m in ms] for o, ms in result.missing.items()}
    assert missing == {"Ufficio A": ["K3"], UNOWNED: ["K4"]}
    owed = {r.office: [m.code for m in r.missing] for r in reminders(result, plan)}
    assert owed == {"Ufficio A": ["K3"], UNOWNED: ["K4"]}


def test_recalculated_workbooks_equal_the_engine(tmp_path):
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    plan = plan_from_data(_plan_data())
    src = tmp_path / "src"
    src.mkdir()
    jobs = [(None, src / "intero.xlsx"), *workbook_jobs(plan, src, per_office=True)]
    typed = {"K1": Typed(95.0), "K3": Typed(8.0), "K4": Typed("Sì")}
    for office, path in jobs:
        write_workbook(plan, path, office=office)
        fill_workbook(path, typed)
    outputs = recalculate([p for _, p in jobs], tmp_path / "rc")
    graded = plan_with_typed(plan, typed, 2024, replace_all=True)
    for office, path in jobs:
        result = compare_with_engine(outputs[path], graded, office=office)
        assert result.equal, (office, [str(m) for m in result.mismatches[:10]])
        assert result.compared > 3
    # By hand: K1 95/100 = 0.95, K3 8 <= 10 → 1: OS1 = (50·0.95 + 20·1) / 70.
    wb = openpyxl.load_workbook(outputs[src / "intero.xlsx"], data_only=True)
    grades = {row[1].value: row[4].value for row in wb["Riepilogo"].iter_rows(min_row=5)
              if row[1].value}
    assert grades["OS1"] == pytest.approx((50 * 0.95 + 20 * 1) / 70)


def test_lone_equal_target_in_a_series():
    def found(targets: dict[int, str]) -> list[str]:
        plan = plan_from_data({"ente": "E", "anno": 2024, "ufficio_predefinito": "U",
                               "ambiti": [{"codice": "A", "titolo": "A", "obiettivi": [
                                   {"codice": "O", "titolo": "O", "indicatori": [
                                       {"codice": "K", "nome": "K", "unita": "%",
                                        "verso": "crescente", "target": targets}]}]}]})
        return [f.problem.message for f in audit_findings(plan) if f.check == TARGETS]

    [message] = found({2024: ">= 80 %", 2025: "= 85 %", 2026: ">= 90 %"})
    assert message.startswith("target 2025 «= 85 %» con «=» in una serie di target «>=» "
                              "(2024 «>= 80 %», 2026 «>= 90 %»)")
    assert "se si intende «>= 85 %» correggere il piano" in message
    assert found({2024: ">= 80 %", 2025: "= 85 %"}) == []                   # no series
    assert found({2024: "= 80 %", 2025: "= 85 %", 2026: ">= 90 %"}) == []   # not lone
    assert found({2024: ">= 80 %", 2025: "= 85 %", 2026: "<= 90 %"}) != []  # against verso
    assert not any("serie" in m for m in found(
        {2024: ">= 80 %", 2025: "= 85 %", 2026: "<= 90 %"}))
    assert found({2024: ">= 80 %", 2025: ">= 85 %", 2026: ">= 90 %"}) == []


def test_reminder_text_of_the_unowned_workbook(tmp_path):
    plan = plan_from_data(_plan_data())
    folder = tmp_path / "ritorni"
    folder.mkdir()
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    out = tmp_path / "solleciti"
    result, text = _run("solleciti", folder, "--piano", plan_file, "--out", out)
    assert result.exit_code == 0, result.output
    assert ("1 indicatore senza ufficio responsabile (cartella «Senza ufficio»): sollecito "
            "senza destinatario") in text
    draft = email.message_from_bytes((out / "sollecito_Senza_ufficio.eml").read_bytes(),
                                     policy=policy.default)
    assert draft["To"] is None
    body = draft.get_body(("plain",)).get_content()
    assert "indicatore K4 «Bando»" in body and "K2" not in body
