"""Rows → plan: the plan block above the header, then the data rows one at a time (ambito,
objectives, indicator), then the columns decided at the end (extra fields)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ...core.model import (
    FINAL_PERIOD,
    Area,
    Baseline,
    Indicator,
    Office,
    OperationalObjective,
    Period,
    Plan,
    Policy,
    StrategicObjective,
    default_periods,
)
from ...core.problems import Location, Problem, Severity
from ...core.vocabulary import NumberError, canonical_unit, counted
from ...io.planfile import error_message
from ..common import ImportFailed, ImportResult, at_line, by_line
from .cells import (
    Cell,
    _amount,
    _blank,
    _date,
    _number,
    _offices,
    _plain,
    _polarity,
    _text,
    _weight,
    _year,
    _yes_no,
    number_text,
    show,
)
from .columns import (
    _HEADERS,
    _INDICATOR_KEYS,
    _LEVEL_KEYS,
    _LEVEL_NAMES,
    _LEVEL_OF_NAME,
    _MEASURE_KEYS,
    _PLAN_KEY,
    EXTRA_LEVELS,
    PLAN_LABELS,
    header_key,
    measure_columns,
)
from .header import Header, _parse_header
from .measures import TableMeasures
from .read import Grid, _header_of, read_grid
from .rows import _model_or_report, parse_year_cells


@dataclass


class _Level:
    """Where the attributes of an objective were first given (to report conflicts)."""

    first: dict[str, tuple[object, int]] = field(default_factory=dict)


@dataclass


class _Record:
    """A data row and the tree elements it named (for the columns decided at the end)."""

    lineno: int
    cells: list[Cell]
    area: Area
    os: StrategicObjective | None
    oo: OperationalObjective | None
    indicator: Indicator | None

    def element(self, level: str) -> BaseModel | None:
        """The element of ``level`` this row gives a value to (None: the row has none)."""
        owner = self.oo or self.os
        return {"area": self.area, "os": self.os, "oo": self.oo, "objective": owner,
                "indicator": self.indicator or owner or self.area}[level]


#: Headers of a description whose level the values decide (``Descrizione``).
_BARE_DESCRIPTIONS = {"descrizione", "descrizione obiettivo", "descrizione obbiettivo"}


def _values(n: int) -> str:
    return counted(n, "valore", "valori")


def _level_by_words(text: str) -> str | None:
    words = set(header_key(text).split())
    return next((level for level, (names, _, _) in EXTRA_LEVELS.items()
                 if words & set(names)), None)


def _level_by_values(records: list[_Record], i: int) -> str:
    """The highest level at which column ``i`` never varies inside one element, and varies
    among the elements just below it in at least one (so there is evidence it belongs
    there): ambito, then strategic objective, then the objective that owns the row's
    indicator; otherwise the indicator (docs/tabella.md, «Colonne in più»)."""
    def value(r: _Record) -> str:
        return show(r.cells[i]) if i < len(r.cells) and not _blank(r.cells[i]) else ""

    def unit(r: _Record, level: str) -> object:
        element = r.element(level)
        return id(element) if element is not None else ("riga", r.lineno)

    below = {"area": "os", "os": "objective"}
    for level in ("area", "os", "objective"):
        groups: dict[object, set[str]] = {}
        parts: dict[object, set[object]] = {}
        for r in records:
            key = unit(r, level)
            groups.setdefault(key, set()).add(value(r))
            if value(r):
                sub = unit(r, below[level]) if level in below else \
                    (id(r.indicator) if r.indicator is not None else ("riga", r.lineno))
                parts.setdefault(key, set()).add(sub)
        if all(len(v) == 1 for v in groups.values()) and any(
                len(p) >= 2 for p in parts.values()):
            return level
    return "indicator"


class _Builder:
    """Turns the data rows into the plan tree, one row at a time."""

    def __init__(self, header: Header, year: int, problems: list[Problem],
                 measures: TableMeasures) -> None:
        self.h = header
        self.measures = measures
        self.year = year
        self.problems = problems
        self.areas: list[Area] = []
        self.by_key: dict[tuple[str, str, str], BaseModel] = {}
        self.where: dict[int, tuple[str, int]] = {}   # id(object) → (parent code, line)
        self.levels: dict[int, _Level] = {}
        self.prev: tuple[Area | None, StrategicObjective | None,
                         OperationalObjective | None] = (None, None, None)
        self.indicator_lines: dict[str, int] = {}
        self.os_count = 0
        self.columns_missing: set[str] = set()
        self.records: list[_Record] = []
        self.numeric_titles: set[str] = set()   # levels whose title column holds codes

    # --- helpers -----------------------------------------------------------------------

    def problem(self, lineno: int, message: str, severity: Severity = "errore",
                subject: str = "") -> None:
        self.problems.append(at_line(lineno, message, severity, subject))

    def cell(self, row: list[Cell], key: str) -> Cell:
        i = self.h.static.get(key)
        return row[i] if i is not None and i < len(row) else ""

    def convert(self, row: list[Cell], key: str, parse: Callable[[Cell], Any], lineno: int,
                subject: str) -> Any:
        """The parsed value of a cell, or None (blank, or unreadable and reported)."""
        cell = self.cell(row, key)
        if _blank(cell):
            return None
        try:
            return parse(cell)
        except NumberError as exc:
            self.problem(lineno, f"colonna «{self.h.name(key)}»: {exc}", subject=subject)
            return None

    def attribute(self, obj: BaseModel, attr: str, value: object, lineno: int, label: str,
                  subject: str) -> None:
        """Set an objective's attribute the first time; report a different later value."""
        if value is None or value == []:
            return
        level = self.levels.setdefault(id(obj), _Level())
        if attr in level.first:
            first, line = level.first[attr]
            if first != value:
                self.problem(lineno, f"«{label}» di «{subject}» diverso da quello della riga "
                                     f"{line} ({_shown(first)} invece di {_shown(value)}): vale "
                                     f"il primo", "avviso", subject)
            return
        level.first[attr] = (value, lineno)
        try:
            setattr(obj, attr, value)
        except ValidationError as exc:
            del level.first[attr]
            self.problem(lineno, f"«{label}»: {error_message(dict(exc.errors()[0]))}",
                         subject=subject)

    def generated(self, column: str, lineno: int, message: str, code: str) -> None:
        """A generated code: reported on its row, or once when the table has no such column."""
        if column in self.h.static:
            self.problem(lineno, message, "avviso", code)
        elif column not in self.columns_missing:
            self.columns_missing.add(column)
            self.problem(self.h.lineno, f"colonna «{_HEADERS[column]}» assente: codici assegnati "
                                        f"(es. «{code}»)", "avviso")

    def lookup(self, kind: str, code: str, title: str) -> BaseModel | None:
        """An objective met before: by code when the row gives one, else by title."""
        return self.by_key.get((kind, "code", code) if code else (kind, "title", title))

    def register(self, kind: str, obj: Any) -> None:
        self.by_key[(kind, "code", obj.code)] = obj
        self.by_key.setdefault((kind, "title", obj.title), obj)

    # --- levels -------------------------------------------------------------------------

    def objective(self, kind: str, parent: Any, code: str, title: str, lineno: int) -> Any:
        """The ambito / OS / OO a row names: met before (by code, else by title) or new."""
        name, label = _LEVEL_NAMES[kind]
        found = self.lookup(kind, code, title)
        if found is not None:
            home = self.where[id(found)]
            if parent is not None and home[0] != parent.code:
                self.problem(lineno, f"{name} «{found.code}» già sotto «{home[0]}» (riga "
                                     f"{home[1]}): resta lì", subject=found.code)
            self.attribute(found, "title", title or None, lineno, label, found.code)
            return found
        cls, siblings = {"area": (Area, self.areas),
                         "os": (StrategicObjective, getattr(parent, "objectives", None)),
                         "oo": (OperationalObjective, getattr(parent, "operational", None))}[kind]
        self.os_count += kind == "os"
        if not code:
            code = {"area": f"A{len(siblings) + 1:02d}", "os": f"{self.os_count:02d}",
                    "oo": f"{getattr(parent, 'code', '')}.{len(siblings) + 1:02d}"}[kind]
            self.generated(_LEVEL_KEYS[kind][0], lineno, f"{name} «{title}» senza codice: "
                                                         f"assegnato «{code}»", code)
        level = _Level({"title": (title, lineno)} if title else {})
        if not title:
            title = code
            self.problem(lineno, f"{name} «{code}» senza titolo: usato il codice", "avviso",
                         code)
        obj = cls(code=code, title=title)
        siblings.append(obj)
        self.register(kind, obj)
        self.where[id(obj)] = (parent.code if parent is not None else "", lineno)
        self.levels[id(obj)] = level
        return obj

    def unnamed_parent(self, kind: str, parent: Area | None, lineno: int, what: str) -> Any:
        """The ambito 000 / OS 00 of rows that name none (reported)."""
        columns = {"area": {"area_code", "area_title"}, "os": {"os_code", "os_title"}}[kind]
        # A table without ambito (or OS) columns has none: this one container holds it all.
        severity: Severity = "errore" if columns & set(self.h.static) else "avviso"
        code, title = ("000", "Ambito non indicato") if kind == "area" else (
            "00", "Obiettivo strategico non indicato")
        self.problem(lineno, f"{what} senza {_LEVEL_NAMES[kind][0]}: messo in «{code} "
                             f"{title}»", severity)
        return self.objective(kind, parent, code, title, lineno)

    # --- one row --------------------------------------------------------------------------

    def has_indicator(self, row: list[Cell]) -> bool:
        return (any(not _blank(self.cell(row, k)) for k in _INDICATOR_KEYS)
                or any(i < len(row) and not _blank(row[i]) for _, i in self.h.years))

    def numeric_title_columns(self, rows: list[tuple[int, list[Cell]]]) -> None:
        """Title columns that hold only numbers (``Ambito`` = 1, 2, 3) in a table without a
        code column for their level: the numbers are the codes (reported once)."""
        for level, (code_key, title_key) in _LEVEL_KEYS.items():
            if code_key in self.h.static or title_key not in self.h.static:
                continue
            values = [_text(self.cell(cells, title_key)) for _, cells in rows]
            values = [v for v in values if v]
            if values and all(_NUMERIC_CODE.fullmatch(v) for v in values):
                self.numeric_titles.add(level)
                label = _LEVEL_NAMES[level][1]
                shown = ", ".join(list(dict.fromkeys(values))[:10])
                self.problem(self.h.lineno, f"colonna «{self.h.name(title_key)}» con soli numeri "
                                            f"({shown}): letti come codici, titoli «{label} "
                                            f"{values[0]}»…; aggiungere una colonna con i "
                                            f"titoli", "avviso")

    def row(self, lineno: int, row: list[Cell]) -> None:
        names = {level: (_text(self.cell(row, c)), _text(self.cell(row, t)))
                 for level, (c, t) in _LEVEL_KEYS.items()}
        for level in self.numeric_titles:
            if names[level][1]:
                names[level] = (names[level][1], f"{_LEVEL_NAMES[level][1]} {names[level][1]}")
        given = {level: bool(c or t) for level, (c, t) in names.items()}
        has_indicator = self.has_indicator(row)
        extra = [show(row[i]) for i in range(self.h.width, len(row)) if not _blank(row[i])]
        if extra:
            self.problem(lineno, f"celle oltre l'ultima colonna ignorate: «{' | '.join(extra)}»")
        defines = any(not _blank(self.cell(row, k)) for k in _MEASURE_KEYS)
        if defines:
            self.measures.cells_of_row(lineno, _text(self.cell(row, "measures")),
                                       _text(self.cell(row, "measure_code")),
                                       _text(self.cell(row, "measure_name")),
                                       _text(self.cell(row, "code")))
        if not any(given.values()) and not has_indicator:
            if defines:
                return      # a row that only defines measures
            # Objective data with no objective named, or unknown columns only.
            stray = [show(c) for c in row[:self.h.width] if not _blank(c)]
            if stray:
                self.problem(lineno, f"riga senza ambito, obiettivo né indicatore: non "
                                     f"importata («{' | '.join(stray)}»)")
            return

        prev_area, prev_os, prev_oo = self.prev
        oo: OperationalObjective | None = None
        if not any(given.values()):
            area, os_, oo = prev_area, prev_os, prev_oo
            if area is None:
                area = self.unnamed_parent("area", None, lineno, "indicatore")
        else:
            if given["area"]:
                area = self.objective("area", None, *names["area"], lineno)
            elif prev_area is not None:
                area = prev_area
            else:
                area = self.unnamed_parent("area", None, lineno, "obiettivo")
            os_ = None
            if given["os"]:
                os_ = self.objective("os", area, *names["os"], lineno)
            elif area is prev_area:
                os_ = prev_os
            if given["oo"]:
                if os_ is None:
                    what = f"obiettivo operativo «{names['oo'][0] or names['oo'][1]}»"
                    os_ = self.unnamed_parent("os", area, lineno, what)
                oo = self.objective("oo", os_, *names["oo"], lineno)
        if os_ is None and has_indicator:
            os_ = self.unnamed_parent("os", area, lineno, "indicatore")
        self.level_attributes(row, lineno, area, os_, oo)
        self.prev = (area, os_, oo)
        indicator = None
        if has_indicator:
            assert os_ is not None
            owner = oo if oo is not None else os_
            indicator = self.indicator(row, lineno, owner)
            if indicator is not None:
                owner.indicators.append(indicator)
        self.records.append(_Record(lineno, row, area, os_, oo, indicator))

    def level_attributes(self, row: list[Cell], lineno: int, area: Area,
                         os_: StrategicObjective | None, oo: OperationalObjective | None) -> None:
        def put(obj: BaseModel, attr: str, key: str, parse: Callable[[Cell], Any],
                subject: str) -> None:
            value = self.convert(row, key, parse, lineno, subject)
            self.attribute(obj, attr, value, lineno, self.h.name(key), subject)

        put(area, "weight", "area_weight", _weight, area.code)
        put(area, "bsc", "area_bsc", _text, area.code)
        put(area, "description", "area_description", _text, area.code)
        if os_ is not None:
            for attr, key, parse in _OS_FIELDS:
                put(os_, attr, key, parse, os_.code)
        elif any(not _blank(self.cell(row, key)) for _, key, _ in _OS_FIELDS):
            self.problem(lineno, "dati di un obiettivo strategico senza l'obiettivo: ignorati")
        if oo is not None:
            for attr, key, parse in _OO_FIELDS:
                put(oo, attr, key, parse, oo.code)
        elif any(not _blank(self.cell(row, key)) for _, key, _ in _OO_FIELDS):
            self.problem(lineno, "dati di un obiettivo operativo senza l'obiettivo: ignorati")

    # --- the indicator ----------------------------------------------------------------------

    def indicator(self, row: list[Cell], lineno: int,
                  owner: StrategicObjective | OperationalObjective) -> Indicator:
        code = _text(self.cell(row, "code"))
        if not code:
            code = f"{owner.code}_{len(owner.indicators) + 1:02d}"
            self.generated("code", lineno, f"indicatore senza codice: assegnato «{code}»", code)
        if code in self.indicator_lines:
            self.problem(lineno, f"codice indicatore «{code}» ripetuto (anche alla riga "
                                 f"{self.indicator_lines[code]})", subject=code)
        self.indicator_lines.setdefault(code, lineno)
        name = _text(self.cell(row, "name"))
        if not name:
            name = code
            self.problem(lineno, "indicatore senza nome: usato il codice", subject=code)
        polarity = self.convert(row, "polarity", _polarity, lineno, code)
        data: dict[str, Any] = {
            "code": code, "name": name, "polarity": polarity,
            "weight": self.convert(row, "weight", _weight, lineno, code),
            "offices": _offices(self.cell(row, "offices")),
            "threshold": self.convert(row, "threshold", _number, lineno, code),
            "red_flag": self.convert(row, "red_flag", _number, lineno, code),
            "tolerance": self.convert(row, "tolerance", _number, lineno, code),
            "unit": canonical_unit(_text(self.cell(row, "unit"))),
        }
        for key in ("description", "algorithm", "numerator", "denominator", "kind", "source"):
            data[key] = _text(self.cell(row, key)) or None
        formula_text = _text(self.cell(row, "formula"))
        if formula_text:
            data["formula"] = self.measures.formula(formula_text, lineno, self.h.static["formula"],
                                                    self.h.name("formula"), code)
            if data["formula"] is None and not data["algorithm"]:
                data["algorithm"] = formula_text   # kept as text, reported by formula()
        data["to_confirm"] = self.convert(row, "to_confirm", _yes_no, lineno, code)
        data.update(parse_year_cells(self.year_cells(row), lineno, code, self.problems,
                                     polarity))
        baseline = self.baseline(row, lineno, code, data.pop("baseline", None))
        if baseline is not None:
            data["baseline"] = baseline
        return _model_or_report(Indicator, data, self.problems, lineno, code)

    def baseline(self, row: list[Cell], lineno: int, code: str,
                 from_year_column: Baseline | None) -> Baseline | None:
        """``Baseline`` and ``Anno baseline`` (or a ``Baseline 2022`` column)."""
        value = self.convert(row, "baseline", _number, lineno, code)
        year = self.convert(row, "baseline_year", _year, lineno, code)
        if value is None:
            if year is not None:
                self.problem(lineno, f"colonna «{self.h.name('baseline_year')}»: anno della "
                                     f"baseline senza il valore: ignorato", "avviso", code)
            return from_year_column
        if from_year_column is not None:
            self.problem(lineno, "baseline indicata due volte (colonna con l'anno e colonna "
                                 "«Baseline»): vale la colonna «Baseline»", "avviso", code)
        return Baseline(valore=value, anno=year)

    def keep_unknown(self, declared: dict[str, tuple[str, int]]) -> None:
        """Every named column the table does not know is kept on the plan: as an extra field
        (``altri_campi``, by its header) or, for a bare ``Descrizione``, as the description,
        at the level ``declared`` by a ``Colonna`` row, else named by the header's words,
        else read from the values (:func:`_level_by_values`)."""
        for i, text in sorted(self.h.ignored.items()):
            if not text:
                continue  # reported by Header.report_ignored
            filled = [r for r in self.records if i < len(r.cells) and not _blank(r.cells[i])]
            if not filled:
                self.problem(self.h.lineno, f"colonna «{text}» non riconosciuta e vuota: "
                                            f"ignorata", "avviso")
                continue
            if text in declared:
                level, how = declared[text][0], ""
            elif (by_words := _level_by_words(text)) is not None:
                level, how = by_words, "livello dal nome della colonna"
            else:
                level, how = _level_by_values(self.records, i), "livello dai valori"
            description = header_key(text) in _BARE_DESCRIPTIONS
            what = "come descrizione" if description else "come campo aggiuntivo"
            if how:
                self.problem(self.h.lineno, f"colonna «{text}» non riconosciuta: conservata "
                                            f"{what} {EXTRA_LEVELS[level][2]} "
                                            f"({_values(len(filled))}, {how}; vedi "
                                            f"docs/tabella.md)", "avviso")
            for r in filled:
                element = r.element(level)
                if element is None:
                    self.problem(r.lineno, f"colonna «{text}»: la riga non ha un "
                                           f"{EXTRA_LEVELS[level][1]}: valore «{show(r.cells[i])}» "
                                           f"non importato")
                    continue
                code = getattr(element, "code", "")
                if description:
                    self.attribute(element, "description", show(r.cells[i]), r.lineno, text,
                                   code)
                else:
                    self.extra(element, text, show(r.cells[i]), r.lineno, code)

    def extra(self, element: Any, header: str, value: str, lineno: int, subject: str) -> None:
        """An extra field: the first value counts, a different later one is reported."""
        level = self.levels.setdefault(id(element), _Level())
        key = f"altri_campi:{header}"
        if key in level.first:
            first, line = level.first[key]
            if first != value:
                self.problem(lineno, f"«{header}» di «{subject}» diverso da quello della riga "
                                     f"{line} ({_shown(first)} invece di {_shown(value)}): vale "
                                     f"il primo", "avviso", subject)
            return
        level.first[key] = (value, lineno)
        element.extra[header] = value

    def year_cells(self, row: list[Cell]) -> dict[tuple[str, int, str], tuple[Cell, str]]:
        out = {}
        for col, i in self.h.years:
            cell = row[i] if i < len(row) else ""
            if not _blank(cell):
                out[(col.key, col.year or self.year, col.period)] = (cell, self.h.name(col))
        return out


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "«" + "; ".join(map(str, value)) + "»"
    if isinstance(value, float):
        return f"«{number_text(value)}»"
    return f"«{value}»"


