"""The value history of a master workbook (*Storico valori*): nothing changes unrecorded.

Each consolidation compares the actuals it is about to write with those the master held
before, for the consolidated year and period, and appends one row per indicator whose
value changed (a first value is a change from empty). Rows already in the master are
kept as they are; the history only grows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from .model import Actual, Indicator, Plan
from .vocabulary import exact_number, format_date, yes_no_text

HISTORY_HEADERS = ("Quando", "Ufficio", "Indicatore", "Periodo", "Valore precedente",
                   "Nuovo valore", "File")
EMPTY = "vuoto"
REMOVED = "indicatore non più nel piano"


@dataclass(frozen=True)
class HistoryRow:
    when: datetime
    office: str
    indicator: str
    period: str
    old: str
    new: str
    file: str

    def cells(self) -> tuple[object, ...]:
        return (self.when, self.office, self.indicator, self.period, self.old, self.new,
                self.file)


def actual_text(actual: Actual | None, reference: float | None = None) -> str:
    """One comparable text per actual: value (or text typed), numerator/denominator, the
    date of the event a term runs from, note, and the year's reference value of a relative
    target."""
    parts = []
    value = actual.typed if actual is not None else None
    if isinstance(value, bool):
        parts.append(yes_no_text(value))
    elif isinstance(value, float):
        parts.append(exact_number(value))
    elif isinstance(value, date):
        parts.append(format_date(value))
    elif value is not None:
        parts.append(str(value))
    if actual is not None and (actual.numerator is not None or actual.denominator is not None):
        fraction = " / ".join("—" if x is None else exact_number(x)
                              for x in (actual.numerator, actual.denominator))
        parts.append(f"({fraction})")
    if actual is not None and actual.event_date is not None:
        parts.append(f"data evento: {format_date(actual.event_date)}")
    if actual is not None and actual.note:
        parts.append(f"nota: {actual.note}")
    if reference is not None:
        parts.append(f"riferimento: {exact_number(reference)}")
    return " ".join(parts) or EMPTY


def value_changes(before: Plan | None, after: Plan, year: int, period: str,
                  sources: Mapping[str, tuple[str, str]], when: datetime) -> list[HistoryRow]:
    """One row per indicator of ``after`` whose actual of ``year``/``period`` (or reference
    value of ``year``) differs from ``before``'s (None: no master yet, every value is new).

    ``sources`` says which office and file each indicator's value came from.
    """
    def text(ind: Indicator | None) -> str:
        if ind is None:
            return EMPTY
        return actual_text(ind.actual_for(year, period), ind.references.get(year))

    old = {} if before is None else {s.indicator.code: s.indicator for s in before.indicators()}
    rows = []
    kept = set()
    for slot in after.indicators():
        code = slot.indicator.code
        kept.add(code)
        was, now = text(old.get(code)), text(slot.indicator)
        if was != now:
            office, file = sources.get(code, ("", ""))
            rows.append(HistoryRow(when, office, code, period, was, now, file))
    for code, ind in old.items():        # indicators the plan no longer has: every period
        if code in kept:
            continue
        for actual in (a for a in ind.actuals if a.year == year):
            if (was := actual_text(actual)) != EMPTY:
                rows.append(HistoryRow(when, "", code, actual.period, was, REMOVED, ""))
    return rows
