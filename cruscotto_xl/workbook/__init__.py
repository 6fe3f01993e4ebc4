"""Writing workbooks: one per plan, or one per owner office (docs/workbook.md).

Sheets, in order: ``Istruzioni``, ``Riepilogo``, one per objective that owns indicators,
``Misure`` (only when formulas use named measures), ``Controlli`` and the hidden
``_cruscotto``. XlsxWriter writes them (it is fast and
write-only, which is all the generator needs); reading and refreshing use openpyxl.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
import xlsxwriter.worksheet

from ..core.model import FINAL_PERIOD, Plan
from ..core.scorecard import OrgCell, person_plan, scorecard
from ..core.tree import known_offices, plan_for_year, plan_part
from .book import Book, Extras, OfficeStatus, plan_book
from .layout import (
    SHEET_CHECKS,
    SHEET_HISTORY,
    SHEET_INSTRUCTIONS,
    SHEET_MEASURES,
    SHEET_META,
    SHEET_OFFICES,
    SHEET_SCORECARD,
    SHEET_SIGNOFF,
    SHEET_STRUCTURE,
    SHEET_SUMMARY,
    SHEET_TRANSVERSAL,
    safe_file_stem,
)
from .sheets.checks import write_checks
from .sheets.instructions import write_instructions
from .sheets.measures import write_measures
from .sheets.meta import write_meta
from .sheets.objective import write_objective_sheet
from .sheets.offices import write_history, write_offices
from .sheets.scorecard import write_scorecard
from .sheets.signoff import write_signoff
from .sheets.structure import structure_blocks, write_structure_sheet
from .sheets.summary import write_summary
from .sheets.transversal import plan_blocks, write_transversal
from .styles import Styles


class _Worksheet(xlsxwriter.worksheet.Worksheet):
    """XlsxWriter's worksheet without the per-formula pass for dynamic-array functions.

    XlsxWriter runs about 30 regular expressions over every formula to add the ``_xlfn.``
    prefix of Excel 365 functions (XLOOKUP, FILTER, …). Our formulas never use them —
    LibreOffice 7.4 lacks them, and a test forbids them — and the pass took a third of
    the generation time. A test checks that the files are byte-for-byte those of the
    stock worksheet.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula


class _Workbook(xlsxwriter.Workbook):
    worksheet_class = _Worksheet


@dataclass(frozen=True)
class Generated:
    """What one generated workbook holds."""

    path: Path
    plan_id: str
    year: int
    office: str | None
    sheets: int
    indicators: int
    digest: str
    person: str | None = None


def write_workbook(plan: Plan, path: Path | str, *, year: int | None = None,
                   office: str | None = None, period: str = FINAL_PERIOD,
                   password: str | None = None, with_actuals: bool = False,
                   created: datetime | None = None, into: BinaryIO | None = None,
                   person: str | None = None) -> Generated:
    """Write the workbook of ``plan`` (or of ``office``'s part of it) for ``year``.

    With ``into`` the bytes go to that stream and ``path`` only names the result (the
    caller writes the file, e.g. atomically).

    ``with_actuals`` pre-fills the input cells with the plan's actuals of that year and
    period; templates sent to offices are written without them. ``created`` is when the
    workbook says it was made (now by default; fixed for reproducible files). ``person``
    makes it that person's individual scorecard (docs/individual.md).
    """
    path = Path(path)
    book = render_book(plan, into if into is not None else path, year=year, office=office,
                       period=period, password=password, with_actuals=with_actuals,
                       created=created, person=person)
    return Generated(path, book.plan.id, book.year, office, len(book.sheets),
                     sum(len(s.rows) for s in book.sheets), book.digest, person)


