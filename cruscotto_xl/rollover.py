"""The yearly *rolling*: next year's plan from this year's, with its change log.

Codes, weights and offices stay; each indicator gets the target the plan already declares
for the new year (multi-year plans carry them) or keeps this year's; this year's actual
becomes the explicit reference of a relative target (``x < x-1``); every indicator whose
target changes gets a change-log entry (*Aggiornato*), as the real plans record them.
Actuals of past years stay in the plan as history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .model import Change, Plan


class RolloverError(Exception):
    """The rollover cannot be done (the message says why, in Italian)."""


@dataclass
class Rollover:
    plan: Plan
    changed: list[str] = field(default_factory=list)      # indicator codes with a new target
    carried: list[str] = field(default_factory=list)      # codes that kept last year's target


def _next_id(plan_id: str, old: int, new: int) -> str:
    if re.search(rf"{old}$", plan_id):
        return plan_id[: -len(str(old))] + str(new)
    return f"{plan_id}-{new}"


def roll_over(plan: Plan, year: int, *, deliberation: str | None = None,
              when: date | None = None) -> Rollover:
    """The plan of ``year`` (must be later than the plan's year) and what changed."""
    if year <= plan.year:
        raise RolloverError(f"l'anno del nuovo piano ({year}) deve essere successivo a "
                            f"quello del piano ({plan.year})")
    new = plan.model_copy(deep=True)
    result = Rollover(new)
    for slot in new.indicators():
        ind = slot.indicator
        old_text = ind.targets.get(plan.year, "")
        if year in ind.targets:
            if ind.targets[year] != old_text:
                result.changed.append(ind.code)
                ind.changes.append(Change(
                    anno=year, azione="Aggiornato", delibera=deliberation or plan.deliberation,
                    data=when, nota=f"target {year}: «{ind.targets[year] or 'nessuno'}» "
                                    f"(nel {plan.year}: «{old_text or 'nessuno'}»)"))
        else:
            ind.targets[year] = old_text
            result.carried.append(ind.code)
        previous = ind.actual_for(plan.year)
        if year not in ind.references and previous is not None \
                and isinstance(previous.value, float):
            ind.references[year] = previous.value
    object.__setattr__(new, "year", year)
    object.__setattr__(new, "id", _next_id(plan.id, plan.year, year))
    object.__setattr__(new, "target_years",
                       [y for y in plan.target_years if y >= year] or [year])
    if deliberation is not None:
        object.__setattr__(new, "deliberation", deliberation)
    if plan.deadline is not None:
        try:
            object.__setattr__(new, "deadline",
                               plan.deadline.replace(year=plan.deadline.year + year - plan.year))
        except ValueError:                     # 29 February
            object.__setattr__(new, "deadline", plan.deadline.replace(
                year=plan.deadline.year + year - plan.year, day=28))
    return result
