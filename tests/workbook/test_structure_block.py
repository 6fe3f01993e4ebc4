"""The master's «Gradi per struttura» block and hidden ``_strutture`` sheet without
LibreOffice: cached values equal to the hand-computed grades of
tests/support/structure_plan.py, nothing of it without a ``struttura`` or in an office's
workbook, plan texts written as texts, and ``ricalcola`` of a master refreshing it."""

from __future__ import annotations

import openpyxl
import pytest
from support.structure_plan import EXPECTED, make_master, structure_data, structure_plan

from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.refresh import refresh_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import SHEET_STRUCTURE

TITLE = "Gradi per struttura"


def _block(path) -> dict[tuple[str, str], tuple]:
    rows = list(openpyxl.load_workbook(path, data_only=True)["Riepilogo"].iter_rows(
        values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == TITLE)
    out = {}
    for row in rows[start + 3:]:
        if row[0] not in ("Area", "Ufficio"):
            break
        key = row[1] if row[0] == "Area" else row[2]
        out[("area" if row[0] == "Area" else "ufficio", key)] = row[:7]
    return out


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    return make_master(structure_plan(), tmp_path_factory.mktemp("m"))


def test_block_rows_and_cached_grades(master):
    block = _block(master)
    assert list(block) == [("area", "AI"), ("ufficio", "Servizio Uno"),
                           ("ufficio", "Servizio Due"), ("area", "AII"),
                           ("ufficio", "Servizio Tre")]          # the chart's order
    for key, grade in EXPECTED.items():
        assert block[key][4] == pytest.approx(grade), key
    area = block[("area", "AI")]
    assert area[2] == ("Area I — Servizi amministrativi · Dirigente: Anna Bianchi · "
                       "Uffici: servizio uno, Servizio Due")
    assert area[3] == 4 and block[("ufficio", "Servizio Tre")][1] == "AII"
    assert area[5] == "Parzialmente raggiunto" and area[6] == "●"
    wb = openpyxl.load_workbook(master)
    assert wb[SHEET_STRUCTURE].sheet_state == "hidden"
    assert wb[SHEET_STRUCTURE].protection.sheet


def test_no_structure_no_block(tmp_path):
    data = structure_data()
    del data["struttura"]
    path = make_master(plan_from_data(data), tmp_path)
    wb = openpyxl.load_workbook(path)
    assert SHEET_STRUCTURE not in wb.sheetnames
    assert not any(c.value == TITLE for row in wb["Riepilogo"].iter_rows() for c in row)


def test_office_and_plan_workbooks_have_no_block(tmp_path):
    for office in ("Servizio Uno", None):
        path = tmp_path / f"{office}.xlsx"
        write_workbook(structure_plan(), path, office=office)
        wb = openpyxl.load_workbook(path)
        assert SHEET_STRUCTURE not in wb.sheetnames
        assert not any(c.value == TITLE for row in wb["Riepilogo"].iter_rows() for c in row)


def test_plan_texts_are_written_as_texts(tmp_path):
    data = structure_data()
    data["struttura"]["aree"][1]["nome"] = '=HYPERLINK("http://x","clic")'
    data["struttura"]["aree"][1]["codice"] = "+A2"
    path = make_master(plan_from_data(data), tmp_path)
    wb = openpyxl.load_workbook(path)
    texts = [c for ws in (wb["Riepilogo"], wb[SHEET_STRUCTURE]) for row in ws.iter_rows()
             for c in row if isinstance(c.value, str) and ("HYPERLINK" in c.value
                                                            or c.value == "+A2")]
    assert len(texts) >= 4
    assert all(c.data_type == "s" and c.quotePrefix for c in texts
               if c.value.startswith(("=", "+")) and c.parent.title == "Riepilogo")
    assert all(c.data_type == "s" for c in texts)


def test_ricalcola_of_a_master_refreshes_the_block(tmp_path):
    """I1 typed 10 (10/10 = 1) in the master: Servizio Uno (1 + 0,9)/2 = 0,95; area AI
    OS1 own (30·1 + 70·1)/100 = 1, OO 0,9 → 0,95, OS2 0,5 → 60·0,95 + 40·0,5 = 0,77."""
    path = make_master(structure_plan(), tmp_path)
    fill_workbook(path, {"I1": Typed(10.0)})           # openpyxl drops every cached value
    assert refresh_workbook(path).changed
    block = _block(path)
    assert block[("ufficio", "Servizio Uno")][4] == pytest.approx(0.95)
    assert block[("area", "AI")][4] == pytest.approx(0.77)
    assert block[("area", "AII")][4] == pytest.approx(0.9)
