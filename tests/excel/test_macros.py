"""Ribbon macros on the openpyxl port (results equal the CLI) and on a recording fake of
xlwings (bulk calls only)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from support import ROOT
from support.xlwings_fake import fake_from_file

from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.core.tree import known_offices, plan_for_office
from cruscotto_xl.excel import macros
from cruscotto_xl.excel.port import OpenpyxlPort, XlwingsPort
from cruscotto_xl.io.libreoffice import read_values
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.returns.package import read_index, sheet_formulas
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.returns.refresh import refresh_workbook
from cruscotto_xl.services.filling import fill_workbook, sample_typed
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import (
    MACRO_RESULTS_COLUMN,
    SHEET_CHECKS,
    SHEET_META,
    SHEET_OFFICES,
    SHEET_SUMMARY,
    col_letter,
)
from cruscotto_xl.workbook.styles import style_sheet

EXAMPLE = ROOT / "examples" / "piano-operativo-2023.yaml"
COLORS = style_sheet()["colori"]


@pytest.fixture(scope="module")
def plan():
    return load_plan(EXAMPLE)


@pytest.fixture(scope="module")
def filled(plan, tmp_path_factory) -> Path:
    """The whole-plan workbook with sample values typed in (by openpyxl, as a user would)."""
    d = tmp_path_factory.mktemp("macro")
    write_workbook(plan, d / "template.xlsx")
    fill_workbook(d / "template.xlsx", sample_typed(plan, plan.year), d / "filled.xlsx")
    return d / "filled.xlsx"


def _formula_cells(path: Path) -> dict[str, set[str]]:
    with zipfile.ZipFile(path) as zf:
        index = read_index(zf)
        return {s: set(sheet_formulas(zf, part)) for s, part in index.sheets.items()}


def _assert_same(port: OpenpyxlPort, reference: Path, sheets: set[str] | None = None) -> int:
    """Every formula cell the port shows equals the cached value ``ricalcola`` wrote."""
    expected = read_values(reference)
    compared = 0
    for sheet, coords in _formula_cells(reference).items():
        if sheets is not None and sheet not in sheets:
            continue
        shown = port.read(sheet).values
        for coord in coords:
            from cruscotto_xl.excel.port import cell_position

            r, c = cell_position(coord)
            want = expected[sheet][r][c]
            got = shown[r][c]
            if isinstance(got, datetime):
                got = got.date()
            if isinstance(want, datetime):
                want = want.date()
            if isinstance(want, float) and isinstance(got, int | float):
                assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (sheet, coord)
            else:
                assert (got if got is not None else "") == (want if want is not None else ""), \
                    (sheet, coord, got, want)
            compared += 1
    return compared


def test_ricalcola_equals_the_cli(filled, tmp_path):
    work, reference = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    shutil.copy(filled, work)
    shutil.copy(filled, reference)
    refresh_workbook(reference)
    port = OpenpyxlPort(work)
    result = macros.ricalcola(port)
    assert result.ok and not result.mismatches
    assert _assert_same(port, reference) == result.cells > 1000
    assert "celle ricalcolate" in port.alerts[-1][1]


def test_aggiorna_riepilogo_writes_only_the_summary(filled, tmp_path):
    reference = tmp_path / "b.xlsx"
    shutil.copy(filled, reference)
    refresh_workbook(reference)
    port = OpenpyxlPort(filled)
    sheets_before = {s: port.read(s).values for s in port.sheet_names() if s != SHEET_SUMMARY}
    result = macros.aggiorna_riepilogo(port)
    assert result.ok
    assert _assert_same(port, reference, {SHEET_SUMMARY}) == result.cells
    assert {s: port.read(s).values for s in sheets_before} == sheets_before


def _input_coord(port: OpenpyxlPort, code: str) -> tuple[str, str]:
    from cruscotto_xl.excel.reading import read_port

    reading, _ = read_port(port)
    ind = reading.indicators[code]
    return ind.sheet, ind.cells["actual"]


def _fill_color(port: OpenpyxlPort, sheet: str, coord: str) -> str:
    return port.workbook[sheet][coord].fill.start_color.rgb[-6:]


def _results_block(port: OpenpyxlPort) -> list[list[object]]:
    values = port.read(SHEET_CHECKS).values
    col = MACRO_RESULTS_COLUMN
    rows = [r[col:col + 5] for r in values[4:] if len(r) > col and r[col] not in ("", None)]
    return rows


def test_valida_lists_and_highlights_problems_then_clears_them(plan, filled, tmp_path):
    work = tmp_path / "v.xlsx"
    shutil.copy(filled, work)
    port = OpenpyxlPort(work)
    codes = [s.indicator.code for s in plan.indicators()]
    bad_text, bad_pct = codes[0], codes[1]
    for code, value in ((bad_text, "circa trenta"), (bad_pct, 8.0)):
        sheet, coord = _input_coord(port, code)
        port.workbook[sheet][coord].value = value
    result = macros.valida(port)
    assert not result.ok                         # a text that is not a number is an error
    rows = _results_block(port)
    listed = {(r[1], r[2]) for r in rows}
    for code in (bad_text, bad_pct):
        sheet, coord = _input_coord(port, code)
        assert (sheet, coord) in listed
    sheet, coord = _input_coord(port, bad_text)
    assert _fill_color(port, sheet, coord) == COLORS["rosso"].lstrip("#").upper()
    assert "evidenziate" in port.alerts[-1][1]

    port.workbook[sheet][coord].value = 0.5      # corrected: the highlight goes away
    port2_rows_before = len(rows)
    macros.valida(port)
    rows = _results_block(port)
    assert len(rows) == port2_rows_before - 1
    assert (sheet, coord) not in {(r[1], r[2]) for r in rows}
    assert _fill_color(port, sheet, coord) == COLORS["input"].lstrip("#").upper()


def test_tampered_target_is_listed_by_valida_and_refused_by_ricalcola(plan, filled, tmp_path):
    work = tmp_path / "t.xlsx"
    shutil.copy(filled, work)
    port = OpenpyxlPort(work)
    sheet, coord = _input_coord(port, next(plan.indicators()).indicator.code)
    target_cell = "H" + "".join(ch for ch in coord if ch.isdigit())
    port.workbook[sheet][target_cell].value = ">= 1 %"
    result = macros.valida(port)
    assert any(target_cell in p.location for p in result.problems)
    result = macros.ricalcola(port)
    assert not result.ok and "dati bloccati modificati" in port.alerts[-1][1]
    assert target_cell in port.alerts[-1][1]


def test_a_foreign_workbook_gets_a_message_not_a_traceback(tmp_path):
    path = tmp_path / "altro.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(path)
    port = OpenpyxlPort(path)
    result = macros.ricalcola(port)
    assert not result.ok
    assert "non è una cartella generata da cruscotto_xl" in port.alerts[-1][1]


@pytest.fixture(scope="module")
def returned(plan, tmp_path_factory) -> Path:
    """A folder of office workbooks filled with sample values; one office never replied."""
    d = tmp_path_factory.mktemp("uffici")
    typed = sample_typed(plan, plan.year)
    offices = known_offices(plan)
    for k, office in enumerate(offices[:-1]):
        template = d / f"t{k}.xlsx"
        write_workbook(plan, template, office=office)
        part = plan_for_office(plan, office)
        codes = {s.indicator.code for s in part.indicators()}
        fill_workbook(template, {c: t for c, t in typed.items() if c in codes},
                      d / f"ufficio-{k}.xlsx")
        template.unlink()
    return d


def test_consolida_fills_the_master_like_the_cli(plan, returned, tmp_path):
    master = tmp_path / "principale.xlsx"
    write_workbook(plan, master)
    reference = tmp_path / "riferimento.xlsx"
    write_master(consolidate(returned, plan), reference)
    port = OpenpyxlPort(master)
    result = macros.consolida(port, returned)
    assert result.ok, result.message
    # Objective sheets and Riepilogo: every formula cell equals the CLI master's.
    sheets = set(port.sheet_names()) - {SHEET_CHECKS, SHEET_META, SHEET_OFFICES}
    assert _assert_same(port, reference, sheets) > 1000
    # The typed values equal too (read back by the same reader).
    saved = tmp_path / "salvato.xlsx"
    port.save(saved)
    ours, theirs = read_workbook(saved).typed(), read_workbook(reference).typed()
    assert ours == theirs
    # not vacuous: the values of every office that replied are there (the last one did not)
    replied = {s.indicator.code for office in known_offices(plan)[:-1]
               for s in plan_for_office(plan, office).indicators()}
    typed = sample_typed(plan, plan.year)
    assert {c for c, t in ours.items() if t.actual is not None} == {
        c for c in replied if typed[c].actual is not None} != set()
    # Office statuses: the same rows as the CLI's sheet.
    ref_rows = CalamineWorkbook.from_path(str(reference)).get_sheet_by_name(
        SHEET_OFFICES).to_python()
    got = [r[:3] for r in port.read(SHEET_OFFICES).values[3:] if r[0]]
    want = [r[:3] for r in ref_rows[3:] if r[0]]
    assert sorted(map(tuple, got)) == sorted(map(tuple, want))
    assert [r[0] for r in got if r[1] == "mancante"] == [known_offices(plan)[-1]]
    assert "uffici" in port.alerts[-1][1]


def test_consolida_refuses_an_office_workbook(plan, returned, tmp_path):
    office_book = next(returned.glob("ufficio-*.xlsx"))
    work = tmp_path / office_book.name
    shutil.copy(office_book, work)
    port = OpenpyxlPort(work)
    result = macros.consolida(port, returned)
    assert not result.ok and "cartella principale" in port.alerts[-1][1]


def test_nuovo_anno_writes_next_years_plan_and_templates(plan, filled, tmp_path):
    work = tmp_path / "piano.xlsx"
    shutil.copy(filled, work)
    port = OpenpyxlPort(work)
    result = macros.nuovo_anno(port)
    assert result.ok, result.message
    out = tmp_path / f"cruscotto-{plan.year + 1}"
    (plan_file,) = out.glob("*.yaml")
    new_plan = load_plan(plan_file)
    assert new_plan.year == plan.year + 1
    assert [s.indicator.code for s in new_plan.indicators()] == \
        [s.indicator.code for s in plan.indicators()]
    books = sorted(out.glob("*.xlsx"))
    assert len(books) == len(known_offices(plan))
    ident = read_workbook(books[0]).identity
    assert ident.year == plan.year + 1
    # Run again: nothing is overwritten.
    again = macros.nuovo_anno(OpenpyxlPort(work))
    assert not again.ok and "esist" in again.message


# --------------------------------------------------------------------------- bulk calls


def _bench_module():
    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "bench_generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _ricalcola_calls(tmp_path: Path, n_os: int, kpi_per_os: int) -> tuple[int, dict[str, int]]:
    bench = _bench_module()
    plan = bench.plan_from_data(bench.synthetic_plan_data(n_os, kpi_per_os), "<sintetico>")
    path = tmp_path / f"grande-{n_os}-{kpi_per_os}.xlsx"
    write_workbook(plan, path, with_actuals=True)
    fake = fake_from_file(path)
    result = macros.ricalcola(XlwingsPort(fake))
    assert result.ok, result.message[:500]
    return len(fake.sheets), dict(fake.calls)


def test_ricalcola_talks_to_excel_in_bulk(tmp_path):
    n_sheets, calls = _ricalcola_calls(tmp_path, 400, 5)
    assert n_sheets - 4 >= 600                          # objective sheets
    # Each sheet: read once (values, formulas), re-read once to verify, a few writes.
    assert calls["range read"] + calls["range write"] <= 7 * n_sheets, calls
    assert sum(calls.values()) <= 12 * n_sheets, calls
    assert calls["calculate"] == 1


def test_calls_do_not_grow_with_the_rows_of_a_sheet(tmp_path):
    assert _ricalcola_calls(tmp_path, 24, 3) == _ricalcola_calls(tmp_path, 24, 12)


@settings(max_examples=80, deadline=None)
@given(st.sets(st.tuples(st.integers(0, 12), st.integers(0, 6)), min_size=1, max_size=40),
       st.sets(st.tuples(st.integers(0, 12), st.integers(0, 6)), max_size=40))
def test_rectangles_cover_the_cells_and_only_free_others(cells, free_cells):
    free_cells -= cells
    coords = [f"{col_letter(c)}{r + 1}" for r, c in cells]
    for free in (None, lambda r, c: (r, c) in free_cells):
        covered: list[tuple[int, int]] = []
        for r0, c0, nr, nc in macros.rectangles(coords, free):
            covered += [(r0 + i, c0 + j) for i in range(nr) for j in range(nc)]
        assert len(covered) == len(set(covered))           # no cell written twice
        assert cells <= set(covered)
        assert set(covered) - cells <= (free_cells if free else set())


def test_rectangles_of_table_columns_are_few():
    coords = [f"{col}{r}" for col in ("W", "X", "Y", "Z") for r in range(7, 400)]
    assert macros.rectangles(coords) == [(6, 22, 393, 4)]


def test_typed_values_survive_a_ricalcola(filled, tmp_path):
    work = tmp_path / "k.xlsx"
    shutil.copy(filled, work)
    before = read_workbook(work).typed()
    port = OpenpyxlPort(work)
    macros.ricalcola(port)
    saved = tmp_path / "k2.xlsx"
    port.save(saved)
    after = read_workbook(saved).typed()
    assert after == before
    assert sum(isinstance(t, Typed) and t.actual is not None for t in after.values()) > 50


def test_every_ribbon_button_runs_an_existing_macro():
    import inspect
    import re

    source = (ROOT / "addin" / "CruscottoRibbon.bas").read_text(encoding="ascii")
    called = re.findall(r"import cruscotto_xl\.excel\.macros as m; m\.(\w+)\(\)", source)
    assert sorted(called) == sorted(["ricalcola", "valida", "aggiorna_riepilogo", "consolida",
                                     "firma", "nuovo_anno"])
    # Each button first refuses a workbook that would choose the Python to run (a
    # cruscotto.conf sheet inside it or a cruscotto.conf file beside it).
    assert source.count("If CartellaAttiva() Then RunPython") == len(called)
    # The file beside it is the one xlwings itself would read (its GetDirectoryConfigFilePath).
    assert 'LCase(ws.Name) = "cruscotto.conf"' in source
    assert "conf = xlwings.GetDirectoryConfigFilePath()" in source
    assert "If xlwings.FileExists(conf) Then" in source
    for name in called:
        func = getattr(macros, name)
        params = inspect.signature(func).parameters.values()
        assert all(p.default is not inspect.Parameter.empty for p in params), name
