"""The master's ``Trasversali`` sheet (docs/transversal.md): each office's own value of
every transversal indicator, its grade («Grado dell'ufficio»), and the helper columns of
the ente value, which the indicator's row on its objective sheet computes with the native
formula of :func:`~cruscotto_xl.core.transversal.ente_value_formula`.

One table (``crx_trasversali``), one row per indicator and office, indicators in plan
order and offices in the plan's order; the reader finds it by its name and its headers.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from ...core.rules import (
    Cells,
    effective_actual,
    effective_actual_formula,
    grade_formula,
    valutazione,
    valutazione_formula,
)
from ...core.transversal import (
    WEIGHTED,
    ente_value_formula,
    office_grade,
    office_number,
    office_weight,
    product_formula,
    rule_text,
    transversal_slots,
    used_weight_formula,
)
from ..book import Book, IndicatorRow, ObjectiveSheet
from ..cells import page_setup, write_text, write_value
from ..layout import (
    SHEET_TRANSVERSAL,
    TABLE_TRANSVERSAL,
    TRANSVERSAL_COLUMNS,
    TRANSVERSAL_HEADER_ROW,
    TRANSVERSAL_INDEX,
    col_letter,
    quote_sheet,
)


@dataclass(frozen=True)
class Block:
    """One transversal indicator's rows: its objective sheet's row and its offices."""

    sheet: ObjectiveSheet
    row: IndicatorRow
    offices: list[str]
    first: int                # 0-based worksheet row of its first office

    @property
    def last(self) -> int:
        return self.first + len(self.offices) - 1

    def column(self, key: str) -> str:
        """The block's cells of one column, absolute, from any sheet."""
        col = col_letter(TRANSVERSAL_INDEX[key])
        return f"{quote_sheet(SHEET_TRANSVERSAL)}!${col}${self.first + 1}:${col}${self.last + 1}"


def plan_blocks(book: Book) -> list[Block]:
    """Where each transversal indicator of a master goes (none for an office workbook);
    fills ``book.transversal`` with the ente formulas the objective sheets write."""
    if book.extras is None:
        return []
    rows = {r.indicator.code: (s, r) for s in book.sheets for r in s.rows}
    blocks: list[Block] = []
    first = TRANSVERSAL_HEADER_ROW + 1
    for slot, offices in transversal_slots(book.plan):
        found = rows.get(slot.indicator.code)
        if found is None or not offices:
            continue
        block = Block(found[0], found[1], offices, first)
        blocks.append(block)
        first = block.last + 1
        rule = slot.indicator.transversal.rule  # type: ignore[union-attr]
        book.transversal[slot.indicator.code] = "=" + ente_value_formula(
            rule, block.column("effective"), block.column("weight_used"),
            block.column("product"))
    return blocks


def write_transversal(ws: Worksheet, book: Book, blocks: list[Block]) -> None:
    st = book.styles
    write_text(ws, st, 0, 0, f"Indicatori trasversali — {book.plan.entity} {book.year}, "
                             f"valori degli uffici al {book.period}", "title")
    ws.write_string(1, 0, "Ogni ufficio ha il proprio valore e il proprio grado; il valore "
                          "dell'ente, nella riga dell'indicatore sul foglio del suo obiettivo, "
                          "si calcola da questi valori con la regola indicata (gli uffici "
                          "senza valore non contano).", st.get("legend_input"))
    for block in blocks:
        for k, office in enumerate(block.offices):
            _office_row(ws, book, block, office, block.first + k)
    top = TRANSVERSAL_HEADER_ROW
    last = blocks[-1].last if blocks else top + 1
    ws.add_table(top, 0, last, len(TRANSVERSAL_COLUMNS) - 1, {
        "name": TABLE_TRANSVERSAL, "style": st.table_style, "autofilter": False,
        "columns": [{"header": c.header, "header_format": st.get("header")}
                    for c in TRANSVERSAL_COLUMNS]})
    for i, c in enumerate(TRANSVERSAL_COLUMNS):
        ws.set_column(i, i, c.width, None, {"hidden": True} if c.helper else {})
    ws.freeze_panes(top + 1, 1)
    ws.print_area(0, 0, last, len(TRANSVERSAL_COLUMNS) - 1)
    ws.repeat_rows(top)
    page_setup(ws, book, [c.width for c in TRANSVERSAL_COLUMNS if not c.helper])
    ws.protect(book.password or "", {"format_columns": True, "format_rows": True,
                                     "select_locked_cells": True,
                                     "select_unlocked_cells": True})