_NUMERIC_CODE = re.compile(r"\d+(?:\.\d+)*")

_OS_FIELDS: tuple[tuple[str, str, Callable[[Cell], Any]], ...] = (
    ("description", "os_description", _text), ("weight", "os_weight", _weight),
    ("resources", "os_resources", _amount), ("bsc", "os_bsc", _text),
    ("mission_code", "os_mission_code", _text), ("mission", "os_mission", _text),
    ("programme_code", "os_programme_code", _text), ("programme", "os_programme", _text),
    ("offices", "os_offices", _offices))
_OO_FIELDS: tuple[tuple[str, str, Callable[[Cell], Any]], ...] = (
    ("description", "oo_description", _text), ("weight", "oo_weight", _weight),
    ("resources", "oo_resources", _amount), ("offices", "oo_offices", _offices))


# --- the plan block ---------------------------------------------------------------------------

@dataclass


class _PlanBlock:
    values: dict[str, tuple[list[Cell], int]] = field(default_factory=dict)
    offices: list[Office] = field(default_factory=list)
    columns: dict[str, tuple[str, int]] = field(default_factory=dict)  # header → level, line


def _read_block(rows: list[tuple[int, list[Cell]]], problems: list[Problem]) -> _PlanBlock:
    block = _PlanBlock()
    for lineno, cells in rows:
        filled = [c for c in cells if not _blank(c)]
        if not filled:
            continue
        key = _PLAN_KEY.get(header_key(_plain(cells[0]))) if not _blank(cells[0]) else None
        values = [c for c in cells[1:]]
        while values and _blank(values[-1]):
            values.pop()
        if key is None:
            problems.append(at_line(lineno, f"riga prima dell'intestazione non riconosciuta: "
                                            f"ignorata («{' | '.join(map(show, filled))}»)",
                                    "avviso"))
        elif key == "office":
            texts = [_text(v) for v in values]
            if not texts or not texts[0]:
                problems.append(at_line(lineno, "riga «Ufficio» senza nome: ignorata"))
                continue
            office = _model_or_report(Office, {
                "name": texts[0], "email": (texts[1:2] or [None])[0] or None,
                "head": (texts[2:3] or [None])[0] or None}, problems, lineno, texts[0])
            if office is not None:
                block.offices.append(office)
        elif key == "column":
            texts = [_text(v) for v in values]
            level = _LEVEL_OF_NAME.get(header_key(texts[1])) if len(texts) > 1 else None
            if not texts or not texts[0] or level is None:
                problems.append(at_line(lineno, "riga «Colonna» da scrivere «Colonna; nome della "
                                                "colonna; livello» (ambito, obiettivo "
                                                "strategico, obiettivo operativo, obiettivo o "
                                                "indicatore): ignorata"))
                continue
            block.columns[texts[0]] = (level, lineno)
        elif key in block.values:
            problems.append(at_line(lineno, f"«{PLAN_LABELS[key]}» ripetuto: vale il primo "
                                            f"(riga {block.values[key][1]})", "avviso"))
        elif not values:
            problems.append(at_line(lineno, f"«{PLAN_LABELS[key]}» senza valore", "avviso"))
        else:
            block.values[key] = (values, lineno)
    return block


