"""The ``Controlli`` sheet: one outcome per indicator, computed by formulas.

The outcome is :func:`~cruscotto_xl.core.input_checks.input_check_formula` over the indicator's
row; the count of open problems has a defined name so macros and readers find it.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.input_checks import (
    OK,
    forbids_negative,
    input_check,
    input_check_formula,
    measure_check,
    measure_check_formula,
    row_flags,
)
from ..book import Book
from ..cells import page_setup, write_text
from ..layout import (
    CHECK_HEADERS,
    NAME_OPEN_CHECKS,
    SHEET_CHECKS,
    SHEET_MEASURES,
    TABLE_CHECKS,
    quote_sheet,
)
from .measures import measure_cell
from .offices import CHECK_WIDTHS, write_problems

HEADER_ROW = 3


def write_checks(wb: Workbook, ws: Worksheet, book: Book) -> None:
    st = book.styles
    write_text(ws, st, 0, 0, f"Controlli dei dati inseriti — {book.plan.entity} {book.year}",
               "title")
    header = HEADER_ROW
    if book.extras is not None:
        header = write_problems(wb, ws, book, book.extras.problems, HEADER_ROW) + 1
        ws.write_string(header - 1, 0, "Controlli dei valori", st.get("subtitle"))
    r = header
    open_count = 0
    for sheet in book.sheets:
        for row in sheet.rows:
            r += 1
            target = row.spec.target
            percent, at_most_100 = row_flags(row.unit, target.kind.value, target.value)
            q = quote_sheet(sheet.name) + "!"
            formula = input_check_formula(
                q + row.cell("grade"), percent, at_most_100, q + row.cell("actual"),
                q + row.cell("numerator"), q + row.cell("denominator"),
                q + row.cell("effective"))
            cached = input_check(row.node.grade.cell, percent, at_most_100, row.actual,
                                 row.numerator, row.denominator, row.effective)
            open_count += cached != OK
            values = (row.indicator.code, sheet.objective.code, sheet.name, row.cell("actual"))
            for c, value in enumerate(values):
                write_text(ws, st, r, c, value)
            book.formula(ws, r, 4, formula, st.get("cell"), cached, locked=False)
    for measure in book.measures:
        r += 1
        non_negative = forbids_negative(measure.measure.unit)
        cached = measure_check(measure.value, non_negative)
        open_count += cached != OK
        cell = measure_cell(measure, absolute=False)
        for c, value in enumerate((measure.measure.code, "Misura", SHEET_MEASURES, cell)):
            write_text(ws, st, r, c, value)
        book.formula(ws, r, 4, measure_check_formula(quote_sheet(SHEET_MEASURES) + "!" + cell,
                                                      non_negative),
                     st.get("cell"), cached, locked=False)
    first, last = header + 1, max(r, header + 1)
    ws.add_table(header, 0, last, len(CHECK_HEADERS) - 1, {
        "name": TABLE_CHECKS, "style": st.table_style, "autofilter": True,
        "columns": [{"header": h, "header_format": st.get("header")} for h in CHECK_HEADERS],
    })
    ws.conditional_format(first, 4, last, 4, {"type": "cell", "criteria": "==",
                                              "value": f'"{OK}"',
                                              "format": st.conditional("verde")})
    ws.conditional_format(first, 4, last, 4, {"type": "cell", "criteria": "!=",
                                              "value": f'"{OK}"',
                                              "format": st.conditional("giallo")})
    ws.write_string(1, 0, "Problemi aperti", st.get("label"))
    book.formula(ws, 1, 2, f'=COUNTIF($E${first + 1}:$E${last + 1},"<>{OK}")',
                 st.get("grade"), open_count, locked=False)
    wb.define_name(NAME_OPEN_CHECKS, f"={SHEET_CHECKS}!$C$2")
    for c, width in enumerate(CHECK_WIDTHS):
        ws.set_column(c, c, width)
    ws.freeze_panes(first, 0)
    ws.print_area(0, 0, last, len(CHECK_HEADERS) - 1)
    ws.repeat_rows(header)
    page_setup(ws, book, CHECK_WIDTHS)
    ws.protect(book.password or "", {"autofilter": True, "select_locked_cells": True,
                                     "select_unlocked_cells": True})
