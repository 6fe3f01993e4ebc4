"""``cruscotto audit PIANO``: the plan audit (:mod:`cruscotto_xl.core.audit`) on the command line.

:func:`audit_command` is a plain typer command under the command line's error policy
(:mod:`.policy`); the main command registers it as ``audit``, and :data:`audit_app` runs it
on its own (tests, scripts).

``PIANO`` is a plan file (.yaml, .yml, .json) or a flat table (.xlsx, .csv, read by the
``tabella`` importer, whose problems are reported too). ``--consuntivi FILE`` brings the
actuals from elsewhere before auditing: a plan file, a consolidated master or a returned
workbook (every period it holds), or a flat table (columns ``Codice indicatore``,
``Consuntivo 2023``, ``Valore numeratore 2023``… and ``Riferimento 2024``); they
are matched by indicator code and replace the plan's actual of the same year and period
(:func:`~cruscotto_xl.core.actuals.merge_actuals`); a code the plan lacks is an error.
``--xlsx`` writes the findings as a ``Controlli`` sheet in the style of the generated
workbooks.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
import xlsxwriter
from rich.markup import escape

from ..core.actuals import merge_actuals, plan_actuals
from ..core.audit import CHECKS, OWNERS, Finding, audit_findings
from ..core.model import Plan
from ..core.plan_checks import grouped
from ..core.problems import Problem, has_errors
from ..core.vocabulary import counted
from ..errors import UserError
from ..importers.tabella import TABLE_SUFFIXES, import_table, read_table_actuals
from ..io.planfile import PLAN_SUFFIXES, load_plan
from ..returns.consolidate import WORKBOOK_SUFFIXES
from ..returns.read import NotOurWorkbookError, read_workbook
from ..workbook.cells import row_height, write_text
from ..workbook.layout import SHEET_CHECKS
from ..workbook.styles import Styles
from .italian import ItalianGroup
from .options import JsonFlag, option, year_option
from .output import (
    Table,
    console,
    print_json,
    severity_style,
    styled,
    unowned_count,
    unowned_line,
)
from .policy import guarded, register

IMPORT = "Lettura dei file"
HEADERS = ("Gravità", "Controllo", "Dove", "Codice", "Problema")
TABLE_AUDIT = "crx_audit"


class AuditInputError(UserError):
    """A file the audit cannot use (one line, exit 1)."""


def _load(path: Path, year: int | None) -> tuple[Plan, list[Problem]]:
    """The plan to audit and the problems of reading it."""
    suffix = path.suffix.lower()
    if suffix in PLAN_SUFFIXES:
        return load_plan(path), []
    if suffix in TABLE_SUFFIXES:
        result = import_table(path, year=year)
        return result.plan, result.problems
    raise AuditInputError(f"{path}: formato non supportato (usare un piano .yaml/.json o una "
                          f"tabella .xlsx/.csv)")


def _with_actuals(plan: Plan, path: Path, year: int | None) -> tuple[Plan, list[Problem]]:
    """``plan`` with the actuals of ``path`` merged in (see the module docstring)."""
    suffix = path.suffix.lower()
    held = _workbook_plan(path) if suffix in WORKBOOK_SUFFIXES else None
    problems: list[Problem] = []
    if held is not None:
        actuals, references = plan_actuals(held)
    elif suffix in PLAN_SUFFIXES:
        actuals, references = plan_actuals(load_plan(path))
    elif suffix in TABLE_SUFFIXES:
        read = read_table_actuals(path, year=year or plan.year)
        actuals, references, problems = read.actuals, read.references, read.problems
    else:
        raise AuditInputError(f"{path}: formato dei consuntivi non supportato (usare un piano "
                              f".yaml/.json, una cartella principale o una tabella .xlsx/.csv)")
    merged, found = merge_actuals(plan, actuals, references, source=str(path))
    return merged, [_located(p, path) for p in problems] + found


def _workbook_plan(path: Path) -> Plan | None:
    """The plan with the values a workbook of ours holds (a master: every office and
    period), or None when ``path`` is not one (then it is read as a table)."""
    try:
        return read_workbook(path).held_plan()
    except NotOurWorkbookError:
        return None


def _located(problem: Problem, path: Path) -> Problem:
    return Problem(problem.where.in_file(path.name), problem.message, problem.severity,
                   problem.subject)


# --- output -------------------------------------------------------------------------------

def print_findings(findings: list[Finding], title: str) -> None:
    """The findings as a table; the indicators without an owner office on one line."""
    table = Table(title=title, title_justify="left")
    for header in HEADERS:
        table.add_column(header, overflow="fold")
    check_of = {id(f.problem): f.check for f in findings}
    for p in grouped([f.problem for f in findings]):
        f = Finding(check_of.get(id(p), OWNERS), p)
        p = f.problem
        table.add_row(styled(p.severity, severity_style(p.severity)), f.check, p.location,
                      p.subject, p.message)
    console.print(table)


SHEET_HEADERS = ("Controllo", "Gravità", "Codice", "Dove", "Problema")
_WIDTHS = (34, 10, 12, 50, 90)


def write_audit_xlsx(findings: list[Finding], path: Path | str, plan: Plan,
                     year: int | None = None) -> Path:
    """The findings as a ``Controlli`` sheet: counts per check, then one row per problem."""
    path = Path(path)
    buffer = io.BytesIO()      # written in one go below: a disk error leaves no open zip
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    try:
        st = Styles(wb)
        ws = wb.add_worksheet(SHEET_CHECKS)

        shown_year = year or plan.year
        write_text(ws, st, 0, 0, f"Audit del piano — {plan.entity} {shown_year}", "title")
        write_text(ws, st, 1, 0, f"Controlli eseguiti il {datetime.now():%d/%m/%Y %H:%M}", "label")
        counts = Counter((f.check, f.problem.severity) for f in findings)
        top = 3
        for c, header in enumerate(("Controllo", "Errori", "Avvisi")):
            ws.write_string(top, c, header, st.get("header"))
        for r, check in enumerate((*CHECKS, IMPORT), top + 1):
            write_text(ws, st, r, 0, check)
            ws.write_number(r, 1, counts[(check, "errore")], st.get("cell"))
            ws.write_number(r, 2, counts[(check, "avviso")], st.get("cell"))
        total = top + len(CHECKS) + 2
        ws.write_string(total, 0, "Totale", st.get("total"))
        for c, severity in ((1, "errore"), (2, "avviso")):
            ws.write_number(total, c, sum(n for (_, s), n in counts.items() if s == severity),
                            st.get("total"))
        for c, color in ((1, "rosso"), (2, "giallo")):
            ws.conditional_format(top + 1, c, total - 1, c, {
                "type": "cell", "criteria": ">", "value": 0, "format": st.conditional(color)})

        header = total + 2
        for r, f in enumerate(findings, header + 1):
            p = f.problem
            values = (f.check, p.severity, p.subject, p.location, p.message)
            for c, value in enumerate(values):
                write_text(ws, st, r, c, value)
            height = row_height(zip(values, _WIDTHS, strict=True))
            if height:
                ws.set_row(r, height)
        last = header + max(len(findings), 1)
        ws.add_table(header, 0, last, len(SHEET_HEADERS) - 1, {
            "name": TABLE_AUDIT, "style": st.table_style, "autofilter": True,
            "columns": [{"header": h, "header_format": st.get("header")}
                        for h in SHEET_HEADERS]})
        for severity, color in (("errore", "rosso"), ("avviso", "giallo")):
            ws.conditional_format(header + 1, 1, last, 1, {
                "type": "cell", "criteria": "==", "value": f'"{severity}"',
                "format": st.conditional(color)})
        if not findings:
            write_text(ws, st, header + 1, 4, "Nessun problema trovato")
        for c, width in enumerate(_WIDTHS):
            ws.set_column(c, c, width)
        ws.freeze_panes(header + 1, 0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(header)
        ws.set_header(("&C" + f"{plan.entity} — audit {shown_year}".replace("&", "&&"))[:255])
    finally:
        wb.close()
    path.write_bytes(buffer.getvalue())
    return path


# --- the command ----------------------------------------------------------------------------

@guarded
def audit_command(
    piano: Annotated[Path, typer.Argument(help="Piano (.yaml, .yml, .json) o tabella (.xlsx, "
                                               ".csv)")],
    consuntivi: Annotated[Path | None, option(
        "--consuntivi", "Piano, cartella principale consolidata o tabella da cui prendere "
                        "i consuntivi (abbinati per codice indicatore)")] = None,
    anno: Annotated[int | None, year_option(
        "Anno da controllare (predefinito: tutti gli anni)")] = None,
    xlsx: Annotated[Path | None, option(
        "--xlsx", "Scrive anche il foglio Controlli in questa cartella Excel")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Controlla la qualità di un piano ed elenca tutti i problemi.

    Pesi, codici doppi, target illeggibili o ambigui, consuntivi incoerenti con
    numeratore/denominatore, valori non plausibili (percentuali oltre 100 %), target meno
    sfidanti del consuntivo dell'anno prima, gradi pubblicati diversi da quelli calcolati.

    Esce con 1 se trova errori (gli avvisi non bloccano).

    Esempio: [bold]cruscotto audit piano-2023.yaml --xlsx audit.xlsx[/]
    """
    plan, read_problems = _load(piano, anno)
    read_problems = [_located(p, piano) for p in read_problems]
    if consuntivi is not None:
        plan, found = _with_actuals(plan, consuntivi, anno)
        read_problems += found
    findings = [Finding(IMPORT, p) for p in read_problems] + audit_findings(plan, anno)
    problems = [f.problem for f in findings]
    if xlsx is not None:
        try:
            write_audit_xlsx(findings, xlsx, plan, anno)
        except OSError as exc:
            raise UserError(f"{xlsx}: impossibile scrivere il file "
                            f"({exc.strerror or exc})") from None
    if as_json:
        print_json([{"controllo": f.check, **f.problem.as_dict()} for f in findings])
    else:
        if findings:
            print_findings(findings, f"Audit di {piano}")
        n_err = sum(p.severity == "errore" for p in problems)
        n_warn = len(problems) - n_err
        color = "red" if n_err else "yellow" if n_warn else "green"
        verdict = (f"{counted(n_err, 'errore', 'errori')} e {counted(n_warn, 'avviso', 'avvisi')}"
                   if problems else "nessun problema")
        checked = sum(1 for _ in plan.indicators())
        sheet = f" Foglio Controlli: {escape(str(xlsx))}" if xlsx else ""
        console.print(f"[{color}]{escape(str(piano))}: {verdict}[/] "
                      f"({counted(checked, 'indicatore controllato', 'indicatori controllati')})."
                      f"{sheet}", highlight=False)
        console.print(unowned_line(unowned_count(plan)), highlight=False)
    raise typer.Exit(1 if has_errors(problems) else 0)


audit_app = typer.Typer(name="audit", add_completion=False, rich_markup_mode="rich",
                        cls=ItalianGroup)
register(audit_app, "audit", audit_command)


def register_commands(app: typer.Typer) -> None:
    register(app, "audit", audit_command)