def _block_year(block: _PlanBlock, problems: list[Problem]) -> int | None:
    if "year" not in block.values:
        return None
    cells, lineno = block.values["year"]
    text = _plain(cells[0])
    if re.fullmatch(r"(?:19|20)\d\d", text):
        return int(text)
    problems.append(at_line(lineno, f"anno «{show(cells[0])}» non valido (atteso es. 2024)"))
    return None


def _plan_fields(block: _PlanBlock, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("entity", "id", "title", "deliberation"):
        if key in block.values:
            out[key] = _text(block.values[key][0][0])
    if "default_office" in block.values:
        out["default_office"] = _text(block.values["default_office"][0][0]) or None
    if "target_years" in block.values:
        cells, lineno = block.values["target_years"]
        years = [int(y) for y in re.findall(r"\d{4}", " ".join(_plain(c) for c in cells))]
        if years:
            out["target_years"] = years
        else:
            problems.append(at_line(lineno, "«Anni target» senza anni (es. 2024, 2025, 2026)"))
    if "periods" in block.values:
        cells, lineno = block.values["periods"]
        periods = _periods(" ; ".join(_text(c) for c in cells), lineno, problems)
        if periods:
            out["periods"] = periods
    if "deadline" in block.values:
        cells, lineno = block.values["deadline"]
        try:
            out["deadline"] = _date(cells[0])
        except NumberError as exc:
            problems.append(at_line(lineno, f"scadenza compilazione: {exc}"))
    if "policy" in block.values:
        cells, lineno = block.values["policy"]
        try:
            data = yaml.safe_load(_text(cells[0]))
            out["policy"] = Policy.model_validate(data)
        except yaml.YAMLError:
            problems.append(at_line(lineno, f"politica «{_text(cells[0])}» non leggibile (atteso "
                                            f"es. {{dato_mancante: zero}})"))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                problems.append(at_line(lineno, f"politica, {where}: "
                                                f"{error_message(dict(err))}"))
    return out


_PERIOD_SPLIT = re.compile(r"\s*(?:[;\n]|,\s*(?=\d{1,2}/\d{1,2}(?![/\d])))\s*")
_PERIOD_ITEM = re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})(?![/\d])\s*(?P<label>.*)$")
_PERIODS_EXAMPLE = "(atteso es. «30/06 intermedio; 31/12 finale»)"


