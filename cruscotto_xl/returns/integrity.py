"""Is a returned workbook the one that was sent? Identity and locked cells.

Identity: plan id, year, period, template version and office must be those expected.
Locked cells (targets, weights, statuses, formulas, summary) are compared one by one with
a render of the plan part in memory, so each change is reported with its sheet, cell,
column, expected and found content. Formulas are compared normalized (see
:func:`~cruscotto_xl.workbook.layout.normalize_formula`), so a re-save is not a change.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..core.actuals import carry_actuals
from ..core.model import Plan
from ..core.problems import Location, Problem
from ..core.scorecard import find_person, person_plan
from ..core.signoff import CHANGED, SIGNED, STATE_MESSAGES
from ..core.tree import known_offices, plan_part
from ..core.vocabulary import counted
from ..workbook import render_book
from ..workbook.book import Book
from ..workbook.layout import (
    INDICATOR_COLUMNS,
    SHEET_SCORECARD,
    SHEET_SIGNOFF,
    SHEET_SUMMARY,
    SUMMARY_COLUMNS,
    TEMPLATE_VERSION,
    col_index,
    normalize_cell,
    split_coordinate,
)
from ..workbook.sheets.measures import measure_cell
from ..workbook.sheets.meta import plan_digest
from ..workbook.sheets.scorecard import HEADERS as SCORECARD_HEADERS
from .failures import BAD_FILE_ERRORS, internal_failure, refusal
from .owed import owed_values
from .read import IndicatorValues, Reading, read_workbook

MAX_CELLS_REPORTED = 20


def identity_problems(reading: Reading, plan: Plan, year: int, period: str) -> list[Problem]:
    """Wrong plan, year, period, version or office: the workbook cannot be merged."""
    ident = reading.identity
    where = Location(file=reading.path.name)
    problems = []
    if ident.plan_id != plan.id:
        problems.append(Problem(where, f"cartella di un altro piano («{ident.plan_id}», atteso "
                                       f"«{plan.id}»)"))
    if ident.year != year:
        problems.append(Problem(where, f"cartella dell'anno {ident.year}, atteso {year}"))
    if ident.period != period:
        problems.append(Problem(where, f"cartella del periodo {ident.period}, atteso {period}"))
    if ident.version != TEMPLATE_VERSION:
        problems.append(Problem(where, f"versione del modello {ident.version}, attesa "
                                       f"{TEMPLATE_VERSION}: rigenerare la cartella"))
    if ident.office and ident.office not in known_offices(plan):
        problems.append(Problem(where, f"ufficio «{ident.office}» non presente nel piano"))
    if ident.person and find_person(plan, ident.person) is None:
        problems.append(Problem(where, f"scheda individuale di «{ident.person}», che non è "
                                       "tra gli obiettivi_individuali del piano"))
    return problems


def workbook_part(plan: Plan, reading: Reading) -> Plan:
    """The part of ``plan`` the workbook was made from: an office's, the whole plan's, or
    a person's (an individual scorecard, docs/individual.md)."""
    ident = reading.identity
    if ident.person:
        return person_plan(plan, ident.person, ident.year)
    return plan_part(plan, ident.office, ident.year)


def expected_book(reading: Reading, base: Plan) -> Book:
    """The render of ``base`` a returned workbook's locked cells are compared with (a
    person's scorecard with the organisational grades and scores the file holds: those
    are not locked data)."""
    ident = reading.identity
    card = reading.scorecard
    return render_book(base, year=ident.year, office=ident.office, period=ident.period,
                       person=ident.person,
                       org=dict(card.org) if card else None,
                       behaviours=list(card.behaviours_raw) if card else None)


def _column_label(sheet: str, coord: str) -> str:
    letters, _ = split_coordinate(coord)
    index = col_index(letters) - 1
    if sheet == SHEET_SCORECARD:
        return SCORECARD_HEADERS[index] if index < len(SCORECARD_HEADERS) else letters
    columns = SUMMARY_COLUMNS if sheet == SHEET_SUMMARY else INDICATOR_COLUMNS
    return columns[index].header if index < len(columns) else letters


def _shown(value: str) -> str:
    return "vuoto" if value == "" else (value if len(value) <= 60 else value[:57] + "…")


def locked_problems(reading: Reading, expected: Book) -> list[Problem]:
    """Every locked cell whose content differs from the render of the plan."""
    found = {(s, c): normalize_cell(v) for s, c, v in reading.locked}
    wanted = {(s, c): normalize_cell(v) for s, c, v in expected.locked}
    problems: list[Problem] = []
    for key in sorted(set(found) | set(wanted)):
        a, b = wanted.get(key, ""), found.get(key, "")
        if a == b:
            continue
        sheet, coord = key
        what = ("formula bloccata modificata" if a.startswith("=") or b.startswith("=")
                else "valore bloccato modificato")
        problems.append(Problem(reading.where(sheet, coord),
                                f"{what} ({_column_label(sheet, coord)}): "
                                f"atteso «{_shown(a)}», trovato «{_shown(b)}»"))
    if len(problems) > MAX_CELLS_REPORTED:
        extra = len(problems) - MAX_CELLS_REPORTED
        problems = problems[:MAX_CELLS_REPORTED]
        problems.append(Problem(Location(file=reading.path.name),
                                "… e " + counted(extra, "altra cella bloccata modificata",
                                                  "altre celle bloccate modificate")))
    return problems


