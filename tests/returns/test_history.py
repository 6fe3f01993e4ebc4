"""Storico valori: every value a consolidation changes is one row in the master, forever."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest
from support.periods_plan import FINAL, MID, office_workbooks, set_input, two_period_plan
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import Typed, plan_with_typed
from cruscotto_xl.core.history import EMPTY, HISTORY_HEADERS, REMOVED, actual_text, value_changes
from cruscotto_xl.excel import macros
from cruscotto_xl.excel.port import OpenpyxlPort
from cruscotto_xl.io.planfile import plan_from_data, plan_to_data, save_plan
from cruscotto_xl.returns.consolidate import MasterError, consolidate, write_master
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import SHEET_HISTORY

runner = CliRunner()
WHEN = datetime(2025, 1, 20, 10, 30)


def history_rows(master):
    ws = openpyxl.load_workbook(master)[SHEET_HISTORY]
    [(_, ref)] = ws.tables.items()
    rows = [[c.value for c in r] for r in ws[ref]]
    assert tuple(rows[0]) == HISTORY_HEADERS
    return [r for r in rows[1:] if any(v is not None for v in r)]


def test_value_changes_lists_only_what_changed():
    plan = two_period_plan()
    before = plan_with_typed(plan, FINAL, 2024)
    after = plan_with_typed(plan, {**FINAL, "K2": Typed(8.0, note="dato ricalcolato")}, 2024)
    rows = value_changes(before, after, 2024, "31/12", {"K2": ("Ufficio A", "a.xlsx")}, WHEN)
    assert [(r.indicator, r.old, r.new, r.office, r.file) for r in rows] == [
        ("K2", "9", "8 nota: dato ricalcolato", "Ufficio A", "a.xlsx")]
    first = value_changes(None, before, 2024, "31/12", {}, WHEN)
    assert len(first) == 6 and all(r.old == EMPTY for r in first)
    assert value_changes(before, before, 2024, "31/12", {}, WHEN) == []
    assert actual_text(None) == EMPTY


def test_consolidating_twice_with_one_changed_value_adds_one_row(tmp_path):
    plan = two_period_plan()
    paths = office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "ritorni", plan), master, now=WHEN)
    first = history_rows(master)
    assert len(first) == 6                     # every first value is recorded
    assert {r[2] for r in first} == set(FINAL)
    # Ufficio B corrects one value and sends the file again
    reading = read_workbook(paths["Ufficio B"])
    k5 = reading.indicators["K5"]
    wb = openpyxl.load_workbook(paths["Ufficio B"])
    wb[k5.sheet][k5.cells["actual"]] = 14
    wb.save(paths["Ufficio B"])
    result = runner.invoke(app, ["consolida", str(tmp_path / "ritorni"), "--piano",
                                 str(_plan_file(plan, tmp_path)), "--out", str(master)])
    assert result.exit_code == 0, result.output
    second = history_rows(master)
    assert second[:6] == first                 # the earlier rows stay as they were
    [added] = second[6:]
    when, office, code, period, old, new, file = added
    assert (office, code, period, old, new, file) == (
        "Ufficio B", "K5", "31/12", "12", "14", paths["Ufficio B"].name)
    assert isinstance(when, datetime) and when > WHEN
    # a third run with nothing changed adds nothing
    write_master(consolidate(tmp_path / "ritorni", plan), master)
    assert history_rows(master) == second


def test_history_follows_the_periods(tmp_path):
    plan = two_period_plan()
    office_workbooks(plan, tmp_path / "giugno", "30/06", MID)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "giugno", plan, period="30/06"), master, now=WHEN)
    office_workbooks(plan, tmp_path / "dicembre", "31/12", FINAL)
    write_master(consolidate(tmp_path / "dicembre", plan), master)
    rows = history_rows(master)
    assert [r[3] for r in rows] == ["30/06"] * 6 + ["31/12"] * 6
    k4 = [r for r in rows if r[2] == "K4"]
    assert [r[5] for r in k4] == ["(30 / 40)", "0,85"]


def _plan_file(plan, folder):
    return save_plan(plan, folder / "piano.yaml")


def test_a_file_that_is_not_the_master_is_never_overwritten(tmp_path):
    plan = two_period_plan()
    paths = office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    office_file = paths["Ufficio A"]
    before = office_file.read_bytes()
    with pytest.raises(MasterError, match="cartella dell'ufficio «Ufficio A»"):
        write_master(consolidate(tmp_path / "ritorni", plan), office_file)
    assert office_file.read_bytes() == before
    junk = tmp_path / "vecchio.xlsx"
    junk.write_bytes(b"PK\x03\x04 non un file excel")
    with pytest.raises(MasterError, match="non si può continuare"):
        write_master(consolidate(tmp_path / "ritorni", plan), junk)
    result = runner.invoke(app, ["consolida", str(tmp_path / "ritorni"), "--piano",
                                 str(_plan_file(plan, tmp_path)), "--out", str(junk)])
    assert result.exit_code == 1 and "vecchio.xlsx" in result.output


def test_a_value_corrected_in_the_master_is_its_state(tmp_path):
    """The master's cells, not only the plan it carries, are what a consolidation replaces."""
    plan = two_period_plan()
    office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "ritorni", plan), master, now=WHEN)
    set_input(master, "K1", "actual", 77)
    write_master(consolidate(tmp_path / "ritorni", plan), master)
    [row] = history_rows(master)[6:]
    assert (row[2], row[4], row[5]) == ("K1", "77", "90")


