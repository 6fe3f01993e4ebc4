"""Generated workbooks: structure, protection, validation, names, injection, per-office split."""

from __future__ import annotations

import re
from collections import Counter

import openpyxl
import pytest
from support import EXAMPLES
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.tree import known_offices
from cruscotto_xl.io.planfile import load_plan, plan_from_data
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.layout import (
    INDICATOR_COLUMNS,
    NAME_HASH,
    NAME_PLAN_ID,
    NAME_VERSION,
    NAME_YEAR,
    SHEET_META,
    TABLE_CHECKS,
    TABLE_REGISTRY,
    TABLE_SUMMARY,
    sheet_names,
)

OPERATIVO = EXAMPLES / "piano-operativo-2023.yaml"
HEADERS = {c.key: c.header for c in INDICATOR_COLUMNS}
INPUT_HEADERS = {c.header for c in INDICATOR_COLUMNS if c.is_input}


@pytest.fixture(scope="module")
def operativo(tmp_path_factory):
    plan = load_plan(OPERATIVO)
    path = tmp_path_factory.mktemp("wb") / "operativo.xlsx"
    write_workbook(plan, path)
    return plan, openpyxl.load_workbook(path)


def objective_worksheets(wb):
    """The objective sheets: those holding an indicator table."""
    return [ws for ws in wb.worksheets if any(t.startswith("crx_ind_") for t in ws.tables)]


def table_rows(ws, name):
    ref = ws.tables[name].ref
    rows = list(ws[ref])
    headers = [c.value for c in rows[0]]
    return [dict(zip(headers, r, strict=True)) for r in rows[1:]]


def test_sheet_order_and_names(operativo):
    plan, wb = operativo
    names = wb.sheetnames
    assert names[:3] == ["Istruzioni", "Riepilogo", "Riepilogo 30-06"]
    assert names[-3:] == ["Validazione", "Controlli", "_cruscotto"]
    objective_sheets = names[3:-3]
    assert objective_sheets == [ws.title for ws in objective_worksheets(wb)]
    owners = [oo.code for a in plan.areas for o in a.objectives for oo in o.operational]
    assert len(objective_sheets) == len(owners) == 83
    assert [n.split(" ")[0] for n in objective_sheets] == owners
    assert len(set(n.lower() for n in names)) == len(names)
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


def test_protection_inputs_and_validation(operativo):
    _, wb = operativo
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    assert wb[SHEET_META].sheet_state == "hidden"
    checked = 0
    for ws in objective_worksheets(wb):
        [table] = ws.tables.keys()
        validated = set()
        for dv in ws.data_validations.dataValidation:
            for cell_range in dv.sqref.ranges:
                for row in cell_range.cells:
                    validated.add(openpyxl.utils.get_column_letter(row[1]) + str(row[0]))
        for row in table_rows(ws, table):
            for header, cell in row.items():
                if header in INPUT_HEADERS:
                    assert cell.protection.locked is False, (ws.title, cell.coordinate)
                    if header != "Note":
                        assert cell.coordinate in validated, (ws.title, cell.coordinate)
                    checked += 1
                else:
                    assert cell.protection.locked is not False, (ws.title, cell.coordinate)
    assert checked == 101 * len(INPUT_HEADERS)


def test_defined_names_and_tables(operativo):
    plan, wb = operativo
    for name in (NAME_PLAN_ID, NAME_YEAR, NAME_VERSION, NAME_HASH):
        assert name in wb.defined_names
    meta = wb[SHEET_META]
    assert meta["B1"].value == plan.id and meta["B3"].value == 2023
    tables = {name for ws in wb.worksheets for name in ws.tables}
    assert {TABLE_REGISTRY, TABLE_SUMMARY, TABLE_CHECKS} <= tables
    assert sum(1 for t in tables if t.startswith("crx_ind_")) == 83
    assert sum(1 for n in wb.defined_names if n.startswith("crx_grado_")) == 83 + 1


def test_formulas_avoid_functions_libreoffice_7_lacks(operativo):
    _, wb = operativo
    forbidden = re.compile(r"XLOOKUP|\bLET\(|\[#Data\]|\[@|_xlfn\.", re.IGNORECASE)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert not forbidden.search(cell.value), (ws.title, cell.coordinate)


def test_number_formats(operativo):
    _, wb = operativo
    ws = objective_worksheets(wb)[0]
    row = table_rows(ws, next(iter(ws.tables)))[0]
    assert row[HEADERS["grade"]].number_format == "0.00%"
    assert row[HEADERS["weight"]].number_format == '0.00"%"'
    deadline_sheet = next(wb[n] for n in wb.sheetnames if n.startswith("01.12"))
    drow = table_rows(deadline_sheet, next(iter(deadline_sheet.tables)))[0]
    assert drow[HEADERS["deadline"]].number_format == "dd/mm/yyyy"
    assert ws.page_setup.orientation == "landscape"
    # wide objective sheets print at 80 % (10-point text at 8 points) over several pages,
    # with the header row and the code and name columns repeated, never fitted smaller
    assert int(ws.page_setup.scale) >= 80
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    assert ws.print_title_cols == "$A:$B"


HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]


