"""Import a strategic cruscotto ("PIRA": the plan of indicators attached to the budget).

The source is text converted from a PDF/Word table, in mixed markdown and HTML: one block per
strategic objective, each a heading with the objective's number and title (``**1 Title**``,
``**3** Title``, ``<b>5</b>\\t<b>Title</b>``), labelled fields and an indicator table::

    Ambito strategico (AS):            011 - Utenti, imprese e territorio
    Peso su AS:                        14,29%
    Risorse economiche:                283.500,00 €
    Prospettiva BSC:                   Utenti-imprese-territorio
    Missione: (ex D.M. 27/03/13)       Competitività e sviluppo imprese
    Programma: (ex D.M. 27/03/13)      Politiche di sviluppo, …
    Indicatori (100%)  <tab>  Target 2023  Target 2024  Target 2025  Target 2026
    14,28%  <tab>  name  <tab>  >= 13 N.  >= 20 N.  >= 22 N.  >= 25 N.

A label's value is on the same line or on the next one; two labels may share a line
(``Peso su AS:<tab>Risorse economiche:``) with their values on the next line in the same
order; the ambito line may come without its label. Targets are kept for the plan year and
the two that follow; the earlier column (last year's target) is not part of the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..checks import Problem, Severity
from ..model import Area, Indicator, Plan, StrategicObjective
from ..numbers import NumberError, parse_quantity
from ..targets import Kind, Target
from .common import (
    WEIGHT_RE,
    ImportFailed,
    ImportResult,
    at_line,
    by_line,
    cells_of,
    check_target,
    filled,
    is_rule_line,
    number_or_problem,
    parse_weight,
    polarity_of,
    read_lines,
    strip_markup,
)

ENTITY = "Camera di Commercio della Maremma e del Tirreno"
HORIZON = 3  # the plan year and the two that follow

_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+)$")
_BOLD = re.compile(r"\*\*|<b>|<strong>", re.IGNORECASE)
_OS_HEADING = re.compile(r"^(?P<num>\d{1,2})\.?\s+(?P<title>[A-Za-zÀ-ÿ].*)$")
_AMBITO = re.compile(r"^(?P<code>\d{3})\s*-\s*(?P<title>.+)$")
_TABLE = re.compile(r"^Indicatori\b", re.IGNORECASE)
_TARGET_COLUMN = re.compile(r"^Target(?:\s+(?P<year>\d{4}))?$", re.IGNORECASE)
_ROW = re.compile(rf"^(?P<weight>{WEIGHT_RE})(?:\s+(?P<name>\S.*))?$")

_LABELS = {
    "ambito": r"Ambito strategico(?:\s*\(AS\))?\s*:",
    "peso": r"Peso su AS\s*:",
    "risorse": r"Risorse economiche\s*:",
    "bsc": r"Prospettiva BSC\s*:",
    "missione": r"Missione\s*:(?:\s*\(ex D\.\s?M\.[^)]*\))?",
    "programma": r"Programma\s*:(?:\s*\(ex D\.\s?M\.[^)]*\))?",
}
_LABEL = re.compile("|".join(f"(?P<{key}>{rx})" for key, rx in _LABELS.items()),
                    re.IGNORECASE)
_FIELD_NAMES = {
    "ambito": "ambito strategico", "peso": "peso su AS", "risorse": "risorse economiche",
    "bsc": "prospettiva BSC", "missione": "missione", "programma": "programma",
}


@dataclass
class _Block:
    """One strategic objective while it is being read."""

    num: int
    title: str
    line: int
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    rows: list[tuple[str, str, list[str], int]] = field(default_factory=list)
    empty: dict[str, int] = field(default_factory=dict)  # labels found without a value
    years: list[int | None] | None = None


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.title: str | None = None
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.pending: list[tuple[str, int]] = []  # labels waiting for their value line
        self.in_table = False
        self.problems: list[Problem] = []

    def problem(self, lineno: int, message: str, severity: Severity = "errore") -> None:
        subject = f"{self.block.num:02d}" if self.block else ""
        self.problems.append(at_line(lineno, message, severity, subject))

    def drop_pending(self) -> None:
        """Labels whose value never came (reported when the objective is built)."""
        if self.block is not None:
            for key, lineno in self.pending:
                self.block.empty.setdefault(key, lineno)
        self.pending = []

    def set_field(self, key: str, value: str, lineno: int) -> None:
        assert self.block is not None
        if key in self.block.fields:
            self.problem(lineno, f"«{_FIELD_NAMES[key]}» ripetuto: vale il primo "
                                 f"(riga {self.block.fields[key][1]})", "avviso")
            return
        self.block.fields[key] = (value, lineno)

    def on_labels(self, text: str, lineno: int) -> bool:
        """A line of labels (with or without values); False when it is not one."""
        matches = list(_LABEL.finditer(text))
        if not matches or text[:matches[0].start()].strip():
            return False
        self.drop_pending()
        self.in_table = False
        for i, m in enumerate(matches):
            key = m.lastgroup
            assert key is not None
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = text[m.end():end].strip()
            if value:
                self.set_field(key, value, lineno)
            else:
                self.pending.append((key, lineno))
        return True

    def on_values(self, cells: list[str], lineno: int) -> None:
        values = filled(cells)
        keys, self.pending = self.pending[:len(values)], self.pending[len(values):]
        for (key, _), value in zip(keys, values, strict=False):
            self.set_field(key, value, lineno)
        extra = values[len(keys):]
        if extra and all(_TARGET_COLUMN.match(v) for v in extra):
            self.problem(lineno, f"intestazione di colonne fuori posto ignorata: "
                                 f"«{' | '.join(extra)}»", "avviso")
        elif extra:
            self.problem(lineno, f"celle in più ignorate: «{' | '.join(extra)}»", "avviso")

    def on_table(self, cells: list[str], lineno: int) -> None:
        assert self.block is not None
        self.drop_pending()
        columns = filled(cells[1:])
        years: list[int | None] = []
        for column in columns:
            m = _TARGET_COLUMN.match(column)
            if not m:
                self.problem(lineno, f"colonna «{column}» non riconosciuta (attesa «Target "
                                     f"AAAA»)")
                years.append(None)
            else:
                years.append(int(m["year"]) if m["year"] else None)
        # A "Target" column without a year sits between years: infer it from its neighbours.
        for i, y in enumerate(years):
            if y is None and _TARGET_COLUMN.match(columns[i]):
                after = next(((j, v) for j, v in enumerate(years) if j > i and v), None)
                before = next(((j, v) for j, v in reversed(list(enumerate(years)))
                               if j < i and v), None)
                if after:
                    years[i] = after[1] - (after[0] - i)
                elif before:
                    years[i] = before[1] + (i - before[0])
        self.block.years = years
        self.in_table = True

    def on_row(self, cells: list[str], lineno: int) -> bool:
        m = _ROW.match(cells[0])
        if not m:
            return False
        assert self.block is not None
        if m["name"]:
            name, targets = m["name"], cells[1:]
        else:
            name, targets = (cells[1] if len(cells) > 1 else ""), cells[2:]
        if not name:
            self.problem(lineno, "indicatore senza nome: non importato")
            return True
        self.block.rows.append((m["weight"], name, targets, lineno))
        return True

    def read(self) -> None:
        for lineno, raw in enumerate(self.lines, 1):
            bold = bool(_BOLD.search(raw))
            cells = cells_of(strip_markup(raw))
            content = filled(cells)
            if not content:
                continue
            text = " ".join(content)
            if is_rule_line(cells):
                continue
            if m := _HEADING.match(text):
                if self.title is None:
                    self.title = m["title"]
                else:
                    self.problem(lineno, f"titolo ignorato: «{m['title']}»", "avviso")
                continue
            if bold and (m := _OS_HEADING.match(text)):
                self.drop_pending()
                self.in_table = False
                self.block = _Block(int(m["num"]), m["title"], lineno)
                self.blocks.append(self.block)
                continue
            if self.block is None:
                self.problem(lineno, f"riga prima del primo obiettivo, non importata: «{text}»")
                continue
            if _TABLE.match(content[0]):
                self.on_table(cells, lineno)
                continue
            if self.on_labels("\t".join(content), lineno):
                continue
            if self.in_table and self.on_row(cells, lineno):
                continue
            if _AMBITO.match(content[0]) and "ambito" not in self.block.fields:
                self.pending = [p for p in self.pending if p[0] != "ambito"]
                self.set_field("ambito", content[0], lineno)
                if len(content) > 1:
                    self.problem(lineno, f"celle in più ignorate: «{' | '.join(content[1:])}»",
                                 "avviso")
                continue
            if self.pending:
                self.on_values(cells, lineno)
                continue
            self.problem(lineno, f"riga non riconosciuta, non importata: «{' | '.join(content)}»")
        self.drop_pending()


def _value(fields: dict[str, tuple[str, int]], key: str) -> str | None:
    return fields[key][0] if key in fields else None


def _build(reader: _Reader, year: int) -> tuple[list[Area], list[Problem]]:
    problems: list[Problem] = []
    areas: list[Area] = []
    plan_years = list(range(year, year + HORIZON))
    seen: dict[str, int] = {}

    for block in reader.blocks:
        code = f"{block.num:02d}"
        if code in seen:
            problems.append(at_line(block.line, f"obiettivo {code} ripetuto (anche alla riga "
                                                f"{seen[code]})", subject=code))
        seen.setdefault(code, block.line)
        fields = block.fields

        for key in _LABELS:
            if key not in fields and key != "ambito":
                where = block.empty.get(key)
                message = (f"«{_FIELD_NAMES[key]}» senza valore" if where
                           else f"«{_FIELD_NAMES[key]}» non indicato")
                problems.append(at_line(where or block.line, f"obiettivo {code}: {message}",
                                        "avviso", code))

        weight = None
        if "peso" in fields:
            weight, found = number_or_problem(parse_weight, fields["peso"][0], fields["peso"][1],
                                              "peso su AS", code)
            problems += found
        resources = None
        if "risorse" in fields:
            value, lineno = fields["risorse"]
            try:
                amount, unit, _ = parse_quantity(value)
            except NumberError as exc:
                problems.append(at_line(lineno, f"risorse economiche: {exc}", subject=code))
            else:
                resources = amount
                if unit not in (None, "€"):
                    problems.append(at_line(lineno, f"risorse economiche in «{unit}», attesi "
                                                    f"euro", "avviso", code))

        objective = StrategicObjective(
            code=code, title=block.title, weight=weight, resources=resources,
            bsc=_value(fields, "bsc"), mission=_value(fields, "missione"),
            programme=_value(fields, "programma"),
        )
        objective.indicators.extend(_indicators(block, code, plan_years, problems))

        ambito = fields.get("ambito")
        m = _AMBITO.match(ambito[0]) if ambito else None
        if ambito and not m:
            problems.append(at_line(ambito[1], f"ambito strategico «{ambito[0]}» non "
                                               f"riconosciuto (atteso «011 - Titolo»)",
                                    subject=code))
        if m:
            area_code, area_title = m["code"], m["title"]
        else:
            if not ambito:
                where = block.empty.get("ambito", block.line)
                problems.append(at_line(where, f"obiettivo {code} senza ambito strategico: "
                                               f"messo nell'ambito 000", subject=code))
            area_code, area_title = "000", "Ambito non indicato"
        area = next((a for a in areas if a.code == area_code), None)
        if area is None:
            area = Area(code=area_code, title=area_title)
            areas.append(area)
        elif area.title != area_title:
            problems.append(at_line(ambito[1] if ambito else block.line,
                                    f"ambito {area_code} con titolo diverso: «{area_title}» "
                                    f"invece di «{area.title}»", "avviso", code))
        area.objectives.append(objective)
    return areas, problems


def _indicators(block: _Block, os_code: str, plan_years: list[int],
                problems: list[Problem]) -> list[Indicator]:
    if block.years is None:
        if block.rows:
            problems.append(at_line(block.rows[0][3], "indicatori senza la riga di intestazione "
                                                      "«Indicatori … Target AAAA»: non importati",
                                    subject=os_code))
        else:
            problems.append(at_line(block.line, f"obiettivo {os_code} senza tabella degli "
                                                f"indicatori", "avviso", os_code))
        return []
    missing = [y for y in plan_years if y not in block.years]
    if missing:
        problems.append(at_line(block.line, f"obiettivo {os_code}: nessuna colonna target per "
                                            f"{', '.join(map(str, missing))}", "avviso", os_code))
    out = []
    for n, (weight_text, name, cells, lineno) in enumerate(block.rows, 1):
        code = f"S{os_code}_{n:02d}"
        weight, found = number_or_problem(parse_weight, weight_text, lineno, "peso", code)
        problems += found
        if len(cells) > len(block.years) and any(cells[len(block.years):]):
            problems.append(at_line(lineno, f"celle oltre le colonne dei target ignorate: "
                                            f"«{' | '.join(filled(cells[len(block.years):]))}»",
                                    subject=code))
        targets: dict[int, str] = {}
        parsed: dict[int, tuple[str, Target]] = {}
        for year, text in zip(block.years, cells, strict=False):
            if year is None or not text:
                continue
            target, found = check_target(text, year, lineno, code)
            if year in plan_years:
                targets[year] = text
                problems += found
            if target is not None:
                parsed[year] = (text, target)
        # Unit and direction from the targets as written: the plan years first, then the
        # earlier column (``≥1`` in 2024 is ``>= 1 N.`` in 2023).
        order = [y for y in plan_years if y in parsed] + [y for y in parsed
                                                         if y not in plan_years]
        ordered = [parsed[y] for y in order]
        unit = next((t.unit for _, t in ordered if t.kind is Kind.COMPARISON and t.unit), None)
        polarity = next((p for p in (polarity_of(x, t) for x, t in ordered) if p), None)
        out.append(Indicator(code=code, name=name, weight=weight, unit=unit, polarity=polarity,
                             targets=targets))
    return out


def parse_pira(lines: list[str], source: Path | str = "<pira>", *, year: int = 2024,
               entity: str = ENTITY) -> ImportResult:
    """Import the lines of a PIRA strategic cruscotto (see the module docstring)."""
    reader = _Reader(lines)
    reader.read()
    if not reader.blocks:
        raise ImportFailed(source, [Problem("", "nessun obiettivo strategico trovato (attese "
                                                "righe come «**1 Titolo**»)"),
                                    *reader.problems])
    areas, problems = _build(reader, year)
    plan = Plan(entity=entity, year=year, target_years=list(range(year, year + HORIZON)),
                title=reader.title, areas=areas)
    all_problems = sorted(reader.problems + problems, key=by_line)
    return ImportResult(plan=plan, problems=all_problems, source=Path(source))


def import_pira(path: Path | str, year: int = 2024, *, entity: str = ENTITY) -> ImportResult:
    """Read a PIRA strategic cruscotto file for ``year`` (targets for it and the next two)."""
    lines, problems = read_lines(path)
    result = parse_pira(lines, path, year=year, entity=entity)
    result.problems[:0] = problems
    return result
