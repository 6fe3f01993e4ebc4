"""The yearly *rolling*: next year's plan from this year's, with its change log.

Codes, weights and offices stay; each indicator gets the target the plan already declares
for the new year (multi-year plans carry them) or keeps this year's; a relative target gets
its reference as an explicit value, from the actuals the plan keeps (this year's for
``x < x-1``, the year the text names for ``x < x-3`` or ``>= valore 2023``, the baseline
for ``>= baseline + 10``); every indicator whose target changes gets a change-log entry
(*Aggiornato*), as the real plans record them.
Actuals of past years stay in the plan as history.

A change file (``--modifiche``) adds what a Giunta deliberates: indicators *Inserito*,
*Aggiornato* (new target, weight, name…) or *Eliminato*, with the deliberation and date.
Deleted indicators leave the tree but keep their log in ``indicatori_eliminati``.

The target window (``anni_target``) moves with the year and keeps as many years ahead
(2024 for 2023–2026 → 2025 for 2025–2027); every indicator without a target for the
window's new last year is a warning, as is an intermediate target carried from the old
year next to a new annual target
(docs/domain.md, «Rolling annuale»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..errors import UserError
from .actuals import reference_for
from .model import Change, Indicator, Plan, RemovedIndicator, TargetText
from .problems import Location, Problem
from .targets import Kind, TargetError, parse_target


def change_log(plan: Plan) -> list[tuple[Change, str, str, str]]:
    """Every change entry of the plan (kept and deleted indicators) with the indicator's
    code, name and objective, newest year first."""
    rows = [(c, s.indicator.code, s.indicator.name, s.owner.code)
            for s in plan.indicators() for c in s.indicator.changes]
    rows += [(c, r.code, r.name, r.objective) for r in plan.removed for c in r.changes]
    return sorted(rows, key=lambda row: (-row[0].year, row[1]))


class RolloverError(UserError):
    """The rollover cannot be done (the message says why, in Italian)."""


@dataclass
class Rollover:
    plan: Plan
    changed: list[str] = field(default_factory=list)      # indicator codes with a new target
    carried: list[str] = field(default_factory=list)      # codes that kept last year's target
    logged: list[str] = field(default_factory=list)       # codes changed by the change file
    warnings: list[Problem] = field(default_factory=list)  # what a person should look at


#: The indicator's fields a change entry may set, in the order its log entry lists them.
#: Their types, validators, constraints and file keys are the :class:`Indicator`'s own.
CHANGED_FIELDS = ("name", "target", "weight", "algorithm", "numerator", "denominator",
                  "unit", "kind", "polarity", "offices")


class _ChangeEntry(BaseModel):
    """What every entry of a change file says besides the indicator's fields."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(alias="codice", min_length=1)
    action: Literal["Inserito", "Aggiornato", "Eliminato"] = Field(alias="azione")
    objective: str | None = Field(None, alias="obiettivo")
    note: str | None = Field(None, alias="nota")
    deliberation: str | None = Field(None, alias="delibera")
    when: date | None = Field(None, alias="data")
    target: TargetText | None = Field(None, alias="target")
    """The target of the new year (an indicator keeps one per year: ``target: {2025: …}``)."""


def _optional_indicator_field(name: str) -> tuple[Any, Any]:
    """The :class:`Indicator` field ``name`` (type, validators, constraints, file key) made
    optional: absent or ``null`` in an entry means "unchanged"."""
    info = Indicator.model_fields[name]
    optional = info.annotation | None
    return (Annotated[(optional, *info.metadata)] if info.metadata else optional,
            Field(None, alias=info.alias))


IndicatorChange = create_model(
    "IndicatorChange", __base__=_ChangeEntry, __doc__="One entry of a change file.",
    **{name: _optional_indicator_field(name) for name in CHANGED_FIELDS if name != "target"})

_FIELDS = {name: "target" if name == "target" else str(Indicator.model_fields[name].alias)
           for name in CHANGED_FIELDS}


