"""Target grammar: parse Italian target texts into a typed :class:`Target` and back.

The forms are the ones found in real plans (DESIGN §3): comparisons (``>= 70,00 %``,
``<= -10 gg``), bare values that take the indicator's polarity, deadlines (``Entro
31-12-2023``), milestones (``Sì``), monitoring only (``n.d.``) and relative targets that
compare against a reference value (``x < x-1``, ``> media``). ``parse_target(format_target(t))
== t`` for every target. Unparseable text raises :class:`TargetError`; it never becomes 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from .numbers import (
    UNIT_PATTERN,
    NumberError,
    canonical_unit,
    decimals_of,
    format_date,
    format_number,
    normalize_text,
    parse_date,
    parse_decimal_it,
)

Operator = Literal[">=", ">", "<=", "<", "="]
OPERATORS: tuple[Operator, ...] = (">=", ">", "<=", "<", "=")


class Kind(StrEnum):
    """What a target asks for; each kind has its own grading rule."""

    COMPARISON = "confronto"
    DEADLINE = "scadenza"
    MILESTONE = "realizzazione"
    RELATIVE = "relativo"
    MONITORING = "monitoraggio"


class Polarity(StrEnum):
    """The indicator's direction (*verso*): which way is better."""

    INCREASING = "crescente"
    DECREASING = "decrescente"


class TargetError(ValueError):
    """A target text that cannot be read. The message quotes the text."""

    def __init__(self, text: str, why: str = "") -> None:
        self.text = text
        detail = f": {why}" if why else ""
        super().__init__(f"target non riconosciuto «{text}»{detail}")


@dataclass(frozen=True)
class Target:
    """A parsed target.

    ``value`` is a fraction for percentages (70 % → 0.7). ``decimals`` is how many decimals
    the number was written with: it fixes the default tolerance of ``=`` and the text
    ``format_target`` writes. For relative targets ``reference`` names the reference value
    (``anno precedente``, ``media``) and ``value`` is the allowed gap of ``scostamento max``.
    """

    kind: Kind
    op: Operator | None = None
    value: float | None = None
    unit: str | None = None
    decimals: int = 0
    deadline: date | None = None
    reference: str | None = None

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def family(self) -> Literal["ge", "le", "eq"] | None:
        """``>=``/``>`` are "higher is better", ``<=``/``<`` "lower is better"."""
        if self.op is None:
            return None
        return "ge" if self.op.startswith(">") else "le" if self.op.startswith("<") else "eq"

    @property
    def strict(self) -> bool:
        return self.op in (">", "<")

    def default_tolerance(self) -> float:
        """Half a unit of the last written decimal: ``= 0,23`` → 0.005, ``= 5,0 %`` → 0.0005."""
        half = Decimal(5).scaleb(-(self.decimals + 1))
        return float(half / 100) if self.is_percent else float(half)


# --- parsing ---------------------------------------------------------------------------

_OP_SPELLINGS = {
    "≥": ">=", "=>": ">=", ">=": ">=", "≤": "<=", "=<": "<=", "<=": "<=",
    ">": ">", "<": "<", "=": "=", "==": "=",
}
_OP_RE = r"(?P<op>≥|≤|>=|=>|<=|=<|==|>|<|=)"
_NUM_RE = r"(?P<num>[+-]?\s?[0-9][0-9.,]*)"
_UNIT_RE = rf"(?P<unit>{UNIT_PATTERN})"

_COMPARISON = re.compile(rf"^{_OP_RE}?\s*{_NUM_RE}\s*{_UNIT_RE}?$")
_DEADLINE = re.compile(
    r"^(?:entro\s+(?:il\s+)?|scadenza\s+)?(?P<date>\d{1,2}[-/.]\d{1,2}[-/.]\d{4})$", re.IGNORECASE
)
_PREVIOUS_YEAR = re.compile(rf"^x\s*{_OP_RE}\s*x\s*-\s*1$", re.IGNORECASE)
_REFERENCE = re.compile(rf"^{_OP_RE}\s*(?P<ref>[^\d\s<>=][^\d<>=]*)$")
_GAP = re.compile(
    rf"^scostamento\s+(?:max|massimo|max\.)\s+{_NUM_RE}\s*{_UNIT_RE}?\s+da(?:lla|l)?\s+(?P<ref>[^\d<>=]+)$",
    re.IGNORECASE,
)

