"""Checks of the values an office typed, written twice: in Python and as a formula.

The ``Controlli`` sheet shows one outcome per indicator, computed by Excel formulas so an
office sees its mistakes without Python; ``ricalcola`` and ``controlla`` compute the same
outcome in Python. Both sides live here, next to each other, as in :mod:`rules`.
"""

from __future__ import annotations

from .rules import INVALID, MISSING, NO_EVENT, NO_REFERENCE, ActualInput
from .targets import Kind

OK = "OK"
MSG_MISSING = "Manca il consuntivo"
MSG_INVALID = "Consuntivo non valido per questo tipo di target"
MSG_NO_REFERENCE = "Manca il valore di riferimento"
MSG_NO_EVENT = "Manca la data dell'evento"
MSG_ZERO_DEN = "Denominatore uguale a zero"
MSG_NEGATIVE = "Numeratore o denominatore negativo"
MSG_PARTS = "Numeratore maggiore del denominatore"
MSG_MISMATCH = "Consuntivo diverso da numeratore/denominatore"
MSG_PERCENT = "Percentuale oltre 100 %: verificare"

MISMATCH_TOLERANCE = 0.005


def row_flags(unit: object, kind: object, target_value: object) -> tuple[bool, bool]:
    """(percent, target at most 100 %) of an indicator row, from its Unità, Tipo target and
    Valore target cells — the writer and the reader decide them from the same cells."""
    percent = unit == "%"
    at_most_100 = (kind == Kind.COMPARISON.value and isinstance(target_value, int | float)
                   and not isinstance(target_value, bool) and target_value <= 1)
    return percent, at_most_100


def _num(value: ActualInput) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def input_check(grade_cell: float | str, percent: bool, target_at_most_100: bool,
                actual: ActualInput, numerator: ActualInput, denominator: ActualInput,
                effective: ActualInput) -> str:
    """The outcome of the checks of one indicator row (first problem found, or ``OK``)."""
    if grade_cell == MISSING:
        return MSG_MISSING
    if grade_cell == INVALID:
        return MSG_INVALID
    if grade_cell == NO_REFERENCE:
        return MSG_NO_REFERENCE
    if grade_cell == NO_EVENT:
        return MSG_NO_EVENT
    n, d, a, e = _num(numerator), _num(denominator), _num(actual), _num(effective)
    if n is not None and d is not None:
        if d == 0:
            return MSG_ZERO_DEN
        if n < 0 or d < 0:
            return MSG_NEGATIVE
        if percent and n > d:
            return MSG_PARTS
        if a is not None and abs(a - n / d) > MISMATCH_TOLERANCE:
            return MSG_MISMATCH
    if percent and target_at_most_100 and e is not None and e > 1:
        return MSG_PERCENT
    return OK


def input_check_formula(grade: str, percent: bool, target_at_most_100: bool, actual: str,
                        numerator: str, denominator: str, effective: str) -> str:
    """:func:`input_check` as a formula; ``percent`` and the target bound are fixed per row."""
    both = f"AND(ISNUMBER({numerator}),ISNUMBER({denominator}))"
    parts = f'IF({numerator}>{denominator},"{MSG_PARTS}",' if percent else ""
    parts_end = ")" if percent else ""
    mismatch = (f'IF(AND(ISNUMBER({actual}),ABS({actual}-{numerator}/{denominator})>'
                f'{MISMATCH_TOLERANCE}),"{MSG_MISMATCH}",')
    tail = (f'IF(AND(ISNUMBER({effective}),{effective}>1),"{MSG_PERCENT}","{OK}")'
            if percent and target_at_most_100 else f'"{OK}"')
    measures = (f'IF({both},IF({denominator}=0,"{MSG_ZERO_DEN}",IF(OR({numerator}<0,'
                f'{denominator}<0),"{MSG_NEGATIVE}",{parts}{mismatch}{tail}){parts_end})),{tail})')
    return (f'=IF({grade}="{MISSING}","{MSG_MISSING}",IF({grade}="{INVALID}","{MSG_INVALID}",'
            f'IF({grade}="{NO_REFERENCE}","{MSG_NO_REFERENCE}",'
            f'IF({grade}="{NO_EVENT}","{MSG_NO_EVENT}",{measures}))))')


# --- a named measure's value (the Misure sheet) ------------------------------------------

MSG_MEASURE_MISSING = "Manca il valore della misura"
MSG_MEASURE_TEXT = "Valore della misura non numerico"
MSG_MEASURE_NEGATIVE = "Valore della misura negativo: l'unità non lo ammette"

#: Units of a count, a share, an amount or a duration: a measure in one of them is never
#: negative (compared without case, spaces and dots: «N.», «n», «Numero», «€», «gg»).
NON_NEGATIVE_UNITS = frozenset({"n", "nr", "num", "numero", "%", "€", "euro", "gg", "giorni",
                                "ore", "mesi", "anni", "unità", "persone", "pratiche"})


def forbids_negative(unit: str | None) -> bool:
    """Does a measure's unit forbid a negative value (a count, a share, an amount)?"""
    if unit is None:
        return False
    return unit.lower().replace(".", "").replace(" ", "") in NON_NEGATIVE_UNITS


def measure_check(value: ActualInput, non_negative: bool) -> str:
    """The outcome of the checks of one measure's value, as typed (first problem, or OK)."""
    if value is None or value == "":
        return MSG_MEASURE_MISSING
    number = _num(value)
    if number is None:
        return MSG_MEASURE_TEXT
    if non_negative and number < 0:
        return MSG_MEASURE_NEGATIVE
    return OK


def measure_check_formula(value: str, non_negative: bool) -> str:
    """:func:`measure_check` as a formula over the measure's cell."""
    negative = (f'IF({value}<0,"{MSG_MEASURE_NEGATIVE}","{OK}")' if non_negative
                else f'"{OK}"')
    return (f'=IF({value}="","{MSG_MEASURE_MISSING}",IF(ISNUMBER({value}),{negative},'
            f'"{MSG_MEASURE_TEXT}"))')
