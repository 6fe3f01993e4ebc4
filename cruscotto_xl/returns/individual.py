"""``consolida --individuali``: the individual scorecards that come back (docs/individual.md).

Each person's workbook is read with the guarded reader, checked (identity, locked cells,
sign-off) and refreshed in place: the organisational grades of its components come from
the consolidated master (the ente's, an area's, an office's or an objective's grade,
computed by :mod:`cruscotto_xl.core.structure` and the roll-up from the master's actuals)
and the cached values of its formulas are recomputed; nothing typed is touched. The scores
go to a separate «Punteggi individuali» workbook: personal data never enter the master,
office workbooks or the relazione.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.actuals import plan_with_typed
from ..core.model import Person, Plan
from ..core.problems import Location, Problem
from ..core.rollup import evaluate
from ..core.rules import valutazione
from ..core.scorecard import (
    OrgCell,
    Scorecard,
    find_person,
    org_cell,
    organisational_grade,
    person_plan,
    scorecard,
)
from ..core.tree import plan_for_year
from ..core.vocabulary import format_number
from ..io.atomic import KEEP_BACKUPS, replace_with_backup, write_atomically
from ..workbook import _Workbook, render_book
from ..workbook.cells import write_text
from ..workbook.layout import SHEET_SCORECARD, normalize_cell
from ..workbook.sheets.scorecard import ROLE_LABELS
from ..workbook.styles import Styles
from .consolidate import candidate_files, master_actuals
from .failures import BAD_FILE_ERRORS, internal_failure, refusal
from .integrity import identity_problems, integrity_problems, signoff_check
from .read import Reading, read_workbook
from .refresh import lock_files, patch_cells, patch_values, rewrite_sheets

RETURNED = "restituita"
NOT_RETURNED = "non restituita"
REFUSED = "rifiutata"
SUMMARY_SHEET = "Punteggi individuali"
DETAIL_SHEET = "Dettaglio"
PROBLEMS_SHEET = "Problemi"


@dataclass
class PersonResult:
    """One person of the plan: their returned workbook (if any) and score."""

    person: Person
    state: str
    file: str = ""
    card: Scorecard | None = None
    signoff: str = ""
    refreshed: bool = False
    backup: Path | None = None


@dataclass
class IndividualConsolidation:
    year: int
    period: str
    results: list[PersonResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    master: str = ""               # the master the organisational grades come from


def organisational_cells(master: Plan, person: Person, year: int, period: str
                         ) -> dict[int, OrgCell]:
    """The «Grado organizzativo» of each of ``person``'s components, from ``master`` (the
    plan with the master's actuals): the number, or why it is non valutabile."""
    root = evaluate(plan_for_year(master, year), year, period)
    return {k: org_cell(organisational_grade(master, person, comp, year, period, root))
            for k, comp in enumerate(person.components)}


def consolidate_individuals(directory: Path, plan: Plan, master_path: Path, *,
                            year: int | None = None, period: str | None = None,
                            exclude: set[Path] | None = None,
                            keep_backups: int = KEEP_BACKUPS) -> IndividualConsolidation:
    """Read every individual workbook of ``directory``, fill in its organisational grades
    from the master at ``master_path`` and grade each person (see the module)."""
    year = year or plan.year
    period = period or plan.period_dates[-1]
    master = master_actuals(plan, master_path, year)
    result = IndividualConsolidation(year, period, master=Path(master_path).name)
    files, notes = candidate_files(directory, {p.resolve() for p in (exclude or set())})
    result.problems += notes
    result.files = len(files)
    by_person: dict[str, PersonResult] = {}
    for path in files:
        outcome = _process(path, plan, master, year, period, keep_backups, result.problems)
        if outcome is None:
            continue
        code = outcome.person.code
        if code in by_person:
            result.problems.append(Problem(Location(file=path.name), f"seconda scheda di "
                                           f"{outcome.person.name} ({code}), dopo "
                                           f"{by_person[code].file}: ignorata"))
            continue
        by_person[code] = outcome
    for person in plan.people:
        found = by_person.get(person.code)
        if found is None:
            result.results.append(PersonResult(person, NOT_RETURNED))
            result.problems.append(Problem(Location(), f"scheda di {person.name} "
                                           f"({person.code}) non restituita", "avviso",
                                           person.code))
            continue
        result.results.append(found)
        if found.card is not None and found.card.missing:
            missing = found.card.missing
            names = ", ".join(f"«{p.name}» ({p.grade.reason})" for p in missing[:3]) + (
                f" e altre {len(missing) - 3} parti" if len(missing) > 3 else "")
            result.problems.append(Problem(Location(file=found.file, sheet=SHEET_SCORECARD),
                                           f"punteggio di {person.name} su "
                                           f"{format_number(found.card.weight_graded, 2)} "
                                           f"punti su 100: non valutabili {names}", "avviso",
                                           person.code))
    return result