def test_injection_titles_stay_text(tmp_path):
    plan = plan_from_data({
        "ente": HOSTILE[0], "anno": 2024,
        "ambiti": [{"codice": "A", "titolo": HOSTILE[1], "obiettivi": [
            {"codice": "01", "titolo": HOSTILE[2], "uffici": [HOSTILE[3]], "indicatori": [
                {"codice": "K1", "nome": HOSTILE[0], "algoritmo": HOSTILE[1],
                 "numeratore": HOSTILE[2], "peso": 100, "target": {2024: ">= 1"}}]}]}]})
    path = tmp_path / "ostile.xlsx"
    write_workbook(plan, path)
    wb = openpyxl.load_workbook(path)
    seen = Counter()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith(tuple(HOSTILE)):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, value)
                    if value in HOSTILE:
                        assert cell.quotePrefix, (ws.title, cell.coordinate)
                        seen[value] += 1
    assert set(seen) == set(HOSTILE)


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["01.01 A/B: c*d?", "01.01 A/B: c*d?", "Riepilogo", "'x'", "x" * 40,
                         "x" * 40])
    assert names[0] == "01.01 A B c d"
    assert names[1] == "01.01 A B c d (2)"
    assert names[2] == "Riepilogo (2)"
    assert names[3] == "x"
    assert len(names[4]) == 31 and names[5].endswith("(2)") and len(names[5]) <= 31


def test_per_office_split_covers_the_plan(tmp_path):
    plan = load_plan(OPERATIVO)
    jobs = workbook_jobs(plan, tmp_path, per_office=True)
    assert len(jobs) == len(known_offices(plan)) == 8
    found: Counter[str] = Counter()
    for office, path in jobs:
        write_workbook(plan, path, office=office)
        wb = openpyxl.load_workbook(path)
        assert wb[SHEET_META]["B5"].value == office
        codes = [row[HEADERS["code"]].value for ws in objective_worksheets(wb)
                 for row in table_rows(ws, next(iter(ws.tables)))]
        assert len(codes) == len(set(codes))
        found.update(codes)
    owners = {s.indicator.code: plan.owners(s) for s in plan.indicators()}
    assert set(found) == set(owners)                       # the union is the plan
    for code, offices in owners.items():
        assert found[code] == len(offices)                 # once per owner office
    assert any(len(o) == 2 for o in owners.values())       # a shared indicator exists


def test_office_file_names_are_sanitized(tmp_path):
    plan = plan_from_data({"ente": "E", "anno": 2024, "ambiti": [{"codice": "A", "titolo": "A",
        "obiettivi": [{"codice": "01", "titolo": "O", "uffici": ["../../etc/passwd", "A/B"],
                       "indicatori": [{"codice": "K", "nome": "K", "target": {2024: ">= 1"}}]}]}]})
    jobs = workbook_jobs(plan, tmp_path, per_office=True)
    for _, path in jobs:
        assert path.parent == tmp_path and ".." not in path.name and "/" not in path.name


runner = CliRunner()


def test_cli_generate_per_office_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "cartelle"
    args = ["generate", str(OPERATIVO), "--year", "2023", "--out", str(out), "--per-office"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.xlsx"))) == 8
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "esistono già" in again.output
    assert runner.invoke(app, [*args, "--sovrascrivi"]).exit_code == 0


def test_cli_generate_folder_of_plans_in_parallel(tmp_path):
    out = tmp_path / "tutte"
    result = runner.invoke(app, ["genera", str(EXAMPLES), "--out", str(out), "--per-ufficio",
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.xlsx"))) == 16


def test_cli_generate_skips_plan_with_errors(tmp_path):
    bad = tmp_path / "piano.yaml"
    bad.write_text("ente: E\nanno: 2024\nambiti:\n- codice: A\n  titolo: A\n  obiettivi:\n"
                   "  - codice: '01'\n    titolo: O\n    indicatori:\n"
                   "    - {codice: K1, nome: K, peso: 30, target: {2024: '>= 1'}}\n"
                   "    - {codice: K2, nome: K, peso: 30, target: {2024: '>= 1'}}\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["genera", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "60,00" in result.output
    assert not list((tmp_path / "o").glob("*.xlsx")) if (tmp_path / "o").exists() else True


def test_fast_formula_path_writes_the_same_files_as_stock_xlsxwriter(tmp_path, monkeypatch):
    """The worksheet subclass only skips work: every part equals stock XlsxWriter's."""
    import zipfile

    import xlsxwriter

    import cruscotto_xl.workbook as wbmod

    for plan_file in (OPERATIVO, EXAMPLES / "piano-strategico-2024.yaml"):
        plan = load_plan(plan_file)
        ours = tmp_path / f"ours-{plan.year}.xlsx"
        stock = tmp_path / f"stock-{plan.year}.xlsx"
        write_workbook(plan, ours)
        with monkeypatch.context() as m:
            m.setattr(wbmod, "_Workbook", xlsxwriter.Workbook)
            write_workbook(plan, stock)
        with zipfile.ZipFile(ours) as a, zipfile.ZipFile(stock) as b:
            assert a.namelist() == b.namelist()
            for name in a.namelist():
                if name != "docProps/core.xml":   # creation time
                    assert a.read(name) == b.read(name), name
