"""Is a returned workbook the one that was sent? Identity and locked cells.

Identity: plan id, year, period, template version and office must be those expected.
Locked cells (targets, weights, statuses, formulas, summary) are compared one by one with
a render of the plan part in memory, so each change is reported with its sheet, cell,
column, expected and found content. Formulas are compared normalized (see
:func:`~cruscotto_xl.workbook.layout.normalize_formula`), so a re-save is not a change.
"""

from __future__ import annotations

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from ..checks import Problem
from ..model import Plan
from ..workbook.book import Book
from ..workbook.layout import (
    INDICATOR_COLUMNS,
    SHEET_SUMMARY,
    SUMMARY_COLUMNS,
    TEMPLATE_VERSION,
    normalize_cell,
)
from .read import Reading

MAX_CELLS_REPORTED = 20


def identity_problems(reading: Reading, plan: Plan, year: int, period: str) -> list[Problem]:
    """Wrong plan, year, period, version or office: the workbook cannot be merged."""
    ident = reading.identity
    where = reading.path.name
    problems = []
    if ident.plan_id != plan.id:
        problems.append(Problem(where, f"cartella di un altro piano («{ident.plan_id}», atteso "
                                       f"«{plan.id}»)"))
    if ident.year != year:
        problems.append(Problem(where, f"cartella dell'anno {ident.year}, atteso {year}"))
    if ident.period != period:
        problems.append(Problem(where, f"cartella del periodo {ident.period}, atteso {period}"))
    if ident.version != TEMPLATE_VERSION:
        problems.append(Problem(where, f"versione del modello {ident.version}, attesa "
                                       f"{TEMPLATE_VERSION}: rigenerare la cartella"))
    if ident.office and ident.office not in plan.all_offices():
        problems.append(Problem(where, f"ufficio «{ident.office}» non presente nel piano"))
    return problems


def _column_label(sheet: str, coord: str) -> str:
    letters, _ = coordinate_from_string(coord)
    index = column_index_from_string(letters) - 1
    columns = SUMMARY_COLUMNS if sheet == SHEET_SUMMARY else INDICATOR_COLUMNS
    return columns[index].header if index < len(columns) else letters


def _shown(value: str) -> str:
    return "vuoto" if value == "" else (value if len(value) <= 60 else value[:57] + "…")


def locked_problems(reading: Reading, expected: Book) -> list[Problem]:
    """Every locked cell whose content differs from the render of the plan."""
    found = {(s, c): normalize_cell(v) for s, c, v in reading.locked}
    wanted = {(s, c): normalize_cell(v) for s, c, v in expected.locked}
    problems: list[Problem] = []
    for key in sorted(set(found) | set(wanted)):
        a, b = wanted.get(key, ""), found.get(key, "")
        if a == b:
            continue
        sheet, coord = key
        what = ("formula bloccata modificata" if a.startswith("=") or b.startswith("=")
                else "valore bloccato modificato")
        problems.append(Problem(reading.where(sheet, coord),
                                f"{what} ({_column_label(sheet, coord)}): "
                                f"atteso «{_shown(a)}», trovato «{_shown(b)}»"))
    if len(problems) > MAX_CELLS_REPORTED:
        extra = len(problems) - MAX_CELLS_REPORTED
        problems = problems[:MAX_CELLS_REPORTED]
        problems.append(Problem(reading.path.name, f"… e altre {extra} celle bloccate modificate"))
    return problems
