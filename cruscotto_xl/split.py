"""Per-office views of a plan: the part of the plan one office owns.

An indicator belongs to its owners (its own offices, else its OO's, else its OS's); an
objective survives when it keeps at least one indicator. Weights are kept as written: the
roll-up renormalizes over what is present, so an office workbook grades the office's part.
"""

from __future__ import annotations

from functools import lru_cache

from .model import Plan


def plan_for_office(plan: Plan, office: str) -> Plan:
    """The plan restricted to ``office``'s indicators (pure; the input is not changed)."""
    owned = _ownership(plan).get(office, set())
    areas = []
    for area in plan.areas:
        objectives = []
        for os_ in area.objectives:
            indicators = [i for i in os_.indicators if id(i) in owned]
            operational = [
                oo.model_copy(update={"indicators": [i for i in oo.indicators if id(i) in owned]})
                for oo in os_.operational
                if any(id(i) in owned for i in oo.indicators)
            ]
            if indicators or operational:
                objectives.append(os_.model_copy(
                    update={"indicators": indicators, "operational": operational}))
        if objectives:
            areas.append(area.model_copy(update={"objectives": objectives}))
    offices = [o for o in plan.offices if o.name == office]
    return plan.model_copy(update={"areas": areas, "offices": offices})


def _ownership(plan: Plan) -> dict[str, set[int]]:
    """Office → ids of the indicators it owns, computed once per plan object."""
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
def _ownership_cached(key: _Key) -> dict[str, set[int]]:
    owned: dict[str, set[int]] = {}
    for slot in key.plan.indicators():
        for office in key.plan.owners(slot):
            owned.setdefault(office, set()).add(id(slot.indicator))
    return owned
