"""Grades per structure in a master: the hidden ``_strutture`` sheet and the «Gradi per
struttura» block of the ``Riepilogo`` (docs/structure.md).

Each area and office of the plan's ``struttura`` gets a block of rows on the hidden sheet:
its part of the plan (:func:`~cruscotto_xl.core.structure.unit_tree`) written as a small
summary — one row per ambito, OS, OO and indicator of the part, the unit's own row on top.
Weights are the part's (written as numbers: the plan fixes them); an indicator row links to
the indicator's grade cell on its objective sheet, and every other row rolls up its
children with the same formulas as the Riepilogo
(:func:`~cruscotto_xl.core.rollup.grouped_mean_formula`, one helper pair per level so no
range holds its own row, keys that are row numbers, never codes;
:func:`~cruscotto_xl.core.rollup.os_grade_formula` for the OS mix). A recalculated master
therefore gives each unit the grade :func:`~cruscotto_xl.core.structure.structure_grades`
gives, which tests/truth/test_structure_truth.py checks with LibreOffice.

Only masters carry it (a consolidation's workbook, when the plan has a ``struttura``); the
cells stay out of the tamper hash, like the chart's links: the reader never reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xlsxwriter.worksheet import Worksheet

from ...core.model import Indicator, Plan
from ...core.rollup import (
    Node,
    contribution_formula,
    grouped_mean_formula,
    os_grade_formula,
    weight_used_formula,
    weighted_mean,
)
from ...core.rules import Grade, valutazione, valutazione_formula
from ...core.structure import ChartUnit, chart_units, unit_plan, unit_tree
from ..book import Book, IndicatorRow
from ..cells import row_height, write_text, write_traffic_lights
from ..layout import SHEET_STRUCTURE, SUMMARY_COLUMNS, SUMMARY_INDEX, col_letter, quote_sheet

#: Columns of the hidden sheet (one helper pair per child level, as in the Riepilogo).
COLUMNS = ("key", "parent", "level", "code", "title", "weight", "own", "children", "grade",
           "wu_ind", "c_ind", "wu_oo", "c_oo", "wu_os", "c_os", "wu_amb", "c_amb")
HEADERS = ("Chiave", "Padre", "Livello", "Codice", "Titolo", "Peso", "Grado proprio",
           "Grado figli", "Grado", "Peso valutato indicatore", "Contributo indicatore",
           "Peso valutato OO", "Contributo OO", "Peso valutato OS", "Contributo OS",
           "Peso valutato ambito", "Contributo ambito")
COL = {k: i for i, k in enumerate(COLUMNS)}
#: The helper pair a row of each level fills, which its parent sums.
HELPERS = {"indicatore": ("wu_ind", "c_ind"), "oo": ("wu_oo", "c_oo"),
           "os": ("wu_os", "c_os"), "ambito": ("wu_amb", "c_amb")}
LEVEL_WORDS = {"ambito": "Ambito", "os": "OS", "oo": "OO", "indicatore": "Indicatore"}
UNIT_WORDS = {"area": "Area", "ufficio": "Ufficio"}
FIRST_ROW = 1            # 0-based row of the first block (header above)

BLOCK_TITLE = "Gradi per struttura"
BLOCK_NOTE = ("Grado di ogni area e di ogni ufficio: la parte del piano di cui è "
              "responsabile, con gli stessi pesi e le stesse regole del grado dell'ente "
              f"(calcolo nel foglio nascosto {SHEET_STRUCTURE}).")
BLOCK_HEADERS = {"level": "Struttura", "code": "Area", "title": "Nome", "weight": "Indicatori",
                 "grade": "Grado", "valutazione": "Valutazione", "light": "Semaforo"}


@dataclass
class UnitBlock:
    """One area or office: its rows on the hidden sheet (0-based, the unit's own first)."""

    unit: ChartUnit
    part: Plan                    # the unit's part of the plan (core.structure.unit_plan)
    tree: Node                    # its roll-up (core.structure.unit_tree)
    first: int
    rows: list[tuple[Node, int | None]] = field(default_factory=list)   # (node, parent key)

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def indicators(self) -> int:
        return sum(1 for n, _ in self.rows if n.level == "indicatore")

    @property
    def grade_ref(self) -> str:
        return f"{quote_sheet(SHEET_STRUCTURE)}!${col_letter(COL['grade'])}${self.first + 1}"


def structure_blocks(book: Book) -> list[UnitBlock]:
    """The blocks of a master's units in chart order (none without ``struttura``)."""
    blocks: list[UnitBlock] = []
    row = FIRST_ROW
    for unit in chart_units(book.plan, book.year):
        block = UnitBlock(unit, unit_plan(book.plan, unit.offices, book.year),
                          unit_tree(book.plan, unit.offices, book.year, book.period), row)
        _flatten(block.tree, None, block.rows, row)
        blocks.append(block)
        row = block.last + 1
    return blocks


def _flatten(node: Node, parent: int | None, out: list[tuple[Node, int | None]],
             first: int) -> None:
    """Pre-order rows; a row's key is its 1-based position on the sheet (unique across the
    blocks, a number as the roll-up criteria want)."""
    out.append((node, parent))
    key = first + len(out) - FIRST_ROW
    for child in node.children:
        _flatten(child, key, out, first)


_STEP = re.compile(r"(ambiti|obiettivi_operativi|obiettivi|indicatori)\[(\d+)\]")
_FIELDS = {"ambiti": "areas", "obiettivi": "objectives", "obiettivi_operativi": "operational",
           "indicatori": "indicators"}


def _indicator_at(plan: Plan, path: str) -> Indicator:
    """The indicator a roll-up node's path names in ``plan`` (the unit's part)."""
    item: object = plan
    for name, index in _STEP.findall(path):
        item = getattr(item, _FIELDS[name])[int(index)]
    if not isinstance(item, Indicator):
        raise LookupError(f"percorso {path!r}: non è un indicatore")
    return item


def write_structure_sheet(ws: Worksheet, book: Book, blocks: list[UnitBlock]) -> None:
    """The hidden sheet: every unit's part as a small summary of native formulas."""
    st = book.styles
    for c, header in enumerate(HEADERS):
        ws.write_string(0, c, header, st.get("header"))
    cells: dict[int, IndicatorRow] = {id(r.indicator): r for s in book.sheets for r in s.rows}
    sheets = {id(r.indicator): s for s in book.sheets for r in s.rows}
    policy = book.plan.policy
    for block in blocks:
        part = block.part

        def rng(key: str, block: UnitBlock = block) -> str:
            c = col_letter(COL[key])
            return f"${c}${block.first + 1}:${c}${block.last + 1}"

        for i, (node, parent) in enumerate(block.rows):
            r = block.first + i
            key = r + 1 - FIRST_ROW

            def ref(name: str, r: int = r) -> str:
                return f"{col_letter(COL[name])}{r + 1}"

            def put(name: str, formula: str, cached: object, r: int = r) -> None:
                book.formula(ws, r, COL[name], formula, st.get("cell"), cached, locked=False)

            label = (UNIT_WORDS[block.unit.kind] if node.level == "ente"
                     else LEVEL_WORDS[node.level])
            code = block.unit.code if node.level == "ente" else node.code
            title = block.unit.name if node.level == "ente" else node.title
            ws.write_number(r, COL["key"], key)
            if parent is not None:
                ws.write_number(r, COL["parent"], parent)
            write_text(ws, st, r, COL["level"], label, "plain")
            write_text(ws, st, r, COL["code"], code, "plain")
            write_text(ws, st, r, COL["title"], title, "plain")
            ws.write_number(r, COL["weight"], node.weight)
            if node.level == "indicatore":
                ind = _indicator_at(part, node.path)
                row = cells[id(ind)]
                target = f"{quote_sheet(sheets[id(ind)].name)}!{row.cell('grade', True)}"
                put("grade", f"={target}", node.grade.cell)
            elif node.level == "os":
                own = [c for c in node.children if c.level == "indicatore"]
                oos = [c for c in node.children if c.level == "oo"]
                if own:
                    put("own", "=" + grouped_mean_formula(rng("wu_ind"), rng("c_ind"),
                                                          rng("parent"), key),
                        _mean(own).cell)
                if oos:
                    put("children", "=" + grouped_mean_formula(rng("wu_oo"), rng("c_oo"),
                                                               rng("parent"), key),
                        _mean(oos).cell)
                put("grade", os_grade_formula(policy, bool(own), bool(oos), ref("own"),
                                              ref("children")), node.grade.cell)
            else:
                child = {"ente": "ambito", "ambito": "os", "oo": "indicatore"}[node.level]
                wu, contrib = HELPERS[child]
                put("grade", "=" + grouped_mean_formula(rng(wu), rng(contrib), rng("parent"),
                                                        key), node.grade.cell)
            if node.level in HELPERS:
                wu, contrib = HELPERS[node.level]
                g = node.grade.value
                put(wu, weight_used_formula(ref("weight"), ref("grade")),
                    node.weight if g is not None else 0.0)
                put(contrib, contribution_formula(ref("weight"), ref("grade")),
                    node.weight * g if g is not None else 0.0)
    ws.set_column(0, len(COLUMNS) - 1, 12)
    ws.set_column(COL["title"], COL["title"], 40)
    ws.protect(book.password or "")
    ws.hide()


def _mean(children: list[Node]) -> Grade:
    return weighted_mean([(c.weight, c.grade) for c in children])


def write_structure_block(ws: Worksheet, book: Book, blocks: list[UnitBlock], top: int) -> int:
    """The «Gradi per struttura» block of the Riepilogo from row ``top``; returns its last
    row. Grades link to the hidden sheet; texts are plan texts, written as texts."""
    st = book.styles
    col = SUMMARY_INDEX
    bands = book.plan.policy.bands
    write_text(ws, st, top, 0, BLOCK_TITLE, "title")
    ws.write_string(top + 1, 0, BLOCK_NOTE, st.get("label"))
    header = top + 2
    for key, text in BLOCK_HEADERS.items():
        ws.write_string(header, col[key], text, st.get("header"))
    first = header + 1
    for i, block in enumerate(blocks):
        r = first + i
        unit = block.unit
        is_area = unit.kind == "area"
        area = unit.area
        name = unit.name
        if is_area and area is not None:
            details = [f"Dirigente: {area.head}" if area.head else "",
                       f"Uffici: {', '.join(area.offices)}" if area.offices else ""]
            name = " · ".join([name, *(d for d in details if d)])
        write_text(ws, st, r, col["level"], UNIT_WORDS[unit.kind])
        write_text(ws, st, r, col["code"], area.code if area is not None else "")
        write_text(ws, st, r, col["title"], name, indent=0 if is_area else 1)
        ws.write_number(r, col["weight"], block.indicators, st.get("cell"))
        grade = f"{col_letter(col['grade'])}{r + 1}"
        book.formula(ws, r, col["grade"], f"={block.grade_ref}", st.get("grade", "percentuale"),
                     block.tree.grade.cell, locked=False)
        book.formula(ws, r, col["valutazione"], valutazione_formula(grade, bands),
                     st.get("cell"), valutazione(block.tree.grade, bands), locked=False)
        book.formula(ws, r, col["light"], f'=IF(ISNUMBER({grade}),"●","○")', st.get("light"),
                     "●" if block.tree.grade.value is not None else "○", locked=False)
        height = row_height([(name, SUMMARY_COLUMNS[col["title"]].width - 2),
                             (valutazione(block.tree.grade, bands),
                              SUMMARY_COLUMNS[col["valutazione"]].width)])
        if height:
            ws.set_row(r, height)
    last = first + len(blocks) - 1
    grade_col = col["grade"]
    write_traffic_lights(ws, book, first, grade_col, last, grade_col,
                         f"{col_letter(grade_col)}{first + 1}")
    light = col["light"]
    write_traffic_lights(ws, book, first, light, last, light,
                         f"${col_letter(grade_col)}{first + 1}")
    return last
