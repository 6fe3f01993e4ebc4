"""``consolida``: the office workbooks of a folder + the plan → one master workbook.

Every file is read behind the untrusted-file guard; a refused file is reported and the
others go on. Each office's values are merged into the plan; the same indicator reported
differently by two offices is kept out of the master and both values are reported (no
value is chosen silently). Reported too: offices that did not return, missing values,
tampering (a locked cell changed, found cell by cell), a file made from another version
of the plan, wrong plan/year/period/version, two files of one office.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.actuals import (
    Typed,
    actual_from_typed,
    carry_actuals,
    plan_with_measures,
    plan_with_typed,
)
from ..core.history import measure_changes, value_changes
from ..core.model import FINAL_PERIOD, Plan
from ..core.problems import Location, Problem
from ..core.transversal import office_number, rule_text, transversal_slots, with_office_actuals
from ..core.tree import known_offices, plan_part, unowned_count
from ..core.vocabulary import format_date, format_number
from ..errors import UserError
from ..io.atomic import KEEP_BACKUPS, write_atomically
from ..workbook import Extras, OfficeStatus, render_book
from .failures import BAD_FILE_ERRORS, internal_failure, refusal
from .guard import Limits
from .integrity import identity_problems, integrity_problems, signoff_check
from .owed import MissingValue, owed_value
from .read import IndicatorValues, Reading, read_workbook

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb"}

RETURNED = "restituita"
MISSING = "mancante"
WITH_PROBLEMS = "con problemi"
REFUSED = "rifiutata"
INTERNAL_ERROR = "non letta (errore interno)"


@dataclass
class Consolidation:
    plan: Plan
    year: int
    period: str
    typed: dict[str, Typed] = field(default_factory=dict)
    statuses: list[OfficeStatus] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    missing: dict[str, list[MissingValue]] = field(default_factory=dict)   # by office
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → office, file
    unusable: set[str] = field(default_factory=set)   # reported but conflicting/unreadable
    unowned: int = 0      # indicators of the «Senza ufficio» workbook (no owner office)
    office_typed: dict[str, dict[str, Typed]] = field(default_factory=dict)
    """Transversal indicators (docs/transversal.md): code → office → what it typed; each
    office keeps its own value, the ente value is made by the indicator's rule."""
    files_of: dict[str, str] = field(default_factory=dict)   # office → the file used
    measures: dict[str, float] = field(default_factory=dict)   # merged measure values
    measure_sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    unusable_measures: set[str] = field(default_factory=set)


def candidate_files(directory: Path, exclude: set[Path]) -> tuple[list[Path], list[Problem]]:
    """Workbook-like files of ``directory`` (lock files, backups and ``exclude`` skipped)."""
    files, notes = [], []
    for path in sorted(directory.iterdir()):
        if not path.is_file() or (exclude and path.resolve() in exclude):
            continue
        name = path.name
        if name.startswith(("~$", ".")) or name.endswith(".bak"):
            continue
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            files.append(path)
        else:
            notes.append(Problem(Location(file=name), "file ignorato: non è una cartella di "
                                                      "lavoro", "avviso"))
    return files, notes


def _value_text(t: Typed) -> str:
    v = t.actual
    if v is None:
        parts = [f"{format_number(x, 2)}" for x in (t.numerator, t.denominator) if x is not None]
        return " / ".join(parts) or "vuoto"
    if isinstance(v, float):
        return format_number(v, 4)
    if hasattr(v, "strftime"):
        return format_date(v)  # type: ignore[arg-type]
    return str(v)


def _same(a: Typed, b: Typed) -> bool:
    return (a.actual, a.numerator, a.denominator, a.reference, a.event_date) == (
        b.actual, b.numerator, b.denominator, b.reference, b.event_date)


@dataclass
class _FileReport:
    """What one returned file contributes, kept compact (the reading itself is dropped)."""

    office: str
    name: str
    modified: datetime
    problems: list[Problem]
    values: list[tuple[str, Location, Typed]]   # (indicator code, cell, what was typed)
    missing: list[MissingValue]
    signoff: str
    unreadable: set[str]
    measures: list[tuple[str, Location, float | None]] = field(default_factory=list)
    """(measure code, its cell on the Misure sheet, the value read leniently)."""
    unreadable_measures: set[str] = field(default_factory=set)


