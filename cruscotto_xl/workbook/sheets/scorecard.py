"""The ``Scheda individuale`` sheet of a person's workbook (docs/individual.md).

One table of the score's parts (own objectives, organisational components, behaviour
section) with weight and grade, the score as the roll-up's weighted mean, and the
behaviour block the evaluator fills. Every formula is the twin of a function of
:mod:`cruscotto_xl.core.scorecard` or :mod:`cruscotto_xl.core.rollup`; the cached values
are the engine's. The «Grado organizzativo» cells are locked and filled by ``consolida
--individuali`` from the master; the behaviour scores are the evaluator's input cells.
Every other written cell is in the tamper hash.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.rollup import (
    NOTHING_GRADED,
    contribution_formula,
    weight_used_formula,
    weighted_mean_formula,
)
from ...core.rules import NOT_GRADED_PREFIX
from ...core.scorecard import (
    behaviour_grade_formula,
    behaviour_items,
    component_grade_formula,
)
from ..book import Book
from ..cells import page_setup, row_height, write_text
from ..layout import (
    NAME_BEHAVIOUR_GRADE,
    NAME_SCORE,
    NAME_WEIGHT_GRADED,
    SHEET_SCORECARD,
    behaviour_name,
    col_letter,
    org_grade_name,
    quote_sheet,
)

ROLE_LABELS = {"segretario_generale": "Segretario Generale", "dirigente": "Dirigente",
               "posizione_organizzativa": "Posizione organizzativa", "dipendente": "Dipendente"}
SOURCE_LABELS = {"ente": "ente", "area": "area", "ufficio": "ufficio", "obiettivo": "obiettivo"}
HEADERS = ("Parte", "Codice", "Descrizione", "Grado di", "Target", "Grado organizzativo",
           "Peso", "Grado", "Peso valutato", "Contributo")
WIDTHS = (24, 8, 44, 30, 12, 14, 9, 12, 10, 10)
PART_LABELS = {"obiettivo": "Obiettivo individuale", "componente": "Componente organizzativa",
               "comportamenti": "Comportamenti"}
HEADER_ROW = 8
C_ORG, C_WEIGHT, C_GRADE, C_USED, C_CONTRIB = 5, 6, 7, 8, 9


def write_scorecard(wb: Workbook, ws: Worksheet, book: Book) -> None:
    card = book.card
    assert card is not None
    st = book.styles
    person = card.person
    plan = book.plan
    name = ws.name

    def text(r: int, c: int, value: str | None, kind: str = "cell") -> None:
        write_text(ws, st, r, c, value, kind)
        if value:
            book.lock(name, r, c, value)

    def number(r: int, c: int, value: float, fmt: str) -> None:
        ws.write_number(r, c, value, st.get("cell", fmt))
        book.lock(name, r, c, value)

    text(0, 0, f"Scheda di valutazione individuale {book.year} — {person.name}", "title")
    info = (("Persona", person.name), ("Codice", person.code),
            ("Ruolo", ROLE_LABELS.get(person.role, person.role)),
            ("Struttura", person.structure), ("Valutatore", person.evaluator))
    for k, (label, value) in enumerate(info, 2):
        text(k, 0, label, "label")
        text(k, 2, value, "plain")
    for c, header in enumerate(HEADERS):
        text(HEADER_ROW, c, header, "header")
    sheet_of = {id(s.objective): s for s in book.sheets}
    objectives = iter(book.plan.areas[0].objectives)     # the person's, in order
    first = HEADER_ROW + 1
    behaviour_cell = ""
    components = iter(enumerate(person.components, 1))
    for i, part in enumerate(card.parts):
        r = first + i
        text(r, 0, PART_LABELS[part.kind])
        text(r, 1, part.code)
        text(r, 2, part.name)
        for c in (3, 4, C_ORG):
            ws.write_blank(r, c, None, st.get("cell"))
        number(r, C_WEIGHT, part.weight, "peso")
        grade = f"{col_letter(C_GRADE)}{r + 1}"
        if part.kind == "obiettivo":
            sheet = sheet_of.get(id(next(objectives)))
            formula = f"={sheet.grade_ref}" if sheet else f'="{NOTHING_GRADED}"'
        elif part.kind == "componente":
            k, comp = next(components)
            ref = "" if comp.source == "ente" else (comp.reference or person.structure or "")
            where = f"{SOURCE_LABELS[comp.source]} {ref}".rstrip()
            text(r, 3, where)
            text(r, 4, comp.target)
            org = f"${col_letter(C_ORG)}${r + 1}"
            value = part.org
            # filled by `consolida --individuali`: locked, outside the tamper hash
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, C_ORG, float(value), st.get("cell", "percentuale"))
            elif value:
                write_text(ws, st, r, C_ORG, str(value))
            else:
                ws.write_blank(r, C_ORG, None, st.get("cell", "percentuale"))
            wb.define_name(org_grade_name(k), f"={quote_sheet(name)}!{org}")
            formula = component_grade_formula(org, comp, plan)
        else:
            behaviour_cell = grade
            formula = ""            # written below, once the behaviour block is placed
        if formula:
            book.formula(ws, r, C_GRADE, formula, st.get("grade", "percentuale"),
                         part.grade.cell)
        book.formula(ws, r, C_USED, weight_used_formula(f"G{r + 1}", grade),
                     st.get("cell", "peso"), part.weight if part.grade.graded else 0.0)
        book.formula(ws, r, C_CONTRIB, contribution_formula(f"G{r + 1}", grade),
                     st.get("cell", "numero"),
                     part.weight * part.grade.value if part.grade.value is not None else 0.0)
    last = first + max(len(card.parts), 1) - 1
    used = f"${col_letter(C_USED)}${first + 1}:${col_letter(C_USED)}${last + 1}"
    contrib = f"${col_letter(C_CONTRIB)}${first + 1}:${col_letter(C_CONTRIB)}${last + 1}"
    total = last + 2
    text(total, 0, "Punteggio (su 100 %)", "label")
    book.formula(ws, total, C_GRADE, weighted_mean_formula(used, contrib),
                 st.get("grade", "percentuale"), card.score.cell)
    wb.define_name(NAME_SCORE, f"={quote_sheet(name)}!${col_letter(C_GRADE)}${total + 1}")
    text(total + 1, 0, "Peso valutato (punti su 100)", "label")
    book.formula(ws, total + 1, C_GRADE, f"=SUM({used})", st.get("cell", "peso"),
                 card.weight_graded)
    wb.define_name(NAME_WEIGHT_GRADED,
                   f"={quote_sheet(name)}!${col_letter(C_GRADE)}${total + 2}")
    note = ("Il punteggio è la media dei gradi pesata sui pesi delle parti valutate: una "
            "parte non valutabile (dato mancante, grado organizzativo non ancora riportato, "
            "comportamenti non ancora valutati) non conta e il suo peso manca dal «Peso "
            "valutato». Il punteggio è definitivo quando il peso valutato è 100. "
            f"«{NOT_GRADED_PREFIX}»: vedere il motivo nella colonna Grado.")
    ws.merge_range(total + 2, 0, total + 2, 5, "", st.get("plain"))
    text(total + 2, 0, note, "plain")
    ws.set_row(total + 2, row_height([(note, sum(WIDTHS[:6]))]))
    bottom = total + 2
    if behaviour_cell:
        bottom = _behaviours(wb, ws, book, total + 4, behaviour_cell)
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width, None, {"hidden": True} if c in (C_USED, C_CONTRIB) else {})
    ws.print_area(0, 0, bottom, C_GRADE)
    page_setup(ws, book, WIDTHS[:C_GRADE + 1])
    ws.protect(book.password or "", {"select_locked_cells": True,
                                     "select_unlocked_cells": True})


def _behaviours(wb: Workbook, ws: Worksheet, book: Book, top: int, grade_cell: str) -> int:
    """The evaluator's block; writes the behaviour part's grade at ``grade_cell`` and
    returns the block's last row."""
    card = book.card
    assert card is not None
    st = book.styles
    person = card.person
    name = ws.name
    evaluator = f" (valutatore: {person.evaluator})" if person.evaluator else ""
    title = f"Comportamenti organizzativi — a cura del valutatore{evaluator}"
    write_text(ws, st, top, 0, title, "subtitle")
    book.lock(name, top, 0, title)
    headers = ("Comportamento", "", "Descrizione", "Peso", "", "Valutazione (0–100 %)")
    for c, header in enumerate(headers):
        write_text(ws, st, top + 1, c, header, "header")
        if header:
            book.lock(name, top + 1, c, header)
    items = behaviour_items(person)
    first = top + 2
    for k, (label, description, weight) in enumerate(items):
        r = first + k
        write_text(ws, st, r, 0, label)
        book.lock(name, r, 0, label)
        write_text(ws, st, r, 2, description)
        if description:
            book.lock(name, r, 2, description)
        ws.write_number(r, 3, weight, st.get("cell", "peso"))
        book.lock(name, r, 3, weight)
        score = book.behaviour_scores[k] if k < len(book.behaviour_scores) else None
        fmt = st.get("input", "percentuale")
        if isinstance(score, int | float) and not isinstance(score, bool):
            ws.write_number(r, C_ORG, float(score), fmt)
        elif score not in (None, ""):
            write_text(ws, st, r, C_ORG, str(score), "input")
        else:
            ws.write_blank(r, C_ORG, None, fmt)
        ws.data_validation(r, C_ORG, r, C_ORG, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
            "error_title": "Valutazione non valida",
            "error_message": "Inserire una percentuale tra 0% e 100% (es. 80%)."})
        wb.define_name(behaviour_name(k + 1),
                       f"={quote_sheet(name)}!${col_letter(C_ORG)}${r + 1}")
    last = first + len(items) - 1
    scores = f"${col_letter(C_ORG)}${first + 1}:${col_letter(C_ORG)}${last + 1}"
    weights = f"$D${first + 1}:$D${last + 1}"
    part = next(p for p in card.parts if p.kind == "comportamenti")
    row = last + 1
    label = "Grado dei comportamenti"
    write_text(ws, st, row, 0, label, "label")
    book.lock(name, row, 0, label)
    book.formula(ws, row, C_ORG, behaviour_grade_formula(scores, weights),
                 st.get("grade", "percentuale"), part.grade.cell)
    wb.define_name(NAME_BEHAVIOUR_GRADE,
                   f"={quote_sheet(name)}!${col_letter(C_ORG)}${row + 1}")
    letters, number = grade_cell[0], grade_cell[1:]
    book.formula(ws, int(number) - 1, C_GRADE,
                 f"={col_letter(C_ORG)}{row + 1}", st.get("grade", "percentuale"),
                 part.grade.cell)
    assert letters == col_letter(C_GRADE)
    return row


__all__ = ["SHEET_SCORECARD", "write_scorecard"]
