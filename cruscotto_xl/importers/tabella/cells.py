"""What a cell of a table holds (text, number, percentage, date, Sì/No) and how it reads as
the value of a plan field; unreadable values raise :class:`NumberError` (reported by the
caller with their line and column)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from ...core.targets import Polarity
from ...core.vocabulary import (
    YES_WORDS,
    NumberError,
    format_date,
    format_number,
    is_missing_text,
    parse_actual,
    parse_date,
    parse_flag,
    parse_number,
    parse_quantity,
    yes_no_text,
)
from ..common import parse_weight
from .columns import _OFFICE_SPLIT, header_key


class Percent(float):
    """A number from a cell formatted as a percentage (Excel stores ``70%`` as 0.7)."""


Cell = str | float | bool | date


def _exact(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def number_text(value: float | Decimal, percent: bool = False) -> str:
    """Italian text of a number with exactly the decimals it needs (``14,28``, ``97,87 %``)."""
    exact = value if isinstance(value, Decimal) else _exact(value)
    if percent:
        exact *= 100
    exact = exact.normalize()
    decimals = max(0, -int(exact.as_tuple().exponent))
    text = format_number(exact, decimals, grouping=False)
    return f"{text} %" if percent else text


def show(cell: Cell) -> str:
    """A cell as a person reads it (for messages and for text fields)."""
    if isinstance(cell, bool):
        return yes_no_text(cell)
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y %H:%M")
    if isinstance(cell, date):
        return format_date(cell)
    if isinstance(cell, float):
        return number_text(cell, isinstance(cell, Percent))
    return cell


def _plain(cell: Cell) -> str:
    """A text field: numbers as typed (``1.01`` stays a code, not ``1,01``)."""
    if isinstance(cell, float) and not isinstance(cell, Percent | bool):
        return str(int(cell)) if cell.is_integer() else repr(float(cell))
    return show(cell)


def _blank(cell: Cell) -> bool:
    return cell == "" or cell is None


_POLARITY_WORDS = {
    "crescente": Polarity.INCREASING, "positivo": Polarity.INCREASING,
    "positiva": Polarity.INCREASING, "aumento": Polarity.INCREASING, "+": Polarity.INCREASING,
    "↑": Polarity.INCREASING, "maggiore e meglio": Polarity.INCREASING,
    "decrescente": Polarity.DECREASING, "negativo": Polarity.DECREASING,
    "negativa": Polarity.DECREASING, "diminuzione": Polarity.DECREASING,
    "-": Polarity.DECREASING, "↓": Polarity.DECREASING, "minore e meglio": Polarity.DECREASING,
}


def _text(cell: Cell) -> str:
    return _plain(cell).strip()


def _offices(cell: Cell) -> list[str]:
    return [o for o in _OFFICE_SPLIT.split(_text(cell)) if o]


def _weight(cell: Cell) -> float:
    if isinstance(cell, Percent):
        value = float(_exact(cell) * 100)
    elif isinstance(cell, float) and not isinstance(cell, bool):
        value = float(cell)
    else:
        return parse_weight(show(cell))
    if not 0 <= value <= 100:
        raise NumberError(f"«{show(cell)}» non è un peso tra 0 e 100")
    return value


def _number(cell: Cell) -> float:
    if isinstance(cell, float) and not isinstance(cell, bool):
        return float(cell)
    return parse_number(show(cell))


def _amount(cell: Cell) -> float:
    if isinstance(cell, float) and not isinstance(cell, bool):
        return float(cell)
    amount, unit, _ = parse_quantity(show(cell))
    if unit not in (None, "€"):
        raise NumberError(f"«{show(cell)}» non è un importo in euro")
    return amount


def _date(cell: Cell) -> date:
    if isinstance(cell, date):
        return cell.date() if isinstance(cell, datetime) else cell
    return parse_date(show(cell))


def _actual_value(cell: Cell) -> bool | float | date | None:
    if isinstance(cell, bool | date):
        return cell.date() if isinstance(cell, datetime) else cell
    if isinstance(cell, float):
        return float(cell)
    return parse_actual(cell)


def _target_text(cell: Cell) -> str:
    """A target as text: typed text as is; a number or date cell as Excel shows it."""
    return cell if isinstance(cell, str) else show(cell)


def _reference(cell: Cell) -> float | None:
    if isinstance(cell, str) and is_missing_text(cell):
        return None
    return _number(cell)


def _yes_no(cell: Cell) -> bool:
    """A flag cell (``da confermare``): a yes or no word, or the column's own name."""
    if isinstance(cell, bool):
        return cell
    if header_key(show(cell)) in ("da confermare", *(header_key(w) for w in YES_WORDS)):
        return True
    return parse_flag(show(cell))


def _year(cell: Cell) -> int:
    text = _plain(cell)
    if re.fullmatch(r"(?:19|20)\d\d", text):
        return int(text)
    raise NumberError(f"«{show(cell)}» non è un anno (es. 2022)")


def _polarity(cell: Cell) -> Polarity:
    word = header_key(show(cell)) or show(cell).strip()
    if word in _POLARITY_WORDS:
        return _POLARITY_WORDS[word]
    raise NumberError(f"«{show(cell)}» non è un verso (scrivere crescente o decrescente)")