class ChangeSet(BaseModel):
    """A change file: the deliberation and its entries."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", str_strip_whitespace=True)

    deliberation: str | None = Field(None, alias="delibera")
    when: date | None = Field(None, alias="data")
    changes: list[IndicatorChange] = Field(default_factory=list, alias="modifiche")


def _next_id(plan_id: str, old: int, new: int) -> str:
    if re.search(rf"{old}$", plan_id):
        return plan_id[: -len(str(old))] + str(new)
    return f"{plan_id}-{new}"


def _described(entry: IndicatorChange, ind: Indicator, year: int, old_year: int) -> str:
    parts = []
    for attr, label in _FIELDS.items():
        value = getattr(entry, attr)
        if value is None:
            continue
        before = ind.targets.get(old_year, "") if attr == "target" else getattr(ind, attr)
        parts.append(f"{label}: «{before if before not in (None, '') else 'nessuno'}» → "
                     f"«{value}»")
    return "; ".join(parts)


def _apply(new: Plan, changes: ChangeSet, year: int, old_year: int,
           deliberation: str | None, when: date | None) -> set[str]:
    """Apply a change file to ``new`` in place; returns the codes it logged."""
    slots = {s.indicator.code: s for s in new.indicators()}
    owners: dict[str, Any] = {}
    for area in new.areas:
        for os_ in area.objectives:
            owners[os_.code] = os_
            for oo in os_.operational:
                owners[oo.code] = oo
    logged: set[str] = set()
    for k, entry in enumerate(changes.changes, 1):
        where = f"modifica {k} (codice {entry.code})"
        log = Change(anno=year, azione=entry.action,
                     delibera=entry.deliberation or changes.deliberation or deliberation,
                     data=entry.when or changes.when or when, nota=entry.note)
        if entry.target is not None:
            try:
                parse_target(entry.target)
            except TargetError as exc:
                raise RolloverError(f"{where}: target «{entry.target}» non valido: {exc}") \
                    from None
        if entry.action == "Inserito":
            if entry.code in slots:
                raise RolloverError(f"{where}: l'indicatore esiste già")
            owner = owners.get(entry.objective or "")
            if owner is None:
                raise RolloverError(f"{where}: obiettivo «{entry.objective or ''}» non trovato "
                                    "(indicare il codice di un OS o di un OO in «obiettivo»)")
            if not entry.name:
                raise RolloverError(f"{where}: manca il nome dell'indicatore («nome»)")
            data = {label: getattr(entry, attr) for attr, label in _FIELDS.items()
                    if getattr(entry, attr) is not None and attr != "target"}
            data.update(codice=entry.code, target={year: entry.target or ""})
            ind = Indicator.model_validate(data)
            ind.changes.append(log)
            owner.indicators.append(ind)
            logged.add(entry.code)
            continue
        slot = slots.get(entry.code)
        if slot is None:
            raise RolloverError(f"{where}: indicatore non presente nel piano")
        ind = slot.indicator
        if entry.action == "Eliminato":
            owner = slot.owner
            owner.indicators = [i for i in owner.indicators if i.code != entry.code]
            new.removed.append(RemovedIndicator(
                codice=ind.code, nome=ind.name, obiettivo=owner.code,
                modifiche=[*ind.changes, log],
                ultimo_stato=ind.model_copy(update={"changes": [*ind.changes, log]})))
            logged.add(entry.code)
            continue
        described = _described(entry, ind, year, old_year)
        if not described and not entry.note:
            raise RolloverError(f"{where}: «Aggiornato» senza nulla da aggiornare "
                                "(target, peso, nome… o almeno una nota)")
        for attr in _FIELDS:
            value = getattr(entry, attr)
            if value is None:
                continue
            if attr == "target":
                ind.targets[year] = value
            else:
                setattr(ind, attr, value)
        log.note = "; ".join(x for x in (described, entry.note) if x)
        ind.changes.append(log)
        logged.add(entry.code)
    return logged


def _undated(text: str, ind: Indicator, old_year: int, new_year: int) -> bool:
    """Does the text mean something in the new year too: not a deadline, or a date written
    without its year (``entro il 30 giugno``), which moves with the year?"""
    try:
        before = parse_target(text, ind.polarity, old_year)
        after = parse_target(text, ind.polarity, new_year)
    except TargetError:
        return False
    return before.kind is not Kind.DEADLINE or before != after


def roll_over(plan: Plan, year: int, changes: ChangeSet | None = None, *,
              deliberation: str | None = None, when: date | None = None) -> Rollover:
    """The plan of ``year`` (must be later than the plan's year) and what changed."""
    if year <= plan.year:
        raise RolloverError(f"l'anno del nuovo piano ({year}) deve essere successivo a "
                            f"quello del piano ({plan.year})")
    new = plan.model_copy(deep=True)
    result = Rollover(new)
    logged = _apply(new, changes, year, plan.year, deliberation, when) if changes else set()
    result.logged = sorted(logged)
    for slot in new.indicators():
        ind = slot.indicator
        old_text = ind.targets.get(plan.year, "")
        if ind.code in logged:
            pass                            # its own entry says what changed
        elif year in ind.targets:
            if ind.targets[year] != old_text:
                result.changed.append(ind.code)
                ind.changes.append(Change(
                    anno=year, azione="Aggiornato", delibera=deliberation or plan.deliberation,
                    data=when, nota=f"target {year}: «{ind.targets[year] or 'nessuno'}» "
                                    f"(nel {plan.year}: «{old_text or 'nessuno'}»)"))
        else:
            ind.targets[year] = old_text
            result.carried.append(ind.code)
        if year not in ind.period_targets:
            # intermediate targets roll with the year, except the dated ones («Entro
            # 30-06-2024» is a deadline of the old year); next to a new annual target they
            # are carried but flagged, a person decides whether they still fit
            kept = {p: t for p, t in ind.period_targets.get(plan.year, {}).items()
                    if _undated(t, ind, plan.year, year)}
            if kept:
                ind.period_targets[year] = kept
                if ind.targets.get(year) != old_text:
                    shown = ", ".join(f"{p}: «{t}»" for p, t in kept.items())
                    result.warnings.append(Problem(
                        Location(path=f"{slot.path}.target_periodi"),
                        f"target intermedi riportati dal {plan.year} ({shown}) accanto al "
                        f"nuovo target annuale «{ind.targets.get(year, '')}»: verificarli",
                        "avviso", ind.code))
        if year not in ind.references:
            # the reference of a relative target, from the actuals the plan keeps: the
            # year its text names (x-1, x-3, valore 2023, media triennio) or the baseline
            try:
                target = ind.target_for(year)
            except TargetError:
                target = None
            if target is not None and target.kind is Kind.RELATIVE:
                value = reference_for(ind, year, target, new)
                if value is not None:
                    ind.references[year] = value
    new.year = year
    new.id = _next_id(plan.id, plan.year, year)
    old_window = plan.target_years or [plan.year]
    last = max(max(old_window), year + max(old_window) - plan.year)
    new.target_years = list(range(year, last + 1))
    if last > year:
        for slot in new.indicators():
            if not slot.indicator.targets.get(last, "").strip():
                result.warnings.append(Problem(
                    Location(path=f"{slot.path}.target"),
                    f"nessun target per il {last}, ultimo anno del piano "
                    f"({year}–{last}): indicarlo nel piano", "avviso", slot.indicator.code))
    if deliberation is not None:
        new.deliberation = deliberation
    if plan.deadline is not None:
        shift = plan.deadline.year + year - plan.year
        try:
            new.deadline = plan.deadline.replace(year=shift)
        except ValueError:                     # 29 February
            new.deadline = plan.deadline.replace(year=shift, day=28)
    return result
