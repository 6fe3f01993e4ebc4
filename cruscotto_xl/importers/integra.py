"""Import an "Integra"-style export of operational objectives with indicators.

The export is a tab-separated text with one group row per level of the tree and then the
indicator rows of each operational objective::

    Obiettivi operativi con indicatori - Maremma e Tirreno dicembre 2023   (repeats per page)
    GRUPPO  AMBITO STRATEGICO  OBBIETTIVO STRATEGICO  …  GRADO RAGGIUNGIMENTO  VALUTAZIONE
    Maremma e Tirreno                                  ente
    BSC1 - Utenti-imprese-territorio                   BSC perspective of the next ambito
    011 - Utenti, imprese e territorio                 ambito strategico
    01 - Semplificazione Amministrativa …              obiettivo strategico
    01.01 - ARBITRATO: …                 100,00%       obiettivo operativo (+ its grade)
    100,00%  INDICATORE  ALGORITMO  46 N. / 47 N.  97,87 %  >= 70,00 %  100,00%

Columns are not aligned (each page has its own number of empty cells), so an indicator row
is read by its filled cells: PESO, INDICATORE, ALGORITMO, VALORI MISURE, CONSUNTIVO, TARGET,
GRADO RAGGIUNGIMENTO. The export is a year-end report: the consuntivo and the published grade
become the indicator's actual for the plan year.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.model import Actual, Area, Indicator, OperationalObjective, Plan, StrategicObjective
from ..core.problems import Location, Problem
from ..core.targets import Kind
from ..core.vocabulary import (
    NumberError,
    canonical_unit,
    counted,
    format_percent,
    normalize_text,
    parse_actual,
    parse_number,
    parse_quantity,
)
from .common import (
    WEIGHT_RE,
    ImportFailed,
    ImportResult,
    at_line,
    by_line,
    cells_of,
    check_target,
    entity_name,
    filled,
    number_or_problem,
    parse_weight,
    polarity_of,
    read_lines,
)

_TITLE = re.compile(r"^Obiettivi operativi con indicatori\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(20\d\d)\b")
_COLUMNS = re.compile(r"^GRUPPO$", re.IGNORECASE)
_BSC = re.compile(r"^BSC\s*\d+\s*-\s*(?P<title>.+)$", re.IGNORECASE)
_AMBITO = re.compile(r"^(?P<code>\d{3})\s+-\s+(?P<title>.+)$")
_OS = re.compile(r"^(?P<code>\d{2})\s+-\s+(?P<title>.+)$")
_OO = re.compile(r"^(?P<code>\d{2}\.\d{2})\s+-\s+(?P<title>.+)$")
_WEIGHT = re.compile(rf"^{WEIGHT_RE}$")
_SEPARATOR = " / "


class _Reader:
    """A one-pass reader: each line is a title, a group row, an indicator row, or a problem."""

    def __init__(self, lines: list[str], year: int | None) -> None:
        self.lines = lines
        self.year_arg = year
        self.year: int | None = None
        self.title: str | None = None
        self.entity_text: str | None = None
        self.bsc: tuple[str, int] | None = None  # perspective waiting for its ambito
        self.areas: list[Area] = []
        self.area: Area | None = None
        self.os: StrategicObjective | None = None
        self.oo: OperationalObjective | None = None
        self.problems: list[Problem] = []
        # The published grade of each OO: the model has no place for it, so it is checked
        # against its indicators' published grades instead of being dropped unseen.
        self.oo_grades: list[tuple[str, float, int]] = []
        # Targets and actuals are keyed by the plan year, known for sure only at the end.
        self.pending_actuals: list[tuple[Indicator, str, dict[str, object]]] = []

    # --- group rows ---------------------------------------------------------------

    def on_title(self, text: str, lineno: int) -> None:
        if self.title is not None:
            return  # the page header repeats on every page
        self.title = text
        years = _YEAR.findall(text)
        found = int(years[-1]) if years else None
        if self.year_arg is not None:
            self.year = self.year_arg
            if found is not None and found != self.year_arg:
                self.problems.append(at_line(
                    lineno, f"il titolo indica l'anno {found}, importato come {self.year_arg} "
                            f"come richiesto", "avviso"))
        else:
            self.year = found

    def on_bsc(self, title: str, lineno: int) -> None:
        if self.bsc is not None:
            self.problems.append(at_line(
                lineno, f"prospettiva BSC «{self.bsc[0]}» (riga {self.bsc[1]}) senza ambiti: "
                        f"ignorata", "avviso"))
        self.bsc = (title, lineno)

    def on_ambito(self, code: str, title: str, lineno: int) -> None:
        existing = next((a for a in self.areas if a.code == code), None)
        if existing is not None:
            self.area = existing
        else:
            bsc = self.bsc[0] if self.bsc else None
            if bsc is None:
                self.problems.append(at_line(
                    lineno, f"l'ambito {code} non è preceduto da una riga BSC propria: "
                            f"prospettiva BSC lasciata vuota (indicarla nel piano se nota)",
                    "avviso", code))
            self.area = Area(code=code, title=title, bsc=bsc)
            self.areas.append(self.area)
        self.bsc = None
        self.os = None
        self.oo = None

    def on_os(self, code: str, title: str, lineno: int) -> None:
        if self.area is None:
            self.problems.append(at_line(lineno, f"obiettivo strategico {code} fuori da un "
                                                 f"ambito: non importato", subject=code))
            self.os = None
            self.oo = None
            return
        existing = next((o for o in self.area.objectives if o.code == code), None)
        if existing is None:
            existing = StrategicObjective(code=code, title=title)
            self.area.objectives.append(existing)
        self.os = existing
        self.oo = None

    def on_oo(self, cells: list[str], lineno: int) -> None:
        m = _OO.match(cells[0])
        assert m is not None
        code, title = m["code"], m["title"]
        if self.os is None:
            self.problems.append(at_line(lineno, f"obiettivo operativo {code} fuori da un "
                                                 f"obiettivo strategico: non importato",
                                         subject=code))
            self.oo = None
            return
        if not code.startswith(self.os.code + "."):
            self.problems.append(at_line(
                lineno, f"l'obiettivo operativo {code} è sotto l'obiettivo strategico "
                        f"{self.os.code}: importato lì", "avviso", code))
        extra = cells[1:]
        if len(extra) > 1 or (extra and not _WEIGHT.match(extra[0])):
            self.problems.append(at_line(lineno, f"celle non riconosciute ignorate: "
                                                 f"{', '.join(extra)}", "avviso", code))
        elif extra:
            grade, found = number_or_problem(parse_number, extra[0], lineno,
                                             "grado dell'obiettivo operativo", code)
            self.problems += found
            if grade is not None:
                self.oo_grades.append((code, grade, lineno))
        existing = next((o for o in self.os.operational if o.code == code), None)
        if existing is None:
            existing = OperationalObjective(code=code, title=title)
            self.os.operational.append(existing)
        self.oo = existing

    # --- indicator rows -------------------------------------------------------------

    def on_indicator(self, cells: list[str], lineno: int) -> None:
        if self.oo is None:
            self.problems.append(at_line(lineno, "riga di indicatore fuori da un obiettivo "
                                                 f"operativo: non importata («{cells[1]}»)"))
            return
        code = f"{self.oo.code}_{len(self.oo.indicators) + 1:02d}"
        weight_text, *texts, measures, actual_text, target_text, grade_text = cells
        if len(texts) == 2:
            name, algorithm = texts
        elif len(texts) == 1:
            name, algorithm = texts[0], None
            self.problems.append(at_line(lineno, "algoritmo mancante", "avviso", code))
        else:
            self.problems.append(at_line(
                lineno, f"riga di indicatore con {counted(len(cells), 'cella', 'celle')} "
                        f"invece di 7: non importata "
                        f"({' | '.join(cells)})", subject=self.oo.code))
            return

        problems: list[Problem] = []
        weight, found = number_or_problem(parse_weight, weight_text, lineno, "peso", code)
        problems += found
        target, found = check_target(target_text, self.year or 0, lineno, code)
        problems += found
        value, found = number_or_problem(parse_actual, actual_text, lineno, "consuntivo", code)
        problems += found
        grade, found = number_or_problem(parse_number, grade_text, lineno,
                                         "grado di raggiungimento", code)
        problems += found

        numerator = denominator = None
        if _SEPARATOR in measures:
            parts = measures.split(_SEPARATOR)
            if len(parts) == 2:
                numerator, found = number_or_problem(lambda t: parse_quantity(t)[0], parts[0],
                                                     lineno, "valore del numeratore", code)
                problems += found
                denominator, found = number_or_problem(lambda t: parse_quantity(t)[0],
                                                       parts[1], lineno,
                                                       "valore del denominatore", code)
                problems += found
            else:
                problems.append(at_line(lineno, f"valori misure «{measures}» non leggibili "
                                                f"(attesi «numeratore / denominatore»)",
                                        subject=code))
        else:
            problems += number_or_problem(parse_actual, measures, lineno, "valori misure",
                                          code)[1]

        # Measure names: the two sides of the algorithm, when the row has two measures
        # (or none reported yet). "… (n. interventi / n. richieste)" with a single reported
        # value is a description, not a ratio to fill in.
        numerator_name = denominator_name = None
        if (algorithm and algorithm.count(_SEPARATOR) == 1
                and (_SEPARATOR in measures or not measures)):
            numerator_name, denominator_name = (s.strip() for s in algorithm.split(_SEPARATOR))

        unit = None
        polarity = None
        if target is not None and target.kind is Kind.COMPARISON:
            unit = target.unit
            polarity = polarity_of(target_text, target)
        if unit is None and (target is None or target.kind is not Kind.DEADLINE):
            try:
                unit = parse_quantity(actual_text)[1]
            except NumberError:
                unit = None

        indicator = Indicator(
            code=code, name=name, algorithm=algorithm, numerator=numerator_name,
            denominator=denominator_name, unit=canonical_unit(unit), weight=weight,
            polarity=polarity,
        )
        self.oo.indicators.append(indicator)
        self.pending_actuals.append((indicator, target_text, {
            "value": value, "numerator": numerator, "denominator": denominator,
            "published_grade": grade,
        }))
        self.problems += problems

    # --- the pass ---------------------------------------------------------------------

    def read(self) -> None:
        for lineno, line in enumerate(self.lines, 1):
            cells = filled(cells_of(line))
            if not cells:
                continue
            first = cells[0]
            if _TITLE.match(first):
                self.on_title(normalize_text(" ".join(cells)), lineno)
            elif _COLUMNS.match(first):
                continue
            elif _WEIGHT.match(first) and len(cells) >= 6:
                self.on_indicator(cells, lineno)
            elif _OO.match(first):
                self.on_oo(cells, lineno)
            elif len(cells) == 1 and (m := _BSC.match(first)):
                self.on_bsc(m["title"], lineno)
            elif len(cells) == 1 and (m := _AMBITO.match(first)):
                self.on_ambito(m["code"], m["title"], lineno)
            elif len(cells) == 1 and (m := _OS.match(first)):
                self.on_os(m["code"], m["title"], lineno)
            elif len(cells) == 1 and self.entity_text is None and not self.areas:
                self.entity_text = first
            else:
                self.problems.append(at_line(
                    lineno, f"riga non riconosciuta, non importata: «{' | '.join(cells)}»"))


def parse_integra(lines: list[str], source: Path | str = "<integra>", *, year: int | None = None,
                  entity: str | None = None) -> ImportResult:
    """Import the lines of an Integra export (see the module docstring)."""
    reader = _Reader(lines, year)
    reader.read()
    problems = reader.problems
    fatal: list[Problem] = []
    plan_year = year or reader.year
    if plan_year is None:
        fatal.append(Problem(Location(), "anno del piano non trovato: manca la riga «Obiettivi "
                                         "operativi con indicatori - … 2023» (indicare l'anno)"))
    name = entity or (entity_name(reader.entity_text) if reader.entity_text else None)
    if name is None:
        fatal.append(Problem(Location(), "ente non trovato: manca la riga del gruppo ente "
                                         "(indicare l'ente)"))
    if not reader.areas:
        fatal.append(Problem(Location(), "nessun ambito strategico trovato: non è un export "
                                         "degli obiettivi operativi"))
    if fatal:
        raise ImportFailed(source, fatal + problems)
    assert plan_year is not None and name is not None

    for indicator, target_text, data in reader.pending_actuals:
        if target_text:
            indicator.targets = {plan_year: target_text}
        indicator.actuals.append(Actual(year=plan_year, **data))
    plan = Plan(entity=name, year=plan_year, target_years=[plan_year], title=reader.title,
                areas=reader.areas)
    problems += _check_oo_grades(plan, reader.oo_grades)
    problems.sort(key=by_line)
    return ImportResult(plan=plan, problems=problems, source=Path(source))


def _check_oo_grades(plan: Plan, grades: list[tuple[str, float, int]]) -> list[Problem]:
    """An OO's published grade should be the weighted mean of its indicators' grades."""
    operational = {oo.code: oo for area in plan.areas for os_ in area.objectives
                   for oo in os_.operational}
    problems = []
    for code, grade, lineno in grades:
        oo = operational.get(code)
        if oo is None:
            continue
        pairs = [(i.weight, a.published_grade) for i in oo.indicators
                 if (a := i.actual_for(plan.year)) is not None]
        if not pairs or any(w is None or g is None for w, g in pairs):
            continue
        total = sum(w for w, _ in pairs if w is not None)
        if not total:
            continue
        mean = sum(w * g for w, g in pairs if w is not None and g is not None) / total
        if abs(mean - grade) > 0.00005:
            problems.append(at_line(
                lineno, f"grado pubblicato dell'obiettivo {format_percent(grade)} diverso dalla "
                        f"media pesata dei gradi dei suoi indicatori ({format_percent(mean)}); "
                        f"il grado dell'obiettivo non è conservato nel piano", "avviso", code))
    return problems


def import_integra(path: Path | str, *, year: int | None = None,
                   entity: str | None = None) -> ImportResult:
    """Read an Integra export file. ``year``/``entity`` override what the file says."""
    lines, problems = read_lines(path)
    result = parse_integra(lines, path, year=year, entity=entity)
    result.problems[:0] = problems
    return result
