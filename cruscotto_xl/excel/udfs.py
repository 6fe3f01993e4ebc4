"""Worksheet functions (xlwings UDFs) that put the grading engine inside Excel.

Each function is a plain typed function decorated with ``@xw.func``; it normalizes what
Excel passes (numbers as floats, empty cells as None, ranges as lists, dates as floats or
datetimes), calls the core — no rule is written here — and returns a number, a row, or a
short Italian text instead of a traceback. They can be loaded today through the xlwings
add-in (``UDF Modules: cruscotto_xl.excel.udfs``); on Linux the decorators do nothing and the
functions are called directly (that is how they are tested).

Type hints must be keys of ``xlwings.conversion.accessors`` (xlwings turns each hint into a
converter): no ``X | Y`` unions, ``Optional`` or ``object``. A function returning a number or a
text is hinted ``Any``: xlwings writes what the value is at run time (a number or a text).
tests/excel/test_udfs_xlwings.py replays xlwings' Windows registration and call path.
Worksheet functions run only in Excel for Windows (xlwings UDFs are Windows-only).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import xlwings as xw
from pydantic import ValidationError

from ..core.model import Policy
from ..core.rollup import weighted_mean, weights_message
from ..core.rules import Grade, grade
from ..core.targets import TargetError, parse_target
from ..core.vocabulary import NumberError, counted, is_missing_text, parse_actual, parse_number
from ..io.planfile import error_message
from .port import as_block

CATEGORY = "Cruscotto"
ERROR = "Errore: "


def _flat(value: Any) -> list[Any]:
    return [v for row in as_block(value) for v in row]


def _actual(value: Any) -> Any:
    """A cell value as the engine wants it: None when empty, dates as dates, text read."""
    if value is None or (isinstance(value, str) and is_missing_text(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, bool | int | float | date):
        return value
    return parse_actual(str(value))


def _policy(text: Any) -> Policy:
    """``"dato_mancante=zero; minore_migliore=lineare"`` (the keys of a plan's politica)."""
    if text is None or str(text).strip() == "":
        return Policy()
    items: dict[str, str] = {}
    for part in str(text).replace(",", ";").split(";"):
        if part.strip():
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"politica «{part.strip()}»: scrivere chiave=valore")
            items[key.strip()] = value.strip()
    return Policy.model_validate(items)


def _shown(g: Grade) -> float | str:
    return g.value if g.value is not None else (g.reason or "non valutabile")


@xw.func(category=CATEGORY)
@xw.arg("consuntivo", doc="Valore rilevato: numero, percentuale, data o Sì/No")
@xw.arg("target", doc='Target del piano, es. ">= 70,00 %", "<= 10 gg", "Entro 31-12-2024"')
@xw.arg("politica", doc='Facoltativa, es. "dato_mancante=zero; minore_migliore=lineare"')
@xw.arg("riferimento", doc="Facoltativo: il valore di riferimento di un target relativo")
@xw.arg("data_evento", doc="Facoltativa: la data dell'evento da cui decorre un termine")
def grado(consuntivo: Any, target: Any, politica: Any = None, riferimento: Any = None,
          data_evento: Any = None) -> Any:
    """Grado di raggiungimento (da 0 a 1) di un consuntivo rispetto a un target."""
    try:
        parsed = parse_target("" if target is None else str(target))
        reference = _actual(riferimento)
        if reference is not None and not isinstance(reference, int | float):
            return ERROR + f"riferimento «{riferimento}» non numerico"
        return _shown(grade(_actual(consuntivo), parsed, _policy(politica),
                            reference=None if reference is None else float(reference),
                            event=_actual(data_evento)))
    except (TargetError, NumberError, ValueError, ValidationError) as exc:
        return ERROR + _first_line(exc)


@xw.func(category=CATEGORY)
@xw.arg("testo", doc='Testo del target, es. ">= 70,00 %"')
def target(testo: Any) -> Any:
    """Il target letto: tipo, operatore, valore (o scadenza), unità — una riga di 4 celle."""
    try:
        t = parse_target("" if testo is None else str(testo))
    except TargetError as exc:
        return ERROR + str(exc)
    value: Any = t.deadline if t.deadline is not None else t.value
    return [[t.kind.value, t.op or "", "" if value is None else value, t.unit or ""]]


def _weights(values: list[Any]) -> list[float | None]:
    """Weights as percent points; Excel percentages (14,28 % stored as 0.1428) are scaled."""
    weights: list[float | None] = []
    for v in values:
        if v is None or v == "":
            weights.append(None)
        else:
            weights.append(parse_number(v) if isinstance(v, str) else float(v))
    numbers = [w for w in weights if w is not None]
    if numbers and all(0 <= w <= 1 for w in numbers) and abs(sum(numbers) - 1) <= 0.0005:
        weights = [None if w is None else w * 100 for w in weights]
    return weights


@xw.func(category=CATEGORY)
@xw.arg("intervallo", doc="I pesi di un gruppo (in punti, 14,28, o come percentuale, 14,28%)")
def pesi(intervallo: Any) -> str:
    """«OK» se i pesi del gruppo sommano a 100 (± 0,05), altrimenti il problema."""
    try:
        values = [v for v in _flat(intervallo) if v is not None and v != ""]
        return weights_message(_weights(values)) or "OK"
    except (NumberError, ValueError) as exc:
        return ERROR + _first_line(exc)


@xw.func(category=CATEGORY)
@xw.arg("pesi", doc="I pesi degli elementi")
@xw.arg("gradi", doc="I loro gradi; testi e celle vuote sono «non valutabili» ed esclusi")
def media_pesata(pesi: Any, gradi: Any) -> Any:
    """Grado di un obiettivo: media dei gradi pesata, sui soli elementi valutabili."""
    try:
        weights = _weights(_flat(pesi))
        grades = _flat(gradi)
        if len(weights) != len(grades):
            return (ERROR + f"{counted(len(weights), 'peso', 'pesi')} e "
                    f"{counted(len(grades), 'grado', 'gradi')}: servono intervalli uguali")
        items = [(w or 0.0, Grade(float(g)) if isinstance(g, int | float)
                  and not isinstance(g, bool) else Grade(None, "non valutabile"))
                 for w, g in zip(weights, grades, strict=True)]
        return _shown(weighted_mean(items))
    except (NumberError, ValueError) as exc:
        return ERROR + _first_line(exc)


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"politica: {where}: {error_message(dict(err))}"
    return str(exc).splitlines()[0]