def plan_is_stale(reading: Reading, plan: Plan, part: Plan | None = None) -> bool:
    """Was the workbook made from another version of ``plan`` (its office's part)?"""
    if part is None:
        part = workbook_part(plan, reading)
    return reading.identity.plan_digest != plan_digest(part)


def integrity_problems(reading: Reading, plan: Plan | None = None,
                       part: Plan | None = None) -> list[Problem]:
    """Locked cells against the plan (or, without one, against the plan the file carries).

    Cheap first: the recomputed hash against the stored one, and the stored digest of the
    plan part against the current plan's. Only a file that fails one is rendered and
    compared cell by cell, so every changed cell is named. ``part`` is the office's part
    of ``plan`` when the caller has it already.
    """
    ident = reading.identity
    stale = plan is not None and plan_is_stale(reading, plan, part)
    changed = not reading.hash_matches
    if not stale and not changed:
        return []
    embedded = reading.embedded_plan()
    # Other periods' values are the workbook's own (consolidated earlier): not tampering.
    base = embedded if plan is None else carry_actuals(plan, embedded,
                                                       skip=(ident.year, ident.period))
    expected = expected_book(reading, base)
    route_by_identity(reading, expected)
    problems = locked_problems(reading, expected)
    if stale and not changed:
        problems.insert(0, Problem(Location(file=reading.path.name), "cartella generata da una "
                                   "versione precedente del piano: rigenerarla"))
    return problems


def route_by_identity(reading: Reading, expected: Book) -> None:
    """Key each row's values by the indicator the workbook was generated with at that row,
    never by its code cell: a code cell changed in the file (locked, but protection has no
    password) would otherwise route an office's value into another indicator. The change
    itself is reported by :func:`locked_problems` (docs/security.md). Measures of the
    Misure sheet are keyed the same way, by the measure generated at their input cell."""
    identity = {(sheet.name, row.cell("code")): row.indicator.code
                for sheet in expected.sheets for row in sheet.rows}
    routed: dict[str, IndicatorValues] = {}
    for code, ind in reading.indicators.items():
        right = identity.get((ind.sheet, ind.cells["code"]), code)
        routed[right] = ind if right == code else replace(ind, code=right)
    reading.indicators = routed
    # the same for the Misure sheet: a measure's value is keyed by its input cell
    measure_identity = {measure_cell(m, absolute=False): m.measure.code
                        for m in expected.measures}
    reading.measures = {
        (right := measure_identity.get(m.cell, code)): (m if right == code
                                                        else replace(m, code=right))
        for code, m in reading.measures.items()}


def signoff_check(reading: Reading) -> tuple[str, list[Problem]]:
    """The sign-off state ("" for a master) and its problem: unsigned (a warning) or
    changed after signing (an error; the values still count).

    A master has no Validazione sheet; any other workbook without one is unsigned. The
    fingerprint is computed once here, for the state and the problem both.
    """
    if reading.is_master:
        return "", []
    state = reading.signature_state()
    if state == SIGNED:
        return state, []
    message = STATE_MESSAGES[state]
    if reading.signature is None:
        message = f"foglio Validazione mancante: {message}"
    return state, [Problem(Location(file=reading.path.name, sheet=SHEET_SIGNOFF), message,
                           "errore" if state == CHANGED else "avviso")]


def check_workbook(path: Path, plan: Plan | None = None) -> tuple[Reading | None, list[Problem]]:
    """All the checks of one workbook: safety, identity, locked cells, values as typed,
    and the values still owed for its period (listed as ``consolida`` lists them)."""
    try:
        reading = read_workbook(path)
        ident = reading.identity
        if plan is not None:
            wrong = identity_problems(reading, plan, ident.year, ident.period)
            if wrong:
                return reading, wrong
        part = (reading.embedded_plan() if plan is None
                else plan_part(plan, ident.office, ident.year))
        owed = [] if reading.is_master else [   # a master owes nothing: its offices do
            problem for _, problem in owed_values(reading, part, ident.year, ident.period)]
        return reading, (integrity_problems(reading, plan) + reading.problems
                         + signoff_check(reading)[1] + owed)
    except BAD_FILE_ERRORS as exc:
        return None, [refusal(path, exc)]
    except Exception as exc:  # a bug of ours: logged, this file reported, the others go on
        return None, [internal_failure(path, exc)]
