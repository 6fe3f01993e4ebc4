"""Import a strategic plan / PIRA / strategic cruscotto from a text extraction.

:func:`import_pira` reads the file, :mod:`.reader` finds the objectives, their fields
and their indicator rows whatever the extraction (see docs/importa-pira.md), and this
module turns what was found into a :class:`~cruscotto_xl.core.model.Plan`:

- the plan year is ``year`` when given, else the one the document states (the first year of
  the period in its title, else the year its approving act is about), else the first year
  of its target tables; the body is ``entity`` when given, else the one the document names;
- every target year of the document is kept as written (last year's too) and checked with
  the target grammar; a text it cannot read is an error on its line, never a number;
- Missione and Programma are matched against the list of D.M. 27/03/2013
  (:mod:`..vocabulary`) to get their codes;
- an indicator whose change log ends with *Eliminato* goes to the plan's removed indicators
  with its log;
- what could not be used is reported once per kind, with its lines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from ...core.model import (
    Area,
    Baseline,
    Change,
    Indicator,
    OperationalObjective,
    Person,
    Plan,
    RemovedIndicator,
    StrategicObjective,
)
from ...core.problems import Location, Problem
from ...core.targets import Kind, Target
from ...core.tree import UNOWNED, ownership
from ...core.vocabulary import (
    NumberError,
    canonical_unit,
    counted,
    normalize_text,
    parse_decimal_it,
    parse_quantity,
)
from ..changelog import plan_year_of
from ..common import (
    ImportFailed,
    ImportResult,
    at_line,
    at_lines,
    by_line,
    check_target,
    number_or_problem,
    parse_weight,
    polarity_of,
    read_text,
)
from ..measures import MeasureBook, NotUnderstood, names_codes, read_algorithm
from ..vocabulary import Mission, match_mission, match_programme, mission_by_code
from .document import Document, IndicatorRecord, ObjectiveBlock, OperationalRow
from .orgchart import read_orgchart
from .people import read_people
from .reader import FIELD_NAMES, column_role, read_document, split_offices

NOT_A_PLAN = (
    "nessun obiettivo strategico riconosciuto: il testo non contiene righe di obiettivo "
    "(«1 Titolo», «OS_1.1 - Titolo (Peso: 20%)», «Obiettivo strategico 2: Titolo») seguite da "
    "una tabella di indicatori con i target per anno («Target 2024», «2024 2025 2026») o dai "
    "campi dell'obiettivo («Peso», «Risorse», «Missione»). Se il piano è una tabella con una "
    "riga per indicatore, esportarla in Excel o CSV e usare «cruscotto importa tabella»; se è "
    "un PDF, provare un'altra estrazione del testo (ad esempio «pdftotext -layout»)"
)


def import_pira(path: Path | str, year: int | None = None, *,
                entity: str | None = None) -> ImportResult:
    """Read a PIRA / strategic cruscotto text file (see the module docstring)."""
    text, problems = read_text(path)
    result = parse_pira(text, path, year=year, entity=entity)
    result.problems[:0] = problems
    return result


def parse_pira(text: str | list[str], source: Path | str = "<pira>", *,
               year: int | None = None, entity: str | None = None) -> ImportResult:
    """Import the text (or the lines) of a PIRA / strategic cruscotto."""
    if isinstance(text, list):
        text = "\n".join(text)
    doc = read_document(text, year)
    builder = _Builder(doc, source)
    plan = builder.plan(year, entity)
    return ImportResult(plan=plan, problems=sorted(builder.problems, key=by_line),
                        source=Path(source))


class _Builder:
    def __init__(self, doc: Document, source: Path | str) -> None:
        self.doc = doc
        self.source = source
        self.problems: list[Problem] = []
        self.guessed: dict[str, list[tuple[IndicatorRecord, str]]] = defaultdict(list)
        self.book = MeasureBook()
        self.renamed_lines: dict[str, list[int]] = defaultdict(list)

    def warn(self, line: int, message: str, subject: str = "") -> None:
        self.problems.append(at_line(line, message, "avviso", subject))

    def error(self, line: int, message: str, subject: str = "") -> None:
        self.problems.append(at_line(line, message, "errore", subject))

    # -- the plan ----------------------------------------------------------------------------

    def plan(self, year: int | None, entity: str | None) -> Plan:
        doc = self.doc
        if not any(b.level == "os" for b in doc.objectives):
            found = (f" (trovati {doc.candidates} titoli numerati e {doc.headers} intestazioni "
                     f"di target per anno, ma nessun obiettivo con la sua tabella)"
                     if doc.candidates or doc.headers else "")
            raise ImportFailed(self.source, [Problem(Location(), NOT_A_PLAN + found)])
        year = year if year is not None else self._year()
        name = entity or (doc.entity.text if doc.entity else None)
        if name is None:
            raise ImportFailed(self.source, [Problem(
                Location(), "il documento non nomina l'ente (nessuna riga come «Camera di "
                            "Commercio di …», «CCIAA …», «Comune di …», «Ente: …»): indicarlo "
                            "con --ente, ad esempio --ente \"Camera di Commercio di Lucca\"")])
        years = sorted({y for b in doc.objectives if b.header for y in b.header.years
                        if y is not None})
        plan = Plan(entity=name, year=year, target_years=years or [year],
                    title=doc.title.text if doc.title else None,
                    deliberation=doc.deliberation[0] if doc.deliberation else None)
        self._areas(plan)
        self._operational(plan)
        self._organisation(plan)
        self._document_problems(plan)
        self._measures(plan)
        return plan

    def _organisation(self, plan: Plan) -> None:
        """The areas and their services (from the operational tables) and the individual
        scorecards (docs/importa-pira.md, «Organisation and individual objectives»)."""
        # a copy: the ownership index is cached per plan object, and callers may still
        # change this plan in place (offices assigned after the import)
        owners = [o for o in ownership(plan.model_copy()).offices if o != UNOWNED]
        lines = [ln for s in self.doc.sections if s.kind == "operativo" for ln in s.lines]
        chart = read_orgchart(lines, owners)
        plan.structure = chart.structure(owners)
        self.problems += chart.problems
        for section in self.doc.sections:
            if section.kind != "individuale":
                continue
            found = read_people(section.lines, plan.year, plan.structure, owners)
            plan.people = [*plan.people, *found.people]
            self.problems += found.problems
            if found.people:
                roles = ", ".join(f"{n} {label}" for label, n in _role_counts(found.people))
                self.problems.append(Problem(
                    Location(span=(section.first, section.last)),
                    f"{len(found.people)} schede individuali importate ({roles}) in "
                    f"obiettivi_individuali: dati personali, non entrano nelle cartelle "
                    f"degli uffici né nella relazione; controllarne pesi e target", "avviso"))

    def _year(self) -> int:
        doc = self.doc
        if doc.period is not None:
            return doc.period[0]
        if doc.deliberation is not None:
            text, when, line = doc.deliberation
            year = plan_year_of(when)
            if year != when.year:
                self.warn(line, f"anno del piano {year} dedotto dall'atto «{text}» (un atto "
                                f"di fine anno approva il piano dell'anno dopo): usare --anno "
                                f"per indicarne un altro")
            return year
        first = min((y for b in self.doc.objectives if b.header for y in b.header.years
                     if y is not None), default=None)
        if first is None:
            raise ImportFailed(self.source, [Problem(
                Location(), "il documento non dice di che anno è il piano (nessun titolo con "
                            "il periodo, nessuna delibera datata, nessuna colonna di target per "
                            "anno): indicarlo con --anno")])
        line = next(b.header.line for b in self.doc.objectives if b.header)
        self.warn(line, f"anno del piano {first} preso dalla prima colonna dei target: usare "
                        f"--anno per indicarne un altro")
        return first

    # -- ambiti and objectives -----------------------------------------------------------------

    def _areas(self, plan: Plan) -> None:
        areas: dict[str, Area] = {}
        seen: dict[str, int] = {}
        without_area: list[ObjectiveBlock] = []
        strategic = [b for b in self.doc.objectives if b.level == "os"]
        by_code_prefix = bool(strategic) and all(_area_number(b.code) for b in strategic) and \
            not any("ambito" in b.fields or b.area_heading for b in strategic)
        orphans: list[ObjectiveBlock] = []
        built: list[tuple[ObjectiveBlock, StrategicObjective]] = []
        last: StrategicObjective | None = None
        for n, block in enumerate(self.doc.objectives, 1):
            if block.level == "oo":
                parent = _parent(block.code, [o for a in areas.values() for o in a.objectives],
                                 last)
                if parent is None:
                    orphans.append(block)
                else:
                    parent.operational.append(self._operational_block(block, parent, plan))
                continue
            os_ = last = self._objective(block, plan)
            built.append((block, os_))
            if os_.code in seen:
                self.error(block.line, f"obiettivo {os_.code} ripetuto (anche alla riga "
                                       f"{seen[os_.code]}): codice cambiato in "
                                       f"{os_.code}-{n}", os_.code)
                os_.code = f"{os_.code}-{n}"
            seen.setdefault(os_.code, block.line)
            code, title = self._area_of(block, by_code_prefix, without_area)
            area = areas.get(code)
            if area is None:
                area = areas[code] = Area(code=code, title=title)
            elif area.title != title and "ambito" in block.fields:
                self.warn(block.fields["ambito"].line, f"ambito {code} con titolo diverso: "
                                                       f"«{title}» invece di «{area.title}»",
                          os_.code)
            area.objectives.append(os_)
        plan.areas = list(areas.values())
        for block, os_ in built:
            if not os_.indicators and not os_.operational and not block.indicators:
                self.warn(block.line, f"obiettivo {os_.code} senza indicatori né obiettivi "
                                      f"operativi", os_.code)
        if orphans:
            self.problems.append(at_lines(
                [b.line for b in orphans],
                counted(len(orphans), "obiettivo operativo", "obiettivi operativi")
                + " prima di ogni obiettivo strategico ("
                + ", ".join(b.code for b in orphans) + "): non importati; indicare a quale "
                "obiettivo strategico appartengono"))
        if by_code_prefix:
            self.warn(strategic[0].line, "il documento non nomina gli ambiti "
                      "strategici: obiettivi raggruppati per il primo numero del codice ("
                      + ", ".join(f"{a.code}: "
                                  f"{counted(len(a.objectives), 'obiettivo', 'obiettivi')}"
                                  for a in plan.areas) + "); dare i titoli agli ambiti nel piano")
        elif without_area:
            self.problems.append(at_lines(
                [b.line for b in without_area],
                f"ambito strategico non indicato per "
                f"{counted(len(without_area), 'obiettivo', 'obiettivi')} ("
                + ", ".join(_os_code(b.code) for b in without_area)
                + "): messi nell'ambito 000 «Ambito non indicato»; correggere nel piano",
                "avviso"))

    def _area_of(self, block: ObjectiveBlock, by_prefix: bool,
                 without: list[ObjectiveBlock]) -> tuple[str, str]:
        ambito = block.fields.get("ambito")
        if ambito is not None:
            m = re.match(r"^(?P<code>\d{1,3})\s*[-–]\s*(?P<title>.+)$", ambito.text)
            if m:
                return m["code"], m["title"].strip()
            return ambito.text, ambito.text
        if block.area_heading is not None:
            code, title = _coded(block.area_heading.text)
            return code or title, title
        if by_prefix:
            number = _area_number(block.code)
            assert number is not None
            return number, f"Area strategica {number}"
        without.append(block)
        return "000", "Ambito non indicato"

    def _objective(self, block: ObjectiveBlock, plan: Plan) -> StrategicObjective:
        code = _os_code(block.code)
        fields = block.fields
        weight = None
        if "peso" in fields:
            weight, found = number_or_problem(parse_weight, fields["peso"].text,
                                              fields["peso"].line, "peso", code)
            self.problems += found
        resources = None
        if "risorse" in fields:
            resources = self._amount(fields["risorse"].text, fields["risorse"].line, code)
        mission, programme = self._mission(block, code)
        os_ = StrategicObjective(
            code=code, title=block.title or code,
            description=fields["descrizione"].text if "descrizione" in fields else None,
            weight=weight, resources=resources,
            bsc=fields["bsc"].text if "bsc" in fields else None,
            mission=mission[1] if mission else None,
            mission_code=mission[0] if mission else None,
            programme=programme[1] if programme else None,
            programme_code=programme[0] if programme else None,
        )
        if "responsabile" in fields:
            os_.offices = split_offices(fields["responsabile"].text)
        os_.extra = {label: value.text for label, value in block.extra.items()}
        for key, line in block.empty_labels.items():
            self.warn(line, f"«{FIELD_NAMES[key]}» senza valore", code)
        for key, line, first in block.repeated:
            self.warn(line, f"«{FIELD_NAMES[key]}» ripetuto: vale il primo (riga {first})",
                      code)
        if block.leftovers:
            self._leftovers(block.leftovers, f"obiettivo {code}", code)
        self._indicators(block, os_, plan)
        return os_

    def _operational_block(self, block: ObjectiveBlock, parent: StrategicObjective,
                           plan: Plan) -> OperationalObjective:
        """An operational objective with its own heading and table (``Obiettivo operativo
        1.1.1 - …``), under the strategic objective its code or its place names."""
        code = block.code
        fields = block.fields
        weight = None
        if "peso" in fields:
            weight, found = number_or_problem(parse_weight, fields["peso"].text,
                                              fields["peso"].line, "peso", code)
            self.problems += found
        oo = OperationalObjective(
            code=code, title=block.title or code,
            description=fields["descrizione"].text if "descrizione" in fields else None,
            weight=weight,
            resources=self._amount(fields["risorse"].text, fields["risorse"].line, code)
            if "risorse" in fields else None,
            offices=split_offices(fields["responsabile"].text)
            if "responsabile" in fields else [],
        )
        oo.extra = {label: value.text for label, value in block.extra.items()}
        for key in ("bsc", "missione", "programma", "ambito"):
            if key in fields:
                oo.extra[FIELD_NAMES[key].capitalize()] = fields[key].text
        if block.leftovers:
            self._leftovers(block.leftovers, f"obiettivo operativo {code}", code)
        self._indicators(block, oo, plan)
        return oo

    def _amount(self, text: str, line: int, subject: str) -> float | None:
        clean = normalize_text(text)
        m = re.match(r"^(?:€\s*)?(?P<num>[+-]?\d[\d.]*(?:,\d+)?)\s*(?:€|euro|eur)?\.?$", clean,
                     re.IGNORECASE)
        if not m:
            self.error(line, f"risorse: «{text}» non è un importo (es. «283.500,00 €»)",
                       subject)
            return None
        try:
            return float(parse_decimal_it(m["num"]))
        except NumberError as exc:
            self.error(line, f"risorse: {exc}", subject)
            return None

    def _mission(self, block: ObjectiveBlock, subject: str
                 ) -> tuple[tuple[str | None, str] | None, tuple[str | None, str] | None]:
        """(code, name) of the mission and of the programme: the name repaired and the code
        given by the list of D.M. 27/03/2013 when the text is found there (a code written in
        the document must agree with the name); else as written, reported."""
        mission_text = block.fields.get("missione") or block.mission_heading
        programme_text = block.fields.get("programma") or block.programme_heading
        mission: Mission | None = None
        out_m: tuple[str | None, str] | None = None
        if mission_text is not None:
            code, name = _coded(mission_text.text)
            found = match_mission(name)
            if found is not None and (code is None or code.zfill(3) == found.code):
                mission = found
                out_m = (found.code, found.name)
            else:
                out_m = (code.zfill(3) if code else None, name)
                mission = mission_by_code(code) if code else None
                self.warn(mission_text.line, _not_listed("missione", mission_text.text, code,
                                                         found, mission), subject)
        out_p: tuple[str | None, str] | None = None
        if programme_text is not None:
            code, name = _coded(programme_text.text)
            found_p = match_programme(name, mission)
            if found_p is not None and (code is None or code.zfill(3) == found_p[1].code):
                out_p = (found_p[1].code, found_p[1].name)
                if out_m is None:
                    out_m = (found_p[0].code, found_p[0].name)
            else:
                out_p = (code.zfill(3) if code else None, name)
                self.warn(programme_text.line, _not_listed(
                    "programma", programme_text.text, code, found_p[1] if found_p else None,
                    None), subject)
        return out_m, out_p

    # -- indicators -------------------------------------------------------------------------

    def _indicators(self, block: ObjectiveBlock,
                    os_: StrategicObjective | OperationalObjective, plan: Plan) -> None:
        codes = {s.indicator.code for s in plan.indicators()} | {r.code for r in plan.removed}
        for area in plan.areas:
            for other in area.objectives:
                codes |= {i.code for i in other.indicators}
        guessed: dict[str, list[IndicatorRecord]] = defaultdict(list)
        for n, record in enumerate(block.indicators, 1):
            code = record.code or f"S{os_.code}_{n:02d}"
            if code in codes:
                self.error(record.line, f"codice indicatore «{code}» ripetuto: importato come "
                                        f"«{code}-{n}»", code)
                code = f"{code}-{n}"
            codes.add(code)
            indicator, changes = self._indicator(record, code, plan.year)
            if record.alignment in ("inizio", "fine"):
                guessed[record.alignment].append(record)
            if changes and _last_action(changes) == "Eliminato":
                plan.removed.append(RemovedIndicator(
                    codice=code, nome=indicator.name, obiettivo=os_.code, modifiche=changes,
                    ultimo_stato=indicator.model_copy(update={"changes": changes})))
                continue
            indicator.changes = changes
            os_.indicators.append(indicator)
        for how, records in guessed.items():
            self.guessed[how] += [(r, os_.code) for r in records]

    def _indicator(self, record: IndicatorRecord, code: str, year: int
                   ) -> tuple[Indicator, list[Change]]:
        name = record.name.strip()
        if not name:
            self.error(record.line, "indicatore senza nome: importato con il codice come nome",
                       code)
            name = code
        weight = None
        if record.weight is not None:
            weight, found = number_or_problem(parse_weight, record.weight.text,
                                              record.weight.line, "peso", code)
            self.problems += found
        if record.surplus:
            self.error(record.target_line or record.line,
                       f"più target che anni nella tabella: «{' | '.join(record.surplus)}» non "
                       f"importati", code)
        if not record.targets and not record.surplus:
            self.warn(record.line, "indicatore senza target: importato senza target "
                                   "(solo monitoraggio finché non si completano)", code)
        parsed: dict[int, tuple[str, Target]] = {}
        for target_year, text in record.targets.items():
            target, found = check_target(text, target_year, record.target_line or record.line,
                                         code)
            self.problems += found
            if target is not None:
                parsed[target_year] = (text, target)
        order = [y for y in sorted(parsed) if y >= year] + [y for y in sorted(parsed,
                                                                              reverse=True)
                                                             if y < year]
        ordered = [parsed[y] for y in order]
        unit = canonical_unit(record.unit) if record.unit else next(
            (t.unit for _, t in ordered if t.kind is Kind.COMPARISON and t.unit), None)
        polarity = next((p for p in (polarity_of(x, t) for x, t in ordered) if p), None)
        if record.leftovers:
            self._leftovers(record.leftovers, f"indicatore {code}", code)
        changes = []
        for note, line in record.changes:
            if note.year is None:
                self.warn(line, f"nota «{note.text}» senza data: riferita all'anno del piano "
                                f"{year}", code)
            changes.append(Change(anno=note.year or year, azione=note.action,
                                  delibera=note.deliberation, data=note.when,
                                  nota=f"nota {note.footnote} del documento"
                                  if note.footnote else None))
        extra = dict(record.extra)
        baseline = source = None
        baseline_year = _baseline_year(extra)
        for header, value in list(extra.items()):
            role = column_role(header)
            if role == "source":
                source = extra.pop(header)
            elif role == "baseline":
                dated = _DATED_VALUE.fullmatch(value.strip())
                try:
                    amount, _, _ = parse_quantity(dated["value"] if dated else value)
                except NumberError:
                    continue  # not a number («misurazione 2024»): kept as written
                year = int(dated["year"] or dated["year2"]) if dated else baseline_year
                baseline = Baseline(valore=amount, anno=year)
                extra.pop(header)
        if baseline is not None and baseline.year == baseline_year:
            extra = {h: v for h, v in extra.items() if column_role(h) != "baseline_year"}
        indicator = Indicator(
            code=code, name=name, description=record.description, algorithm=record.algorithm,
            numerator=record.numerator, denominator=record.denominator, unit=unit,
            kind=record.kind, weight=weight, offices=record.offices, polarity=polarity,
            targets=dict(sorted(record.targets.items())), source=source, baseline=baseline,
            extra=extra)
        self._formula(indicator, record.line)
        return indicator, changes

    # -- measures and formulas (docs/importa-pira.md, «Misure e formule») ---------------------

    def _formula(self, indicator: Indicator, line: int) -> None:
        """The indicator's formula over named measures, when its algorithm is written with
        measure codes; the measures join the plan's (one per code)."""
        text = indicator.algorithm
        if not text:
            return
        code = indicator.code
        try:
            found = read_algorithm(text)
        except NotUnderstood as exc:
            if names_codes(text):
                self.warn(line, f"indicatore {code}: algoritmo «{text}» non letto come formula "
                                f"sulle misure ({exc}): resta come testo; scrivere la formula "
                                f"nel piano (campo «formula») se serve", code)
            return
        conflicts = self.book.conflicts(found.measures)
        if conflicts:
            self.warn(line, f"indicatore {code}: formula non importata, " + "; ".join(conflicts)
                      + ": l'algoritmo resta come testo; dare codici diversi alle misure", code)
            return
        for differing in self.book.add(found.measures, f"indicatore {code}, riga {line}"):
            self.warn(line, differing, code)
        for item in found.measures:
            if item.written != item.code:
                self.renamed_lines[item.written].append(line)
        indicator.formula = found.formula
        indicator.numerator = indicator.denominator = None

    def _measures(self, plan: Plan) -> None:
        plan.measures = list(self.book.measures.values())
        renamed = self.book.renamed()
        if renamed:
            shown = ", ".join(f"«{w}» → «{c}»" for w, c in renamed.items())
            self.problems.append(at_lines(
                [n for w in renamed for n in self.renamed_lines[w]],
                f"codici di misura scritti con «-», «:» o «%», che in una formula sono "
                f"operatori: importati con «_» ({shown}); rinominarli nel piano se si "
                f"preferisce un altro codice", "avviso"))

    def _leftovers(self, leftovers, where: str, subject: str) -> None:
        shown = "; ".join(f"«{lo.text}»" for lo in leftovers[:3])
        more = f" e altre {len(leftovers) - 3}" if len(leftovers) > 3 else ""
        self.problems.append(at_lines(
            [lo.line for lo in leftovers],
            f"{where}: testo non attribuito a nessun campo, non importato: {shown}{more}",
            "avviso", subject))

    # -- operational rows (tables with columns) ----------------------------------------------

    def _operational(self, plan: Plan) -> None:
        rows = self.doc.operational
        if not rows:
            return
        objectives = [os_ for area in plan.areas for os_ in area.objectives]
        unplaced: list[OperationalRow] = []
        for row in rows:
            os_ = _find_objective(row.os_text, objectives)
            if os_ is None:
                unplaced.append(row)
                continue
            title = row.oo_title or row.indicator
            oo = next((o for o in os_.operational if o.title == title), None)
            if oo is None:
                oo = OperationalObjective(code=f"{os_.code}.{len(os_.operational) + 1:02d}",
                                          title=title, offices=row.offices)
                if row.programme:
                    oo.extra["Programma di intervento"] = row.programme
                os_.operational.append(oo)
            code = f"{oo.code}_{len(oo.indicators) + 1:02d}"
            target, found = check_target(row.target, plan.year, row.line, code)
            self.problems += found
            indicator = Indicator(code=code, name=row.indicator, offices=row.offices,
                                  targets={plan.year: row.target},
                                  polarity=polarity_of(row.target, target) if target else None)
            if row.area:
                indicator.extra["Area"] = row.area
            indicator.changes = [Change(anno=n.year or plan.year, azione=n.action,
                                        delibera=n.deliberation, data=n.when)
                                 for n, _ in row.changes]
            oo.indicators.append(indicator)
        if unplaced:
            self.problems.append(at_lines(
                [r.line for r in unplaced],
                f"{counted(len(unplaced), 'indicatore operativo', 'indicatori operativi')} "
                f"senza un obiettivo strategico "
                f"riconoscibile nella colonna «Obiettivi strategici» (es. "
                f"«{unplaced[0].os_text}»): non importati; indicare il numero o il titolo "
                f"dell'obiettivo strategico",
                "errore"))

    # -- what the document has besides the objectives ---------------------------------------------

    def _document_problems(self, plan: Plan) -> None:
        doc = self.doc
        for section in doc.sections:
            span = Location(span=(section.first, section.last))
            if section.kind == "preambolo":
                known = {x.line for x in (doc.title, doc.entity) if x} | (
                    {doc.deliberation[2]} if doc.deliberation else set())
                rest = [ln for ln in section.lines if ln.no not in known
                        and not re.match(r"^(?:MISSIONE|PROGRAMMA)\b", ln.text, re.IGNORECASE)]
                if rest:
                    self.problems.append(Problem(
                        span, f"{counted(len(rest), 'riga', 'righe')} prima del primo "
                              f"obiettivo (indice, mappa "
                              f"strategica, premessa) non importate", "avviso"))
            elif section.kind == "operativo" and not doc.operational:
                self.problems.append(Problem(
                    span, f"tabella degli obiettivi operativi non importata ({section.rows} "
                          f"righe con un target): nel testo estratto le colonne non sono "
                          f"separate e le celle unite (obiettivo strategico, programma, "
                          f"obiettivo operativo) sono stampate lontano dalle loro righe, quindi "
                          f"non si può dire a quale obiettivo appartiene ogni indicatore. "
                          f"Esportare la tabella in Excel o CSV e usare «cruscotto importa "
                          f"tabella», oppure copiarla dal documento con le celle separate da "
                          f"tabulazioni", "avviso"))
            elif section.kind == "individuale" and not plan.people:
                self.problems.append(Problem(
                    span, "obiettivi individuali (segretario generale, dirigenti, posizioni "
                          "organizzative) non importati: non fanno parte del piano della "
                          "performance organizzativa", "avviso"))
            elif section.kind == "risorse":
                self.problems.append(Problem(
                    span, f"«{section.title}»: risorse non attribuite agli obiettivi, non "
                          f"importate", "avviso"))
        if doc.side_labels:
            labels = ", ".join(f"«{lbl.text}»" for lbl in doc.side_labels[:4])
            self.problems.append(at_lines(
                [lbl.line for lbl in doc.side_labels],
                f"missioni stampate a margine delle pagine ({labels}) non attribuite agli "
                f"obiettivi: il testo non dice a quali si riferiscono; indicarle nel piano se "
                f"servono", "avviso"))
        self._missing_fields(plan)
        for how, records in self.guessed.items():
            where = ("ai primi anni della tabella (indicatori eliminati o con i target degli "
                     "anni successivi non ancora fissati)" if how == "inizio" else
                     "agli ultimi anni della tabella (indicatori inseriti dopo il primo anno)")
            codes = ", ".join(sorted({code for _, code in records}))
            self.problems.append(at_lines(
                [r.target_line or r.line for r, _ in records],
                f"{counted(len(records), 'indicatore', 'indicatori')} (obiettivi {codes}) "
                f"{'ha' if len(records) == 1 else 'hanno'} meno target degli anni "
                f"della tabella e il testo non ha colonne: target assegnati {where}; "
                f"controllare gli anni nel piano", "avviso"))

    def _missing_fields(self, plan: Plan) -> None:
        """A field that some objectives have and others lack (reported once per field)."""
        blocks = [b for b in self.doc.objectives if b.level == "os"]
        for key in ("peso", "risorse", "bsc", "missione", "programma"):
            having = [b for b in blocks if key in b.fields or key in b.empty_labels
                      or (key == "missione" and b.mission_heading)
                      or (key == "programma" and b.programme_heading)]
            lacking = [b for b in blocks if b not in having]
            if having and lacking:
                self.problems.append(at_lines(
                    [b.line for b in lacking],
                    f"«{FIELD_NAMES[key]}» non indicato per "
                    f"{counted(len(lacking), 'obiettivo', 'obiettivi')} ("
                    + ", ".join(_os_code(b.code) for b in lacking) + ")", "avviso"))


