"""The master's ``Stato uffici`` sheet and the consolidation problems of ``Controlli``.

The writer receives them as plain data (:class:`~cruscotto_xl.workbook.book.Extras`) from
the consolidation, so the writing layer never depends on the reading one.
"""

from __future__ import annotations

from datetime import datetime

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.history import HISTORY_HEADERS
from ...core.problems import Problem
from ..book import Book, Extras
from ..cells import fit_height, page_setup, write_text
from ..layout import HISTORY_FIRST_ROW, TABLE_CONSOLIDATION, TABLE_HISTORY, TABLE_OFFICES

OFFICE_HEADERS = ("Ufficio", "Stato", "File", "Ultima modifica", "Valori mancanti", "Problemi",
                  "Firma")
PROBLEM_HEADERS = ("Gravità", "Dove", "Codice", "Problema")
OFFICE_WIDTHS = (30, 14, 44, 18, 14, 10, 24)
#: The columns of ``Controlli`` (workbook/sheets/checks.py), whose consolidation block puts
#: the problems' place and message in the second and fourth.
CHECK_WIDTHS = (12, 44, 28, 40, 44)
PROBLEM_WIDTHS = CHECK_WIDTHS[:4]
HISTORY_WIDTHS = (17, 28, 14, 9, 30, 30, 40)


def _fit_row(ws: Worksheet, r: int, values: tuple[object, ...],
             widths: tuple[float, ...]) -> None:
    """Give row ``r`` the height its wrapped texts need (workbook/cells.py)."""
    height = fit_height(values, widths)
    if height:
        ws.set_row(r, height)


def write_offices(ws: Worksheet, book: Book, extras: Extras) -> None:
    st = book.styles
    write_text(ws, st, 0, 0, f"Stato degli uffici — {book.plan.entity} {book.year}", "title")
    top = 2
    for r, status in enumerate(extras.statuses, top + 1):
        write_text(ws, st, r, 0, status.office)
        write_text(ws, st, r, 1, status.state)
        write_text(ws, st, r, 2, status.file)
        if status.modified:
            ws.write_datetime(r, 3, status.modified, st.get("cell", "data_ora"))
        else:
            ws.write_blank(r, 3, None, st.get("cell"))
        ws.write_number(r, 4, status.missing_values, st.get("cell"))
        ws.write_number(r, 5, status.problems, st.get("cell"))
        write_text(ws, st, r, 6, status.signoff)
        _fit_row(ws, r, (status.office, status.state, status.file, status.modified,
                         status.missing_values, status.problems, status.signoff), OFFICE_WIDTHS)
    last = top + max(len(extras.statuses), 1)
    ws.add_table(top, 0, last, len(OFFICE_HEADERS) - 1, {
        "name": TABLE_OFFICES, "style": st.table_style, "autofilter": True,
        "columns": [{"header": h, "header_format": st.get("header")} for h in OFFICE_HEADERS]})
    for state, color in (("restituita", "verde"), ("con problemi", "giallo"),
                         ("mancante", "rosso"), ("rifiutata", "rosso")):
        ws.conditional_format(top + 1, 1, last, 1, {"type": "cell", "criteria": "==",
                                                    "value": f'"{state}"',
                                                    "format": st.conditional(color)})
    ws.conditional_format(top + 1, 6, last, 6, {
        "type": "cell", "criteria": "==", "value": '"firmata"',
        "format": st.conditional("verde")})
    ws.conditional_format(top + 1, 6, last, 6, {
        "type": "cell", "criteria": "==", "value": '"modificata dopo la firma"',
        "format": st.conditional("rosso")})
    for c, width in enumerate(OFFICE_WIDTHS):
        ws.set_column(c, c, width)
    ws.print_area(0, 0, last, len(OFFICE_HEADERS) - 1)
    ws.repeat_rows(top)
    page_setup(ws, book, OFFICE_WIDTHS)
    ws.protect(book.password or "", {"autofilter": True, "select_locked_cells": True,
                                     "select_unlocked_cells": True})


def write_problems(wb: Workbook, ws: Worksheet, book: Book, problems: list[Problem],
                   top: int) -> int:
    """The consolidation problems as a table at ``top``; returns the next free row."""
    st = book.styles
    ws.write_string(top, 0, "Problemi del consolidamento", st.get("subtitle"))
    header = top + 1
    for r, p in enumerate(problems, header + 1):
        write_text(ws, st, r, 0, p.severity)
        write_text(ws, st, r, 1, p.location)
        write_text(ws, st, r, 2, p.subject)
        write_text(ws, st, r, 3, p.message)
        _fit_row(ws, r, (p.severity, str(p.location), p.subject, p.message), PROBLEM_WIDTHS)
    last = header + max(len(problems), 1)
    ws.add_table(header, 0, last, len(PROBLEM_HEADERS) - 1, {
        "name": TABLE_CONSOLIDATION, "style": st.table_style, "autofilter": True,
        "columns": [{"header": h, "header_format": st.get("header")} for h in PROBLEM_HEADERS]})
    ws.conditional_format(header + 1, 0, last, 0, {"type": "cell", "criteria": "==",
                                                   "value": '"errore"',
                                                   "format": st.conditional("rosso")})
    return last + 2


def write_history(ws: Worksheet, book: Book, rows: list[tuple[object, ...]]) -> None:
    """``Storico valori``: every value a consolidation changed, oldest first, never pruned."""
    st = book.styles
    write_text(ws, st, 0, 0, f"Storico dei valori — {book.plan.entity} {book.year}", "title")
    top = HISTORY_FIRST_ROW - 1
    for r, cells in enumerate(rows, top + 1):
        for c, value in enumerate(cells):
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, st.get("cell", "data_ora"))
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, c, value, st.get("cell"))
            else:
                write_text(ws, st, r, c, None if value is None else str(value))
        _fit_row(ws, r, tuple(cells), HISTORY_WIDTHS)
    last = top + max(len(rows), 1)
    ws.add_table(top, 0, last, len(HISTORY_HEADERS) - 1, {
        "name": TABLE_HISTORY, "style": st.table_style, "autofilter": True,
        "columns": [{"header": h, "header_format": st.get("header")} for h in HISTORY_HEADERS]})
    for c, width in enumerate(HISTORY_WIDTHS):
        ws.set_column(c, c, width)
    ws.freeze_panes(top + 1, 0)
    ws.print_area(0, 0, last, len(HISTORY_HEADERS) - 1)
    ws.repeat_rows(top)
    page_setup(ws, book, HISTORY_WIDTHS)
    ws.protect(book.password or "", {"autofilter": True, "select_locked_cells": True,
                                     "select_unlocked_cells": True})
