"""What an office still owes in its returned workbook: the actuals of the period that are
empty, and the event date a term runs from (``entro 30 gg dalla richiesta``) when only the
completion date is there.

``consolida`` and ``controlla`` list them the same way (one warning per cell), and the
reminders name them; this module is the one place that decides what is owed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..core.actuals import indicator_actual
from ..core.formula import MeasureValue
from ..core.model import Actual, Indicator, Plan
from ..core.problems import Problem
from ..core.rules import effective_actual
from ..core.targets import Kind
from .read import IndicatorValues, Reading

EVENT_DATE = "data dell'evento"


@dataclass(frozen=True)
class MissingValue:
    """An actual an office still owes: where it goes and what it is."""

    sheet: str
    cell: str
    code: str
    name: str
    period: str
    what: str = "consuntivo"
    """What is owed: the actual, or the date of the event a term runs from."""


def owed_value(reading: Reading, indicator: Indicator, found: IndicatorValues, year: int,
               period: str, measures: Mapping[str, MeasureValue] | None = None
               ) -> tuple[MissingValue, Problem] | None:
    """What ``indicator`` still owes in ``reading`` for ``period``, with its warning at the
    cell; None when nothing is owed. ``measures``: the workbook's measure values (read
    from ``reading`` when None), which give a formula indicator its value."""
    code = indicator.code
    if measures is None and indicator.formula is not None:
        measures = reading.measure_values()
    if _is_missing(indicator, found, measures or {}) and indicator.owes_actual(year, period):
        cell = found.cells["actual"]
        return (MissingValue(found.sheet, cell, code, indicator.name, period),
                Problem(reading.where(found.sheet, cell), f"consuntivo mancante al {period}",
                        "avviso", code))
    if _owes_event_date(indicator, found, year, period):
        cell = found.cells["event_date"]
        return (MissingValue(found.sheet, cell, code, indicator.name, period, EVENT_DATE),
                Problem(reading.where(found.sheet, cell),
                        f"{EVENT_DATE} mancante al {period}: il termine decorre da quella data",
                        "avviso", code))
    return None


def owed_values(reading: Reading, part: Plan, year: int,
                period: str) -> list[tuple[MissingValue, Problem]]:
    """Every value the indicators of ``part`` (the workbook's plan part) still owe."""
    owed = []
    measures = reading.measure_values()
    for slot in part.indicators():
        found = reading.indicators.get(slot.indicator.code)
        if found is not None and (item := owed_value(reading, slot.indicator, found, year,
                                                     period, measures)):
            owed.append(item)
    return owed


def _is_missing(ind: Indicator, found: IndicatorValues,
                measures: Mapping[str, MeasureValue]) -> bool:
    """No value for the indicator: nothing typed, and (for a formula indicator) no value
    from the measures typed on the Misure sheet (core/actuals.indicator_actual)."""
    t = found.typed_lenient
    if ind.formula is None and not isinstance(t.actual, str):
        # indicator_actual's own rule without a formula, without building the Actual (a
        # consolidation asks this of every indicator of every returned file)
        return effective_actual(t.actual, t.numerator, t.denominator) is None
    actual = Actual(year=1, value=t.actual if not isinstance(t.actual, str) else None,
                    text=t.actual if isinstance(t.actual, str) else None,
                    numerator=t.numerator, denominator=t.denominator) \
        if t.actual is not None or t.numerator is not None or t.denominator is not None else None
    return indicator_actual(ind, actual, measures) is None


def _owes_event_date(ind: Indicator, found: IndicatorValues, year: int, period: str) -> bool:
    """A term from an event with its completion date but not the event's: not gradable
    until the office types it."""
    return (ind.owes_actual(year, period)
            and ind.target_for(year, period).kind is Kind.EVENT_DEADLINE
            and found.raw.get("event_date") in (None, ""))
