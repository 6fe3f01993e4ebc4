"""The demo: the product's main job end to end on the bundled example plans.

Generate every workbook (per plan and per office) for the year end, with sample values of
the intermediate monitoring (30/06) already consolidated in their locked columns, type the
actuals in as an office would, recalculate with LibreOffice when it is installed, and
compare every grade of every period with the engine's. A plan without actuals (the
strategic example) gets reproducible sample values, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from ..core.actuals import plan_with_typed, typed_from_plan
from ..core.model import Plan
from ..core.plan_checks import validate_plan
from ..core.problems import has_errors
from ..core.rollup import Node, evaluate
from ..core.vocabulary import counted, format_percent
from ..errors import UserError
from ..io.libreoffice import find_soffice, recalculate
from ..io.planfile import load_plan
from .filling import fill_workbook, sample_typed
from .generate import Job, generation_jobs, plan_files, run_jobs
from .verify import Mismatch, compare_with_engine


class DemoError(UserError):
    """The demo cannot run (no example plan, or an example with errors)."""


@dataclass
class DemoReport:
    summaries: list[tuple[Plan, Node, str]] = field(default_factory=list)
    workbooks: list[Path] = field(default_factory=list)
    recalculated: int | None = None
    compared: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def equal(self) -> bool | None:
        """True/False once recalculated; None when LibreOffice was not available."""
        return None if self.recalculated is None else not self.mismatches


def run_demo(examples: Path, out: Path, progress_console: Console | None = None) -> DemoReport:
    files = plan_files([examples])
    if not files:
        raise DemoError(f"{examples}: nessun piano di esempio trovato")
    report = DemoReport()
    jobs: list[Job] = []
    graded: dict[Path, tuple[Plan, str | None]] = {}
    typed_by_plan = {}
    for path in files:
        plan = load_plan(path)
        if has_errors(validate_plan(plan)):
            raise DemoError(f"{path}: il piano di esempio ha errori (cruscotto valida {path})")
        typed = typed_from_plan(plan, plan.year)
        notes = []
        if not typed:
            typed = sample_typed(plan, plan.year)
            notes.append(f"{path.name}: il piano non contiene consuntivi {plan.year}; "
                         "compilati valori di esempio riproducibili.")
        # The intermediate monitoring as if already consolidated: the year-end workbooks
        # show it in their locked columns, and LibreOffice grades it too.
        for period in plan.period_dates[:-1]:
            if not typed_from_plan(plan, plan.year, period):
                plan = plan_with_typed(plan, sample_typed(plan, plan.year, seed=plan.year,
                                                          period=period), plan.year, period)
                value = evaluate(plan, plan.year, period).grade.value
                shown = format_percent(value) if value is not None else "n.v."
                notes.append(f"Monitoraggio al {period} (valori di esempio, già consolidati "
                             f"e bloccati nelle cartelle): grado dell'ente {shown}.")
        plan_graded = plan_with_typed(plan, typed, plan.year)
        report.summaries.append((plan_graded, evaluate(plan_graded), "\n".join(notes)))
        plan_jobs = (generation_jobs(plan, out / "cartelle")
                     + generation_jobs(plan, out / "cartelle", per_office=True))
        for job in plan_jobs:
            graded[job.path] = (plan_graded, job.office)
            typed_by_plan[job.path] = typed
        jobs += plan_jobs

    with Progress(transient=True, console=progress_console) as progress:
        task = progress.add_task("Generazione e compilazione", total=len(jobs))
        for generated in run_jobs(jobs):
            fill_workbook(generated.path, typed_by_plan[generated.path])
            report.workbooks.append(generated.path)
            progress.advance(task)

    if find_soffice() is None:
        return report
    if progress_console:
        books = counted(len(report.workbooks), "cartella", "cartelle")
        progress_console.print(f"Ricalcolo di {books} con LibreOffice…")
    outputs = recalculate(report.workbooks, out / "ricalcolate")
    report.recalculated = len(outputs)
    for source, recalculated in outputs.items():
        plan, office = graded[source]
        result = compare_with_engine(recalculated, plan, office=office)
        report.compared += result.compared
        report.mismatches += result.mismatches
    return report
