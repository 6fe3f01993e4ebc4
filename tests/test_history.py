"""Storico valori: every value a consolidation changes is one row in the master, forever."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest
from periods_plan import FINAL, MID, office_workbooks, two_period_plan
from typer.testing import CliRunner

from cruscotto_xl.cli import app
from cruscotto_xl.filling import Typed, plan_with_typed
from cruscotto_xl.history import EMPTY, HISTORY_HEADERS, actual_text, value_changes
from cruscotto_xl.planfile import save_plan
from cruscotto_xl.reader.consolidate import MasterError, consolidate, write_master
from cruscotto_xl.reader.read import read_workbook
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