_MONITORING = {
    "", "n.d.", "n.d", "nd", "n/d", "-", "--", "monitoraggio", "solo monitoraggio",
    "anno di rilevazione", "rilevazione", "da rilevare", "non valutabile",
}
_MILESTONE = {"sì", "si", "sí", "si/no", "sì/no", "realizzazione", "realizzato", "fatto"}

PREVIOUS_YEAR = "anno precedente"
_REFERENCE_ALIASES = {
    "anno precedente": PREVIOUS_YEAR, "x-1": PREVIOUS_YEAR, "anno prec.": PREVIOUS_YEAR,
    "valore anno precedente": PREVIOUS_YEAR, "consuntivo anno precedente": PREVIOUS_YEAR,
}


def _reference_name(text: str) -> str:
    name = normalize_text(text).lower()
    return _REFERENCE_ALIASES.get(name, name)


def _bare_operator(value: Decimal, polarity: Polarity | None) -> Operator:
    if polarity is Polarity.DECREASING:
        return "<="
    if polarity is None and value == 0:
        return "<="  # "0 N." of e.g. "Assenza di segnalazioni" means "no more than zero"
    return ">="


def _number(text: str, original: str) -> tuple[Decimal, int]:
    try:
        return parse_decimal_it(text), decimals_of(text)
    except NumberError as exc:
        raise TargetError(original, str(exc)) from exc


def parse_target(text: str | None, polarity: Polarity | str | None = None) -> Target:
    """Parse an Italian target text. ``polarity`` decides the operator of a bare value."""
    return _parse_cached(text, polarity)


@lru_cache(maxsize=8192)
def _parse_cached(text: str | None, polarity: Polarity | str | None) -> Target:
    # Targets are immutable and plans repeat the same texts: parse each text once.
    original = "" if text is None else str(text)
    pol = Polarity(polarity) if polarity else None
    clean = normalize_text(original)
    low = clean.lower()

    if low in _MONITORING:
        return Target(Kind.MONITORING)
    if low in _MILESTONE:
        return Target(Kind.MILESTONE)
    if m := _DEADLINE.match(clean):
        try:
            return Target(Kind.DEADLINE, deadline=parse_date(m["date"]))
        except NumberError as exc:
            raise TargetError(original, str(exc)) from exc
    if m := _PREVIOUS_YEAR.match(clean):
        return Target(Kind.RELATIVE, op=_OP_SPELLINGS[m["op"]], reference=PREVIOUS_YEAR)
    if m := _GAP.match(clean):
        value, decimals = _number(m["num"], original)
        unit = canonical_unit(m["unit"])
        if unit == "%":
            value = value / 100
        return Target(Kind.RELATIVE, op="=", value=float(value), unit=unit, decimals=decimals,
                      reference=_reference_name(m["ref"]))
    if m := _REFERENCE.match(clean):
        return Target(Kind.RELATIVE, op=_OP_SPELLINGS[m["op"]], reference=_reference_name(m["ref"]))
    if m := _COMPARISON.match(clean):
        number = m["num"].replace(" ", "")
        value, decimals = _number(number, original)
        unit = canonical_unit(m["unit"])
        op = _OP_SPELLINGS[m["op"]] if m["op"] else _bare_operator(value, pol)
        if unit == "%":
            value = value / 100
        return Target(Kind.COMPARISON, op=op, value=float(value), unit=unit, decimals=decimals)
    raise TargetError(original)


# --- formatting ------------------------------------------------------------------------

def _format_value(value: float, unit: str | None, decimals: int) -> str:
    if unit == "%":
        points = Decimal(repr(value)) * 100
        return f"{format_number(points, decimals)} %"
    text = format_number(value, decimals)
    return f"{text} {unit}" if unit else text


def format_target(target: Target) -> str:
    """The canonical Italian text of a target; ``parse_target`` reads it back equal."""
    match target.kind:
        case Kind.MONITORING:
            return "Monitoraggio"
        case Kind.MILESTONE:
            return "Sì"
        case Kind.DEADLINE:
            assert target.deadline is not None
            return f"Entro {format_date(target.deadline)}"
        case Kind.RELATIVE:
            if target.value is not None:
                gap = _format_value(target.value, target.unit, target.decimals)
                return f"scostamento max {gap} da {target.reference}"
            return f"{target.op} {target.reference}"
        case Kind.COMPARISON:
            assert target.value is not None
            return f"{target.op} {_format_value(target.value, target.unit, target.decimals)}"
    raise AssertionError(target.kind)
