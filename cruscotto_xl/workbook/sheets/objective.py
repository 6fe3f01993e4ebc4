"""One sheet per objective that owns indicators: header block, indicator table, grade.

Every plan text is written as a string (quote-prefixed when it starts with ``= + - @``:
:mod:`cruscotto_xl.workbook.cells`);
the grade, valutazione and helper cells are the formulas of :mod:`cruscotto_xl.core.rules` and
:mod:`cruscotto_xl.core.rollup`, with the Python results as cached values.
"""

from __future__ import annotations

from datetime import date

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ...core.actuals import indicator_actual_formula
from ...core.model import Indicator
from ...core.rollup import contribution_formula, weight_used_formula, weighted_mean_formula
from ...core.rules import (
    Cells,
    grade_formula,
    valutazione,
    valutazione_formula,
)
from ...core.targets import Kind, Target
from ...core.transversal import rule_text
from ...core.vocabulary import NO, YES
from ...core.years import final_value
from ..book import HEADER_ROW, Book, IndicatorRow, ObjectiveSheet, PeriodView
from ..cells import (
    code_width,
    page_setup,
    row_height,
    write_text,
    write_traffic_lights,
    write_value,
)
from ..layout import (
    INDICATOR_COLUMNS,
    INDICATOR_INDEX,
    PERIOD_COLUMNS,
    col_letter,
    history_column,
    period_header,
)

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


def number_format(row: IndicatorRow) -> str:
    """Format name for the row's target/actual cells: percent, date or general."""
    target = row.spec.target
    if target.kind in (Kind.DEADLINE, Kind.EVENT_DEADLINE):
        return "data"
    if row.unit == "%":
        return "percentuale"
    return "numero"


def value_format(target: Target, numfmt: str) -> str:
    """The Valore target cell's format: the row's, but a term from an event (30 gg, 2 mesi)
    is a count, not a date (a date format would also read back as a date)."""
    return "numero" if target.kind is Kind.EVENT_DEADLINE else numfmt


def _cells(row: IndicatorRow, view: PeriodView | None = None) -> Cells:
    """The cells the rule formula reads: the open period's, or another period's block."""
    def at(key: str) -> str:
        return row.cell(key) if view is None else row.period_cell(view, key)

    return Cells(actual=row.cell("effective") if view is None else at("actual"),
                 target=at("target"), status=row.cell("status"), forced=row.cell("forced"),
                 reference=row.cell("reference"), tolerance=row.cell("tolerance"),
                 red_flag=row.cell("red_flag"), threshold=row.cell("threshold"),
                 deadline=at("deadline"), event=at("event_date"))


def table_headers(book: Book) -> list[str]:
    """The indicator table's headers: the open period's columns, then each other period's,
    then the dictionary block (baseline, earlier years, plan years' targets, texts)."""
    return [c.header for c in INDICATOR_COLUMNS] + [
        period_header(c, v.period) for v in book.views for c in PERIOD_COLUMNS] + [
        c.header for c in book.context]


def write_objective_sheet(ws: Worksheet, book: Book, sheet: ObjectiveSheet) -> None:
    _header_block(ws, book, sheet)
    _table(ws, book, sheet)
    _grade_block(ws, book, sheet)
    _setup(ws, book, sheet)


