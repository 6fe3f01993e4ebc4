"""``cruscotto relazione``: the command of the performance report, kept beside the CLI.

:func:`relazione` is a plain typed function, so ``cli.py`` registers it with its own
helper, which adds the hidden English alias and turns the reader's errors into one line::

    from .report_cli import relazione
    command("relazione", "report")(relazione)

It turns its own errors (:class:`~cruscotto_xl.services.report.ReportError`, which the helper does
not know, and a refused or foreign workbook) into the same one-line message and exit code
1, so it also works registered on any typer app.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..core.vocabulary import format_percent
from ..returns.guard import UntrustedFileError
from ..returns.read import NotOurWorkbookError
from ..services.report import ReportError, build_report

console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)


def relazione(
    cartella: Annotated[Path, typer.Argument(
        help="Cartella Excel generata (di un ufficio o dell'intero piano) o cartella "
             "consolidata")],
    out: Annotated[Path, typer.Option(
        "--out", help="Cartella in cui scrivere relazione.html e relazione.pdf")],
    no_pdf: Annotated[bool, typer.Option(
        "--no-pdf", "--senza-pdf", help="Scrive solo la relazione HTML")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Risultato in JSON")] = False,
) -> None:
    """Relazione sulla performance (HTML stampabile in A4 e PDF) di una cartella Excel.

    Grado dell'ente (dell'ufficio, per la cartella di un ufficio), degli ambiti e degli
    obiettivi con i semafori; tabelle degli indicatori.

    Target, consuntivo, grado, valutazione e note; grafici, rilievi dell'audit, modifiche.

    I gradi sono quelli calcolati dalle formule della cartella.

    Una relazione già presente nella cartella di destinazione viene sostituita.

    Esempio: [bold]cruscotto relazione cruscotto.xlsx --out relazione/[/]
    """
    try:
        files = build_report(cartella, out, pdf=not no_pdf)
    except (ReportError, UntrustedFileError, NotOurWorkbookError) as exc:
        err_console.print(f"[red]Errore:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    grade = files.grade
    shown = format_percent(grade.value) if grade.value is not None else f"n.v. ({grade.reason})"
    if as_json:
        console.print_json(json.dumps({
            "html": str(files.html), "pdf": str(files.pdf) if files.pdf else None,
            "ente": files.entity, "ufficio": files.office, "anno": files.year,
            "grado_ente": grade.value,
            "valutazione": files.valutazione, "rilievi_audit": files.findings},
            ensure_ascii=False))
        return
    whose = f"grado dell'ufficio «{files.office}»" if files.office else "grado dell'ente"
    console.print(f"{files.entity} — {files.year}: {whose} {shown} "
                  f"({files.valutazione}); rilievi dell'audit: {files.findings}", highlight=False)
    console.print(f"Relazione scritta: {files.html}", highlight=False)
    if files.pdf:
        console.print(f"PDF scritto: {files.pdf}", highlight=False)
