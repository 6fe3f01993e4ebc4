"""Grading rules (docs/rules.md): each twice, side by side, in Python and as an Excel formula.

The workbook must give the same grade as the engine without Python, so every rule is a
pair: ``compute`` (the engine) and ``formula`` (the text written into the grade cell).
Both use the same operations in the same order, and the formula truth tests recalculate
generated workbooks in LibreOffice and compare them with ``compute`` to 1e-9.

Comparisons mimic spreadsheets: two numbers that differ only in the last bits of their
binary representation are equal (LibreOffice's ``approxEqual``, 2⁻⁴⁸ relative), so
``A = T`` always grades 1 in both.

A grade cell shows a number in [0, 1] or the reason it is *non valutabile*; the
valutazione cell turns it into the band text of the policy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from .model import DEFAULT_BANDS, Band, Policy
from .targets import Kind, OffsetMode, Target
from .vocabulary import (
    FORMULA_YES_WORDS,
    edate,
    excel_serial,
    formula_yes_no,
    from_excel_serial,
    yes_no_text,
)

_EPS = 2.0**-48

# Reasons a grade is not given (shown in the grade cell, Italian).
NEUTRALIZED = "neutralizzato"
FORCED_MISSING = "grado forzato mancante"
MONITORING = "solo monitoraggio"
MISSING = "dato mancante"
INVALID = "valore non valido"
NO_REFERENCE = "riferimento mancante"
NO_EVENT = "data evento mancante"

StatusKind = Literal["neutralizzato", "forzato"]


# --- spreadsheet-like comparisons ------------------------------------------------------

def approx_eq(x: float, y: float) -> bool:
    """Equal as a spreadsheet sees it (exact zero is only equal to zero)."""
    if x == y:
        return True
    if x == 0 or y == 0:
        return False
    d = abs(x - y)
    return d < abs(x) * _EPS and d < abs(y) * _EPS


def ge(x: float, y: float) -> bool:
    return x > y or approx_eq(x, y)


def gt(x: float, y: float) -> bool:
    return x > y and not approx_eq(x, y)


def le(x: float, y: float) -> bool:
    return x < y or approx_eq(x, y)


def lt(x: float, y: float) -> bool:
    return x < y and not approx_eq(x, y)


def spreadsheet_add(x: float, y: float) -> float:
    """``x + y`` as a spreadsheet adds: two numbers that cancel out to their last bits give
    exactly 0 (LibreOffice's ``approxAdd``; Excel does the same), not a 1e-17 rest."""
    if ((x < 0 < y) or (y < 0 < x)) and approx_eq(x, -y):
        return 0.0
    return x + y


# --- the result ------------------------------------------------------------------------

@dataclass(frozen=True)
class Grade:
    """A grade in [0, 1], or ``value=None`` with the ``reason`` it is non valutabile.

    ``rule`` says in Italian which rule produced it (shown by ``cruscotto grado``).
    """

    value: float | None
    reason: str | None = None
    rule: str = ""

    @property
    def graded(self) -> bool:
        return self.value is not None

    @property
    def cell(self) -> float | str:
        """What the workbook's grade cell shows: the number, or the reason as text."""
        return self.value if self.value is not None else (self.reason or "")


def not_graded(reason: str, rule: str = "") -> Grade:
    return Grade(None, reason, rule or reason)


# --- what a grade depends on -----------------------------------------------------------

@dataclass(frozen=True)
class GradeSpec:
    """Everything fixed by the plan for one indicator and year; only the actual varies.

    Built by :meth:`from_target`; the workbook writes these fields into locked cells and the
    formula reads them from there.
    """

    target: Target
    missing_is_zero: bool = False
    threshold: float | None = None
    red_flag: float | None = None
    tolerance: float | None = None
    decay_days: int | None = None
    status: StatusKind | None = None
    forced: float | None = None

    @classmethod
    def from_target(
        cls,
        target: Target,
        policy: Policy | None = None,
        *,
        threshold: float | None = None,
        red_flag: float | None = None,
        tolerance: float | None = None,
        status: StatusKind | None = None,
        forced: float | None = None,
    ) -> GradeSpec:
        """Resolve the policy's defaults for this target (red flag, tolerance, decay)."""
        policy = policy or Policy()
        if target.family == "le" and policy.lower_is_better == "lineare":
            if red_flag is None and target.kind is Kind.COMPARISON and target.value:
                red_flag = target.value * policy.red_flag_factor
        else:
            red_flag = None
        if target.family == "eq" and tolerance is None:
            if target.kind is Kind.RELATIVE:     # the gap of «scostamento max», else exact
                tolerance = target.value if target.value is not None else 0.0
            else:
                tolerance = target.default_tolerance()
        return cls(
            target=target,
            missing_is_zero=policy.missing == "zero",
            threshold=threshold,
            red_flag=red_flag,
            tolerance=tolerance if target.family == "eq" else None,
            decay_days=policy.deadline_decay_days
            if target.kind in (Kind.DEADLINE, Kind.EVENT_DEADLINE) else None,
            status=status,
            forced=forced,
        )


@dataclass(frozen=True)
class Cells:
    """Cell references (A1 text) of one indicator row, as the grade formula reads them."""

    actual: str
    target: str
    status: str
    forced: str
    reference: str = ""
    tolerance: str = ""
    red_flag: str = ""
    threshold: str = ""
    deadline: str = ""
    event: str = ""


# --- the rules, each twice -------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One rule of docs/rules.md: its Italian name, the Python rule and its Excel formula."""

    name: str
    compute: Callable[[float, float, GradeSpec], float]
    formula: Callable[[str, str, GradeSpec, Cells], str]


def _higher(a: float, t: float, spec: GradeSpec) -> float:
    if gt(t, 0):
        return 1.0 if ge(a, t) else (a / t if ge(a, 0) else 0.0)
    if t == 0:
        holds = gt(a, 0) if spec.target.strict else ge(a, 0)
        return 1.0 if holds else 0.0
    return 1.0 if ge(a, t) else t / a


def _higher_formula(a: str, t: str, spec: GradeSpec, c: Cells) -> str:
    at_zero = f"{a}>0" if spec.target.strict else f"{a}>=0"
    return (f"IF({t}>0,IF({a}>={t},1,IF({a}>=0,{a}/{t},0)),"
            f"IF({t}=0,IF({at_zero},1,0),IF({a}>={t},1,{t}/{a})))")


def _lower(a: float, t: float, spec: GradeSpec) -> float:
    if gt(t, 0):
        if le(a, t):
            return 1.0
        if spec.red_flag is not None:
            r = spec.red_flag
            return max(0.0, min(1.0, (r - a) / (r - t)))
        return t / a
    if t == 0:
        holds = lt(a, 0) if spec.target.strict else le(a, 0)
        return 1.0 if holds else 0.0
    return 1.0 if le(a, t) else (a / t if lt(a, 0) else 0.0)


def _lower_formula(a: str, t: str, spec: GradeSpec, c: Cells) -> str:
    above = f"MAX(0,MIN(1,({c.red_flag}-{a})/({c.red_flag}-{t})))" if spec.red_flag is not None \
        else f"{t}/{a}"
    at_zero = f"{a}<0" if spec.target.strict else f"{a}<=0"
    return (f"IF({t}>0,IF({a}<={t},1,{above}),"
            f"IF({t}=0,IF({at_zero},1,0),IF({a}<={t},1,IF({a}<0,{a}/{t},0))))")


def _equal(a: float, t: float, spec: GradeSpec) -> float:
    assert spec.tolerance is not None
    return 1.0 if le(round(abs(a - t), 12), spec.tolerance) else 0.0


def _equal_formula(a: str, t: str, spec: GradeSpec, c: Cells) -> str:
    return f"IF(ROUND(ABS({a}-{t}),12)<={c.tolerance},1,0)"


def _deadline(a: float, t: float, spec: GradeSpec) -> float:
    if le(a, t):
        return 1.0
    if spec.decay_days:
        return max(0.0, 1 - (a - t) / spec.decay_days)
    return 0.0


def _deadline_formula(a: str, t: str, spec: GradeSpec, c: Cells) -> str:
    late = f"MAX(0,1-({a}-{t})/{spec.decay_days})" if spec.decay_days else "0"
    return f"IF({a}<={t},1,{late})"


RULES: dict[str, Rule] = {
    "ge": Rule("maggiore o uguale: A ≥ T → 100 %; T > 0: A/T (0 se A < 0); T < 0: T/A; "
               "T = 0: 100 % se la relazione vale, altrimenti 0", _higher, _higher_formula),
    "le": Rule("minore o uguale: A ≤ T → 100 %; T > 0: T/A; T < 0: A/T se A < 0, altrimenti 0; "
               "T = 0: 100 % se la relazione vale, altrimenti 0", _lower, _lower_formula),
    "le_linear": Rule("minore o uguale, lineare fino alla soglia rossa R: (R − A)/(R − T)",
                      _lower, _lower_formula),
    "eq": Rule("uguale: |A − T| ≤ tolleranza → 100 %, altrimenti 0", _equal, _equal_formula),
    "deadline": Rule("scadenza: data ≤ scadenza → 100 %, altrimenti 0", _deadline,
                     _deadline_formula),
    "deadline_decay": Rule("scadenza con decadimento lineare sui giorni di ritardo", _deadline,
                           _deadline_formula),
}


def rule_for(spec: GradeSpec) -> Rule | None:
    """The rule of a spec; None for milestones and monitoring, which need no arithmetic."""
    t = spec.target
    if t.kind in (Kind.DEADLINE, Kind.EVENT_DEADLINE):
        return RULES["deadline_decay" if spec.decay_days else "deadline"]
    if t.kind in (Kind.COMPARISON, Kind.RELATIVE):
        if t.family == "le" and spec.red_flag is not None:
            return RULES["le_linear"]
        assert t.family is not None
        return RULES[t.family]
    return None


# --- targets computed from an input: reference with its change, event + term ------------

def reference_target(reference: float, target: Target) -> float:
    """The value a relative target asks for: the reference R, R + change (``+10``,
    ``+2 p.p.``) or R × (1 + change) (``+5 %``)."""
    offset = target.offset
    if offset is None:
        return reference
    if offset.mode is OffsetMode.ADD:
        return spreadsheet_add(reference, offset.value)
    return reference * spreadsheet_add(1.0, offset.value)


def _signed(value: float) -> str:
    return f"+{value!r}" if value >= 0 else f"-{-value!r}"


def reference_target_formula(reference: str, target: Target) -> str:
    """:func:`reference_target` over the Riferimento cell."""
    offset = target.offset
    if offset is None:
        return reference
    if offset.mode is OffsetMode.ADD:
        return f"({reference}{_signed(offset.value)})"
    return f"({reference}*(1{_signed(offset.value)}))"


def event_deadline(event: float, target: Target) -> float:
    """The last day (a serial number) of a term from an event: the event's date plus the
    days or weeks, or the same day ``n`` months later as Excel's EDATE; the day before that
    for a strict ``<``. A negative term counts back (``15 gg prima della seduta``)."""
    assert target.value is not None
    n = int(target.value)
    if target.unit == "mesi":
        day = float(excel_serial(edate(from_excel_serial(event), n)))
    else:
        day = event + (7 * n if target.unit == "settimane" else n)
    return day - 1 if target.op == "<" else day


def event_deadline_formula(event: str, target: Target) -> str:
    """:func:`event_deadline` over the Data evento cell."""
    assert target.value is not None
    n = int(target.value)
    if target.unit == "mesi":
        day = f"EDATE({event},{n})"
    else:
        days = 7 * n if target.unit == "settimane" else n
        day = f"({event}{'+' if days >= 0 else '-'}{abs(days)})"
    return f"({day}-1)" if target.op == "<" else day


# --- effective actual: typed, or numerator / denominator --------------------------------

ActualInput = float | int | bool | date | str | None


def effective_actual(value: ActualInput, numerator: float | None = None,
                     denominator: float | None = None) -> ActualInput:
    """The typed actual; when empty, numerator / denominator (None if incomplete or /0).
    A quotient beyond what a cell can hold (1E+308 / 1E-308: Excel's #NUM!) is an invalid
    value, never ∞."""
    if value is not None and value != "":
        return value
    if isinstance(numerator, int | float) and isinstance(denominator, int | float):
        if denominator == 0:
            return None
        try:
            quotient = numerator / denominator
        except OverflowError:
            return INVALID
        return quotient if math.isfinite(quotient) else INVALID
    return None


def effective_actual_formula(value: str, numerator: str, denominator: str) -> str:
    return (f'IF({value}<>"",{value},IF(AND(ISNUMBER({numerator}),ISNUMBER({denominator})),'
            f'IF({denominator}<>0,IFERROR({numerator}/{denominator},"{INVALID}"),""),""))')


# --- the whole grade: status, missing, type checks, rule, soglia ------------------------

def _as_number(value: ActualInput) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _as_day(value: ActualInput) -> float | None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return float(excel_serial(value))
    return _as_number(value)


def grade_spec(actual: ActualInput, spec: GradeSpec, reference: float | None = None,
               event: ActualInput = None) -> Grade:
    """Grade an actual against a fully resolved spec (the engine behind :func:`grade`).

    ``reference`` is the Riferimento cell of a relative target, ``event`` the Data evento
    cell of a deadline from an event (a date, or its serial number).
    """
    if spec.status == "neutralizzato":
        return not_graded(NEUTRALIZED, "indicatore neutralizzato: escluso, pesi rinormalizzati")
    if spec.status == "forzato":
        if spec.forced is None:
            return not_graded(FORCED_MISSING)
        return Grade(spec.forced, None, "grado forzato a mano")
    target = spec.target
    if target.kind is Kind.MONITORING:
        return not_graded(MONITORING)
    if actual is None or actual == "":
        if spec.missing_is_zero:
            return Grade(0.0, None, "dato mancante: 0 per la politica «dato_mancante: zero»")
        return not_graded(MISSING)
    if target.kind is Kind.MILESTONE:
        done = formula_yes_no(actual)
        if done is None:
            return not_graded(INVALID)
        return _with_threshold(1.0 if done else 0.0, spec, "realizzazione: Sì → 100 %, No → 0")
    rule = rule_for(spec)
    assert rule is not None
    dated = target.kind in (Kind.DEADLINE, Kind.EVENT_DEADLINE)
    a = _as_day(actual) if dated else _as_number(actual)
    if a is None:
        return not_graded(INVALID)
    if target.kind is Kind.DEADLINE:
        assert target.deadline is not None
        t = float(excel_serial(target.deadline))
    elif target.kind is Kind.EVENT_DEADLINE:
        day = _as_day(event)
        if day is None:          # empty, or not a date: as the formula's ISNUMBER sees it
            return not_graded(NO_EVENT)
        t = event_deadline(day, target)
    elif target.kind is Kind.RELATIVE:
        if reference is None:
            return not_graded(NO_REFERENCE)
        t = reference_target(reference, target)
    else:
        assert target.value is not None
        t = target.value
    return _with_threshold(rule.compute(a, t, spec), spec, rule.name)


def _with_threshold(value: float, spec: GradeSpec, rule: str) -> Grade:
    if spec.threshold is not None and lt(value, spec.threshold):
        return Grade(0.0, None, f"{rule}; sotto la soglia minima → 0")
    return Grade(value, None, rule)


def grade(
    actual: ActualInput,
    target: Target,
    policy: Policy | None = None,
    *,
    reference: float | None = None,
    event: ActualInput = None,
    threshold: float | None = None,
    red_flag: float | None = None,
    tolerance: float | None = None,
    status: StatusKind | None = None,
    forced: float | None = None,
) -> Grade:
    """Grade ``actual`` against ``target`` under ``policy`` (docs/grammatica-target.md
    lists the targets; the rules are the workbook's formulas, below)."""
    spec = GradeSpec.from_target(target, policy, threshold=threshold, red_flag=red_flag,
                                 tolerance=tolerance, status=status, forced=forced)
    return grade_spec(actual, spec, reference, event)


def grade_formula(spec: GradeSpec, c: Cells) -> str:
    """The Excel formula of the grade cell: :func:`grade_spec`, step by step, as text."""
    target = spec.target
    missing = "0" if spec.missing_is_zero else f'"{MISSING}"'
    a = c.actual
    if target.kind is Kind.MONITORING:
        body = f'"{MONITORING}"'
    elif target.kind is Kind.MILESTONE:
        done = _threshold_formula("1", spec, c)
        not_done = _threshold_formula("0", spec, c)
        # Spreadsheets compare text ignoring case: «="No"» is every word of FORMULA_NO_WORDS.
        yes = ",".join(f'{a}="{word}"' for word in FORMULA_YES_WORDS)
        body = (f'IF({a}="",{missing},IF(OR({yes}),{done},'
                f'IF({a}="{yes_no_text(False)}",{not_done},"{INVALID}")))')
    else:
        rule = rule_for(spec)
        assert rule is not None
        if target.kind is Kind.RELATIVE:
            t = reference_target_formula(c.reference, target)
        elif target.kind is Kind.EVENT_DEADLINE:
            t = event_deadline_formula(c.event, target)
        else:
            t = c.deadline if target.kind is Kind.DEADLINE else c.target
        core = _threshold_formula(rule.formula(a, t, spec, c), spec, c)
        if target.kind is Kind.RELATIVE:
            core = f'IF(ISNUMBER({c.reference}),{core},"{NO_REFERENCE}")'
        elif target.kind is Kind.EVENT_DEADLINE:
            core = f'IF(ISNUMBER({c.event}),{core},"{NO_EVENT}")'
        body = f'IF({a}="",{missing},IF(ISNUMBER({a}),{core},"{INVALID}"))'
    forced = f'IF(ISNUMBER({c.forced}),{c.forced},"{FORCED_MISSING}")'
    return (f'=IF({c.status}="{NEUTRALIZED}","{NEUTRALIZED}",'
            f'IF({c.status}="forzato",{forced},{body}))')


def _threshold_formula(core: str, spec: GradeSpec, c: Cells) -> str:
    if spec.threshold is None:
        return core
    return f"IF({core}<{c.threshold},0,{core})"


# --- valutazione -----------------------------------------------------------------------

NOT_GRADED_PREFIX = "Non valutabile"


def band_index(value: float, bands: Sequence[Band] = DEFAULT_BANDS) -> int:
    """Which band (highest first) a grade falls in: the first it reaches, else the last."""
    for i, band in enumerate(bands):
        if ge(value, band.threshold):
            return i
    return len(bands) - 1


def valutazione(g: Grade, bands: Sequence[Band] = DEFAULT_BANDS) -> str:
    """The band text of a grade (``Raggiunto`` …), or why it is not graded."""
    if g.value is None:
        if g.reason == NEUTRALIZED:
            return "Neutralizzato"
        return f"{NOT_GRADED_PREFIX} ({g.reason})"
    return bands[band_index(g.value, bands)].label


FORMULA_LITERAL_MAX = 255        # Excel refuses a longer string constant in a formula
_CONTROL = re.compile("([\x01-\x1f])")


def formula_text(text: str) -> str:
    """``text`` as a formula expression whose value is exactly ``text``, for any text.

    Quotes are doubled, a control character (U+000B pasted from Word) becomes
    ``CHAR(11)`` (never raw in the file's XML), and long texts are joined from pieces of
    at most 255 characters (Excel's limit for a string constant). U+0000 has no formula
    (``CHAR(0)`` is an error): the plan checks refuse it (docs/security.md).
    """
    if "\x00" in text:
        raise ValueError("U+0000 cannot be written in a formula")
    parts: list[str] = []
    for piece in _CONTROL.split(text):
        if len(piece) == 1 and _CONTROL.fullmatch(piece):
            parts.append(f"CHAR({ord(piece)})")
        else:
            parts.extend('"' + piece[i:i + FORMULA_LITERAL_MAX].replace('"', '""') + '"'
                         for i in range(0, len(piece), FORMULA_LITERAL_MAX))
    return "&".join(parts) or '""'


def valutazione_formula(grade_ref: str,
                        bands: list[Band] | tuple[Band, ...] = DEFAULT_BANDS) -> str:
    """:func:`valutazione` as a formula over the grade cell."""
    chain = formula_text(bands[-1].label)
    for band in reversed(bands[:-1]):
        chain = f"IF({grade_ref}>={band.threshold!r},{formula_text(band.label)},{chain})"
    return (f'=IF(ISNUMBER({grade_ref}),{chain},IF({grade_ref}="{NEUTRALIZED}","Neutralizzato",'
            f'"{NOT_GRADED_PREFIX} ("&{grade_ref}&")"))')


__all__ = [
    "RULES", "Cells", "Grade", "GradeSpec", "Rule", "band_index", "effective_actual",
    "effective_actual_formula", "event_deadline", "event_deadline_formula", "formula_text", "grade",
    "grade_formula", "grade_spec", "reference_target", "reference_target_formula",
    "rule_for", "spreadsheet_add", "valutazione", "valutazione_formula",
]