def _header_block(ws: Worksheet, book: Book, sheet: ObjectiveSheet) -> None:
    st = book.styles
    obj = sheet.objective
    kind = "Obiettivo strategico" if sheet.level == "os" else "Obiettivo operativo"
    write_text(ws, st, 0, 0, f"{kind} {obj.code} — {obj.title}", "title")
    labels = [
        ("Ambito", f"{sheet.area_code} — {sheet.area_title}"),
        ("Ob. strategico", f"{sheet.os.code} — {sheet.os.title}"),
        ("Uffici", ", ".join(obj.offices or sheet.os.offices) or "—"),
    ]
    for r, (label, value) in enumerate(labels, 1):
        ws.write_string(r, 0, label, st.get("label"))
        write_text(ws, st, r, 1, value, "plain")
        height = row_height([(value, INDICATOR_COLUMNS[1].width)])
        if height:
            ws.set_row(r, height)
    ws.write_string(1, 3, "Anno", st.get("label"))
    ws.write_number(1, 4, book.year, st.get("plain", left=True))
    ws.write_string(2, 3, "Periodo", st.get("label"))
    ws.write_string(2, 4, book.period, st.get("plain", left=True))
    ws.write_string(3, 3, "Peso", st.get("label"))
    if sheet.node.weight is not None:
        ws.write_number(3, 4, sheet.node.weight, st.get("plain", "peso", left=True))
    if sheet.level == "os" and sheet.os.resources is not None:
        ws.write_string(1, 5, "Risorse", st.get("label"))
        # over three columns: a narrow «Unità» column alone would print an amount as ###
        ws.merge_range(1, 6, 1, 8, "", st.get("plain", "euro", left=True))
        ws.write_number(1, 6, sheet.os.resources, st.get("plain", "euro", left=True))
    label = book.plan.period_label(book.period)
    ws.write_string(4, 0, f"Compilare solo le celle gialle: consuntivo al {book.period}/"
                          f"{book.year}" + (f" ({label})." if label != book.period else "."),
                    st.get("legend_input"))


def _table(ws: Worksheet, book: Book, sheet: ObjectiveSheet) -> None:
    st = book.styles
    for row in sheet.rows:
        _indicator_row(ws, book, sheet, row)
    headers = table_headers(book)
    ws.add_table(HEADER_ROW, 0, sheet.last_row, len(headers) - 1, {
        "name": sheet.table,
        "style": st.table_style,
        "autofilter": False,
        "columns": [{"header": h, "header_format": st.get("header")} for h in headers],
    })
    # Validation of the inputs that are the same on every row.
    first, last = sheet.first_row, sheet.last_row
    number_rule = {"validate": "decimal", "criteria": "between", "minimum": -1e12,
                   "maximum": 1e12, "error_title": "Valore non valido",
                   "error_message": "Inserire un numero (es. 1.234,5 oppure 97,5%)."}
    for key in ("reference", "numerator", "denominator"):
        col = INDICATOR_INDEX[key]
        ws.data_validation(first, col, last, col, number_rule)
    event = INDICATOR_INDEX["event_date"]
    ws.data_validation(first, event, last, event, {
        "validate": "date", "criteria": "between", "minimum": MIN_DATE, "maximum": MAX_DATE,
        "error_title": "Data non valida", "input_title": "Data evento",
        "input_message": "Data dell'evento da cui decorre il termine (gg/mm/aaaa)",
        "error_message": "Inserire la data dell'evento (gg/mm/aaaa)."})
    note = INDICATOR_INDEX["note"]
    ws.data_validation(first, note, last, note, {
        "validate": "length", "criteria": "<=", "value": 2000,
        "error_message": "La nota può avere al massimo 2000 caratteri."})
    by_kind: dict[Kind, list[str]] = {}
    actual_col = col_letter(INDICATOR_INDEX["actual"])
    for row in sheet.rows:
        by_kind.setdefault(row.spec.target.kind, []).append(f"{actual_col}{row.row + 1}")
    for kind, cells in by_kind.items():
        _actual_validation(ws, cells, kind, book)
    # One set of traffic-light rules for the indicator grades and the objective's grade.
    grade = col_letter(INDICATOR_INDEX["grade"])
    column = INDICATOR_INDEX["grade"]
    write_traffic_lights(ws, book, first, column, last, column, f"{grade}{first + 1}",
                         multi_range=f"{grade}{first + 1}:{grade}{last + 1} "
                                     f"{sheet.grade_cell(False)}")


