"""Type actuals into a generated workbook as an office would: input cells only.

Used by ``cruscotto demo`` and by the tests (openpyxl, like a person editing the file:
no formula, target or weight is touched). Cells are found through the layout's tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl

from .model import FINAL_PERIOD, Plan
from .reader.locate import find_table, registry
from .workbook.layout import INDICATOR_COLUMNS

HEADER = {c.key: c.header for c in INDICATOR_COLUMNS}


@dataclass(frozen=True)
class Typed:
    """What an office types for one indicator (None leaves the cell as it is)."""

    actual: float | date | str | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None
    reference: float | None = None


def typed_from_plan(plan: Plan, year: int, period: str = FINAL_PERIOD) -> dict[str, Typed]:
    """The plan's actuals of a year as an office would type them (milestones as Sì/No)."""
    out: dict[str, Typed] = {}
    for slot in plan.indicators():
        ind = slot.indicator
        actual = ind.actual_for(year, period)
        reference = ind.references.get(year)
        if actual is None and reference is None:
            continue
        value = actual.value if actual else None
        if isinstance(value, bool):
            value = "Sì" if value else "No"
        out[ind.code] = Typed(value, actual.numerator if actual else None,
                              actual.denominator if actual else None,
                              actual.note if actual else None, reference)
    return out


def fill_workbook(path: Path, typed: Mapping[str, Typed], out: Path | None = None) -> int:
    """Write ``typed`` into the input cells of every matching indicator; returns how many."""
    wb = openpyxl.load_workbook(path)
    filled = 0
    for entry in registry(wb):
        table = find_table(wb, entry.table)
        for row in table.rows:
            code = row[HEADER["code"]].value
            values = typed.get(str(code)) if code is not None else None
            if values is None:
                continue
            for key in ("actual", "numerator", "denominator", "note", "reference"):
                value = getattr(values, key)
                if value is not None:
                    row[HEADER[key]].value = value
            filled += 1
    wb.save(out or path)
    return filled
