"""Per-office views of a plan: the part of the plan one office owns.

An indicator belongs to its owners (its own offices, else its OO's, else its OS's); an
objective survives when it keeps at least one indicator. Weights are kept as written: the
roll-up renormalizes over what is present, so an office workbook grades the office's part.

Consolidating hundreds of offices asks for every office's part: the ownership index is
built once per plan object (plans are not changed in place once loaded) and each part
touches only the objectives of its office.

Indicators that name no office (nor does their OO or OS, nor the plan's
``ufficio_predefinito``) are never dropped: they belong to :data:`UNOWNED`, the «Senza
ufficio» workbook the controller fills or forwards. Indicators eliminated in their own
change log are out of the year's view (:func:`plan_for_year`). Both rules are described in
docs/ownership.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .actuals import formula_codes
from .model import (
    ALL_OFFICES,
    Indicator,
    IndicatorSlot,
    OperationalObjective,
    Plan,
    RemovedIndicator,
    StrategicObjective,
)
from .vocabulary import counted

UNOWNED = "Senza ufficio"
"""The office of the workbook that holds the indicators without an owner office."""


@dataclass(frozen=True)
class Ownership:
    """Office → owned indicator ids and the (area, OS) positions holding them."""

    indicators: dict[str, frozenset[int]]
    places: dict[str, tuple[tuple[int, int], ...]]
    offices: tuple[str, ...]


def plan_for_office(plan: Plan, office: str) -> Plan:
    """The plan restricted to ``office``'s indicators and the named measures their formulas
    use (pure; the input is not changed)."""
    return plan_for_offices(plan, (office,))


def plan_for_offices(plan: Plan, offices: Sequence[str]) -> Plan:
    """The plan restricted to the indicators of any of ``offices`` (an organisational
    area's part, docs/structure.md) and the named measures their formulas use;
    objectives keep the plan order."""
    index = ownership(plan)
    owned = frozenset().union(*(index.indicators.get(o, frozenset()) for o in offices))
    places = sorted({place for o in offices for place in index.places.get(o, ())})
    by_area: dict[int, list[StrategicObjective]] = {}
    for ai, oi in places:
        os_ = plan.areas[ai].objectives[oi]
        indicators = [i for i in os_.indicators if id(i) in owned]
        operational = [
            oo.model_copy(update={"indicators": [i for i in oo.indicators if id(i) in owned]})
            for oo in os_.operational
            if any(id(i) in owned for i in oo.indicators)
        ]
        by_area.setdefault(ai, []).append(os_.model_copy(
            update={"indicators": indicators, "operational": operational}))
    areas = [plan.areas[ai].model_copy(update={"objectives": objectives})
             for ai, objectives in sorted(by_area.items())]
    kept = [o for o in plan.offices if o.name in offices]
    part = plan.model_copy(update={"areas": areas, "offices": kept})
    if not plan.measures:
        return part
    # only the measures its formulas use: an office's workbook carries no other office's
    # values; the part's own indicators are read, never the whole plan's (one office's part
    # is asked for each of hundreds of returned files)
    used = {code for slot in part.indicators() for code in formula_codes(slot.indicator)}
    return part.model_copy(update={"measures": [m for m in plan.measures if m.code in used]})


def removed_for_office(plan: Plan, office: str) -> list[RemovedIndicator]:
    """The eliminated indicators ``office`` owned: by their last state's offices, else their
    objective's (OO, then its OS), else the plan's ``ufficio_predefinito``, else
    :data:`UNOWNED` — the same chain as active indicators (docs/ownership.md)."""
    offices_of: dict[str, list[str]] = {}
    for area in plan.areas:
        for os_ in area.objectives:
            offices_of[os_.code] = list(os_.offices)
            for oo in os_.operational:
                offices_of[oo.code] = list(oo.offices or os_.offices)
    default = [plan.default_office] if plan.default_office else [UNOWNED]

    def owners(removed: RemovedIndicator) -> list[str]:
        if removed.last is not None and removed.last.offices == [ALL_OFFICES]:
            return [o.name for o in plan.offices]      # «uffici: tutti»
        if removed.last is not None and removed.last.offices:
            return list(removed.last.offices)
        return offices_of.get(removed.objective) or default

    return [r for r in plan.removed if office in owners(r)]


def known_offices(plan: Plan) -> tuple[str, ...]:
    """Every owner office of the plan, in plan order, then :data:`UNOWNED` when some
    indicator has no owner (cached like the ownership index)."""
    return ownership(plan).offices


def unowned_indicators(plan: Plan) -> list[IndicatorSlot]:
    """The indicators that go to the «Senza ufficio» workbook (no owner, no default)."""
    return [slot for slot in plan.indicators() if not plan.owners(slot)]


def unowned_count(plan: Plan) -> int:
    """How many :func:`unowned_indicators` there are, from the (cached) ownership index."""
    return len(ownership(plan).indicators.get(UNOWNED, ()))


def unowned_text(n: int) -> str:
    """``21 indicatori senza ufficio responsabile`` (singular for one), as messages say it."""
    return counted(n, "indicatore", "indicatori") + " senza ufficio responsabile"


def same_office(a: str, b: str) -> bool:
    """Office names compared as a person reads them (case and spaces do not count)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def plan_part(plan: Plan, office: str | None, year: int) -> Plan:
    """What one workbook of ``year`` holds: the year's view, restricted to ``office``
    (None: the whole plan). Generation, reading and consolidation all ask this."""
    view = _without_people(_Key(plan_for_year(plan, year)))
    return plan_for_office(view, office) if office else view


@lru_cache(maxsize=8)
def _without_people(key: _Key) -> Plan:
    """Personal data never enter an office workbook or a master. One copy per plan, so
    the ownership index of the copy is built once, not once per office's part."""
    return key.plan.model_copy(update={"people": []}) if key.plan.people else key.plan


def plan_for_year(plan: Plan, year: int) -> Plan:
    """The plan as graded in ``year``: the indicators eliminated by then
    (:meth:`~cruscotto_xl.core.model.Indicator.removed_in`) leave the tree and join
    ``indicatori_eliminati`` with their change log. The plan itself when none is."""
    return _year_view_cached(_Key(plan), year)


@lru_cache(maxsize=8)
def _year_view_cached(key: _Key, year: int) -> Plan:
    plan = key.plan
    gone = [s for s in plan.indicators() if s.indicator.removed_in(year) is not None]
    if not gone:
        return plan
    out = {id(s.indicator) for s in gone}

    def kept(indicators: list[Indicator]) -> list[Indicator]:
        return [i for i in indicators if id(i) not in out]

    def operational(oo: OperationalObjective) -> OperationalObjective:
        return oo.model_copy(update={"indicators": kept(oo.indicators)})

    areas = [area.model_copy(update={"objectives": [
        os_.model_copy(update={"indicators": kept(os_.indicators),
                               "operational": [operational(oo) for oo in os_.operational]})
        for os_ in area.objectives]}) for area in plan.areas]
    removed = [RemovedIndicator(codice=s.indicator.code, nome=s.indicator.name,
                                obiettivo=s.owner.code, modifiche=list(s.indicator.changes),
                                ultimo_stato=s.indicator)
               for s in gone]
    return plan.model_copy(update={"areas": areas, "removed": [*plan.removed, *removed]})


def ownership(plan: Plan) -> Ownership:
    return _ownership_cached(_Key(plan))


class _Key:
    """Identity-hashed wrapper: plans are mutable models, cache by object, not by value."""

    __slots__ = ("plan",)

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def __hash__(self) -> int:
        return id(self.plan)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.plan is self.plan


@lru_cache(maxsize=8)
def _ownership_cached(key: _Key) -> Ownership:
    plan = key.plan
    owned: dict[str, set[int]] = {}
    places: dict[str, dict[tuple[int, int], None]] = {}
    for ai, area in enumerate(plan.areas):
        for oi, os_ in enumerate(area.objectives):
            for slot_indicator, offices in _owners(plan, os_):
                for office in offices or [UNOWNED]:
                    owned.setdefault(office, set()).add(id(slot_indicator))
                    places.setdefault(office, {})[(ai, oi)] = None
    offices = dict.fromkeys(o.name for o in plan.offices)
    offices.update(dict.fromkeys(owned))
    if UNOWNED in offices:   # the unowned ones last, whatever the plan order
        offices[UNOWNED] = offices.pop(UNOWNED)
    return Ownership({o: frozenset(s) for o, s in owned.items()},
                     {o: tuple(p) for o, p in places.items()}, tuple(offices))


def _owners(plan: Plan, os_: StrategicObjective) -> Iterator[tuple[Indicator, list[str]]]:
    for ind in os_.indicators:
        yield ind, plan.owners_of(ind, None, os_)
    for oo in os_.operational:
        for ind in oo.indicators:
            yield ind, plan.owners_of(ind, oo, os_)
