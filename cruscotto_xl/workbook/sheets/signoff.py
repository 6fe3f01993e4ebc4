"""The ``Validazione`` sheet: the office head confirms the data (docs/workbook.md).

Four cells the office fills (responsabile, ruolo, data, «Confermo i dati»), unlocked and
named, and a locked cell for the fingerprint that ``cruscotto firma`` stores
(:mod:`cruscotto_xl.core.signoff`). None of them is in the tamper hash: they are the office's.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.vocabulary import NO, YES
from ..book import Book
from ..cells import page_setup, row_height, write_text
from ..layout import (
    NAME_SIGN_CONFIRM,
    NAME_SIGN_DATE,
    NAME_SIGN_PRINT,
    NAME_SIGNER,
    NAME_SIGNER_ROLE,
    SHEET_SIGNOFF,
    quote_sheet,
)
from .objective import MAX_DATE, MIN_DATE

FIELDS = (
    (NAME_SIGNER, "Responsabile", "Nome e cognome di chi conferma i dati"),
    (NAME_SIGNER_ROLE, "Ruolo", "Es. Dirigente dell'area, Responsabile del servizio"),
    (NAME_SIGN_DATE, "Data", "Data della conferma (gg/mm/aaaa)"),
    (NAME_SIGN_CONFIRM, "Confermo i dati", "Sì: i valori di questa cartella sono confermati"),
)
FIRST_ROW = 2
PRINT_ROW = FIRST_ROW + len(FIELDS) + 1
WIDTHS = (22, 40, 50)


def signoff_cell(name: str) -> str:
    """Where a Validazione field lives (column B), as the writer puts it."""
    names = [n for n, _, _ in FIELDS] + [NAME_SIGN_PRINT]
    row = FIRST_ROW + names.index(name) if name != NAME_SIGN_PRINT else PRINT_ROW
    return f"B{row + 1}"


def write_signoff(wb: Workbook, ws: Worksheet, book: Book) -> None:
    st = book.styles
    office = f" — ufficio {book.office}" if book.office else ""
    if book.card is not None:       # an individual scorecard: the evaluator confirms
        office = f" — scheda individuale di {book.card.person.name} (firma il valutatore)"
    write_text(ws, st, 0, 0, f"Validazione dei dati al {book.period}/{book.year}{office}",
               "title")
    for k, (name, label, hint) in enumerate(FIELDS):
        r = FIRST_ROW + k
        ws.write_string(r, 0, label, st.get("label"))
        if name == NAME_SIGN_DATE:
            ws.write_blank(r, 1, None, st.get("input", "data"))
            ws.data_validation(r, 1, r, 1, {
                "validate": "date", "criteria": "between", "minimum": MIN_DATE,
                "maximum": MAX_DATE, "error_title": "Data non valida",
                "error_message": "Inserire la data della conferma (gg/mm/aaaa)."})
        elif name == NAME_SIGN_CONFIRM:
            ws.write_blank(r, 1, None, st.get("input"))
            ws.data_validation(r, 1, r, 1, {
                "validate": "list", "source": [YES, NO],
                "error_title": "Valore non valido", "error_message": "Scegliere Sì oppure No."})
        else:
            ws.write_blank(r, 1, None, st.get("input"))
        write_text(ws, st, r, 2, hint, "plain")
        wb.define_name(name, f"={quote_sheet(SHEET_SIGNOFF)}!$B${r + 1}")
    ws.write_string(PRINT_ROW, 0, "Impronta dei dati", st.get("label"))
    ws.write_blank(PRINT_ROW, 1, None, st.get("cell"))
    wb.define_name(NAME_SIGN_PRINT, f"={quote_sheet(SHEET_SIGNOFF)}!$B${PRINT_ROW + 1}")
    paragraph = ("Compilati i dati, il responsabile inserisce nome, ruolo, data e «Sì» e firma "
                 "con il pulsante Firma della scheda Cruscotto o con il comando «cruscotto "
                 "firma» (o lo fa il controllo di gestione): "
                 "l'impronta registra i valori confermati. Se un valore cambia dopo la firma, "
                 "il consolidamento lo segnala e chiede una nuova firma.")
    # over the three columns, so it prints within the page and grows downwards
    ws.merge_range(PRINT_ROW + 2, 0, PRINT_ROW + 2, 2, "", st.get("plain"))
    write_text(ws, st, PRINT_ROW + 2, 0, paragraph, "plain")
    ws.set_row(PRINT_ROW + 2, row_height([(paragraph, sum(WIDTHS))]))
    for r in range(FIRST_ROW, FIRST_ROW + len(FIELDS)):
        height = row_height([(FIELDS[r - FIRST_ROW][2], WIDTHS[2])])
        if height:
            ws.set_row(r, height)
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    ws.print_area(0, 0, PRINT_ROW + 2, 2)
    page_setup(ws, book, WIDTHS)
    ws.protect(book.password or "", {"select_locked_cells": True,
                                     "select_unlocked_cells": True})


__all__ = ["FIELDS", "signoff_cell", "write_signoff"]
