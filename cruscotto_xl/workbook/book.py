"""What every sheet writer shares: the plan part, the Python grades and the sheet plan.

Positions of every objective sheet (name, table, rows, grade cell) are decided here before
anything is written, so the summary can link to cells of sheets written after it.
The Python grades (:func:`~cruscotto_xl.core.rollup.evaluate`) become the cached values of
the formulas: a reader that does not recalculate still sees the right numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from ..core.actuals import formula_codes, indicator_actual, reference_for
from ..core.model import (
    FINAL_PERIOD,
    Indicator,
    NamedMeasure,
    OperationalObjective,
    Plan,
    StrategicObjective,
)
from ..core.problems import Problem
from ..core.rollup import Node, evaluate, indicator_spec, weighted_mean
from ..core.rules import Grade, GradeSpec
from ..core.scorecard import Scorecard
from ..core.targets import Kind
from ..core.vocabulary import excel_serial, yes_no_text
from ..core.years import history_years, target_years
from .layout import (
    INDICATOR_COLUMNS,
    INDICATOR_INDEX,
    PERIOD_COLUMNS,
    PERIOD_INDEX,
    Column,
    col_letter,
    context_columns,
    measure_name,
    objective_grade_name,
    objective_table,
    period_summary_sheet,
    period_summary_table,
    quote_sheet,
    sheet_names,
)
from .styles import Styles
from .xmltext import ooxml_text

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

HEADER_ROW = 5  # 0-based row of the indicator table's header on objective sheets


@dataclass
class OfficeStatus:
    office: str
    state: str
    file: str = ""
    modified: datetime | None = None
    missing_values: int = 0
    problems: int = 0
    signoff: str = ""      # a state of cruscotto_xl.core.signoff (empty: no file)


@dataclass
class Extras:
    """What a master workbook adds to the plan's workbook."""

    statuses: list[OfficeStatus] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    history: list[tuple[object, ...]] = field(default_factory=list)   # Storico valori rows


@dataclass(frozen=True)
class PeriodView:
    """A monitoring period shown beside the workbook's open one: locked, graded by formulas.

    Its values are the plan's actuals of that period (consolidated earlier, or none yet).
    """

    period: str
    label: str
    index: int                    # among the other periods, in plan order
    root: Node                    # the Python grades of that period

    def col(self, key: str) -> int:
        return len(INDICATOR_COLUMNS) + self.index * len(PERIOD_COLUMNS) + PERIOD_INDEX[key]

    @property
    def summary_sheet(self) -> str:
        return period_summary_sheet(self.period)

    @property
    def summary_table(self) -> str:
        return period_summary_table(self.period)


@dataclass(frozen=True)
class PeriodRow:
    """One indicator at another period: its rule, Python grade and consolidated value."""

    spec: GradeSpec
    node: Node
    value: object
    event_date: date | None = None