def _report(reading: Reading, plan: Plan, year: int, period: str) -> _FileReport:
    office = reading.identity.office or ""
    part = plan_part(plan, office, year)
    problems = list(reading.problems) + integrity_problems(reading, plan, part)
    values: list[tuple[str, Location, Typed]] = []
    missing: list[MissingValue] = []
    signoff, signoff_problems = signoff_check(reading)
    problems += signoff_problems
    measure_values = reading.measure_values()
    for slot in part.indicators():
        code = slot.indicator.code
        found = reading.indicators.get(code)
        if found is None:
            problems.append(Problem(Location(file=reading.path.name),
                                    f"indicatore {code} assente dalla cartella", subject=code))
            continue
        if owed := owed_value(reading, slot.indicator, found, year, period, measure_values):
            missing.append(owed[0])
            problems.append(owed[1])
        values.append((code, reading.where(found.sheet, found.cells["actual"]),
                       found.typed_lenient))
    unreadable = {code for code, v in reading.indicators.items() if _unreadable(v)}
    measures = [(code, reading.where(m.sheet, m.cell), m.lenient)
                for code, m in reading.measures.items()]
    unreadable_measures = {code for code, m in reading.measures.items()
                           if m.raw not in (None, "") and m.lenient is None}
    return _FileReport(office, reading.path.name, reading.modified, problems, values, missing,
                       signoff, unreadable, measures, unreadable_measures)


def _unreadable(found: IndicatorValues) -> bool:
    """Something typed that could not be read as a value (reported at its cell)."""
    typed = found.typed_lenient
    return any(found.raw.get(key) not in (None, "") and getattr(typed, key) is None
               for key in ("actual", "numerator", "denominator", "event_date"))


_Refusal = tuple[OfficeStatus | None, list[Problem]]     # None: a file that is not an office's


def _process(path: Path, plan: Plan, year: int, period: str,
             limits: Limits | None) -> _FileReport | _Refusal:
    """Everything done with one returned file; the result is small and picklable."""
    try:
        reading = read_workbook(path, limits)
        if reading.is_master:
            return None, [Problem(Location(file=path.name), "cartella principale di un "
                                                            "consolidamento, non di un ufficio: "
                                                            "ignorata", "avviso")]
        if reading.identity.person:        # personal data never enter the master
            return None, [Problem(Location(file=path.name), "scheda individuale, non "
                                  "cartella di un ufficio: ignorata (si consolida con "
                                  "«cruscotto consolida --individuali»)", "avviso")]
        wrong = identity_problems(reading, plan, year, period)
        if wrong:
            return (OfficeStatus(reading.identity.office or "?", REFUSED, path.name,
                                 reading.modified, 0, len(wrong)), wrong)
        return _report(reading, plan, year, period)
    except BAD_FILE_ERRORS as exc:
        return OfficeStatus("?", REFUSED, path.name), [refusal(path, exc)]
    except Exception as exc:  # a bug of ours: logged, this file reported, the others go on
        return OfficeStatus("?", INTERNAL_ERROR, path.name), [internal_failure(path, exc)]


PARALLEL_FROM = 40          # below this, starting processes costs more than it saves
_worker: dict[str, object] = {}


def _init_worker(plan: Plan, year: int, period: str, limits: Limits | None) -> None:
    _worker.update(plan=plan, year=year, period=period, limits=limits)


def _process_in_worker(path: Path) -> _FileReport | _Refusal:
    return _process(path, _worker["plan"], _worker["year"], _worker["period"],  # type: ignore[arg-type]
                    _worker["limits"])  # type: ignore[arg-type]


