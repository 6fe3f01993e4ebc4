"""``cruscotto importa {integra,tabella,pira}``: a typer sub-app, wired into the main command
with ``app.add_typer(importa_app, name="importa")``.

Each command reads a source, writes the plan file (``--out``, never over an existing file
without ``--sovrascrivi``), prints what the importer reported and a summary of what was
imported. The plan is written even when the source has errors, so the controller can fix it
there or in the source; the exit code is then 1 (DESIGN §11: 1 = problems in the user's data).

The console and the problem table are the main command's (imported when a command runs, so
``cli.py`` can import this module at its top without an import cycle).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..core.model import Plan
from ..core.problems import Problem
from ..core.tree import UNOWNED, plan_for_year, unowned_indicators
from ..importers.common import ImportFailed, ImportResult
from ..importers.integra import import_integra
from ..importers.pira.build import import_pira
from ..importers.tabella import import_table
from ..io.planfile import PLAN_SUFFIXES, PlanFileError, save_plan

importa_app = typer.Typer(
    name="importa",
    help="Importa un piano da un export (Integra, PIRA) o da una tabella Excel/CSV e lo "
         "scrive come file di piano.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

Source = Annotated[Path, typer.Argument(help="File da importare")]
Out = Annotated[Path, typer.Option("--out", help="File del piano da scrivere (.yaml, .yml o "
                                                 ".json)")]
Year = Annotated[int | None, typer.Option("--anno", "--year",
                                          help="Anno del piano (predefinito: quello del file)")]
Entity = Annotated[str | None, typer.Option("--ente", help="Nome dell'ente (predefinito: "
                                                           "quello del file)")]
Overwrite = Annotated[bool, typer.Option("--sovrascrivi", "--overwrite",
                                         help="Sostituisce il file --out se esiste già")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Risultato in JSON")]


def summary(plan: Plan) -> dict[str, int]:
    """How much was imported: the counts a controller checks against the source."""
    objectives = [os_ for area in plan.areas for os_ in area.objectives]
    slots = list(plan.indicators())
    counts = {
        "ambiti": len(plan.areas),
        "obiettivi_strategici": len(objectives),
        "obiettivi_operativi": sum(len(os_.operational) for os_ in objectives),
        "indicatori": len(slots),
        "consuntivi": sum(len(s.indicator.actuals) for s in slots),
        "senza_ufficio": len(unowned_indicators(plan_for_year(plan, plan.year))),
    }
    if plan.removed:  # a rolling plan's history: indicators eliminated by a deliberation
        counts["indicatori_eliminati"] = len(plan.removed)
    return counts


_LABELS = {"ambiti": "Ambiti", "obiettivi_strategici": "Obiettivi strategici",
           "obiettivi_operativi": "Obiettivi operativi", "indicatori": "Indicatori",
           "consuntivi": "Consuntivi", "indicatori_eliminati": "Indicatori eliminati",
           "senza_ufficio": f"Indicatori senza ufficio («{UNOWNED}»)"}


def _problems_data(problems: list[Problem]) -> list[dict[str, str]]:
    return [p.as_dict() for p in problems]


def run_import(read: Callable[[], ImportResult], source: Path, out: Path, overwrite: bool,
               as_json: bool) -> None:
    """Import, write the plan, print problems and summary; exit 1 when there are errors."""
    from .main import console, err_console, print_problems, unowned_line

    if out.suffix.lower() not in PLAN_SUFFIXES:
        raise typer.BadParameter(f"«{out.name}»: il piano si scrive in .yaml, .yml o .json",
                                 param_hint="--out")
    if out.exists() and not overwrite:
        err_console.print(f"[red]Errore:[/] {out} esiste già: usare --sovrascrivi per "
                          f"sostituirlo, oppure un altro --out", highlight=False)
        raise typer.Exit(1)
    try:
        result = read()
    except ImportFailed as exc:
        if as_json:
            console.print_json(json.dumps({"file": str(source), "piano": None,
                                           "problemi": _problems_data(exc.problems)},
                                          ensure_ascii=False))
        else:
            print_problems(exc.problems, f"{source}: importazione non riuscita")
            err_console.print(f"[red]Errore:[/] {source}: nessun piano importato",
                              highlight=False)
        raise typer.Exit(1) from None
    try:
        save_plan(result.plan, out)
    except (PlanFileError, OSError) as exc:
        err_console.print(f"[red]Errore:[/] {out}: impossibile scrivere il piano ({exc})",
                          highlight=False)
        raise typer.Exit(1) from None
    counts = summary(result.plan)
    errors = len(result.errors)
    if as_json:
        console.print_json(json.dumps({"file": str(source), "piano": str(out),
                                       "riepilogo": counts,
                                       "problemi": _problems_data(result.problems)},
                                      ensure_ascii=False))
    else:
        if result.problems:
            print_problems(result.problems, f"Problemi trovati in {source}")
        table = Table(title=f"Importato da {source.name}", title_justify="left")
        table.add_column("Elementi")
        table.add_column("Numero", justify="right")
        for key, n in counts.items():
            table.add_row(_LABELS[key], str(n))
        console.print(table)
        console.print(unowned_line(counts["senza_ufficio"]), highlight=False)
        if errors:
            console.print(f"[red]Piano scritto in {out} con {errors} errori da correggere[/] "
                          f"({len(result.warnings)} avvisi).", highlight=False)
        else:
            console.print(f"[green]Piano scritto in {out}[/] ({len(result.warnings)} avvisi).",
                          highlight=False)
    raise typer.Exit(1 if errors else 0)


@importa_app.command("integra")
def integra(file: Source, out: Out, anno: Year = None, ente: Entity = None,
            sovrascrivi: Overwrite = False, as_json: JsonFlag = False) -> None:
    """Importa l'export «Obiettivi operativi con indicatori» (Integra).

    Albero degli obiettivi, indicatori, consuntivi e gradi pubblicati dell'anno.

    Esempio: [bold]cruscotto importa integra export.txt --out piano-2023.yaml[/]
    """
    run_import(lambda: import_integra(file, year=anno, entity=ente), file, out, sovrascrivi,
               as_json)


@importa_app.command("tabella")
def tabella(file: Source, out: Out, anno: Year = None, ente: Entity = None,
            sovrascrivi: Overwrite = False, as_json: JsonFlag = False) -> None:
    """Importa una tabella .xlsx o .csv con una riga per indicatore.

    Colonne come Ambito, Obiettivo strategico, Obiettivo operativo, Indicatore, Peso…,
    Target 2024…, Consuntivo 2023… (elenco completo in docs/tabella.md). I nomi delle
    colonne sono riconosciuti senza badare a maiuscole, accenti, spazi e sinonimi comuni; le
    colonne sconosciute e le righe fuori posto sono segnalate.

    Esempio: [bold]cruscotto importa tabella piano.xlsx --out piano-2024.yaml[/]
    """
    run_import(lambda: import_table(file, year=anno, entity=ente), file, out, sovrascrivi,
               as_json)


@importa_app.command("pira")
def pira(file: Source, out: Out, anno: Year = None, ente: Entity = None,
         sovrascrivi: Overwrite = False, as_json: JsonFlag = False) -> None:
    """Importa un piano strategico, un PIRA o un cruscotto strategico estratto da PDF o Word.

    Obiettivi strategici (codice, titolo, peso, risorse, descrizione, ambito, prospettiva BSC,
    missione e programma con i codici del D.M. 27/03/2013), indicatori (codice, nome,
    algoritmo e misure, unità, tipologia, peso, uffici responsabili), i target di ogni anno
    del documento e le modifiche del rolling annuale (Inserito / Aggiornato / Eliminato). Il
    testo può venire da pdftotext (con o senza -layout), da un copia-incolla da Word, da
    markdown o HTML. Anno ed ente, se non indicati, sono presi dal documento.

    Esempio: [bold]cruscotto importa pira piano.txt --ente "CCIAA di Lucca" --out piano.yaml[/]
    """
    run_import(lambda: import_pira(file, year=anno, entity=ente), file, out, sovrascrivi,
               as_json)