# --- helpers --------------------------------------------------------------------------------------

_ROLE_LABELS = {"segretario_generale": ("segretario generale", "segretari generali"),
                "dirigente": ("dirigente", "dirigenti"),
                "posizione_organizzativa": ("posizione organizzativa",
                                            "posizioni organizzative"),
                "dipendente": ("dipendente", "dipendenti")}


def _role_counts(people: list[Person]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for person in people:
        counts[person.role] = counts.get(person.role, 0) + 1
    return [(_ROLE_LABELS[role][0 if n == 1 else 1], n) for role, n in counts.items()]


#: A baseline written with its year: ``55 % (2022)``, ``55 % nel 2022``, ``2022: 55 %``.
_DATED_VALUE = re.compile(r"(?:(?P<year2>(?:19|20)\d\d)\s*[:=]\s*)?(?P<value>.+?)"
                          r"(?(year2)|\s*(?:\(|,|\bnel\b|\banno\b)\s*"
                          r"(?P<year>(?:19|20)\d\d)\)?)")


def _baseline_year(extra: dict[str, str]) -> int | None:
    """The year of an «Anno baseline» column, when it is one (else it stays an extra)."""
    for header, value in extra.items():
        if column_role(header) == "baseline_year" and re.fullmatch(r"(?:19|20)\d\d",
                                                                     value.strip()):
            return int(value.strip())
    return None


def _os_code(code: str) -> str:
    """``1`` → ``01`` (the numbered headings of a cruscotto); other codes as written."""
    return f"{int(code):02d}" if code.isdigit() else code


def _area_number(code: str) -> str | None:
    """``OS_1.2InnovazProces`` → ``1``, ``2.3`` → ``2``: the area in a dotted objective code."""
    m = re.match(r"^(?:OS|O\.S\.)?[ _.-]?(?P<area>\d{1,2})\.\d", code)
    return m["area"] if m else None


def _coded(text: str) -> tuple[str | None, str]:
    """``011 - Competitività…`` → (``011``, ``Competitività…``); a name alone → (None, name)."""
    m = re.match(r"^(?P<code>[A-Z]?\d{1,3}(?:\.\d{1,2})?|[A-Z])\s*[-–_]\s*(?P<name>.+)$",
                 normalize_text(text))
    if m:
        return m["code"], m["name"]
    return None, normalize_text(text)


def _not_listed(what: str, text: str, code: str | None, by_name, by_code) -> str:
    """Why a mission or programme is kept as written."""
    if by_name is not None and code:
        return (f"{what} «{text}»: il codice {code} non è quello che l'elenco del D.M. "
                f"27/03/2013 dà a «{by_name.name}» ({by_name.code}): tenuto come scritto, "
                f"controllare")
    if by_code is not None:
        return (f"{what} «{text}»: il nome non è quello del codice {by_code.code} nell'elenco "
                f"del D.M. 27/03/2013 («{by_code.name}»): tenuto come scritto, controllare")
    return f"{what} «{text}» non trovato nell'elenco del D.M. 27/03/2013: tenuto come scritto"


def _parent(code: str, objectives: list[StrategicObjective],
            last: StrategicObjective | None) -> StrategicObjective | None:
    """The strategic objective of an operational one: the one whose code starts its code
    (``1.1`` for ``1.1.2``, ``01`` for ``01.03``), else the one just before it."""
    digits = re.sub(r"^(?:OO|O\.O\.)[ _.-]?", "", code)
    for os_ in objectives:
        own = re.sub(r"^(?:OS|O\.S\.)[ _.-]?", "", os_.code)
        if digits.startswith(f"{own}.") or digits.startswith(f"{own.lstrip('0')}."):
            return os_
    return last


def _last_action(changes: list[Change]) -> str:
    ordered = sorted(enumerate(changes), key=lambda c: (c[1].year, c[1].when or c[1].year, c[0]))
    return ordered[-1][1].action


def _find_objective(text: str | None, objectives: list[StrategicObjective]
                    ) -> StrategicObjective | None:
    if not text:
        return None
    m = re.match(r"^\s*(?:OS\s*)?(?P<num>\d{1,2})\s*[.,)]", text)
    if m:
        code = f"{int(m['num']):02d}"
        found = next((o for o in objectives if o.code == code), None)
        if found:
            return found
    clean = normalize_text(text).lower()
    return next((o for o in objectives if o.title.lower() in clean or clean in o.title.lower()),
                None)


__all__ = ["NOT_A_PLAN", "import_pira", "parse_pira"]