@contextmanager
def _long_lived_out_of_gc() -> Iterator[None]:
    """While the files are read, what is alive now (the plan: hundreds of thousands of
    objects for 20,000 indicators) is out of the cyclic collector's sight: the
    collections that each file's new objects trigger no longer walk it (a third of the
    parent's CPU for 1,000 files, benchmarks/bench_consolida.py), and forked workers do
    not write to, and so copy, its pages. A caller's own frozen state is left alone."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _outcomes(files: list[Path], plan: Plan, year: int, period: str, limits: Limits | None,
              progress: Callable[[Path], None] | None) -> Iterator[_FileReport | _Refusal]:
    """Each file's outcome, in file order; on several cores when there are many files."""
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_FROM or workers < 2:
        for path in files:
            yield _process(path, plan, year, period, limits)
            if progress:
                progress(path)
        return
    # the year's view and its ownership index, built here once: the workers are forked
    # with them (each would otherwise build its own, a tenth of a second per 20,000
    # indicators)
    known_offices(plan_part(plan, None, year))
    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(plan, year, period, limits)) as pool:
        for path, outcome in zip(files, pool.map(_process_in_worker, files, chunksize=8),
                                 strict=True):
            yield outcome
            if progress:
                progress(path)


def _one_file(office: str, candidates: list[_FileReport]
              ) -> tuple[_FileReport | None, list[Problem]]:
    """The file that speaks for ``office`` when several claim it — never decided by the
    file system's clock (docs/security.md): a file without errors wins over files with
    errors (a copy whose hidden identity was changed to claim this office has a changed
    locked cell); copies with the same values are one; different files without errors
    are a conflict and none is used (the master keeps what it held)."""
    if len(candidates) == 1:
        return candidates[0], []
    candidates = sorted(candidates, key=lambda r: r.name)
    clean = [c for c in candidates if not any(p.severity == "errore" for p in c.problems)]
    pool = clean or candidates
    values = {c.name: ({code: typed for code, _, typed in c.values},
                       {code: value for code, _, value in c.measures}) for c in pool}
    same = all(values[c.name] == values[pool[0].name] for c in pool)
    if len(clean) == 1 or same:
        chosen = pool[0]
        notes = [Problem(Location(file=c.name),
                         f"più cartelle per l'ufficio «{office}»: usata {chosen.name}"
                         + ("" if c in pool else ", senza errori; questa non è usata")
                         + (" (stessi valori)" if c in pool else ""),
                         "avviso" if c in pool else "errore")
                 for c in candidates if c is not chosen]
        return chosen, notes
    names = ", ".join(c.name for c in pool)
    return None, [Problem(Location(file=c.name),
                          f"più cartelle diverse per l'ufficio «{office}» ({names}): nessuna "
                          "usata; tenerne una sola nella cartella e consolidare di nuovo",
                          "errore") for c in candidates]


def consolidate(directory: Path | str, plan: Plan, *, year: int | None = None,
                period: str = FINAL_PERIOD, exclude: set[Path] | None = None,
                limits: Limits | None = None,
                progress: Callable[[Path], None] | None = None) -> Consolidation:
    with _long_lived_out_of_gc():
        return _consolidate(Path(directory), plan, year, period, exclude, limits, progress)