def _periods(text: str, lineno: int, problems: list[Problem]) -> list[Period]:
    """``30/06 intermedio; 31/12 finale`` (or with commas) → the plan's monitoring periods.

    Anything unreadable is reported and no period is taken (the plan keeps the default).
    """
    def refuse(message: str) -> list[Period]:
        problems.append(at_line(lineno, f"periodi: {message} {_PERIODS_EXAMPLE}: usati "
                                        "i periodi predefiniti"))
        return []

    periods = []
    for item in (i for i in _PERIOD_SPLIT.split(text.strip()) if i):
        m = _PERIOD_ITEM.match(item)
        if m is None:
            return refuse(f"«{item}» non è un periodo gg/mm con il suo nome")
        date_text = f"{int(m['day']):02d}/{int(m['month']):02d}"
        try:
            periods.append(Period(data=date_text, nome=m["label"].strip() or date_text))
        except ValidationError as exc:
            return refuse(f"«{item}»: {error_message(dict(exc.errors()[0]))}")
    dates = [p.date for p in periods]
    if len(set(dates)) != len(dates):
        return refuse(f"periodi ripetuti ({', '.join(dates)})")
    if FINAL_PERIOD not in dates:
        return refuse(f"manca il periodo finale {FINAL_PERIOD}")
    return periods


