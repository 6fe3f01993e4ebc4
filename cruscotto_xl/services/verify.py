"""Compare the grades a spreadsheet computed with the Python engine's, cell by cell.

The formula truth tests and ``cruscotto demo`` recalculate generated workbooks (LibreOffice)
and call :func:`compare_with_engine`: every indicator, objective, OS, ambito and ente grade
must equal the engine to 1e-9 and every valutazione text must match.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from ..core.model import FINAL_PERIOD, Plan
from ..core.rollup import Node, evaluate, weighted_mean
from ..core.rules import Grade, valutazione
from ..core.tree import plan_part
from ..core.vocabulary import value_text
from ..returns.locate import defined_cell, find_table, registry, summary_table
from ..workbook.layout import (
    INDICATOR_COLUMNS,
    LEVEL_LABELS,
    OFFICE_LEVEL_LABEL,
    PERIOD_COLUMNS,
    PERIOD_INDEX,
    SUMMARY_COLUMNS,
    period_header,
    period_summary_table,
)

TOLERANCE = 1e-9
_IND = {c.key: c.header for c in INDICATOR_COLUMNS}
_SUM = {c.key: c.header for c in SUMMARY_COLUMNS}
_GRADE = PERIOD_COLUMNS[PERIOD_INDEX["grade"]]


@dataclass(frozen=True)
class Mismatch:
    sheet: str
    cell: str
    what: str
    excel: object
    python: object

    def __str__(self) -> str:
        return (f"{self.sheet}!{self.cell} {self.what}: Excel {value_text(self.excel)}, "
                f"Python {value_text(self.python)}")


@dataclass(frozen=True)
class Comparison:
    compared: int
    mismatches: list[Mismatch]

    @property
    def equal(self) -> bool:
        return not self.mismatches


def _same(excel: object, python: float | str) -> bool:
    if isinstance(python, float):
        return isinstance(excel, int | float) and not isinstance(excel, bool) and abs(
            excel - python) <= TOLERANCE
    return excel == python


def compare_with_engine(recalculated: Path, plan: Plan, *, year: int | None = None,
                        office: str | None = None, period: str = FINAL_PERIOD) -> Comparison:
    """Check every grade and valutazione of a recalculated workbook against the engine,
    for the open ``period`` and for each other monitoring period of the plan."""
    year = year or plan.year
    part = plan_part(plan, office, year)
    root = evaluate(part, year, period)
    bands = part.policy.bands
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # a date cell out of range reads as #VALUE!
        wb = openpyxl.load_workbook(recalculated, data_only=True)
    mismatches: list[Mismatch] = []
    compared = 0

    def check(cell: openpyxl.cell.cell.Cell, what: str, grade: Grade) -> None:
        nonlocal compared
        compared += 1
        if not _same(cell.value, grade.cell):
            mismatches.append(Mismatch(cell.parent.title, cell.coordinate, f"grado {what}",
                                       cell.value, grade.cell))

    def check_text(cell: openpyxl.cell.cell.Cell, what: str, expected: str) -> None:
        nonlocal compared
        compared += 1
        if cell.value != expected:
            mismatches.append(Mismatch(cell.parent.title, cell.coordinate,
                                       f"valutazione {what}", cell.value, expected))

    # The open period in the main columns and summary; every other period of the plan in
    # its own columns («Grado 30/06»), its objective grade below them and its summary sheet.
    views: list[tuple[str | None, Node]] = [(None, root)] + [
        (q, evaluate(part, year, q)) for q in part.period_dates if q != period]
    tables = [(entry, find_table(wb, entry.table)) for entry in registry(wb)]
    labels = {v: k for k, v in LEVEL_LABELS.items()} | {OFFICE_LEVEL_LABEL: "ente"}
    for other, view_root in views:
        nodes: dict[tuple[str, str], Node] = {(n.level, n.code): n for n in view_root.walk()}
        grade_header = _IND["grade"] if other is None else period_header(_GRADE, other)
        at = "" if other is None else f" al {other}"
        for entry, table in tables:
            for row in table.rows:
                code = str(row[_IND["code"]].value)
                node = nodes[("indicatore", code)]
                check(row[grade_header], f"indicatore {code}{at}", node.grade)
                if other is None:
                    check_text(row[_IND["valutazione"]], f"indicatore {code}",
                               valutazione(node.grade, bands))
            objective = nodes[(entry.level, entry.code)]
            own = [c for c in objective.children if c.level == "indicatore"]
            if not own:
                continue
            expected = weighted_mean([(c.weight, c.grade) for c in own])
            if other is None:
                check(defined_cell(wb, entry.grade_name), f"obiettivo {entry.code}", expected)
            elif table.rows:
                below = table.rows[-1][grade_header].offset(row=2)
                check(below, f"obiettivo {entry.code}{at}", expected)
        summary = summary_table(wb) if other is None else find_table(
            wb, period_summary_table(other))
        for row in summary.rows:
            level = labels[str(row[_SUM["level"]].value)]
            code = str(row[_SUM["code"]].value)
            node = view_root if level == "ente" else nodes[(level, code)]
            check(row[_SUM["grade"]], f"{level} {code}{at}", node.grade)
            check_text(row[_SUM["valutazione"]], f"{level} {code}{at}",
                       valutazione(node.grade, bands))
    return Comparison(compared, mismatches)
