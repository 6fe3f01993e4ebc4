"""The ``Misure`` sheet: the named measures the workbook's formulas use, typed once.

One row per measure (docs/domain.md «Measures»): code, name, unit, owner office, data
source and the indicators that use it, locked; the value at the workbook's period in a
yellow unlocked cell with a defined name (``crx_mis_001``…), which every «Consuntivo
effettivo» formula over the measure reads (core/formula.py ``excel_formula``); the values
of the plan's other periods in locked columns «Valore 30/06». Written only when the
workbook has formula indicators: a plan without measures gives the same bytes as before.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..book import MEASURES_HEADER_ROW, Book, MeasureRow
from ..cells import code_width, page_setup, row_height, write_text, write_value
from ..layout import (
    MEASURE_COLUMNS,
    MEASURE_INDEX,
    MEASURE_PERIOD_HEADER,
    SHEET_MEASURES,
    TABLE_MEASURES,
    col_letter,
    quote_sheet,
)

PERIOD_WIDTH = 13


def measure_headers(book: Book) -> list[str]:
    """The table's headers: the fixed columns, then «Valore 30/06» per other period."""
    return [c.header for c in MEASURE_COLUMNS] + [
        f"{MEASURE_PERIOD_HEADER} {v.period}" for v in book.views]


def measure_cell(row: MeasureRow, absolute: bool = True) -> str:
    """The input cell of a measure (its value at the workbook's period)."""
    col = col_letter(MEASURE_INDEX["value"])
    return f"${col}${row.row + 1}" if absolute else f"{col}{row.row + 1}"


def write_measures(wb: Workbook, ws: Worksheet, book: Book) -> None:
    _write_header(ws, book)
    for row in book.measures:
        _write_row(wb, ws, book, row)
    _write_table(ws, book)
    _write_setup(ws, book)


def _write_header(ws: Worksheet, book: Book) -> None:
    st = book.styles
    write_text(ws, st, 0, 0, f"Misure — {book.plan.entity} {book.year}", "title")
    label = book.plan.period_label(book.period)
    ws.write_string(2, 0, f"Compilare solo le celle gialle: valore di ogni misura al "
                          f"{book.period}/{book.year}"
                    + (f" ({label})" if label != book.period else "")
                    + ". Ogni misura si inserisce una volta sola: gli indicatori elencati "
                      "ne calcolano il consuntivo.", st.get("legend_input"))


def _write_row(wb: Workbook, ws: Worksheet, book: Book, row: MeasureRow) -> None:
    st = book.styles
    measure = row.measure
    r = row.row
    texts = {"code": measure.code, "name": measure.name, "unit": measure.unit,
             "office": measure.office, "source": measure.source,
             "users": ", ".join(row.users)}
    for key, text in texts.items():
        c = MEASURE_INDEX[key]
        book.lock(ws.name, r, c, write_value(ws, st, r, c, text, st.get("cell")))
    value_col = MEASURE_INDEX["value"]
    write_value(ws, st, r, value_col, row.value, st.get("input", "numero"), "input")
    wb.define_name(row.name, f"={quote_sheet(SHEET_MEASURES)}!{measure_cell(row)}")
    for k, view in enumerate(book.views):
        c = len(MEASURE_COLUMNS) + k
        book.lock(ws.name, r, c, write_value(ws, st, r, c, row.periods.get(view.period),
                                             st.get("cell", "numero")))
    height = row_height((texts[c.key], c.width) for c in MEASURE_COLUMNS if c.key in texts)
    if height:
        ws.set_row(r, height)


def _write_table(ws: Worksheet, book: Book) -> None:
    st = book.styles
    headers = measure_headers(book)
    last = MEASURES_HEADER_ROW + len(book.measures)
    ws.add_table(MEASURES_HEADER_ROW, 0, last, len(headers) - 1, {
        "name": TABLE_MEASURES, "style": st.table_style, "autofilter": False,
        "columns": [{"header": h, "header_format": st.get("header")} for h in headers]})
    col = MEASURE_INDEX["value"]
    ws.data_validation(MEASURES_HEADER_ROW + 1, col, last, col, {
        "validate": "decimal", "criteria": "between", "minimum": -1e12, "maximum": 1e12,
        "input_title": "Valore della misura",
        "input_message": f"Valore al {book.period}/{book.year}"[:255],
        "error_title": "Valore non valido",
        "error_message": "Inserire un numero (es. 1.234,5)."})


def _write_setup(ws: Worksheet, book: Book) -> None:
    widths = [c.width for c in MEASURE_COLUMNS] + [PERIOD_WIDTH] * len(book.views)
    widths[0] = max(widths[0], code_width(r.measure.code for r in book.measures))
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.set_row(MEASURES_HEADER_ROW, 30)
    ws.freeze_panes(MEASURES_HEADER_ROW + 1, 1)
    last = MEASURES_HEADER_ROW + len(book.measures)
    ws.print_area(0, 0, last, len(widths) - 1)
    ws.repeat_rows(MEASURES_HEADER_ROW)
    page_setup(ws, book, widths, repeat_columns=1)
    ws.protect(book.password or "", {"format_columns": True, "format_rows": True,
                                     "select_locked_cells": True,
                                     "select_unlocked_cells": True})
