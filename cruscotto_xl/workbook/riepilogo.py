"""The ``Riepilogo`` sheet: ente → ambito → OS → OO with weights, grades, lights and a chart.

Each row links to its objective sheet (``Grado proprio``) and/or rolls up its children
(``Grado figli``) with SUMIFS over per-level helper columns (one pair per level, so no
formula's range contains its own row: no circular references). The grade of an OS mixes
the two as :func:`~cruscotto_xl.aggregate.os_grade_formula` says.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..aggregate import (
    Node,
    contribution_formula,
    grouped_mean_formula,
    os_grade_formula,
    weight_used_formula,
    weighted_mean,
)
from ..rules import Grade, valutazione, valutazione_formula
from .book import Book
from .layout import (
    LEVEL_LABELS,
    NAME_ENTE_GRADE,
    SHEET_SUMMARY,
    SUMMARY_COLUMNS,
    SUMMARY_INDEX,
    TABLE_SUMMARY,
    col_letter,
    row_height,
)
from .obiettivo import _traffic_lights, page_setup, write_text

HEADER_ROW = 3
HELPERS = {"ambito": ("wu_area", "c_area"), "os": ("wu_os", "c_os"), "oo": ("wu_oo", "c_oo")}
CHILD_LEVEL = {"ente": "ambito", "ambito": "os", "os": "oo"}


def _key(node: Node) -> str:
    return "ente" if node.level == "ente" else f"{LEVEL_LABELS[node.level]}:{node.code}"


def summary_rows(root: Node) -> list[tuple[Node, str]]:
    """The summary's rows in order with each row's parent key (indicators excluded)."""
    rows: list[tuple[Node, str]] = []

    def visit(node: Node, parent: str) -> None:
        if node.level == "indicatore":
            return
        rows.append((node, parent))
        for child in node.children:
            visit(child, _key(node))

    visit(root, "")
    return rows


def write_summary(wb: Workbook, ws: Worksheet, book: Book) -> None:
    st = book.styles
    office = f" — ufficio {book.office}" if book.office else ""
    write_text(ws, book, 0, 0, f"Riepilogo {book.plan.entity} — {book.year}{office}", "title")
    rows = summary_rows(book.root)
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
        book.formula(ws, r, col[key], formula, st.get(fmt_kind, number), cached)

    bands = book.plan.policy.bands
    for i, (node, parent) in enumerate(rows):
        r = first + i
        key = _key(node)
        indent = {"ente": 0, "ambito": 1, "os": 2, "oo": 3}[node.level]
        values = {"level": LEVEL_LABELS[node.level],
                  "code": "" if node.level == "ente" else node.code,
                  "title": node.title, "key": key, "parent": parent}
        for name, value in values.items():
            write_text(ws, book, r, col[name], value, indent=indent if name == "title" else 0)
            book.lock(SHEET_SUMMARY, r, col[name], value)
        height = row_height([(node.title, SUMMARY_COLUMNS[col["title"]].width - 2 * indent)])
        if height:
            ws.set_row(r, height)
        ws.write_number(r, col["weight"], node.weight, st.get("cell", "peso"))
        book.lock(SHEET_SUMMARY, r, col["weight"], node.weight)

        sheet = sheets.get((node.level, node.code))
        own_grade: Grade | None = None
        if sheet is not None:
            own_grade = sheet.own_grade
            put(r, "own", f"={sheet.grade_ref}", own_grade.cell, number="percentuale")
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
        "name": TABLE_SUMMARY, "style": st.table_style, "autofilter": False,
        "columns": [{"header": c.header, "header_format": st.get("header")}
                    for c in SUMMARY_COLUMNS],
    })
    grade_col = col["grade"]
    _traffic_lights(ws, book, first, grade_col, last, grade_col, ref("grade", first))
    light = col["light"]
    _traffic_lights(ws, book, first, light, last, light, f"${col_letter(grade_col)}{first + 1}")
    wb.define_name(NAME_ENTE_GRADE, f"={SHEET_SUMMARY}!${col_letter(grade_col)}${first + 1}")

    ws.write_string(1, 0, "Grado dell'ente", st.get("label"))
    book.formula(ws, 1, 2, f"={ref('grade', first)}", st.get("grade", "percentuale"),
                 book.root.grade.cell, locked=False)
    chart_rows = _chart(wb, ws, book, rows, first, last)
    for i, c in enumerate(SUMMARY_COLUMNS):
        ws.set_column(i, i, c.width, None, {"hidden": True} if c.helper else {})
    ws.print_area(0, 0, last + 3 + chart_rows, SUMMARY_INDEX["light"])
    ws.repeat_rows(HEADER_ROW)
    ws.freeze_panes(first, 3)
    page_setup(ws, book)
    ws.protect(book.password or "", {"format_columns": True, "select_locked_cells": True,
                                     "select_unlocked_cells": True})


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
        node = rows[r - first][0]
        book.formula(ws, HEADER_ROW + 1 + k, c0, f"={code_col}{r + 1}", st.get("cell"),
                     node.code, locked=False)
        g = node.grade.value
        book.formula(ws, HEADER_ROW + 1 + k, c0 + 1,
                     f"=IF(ISNUMBER({grade_col}{r + 1}),{grade_col}{r + 1},0)",
                     st.get("cell", "percentuale"), g if g is not None else 0, locked=False)
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
    height = max(300, 24 * len(os_rows) + 80)
    chart.set_size({"width": 640, "height": height})
    chart.show_hidden_data()
    ws.set_column(c0, c0 + 1, 10, None, {"hidden": True})
    ws.insert_chart(last + 3, 0, chart)
    return height // 20 + 1