def render_book(plan: Plan, target: Path | BinaryIO | None = None, *, year: int | None = None,
                office: str | None = None, period: str = FINAL_PERIOD,
                password: str | None = None, with_actuals: bool = False,
                extras: Extras | None = None, created: datetime | None = None,
                structure: bool | None = None, person: str | None = None,
                org: dict[int, OrgCell] | None = None,
                behaviours: list[object] | None = None) -> Book:
    """Write the workbook to ``target`` (a path, a binary stream, or memory when None).

    ``extras`` (a consolidation's office statuses and problems) makes it a master workbook,
    with the grades per structure of a plan that has a ``struttura`` (``structure``: with or
    without them whatever ``extras`` says; ``ricalcola`` of a master asks for them).
    ``created`` dates the document properties and the footer «Generato … il» (now when
    None): with it fixed, the same inputs give the same bytes (tests/workbook/test_golden.py).

    The returned :class:`Book` holds every locked cell and every formula's cached value,
    which is what the reader compares a returned workbook with, and what ``ricalcola``
    writes back.

    ``person`` (a code of ``obiettivi_individuali``) writes that person's scorecard
    instead: their objectives, the ``Scheda individuale`` sheet with the organisational
    grades ``org`` (by component position, filled from a master) and the evaluator's
    ``behaviours`` scores, and nothing of anyone else (docs/individual.md).
    """
    year = year or plan.year
    part = person_plan(plan, person, year) if person else plan_part(plan, office, year)
    # Always built in memory, then written in one go: a disk error while xlsxwriter writes
    # a path leaves its zip object open, and closing it later fails again (docs/security.md).
    stream = target if target is not None and not isinstance(target, Path) else io.BytesIO()
    wb = _Workbook(stream,
        {"strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False, "in_memory": True})
    properties = {"title": f"Cruscotto {plan.entity} {year}"
                  + (" — scheda individuale" if person else ""),
                  "subject": "Piano della performance", "author": "cruscotto_xl",
                  "company": plan.entity, "comments": office or ""}
    if created is not None:
        properties["created"] = created
    wb.set_properties(properties)
    styles = Styles(wb)
    book = plan_book(part, year, styles, office=office, period=period, with_actuals=with_actuals)
    if created is not None:
        book.generated_on = created.date()
    book.password = password
    book.extras = extras
    if person:
        book.person = person
        book.behaviour_scores = list(behaviours or [])
        book.card = scorecard(part, org or {}, book.behaviour_scores, year, period,
                              with_actuals=with_actuals)
    istruzioni = wb.add_worksheet(SHEET_INSTRUCTIONS)
    scheda = wb.add_worksheet(SHEET_SCORECARD) if person else None
    riepilogo = wb.add_worksheet(SHEET_SUMMARY)
    offices = wb.add_worksheet(SHEET_OFFICES) if extras is not None else None
    history = wb.add_worksheet(SHEET_HISTORY) if extras is not None else None
    blocks = plan_blocks(book)
    transversal = wb.add_worksheet(SHEET_TRANSVERSAL) if blocks else None
    period_summaries = [wb.add_worksheet(v.summary_sheet) for v in book.views]
    objective_sheets = [wb.add_worksheet(s.name) for s in book.sheets]
    measures = wb.add_worksheet(SHEET_MEASURES) if book.measures else None
    signoff = wb.add_worksheet(SHEET_SIGNOFF) if extras is None else None
    controlli = wb.add_worksheet(SHEET_CHECKS)
    # a master of a plan with a struttura: grades per area and office (docs/structure.md)
    with_structure = extras is not None if structure is None else structure
    units = structure_blocks(book) if with_structure else []
    strutture = wb.add_worksheet(SHEET_STRUCTURE) if units else None
    meta = wb.add_worksheet(SHEET_META)
    write_instructions(istruzioni, book)
    if scheda is not None:
        write_scorecard(wb, scheda, book)
    write_summary(wb, riepilogo, book, structure=units)
    for ws, view in zip(period_summaries, book.views, strict=True):
        write_summary(wb, ws, book, view)
    if offices is not None and extras is not None:
        write_offices(offices, book, extras)
    if history is not None and extras is not None:
        write_history(history, book, extras.history)
    if transversal is not None:
        write_transversal(transversal, book, blocks)
    for ws, sheet in zip(objective_sheets, book.sheets, strict=True):
        write_objective_sheet(ws, book, sheet)
    if measures is not None:
        write_measures(wb, measures, book)
    if signoff is not None:
        write_signoff(wb, signoff, book)
    write_checks(wb, controlli, book)
    if strutture is not None:
        write_structure_sheet(strutture, book, units)
    book.digest = write_meta(wb, meta, book)
    wb.close()
    if isinstance(target, Path) and isinstance(stream, io.BytesIO):
        target.write_bytes(stream.getvalue())
    return book


def workbook_jobs(plan: Plan, out_dir: Path, *, per_office: bool = False,
                  year: int | None = None, period: str = FINAL_PERIOD
                  ) -> list[tuple[str | None, Path]]:
    """(office, output path) for every workbook of a plan: one, or one per owner office
    of ``year`` (with «Senza ufficio» for the indicators that name none).

    Workbooks of an intermediate period carry it in the name (``…_al_30-06``), so the
    copies of two periods never replace each other.
    """
    year = year or plan.year
    stem = plan.id
    if year != plan.year:      # files are named for the year they collect
        stem = (stem.removesuffix(str(plan.year)) + str(year) if stem.endswith(str(plan.year))
                else f"{stem}-{year}")
    stem = safe_file_stem(stem)
    if period != FINAL_PERIOD:
        stem += f"_al_{period.replace('/', '-')}"
    if not per_office:
        return [(None, out_dir / f"{stem}.xlsx")]
    jobs = []
    used: set[str] = set()
    for office in known_offices(plan_for_year(plan, year)):
        name = safe_file_stem(office)
        while name.lower() in used:
            name += "_"
        used.add(name.lower())
        jobs.append((office, out_dir / f"{stem}__{name}.xlsx"))
    return jobs


def person_jobs(plan: Plan, out_dir: Path, *, year: int | None = None,
                period: str = FINAL_PERIOD) -> list[tuple[str, Path]]:
    """(person code, output path) of every individual scorecard of ``plan``: named from
    the plan, the person's code and name (safe file names, never two alike)."""
    year = year or plan.year
    stem = safe_file_stem(plan.id if year == plan.year else f"{plan.id}-{year}")
    if period != FINAL_PERIOD:
        stem += f"_al_{period.replace('/', '-')}"
    jobs = []
    used: set[str] = set()
    for person in plan.people:
        name = safe_file_stem(f"{person.code} {person.name}")
        while name.lower() in used:
            name += "_"
        used.add(name.lower())
        jobs.append((person.code, out_dir / f"{stem}__scheda_{name}.xlsx"))
    return jobs


__all__ = ["Book", "Extras", "Generated", "OfficeStatus", "person_jobs", "render_book",
           "workbook_jobs", "write_workbook"]
