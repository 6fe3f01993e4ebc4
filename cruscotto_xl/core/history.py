"""The value history of a master workbook (*Storico valori*): nothing changes unrecorded.

Each consolidation compares the actuals it is about to write with those the master held
before, for the consolidated year and period, and appends one row per indicator whose
value changed (a first value is a change from empty), and one per named measure whose
value changed (``misura CODE``). Rows already in the master are
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
                  sources: Mapping[str, tuple[str, str]], when: datetime,
                  files: Mapping[str, str] | None = None) -> list[HistoryRow]:
    """One row per indicator of ``after`` whose actual of ``year``/``period`` (or reference
    value of ``year``) differs from ``before``'s (None: no master yet, every value is new),
    and, for a transversal indicator, one per office whose own value changed
    (docs/transversal.md).

    ``sources`` says which office and file each indicator's value came from, ``files``
    which file each office's came from.
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
        rows += _office_changes(old.get(code), slot.indicator, year, period, when, files or {})
    for code, ind in old.items():        # indicators the plan no longer has: every period
        if code in kept:
            continue
        for actual in (a for a in ind.actuals if a.year == year):
            if (was := actual_text(actual)) != EMPTY:
                rows.append(HistoryRow(when, "", code, actual.period, was, REMOVED, ""))
    return rows


def _office_changes(before: Indicator | None, after: Indicator, year: int, period: str,
                    when: datetime, files: Mapping[str, str]) -> list[HistoryRow]:
    """The rows of the offices whose own value of a transversal indicator changed."""
    if after.transversal is None:
        return []
    old = before.office_actuals(year, period) if before is not None else {}
    new = after.office_actuals(year, period)
    rows = []
    for office in dict.fromkeys([*new, *old]):
        was, now = actual_text(old.get(office)), actual_text(new.get(office))
        if was != now:
            rows.append(HistoryRow(when, office, after.code, period, was, now,
                                   files.get(office, "")))
    return rows


MEASURE_LABEL = "misura"


def measure_text(value: float | str | None) -> str:
    """One comparable text per measure value (every significant digit, or the text)."""
    if value is None or value == "":
        return EMPTY
    return exact_number(value) if isinstance(value, float) else str(value)


def measure_changes(before: Plan | None, after: Plan, year: int, period: str,
                    sources: Mapping[str, tuple[str, str]], when: datetime
                    ) -> list[HistoryRow]:
    """One row per measure of ``after`` whose value at ``year``/``period`` differs from
    ``before``'s (the «Indicatore» column reads ``misura CODE``); ``sources`` says which
    offices and files each measure came from."""
    old = {} if before is None else before.measure_values(year, period)
    new = after.measure_values(year, period)
    rows = []
    for measure in after.measures:
        code = measure.code
        was, now = measure_text(old.get(code)), measure_text(new.get(code))
        if was != now:
            office, file = sources.get(code, ("", ""))
            rows.append(HistoryRow(when, office, f"{MEASURE_LABEL} {code}", period, was, now,
                                   file))
    return rows
