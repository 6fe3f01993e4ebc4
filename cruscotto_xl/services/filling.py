"""Type actuals into a generated workbook as an office would: input cells only.

Used by ``cruscotto demo`` and by the tests (openpyxl, like a person editing the file:
no formula, target or weight is touched). Cells are found through the layout's tables.
What is typed (:class:`~cruscotto_xl.core.actuals.Typed`) and how it goes into a plan
live in :mod:`cruscotto_xl.core.actuals`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import openpyxl

from ..core.actuals import Typed
from ..core.model import FINAL_PERIOD, Plan
from ..core.targets import Kind, TargetError
from ..core.vocabulary import yes_no_text
from ..returns.locate import find_table, registry
from ..workbook.layout import INDICATOR_COLUMNS

HEADER = {c.key: c.header for c in INDICATOR_COLUMNS}


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
            for key in ("actual", "numerator", "denominator", "note", "reference",
                        "event_date"):
                value = getattr(values, key)
                if value is not None:
                    row[HEADER[key]].value = value
            filled += 1
    wb.save(out or path)
    return filled


def sample_typed(plan: Plan, year: int, seed: int = 2024,
                 period: str = FINAL_PERIOD) -> dict[str, Typed]:
    """Plausible, reproducible values for a plan that has no actuals (the demo says so).

    Around each target of ``period``: from 60 % to 120 % of it, a deadline from a month
    early to a month late, milestones mostly done; monitoring-only indicators get a value too.
    """
    rnd = random.Random(seed)
    out: dict[str, Typed] = {}
    for slot in plan.indicators():
        ind = slot.indicator
        try:
            target = ind.target_for(year, period)
        except TargetError:
            continue
        value: float | date | str
        if target.kind is Kind.EVENT_DEADLINE:       # an event in the year, done around the term
            event = date(year, rnd.randint(1, 10), rnd.randint(1, 28))
            out[ind.code] = Typed(event + timedelta(days=rnd.randint(0, 75)), event_date=event)
            continue
        if target.kind is Kind.DEADLINE and target.deadline is not None:
            value = target.deadline + timedelta(days=rnd.randint(-30, 20))
        elif target.kind is Kind.MILESTONE:
            value = yes_no_text(rnd.random() < 0.8)
        elif target.value is not None and target.value != 0:
            value = round(target.value * rnd.uniform(0.6, 1.2), 4)
        else:
            value = float(rnd.randint(0, 3))
        out[ind.code] = Typed(value)
    return out