def _indicator_row(ws: Worksheet, book: Book, sheet: ObjectiveSheet, row: IndicatorRow) -> None:
    st = book.styles
    ind = row.indicator
    spec = row.spec
    target = spec.target
    r = row.row
    col = INDICATOR_INDEX
    numfmt = number_format(row)

    def locked(key: str, value: object, fmt: Format | None = None) -> None:
        write_locked(ws, book, sheet, r, col[key], value, fmt or st.get("cell"))

    def formula(key: str, text: str, cached: object, fmt: Format | None = None) -> None:
        book.formula(ws, r, col[key], text, fmt or st.get("cell"), cached)

    locked("code", ind.code)
    locked("name", ind.name)
    locked("algorithm", ind.algorithm)
    locked("numerator_name", ind.numerator)
    locked("denominator_name", ind.denominator)
    locked("unit", row.unit)
    locked("weight", row.node.weight, st.get("cell", "peso"))
    locked("target_text", ind.target_text(book.year, book.period))
    locked("kind", target.kind.value)
    locked("op", target.op)
    locked("target", target.value, st.get("cell", value_format(target, numfmt)))
    locked("deadline", target.deadline)
    locked("tolerance", spec.tolerance, st.get("cell", numfmt))
    locked("threshold", spec.threshold, st.get("cell", "percentuale"))
    locked("red_flag", spec.red_flag, st.get("cell", numfmt))
    locked("status", spec.status)
    locked("forced", spec.forced, st.get("cell", "percentuale"))

    # Inputs: unlocked, highlighted, validated; not part of the tamper hash.
    _input(ws, book, r, col["reference"], row.reference, numfmt)
    _input(ws, book, r, col["event_date"], row.event_date, "data")
    _input(ws, book, r, col["note"], row.note, None)
    ente = book.transversal.get(ind.code)
    if ente is None:
        _input(ws, book, r, col["numerator"], row.numerator, "numero")
        _input(ws, book, r, col["denominator"], row.denominator, "numero")
        _input(ws, book, r, col["actual"], row.actual, numfmt)
    else:   # a master's transversal indicator: the ente value from the offices' values
        ws.write_blank(r, col["numerator"], None, st.get("cell", "numero"))
        ws.write_blank(r, col["denominator"], None, st.get("cell", "numero"))
        book.formula(ws, r, col["actual"], ente, st.get("cell", numfmt), row.actual,
                     locked=False)

    texts = [(getattr(ind, attr), INDICATOR_COLUMNS[col[key]].width)
             for key, attr in (("name", "name"), ("algorithm", "algorithm"),
                               ("numerator_name", "numerator"),
                               ("denominator_name", "denominator"))]
    texts.append((ind.target_text(book.year, book.period),
                  INDICATOR_COLUMNS[col["target_text"]].width))
    texts.append((row.note, INDICATOR_COLUMNS[col["note"]].width))

    cells = _cells(row)
    formula("effective", "=" + indicator_actual_formula(
        ind, row.cell("actual"), row.cell("numerator"), row.cell("denominator"),
        book.measure_refs()), row.effective, st.get("cell", numfmt))
    grade = row.node.grade
    formula("grade", grade_formula(spec, cells), grade.cell, st.get("grade", "percentuale"))
    if ind.transversal is not None and book.office is not None:
        ws.write_comment(r, col["grade"], f"Grado dell'ufficio: calcolato sul valore di "
                                          f"questo ufficio. Indicatore trasversale: il valore "
                                          f"dell'ente si calcola al consolidamento "
                                          f"({rule_text(ind)}).", {"x_scale": 2, "y_scale": 1.5})
    formula("valutazione", valutazione_formula(row.cell("grade"), book.plan.policy.bands),
            valutazione(grade, book.plan.policy.bands))
    weight_used = row.node.weight if grade.value is not None else 0.0
    formula("weight_used", weight_used_formula(row.cell("weight"), row.cell("grade")),
            weight_used)
    formula("contribution", contribution_formula(row.cell("weight"), row.cell("grade")),
            row.node.weight * grade.value if grade.value is not None else 0.0)
    for view in book.views:
        _period_cells(ws, book, sheet, row, view, numfmt)
    texts += _context_cells(ws, book, sheet, row, numfmt)
    height = row_height(texts)
    if height:
        ws.set_row(r, height)


def context_values(ind: Indicator, book: Book) -> dict[str, object]:
    """What the dictionary block shows for one indicator, by column key (None: blank)."""
    values: dict[str, object] = {
        "baseline": ind.baseline.value if ind.baseline else None,
        "baseline_year": ind.baseline.year if ind.baseline else None,
        "tipologia": ind.kind, "description": ind.description, "source": ind.source}
    for column in book.context:
        if column.year is None:
            continue
        if column.key == history_column(column.year).key:
            values[column.key] = final_value(ind, column.year)
        else:
            values[column.key] = ind.targets.get(column.year) or None
    return values