def _process(path: Path, plan: Plan, master: Plan, year: int, period: str,
             keep_backups: int, problems: list[Problem]) -> PersonResult | None:
    """One returned file: its person's result, or None (refused or not a scorecard)."""
    where = Location(file=path.name)
    try:
        reading = read_workbook(path)
        ident = reading.identity
        if not ident.person:
            problems.append(Problem(where, "non è una scheda individuale: ignorata", "avviso"))
            return None
        wrong = identity_problems(reading, plan, year, period)
        if wrong:
            problems += wrong
            return None
        person = find_person(plan, ident.person)
        assert person is not None           # identity_problems checked it
        tampered = integrity_problems(reading, plan)
        signoff, signed = signoff_check(reading)
        problems += [*reading.problems, *tampered, *signed]
        org = organisational_cells(master, person, year, period)
        problems += _hand_changed(reading, org)
        card = _score(reading, plan, person, org, lenient=True)
        outcome = PersonResult(person, RETURNED, path.name, card, signoff)
        if tampered:
            problems.append(Problem(where, "scheda non aggiornata: dati bloccati modificati; "
                                           "rigenerarla con «cruscotto genera --individuali»"))
        elif locks := lock_files(path):
            problems.append(Problem(where, f"scheda non aggiornata: è aperta in Excel o "
                                           f"LibreOffice (c'è il file {locks[0].name})"))
        else:
            outcome.refreshed, outcome.backup = _refresh(reading, plan, person, org,
                                                         keep_backups)
        return outcome
    except BAD_FILE_ERRORS as exc:
        problems.append(refusal(path, exc))
    except Exception as exc:  # a bug of ours: logged, this file reported, the others go on
        problems.append(internal_failure(path, exc))
    return None


def _hand_changed(reading: Reading, org: dict[int, OrgCell]) -> list[Problem]:
    """An organisational grade cell that holds something else than the master's grade
    (typed by hand, or from an older master): reported, then replaced."""
    card = reading.scorecard
    if card is None:
        return []
    out = []
    for k, coord in card.org_cells.items():
        found, wanted = card.org.get(k), org.get(k)
        if found in (None, "") or normalize_cell(found) == normalize_cell(wanted):
            continue
        shown = _org_text(found if isinstance(found, int | float) else str(found))
        out.append(Problem(reading.where(SHEET_SCORECARD, coord),
                           f"grado organizzativo «{shown}» diverso da quello della cartella "
                           f"principale: sostituito con «{_org_text(wanted)}»", "avviso",
                           reading.identity.person or ""))
    return out


def _org_text(value: OrgCell) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value * 100, 2) + " %"
    return value or "vuoto"


def _score(reading: Reading, plan: Plan, person: Person, org: dict[int, OrgCell], *,
           lenient: bool) -> Scorecard:
    ident = reading.identity
    part = person_plan(plan, person.code, ident.year)
    typed = plan_with_typed(part, reading.typed(lenient=lenient), ident.year, ident.period,
                            raw=not lenient, replace_all=True)
    card = reading.scorecard
    behaviours = (card.behaviours if lenient else card.behaviours_raw) if card else []
    return scorecard(typed, org, behaviours, ident.year, ident.period)


def _refresh(reading: Reading, plan: Plan, person: Person, org: dict[int, OrgCell],
             keep_backups: int) -> tuple[bool, Path | None]:
    """Write the organisational grades and the formulas' new cached values into the file
    itself; every other byte stays (returns/refresh.py)."""
    ident = reading.identity
    part = person_plan(plan, person.code, ident.year)
    typed = plan_with_typed(part, reading.typed(lenient=False), ident.year, ident.period,
                            raw=True, replace_all=True)
    card = reading.scorecard
    book = render_book(typed, year=ident.year, period=ident.period, with_actuals=True,
                       person=person.code, org=org,
                       behaviours=list(card.behaviours_raw) if card else [])
    updates: dict[str, dict[str, object]] = {}
    for (sheet, coord), value in book.cached.items():
        updates.setdefault(sheet, {})[coord] = value
    if card is not None:
        for k, coord in card.org_cells.items():
            updates.setdefault(SHEET_SCORECARD, {})[coord] = org.get(k)

    def patch(data: bytes, values: dict[str, object]) -> tuple[bytes, int]:
        data, plain = patch_cells(data, values)        # the organisational grades
        data, formulas = patch_values(data, values)    # and the formulas' cached values
        return data, plain + formulas

    changed, _ = rewrite_sheets(reading.path, updates, patch)
    if changed is None:
        return False, None
    return True, replace_with_backup(changed, reading.path, keep_backups)


# --- the summary workbook ---------------------------------------------------------------

SUMMARY_HEADERS = ("Codice", "Nome", "Ruolo", "Struttura", "Valutatore", "Punteggio",
                   "Peso valutato", "Valutazione", "Parti non valutabili", "Firma", "File",
                   "Stato")
