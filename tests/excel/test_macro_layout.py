"""The sheets the ribbon macros write are laid out as the generator lays them out: column
widths, wrapped texts, and row heights that fit them (no text printed over the next row).

The heights are compared with the generator's own file for the same content, and held
against a rule independent of the height computation: a text longer than its column can
show on one line needs a taller row; short texts leave the row at its default height.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from support.xlwings_fake import FakeBook, FakeData, fake_from_file

from cruscotto_xl.core.tree import known_offices, plan_for_office
from cruscotto_xl.excel import macros
from cruscotto_xl.excel.port import OpenpyxlPort, XlwingsPort
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.services.filling import fill_workbook, sample_typed
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.cells import DEFAULT_ROW_HEIGHT
from cruscotto_xl.workbook.layout import (
    MACRO_RESULTS_COLUMN,
    MACRO_RESULTS_WIDTHS,
    SHEET_CHECKS,
    SHEET_HISTORY,
    SHEET_OFFICES,
    SHEET_SUMMARY,
    col_letter,
)
from cruscotto_xl.workbook.sheets.checks import HEADER_ROW
from cruscotto_xl.workbook.sheets.offices import HISTORY_WIDTHS, OFFICE_WIDTHS

#: A file name no 44-unit column shows on one line (about 48 characters fit).
LONG_NAME = "ufficio-" + "restituita-con-un-nome-di-file-molto-lungo-" * 2 + "0.xlsx"


@pytest.fixture(scope="module")
def folder(operational_plan, tmp_path_factory) -> Path:
    """Three offices returned (one file with a long name); the others did not."""
    plan = operational_plan
    d = tmp_path_factory.mktemp("uffici")
    typed = sample_typed(plan, plan.year)
    for k, office in enumerate(known_offices(plan)[:3]):
        template = d / f"t{k}.xlsx"
        write_workbook(plan, template, office=office)
        codes = {s.indicator.code for s in plan_for_office(plan, office).indicators()}
        fill_workbook(template, {c: t for c, t in typed.items() if c in codes},
                      d / (LONG_NAME if k == 0 else f"ufficio-{k}.xlsx"))
        template.unlink()
    return d


def _heights(ws) -> dict[int, float | None]:
    return {r: ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)}


def _rows_by_first_cell(ws, first: int) -> dict[str, int]:
    return {str(ws.cell(r, 1).value): r for r in range(first, ws.max_row + 1)
            if ws.cell(r, 1).value}


def test_stato_uffici_rows_fit_their_texts_like_the_generators(operational_plan, folder,
                                                               tmp_path):
    plan = operational_plan
    master = tmp_path / "principale.xlsx"
    write_workbook(plan, master)                 # a plan workbook: no Stato uffici yet
    port = OpenpyxlPort(master)
    assert macros.consolida(port, folder).ok
    ws = port.workbook[SHEET_OFFICES]
    reference = tmp_path / "riferimento.xlsx"
    write_master(consolidate(folder, plan), reference)
    ref = openpyxl.load_workbook(reference)[SHEET_OFFICES]

    ours, theirs = _rows_by_first_cell(ws, 4), _rows_by_first_cell(ref, 4)
    assert set(ours) == set(theirs) == set(known_offices(plan))
    for office, r in ours.items():                     # the generator's height, row by row
        assert ws.row_dimensions[r].height == ref.row_dimensions[theirs[office]].height, office
    for r in ours.values():                            # independent: long text, taller row
        texts = [ws.cell(r, c).value for c in range(1, 8)]
        long_text = any(isinstance(t, str) and len(t) > w * 1.2
                        for t, w in zip(texts, OFFICE_WIDTHS, strict=True))
        short = all(not isinstance(t, str) or len(t) <= w * 0.8
                    for t, w in zip(texts, OFFICE_WIDTHS, strict=True))
        height = ws.row_dimensions[r].height
        if long_text:
            assert height is not None and height >= 2 * 10 * 1.2, (r, texts)
        if short:
            assert height is None, (r, texts)
    assert any(ws.cell(r, 3).value == LONG_NAME for r in ours.values())   # not vacuous
    for c, width in enumerate(OFFICE_WIDTHS):
        assert ws.column_dimensions[col_letter(c)].width == width
    assert all(ws.cell(r, c).alignment.wrap_text for r in ours.values() for c in range(1, 8))


def test_storico_valori_rows_fit_the_long_file_name(operational_plan, folder, tmp_path):
    master = tmp_path / "principale.xlsx"
    write_workbook(operational_plan, master)
    port = OpenpyxlPort(master)
    assert macros.consolida(port, folder).ok
    ws = port.workbook[SHEET_HISTORY]
    rows = [r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value]
    from_long = [r for r in rows if ws.cell(r, 7).value == LONG_NAME]
    assert from_long and len(from_long) < len(rows)     # the long file's changes, and others
    for r in rows:
        texts = [ws.cell(r, c).value for c in range(1, 8)]
        height = ws.row_dimensions[r].height
        if r in from_long:                              # 96 characters in 40 units
            assert height is not None and height >= 2 * 10 * 1.2, (r, texts)
        elif all(not isinstance(t, str) or len(t) <= w * 0.8
                 for t, w in zip(texts, HISTORY_WIDTHS, strict=True)):
            assert height is None, (r, texts)
    for c, width in enumerate(HISTORY_WIDTHS):
        assert ws.column_dimensions[col_letter(c)].width == width
    assert all(ws.cell(r, 7).alignment.wrap_text for r in rows)


def test_a_new_consolida_resets_the_rows_it_no_longer_uses(operational_plan, folder,
                                                           tmp_path):
    """A second run whose rows are shorter gives the old tall rows their default height."""
    master = tmp_path / "principale.xlsx"
    write_workbook(operational_plan, master)
    port = OpenpyxlPort(master)
    assert macros.consolida(port, folder).ok
    ws = port.workbook[SHEET_OFFICES]
    tall = [r for r, h in _heights(ws).items() if h]
    assert tall
    shutil.move(folder / LONG_NAME, folder / "ufficio-0.xlsx")
    try:
        assert macros.consolida(port, folder).ok
    finally:
        shutil.move(folder / "ufficio-0.xlsx", folder / LONG_NAME)
    assert not [r for r, h in _heights(ws).items() if h and r > 3]


def test_controlli_list_rows_fit_long_messages_and_the_tables_beside(operational_plan,
                                                                    folder, tmp_path):
    """Valida's list on a master: its own long messages wrap in taller rows, and rows the
    consolidation problems (left of it) made tall keep at least the generator's height."""
    plan = operational_plan
    master = tmp_path / "principale.xlsx"
    write_master(consolidate(folder, plan), master)
    generated = openpyxl.load_workbook(master)[SHEET_CHECKS]
    port = OpenpyxlPort(master)
    code = next(iter(plan_for_office(plan, known_offices(plan)[0]).indicators())).indicator.code
    from cruscotto_xl.excel.reading import read_port

    reading, _ = read_port(port)
    ind = reading.indicators[code]
    port.workbook[ind.sheet][ind.cells["actual"]].value = "non disponibile " * 8
    macros.valida(port)
    ws = port.workbook[SHEET_CHECKS]
    col = MACRO_RESULTS_COLUMN + 1
    for j, width in enumerate(MACRO_RESULTS_WIDTHS):
        assert ws.column_dimensions[col_letter(col - 1 + j)].width == width
    listed = [r for r in range(HEADER_ROW + 2, ws.max_row + 1) if ws.cell(r, col).value]
    long_rows = [r for r in listed if len(str(ws.cell(r, col + 4).value)) > 1.2 * 60 * 1.1]
    assert long_rows                                    # the 128-character value's message
    for r in long_rows:
        assert ws.row_dimensions[r].height >= 2 * 10 * 1.2
        assert ws.cell(r, col + 4).alignment.wrap_text
    kept = [r for r in range(HEADER_ROW + 1, ws.max_row + 1)
            if generated.row_dimensions[r].height]
    assert kept                                         # the problems table had tall rows
    for r in kept:
        assert ws.row_dimensions[r].height >= generated.row_dimensions[r].height, r