def _periods_text(plan: Plan) -> str | None:
    """The Periodi cell of the plan block, or None for the default periods."""
    if [(p.date, p.label) for p in plan.periods] == \
            [(p.date, p.label) for p in default_periods()]:
        return None
    return "; ".join(f"{p.date} {p.label}" for p in plan.periods)


# --- import -----------------------------------------------------------------------------------

def import_table(path: Path | str, *, year: int | None = None,
                 entity: str | None = None) -> ImportResult:
    """Read a flat table (.xlsx or .csv) into a plan; ``year``/``entity`` override the file."""
    path = Path(path)
    return import_grid(read_grid(path), path, year=year, entity=entity)


def import_grid(grid: Grid, source: Path, *, year: int | None = None,
                entity: str | None = None) -> ImportResult:
    """:func:`import_table` on rows already read (``source`` names them in problems)."""
    at = _header_of(grid, source)
    problems = list(grid.problems)
    block = _read_block(grid.rows[:at], problems)
    header = _parse_header(*grid.rows[at], problems)

    fields = _plan_fields(block, problems)
    plan_year = _block_year(block, problems)
    if year is not None:
        if plan_year is not None and plan_year != year:
            problems.append(at_line(block.values["year"][1], f"la tabella indica l'anno "
                                                             f"{plan_year}, importata come {year} "
                                                             f"come richiesto", "avviso"))
        plan_year = year
    column_years = sorted(c.year for c, _ in header.years if c.year is not None)
    target_years = sorted(c.year for c, _ in header.years if c.year and c.key == "target")
    if plan_year is None and column_years:
        plan_year = (target_years or column_years)[0]
        problems.append(at_line(header.lineno, f"anno del piano non indicato: usato il "
                                               f"{plan_year} (dalle colonne)", "avviso"))
    name = entity or fields.pop("entity", None)
    fatal = []
    if plan_year is None:
        fatal.append(Problem(
            Location(), "anno del piano non trovato: aggiungere sopra l'intestazione "
                        "una riga «Anno; 2024» o indicare --anno"))
    if not name:
        fatal.append(Problem(
            Location(), "ente non trovato: aggiungere sopra l'intestazione una riga "
                        "«Ente; nome dell'ente» o indicare --ente"))
    if fatal:
        raise ImportFailed(source, fatal + problems)
    assert plan_year is not None
    fields.pop("entity", None)
    header.resolve_years(plan_year, problems)

    measures = TableMeasures(source, grid.sheet, problems)
    if grid.measures is not None:
        measures.read_table(grid.measures[1], grid.measures[2], grid.measures[0])
    rows = grid.rows[at + 1:]
    below = next((i for i, (_, cells) in enumerate(rows)
                  if measure_columns(cells) is not None), None)
    if below is not None:           # a table of measures below the indicators
        measures.read_table(rows, below)
        rows = rows[:below]
    builder = _Builder(header, plan_year, problems, measures)
    header_cells = [_plain(c) for c in grid.rows[at][1]]
    data = [(lineno, cells) for lineno, cells in rows
            if [_plain(c) for c in cells] != header_cells]  # a header repeated by a page break
    builder.numeric_title_columns(data)
    for lineno, cells in data:
        builder.row(lineno, cells)
    names = set(header.ignored.values())
    for text, (_, lineno) in block.columns.items():
        if text not in names:
            problems.append(at_line(lineno, f"riga «Colonna»: la tabella non ha una colonna "
                                            f"«{text}» (o è una colonna nota): ignorata",
                                    "avviso"))
    builder.keep_unknown(block.columns)
    header.report_ignored(rows, problems, letters=grid.sheet is not None, named=False)
    if "target_years" not in fields:
        fields["target_years"] = sorted(y for y in _target_years(builder.areas)
                                        if y >= plan_year) or [plan_year]
    plan = Plan(entity=name, year=plan_year, offices=block.offices, areas=builder.areas,
                measures=measures.measures(), **fields)
    problems.sort(key=by_line)
    return ImportResult(plan=plan, problems=problems, source=source)


def _target_years(areas: list[Area]) -> set[int]:
    return {year for area in areas for os_ in area.objectives
            for ind in [*os_.indicators, *(i for oo in os_.operational for i in oo.indicators)]
            for year in ind.targets}
