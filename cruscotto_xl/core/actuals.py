"""Actuals and references outside the plan's own lists: what an office typed, values
carried from another file or an earlier copy of the plan, and the reference value of a
relative target.

The workbook reader, the consolidation, ``ricalcola``, the report and the audit all put
actuals into a plan through these functions (the reader reports every lenient
conversion; this module only applies values), so the returned workbooks never depend on
the demo's filling helpers or on the audit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .formula import (
    INVALID_ACTUAL,
    FormulaError,
    MeasureValue,
    excel_formula,
    formula_value,
    measures_of,
    parse_formula,
)
from .model import FINAL_PERIOD, Actual, Indicator, MeasureActual, Plan
from .problems import Location, Problem
from .rules import ActualInput, effective_actual, effective_actual_formula
from .targets import Kind, Source, Target, TargetError
from .vocabulary import from_excel_serial, parse_actual, yes_no_text


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


def indicator_actual(ind: Indicator, actual: Actual | None,
                     measures: Mapping[str, MeasureValue] | None = None) -> ActualInput:
    """The effective actual of ``ind`` for one year and period: the one function every
    grade, report and check goes through (docs/rules.md «Formule su misure»).

    A typed actual wins; else numerator / denominator; else, for an indicator with a
    ``formula``, the formula over ``measures`` (the plan's typed measure values of the
    same year and period, :meth:`~cruscotto_xl.core.model.Plan.measure_values`) — the
    workbook's «Consuntivo effettivo» formula in the same order.
    """
    typed = actual.typed if actual is not None else None
    if ind.formula is not None and (typed is None or typed == ""):
        return formula_value(ind.formula, measures or {})
    if actual is None:
        return None
    return effective_actual(typed, actual.numerator, actual.denominator)


def formula_codes(ind: Indicator) -> list[str]:
    """The measure codes of an indicator's formula (none without one, or unreadable)."""
    if ind.formula is None:
        return []
    try:
        return measures_of(parse_formula(ind.formula))
    except FormulaError:
        return []


def indicator_actual_formula(ind: Indicator, typed: str, numerator: str, denominator: str,
                             measures: Mapping[str, str]) -> str:
    """:func:`indicator_actual` as the workbook's formula (without ``=``) over the row's
    cells and the measures' cells (``measures``: code → reference or defined name).

    A measure the plan does not declare has no cell: it is written as an empty text, so
    the formula gives «dato mancante» as the Python side does (``valida`` reports it); an
    unreadable formula is «valore non valido» on both sides.
    """
    if ind.formula is None:
        return effective_actual_formula(typed, numerator, denominator)
    try:
        expr = parse_formula(ind.formula)
    except FormulaError:
        body = f'"{INVALID_ACTUAL}"'
    else:
        body = excel_formula(expr, {code: measures.get(code, '""')
                                    for code in measures_of(expr)})
    return f'IF({typed}<>"",{typed},{body})'


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


def plan_with_typed(plan: Plan, typed: Mapping[str, Typed], year: int,
                    period: str = FINAL_PERIOD, *, raw: bool = False,
                    replace_all: bool = False,
                    measures: Mapping[str, MeasureValue] | None = None) -> Plan:
    """The plan with ``typed`` as its actuals of ``year``: what the engine should grade.

    ``raw`` keeps a text that is not a value as text (graded invalid, as the workbook's
    formula grades it) instead of reading it leniently. ``replace_all`` also clears the
    actuals of indicators absent from ``typed`` (a workbook is the whole truth of its part).
    ``measures`` (code → value typed in the Misure sheet, None when empty) become the
    values of those measures at ``year``/``period``; measures not named keep theirs.
    """
    data = plan.model_copy(deep=True)
    if measures:
        data = plan_with_measures(data, measures, year, period)
    for slot in data.indicators():
        ind = slot.indicator
        t = typed.get(ind.code)
        # an office's own value of a transversal indicator is not the ente's: it stays
        kept = [a for a in ind.actuals
                if not (a.year == year and a.period == period and a.office is None)]
        if t is None:
            if replace_all:
                ind.actuals = kept
            continue
        ind.actuals = [*kept, actual_from_typed(t, year, period, raw=raw)]
        if t.reference is not None or (raw and replace_all):
            # raw: the workbook's reference cell is the whole truth, even when emptied
            ind.references = {**ind.references, year: t.reference}
    return data


def actual_from_typed(t: Typed, year: int, period: str = FINAL_PERIOD, *, raw: bool = False,
                      office: str | None = None) -> Actual:
    """What was typed for one indicator as an actual (``raw``: a text that is not a value
    stays text, graded invalid as the workbook's formula grades it)."""
    text = None
    if isinstance(t.actual, str) and raw:
        value, text = None, t.actual
    else:
        value = parse_actual(t.actual) if isinstance(t.actual, str) else t.actual
    event = t.event_date
    if isinstance(event, int | float) and not isinstance(event, bool):
        event = from_excel_serial(event)
    return Actual(year=year, period=period, value=value, text=text, numerator=t.numerator,
                  denominator=t.denominator, note=t.note, event_date=event, office=office)
