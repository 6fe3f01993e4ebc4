"""Per-office views of a plan: the part of the plan one office owns.

An indicator belongs to its owners (its own offices, else its OO's, else its OS's); an
objective survives when it keeps at least one indicator. Weights are kept as written: the
roll-up renormalizes over what is present, so an office workbook grades the office's part.
"""

from __future__ import annotations

from .model import Plan


def plan_for_office(plan: Plan, office: str) -> Plan:
    """The plan restricted to ``office``'s indicators (pure; the input is not changed)."""
    owned = {id(slot.indicator) for slot in plan.indicators() if office in plan.owners(slot)}
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