def test_aggiorna_riepilogo_keeps_the_generators_heights(operational_plan, tmp_path):
    path = tmp_path / "piano.xlsx"
    write_workbook(operational_plan, path)
    before = _heights(openpyxl.load_workbook(path)[SHEET_SUMMARY])
    assert any(before.values())                         # long objective titles
    port = OpenpyxlPort(path)
    assert macros.aggiorna_riepilogo(port).ok
    saved = tmp_path / "dopo.xlsx"
    port.save(saved)
    assert _heights(openpyxl.load_workbook(saved)[SHEET_SUMMARY]) == before


# --------------------------------------------------------------------------- xlwings port


def test_xlwings_port_sets_heights_in_runs_widths_and_wrap():
    book = FakeBook("/tmp/cartella.xlsx")
    data = FakeData()
    book.add_sheet("Foglio", data, {})
    port = XlwingsPort(book)
    port.row_heights("Foglio", 2, [None, 27.0, 27.0, 40.0, None])
    port.column_widths("Foglio", 1, [10, 10, 44])
    port.wrap_text("Foglio", 2, 1, 5, 3)
    assert data.row_heights == {3: DEFAULT_ROW_HEIGHT, 4: 27.0, 5: 27.0, 6: 40.0,
                                7: DEFAULT_ROW_HEIGHT}
    assert data.column_widths == {2: 10, 3: 10, 4: 44}
    assert data.wrapped == {(r, c) for r in range(3, 8) for c in range(2, 5)}
    assert book.calls["range write"] == 4 + 2 + 1        # one call per run, not per row
    assert book.calls["protect"] == 1                   # written as a macro may write


def test_consolida_through_xlwings_sets_the_same_heights_as_openpyxl(operational_plan,
                                                                     folder, tmp_path):
    master = tmp_path / "principale.xlsx"
    write_workbook(operational_plan, master)
    fake = fake_from_file(master)
    result = macros.consolida(XlwingsPort(fake), folder)   # the fake computes no formula:
    assert "3 file letti" in result.message               # its values differ, not its rows
    port = OpenpyxlPort(master)
    assert macros.consolida(port, folder).ok
    ws = port.workbook[SHEET_OFFICES]
    data = fake.sheets[SHEET_OFFICES].data
    for r in range(3, ws.max_row + 1):
        want = ws.row_dimensions[r].height
        assert data.row_heights.get(r) == (DEFAULT_ROW_HEIGHT if want is None else want), r
    assert any(h > DEFAULT_ROW_HEIGHT for h in data.row_heights.values())
    assert data.column_widths == {c + 1: w for c, w in enumerate(OFFICE_WIDTHS)}
