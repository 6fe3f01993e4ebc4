"""``cruscotto importa {integra,tabella,pira}``: a typer sub-app, wired into the main command
with ``app.add_typer(importa_app, name="importa")``.

Each command reads a source, writes the plan file (``--uscita``, never over an existing file
without ``--sovrascrivi``), prints what the importer reported and a summary of what was
imported. The plan is written even when the source has errors, so the controller can fix it
there or in the source; the exit code is then 1 (docs/errors.md: 1 = problems in the user's
data).

Errors follow the command line's policy (:mod:`.policy`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..core.model import Plan
from ..core.tree import UNOWNED, plan_for_year, unowned_indicators
from ..core.vocabulary import counted, format_number
from ..importers.common import ImportFailed, ImportResult
from ..importers.integra import import_integra
from ..importers.pira.build import import_pira
from ..importers.tabella import import_table
from ..io.planfile import PLAN_SUFFIXES, PlanFileError, save_plan
from .italian import ItalianCommand, ItalianGroup
from .options import JsonFlag, option, overwrite_option, year_option
from .output import (
    Table,
    console,
    print_error,
    print_json,
    print_problems,
    problem_data,
    unowned_line,
)
from .policy import guarded

importa_app = typer.Typer(
    name="importa",
    help="Importa un piano da un export (Integra, PIRA) o da una tabella Excel/CSV e lo "
         "scrive come file di piano.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=ItalianGroup,
)

Source = Annotated[Path, typer.Argument(help="File da importare")]
Out = Annotated[Path, option("--uscita", "File del piano da scrivere (.yaml, .yml o "
                                                 ".json)")]
Year = Annotated[int | None, year_option("Anno del piano (predefinito: quello del file)")]
Entity = Annotated[str | None, option("--ente", "Nome dell'ente (predefinito: "
                                                           "quello del file)")]
Overwrite = Annotated[bool, overwrite_option("Sostituisce il file --uscita se esiste già")]


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
    formulas = sum(1 for s in slots if s.indicator.formula)
    if plan.measures or formulas:  # an indicator dictionary (docs/importa-pira.md)
        counts["misure"] = len(plan.measures)
        counts["indicatori_con_formula"] = formulas
    return counts


_LABELS = {"ambiti": "Ambiti", "obiettivi_strategici": "Obiettivi strategici",
           "obiettivi_operativi": "Obiettivi operativi", "indicatori": "Indicatori",
           "consuntivi": "Consuntivi", "indicatori_eliminati": "Indicatori eliminati",
           "misure": "Misure", "indicatori_con_formula": "Indicatori con formula sulle misure",
           "senza_ufficio": f"Indicatori senza ufficio («{UNOWNED}»)"}


def run_import(read: Callable[[], ImportResult], source: Path, out: Path, overwrite: bool,
               as_json: bool) -> None:
    """Import, write the plan, print problems and summary; exit 1 when there are errors."""
    if out.suffix.lower() not in PLAN_SUFFIXES:
        raise typer.BadParameter(f"«{out.name}»: il piano si scrive in .yaml, .yml o .json",
                                 param_hint="--uscita")
    if out.exists() and not overwrite:
        print_error(f"{out} esiste già: usare --sovrascrivi per sostituirlo, oppure un altro "
                    "--uscita")
        raise typer.Exit(1)
    try:
        result = read()
    except ImportFailed as exc:
        if as_json:
            print_json({"file": str(source), "piano": None,
                        "problemi": problem_data(exc.problems)})
        else:
            print_problems(exc.problems, f"{source}: importazione non riuscita")
            print_error(f"{source}: nessun piano importato")
        raise typer.Exit(1) from None
    try:
        save_plan(result.plan, out)
    except (PlanFileError, OSError) as exc:
        print_error(f"{out}: impossibile scrivere il piano ({exc})")
        raise typer.Exit(1) from None
    counts = summary(result.plan)
    errors = len(result.errors)
    if as_json:
        print_json({"file": str(source), "piano": str(out), "riepilogo": counts,
                    "problemi": problem_data(result.problems)})
    else:
        if result.problems:
            print_problems(result.problems, f"Problemi trovati in {source}")
        table = Table(title=f"Importato da {source.name}", title_justify="left")
        table.add_column("Elementi")
        table.add_column("Numero", justify="right")
        for key, n in counts.items():
            table.add_row(_LABELS[key], format_number(n, 0))
        console.print(table)
        console.print(unowned_line(counts["senza_ufficio"]), highlight=False)
        if errors:
            console.print(f"[red]Piano scritto in {escape(str(out))} con "
                          f"{counted(errors, 'errore', 'errori')} da correggere[/] "
                          f"({counted(len(result.warnings), 'avviso', 'avvisi')}).",
                          highlight=False)
        else:
            console.print(f"[green]Piano scritto in {escape(str(out))}[/] "
                          f"({counted(len(result.warnings), 'avviso', 'avvisi')}).",
                          highlight=False)
    raise typer.Exit(1 if errors else 0)


@importa_app.command("integra", cls=ItalianCommand)
@guarded
def integra(file: Source, out: Out, anno: Year = None, ente: Entity = None,
            sovrascrivi: Overwrite = False, as_json: JsonFlag = False) -> None:
    """Importa l'export «Obiettivi operativi con indicatori» (Integra).

    Albero degli obiettivi, indicatori, consuntivi e gradi pubblicati dell'anno.

    Esempio: [bold]cruscotto importa integra export.txt --uscita piano-2023.yaml[/]
    """
    run_import(lambda: import_integra(file, year=anno, entity=ente), file, out, sovrascrivi,
               as_json)


@importa_app.command("tabella", cls=ItalianCommand)
@guarded
def tabella(file: Source, out: Out, anno: Year = None, ente: Entity = None,
            sovrascrivi: Overwrite = False, as_json: JsonFlag = False) -> None:
    """Importa una tabella .xlsx o .csv con una riga per indicatore.

    Colonne come Ambito, Obiettivo strategico, Obiettivo operativo, Indicatore, Peso…,
    Target 2024…, Consuntivo 2023… (elenco completo in docs/tabella.md). I nomi delle
    colonne sono riconosciuti senza badare a maiuscole, accenti, spazi e sinonimi comuni; le
    colonne sconosciute e le righe fuori posto sono segnalate.

    Esempio: [bold]cruscotto importa tabella piano.xlsx --uscita piano-2024.yaml[/]
    """
    run_import(lambda: import_table(file, year=anno, entity=ente), file, out, sovrascrivi,
               as_json)


@importa_app.command("pira", cls=ItalianCommand)
@guarded
def pira(file: Source, out: Out, anno: Year = None, ente: Entity = None,
         sovrascrivi: Overwrite = False, as_json: JsonFlag = False) -> None:
    """Importa un piano strategico, un PIRA o un cruscotto strategico estratto da PDF o Word.

    Obiettivi strategici (codice, titolo, peso, risorse, descrizione, ambito, prospettiva BSC,
    missione e programma con i codici del D.M. 27/03/2013), indicatori (codice, nome,
    algoritmo e misure, unità, tipologia, peso, uffici responsabili), i target di ogni anno
    del documento e le modifiche del rolling annuale (Inserito / Aggiornato / Eliminato). Il
    testo può venire da pdftotext (con o senza -layout), da un copia-incolla da Word, da
    markdown o HTML. Anno ed ente, se non indicati, sono presi dal documento.

    Esempio: [bold]cruscotto importa pira piano.txt --ente "CCIAA di Lucca" --uscita piano.yaml[/]
    """
    run_import(lambda: import_pira(file, year=anno, entity=ente), file, out, sovrascrivi,
               as_json)