def _context_cells(ws: Worksheet, book: Book, sheet: ObjectiveSheet, row: IndicatorRow,
                   numfmt: str) -> list[tuple[str | None, float]]:
    """The dictionary block of one row (locked); returns its texts and widths, which the
    row's height must fit."""
    st = book.styles
    values = context_values(row.indicator, book)
    texts: list[tuple[str | None, float]] = []
    for column in book.context:
        value = values.get(column.key)
        if column.key == "baseline_year":
            fmt = st.get("cell", "generale")
        elif column.key == "baseline" or (column.year is not None
                                           and column.key == history_column(column.year).key):
            fmt = st.get("cell", numfmt)
        else:
            fmt = st.get("cell")
        write_locked(ws, book, sheet, row.row, book.context_col(column.key), value, fmt)
        if isinstance(value, str):
            texts.append((value, column.width))
    return texts


def _period_cells(ws: Worksheet, book: Book, sheet: ObjectiveSheet, row: IndicatorRow,
                  view: PeriodView, numfmt: str) -> None:
    """Another period's block of one row: its target, its value (locked) and its grade."""
    st = book.styles
    r = row.row
    at = row.periods[view.period]
    target = at.spec.target

    def locked(key: str, value: object, fmt: Format) -> None:
        write_locked(ws, book, sheet, r, view.col(key), value, fmt)

    locked("target_text", row.indicator.target_text(book.year, view.period), st.get("cell"))
    locked("actual", at.value, st.get("cell", numfmt))
    locked("event_date", at.event_date, st.get("cell", "data"))
    locked("target", target.value, st.get("cell", value_format(target, numfmt)))
    locked("deadline", target.deadline, st.get("cell", "data"))
    book.formula(ws, r, view.col("grade"), grade_formula(at.spec, _cells(row, view)),
                 st.get("grade", "percentuale"), at.node.grade.cell)
    grade_cell = row.period_cell(view, "grade")
    g = at.node.grade.value
    book.formula(ws, r, view.col("weight_used"), weight_used_formula(row.cell("weight"),
                                                                     grade_cell),
                 st.get("cell"), at.node.weight if g is not None else 0.0)
    book.formula(ws, r, view.col("contribution"), contribution_formula(row.cell("weight"),
                                                                       grade_cell),
                 st.get("cell"), at.node.weight * g if g is not None else 0.0)


def write_locked(ws: Worksheet, book: Book, sheet: ObjectiveSheet, r: int, c: int,
                 value: object, fmt: Format) -> None:
    """A locked plan value (text, number, date, Sì/No or nothing), remembered for the hash."""
    book.lock(sheet.name, r, c, write_value(ws, book.styles, r, c, value, fmt))


def _input(ws: Worksheet, book: Book, r: int, c: int, value: object, numfmt: str | None) -> None:
    write_value(ws, book.styles, r, c, value, book.styles.get("input", numfmt), "input")


def _actual_validation(ws: Worksheet, cells: list[str], kind: Kind, book: Book) -> None:
    """One validation per kind of target for all its actual cells (Sì/No, date, number)."""
    if kind is Kind.MILESTONE:
        rule = {"validate": "list", "source": [YES, NO],
                "error_message": "Scegliere Sì oppure No."}
    elif kind in (Kind.DEADLINE, Kind.EVENT_DEADLINE):
        rule = {"validate": "date", "criteria": "between", "minimum": MIN_DATE,
                "maximum": MAX_DATE,
                "error_message": "Inserire la data di realizzazione (gg/mm/aaaa)."}
    else:
        rule = {"validate": "decimal", "criteria": "between", "minimum": -1e12, "maximum": 1e12,
                "error_message": "Inserire un numero (es. 1.234,5 oppure 97,5%)."}
    prompt = {"input_title": "Consuntivo",
              "input_message": f"Valore rilevato al {book.period}/{book.year}"[:255]}
    ws.data_validation(cells[0], {**rule, **prompt, "error_title": "Valore non valido",
                                  "multi_range": " ".join(cells)})