def _consolidate(directory: Path, plan: Plan, year: int | None, period: str,
                 exclude: set[Path] | None, limits: Limits | None,
                 progress: Callable[[Path], None] | None) -> Consolidation:
    year = year or plan.year
    result = Consolidation(plan, year, period)
    files, notes = candidate_files(directory, {p.resolve() for p in exclude or set()})
    result.problems += notes
    result.files = len(files)
    by_office: dict[str, list[_FileReport]] = {}
    for outcome in _outcomes(files, plan, year, period, limits, progress):
        if isinstance(outcome, _FileReport):
            by_office.setdefault(outcome.office, []).append(outcome)
        else:
            status, problems = outcome
            if status is not None:
                result.statuses.append(status)
            result.problems += problems

    reports: dict[str, list[tuple[str, Location, Typed]]] = {}
    measure_reports: dict[str, list[tuple[str, Location, float | None]]] = {}
    files_of: dict[str, str] = {}
    for office, candidates in by_office.items():
        chosen, notes = _one_file(office, candidates)
        result.problems += notes
        if chosen is None:                   # several different files: none is used
            result.statuses.append(OfficeStatus(office or "(piano intero)", REFUSED,
                                                ", ".join(c.name for c in candidates)))
            continue
        result.problems += chosen.problems
        files_of[office] = chosen.name
        for code, where, typed in chosen.values:
            reports.setdefault(code, []).append((office, where, typed))
        for code, where, value in chosen.measures:
            measure_reports.setdefault(code, []).append((office, where, value))
        result.unusable |= chosen.unreadable
        result.unusable_measures |= chosen.unreadable_measures
        if chosen.missing:
            result.missing[office] = chosen.missing
        errors = sum(p.severity == "errore" for p in chosen.problems)
        result.statuses.append(OfficeStatus(office or "(piano intero)",
                                            WITH_PROBLEMS if errors else RETURNED, chosen.name,
                                            chosen.modified, len(chosen.missing),
                                            len(chosen.problems), chosen.signoff))
    refused = {s.office for s in result.statuses if s.state == REFUSED}
    # the year's part as the workers read it: for a plan with scorecards, the same copy
    # and the same ownership index (plan_for_year would index its own copy again)
    view = plan_part(plan, None, year)
    result.unowned = unowned_count(view)
    for office in known_offices(view):
        if office not in by_office and office not in refused:
            result.statuses.append(OfficeStatus(office, MISSING))
            result.problems.append(Problem(Location(office=office),
                                           "l'ufficio non ha restituito la cartella"))
    transversal = {s.indicator.code for s in plan.indicators()
                   if s.indicator.transversal is not None}
    for code in transversal & reports.keys():
        # each office's own value, never a conflict; a whole-plan workbook ("") types the
        # ente value itself and is merged as for any indicator
        result.office_typed[code] = {o: t for o, _, t in reports[code] if o}
        reports[code] = [item for item in reports[code] if not item[0]]
        if not reports[code]:
            del reports[code]
    if transversal:     # (the year's view has none when the plan has none)
        result.problems += _transversal_gaps(result, view)
    result.typed = _merge(reports, result.problems, result.unusable)
    result.files_of = files_of
    for code, given in result.office_typed.items():
        offices = sorted(given)
        # the ente value's history row names who reported; each office has its own row
        result.sources[code] = (f"ente ({', '.join(offices)})",
                                ", ".join(files_of[o] for o in offices))
    for code, items in reports.items():
        offices = [items[0][0]] if len(items) == 1 else sorted({o for o, _, _ in items})
        result.sources[code] = (", ".join(o or "(piano intero)" for o in offices),
                                ", ".join(files_of[o] for o in offices))
    result.measures = _merge_measures(measure_reports, result.problems,
                                      result.unusable_measures)
    for code, measure_items in measure_reports.items():
        given = sorted({o for o, _, v in measure_items if v is not None}) or \
            sorted({o for o, _, _ in measure_items})
        result.measure_sources[code] = (", ".join(o or "(piano intero)" for o in given),
                                        ", ".join(files_of[o] for o in given))
    return result


def _transversal_gaps(result: Consolidation, view: Plan) -> list[Problem]:
    """One warning per transversal indicator some of whose offices gave no usable value:
    the ente value leaves them out (docs/transversal.md), and says so."""
    problems = []
    for slot, offices in transversal_slots(view):
        ind = slot.indicator
        if not ind.owes_actual(result.year, result.period) or not offices:
            continue
        given = result.office_typed.get(ind.code, {})
        lacking = [o for o in offices if o not in given or office_number(
            actual_from_typed(given[o], result.year, result.period)) is None]
        if not lacking:
            continue
        problems.append(Problem(Location(), f"indicatore trasversale {ind.code} "
                                            f"({rule_text(ind)}): nessun valore da "
                                            f"{', '.join(lacking)} ({len(lacking)} uffici su "
                                            f"{len(offices)}); il valore dell'ente si calcola "
                                            f"senza di loro (o con il valore che la cartella "
                                            f"principale aveva già per loro)", "avviso",
                                ind.code))
    return problems