def test_rows_appended_below_the_table_are_kept(tmp_path):
    """The Consolida button writes rows under the table: the next consolidation keeps them."""
    plan = two_period_plan()
    office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "ritorni", plan), master, now=WHEN)
    wb = openpyxl.load_workbook(master)
    ws = wb[SHEET_HISTORY]
    ws.append([WHEN, "Ufficio B", "K5", "31/12", "12", "13", "pulsante"])
    wb.save(master)
    assert len(read_workbook(master).history) == 7
    write_master(consolidate(tmp_path / "ritorni", plan), master)
    rows = history_rows(master)
    assert rows[6][1:] == ["Ufficio B", "K5", "31/12", "12", "13", "pulsante"]


def test_small_changes_and_references_are_history_too():
    plan = two_period_plan()
    before = plan_with_typed(plan, {"K4": Typed(0.8512341)}, 2024)
    after = plan_with_typed(plan, {"K4": Typed(0.8512344, reference=0.7)}, 2024)
    [row] = value_changes(before, after, 2024, "31/12", {}, WHEN)
    assert (row.old, row.new) == ("0,8512341", "0,8512344 riferimento: 0,7")


def test_an_office_missing_the_second_time_keeps_its_values(tmp_path):
    plan = two_period_plan()
    paths = office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "ritorni", plan), master, now=WHEN)
    paths["Ufficio B"].unlink()
    result = consolidate(tmp_path / "ritorni", plan)
    assert {s.office: s.state for s in result.statuses}["Ufficio B"] == "mancante"
    write_master(result, master)
    assert len(history_rows(master)) == 6                      # nothing changed
    k5 = next(s.indicator for s in read_workbook(master).embedded_plan().indicators()
              if s.indicator.code == "K5")
    assert k5.actual_for(2024).value == 12
    # an office that empties a value it had sent: the value goes, with its row
    set_input(paths["Ufficio A"], "K2", "actual", None)
    write_master(consolidate(tmp_path / "ritorni", plan), master)
    [row] = history_rows(master)[6:]
    assert (row[2], row[4], row[5]) == ("K2", "9", EMPTY)


def test_the_wrong_period_leaves_the_master_alone(tmp_path):
    plan = two_period_plan()
    plan_file = _plan_file(plan, tmp_path)
    office_workbooks(plan, tmp_path / "giugno", "30/06", MID)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "giugno", plan, period="30/06"), master, now=WHEN)
    before = master.read_bytes()
    result = runner.invoke(app, ["consolida", str(tmp_path / "giugno"), "--piano",
                                 str(plan_file), "--out", str(master)])   # 31/12 by default
    assert result.exit_code == 1
    assert "nessuna cartella accettata" in " ".join(result.output.split())
    assert master.read_bytes() == before


