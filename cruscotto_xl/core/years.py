"""Which years an indicator is shown over: the earlier years of the plan's history and the
plan years with targets (docs/workbook.md, «Years side by side and the dictionary»;
docs/report.md). The objective sheet and the relazione ask the same questions here, so
they show the same years."""

from __future__ import annotations

from collections.abc import Iterable

from .model import FINAL_PERIOD, Indicator
from .rules import effective_actual


def final_value(ind: Indicator, year: int) -> object:
    """The final (31/12) actual of ``year`` as the grade reads it: the typed value, or
    numerator / denominator; None when there is none."""
    actual = ind.actual_for(year, FINAL_PERIOD)
    return effective_actual(actual.typed, actual.numerator, actual.denominator) \
        if actual else None


def history_years(indicators: Iterable[Indicator], year: int) -> list[int]:
    """The earlier years (before ``year``) whose final actual some indicator has."""
    return sorted({a.year for ind in indicators for a in ind.actuals
                   if a.year < year and a.period == FINAL_PERIOD
                   and final_value(ind, a.year) is not None})


def target_years(indicators: Iterable[Indicator], plan_years: Iterable[int],
                 year: int) -> list[int]:
    """The plan years shown side by side: the plan's ``anni_target`` (``plan_years``) and
    any later year an indicator has a target for, each only when some indicator has a
    target that year; none when the only such year is ``year`` (its target is already
    the one graded)."""
    indicators = list(indicators)
    later = (y for ind in indicators for y in ind.targets if y >= year)
    years = {y for y in (*plan_years, *later) if any(i.targets.get(y) for i in indicators)}
    return sorted(years) if years - {year} else []