def _grade_block(ws: Worksheet, book: Book, sheet: ObjectiveSheet) -> None:
    st = book.styles
    r = sheet.grade_row
    label_col = INDICATOR_INDEX["effective"]
    ws.write_string(r, label_col, "Grado obiettivo", st.get("total"))
    grade = sheet.own_grade
    text = weighted_mean_formula(sheet.column_range("weight_used"),
                                 sheet.column_range("contribution"))
    gcol = INDICATOR_INDEX["grade"]
    book.formula(ws, r, gcol, text, st.get("grade", "percentuale"), grade.cell)
    vtext = valutazione_formula(sheet.grade_cell(absolute=False), book.plan.policy.bands)
    book.formula(ws, r, gcol + 1, vtext, st.get("grade"),
                 valutazione(grade, book.plan.policy.bands))
    for view in book.views:
        book.formula(ws, r, view.col("grade"),
                     weighted_mean_formula(sheet.period_range(view, "weight_used"),
                                           sheet.period_range(view, "contribution")),
                     st.get("grade", "percentuale"), sheet.own_grade_at(view).cell)


OPTIONAL_TEXT = {"algorithm": "algorithm", "numerator_name": "numerator",
                 "denominator_name": "denominator"}
EMPTY_WIDTH = 6


def _uses_event(sheet: ObjectiveSheet) -> bool:
    """Does a row of the sheet have a deadline from an event, in any period?"""
    return any(r.spec.target.kind is Kind.EVENT_DEADLINE
               or any(p.spec.target.kind is Kind.EVENT_DEADLINE for p in r.periods.values())
               for r in sheet.rows)


def _setup(ws: Worksheet, book: Book, sheet: ObjectiveSheet) -> None:
    # «Data evento» only where a target runs from an event; hidden (still there) elsewhere.
    unused = set() if _uses_event(sheet) else {"event_date"}
    widths: dict[int, float] = {}           # the visible columns: what prints
    for i, c in enumerate(INDICATOR_COLUMNS):
        hidden = c.helper or c.key in unused or c.detail
        options = {"hidden": True} if c.helper or c.key in unused else (
            {"level": 1, "hidden": True} if c.detail else {})
        width = c.width
        attr = OPTIONAL_TEXT.get(c.key)
        if attr and not any(getattr(r.indicator, attr) for r in sheet.rows):
            width = EMPTY_WIDTH  # nothing to show: keep the printed page readable
        ws.set_column(i, i, width, None, options)
        if not hidden:
            widths[i] = width
    for view in book.views:
        for c in PERIOD_COLUMNS:
            hidden = c.helper or c.key in unused
            ws.set_column(view.col(c.key), view.col(c.key), c.width, None,
                          {"hidden": True} if hidden else {})
            if not hidden:
                widths[view.col(c.key)] = c.width
    for c in book.context:
        ws.set_column(book.context_col(c.key), book.context_col(c.key), c.width)
        widths[book.context_col(c.key)] = c.width
    # A code is never broken over two lines: its column fits the longest one.
    widths[0] = max(14, code_width(r.indicator.code for r in sheet.rows))
    ws.set_column(0, 0, widths[0])
    ws.set_row(HEADER_ROW, max(30, row_height(
        (h, widths.get(i, 30)) for i, h in enumerate(table_headers(book))) or 0))
    ws.freeze_panes(HEADER_ROW + 1, 2)
    # Every sheet has a print area: LibreOffice prints only print areas once one sheet has one.
    last_col = book.last_col if book.context else (
        book.views[-1].col("grade") if book.views else INDICATOR_INDEX["valutazione"])
    ws.print_area(0, 0, sheet.grade_row, last_col)
    ws.repeat_rows(HEADER_ROW)
    page_setup(ws, book, (w for i, w in widths.items() if i <= last_col), repeat_columns=2)
    ws.protect(book.password or "", {"format_columns": True, "format_rows": True,
                                     "select_locked_cells": True,
                                     "select_unlocked_cells": True})
