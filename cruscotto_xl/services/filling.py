"""Type actuals into a generated workbook as an office would: input cells only.

Used by ``cruscotto demo`` and by the tests (openpyxl, like a person editing the file:
no formula, target or weight is touched). Cells are found through the layout's tables.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl

from ..core.model import FINAL_PERIOD, Actual, Plan
from ..core.targets import Kind, TargetError
from ..core.vocabulary import from_excel_serial, parse_actual, yes_no_text
from ..returns.locate import find_table, registry
from ..workbook.layout import INDICATOR_COLUMNS

HEADER = {c.key: c.header for c in INDICATOR_COLUMNS}


@dataclass(frozen=True)
class Typed:
    """What an office types for one indicator (None leaves the cell as it is)."""

    actual: float | date | str | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None
    reference: float | None = None
    event_date: date | float | None = None
    """The date of the event a term runs from (a date, or its serial number as a formula
    sees the cell)."""


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
            value = yes_no_text(value)
        out[ind.code] = Typed(value, actual.numerator if actual else None,
                              actual.denominator if actual else None,
                              actual.note if actual else None, reference,
                              actual.event_date if actual else None)
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


def plan_with_typed(plan: Plan, typed: Mapping[str, Typed], year: int,
                    period: str = FINAL_PERIOD, *, raw: bool = False,
                    replace_all: bool = False) -> Plan:
    """The plan with ``typed`` as its actuals of ``year``: what the engine should grade.

    ``raw`` keeps a text that is not a value as text (graded invalid, as the workbook's
    formula grades it) instead of reading it leniently. ``replace_all`` also clears the
    actuals of indicators absent from ``typed`` (a workbook is the whole truth of its part).
    """
    data = plan.model_copy(deep=True)
    for slot in data.indicators():
        ind = slot.indicator
        t = typed.get(ind.code)
        kept = [a for a in ind.actuals if not (a.year == year and a.period == period)]
        if t is None:
            if replace_all:
                ind.actuals = kept
            continue
        text = None
        if isinstance(t.actual, str) and raw:
            value, text = None, t.actual
        else:
            value = parse_actual(t.actual) if isinstance(t.actual, str) else t.actual
        event = t.event_date
        if isinstance(event, int | float) and not isinstance(event, bool):
            event = from_excel_serial(event)
        ind.actuals = [*kept, Actual(year=year, period=period, value=value, text=text,
                                     numerator=t.numerator, denominator=t.denominator,
                                     note=t.note, event_date=event)]
        if t.reference is not None or (raw and replace_all):
            # raw: the workbook's reference cell is the whole truth, even when emptied
            ind.references = {**ind.references, year: t.reference}
    return data
