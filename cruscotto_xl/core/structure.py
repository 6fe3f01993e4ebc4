"""The organisation chart and the grades per structure (docs/structure.md).

A plan may declare ``struttura``: areas (*aree*, each led by a dirigente) grouping offices
(*servizi*). An area's grade is the plan restricted to the indicators its offices own,
rolled up like the ente's — the same weights, the same rules — so an area grade is never a
second, different computation: it is :func:`~cruscotto_xl.core.rollup.evaluate` of a part.
Without ``struttura`` every office is its own unit and nothing changes.

Pure: reads only the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .model import FINAL_PERIOD, OrgArea, Plan
from .rollup import Grade, Node, evaluate
from .tree import UNOWNED, ownership, plan_for_offices, plan_for_year, same_office

UnitKind = Literal["area", "ufficio"]


@dataclass(frozen=True)
class UnitGrade:
    """The grade of one organisational unit (area or office) for a year and period."""

    kind: UnitKind
    code: str
    name: str
    offices: tuple[str, ...]
    grade: Grade
    """The roll-up of the unit's part (``.value`` None when nothing could be graded)."""
    indicators: int


def areas(plan: Plan) -> list[OrgArea]:
    return list(plan.structure.areas) if plan.structure else []


def find_area(plan: Plan, code: str) -> OrgArea | None:
    """The area whose code (or name) is ``code``, compared as a person reads it."""
    return next((a for a in areas(plan) if same_office(a.code, code)
                 or same_office(a.name, code)), None)


def area_of_office(plan: Plan, office: str) -> OrgArea | None:
    """The area an office belongs to, or None (no structure, or not listed)."""
    return next((a for a in areas(plan) if any(same_office(o, office) for o in a.offices)),
                None)


def owner_names(plan: Plan, offices: Sequence[str]) -> tuple[str, ...]:
    """``offices`` spelled as the plan's indicators spell them (case and spaces aside), so
    an area listing «servizio legale» owns the indicators of «Servizio Legale»."""
    known = ownership(plan).offices
    found = [k for k in known if any(same_office(k, o) for o in offices)]
    return tuple(dict.fromkeys(found))


def unit_plan(plan: Plan, offices: Sequence[str], year: int | None = None) -> Plan:
    """The part of ``year``'s plan that ``offices`` own together."""
    view = plan_for_year(plan, year or plan.year)
    return plan_for_offices(view, owner_names(view, offices))


def unit_tree(plan: Plan, offices: Sequence[str], year: int | None = None,
              period: str = FINAL_PERIOD) -> Node:
    """The roll-up of the part ``offices`` own: :func:`~cruscotto_xl.core.rollup.evaluate`
    of :func:`unit_plan`, whose weights and grades the master's «Gradi per struttura»
    formulas reproduce (docs/structure.md)."""
    return evaluate(unit_plan(plan, offices, year), year or plan.year, period)


def unit_grade(plan: Plan, kind: UnitKind, code: str, name: str, offices: Sequence[str],
               year: int | None = None, period: str = FINAL_PERIOD) -> UnitGrade:
    node = unit_tree(plan, offices, year, period)
    count = sum(1 for n in node.walk() if n.level == "indicatore")
    return UnitGrade(kind, code, name, tuple(offices), node.grade, count)


def structure_grades(plan: Plan, year: int | None = None,
                     period: str = FINAL_PERIOD) -> list[UnitGrade]:
    """Every area's grade, then every office's (the offices of the plan's ownership,
    «Senza ufficio» excluded: it is not a structure)."""
    grades = [unit_grade(plan, "area", a.code, a.name, a.offices, year, period)
              for a in areas(plan)]
    offices = [o for o in ownership(plan_for_year(plan, year or plan.year)).offices
               if o != UNOWNED]
    grades += [unit_grade(plan, "ufficio", o, o, (o,), year, period) for o in offices]
    return grades


@dataclass(frozen=True)
class ChartUnit:
    """A row of the grades per structure, in the order of the organisation chart: an area,
    or an office with the area it belongs to (None: in no area)."""

    kind: UnitKind
    code: str
    name: str
    offices: tuple[str, ...]
    """The offices whose indicators the unit owns, spelled as the indicators spell them."""
    area: OrgArea | None
    """The area itself for an area row; the office's area for an office row."""


def chart_units(plan: Plan, year: int | None = None) -> list[ChartUnit]:
    """Each area followed by its offices, then the offices in no area (docs/structure.md).

    Empty without ``struttura``: a plan without an organisation chart has no grades per
    structure to show (its offices are graded in their own workbooks). An area office that
    owns no indicator of the year is not listed (``valida`` warns about it); «Senza
    ufficio» is not a structure.
    """
    if not areas(plan):
        return []
    view = plan_for_year(plan, year or plan.year)
    index = ownership(view)
    owners = [o for o in index.offices if o != UNOWNED and index.indicators.get(o)]
    units: list[ChartUnit] = []
    placed: set[str] = set()
    for area in areas(plan):
        units.append(ChartUnit("area", area.code, area.name, tuple(area.offices), area))
        listed = [o for name in area.offices for o in owners if same_office(o, name)]
        for office in dict.fromkeys(listed):
            if office not in placed:
                placed.add(office)
                units.append(ChartUnit("ufficio", office, office, (office,), area))
    units += [ChartUnit("ufficio", o, o, (o,), None) for o in owners if o not in placed]
    return units