def _merge_measures(reports: dict[str, list[tuple[str, Location, float | None]]],
                    problems: list[Problem], conflicts: set[str]) -> dict[str, float]:
    """One value per measure: the one every office typed; offices that typed it
    differently are a conflict (both cells reported, none chosen, the master keeps what
    it held), as for indicators (docs/rules.md «Formule su misure»)."""
    merged: dict[str, float] = {}
    for code, items in reports.items():
        given = [(o, w, v) for o, w, v in items if v is not None]
        if not given:
            continue
        first = given[0][2]
        if all(v == first for _, _, v in given[1:]):
            merged[code] = first
            continue
        listing = "; ".join(f"{o or '(piano intero)'}: {format_number(v, 4)} ({w})"
                            for o, w, v in given)
        problems.append(Problem(given[0][1], f"misura «{code}» inserita con valori diversi "
                                             f"dagli uffici, nessuno scelto: {listing}; "
                                             "concordare il valore e correggere le cartelle",
                                subject=code))
        conflicts.add(code)
    return merged


def _merge(reports: dict[str, list[tuple[str, Location, Typed]]],
           problems: list[Problem], conflicts: set[str]) -> dict[str, Typed]:
    merged: dict[str, Typed] = {}
    for code, items in reports.items():
        given = [(o, w, t) for o, w, t in items
                 if t.actual is not None or t.numerator is not None or t.denominator is not None]
        notes = [f"{o}: {t.note}" if len(items) > 1 else t.note for o, _, t in items if t.note]
        note = "; ".join(n for n in notes if n) or None
        if not given:
            ref = next((t.reference for _, _, t in items if t.reference is not None), None)
            event = next((t.event_date for _, _, t in items if t.event_date is not None), None)
            if note or ref is not None or event is not None:
                merged[code] = Typed(None, None, None, note, ref, event)
            continue
        first = given[0][2]
        if all(_same(first, t) for _, _, t in given[1:]):
            merged[code] = Typed(first.actual, first.numerator, first.denominator, note,
                                 first.reference, first.event_date)
            continue
        listing = "; ".join(f"{o}: {_value_text(t)} ({w})" for o, w, t in given)
        problems.append(Problem(given[0][1], f"valori discordanti tra uffici, nessuno scelto: "
                                             f"{listing}", subject=code))
        merged[code] = Typed(None, None, None, f"Valori discordanti: {listing}", None)
        conflicts.add(code)
    return merged


def write_master(result: Consolidation, out: Path | str,
                 keep_backups: int = KEEP_BACKUPS, now: datetime | None = None) -> Path | None:
    """Write (or rewrite in place) the master workbook; returns the backup made, if any.

    Same layout as the plan's workbook, with the merged actuals in its input cells, the
    ``Stato uffici`` sheet, the consolidation problems at the top of ``Controlli`` and the
    ``Storico valori`` sheet. An existing master at ``out`` is the state of the year: its
    values of the other periods are carried over, its history rows are kept, and every
    value this consolidation changes adds a row (:mod:`cruscotto_xl.core.history`).
    ``now`` dates those rows and the file (the present moment by default).
    """
    out = Path(out)
    before, history = previous_master(out, result.plan, result.year)
    graded = graded_plan(result, before)
    when = (now or datetime.now()).replace(microsecond=0)
    rows = history + [r.cells() for r in [
        *value_changes(before, graded, result.year, result.period, result.sources, when,
                       result.files_of),
        *measure_changes(before, graded, result.year, result.period, result.measure_sources,
                         when)]]
    extras = Extras(result.statuses, result.problems, rows)
    return write_atomically(out, lambda tmp: render_book(
        graded, tmp, year=result.year, period=result.period, with_actuals=True, extras=extras,
        created=when), keep_backups)


class MasterError(UserError):
    """The existing master cannot be continued (its history would be lost): file untouched."""


