"""Batch generation: many plans, per plan or per office, spread over the machine's cores.

The CLI (``cruscotto genera``) and the demo call :func:`generation_jobs` and
:func:`run_jobs`; a progress callback lets them draw a bar. Existing files are never
overwritten unless asked, because a workbook in the output folder may already hold an
office's values.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.model import FINAL_PERIOD, Plan
from ..core.plan_checks import validate_plan
from ..core.problems import Problem, has_errors
from ..core.rollover import ChangeSet, Rollover, roll_over
from ..core.vocabulary import counted
from ..errors import UserError
from ..io.atomic import staged_folder, write_atomically
from ..io.planfile import PLAN_SUFFIXES, save_plan
from ..workbook import Generated, person_jobs, workbook_jobs, write_workbook

PARALLEL_FROM = 4   # fewer workbooks than this are faster in one process


@dataclass(frozen=True)
class Job:
    plan: Plan
    path: Path
    office: str | None
    year: int
    period: str = FINAL_PERIOD
    password: str | None = None
    with_actuals: bool = False
    person: str | None = None      # an individual scorecard (docs/individual.md)


class OutputExistsError(UserError):
    """Output files already exist and overwriting was not requested."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        shown = ", ".join(str(p) for p in paths[:3]) + (" …" if len(paths) > 3 else "")
        damaged = [p for p in paths if not is_complete_workbook(p)]
        said = ""
        if damaged:
            names = ", ".join(p.name for p in damaged[:3]) + (" …" if len(damaged) > 3 else "")
            broken = counted(len(damaged), "è danneggiato o incompleto",
                             "sono danneggiati o incompleti")
            said = (f"; di questi {broken} (una "
                    f"generazione interrotta?): {names}")
        super().__init__(f"{counted(len(paths), 'file esiste già', 'file esistono già')} "
                         f"({shown}){said}: usare "
                         f"--sovrascrivi per rigenerarli, oppure un'altra cartella --uscita")


def plan_files(paths: Iterable[Path]) -> list[Path]:
    """Plan files given directly or found (not recursively) in the given folders."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in PLAN_SUFFIXES))
        else:
            out.append(path)
    return out


def generation_jobs(plan: Plan, out_dir: Path, *, year: int | None = None,
                    per_office: bool = False, period: str = FINAL_PERIOD,
                    password: str | None = None, with_actuals: bool = False) -> list[Job]:
    year = year or plan.year
    return [Job(plan, path, office, year, period, password, with_actuals)
            for office, path in workbook_jobs(plan, out_dir, per_office=per_office, year=year,
                                              period=period)]


def individual_jobs(plan: Plan, out_dir: Path, *, year: int | None = None,
                    period: str = FINAL_PERIOD, password: str | None = None) -> list[Job]:
    """One job per person of ``obiettivi_individuali``: their scorecard alone."""
    year = year or plan.year
    return [Job(plan, path, None, year, period, password, person=code)
            for code, path in person_jobs(plan, out_dir, year=year, period=period)]


def is_complete_workbook(path: Path) -> bool:
    """A whole .xlsx: a zip archive whose directory lists the workbook part (what an
    interrupted write never leaves: the directory is written last)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False


def check_outputs(jobs: list[Job], overwrite: bool) -> None:
    existing = [j.path for j in jobs if j.path.exists()]
    if existing and not overwrite:
        raise OutputExistsError(existing)


def _run(job: Job) -> Generated:
    """Write one workbook to a temporary file beside it, then rename it: an interrupted
    or failed write (disk full, Ctrl+C, kill) never leaves a truncated file under the
    final name (docs/security.md)."""
    buffer = io.BytesIO()
    generated = write_workbook(job.plan, job.path, year=job.year, office=job.office,
                               period=job.period, password=job.password,
                               with_actuals=job.with_actuals, into=buffer,
                               person=job.person)
    write_atomically(job.path, lambda tmp: tmp.write_bytes(buffer.getvalue()), keep=0)
    return generated


def run_jobs(jobs: list[Job], workers: int | None = None,
             progress: Callable[[Generated], None] | None = None) -> list[Generated]:
    """Write every workbook; in parallel processes when there are many."""
    workers = workers or os.cpu_count() or 1
    results: list[Generated] = []
    if len(jobs) < PARALLEL_FROM or workers < 2:
        for job in jobs:
            results.append(_run(job))
            if progress:
                progress(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for generated in pool.map(_run, jobs, chunksize=1):
            results.append(generated)
            if progress:
                progress(generated)
    return results


@dataclass
class NewYear:
    """A rollover: the new plan file and its workbooks, all written or none.

    ``written`` is False when the new plan has errors (in ``problems``): then nothing was
    written, so a corrected re-run is never refused for a half-written folder.
    """

    rollover: Rollover
    plan_path: Path
    generated: list[Generated]
    problems: list[Problem]
    period: str
    written: bool


def write_new_year(plan: Plan, year: int, out_dir: Path, changes: ChangeSet | None = None,
                   *, per_office: bool = False, overwrite: bool = False,
                   period: str | None = None,
                   progress: Callable[[Generated], None] | None = None) -> NewYear:
    """Roll ``plan`` over to ``year`` and write the new plan and its workbooks in
    ``out_dir``, all or none (io/atomic.staged_folder); nothing is overwritten unless
    asked. ``plan`` carries the year's actuals (a master's held plan) so that they enter
    the history and the references of relative targets. The workbooks are for ``period``,
    by default the new year's first monitoring period: the next task of the offices."""
    rolled = roll_over(plan, year, changes)
    new = rolled.plan
    plan_path = out_dir / f"{new.id}.yaml"
    period = period or new.period_dates[0]
    problems = [*rolled.warnings, *validate_plan(new)]
    problems = [Problem(p.where.in_file(plan_path.name), p.message, p.severity, p.subject)
                for p in problems]
    if has_errors(problems):
        return NewYear(rolled, plan_path, [], problems, period, False)
    jobs = generation_jobs(new, out_dir, year=year, per_office=per_office, period=period)
    check_outputs(jobs, overwrite)
    if plan_path.exists() and not overwrite:
        raise OutputExistsError([plan_path])
    with staged_folder(out_dir) as stage:
        save_plan(new, stage / plan_path.name)
        staged = [replace(job, path=stage / job.path.relative_to(out_dir)) for job in jobs]
        generated = [replace(g, path=out_dir / g.path.relative_to(stage))
                     for g in run_jobs(staged, progress=progress)]
    return NewYear(rolled, plan_path, generated, problems, period, True)
