"""``cruscotto relazione``: the performance report of a workbook (HTML, PDF, DOCX).

:func:`relazione` is a plain typer command under the command line's error policy
(:mod:`.policy`): a :class:`~cruscotto_xl.services.report.ReportError`, a refused or a
foreign workbook is one line and exit code 1, on the main command or on any typer app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..services.report import build_report
from .options import JsonFlag, option
from .output import console, grade_text, print_json
from .policy import guarded, register


@guarded
def relazione(
    cartella: Annotated[Path, typer.Argument(
        help="Cartella Excel generata (di un ufficio o dell'intero piano) o cartella "
             "consolidata")],
    out: Annotated[Path, option(
        "--uscita", "Cartella in cui scrivere relazione.html e relazione.pdf")],
    no_pdf: Annotated[bool, option("--senza-pdf", "Non scrive il PDF")] = False,
    formato: Annotated[list[str] | None, option(
        "--formato", "Formati oltre all'HTML, sempre scritto: pdf, docx (ripetibile: "
                     "--formato pdf --formato docx); senza --formato: HTML e PDF")] = None,
    periodo: Annotated[str | None, option(
        "--periodo", "Periodo della relazione (es. 30/06); predefinito: l'ultimo periodo "
                     "con valori")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Relazione sulla performance (HTML stampabile in A4, PDF, DOCX) di una cartella Excel.

    Grado dell'ente (dell'ufficio, per la cartella di un ufficio), degli ambiti e degli
    obiettivi con i semafori; tabelle degli indicatori.

    Target, consuntivo, grado, valutazione, ufficio e note; risorse per obiettivo e per
    missione e programma; andamento tra i periodi (variazioni in punti percentuali);
    qualità dei dati (uffici mancanti, cartelle non firmate, celle bloccate modificate,
    valori discordanti o letti con interpretazione); rilievi dell'audit, modifiche.

    I gradi sono quelli calcolati dalle formule della cartella.

    Una relazione già presente nella cartella di destinazione viene sostituita.

    Esempio: [bold]cruscotto relazione cruscotto.xlsx --uscita relazione/ --formato docx[/]
    """
    formats = {f.strip().lower() for f in formato} if formato else None
    files = build_report(cartella, out, pdf=not no_pdf, formats=formats, period=periodo)
    grade = files.grade
    shown = grade_text(grade.value, grade.reason)
    if as_json:
        print_json({
            "html": str(files.html), "pdf": str(files.pdf) if files.pdf else None,
            "docx": str(files.docx) if files.docx else None,
            "ente": files.entity, "ufficio": files.office, "anno": files.year,
            "periodo": files.period, "qualita_dati": files.quality,
            "grado_ente": grade.value,
            "valutazione": files.valutazione, "rilievi_audit": files.findings})
        return
    whose = (f"grado dell'ufficio «{escape(files.office)}»" if files.office
             else "grado dell'ente")
    console.print(f"{escape(files.entity)} — {files.year} al {escape(files.period)}: {whose} "
                  f"{shown} ({escape(str(files.valutazione))}); rilievi dell'audit: "
                  f"{files.findings}; segnalazioni sulla qualità dei dati: {files.quality}",
                  highlight=False)
    console.print(f"Relazione scritta: {escape(str(files.html))}", highlight=False)
    if files.pdf:
        console.print(f"PDF scritto: {escape(str(files.pdf))}", highlight=False)
    if files.docx:
        console.print(f"DOCX scritto: {escape(str(files.docx))}", highlight=False)


def register_commands(app: typer.Typer) -> None:
    register(app, "relazione", relazione)
