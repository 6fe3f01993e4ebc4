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

from .model import Actual, Plan
from .numbers import format_date, format_number

HISTORY_HEADERS = ("Quando", "Ufficio", "Indicatore", "Periodo", "Valore precedente",
                   "Nuovo valore", "File")
EMPTY = "vuoto"


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


def actual_text(actual: Actual | None) -> str:
    """One comparable text per actual: value (or text typed), numerator/denominator, note."""
    if actual is None:
        return EMPTY
    parts = []
    value = actual.typed
    if isinstance(value, bool):
        parts.append("Sì" if value else "No")
    elif isinstance(value, float):
        parts.append(format_number(value, 6).rstrip("0").rstrip(","))
    elif isinstance(value, date):
        parts.append(format_date(value))
    elif value is not None:
        parts.append(str(value))
    if actual.numerator is not None or actual.denominator is not None:
        fraction = " / ".join("—" if x is None else format_number(x, 6).rstrip("0").rstrip(",")
                              for x in (actual.numerator, actual.denominator))
        parts.append(f"({fraction})")
    if actual.note:
        parts.append(f"nota: {actual.note}")
    return " ".join(parts) or EMPTY


def value_changes(before: Plan | None, after: Plan, year: int, period: str,
                  sources: Mapping[str, tuple[str, str]], when: datetime) -> list[HistoryRow]:
    """One row per indicator of ``after`` whose actual of ``year``/``period`` differs from
    ``before``'s (None: no master yet, every value is new).

    ``sources`` says which office and file each indicator's value came from.
    """
    old = {} if before is None else {s.indicator.code: s.indicator.actual_for(year, period)
                                     for s in before.indicators()}
    rows = []
    for slot in after.indicators():
        code = slot.indicator.code
        was, now = actual_text(old.get(code)), actual_text(slot.indicator.actual_for(year,
                                                                                      period))
        if was != now:
            office, file = sources.get(code, ("", ""))
            rows.append(HistoryRow(when, office, code, period, was, now, file))
    return rows
