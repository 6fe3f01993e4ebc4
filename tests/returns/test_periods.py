"""Monitoring periods: plan, engine, workbooks per period, consolidation period by period."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from support.periods_plan import FINAL, MID, PLAN_DATA, office_workbooks, two_period_plan
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import Typed, plan_with_typed
from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.core.rollup import evaluate, grade_indicator
from cruscotto_xl.io.libreoffice import find_soffice, recalculate
from cruscotto_xl.io.planfile import PlanFileError, plan_from_data, save_plan
from cruscotto_xl.returns.consolidate import (
    consolidate,
    graded_plan,
    master_actuals,
    write_master,
)
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.services.verify import compare_with_engine
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import INDICATOR_COLUMNS, SHEET_SUMMARY

runner = CliRunner()
HEADER = {c.key: c.header for c in INDICATOR_COLUMNS}


def test_default_periods_and_their_checks():
    plan = two_period_plan()
    assert plan.period_dates == ["30/06", "31/12"]
    assert plan.period_label("30/06") == "intermedio"
    with pytest.raises(PlanFileError, match="31/12"):
        plan_from_data({**PLAN_DATA, "periodi": [{"data": "30/06", "nome": "x"}]})
    with pytest.raises(PlanFileError, match="ripetuti"):
        plan_from_data({**PLAN_DATA, "periodi": [{"data": "31/12", "nome": "a"},
                                                 {"data": "31/12", "nome": "b"}]})
    with pytest.raises(PlanFileError, match="gg/mm"):
        plan_from_data({**PLAN_DATA, "periodi": [{"data": "31/13", "nome": "a"},
                                                 {"data": "31/12", "nome": "b"}]})
    quarterly = plan_from_data({**PLAN_DATA, "periodi": [
        {"data": "31/12", "nome": "finale"}, {"data": "30/09", "nome": "III trimestre"},
        {"data": "31/03", "nome": "I trimestre"}]})
    assert quarterly.period_dates == ["31/03", "30/09", "31/12"]   # sorted, year end last
    bad = plan_from_data({**PLAN_DATA, "ambiti": [{**PLAN_DATA["ambiti"][0], "obiettivi": [
        {**PLAN_DATA["ambiti"][0]["obiettivi"][0], "indicatori": [
            {"codice": "K1", "nome": "x", "target": {2024: ">= 1"},
             "target_periodi": {2024: {"30/09": ">= 1", "30/06": "circa tanti"}}}]}]}]})
    messages = [p.message for p in validate_plan(bad) if p.severity == "errore"]
    assert any("«30/09» non è un periodo intermedio" in m for m in messages), messages
    assert any("circa tanti" in m for m in messages), messages


def test_intermediate_target_grades_the_period():
    plan = plan_with_typed(plan_with_typed(two_period_plan(), MID, 2024, "30/06"),
                           FINAL, 2024, "31/12")
    k1 = next(s.indicator for s in plan.indicators() if s.indicator.code == "K1")
    assert k1.target_text(2024, "30/06") == ">= 40"
    assert k1.target_text(2024) == ">= 100"
    assert grade_indicator(k1, 2024, plan.policy, "30/06").value == 1.0       # 45 ≥ 40
    assert grade_indicator(k1, 2024, plan.policy, "31/12").value == pytest.approx(0.9)
    k2 = next(s.indicator for s in plan.indicators() if s.indicator.code == "K2")
    assert k2.target_text(2024, "30/06") == "<= 10 gg"          # no interim: the annual one
    k3 = next(s.indicator for s in plan.indicators() if s.indicator.code == "K3")
    assert grade_indicator(k3, 2024, plan.policy, "30/06").value == 0.0       # late for 30/06
    assert evaluate(plan, 2024, "30/06").grade.value != evaluate(plan, 2024).grade.value


def _table(ws):
    [(_name, ref)] = ws.tables.items()
    rows = list(ws[ref])
    headers = [c.value for c in rows[0]]
    return headers, [dict(zip(headers, r, strict=True)) for r in rows[1:]]


def test_a_workbook_has_one_actual_column_per_period(tmp_path):
    plan = two_period_plan()
    path = tmp_path / "a.xlsx"
    write_workbook(plan, path, office="Ufficio A", period="30/06")
    wb = openpyxl.load_workbook(path)
    assert "Riepilogo 31-12" in wb.sheetnames and "Validazione" in wb.sheetnames
    ws = next(w for w in wb.worksheets if w.title.startswith("OS1"))
    headers, rows = _table(ws)
    assert "Consuntivo" in headers and "Consuntivo 31/12" in headers
    assert "Consuntivo 30/06" not in headers        # the open period is the main column
    for row in rows:
        assert row["Consuntivo"].protection.locked is False
        assert row["Consuntivo 31/12"].protection.locked is not False
        assert row["Grado 31/12"].value.startswith("=IF(")
    k1 = next(r for r in rows if r["Codice"].value == "K1")
    assert k1["Target"].value == ">= 40" and k1["Target 31/12"].value == ">= 100"
    assert ws["E3"].value == "30/06"
    assert ws["A5"].value == "Compilare solo le celle gialle: consuntivo al 30/06/2024 " \
                             "(intermedio)."


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """30/06 generated, filled and consolidated; 31/12 generated from the master, filled,
    consolidated into the same master — through the command line."""
    root = tmp_path_factory.mktemp("anno")
    plan = two_period_plan()
    plan_file = save_plan(plan, root / "piano.yaml")
    mid_dir, final_dir, master = root / "giugno", root / "dicembre", root / "cruscotto.xlsx"
    result = runner.invoke(app, ["genera", str(plan_file), "--out", str(mid_dir),
                                 "--per-ufficio", "--periodo", "30/06"])
    assert result.exit_code == 0, result.output
    mid_files = sorted(mid_dir.glob("*.xlsx"))
    assert len(mid_files) == 3 and all("_al_30-06" in p.name for p in mid_files)
    for path in mid_files:
        fill_workbook(path, MID)
    result = runner.invoke(app, ["consolida", str(mid_dir), "--piano", str(plan_file),
                                 "--out", str(master), "--periodo", "30/06"])
    assert result.exit_code == 0, result.output
    mid_master = root / "cruscotto-30-06.xlsx"
    mid_master.write_bytes(master.read_bytes())
    result = runner.invoke(app, ["genera", str(plan_file), "--out", str(final_dir),
                                 "--per-ufficio", "--periodo", "31/12",
                                 "--consolidato", str(master)])
    assert result.exit_code == 0, result.output
    final_files = sorted(final_dir.glob("*.xlsx"))
    fresh = {p.name: p.read_bytes() for p in final_files}
    for path in final_files:
        fill_workbook(path, FINAL)
    result = runner.invoke(app, ["consolida", str(final_dir), "--piano", str(plan_file),
                                 "--out", str(master)])          # 31/12 is the default
    assert result.exit_code == 0, result.output
    return plan, root, mid_files, final_files, fresh, mid_master, master


def test_consolidated_period_is_locked_in_the_next_copy(year, tmp_path):
    _plan, _, _, final_files, fresh, *_ = year
    path = tmp_path / "nuova.xlsx"
    a = next(p for p in final_files if "Ufficio_A" in p.name)
    path.write_bytes(fresh[a.name])
    wb = openpyxl.load_workbook(path)
    ws = next(w for w in wb.worksheets if w.title.startswith("OS1"))
    _, rows = _table(ws)
    by_code = {r["Codice"].value: r for r in rows}
    assert by_code["K1"]["Consuntivo 30/06"].value == 45
    assert by_code["K3"]["Consuntivo 30/06"].value.date() == date(2024, 7, 15)
    for row in rows:
        assert row["Consuntivo 30/06"].protection.locked is not False      # locked
        assert row["Consuntivo"].protection.locked is False                # 31/12 open
        assert row["Consuntivo"].value is None
    reading = read_workbook(path)
    assert reading.identity.period == "31/12" and reading.hash_matches
    # the locked 30/06 value cannot be changed unnoticed
    wb[ws.title][by_code["K1"]["Consuntivo 30/06"].coordinate] = 99
    wb.save(path)
    assert not read_workbook(path).hash_matches


def test_master_keeps_both_periods_and_shows_the_trend(year):
    _plan, *_, master = year
    reading = read_workbook(master)
    embedded = reading.embedded_plan()
    k1 = next(s.indicator for s in embedded.indicators() if s.indicator.code == "K1")
    assert k1.actual_for(2024, "30/06").value == 45
    assert k1.actual_for(2024, "31/12").value == 90
    wb = openpyxl.load_workbook(master)
    ws = wb[SHEET_SUMMARY]
    header_row = [c.value for c in ws[4]]
    assert "Grado 30/06" in header_row and "Variazione dal 30/06" in header_row
    change = header_row.index("Variazione dal 30/06")
    assert ws.cell(5, change + 1).value.startswith("=IF(AND(ISNUMBER(")


def test_period_grades_recalculated_by_libreoffice_equal_the_engine(year, tmp_path):
    plan, _, mid_files, final_files, _, mid_master, master = year
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    a_mid = next(p for p in mid_files if "Ufficio_A" in p.name)
    a_final = next(p for p in final_files if "Ufficio_A" in p.name)
    files = [a_mid, a_final, mid_master, master]
    out = recalculate(files, tmp_path / "rc")
    mid_plan = plan_with_typed(plan, MID, 2024, "30/06")
    full = plan_with_typed(mid_plan, FINAL, 2024, "31/12")
    compared = 0
    for path, graded, office, period in (
            (a_mid, mid_plan, "Ufficio A", "30/06"), (a_final, full, "Ufficio A", "31/12"),
            (mid_master, mid_plan, None, "30/06"), (master, full, None, "31/12")):
        comparison = compare_with_engine(out[path], graded, office=office, period=period)
        assert comparison.equal, (path.name, [str(m) for m in comparison.mismatches[:5]])
        compared += comparison.compared
    assert compared > 100
    # the 30/06 grades really differ from the year-end ones (intermediate targets)
    wb = openpyxl.load_workbook(out[master], data_only=True)
    ws = next(w for w in wb.worksheets if w.title.startswith("OS1"))
    _, rows = _table(ws)
    k1 = next(r for r in rows if r["Codice"].value == "K1")
    assert k1["Grado 30/06"].value == 1 and k1["Grado"].value == pytest.approx(0.9)


def test_consolidation_of_a_period_refuses_the_other_period(year):
    plan, _root, mid_files, *_ = year
    result = consolidate(mid_files[0].parent, plan, period="31/12")
    refused = sorted((s.office, s.state, s.file) for s in result.statuses if s.file)
    assert refused == [(office, "rifiutata", path.name) for office, path in
                       zip(("Ufficio A", "Ufficio B", "Ufficio C"), mid_files, strict=True)]
    assert sorted((p.location, p.message) for p in result.problems if p.severity == "errore"
                  and "periodo" in p.message) == [
        (path.name, "cartella del periodo 30/06, atteso 31/12") for path in mid_files]
    assert result.typed == {}


def test_ricalcola_periodo_only_touches_that_period(year, tmp_path):
    _, _, mid_files, final_files, *_ = year
    mid, final = tmp_path / "mid.xlsx", tmp_path / "final.xlsx"
    mid.write_bytes(mid_files[0].read_bytes())
    final.write_bytes(final_files[0].read_bytes())
    before = mid.read_bytes()
    result = runner.invoke(app, ["ricalcola", str(mid), str(final), "--periodo", "31/12"])
    assert result.exit_code == 1
    assert "cartella del periodo 30/06, richiesto 31/12" in " ".join(result.output.split())
    assert mid.read_bytes() == before


def test_unknown_period_is_a_one_line_error(year):
    _, root, *_ = year
    result = runner.invoke(app, ["consolida", str(root / "giugno"), "--piano",
                                 str(root / "piano.yaml"), "--out", str(root / "x.xlsx"),
                                 "--periodo", "30/09"])
    assert result.exit_code == 1
    assert "periodo «30/09» non previsto dal piano prova-2024 (periodi: 30/06, 31/12)" in \
        " ".join(result.output.split())


def test_graded_plan_carries_the_previous_master(year):
    plan, _, _, final_files, _, mid_master, _ = year
    before = read_workbook(mid_master).embedded_plan()
    result = consolidate(final_files[0].parent, plan)
    graded = graded_plan(result, before)
    k5 = next(s.indicator for s in graded.indicators() if s.indicator.code == "K5")
    assert k5.actual_for(2024, "30/06").value == 3 and k5.actual_for(2024).value == 12


def test_reference_values_follow_the_periods(tmp_path):
    """A relative target's reference typed at 30/06 stays for 31/12 and in the master."""
    plan = plan_from_data({"ente": "E", "anno": 2024, "id": "rel-2024", "ambiti": [
        {"codice": "A", "titolo": "A", "obiettivi": [
            {"codice": "OS", "titolo": "Reclami", "uffici": ["Ufficio A"], "indicatori": [
                {"codice": "R1", "nome": "Reclami ricevuti", "target": {2024: "x < x-1"}}]}]}]})
    mid = office_workbooks(plan, tmp_path / "giugno", "30/06",
                           {"R1": Typed(10.0, reference=15.0)})
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "giugno", plan, period="30/06"), master)
    assert list(mid) == ["Ufficio A"]
    carried = master_actuals(plan, master, 2024)
    r1 = next(s.indicator for s in carried.indicators())
    assert r1.references == {2024: 15.0}
    final = office_workbooks(carried, tmp_path / "dicembre", "31/12")
    reading = read_workbook(final["Ufficio A"])
    assert reading.indicators["R1"].raw["reference"] == 15
    wb = openpyxl.load_workbook(final["Ufficio A"], data_only=True)
    ws = wb[reading.indicators["R1"].sheet]
    _, rows = _table(ws)
    assert rows[0]["Grado 30/06"].value == 1         # 10 < 15, not «riferimento mancante»
    fill_workbook(final["Ufficio A"], {"R1": Typed(12.0)})
    write_master(consolidate(tmp_path / "dicembre", plan), master)
    embedded = next(s.indicator for s in read_workbook(master).embedded_plan().indicators())
    assert embedded.references == {2024: 15.0}
    assert embedded.actual_for(2024, "30/06").value == 10
    assert embedded.actual_for(2024).value == 12
