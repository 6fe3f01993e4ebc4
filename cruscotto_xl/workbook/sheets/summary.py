"""The ``Riepilogo`` sheet: ente → ambito → OS → OO with weights, grades, lights and a chart.

Each row links to its objective sheet (``Grado proprio``) and/or rolls up its children
(``Grado figli``) with SUMIFS over per-level helper columns (one pair per level, so no
formula's range contains its own row: no circular references), keyed by row numbers,
never by codes (:func:`~cruscotto_xl.core.rollup.grouped_mean_formula`). The grade of an OS mixes
the two as :func:`~cruscotto_xl.core.rollup.os_grade_formula` says.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.rollup import (
    Node,
    contribution_formula,
    grouped_mean_formula,
    os_grade_formula,
    weight_used_formula,
    weighted_mean,
)
from ...core.rules import Grade, valutazione, valutazione_formula
from ..book import Book, PeriodView
from ..cells import page_setup, row_height, write_text, write_traffic_lights, write_value
from ..layout import (
    LEVEL_LABELS,
    NAME_ENTE_GRADE,
    OFFICE_LEVEL_LABEL,
    SHEET_SUMMARY,
    SUMMARY_COLUMNS,
    SUMMARY_INDEX,
    TABLE_SUMMARY,
    col_letter,
    quote_sheet,
    top_grade_label,
)
from .structure import UnitBlock, write_structure_block

HEADER_ROW = 3
HELPERS = {"ambito": ("wu_area", "c_area"), "os": ("wu_os", "c_os"), "oo": ("wu_oo", "c_oo")}
CHILD_LEVEL = {"ente": "ambito", "ambito": "os", "os": "oo"}


#: Width of a trend column (Riepilogo of the 31/12 with the 30/06 beside it).
TREND_WIDTH = 11
#: The chart's largest height (px): an A4 landscape page less margins, header and footer.
CHART_MAX_HEIGHT = 560


def summary_rows(root: Node) -> list[tuple[Node, int | None]]:
    """The summary's rows in order with each row's parent key (indicators excluded).

    A row's key is its 1-based position in the summary, a number: the roll-up criteria
    match numbers exactly, whatever the codes hold (wildcards, quotes, case); the ente's
    row has no parent (None).
    """
    rows: list[tuple[Node, int | None]] = []

    def visit(node: Node, parent: int | None) -> None:
        if node.level == "indicatore":
            return
        rows.append((node, parent))
        key = len(rows)
        for child in node.children:
            visit(child, key)

    visit(root, None)
    return rows


def write_summary(wb: Workbook, ws: Worksheet, book: Book,
                  view: PeriodView | None = None,
                  structure: Sequence[UnitBlock] = ()) -> None:
    """The summary of the open period, or (``view``) of another period on its own sheet.

    Another period's sheet has the same rows, linked to that period's grade cells; its
    cells stay out of the tamper hash (they are all formulas of locked cells or plan texts).
    ``structure`` (a master's areas and offices) adds the «Gradi per struttura» block
    below the chart.
    """
    st = book.styles
    office = f" — ufficio {book.office}" if book.office else ""
    period = book.period if view is None else view.period
    write_text(ws, st, 0, 0, f"Riepilogo {book.plan.entity} — {book.year} al {period}{office}",
               "title")
    root = book.root if view is None else view.root
    sheet_name = SHEET_SUMMARY if view is None else view.summary_sheet
    lock = view is None
    rows = summary_rows(root)
    first = HEADER_ROW + 1
    last = HEADER_ROW + len(rows)
    sheets = {(s.level, s.objective.code): s for s in book.sheets}
    col = SUMMARY_INDEX

    def ref(key: str, r: int) -> str:
        return f"{col_letter(col[key])}{r + 1}"

    def rng(key: str) -> str:
        c = col_letter(col[key])
        return f"${c}${first + 1}:${c}${last + 1}"

    def put(r: int, key: str, formula: str, cached: object, fmt_kind: str = "cell",
            number: str | None = None) -> None:
        book.formula(ws, r, col[key], formula, st.get(fmt_kind, number), cached, locked=lock)

    bands = book.plan.policy.bands
    for i, (node, parent) in enumerate(rows):
        r = first + i
        key = i + 1                     # summary_rows: a row's key is its position
        indent = {"ente": 0, "ambito": 1, "os": 2, "oo": 3}[node.level]
        values = {"level": LEVEL_LABELS[node.level],
                  "code": "" if node.level == "ente" else node.code,
                  "title": node.title}
        if node.level == "ente" and book.office:   # an office's part, not the ente
            values.update(level=OFFICE_LEVEL_LABEL, title=f"{book.office} — {node.title}")
        for name, value in values.items():
            write_text(ws, st, r, col[name], value, indent=indent if name == "title" else 0)
            if lock:
                book.lock(sheet_name, r, col[name], value)
        for name, number in (("key", key), ("parent", parent)):
            held = write_value(ws, st, r, col[name], number, st.get("cell"))
            if lock:
                book.lock(sheet_name, r, col[name], held)
        ws.write_number(r, col["weight"], node.weight, st.get("cell", "peso"))
        if lock:
            book.lock(sheet_name, r, col["weight"], node.weight)

        sheet = sheets.get((node.level, node.code))
        own_grade: Grade | None = None
        if sheet is not None:
            own_grade = sheet.own_grade_at(view)
            put(r, "own", f"={sheet.grade_ref_at(view)}", own_grade.cell, number="percentuale")
        children = [c for c in node.children if c.level == CHILD_LEVEL.get(node.level)]
        child_grade: Grade | None = None
        if children:
            child_grade = weighted_mean([(c.weight, c.grade) for c in children])
            wu, contrib = HELPERS[CHILD_LEVEL[node.level]]
            put(r, "children", "=" + grouped_mean_formula(rng(wu), rng(contrib), rng("parent"),
                                                          key),
                child_grade.cell, number="percentuale")
        if node.level == "os":
            grade_text = os_grade_formula(book.plan.policy, sheet is not None, bool(children),
                                          ref("own", r), ref("children", r))
        elif node.level == "oo":
            grade_text = f"={ref('own', r)}"
        else:
            grade_text = f"={ref('children', r)}"
        put(r, "grade", grade_text, node.grade.cell, "grade", "percentuale")
        put(r, "valutazione", valutazione_formula(ref("grade", r), bands),
            valutazione(node.grade, bands))
        height = row_height([(node.title, SUMMARY_COLUMNS[col["title"]].width - 2 * indent),
                             (valutazione(node.grade, bands),
                              SUMMARY_COLUMNS[col["valutazione"]].width)])
        if height:
            ws.set_row(r, height)
        put(r, "light", f'=IF(ISNUMBER({ref("grade", r)}),"●","○")',
            "●" if node.grade.value is not None else "○", "light")
        if node.level in HELPERS:
            wu, contrib = HELPERS[node.level]
            g = node.grade.value
            put(r, wu, weight_used_formula(ref("weight", r), ref("grade", r)),
                node.weight if g is not None else 0.0)
            put(r, contrib, contribution_formula(ref("weight", r), ref("grade", r)),
                node.weight * g if g is not None else 0.0)

    ws.add_table(HEADER_ROW, 0, last, len(SUMMARY_COLUMNS) - 1, {
        "name": TABLE_SUMMARY if view is None else view.summary_table,
        "style": st.table_style, "autofilter": False,
        "columns": [{"header": c.header, "header_format": st.get("header")}
                    for c in SUMMARY_COLUMNS],
    })
    grade_col = col["grade"]
    write_traffic_lights(ws, book, first, grade_col, last, grade_col, ref("grade", first))
    light = col["light"]
    write_traffic_lights(ws, book, first, light, last, light,
                         f"${col_letter(grade_col)}{first + 1}")
    if view is None:
        wb.define_name(NAME_ENTE_GRADE,
                       f"={SHEET_SUMMARY}!${col_letter(grade_col)}${first + 1}")

    ws.write_string(1, 0, top_grade_label(book.office, book.person), st.get("label"))
    book.formula(ws, 1, 2, f"={ref('grade', first)}", st.get("grade", "percentuale"),
                 root.grade.cell, locked=False)
    chart_rows = _chart(wb, ws, book, rows, first, last) if view is None else 0
    for i, c in enumerate(SUMMARY_COLUMNS):
        ws.set_column(i, i, c.width, None, {"hidden": True} if c.helper else {})
    right = SUMMARY_INDEX["light"]
    if view is None and book.views:
        right = _trend(ws, book, rows, first)
        ws.set_row(HEADER_ROW, 30)         # «Variazione dal 30/06» on two lines
    bottom = last + 3 + chart_rows
    if structure and view is None:
        bottom = write_structure_block(ws, book, list(structure), bottom + 2)
    ws.print_area(0, 0, bottom, right)
    ws.repeat_rows(HEADER_ROW)
    ws.freeze_panes(first, 3)
    printed = [c.width for c in SUMMARY_COLUMNS if not c.helper]
    page_setup(ws, book, printed + [TREND_WIDTH] * (right - SUMMARY_INDEX["light"]))
    ws.protect(book.password or "", {"format_columns": True, "select_locked_cells": True,
                                     "select_unlocked_cells": True})


TREND_COLUMN = len(SUMMARY_COLUMNS) + 3   # right after the chart's hidden link block
NOT_GRADED = "n.v."                        # a period's grade that is not a number


def _trend(ws: Worksheet, book: Book, rows: list[tuple[Node, str]], first: int) -> int:
    """Beside the open period's summary: each other period's grade and the change since
    the previous period (``Variazione``), linked to the other summary sheets' rows.

    Returns the last column written (for the print area).
    """
    st = book.styles
    grade = col_letter(SUMMARY_INDEX["grade"])
    order = book.plan.period_dates
    earlier = [v for v in book.views if order.index(v.period) < order.index(book.period)]
    previous = earlier[-1] if earlier else None
    c = TREND_COLUMN
    for view in book.views:
        ws.write_string(HEADER_ROW, c, f"Grado {view.period}", st.get("header"))
        nodes = [n for n, _ in summary_rows(view.root)]
        for i in range(len(rows)):
            r = first + i
            link = f"{quote_sheet(view.summary_sheet)}!{grade}{r + 1}"
            value = nodes[i].grade.value
            book.formula(ws, r, c, f'=IF(ISNUMBER({link}),{link},"{NOT_GRADED}")',
                         st.get("cell", "percentuale"),
                         value if value is not None else NOT_GRADED, locked=False)
        ws.set_column(c, c, TREND_WIDTH)
        if view is previous:
            ws.write_string(HEADER_ROW, c + 1, f"Variazione dal {view.period}", st.get("header"))
            for i, (node, _) in enumerate(rows):
                r = first + i
                now, then = f"{grade}{r + 1}", f"{col_letter(c)}{r + 1}"
                old = nodes[i].grade.value
                # in percentage points, like the Relazione (docs/report.md)
                change = (node.grade.value - old) * 100 if (
                    node.grade.value is not None and old is not None) else ""
                book.formula(ws, r, c + 1,
                             f'=IF(AND(ISNUMBER({now}),ISNUMBER({then})),'
                             f'({now}-{then})*100,"")',
                             st.get("cell", "variazione"), change, locked=False)
            ws.set_column(c + 1, c + 1, 14)
            c += 1
        c += 1
    return c - 1


CHART_NOT_GRADED = " (non valutabile)"
NOT_AVAILABLE = "#N/A"
"""Excel's error value that a chart leaves out (a gap): what NA() gives."""


def _chart(wb: Workbook, ws: Worksheet, book: Book, rows: list[tuple[Node, str]],
           first: int, last: int) -> int:
    """Bar chart of the OS grades, from a hidden contiguous block of links beside the table.

    Returns how many rows the chart covers (for the print area).
    """
    st = book.styles
    os_rows = [first + i for i, (n, _) in enumerate(rows) if n.level == "os"]
    if not os_rows:
        return 0
    c0 = len(SUMMARY_COLUMNS) + 1
    ws.write_string(HEADER_ROW, c0, "OS", st.get("header"))
    ws.write_string(HEADER_ROW, c0 + 1, "Grado OS", st.get("header"))
    grade_col = col_letter(SUMMARY_INDEX["grade"])
    code_col = col_letter(SUMMARY_INDEX["code"])
    for k, r in enumerate(os_rows):
        # «non valutabile» is a gap with a marked category (#N/A draws no bar), never 0 %
        node = rows[r - first][0]
        g = node.grade.value
        grade, code = f"{grade_col}{r + 1}", f"{code_col}{r + 1}"
        book.formula(ws, HEADER_ROW + 1 + k, c0,
                     f'=IF(ISNUMBER({grade}),{code},{code}&"{CHART_NOT_GRADED}")',
                     st.get("cell"), node.code + ("" if g is not None else CHART_NOT_GRADED),
                     locked=False)
        book.formula(ws, HEADER_ROW + 1 + k, c0 + 1, f"=IF(ISNUMBER({grade}),{grade},NA())",
                     st.get("cell", "percentuale"), g if g is not None else NOT_AVAILABLE,
                     locked=False)
    end = HEADER_ROW + len(os_rows)
    chart = wb.add_chart({"type": "bar"})
    sheet = f"'{SHEET_SUMMARY}'"
    chart.add_series({
        "name": "Grado di raggiungimento",
        "categories": f"={sheet}!${col_letter(c0)}${HEADER_ROW + 2}:${col_letter(c0)}${end + 1}",
        "values": f"={sheet}!${col_letter(c0 + 1)}${HEADER_ROW + 2}:"
                  f"${col_letter(c0 + 1)}${end + 1}",
        "fill": {"color": book.styles.colors["intestazione"]},
        "data_labels": {"value": True, "num_format": "0%"},
    })
    chart.set_title({"name": "Grado degli obiettivi strategici"})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    # at most the printable height of an A4 landscape page, on a page of its own
    height = min(CHART_MAX_HEIGHT, max(300, 24 * len(os_rows) + 80))
    chart.set_size({"width": 640, "height": height})
    chart.show_hidden_data()
    ws.set_column(c0, c0 + 1, 10, None, {"hidden": True})
    ws.insert_chart(last + 3, 0, chart)
    ws.set_h_pagebreaks([last + 3])
    return height // 20 + 1