def _office_row(ws: Worksheet, book: Book, block: Block, office: str, r: int) -> None:
    st = book.styles
    ind = block.row.indicator
    assert ind.transversal is not None
    col = TRANSVERSAL_INDEX
    actual = ind.actual_for(book.year, book.period, office)
    numfmt = "percentuale" if block.row.unit == "%" else "numero"

    def cell(key: str) -> str:
        return f"{col_letter(col[key])}{r + 1}"

    def locked(key: str, value: object, number: str | None = None) -> None:
        book.lock(ws.name, r, col[key],
                  write_value(ws, st, r, col[key], value, st.get("cell", number)))

    def typed(key: str, value: object, number: str | None) -> None:
        write_value(ws, st, r, col[key], value, st.get("input", number), "input")

    locked("code", ind.code)
    locked("name", ind.name)
    locked("rule", ind.transversal.rule)
    locked("office", office)
    typed("numerator", actual.numerator if actual else None, "numero")
    typed("denominator", actual.denominator if actual else None, "numero")
    typed("actual", actual.typed if actual else None, numfmt)
    typed("note", actual.note if actual else None, None)
    value = office_number(actual)
    effective = effective_actual(actual.typed, actual.numerator, actual.denominator) \
        if actual else None
    book.formula(ws, r, col["effective"], "=" + effective_actual_formula(
        cell("actual"), cell("numerator"), cell("denominator")), st.get("cell", numfmt),
        effective)
    weight = office_weight(ind, office, actual) if ind.transversal.rule == WEIGHTED else None
    if ind.transversal.rule == WEIGHTED and not ind.transversal.weights:
        book.formula(ws, r, col["weight"], f"={cell('denominator')}", st.get("cell"),
                     weight)
    else:
        locked("weight", weight)
    used = weight if value is not None and weight is not None else 0.0
    book.formula(ws, r, col["weight_used"], "=" + used_weight_formula(
        cell("effective"), cell("weight")), st.get("cell"), used)
    book.formula(ws, r, col["product"], "=" + product_formula(
        cell("effective"), cell("weight")), st.get("cell"),
        value * weight if value is not None and weight is not None else 0.0)
    _office_grade(ws, book, block, r, cell("effective"), office)
    if r == block.first:
        ws.write_comment(r, col["rule"], f"Valore dell'ente: {rule_text(ind)}")


def _office_grade(ws: Worksheet, book: Book, block: Block, r: int, value_cell: str,
                  office: str) -> None:
    """The office's own grade: the indicator's rule (its objective sheet's locked cells)
    applied to the office's value."""
    st = book.styles
    row = block.row
    where = quote_sheet(block.sheet.name)

    def there(key: str) -> str:
        return f"{where}!{row.cell(key, absolute=True)}"

    cells = Cells(actual=value_cell, target=there("target"), status=there("status"),
                  forced=there("forced"), reference=there("reference"),
                  tolerance=there("tolerance"), red_flag=there("red_flag"),
                  threshold=there("threshold"), deadline=there("deadline"),
                  event=there("event_date"))
    grade = office_grade(row.indicator, book.plan, office, book.year, book.period)
    assert grade is not None            # the row was graded: its target is readable
    col = TRANSVERSAL_INDEX
    book.formula(ws, r, col["grade"], grade_formula(row.spec, cells),
                 st.get("grade", "percentuale"), grade.cell)
    book.formula(ws, r, col["valutazione"], valutazione_formula(
        f"{col_letter(col['grade'])}{r + 1}", book.plan.policy.bands),
        st.get("grade"), valutazione(grade, book.plan.policy.bands))


__all__ = ["Block", "plan_blocks", "write_transversal"]
