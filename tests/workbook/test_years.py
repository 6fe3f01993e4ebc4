"""Years side by side and the indicator's dictionary on the objective sheet.

A plan of 2024 with two years of history shows, in the indicator table found by its
name (``crx_ind_001``) and its headers, the final actuals of 2022 and 2023, the targets of
2024-2026, the baseline and the texts; all locked and covered by the tamper hash; the
input columns do not move; a plan without any of it gets no such column. Expected values
are written by hand in tests/support/history_plan.py and here.
"""

from __future__ import annotations

import openpyxl
import pytest
from support.history_plan import HISTORY_PLAN, history_plan

from cruscotto_xl.core.actuals import Typed, plan_with_typed
from cruscotto_xl.core.rollover import roll_over
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import INDICATOR_COLUMNS, col_letter, objective_table


def _rows(path, table: str = objective_table(1)) -> tuple[list[str], dict[str, dict]]:
    """The headers of ``table`` and its rows by code (header → cell), found by name."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if table in ws.tables:
            cells = ws[ws.tables[table].ref]
            headers = [c.value for c in cells[0]]
            rows = {r[0].value: dict(zip(headers, r, strict=True)) for r in cells[1:]}
            return headers, rows
    raise AssertionError(f"tabella {table} non trovata")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("anni") / "piano.xlsx"
    write_workbook(history_plan(), path)
    return path


def test_two_earlier_years_are_shown_beside_the_targets_of_every_plan_year(workbook):
    headers, rows = _rows(workbook)
    first = len(INDICATOR_COLUMNS) + 8          # after the 30/06 block
    assert headers[first:] == ["Baseline", "Anno baseline", "Consuntivo 2022",
                               "Consuntivo 2023", "Target 2024", "Target 2025", "Target 2026",
                               "Tipologia", "Descrizione", "Fonte"]
    t1, t2 = rows["T1"], rows["T2"]
    assert t1["Consuntivo 2022"].value == 1234.5
    assert t1["Consuntivo 2023"].value == 1410
    assert t1["Consuntivo 2022"].number_format == "#,##0.00"        # 1.234,50 in Italian
    assert t2["Consuntivo 2022"].value is None                       # no 2022 value: blank
    assert t2["Consuntivo 2023"].value == pytest.approx(0.87)        # 87 / 100
    assert t2["Consuntivo 2023"].number_format == "0.00%"            # 87,00 %
    assert [t1[f"Target {y}"].value for y in (2024, 2025, 2026)] == [
        ">= 1.500", ">= 1.600", ">= 1.750"]
    assert [t2[f"Target {y}"].value for y in (2024, 2025, 2026)] == [">= 90 %", ">= 92 %", None]
    assert (t1["Baseline"].value, t1["Anno baseline"].value) == (1100, 2021)
    assert t2["Baseline"].value is None
    assert (t1["Tipologia"].value, t2["Tipologia"].value) == ("Efficacia", "Efficienza")
    assert t1["Descrizione"].value == "Certificati anagrafici rilasciati dal portale nell'anno"
    assert t1["Fonte"].value == "Gestionale anagrafe"
    for row in rows.values():
        for header in headers[first:]:
            assert row[header].protection.locked is not False, header


def test_the_input_columns_do_not_move(workbook):
    headers, rows = _rows(workbook)
    assert headers[: len(INDICATOR_COLUMNS)] == [c.header for c in INDICATOR_COLUMNS]
    assert rows["T1"]["Consuntivo"].column_letter == "V"    # docs/workbook.md
    assert rows["T1"]["Consuntivo"].protection.locked is False


def test_the_reader_reads_it_back_and_the_hash_covers_the_years(workbook, tmp_path):
    reading = read_workbook(workbook)
    assert reading.hash_matches and not reading.problems
    assert reading.indicators["T1"].cells["actual"] == "V7"
    _, rows = _rows(workbook)
    coordinate = rows["T1"]["Consuntivo 2023"].coordinate
    wb = openpyxl.load_workbook(workbook)
    wb.worksheets[3][coordinate] = 1500            # a history value changed by hand
    changed = tmp_path / "cambiato.xlsx"
    wb.save(changed)
    assert not read_workbook(changed).hash_matches


def test_the_print_area_holds_the_dictionary(workbook):
    headers, _ = _rows(workbook)
    wb = openpyxl.load_workbook(workbook)
    ws = wb.worksheets[3]
    assert str(ws.print_area).endswith(f"!$A$1:${col_letter(len(headers) - 1)}$10")


def test_a_plan_without_history_nor_dictionary_has_no_such_column(tmp_path):
    data = {**HISTORY_PLAN, "anni_target": [2024]}
    area = data["ambiti"][0]
    indicators = [{"codice": i["codice"], "nome": i["nome"], "unita": i["unita"],
                   "peso": i["peso"], "target": {2024: i["target"][2024]}}
                  for i in area["obiettivi"][0]["indicatori"]]
    data["ambiti"] = [{**area, "obiettivi": [{**area["obiettivi"][0],
                                              "indicatori": indicators}]}]
    path = tmp_path / "piano.xlsx"
    write_workbook(plan_from_data(data), path)
    headers, _ = _rows(path)
    assert len(headers) == len(INDICATOR_COLUMNS) + 8        # the 30/06 block only


def test_only_the_years_and_texts_some_indicator_has(tmp_path):
    data = {**HISTORY_PLAN}
    area = data["ambiti"][0]
    t2 = area["obiettivi"][0]["indicatori"][1]
    data["ambiti"] = [{**area, "obiettivi": [{**area["obiettivi"][0], "indicatori": [t2]}]}]
    path = tmp_path / "piano.xlsx"
    write_workbook(plan_from_data(data), path)
    headers, _ = _rows(path)
    # no baseline, no 2022 value, no 2026 target, no description nor source
    assert headers[len(INDICATOR_COLUMNS) + 8:] == ["Consuntivo 2023", "Target 2024",
                                                    "Target 2025", "Tipologia"]


def test_two_rollovers_bring_both_years_into_the_new_workbook(tmp_path):
    """The history as `nuovo-anno` builds it: the 2022 plan with its year-end values
    rolled to 2023, those values rolled to 2024; the 2024 workbook shows both years."""
    data = {**HISTORY_PLAN, "anno": 2022, "anni_target": [2022]}
    area = data["ambiti"][0]
    indicators = [{"codice": "T1", "nome": "Certificati rilasciati online", "unita": "N.",
                   "peso": 100, "target": {2022: ">= 1.200"}}]
    data["ambiti"] = [{**area, "obiettivi": [{**area["obiettivi"][0],
                                              "indicatori": indicators}]}]
    plan = plan_with_typed(plan_from_data(data), {"T1": Typed(1234.5)}, 2022)
    plan = plan_with_typed(roll_over(plan, 2023).plan, {"T1": Typed(1410)}, 2023)
    path = tmp_path / "piano.xlsx"
    write_workbook(roll_over(plan, 2024).plan, path, year=2024)
    headers, rows = _rows(path)
    assert headers[len(INDICATOR_COLUMNS) + 8:] == ["Consuntivo 2022", "Consuntivo 2023"]
    assert (rows["T1"]["Consuntivo 2022"].value, rows["T1"]["Consuntivo 2023"].value) == (
        1234.5, 1410)


def test_dictionary_texts_never_run_as_formulas(tmp_path):
    data = {**HISTORY_PLAN}
    area = data["ambiti"][0]
    first, second = area["obiettivi"][0]["indicatori"]
    first = {**first, "fonte": "=HYPERLINK(\"http://x.invalid\")", "descrizione": "@SUM(A1)",
             "target": {**first["target"], 2025: "+1.600"}}
    data["ambiti"] = [{**area, "obiettivi": [{**area["obiettivi"][0],
                                              "indicatori": [first, second]}]}]
    path = tmp_path / "piano.xlsx"
    write_workbook(plan_from_data(data), path)
    _, rows = _rows(path)
    for header, text in (("Fonte", "=HYPERLINK(\"http://x.invalid\")"),
                         ("Descrizione", "@SUM(A1)"), ("Target 2025", "+1.600")):
        cell = rows["T1"][header]
        assert (cell.value, cell.data_type) == (text, "s"), header
        assert cell.quotePrefix, header
    assert read_workbook(path).hash_matches


def test_the_instructions_name_the_columns(workbook):
    ws = openpyxl.load_workbook(workbook)["Istruzioni"]
    lines = {r[0]: r[1] for r in ws.iter_rows(max_col=2, values_only=True) if r[0]}
    assert lines["Anni e dizionario"] == (
        "Le ultime colonne della tabella di ogni obiettivo sono bloccate e solo da leggere: "
        "«Baseline», «Anno baseline», «Consuntivo 2022», «Consuntivo 2023», «Target 2024», "
        "«Target 2025», «Target 2026», «Tipologia», «Descrizione», «Fonte». I consuntivi "
        "degli anni precedenti vengono dallo storico del piano.")