def test_a_master_in_the_returns_folder_is_ignored(tmp_path):
    plan = two_period_plan()
    office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    master = tmp_path / "ritorni" / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "ritorni", plan), tmp_path / "m.xlsx")
    master.write_bytes((tmp_path / "m.xlsx").read_bytes())
    result = consolidate(tmp_path / "ritorni", plan)
    assert len(result.statuses) == 3 and "(piano intero)" not in {s.office for s in
                                                                   result.statuses}
    assert any(p.location == "cruscotto.xlsx" and "ignorata" in p.message
               for p in result.problems)


def test_a_conflict_or_an_unreadable_value_keeps_the_masters_value(tmp_path):
    plan = two_period_plan()
    paths = office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "ritorni", plan), master, now=WHEN)
    set_input(paths["Ufficio A"], "K1", "actual", "novanta")
    result = consolidate(tmp_path / "ritorni", plan)
    assert "K1" in result.unusable
    write_master(result, master)
    assert len(history_rows(master)) == 6
    k1 = next(s.indicator for s in read_workbook(master).embedded_plan().indicators()
              if s.indicator.code == "K1")
    assert k1.actual_for(2024).value == 90


def test_an_indicator_removed_from_the_plan_leaves_rows(tmp_path):
    plan = two_period_plan()
    office_workbooks(plan, tmp_path / "giugno", "30/06", MID)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "giugno", plan, period="30/06"), master, now=WHEN)
    data = plan_to_data(plan)
    os1 = data["ambiti"][0]["obiettivi"][0]
    os1["indicatori"] = [i for i in os1["indicatori"] if i["codice"] != "K2"]
    for ind in os1["indicatori"]:
        ind.pop("peso", None)
    revised = plan_from_data(data)
    office_workbooks(revised, tmp_path / "dicembre", "31/12", FINAL)
    write_master(consolidate(tmp_path / "dicembre", revised), master)
    removed = [r for r in history_rows(master) if r[2] == "K2" and r[5] == REMOVED]
    assert [(r[3], r[4]) for r in removed] == [("30/06", "12")]


def test_the_consolida_button_keeps_milestones_and_adds_rows_once(tmp_path):
    plan = two_period_plan()
    office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    master = tmp_path / "principale.xlsx"
    write_workbook(plan, master)
    port = OpenpyxlPort(master)
    assert macros.consolida(port, tmp_path / "ritorni").ok
    saved = tmp_path / "salvato.xlsx"
    port.save(saved)
    reading = read_workbook(saved)
    assert reading.indicators["K6"].raw["actual"] == "Sì"     # not TRUE
    assert len(reading.history) == 6
    again = OpenpyxlPort(saved)
    assert macros.consolida(again, tmp_path / "ritorni").ok
    again.save(saved)
    assert len(read_workbook(saved).history) == 6             # nothing changed


def test_two_offices_disagreeing_keep_the_masters_value(tmp_path):
    data = plan_to_data(two_period_plan())
    data["ambiti"][0]["obiettivi"][0]["indicatori"][0]["uffici"] = ["Ufficio A", "Ufficio B"]
    plan = plan_from_data(data)
    paths = office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "ritorni", plan), master, now=WHEN)
    set_input(paths["Ufficio B"], "K1", "actual", 95)
    result = consolidate(tmp_path / "ritorni", plan)
    assert "K1" in result.unusable
    assert any("valori discordanti" in p.message for p in result.problems)
    write_master(result, master)
    assert len(history_rows(master)) == 6
    k1 = next(s.indicator for s in read_workbook(master).embedded_plan().indicators()
              if s.indicator.code == "K1")
    assert k1.actual_for(2024).value == 90