@dataclass
class MeasureRow:
    """A named measure on the Misure sheet (workbook/sheets/measures.py)."""

    measure: NamedMeasure
    index: int                    # 1-based: its defined name (layout.measure_name)
    row: int                      # 0-based worksheet row
    users: list[str]              # the codes of the workbook's indicators that use it
    value: float | str | None = None      # typed at the open period (with actuals)
    periods: dict[str, float | str | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return measure_name(self.index)


@dataclass
class IndicatorRow:
    indicator: Indicator
    row: int                      # 0-based worksheet row
    spec: GradeSpec
    node: Node                    # the Python grade (cached value of the formula)
    actual: object = None         # typed actual written in the input cell (or None)
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None
    reference: float | None = None
    event_date: date | None = None
    periods: dict[str, PeriodRow] = field(default_factory=dict)
    effective: object = None
    """The effective actual (typed, numerator / denominator, or the formula over the
    measures): the cached value of the «Consuntivo effettivo» formula."""

    def cell(self, key: str, absolute: bool = False) -> str:
        col = col_letter(INDICATOR_INDEX[key])
        return f"${col}${self.row + 1}" if absolute else f"{col}{self.row + 1}"

    def period_cell(self, view: PeriodView, key: str) -> str:
        return f"{col_letter(view.col(key))}{self.row + 1}"

    @property
    def unit(self) -> str | None:
        """The unit the row shows: the indicator's, else its target's (``data`` for dates)."""
        target = self.spec.target
        if target.kind is Kind.EVENT_DEADLINE:
            return self.indicator.unit or "data"
        return self.indicator.unit or target.unit or (
            "data" if target.kind is Kind.DEADLINE else None)


@dataclass
class ObjectiveSheet:
    index: int
    level: str                    # "os" or "oo"
    objective: StrategicObjective | OperationalObjective
    os: StrategicObjective
    area_code: str
    area_title: str
    name: str
    node: Node
    rows: list[IndicatorRow] = field(default_factory=list)

    @property
    def table(self) -> str:
        return objective_table(self.index)

    @property
    def own_grade(self) -> Grade:
        """The sheet's grade: the weighted mean of its own indicators."""
        return weighted_mean([(r.node.weight, r.node.grade) for r in self.rows])

    def own_grade_at(self, view: PeriodView | None) -> Grade:
        """The sheet's grade at the open period (None) or at another one."""
        if view is None:
            return self.own_grade
        return weighted_mean([(r.periods[view.period].node.weight,
                               r.periods[view.period].node.grade) for r in self.rows])

    def grade_ref_at(self, view: PeriodView | None) -> str:
        if view is None:
            return self.grade_ref
        col = col_letter(view.col("grade"))
        return f"{quote_sheet(self.name)}!${col}${self.grade_row + 1}"

    def period_range(self, view: PeriodView, key: str) -> str:
        col = col_letter(view.col(key))
        return f"${col}${self.first_row + 1}:${col}${self.last_row + 1}"

    @property
    def grade_name(self) -> str:
        return objective_grade_name(self.index)

    @property
    def first_row(self) -> int:
        return HEADER_ROW + 1

    @property
    def last_row(self) -> int:
        return HEADER_ROW + len(self.rows)

    @property
    def grade_row(self) -> int:
        return self.last_row + 2

    def grade_cell(self, absolute: bool = True) -> str:
        col = col_letter(INDICATOR_INDEX["grade"])
        return f"${col}${self.grade_row + 1}" if absolute else f"{col}{self.grade_row + 1}"

    @property
    def grade_ref(self) -> str:
        """The objective grade as a cross-sheet reference."""
        return f"{quote_sheet(self.name)}!{self.grade_cell()}"

    def column_range(self, key: str) -> str:
        col = col_letter(INDICATOR_INDEX[key])
        return f"${col}${self.first_row + 1}:${col}${self.last_row + 1}"


@dataclass
class Book:
    """The context of one workbook being written."""

    plan: Plan
    year: int
    period: str
    office: str | None
    styles: Styles
    root: Node
    sheets: list[ObjectiveSheet]
    password: str | None = None
    generated_on: date = field(default_factory=date.today)
    locked: list[tuple[str, str, object]] = field(default_factory=list)
    cached: dict[tuple[str, str], object] = field(default_factory=dict)
    formulas: dict[tuple[str, str], str] = field(default_factory=dict)
    digest: str = ""
    extras: Extras | None = None
    views: list[PeriodView] = field(default_factory=list)
    transversal: dict[str, str] = field(default_factory=dict)
    """A master's transversal indicators: code → the formula of the ente value over the
    per-office block of ``Trasversali`` (workbook/sheets/transversal.py)."""
    context: tuple[Column, ...] = ()    # the dictionary block (layout.context_columns)

    def context_col(self, key: str) -> int:
        """0-based column of a dictionary column, right of the last other period's block."""
        first = len(INDICATOR_COLUMNS) + len(self.views) * len(PERIOD_COLUMNS)
        return first + next(i for i, c in enumerate(self.context) if c.key == key)

    @property
    def last_col(self) -> int:
        """The table's last column (0-based): the dictionary's, else the last period's."""
        return len(INDICATOR_COLUMNS) + len(self.views) * len(PERIOD_COLUMNS) \
            + len(self.context) - 1
    measures: list[MeasureRow] = field(default_factory=list)

    def measure_refs(self) -> dict[str, str]:
        """Measure code → what a formula names its open-period cell by (a defined name)."""
        return {m.measure.code: m.name for m in self.measures}
    person: str | None = None     # an individual scorecard's person code (docs/individual.md)
    card: Scorecard | None = None  # that person's score, as the engine gives it
    behaviour_scores: list[object] = field(default_factory=list)  # as typed by the evaluator

    def lock(self, sheet: str, row: int, col: int, value: object) -> None:
        """Remember a locked cell for the tamper hash (what was written, as written)."""
        self.locked.append((sheet, f"{col_letter(col)}{row + 1}", value))

    def formula(self, ws: Worksheet, row: int, col: int, text: str, fmt: Format | None,
                cached: object, *, locked: bool = True) -> None:
        """Write a formula with its Python value cached, and remember both.

        ``ricalcola`` refreshes exactly these cached values; the locked ones are in the hash.
        """
        value = cached_value(cached)
        ws.write_formula(row, col, text, fmt,
                         ooxml_text(value) if isinstance(value, str) else value)
        coord = (ws.name, f"{col_letter(col)}{row + 1}")
        self.cached[coord] = value
        self.formulas[coord] = text
        if locked:
            self.lock(ws.name, row, col, text)


def cached_value(value: object) -> object:
    """A formula's cached value as a spreadsheet stores it: dates as serials, Sì/No as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no_text(value)
    if isinstance(value, date):
        return excel_serial(value)
    return value


def plan_book(plan: Plan, year: int, styles: Styles, *, office: str | None = None,
              period: str = FINAL_PERIOD, with_actuals: bool = False) -> Book:
    """Grade the plan in Python and decide every objective sheet and row position."""
    shown = plan
    root = evaluate(plan, year, period, with_actuals=with_actuals)
    nodes = {(n.level, n.code): n for n in root.walk()}
    candidates: list[tuple[str, StrategicObjective | OperationalObjective, StrategicObjective,
                           str, str]] = []
    for area in shown.areas:
        for os_ in area.objectives:
            if os_.indicators:
                candidates.append(("os", os_, os_, area.code, area.title))
            for oo in os_.operational:
                if oo.indicators:
                    candidates.append(("oo", oo, os_, area.code, area.title))
    views = [PeriodView(p.date, p.label, k, evaluate(plan, year, p.date, with_actuals=True))
             for k, p in enumerate(q for q in plan.periods if q.date != period)]
    period_nodes = {v.period: {(n.level, n.code): n for n in v.root.walk()} for v in views}
    names = sheet_names((f"{obj.code} {obj.title}" for _, obj, _, _, _ in candidates),
                        reserved=[v.summary_sheet for v in views])
    measures = plan.measure_values(year, period) if with_actuals else {}
    sheets = []
    for index, ((level, obj, os_, acode, atitle), name) in enumerate(
            zip(candidates, names, strict=True), 1):
        node = nodes[(level, obj.code)]
        sheet = ObjectiveSheet(index, level, obj, os_, acode, atitle, name, node)
        ind_nodes = {n.code: n for n in node.children if n.level == "indicatore"}
        other_nodes = {v.period: {n.code: n for n in period_nodes[v.period][(level, obj.code)]
                                  .children if n.level == "indicatore"} for v in views}
        for k, ind in enumerate(obj.indicators):
            actual = ind.actual_for(year, period) if with_actuals else None
            spec = indicator_spec(ind, year, shown.policy, period)
            sheet.rows.append(IndicatorRow(
                ind, HEADER_ROW + 1 + k, spec, ind_nodes[ind.code],
                actual=actual.typed if actual else None,
                numerator=actual.numerator if actual else None,
                denominator=actual.denominator if actual else None,
                note=actual.note if actual else None,
                reference=reference_for(ind, year, spec.target, shown),
                event_date=actual.event_date if actual else None,
                effective=indicator_actual(ind, actual, measures),
                periods={v.period: _period_row(ind, year, shown, v.period,
                                               other_nodes[v.period][ind.code])
                         for v in views}))
        sheets.append(sheet)
    return Book(shown, year, period, office, styles, root, sheets, views=views,
                context=book_context([r.indicator for s in sheets for r in s.rows], shown,
                                     year),
                measures=measure_rows(shown, sheets, year, period, with_actuals))


def book_context(indicators: list[Indicator], plan: Plan, year: int) -> tuple[Column, ...]:
    """The dictionary block of a workbook holding ``indicators``: only what some has."""
    texts = [key for key, attr in (("tipologia", "kind"), ("description", "description"),
                                   ("source", "source"))
             if any(getattr(i, attr) for i in indicators)]
    return context_columns(baseline=any(i.baseline for i in indicators),
                           history=history_years(indicators, year),
                           targets=target_years(indicators, plan.target_years, year),
                           texts=texts)


MEASURES_HEADER_ROW = 4    # 0-based row of the Misure table's header


def measure_rows(plan: Plan, sheets: list[ObjectiveSheet], year: int, period: str,
                 with_actuals: bool) -> list[MeasureRow]:
    """The plan's measures that the workbook's formulas use, in the plan's order, each
    once whatever the number of indicators using it (an unreadable formula uses none:
    ``valida`` reports it)."""
    users: dict[str, list[str]] = {}
    for sheet in sheets:
        for row in sheet.rows:
            for code in formula_codes(row.indicator):
                users.setdefault(code, []).append(row.indicator.code)
    rows: list[MeasureRow] = []
    for measure in plan.measures:
        if measure.code not in users or any(r.measure.code == measure.code for r in rows):
            continue
        found = measure.value_for(year, period) if with_actuals else None
        rows.append(MeasureRow(
            measure, len(rows) + 1, MEASURES_HEADER_ROW + 1 + len(rows),
            list(dict.fromkeys(users[measure.code])),
            found.typed if found is not None else None,
            {p.date: (v.typed if (v := measure.value_for(year, p.date)) else None)
             for p in plan.periods if p.date != period}))
    return rows


def _period_row(ind: Indicator, year: int, plan: Plan, period: str, node: Node) -> PeriodRow:
    actual = ind.actual_for(year, period)
    value = indicator_actual(ind, actual, plan.measure_values(year, period))
    return PeriodRow(indicator_spec(ind, year, plan.policy, period), node, value,
                     actual.event_date if actual else None)