DETAIL_HEADERS = ("Codice persona", "Parte", "Codice", "Descrizione", "Peso",
                  "Grado organizzativo", "Grado", "Motivo")
PROBLEM_HEADERS = ("Gravità", "Dove", "Codice", "Messaggio")


def write_summary(result: IndividualConsolidation, plan: Plan, out: Path,
                  created: datetime | None = None) -> Path | None:
    """The «Punteggi individuali» workbook (written atomically; returns the backup of the
    file it replaced, if any)."""
    return write_atomically(out, lambda tmp: _write_summary(result, plan, tmp, created))


def _write_summary(result: IndividualConsolidation, plan: Plan, path: Path,
                   created: datetime | None) -> None:
    wb = _Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                               "strings_to_numbers": False, "in_memory": True})
    properties: dict[str, object] = {"title": f"Punteggi individuali {plan.entity} "
                                              f"{result.year}", "author": "cruscotto_xl"}
    if created is not None:
        properties["created"] = created
    wb.set_properties(properties)
    st = Styles(wb)
    bands = plan.policy.bands
    ws = wb.add_worksheet(SUMMARY_SHEET)
    write_text(ws, st, 0, 0, f"Punteggi individuali — {plan.entity} — {result.period}/"
                             f"{result.year}", "title")
    write_text(ws, st, 1, 0, f"Gradi organizzativi dalla cartella principale {result.master}. "
                             "Punteggio: media dei gradi pesata sulle parti valutate; «Peso "
                             "valutato»: punti valutati su 100 (definitivo quando è 100).",
               "label")
    for c, header in enumerate(SUMMARY_HEADERS):
        write_text(ws, st, 2, c, header, "header")
    for r, res in enumerate(result.results, 3):
        p, card = res.person, res.card
        texts = (p.code, p.name, ROLE_LABELS.get(p.role, p.role), p.structure, p.evaluator)
        for c, text in enumerate(texts):
            write_text(ws, st, r, c, text)
        if card is not None and card.score.value is not None:
            ws.write_number(r, 5, card.score.value, st.get("cell", "percentuale"))
        else:
            write_text(ws, st, r, 5, card.score.reason if card else "")
        if card is not None:
            ws.write_number(r, 6, card.weight_graded, st.get("cell", "peso"))
            write_text(ws, st, r, 7, valutazione(card.score, bands))
            write_text(ws, st, r, 8, ", ".join(part.name for part in card.missing))
        else:
            for c in (6, 7, 8):
                ws.write_blank(r, c, None, st.get("cell"))
        write_text(ws, st, r, 9, res.signoff)
        write_text(ws, st, r, 10, res.file)
        write_text(ws, st, r, 11, res.state)
    for c, width in enumerate((12, 24, 20, 14, 20, 11, 10, 16, 36, 18, 30, 14)):
        ws.set_column(c, c, width)
    ws.freeze_panes(3, 2)
    detail = wb.add_worksheet(DETAIL_SHEET)
    for c, header in enumerate(DETAIL_HEADERS):
        write_text(detail, st, 0, c, header, "header")
    r = 1
    for res in result.results:
        if res.card is None:
            continue
        for part in res.card.parts:
            write_text(detail, st, r, 0, res.person.code)
            write_text(detail, st, r, 1, part.kind)
            write_text(detail, st, r, 2, part.code)
            write_text(detail, st, r, 3, part.name)
            detail.write_number(r, 4, part.weight, st.get("cell", "peso"))
            if isinstance(part.org, int | float) and not isinstance(part.org, bool):
                detail.write_number(r, 5, part.org, st.get("cell", "percentuale"))
            else:
                write_text(detail, st, r, 5, part.org if isinstance(part.org, str) else "")
            if part.grade.value is not None:
                detail.write_number(r, 6, part.grade.value, st.get("cell", "percentuale"))
                write_text(detail, st, r, 7, "")
            else:
                write_text(detail, st, r, 6, "")
                write_text(detail, st, r, 7, part.grade.reason)
            r += 1
    for c, width in enumerate((14, 14, 8, 40, 9, 14, 11, 36)):
        detail.set_column(c, c, width)
    sheet = wb.add_worksheet(PROBLEMS_SHEET)
    for c, header in enumerate(PROBLEM_HEADERS):
        write_text(sheet, st, 0, c, header, "header")
    for r, problem in enumerate(result.problems, 1):
        write_text(sheet, st, r, 0, problem.severity)
        write_text(sheet, st, r, 1, str(problem.where))
        write_text(sheet, st, r, 2, problem.subject)
        write_text(sheet, st, r, 3, problem.message)
    for c, width in enumerate((10, 40, 14, 80)):
        sheet.set_column(c, c, width)
    wb.close()


__all__ = ["NOT_RETURNED", "REFUSED", "RETURNED", "IndividualConsolidation", "PersonResult",
           "consolidate_individuals", "organisational_cells", "write_summary"]