def previous_master(out: Path, plan: Plan, year: int
                    ) -> tuple[Plan | None, list[tuple[object, ...]]]:
    """The plan with actuals and the history rows of the master already at ``out``.

    (None, []) when there is none yet. A file there that is not a master of this plan and
    year, or cannot be read, stops the consolidation: overwriting it would lose values.
    """
    if not out.exists():
        return None, []
    try:
        reading = read_workbook(out)
        # What the master's cells hold now (a value corrected by hand, or written by the
        # Consolida button) is its state; its other periods are in the plan it carries.
        held = reading.held_plan()
    except BAD_FILE_ERRORS as exc:
        raise MasterError(f"{out.name}: la cartella principale esistente non si può "
                          f"continuare ({exc}); spostarla o indicare un altro --uscita") from None
    ident = reading.identity
    if ident.plan_id != plan.id or ident.year != year or ident.office:
        what = f"dell'ufficio «{ident.office}»" if ident.office else \
            f"del piano {ident.plan_id} {ident.year}"
        raise MasterError(f"{out.name}: il file esistente è la cartella {what}, non la "
                          f"cartella principale del piano {plan.id} {year}: indicare un "
                          "altro --uscita")
    return held, list(reading.history)


def graded_plan(result: Consolidation, before: Plan | None = None) -> Plan:
    """The plan with the merged actuals: what the master's grades must equal.

    Without ``before`` the returned files are the whole truth of the period. With it (the
    previous master's plan), its values of the other periods and years are carried over,
    and so are this period's values of the indicators no accepted file reported (an office
    missing or refused this time): only what came back replaces what the master held.
    """
    year, period = result.year, result.period
    if before is None:
        return _with_transversal(result, _with_measures(
            plan_with_typed(result.plan, result.typed, year, period, replace_all=True), result))
    plan = carry_actuals(result.plan, before)
    # Reported with nothing typed: emptied. Conflicting or unreadable: the master's value
    # stays (the problem is listed), as it does for an office that did not report.
    emptied = set(result.sources) - set(result.typed) - result.unusable
    for slot in plan.indicators():
        if slot.indicator.code in emptied:
            slot.indicator.actuals = [a for a in slot.indicator.actuals
                                      if (a.year, a.period, a.office) != (year, period, None)]
    usable = {c: t for c, t in result.typed.items() if c not in result.unusable}
    return _with_transversal(result, _with_measures(plan_with_typed(plan, usable, year, period),
                                                    result))


def _with_transversal(result: Consolidation, plan: Plan) -> Plan:
    """``plan`` with each office's own value of the transversal indicators (the values it
    held for the offices that did not report this time stay) and the ente values."""
    if not any(s.indicator.transversal is not None for s in plan.indicators()):
        return plan
    year, period = result.year, result.period
    held = {s.indicator.code: s.indicator.office_actuals(year, period)
            for s in plan.indicators() if s.indicator.transversal is not None}
    by_office = {code: {**held.get(code, {}),
                        **{o: actual_from_typed(t, year, period, office=o)
                           for o, t in given.items()}}
                 for code, given in result.office_typed.items()}
    return with_office_actuals(plan, by_office, year, period)


def _with_measures(plan: Plan, result: Consolidation) -> Plan:
    """``plan`` with the consolidated measure values of the period, each recorded with the
    office it came from; a measure reported with nothing typed is emptied, a conflicting
    or unreadable one keeps the value the plan (the previous master) held."""
    reported = set(result.measure_sources) - result.unusable_measures
    values: dict[str, float | str | None] = {code: result.measures.get(code)
                                              for code in reported}
    if not values:
        return plan
    plan = plan_with_measures(plan, values, result.year, result.period)
    for measure in plan.measures:
        entry = measure.value_for(result.year, result.period)
        if entry is not None and measure.code in values and measure.code in result.measures:
            entry.office = result.measure_sources[measure.code][0] or None
    return plan


def master_actuals(plan: Plan, master: Path | str, year: int) -> Plan:
    """``plan`` with every value the master at ``master`` consolidated (all its periods):
    the next period's workbooks show them in their locked columns."""
    master = Path(master)
    if not master.is_file():
        raise MasterError(f"{master}: cartella principale non trovata")
    before, _ = previous_master(master, plan, year)
    assert before is not None
    return carry_actuals(plan, before)