def plan_with_measures(plan: Plan, measures: Mapping[str, MeasureValue], year: int,
                       period: str = FINAL_PERIOD, office: str | None = None) -> Plan:
    """A copy of ``plan`` whose measures named in ``measures`` have that value at
    ``year``/``period`` (a text is kept as typed, None clears it); ``office`` records
    whose workbook it came from (without it, a value equal to the one held keeps the
    office recorded with it)."""
    data = plan.model_copy(deep=True)
    for measure in data.measures:
        if measure.code not in measures:
            continue
        value = measures[measure.code]
        kept = [v for v in measure.values if not (v.year == year and v.period == period)]
        if value is None or value == "":
            measure.values = kept
            continue
        held = measure.value_for(year, period)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if held is not None and office is None and held.typed == (float(value) if number
                                                                  else str(value)):
            continue            # the same value: it keeps the office it came from
        if number:
            entry = MeasureActual(year=year, period=period, value=float(value), office=office)
        else:
            entry = MeasureActual(year=year, period=period, text=str(value), office=office)
        measure.values = [*kept, entry]
    return data


def plan_actuals(plan: Plan) -> tuple[dict[str, list[Actual]], dict[str, dict[int, float | None]]]:
    """The actuals and reference values of every indicator of ``plan``, by code."""
    actuals = {s.indicator.code: list(s.indicator.actuals) for s in plan.indicators()
               if s.indicator.actuals}
    references = {s.indicator.code: dict(s.indicator.references) for s in plan.indicators()
                  if s.indicator.references}
    return actuals, references


def merge_actuals(plan: Plan, actuals: Mapping[str, Sequence[Actual]],
                  references: Mapping[str, Mapping[int, float | None]] | None = None,
                  source: str = "") -> tuple[Plan, list[Problem]]:
    """A copy of ``plan`` with the actuals (and reference values) reported elsewhere.

    Matched by indicator code: an actual replaces the plan's actual of the same year and
    period, or is added; a reference value replaces the plan's for its year. A code the
    plan does not have is an error (those values would be lost), located at ``source``.
    """
    references = references or {}
    merged = plan.model_copy(deep=True)
    by_code = {slot.indicator.code: slot.indicator for slot in merged.indicators()}
    problems: list[Problem] = []
    for code in dict.fromkeys([*actuals, *references]):
        ind = by_code.get(code)
        if ind is None:
            problems.append(Problem(Location(file=source), f"consuntivi dell'indicatore «{code}», "
                                                           f"che non è nel piano: non usati",
                                    "errore", code))
            continue
        new = list(actuals.get(code, []))
        keys = {(a.year, a.period, a.office) for a in new}
        ind.actuals = [a for a in ind.actuals if (a.year, a.period, a.office) not in keys] + new
        if code in references:
            ind.references = {**ind.references, **references[code]}
    return merged, problems


def carry_actuals(plan: Plan, source: Plan, skip: tuple[int, str] | None = None) -> Plan:
    """``plan`` with ``source``'s actuals and reference values (matched by indicator code)
    and measure values (matched by measure code), except those of ``skip`` (year, period):
    how values consolidated earlier follow a newer copy of the plan."""
    known = {s.indicator.code for s in plan.indicators()}
    found = [s.indicator for s in source.indicators() if s.indicator.code in known]
    carried = {i.code: [a for a in i.actuals if (a.year, a.period) != skip] for i in found}
    merged, _ = merge_actuals(plan, {c: a for c, a in carried.items() if a},
                              {i.code: dict(i.references) for i in found if i.references})
    source_values = {m.code: [v for v in m.values if (v.year, v.period) != skip]
                     for m in source.measures}
    for measure in merged.measures:            # measure values follow the same way
        new = source_values.get(measure.code)
        if new:
            keys = {(v.year, v.period) for v in new}
            measure.values = [v for v in measure.values if (v.year, v.period) not in keys] + new
    return merged


# --- a year's number and the reference of a relative target -----------------------------

def actual_number(ind: Indicator, year: int, plan: Plan | None = None) -> float | None:
    """The final actual of ``year`` as a number (typed, numerator / denominator, or the
    formula over ``plan``'s measures of that year)."""
    measures = plan.measure_values(year) if plan is not None and ind.formula else None
    value = indicator_actual(ind, ind.actual_for(year), measures)
    return float(value) if isinstance(value, int | float) and not isinstance(
        value, bool) else None


def reference_for(ind: Indicator, year: int, target: Target | None = None,
                  plan: Plan | None = None) -> float | None:
    """The reference value of a relative target in ``year`` (``target``: the year's own
    target by default), as docs/grammatica-target.md defines it.

    An explicit ``riferimenti`` value wins (``None`` there means "no reference": an
    office cleared the cell); else the actual of year n-k or of the named year (the mean
    of several years when all are known), or the baseline. A named benchmark (``media
    cluster``) and a target that is not relative have no reference from the plan. With
    ``plan``, a formula indicator's earlier actuals come from that plan's measures too.
    """
    if year in ind.references:
        return ind.references[year]
    if target is None:
        try:
            target = ind.target_for(year)
        except TargetError:
            return None
    ref = target.reference if target.kind is Kind.RELATIVE else None
    if ref is None or ref.source is Source.BENCHMARK:
        return None
    if ref.source is Source.BASELINE:
        return ind.baseline.value if ind.baseline is not None else None
    values = [actual_number(ind, y, plan) for y in ref.years(year)]
    if not values or any(v is None for v in values):
        return None
    numbers = [v for v in values if v is not None]
    return numbers[0] if len(numbers) == 1 else sum(numbers) / len(numbers)


__all__ = [
    "Typed", "actual_from_typed", "actual_number", "carry_actuals", "formula_codes",
    "indicator_actual", "indicator_actual_formula", "merge_actuals", "plan_actuals",
    "plan_with_measures", "plan_with_typed", "reference_for", "typed_from_plan",
]
