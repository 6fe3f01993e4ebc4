"""The per-year cells of one row (``Target 2024``, ``Consuntivo 30/06/2024``, ``Stato 2023``,
``Modifica 2024`` …) as the plan fields they fill: targets, references, actuals, statuses and
the change log; and plan models built from cells with each refused field reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from ...core.model import FINAL_PERIOD, Actual, Baseline, Change, Status
from ...core.problems import Problem, Severity
from ...core.targets import Polarity
from ...core.vocabulary import NumberError
from ...io.planfile import error_message
from ..common import at_line, check_target
from .cells import (
    Cell,
    _actual_value,
    _date,
    _number,
    _reference,
    _target_text,
    show,
)
from .columns import ACTUAL_KEYS, CHANGE_KEYS, STATUS_KEYS, _period_order, header_key

_STATUS_WORDS = {"neutralizzato": "neutralizzato", "neutralizzata": "neutralizzato",
                 "sterilizzato": "neutralizzato", "sterilizzata": "neutralizzato",
                 "forzato": "forzato", "forzata": "forzato"}
_CHANGE_WORDS = {"inserito": "Inserito", "aggiornato": "Aggiornato", "eliminato": "Eliminato"}


_FIELD_LABELS = {
    "weight": "peso", "threshold": "soglia", "red_flag": "soglia rossa",
    "tolerance": "tolleranza", "published_grade": "grado pubblicato", "grade": "grado forzato",
    "note": "nota", "value": "consuntivo", "kind": "tipo", "action": "azione",
}


def parse_year_cells(cells: dict[tuple[str, int, str], tuple[Cell, str]], lineno: int,
                     code: str, problems: list[Problem],
                     polarity: Polarity | None = None) -> dict[str, Any]:
    """Targets, references, actuals, statuses and changes of one row's year columns.

    ``cells`` maps (key, year, period) to (cell, column header). Unreadable values are
    reported at ``lineno`` and left out (a target is kept as written, as the plan does).
    """
    def report(header: str, message: str, severity: Severity = "errore") -> None:
        problems.append(at_line(lineno, f"colonna «{header}»: {message}", severity, code))

    def value(key: str, year: int, period: str, parse: Callable[[Cell], Any]) -> Any:
        found = cells.get((key, year, period))
        if found is None:
            return None
        try:
            return parse(found[0])
        except NumberError as exc:
            report(found[1], str(exc))
            return None

    targets: dict[int, str] = {}
    baseline: Baseline | None = None   # from a «Baseline 2022» column (the latest year)
    period_targets: dict[int, dict[str, str]] = {}
    references: dict[int, float | None] = {}
    actuals: list[Actual] = []
    statuses: list[Status] = []
    changes: list[Change] = []
    for (key, year, period), (cell, header) in sorted(cells.items(), key=lambda kv: kv[0][1]):
        if key == "target":
            text = _target_text(cell)
            if period == FINAL_PERIOD:
                targets[year] = text
            else:
                period_targets.setdefault(year, {})[period] = text
            problems.extend(p for p in check_target(text, year, lineno, code, polarity)[1])
        elif key == "reference":
            try:
                references[year] = _reference(cell)
            except NumberError as exc:
                report(header, str(exc))
        elif key == "baseline":
            try:
                baseline = Baseline(valore=_number(cell), anno=year)
            except NumberError as exc:
                report(header, str(exc))

    for year, period in sorted({(y, p) for (k, y, p) in cells if k in ACTUAL_KEYS},
                               key=lambda yp: (yp[0], _period_order(yp[1]))):
        data: dict[str, Any] = {"year": year, "period": period}
        raw = cells.get(("value", year, period))
        if raw is not None:
            try:
                data["value"] = _actual_value(raw[0])
            except NumberError:
                data["text"] = _target_text(raw[0])
                report(raw[1], f"consuntivo «{show(raw[0])}» non è un numero, una data o Sì/No: "
                               f"conservato come testo (grado «valore non valido»)")
        data["numerator"] = value("num_value", year, period, _number)
        data["denominator"] = value("den_value", year, period, _number)
        data["published_grade"] = value("published", year, period, _number)
        note = cells.get(("note", year, period))
        data["note"] = _target_text(note[0]) if note else None
        actual = _model_or_report(Actual, data, problems, lineno, code)
        if actual is not None:
            actuals.append(actual)

    for year in sorted({y for (k, y, _) in cells if k in STATUS_KEYS}):
        kind_cell = cells.get(("status", year, FINAL_PERIOD))
        kind = _STATUS_WORDS.get(header_key(show(kind_cell[0]))) if kind_cell else None
        if kind is None:
            where = kind_cell[1] if kind_cell else f"Stato {year}"
            shown = f"«{show(kind_cell[0])}»" if kind_cell else "vuoto"
            report(where, f"stato {shown} non valido (scrivere neutralizzato o forzato): "
                          f"stato del {year} non importato")
            continue
        note_cell = cells.get(("status_note", year, FINAL_PERIOD))
        if note_cell is None:
            report(kind_cell[1], f"stato «{kind}» del {year} senza nota (obbligatoria): "
                                 f"non importato")
            continue
        ref = cells.get(("status_ref", year, FINAL_PERIOD))
        status = _model_or_report(Status, {
            "year": year, "kind": kind, "note": _target_text(note_cell[0]),
            "reference": _target_text(ref[0]) if ref else None,
            "grade": value("status_grade", year, FINAL_PERIOD, _number)}, problems, lineno, code)
        if status is not None:
            statuses.append(status)

    for year in sorted({y for (k, y, _) in cells if k in CHANGE_KEYS}):
        action_cell = cells.get(("change", year, FINAL_PERIOD))
        action = _CHANGE_WORDS.get(header_key(show(action_cell[0]))) if action_cell else None
        if action is None:
            where = action_cell[1] if action_cell else f"Modifica {year}"
            shown = f"«{show(action_cell[0])}»" if action_cell else "vuota"
            report(where, f"modifica {shown} non valida (scrivere Inserito, Aggiornato o "
                          f"Eliminato): modifica del {year} non importata")
            continue
        deliberation = cells.get(("change_deliberation", year, FINAL_PERIOD))
        note = cells.get(("change_note", year, FINAL_PERIOD))
        change = _model_or_report(Change, {
            "year": year, "action": action,
            "deliberation": _target_text(deliberation[0]) if deliberation else None,
            "when": value("change_date", year, FINAL_PERIOD, _date),
            "note": _target_text(note[0]) if note else None}, problems, lineno, code)
        if change is not None:
            changes.append(change)

    out: dict[str, Any] = {"baseline": baseline} if baseline is not None else {}
    for name, found in (("targets", targets), ("period_targets", period_targets),
                        ("references", references),
                        ("actuals", actuals), ("statuses", statuses), ("changes", changes)):
        if found:
            out[name] = found
    return out


def _model_or_report(cls: type[BaseModel], data: dict[str, Any], problems: list[Problem],
                     lineno: int, code: str) -> Any:
    """A model from ``data`` without the optional fields it refuses (each reported); None
    when a field it cannot do without is refused."""
    data = {k: v for k, v in data.items() if v is not None}
    while True:
        try:
            return cls(**data)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                problems.append(at_line(lineno, f"{_FIELD_LABELS.get(name, name)}: "
                                                f"{error_message(dict(err))}", subject=code))
                if name not in data or cls.model_fields[name].is_required():
                    return None
                data.pop(name)
