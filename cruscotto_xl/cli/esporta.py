"""``cruscotto esporta``: the year's data of a workbook, a master or a plan as one tidy
table (CSV for Italian Excel, .xlsx or Parquet; docs/export.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..returns.table import check_level, export_table
from ..services.export import check_destination, write_table
from .options import JsonFlag, option, overwrite_option
from .output import console, print_error, print_json, print_problems, problem_data
from .policy import guarded, register


@guarded
def esporta(
    file: Annotated[Path, typer.Argument(
        help="Cartella Excel di un ufficio, cartella consolidata o piano (.yaml, .json)")],
    out: Annotated[Path, option(
        "--uscita", "File da scrivere: .csv (Excel italiano), .xlsx o .parquet")],
    livello: Annotated[str, option(
        "--livello", "indicatori: una riga per indicatore e periodo; tutti: anche "
                     "obiettivi operativi, strategici, ambiti ed ente; misure: una riga "
                     "per misura e periodo (i valori delle misure con codice); strutture: "
                     "il grado di ogni area e ufficio della struttura del piano, per "
                     "periodo")] = "indicatori",
    sovrascrivi: Annotated[bool, overwrite_option("Sostituisce il file --uscita se esiste "
                                                  "già")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Esporta i dati dell'anno come tabella: una riga per indicatore e periodo.

    Ente, anno, periodo, ambito, obiettivi, indicatore, uffici, unità, peso, target (testo
    e valore), riferimento, numeratore, denominatore, consuntivo, grado, valutazione,
    stato, nota, firma e file di origine (colonne in docs/export.md). Il CSV si apre in
    Excel italiano (separatore «;», virgola decimale, date gg/mm/aaaa) e rientra con
    «cruscotto audit PIANO --consuntivi FILE.csv». Con --livello strutture: una riga per
    area e ufficio della struttura del piano e periodo, con il loro grado.

    Esempio: [bold]cruscotto esporta cruscotto.xlsx --uscita dati-2024.csv[/]
    """
    level = check_level(livello)
    if out.exists() and not sovrascrivi:
        print_error(f"{out} esiste già: usare --sovrascrivi per sostituirlo, oppure un altro "
                    "--uscita")
        raise typer.Exit(1)
    check_destination(out)
    table = export_table(file, level)
    write_table(table, out)
    if level == "strutture":
        count = len({(r.livello, r.codice) for r in table.rows})
        counted = {"strutture": count}
        what = f"{count} strutture (aree e uffici)"
    elif level == "misure":
        count = len({r.codice for r in table.rows})
        counted = {"misure": count}
        what = f"{count} misure"
    else:
        count = len({r.codice for r in table.indicator_rows})
        counted = {"indicatori": count}
        what = f"{count} indicatori"
    if as_json:
        print_json({"file": str(file), "out": str(out), "ente": table.entity,
                    "anno": table.year, "periodi": table.periods, "righe": len(table.rows),
                    **counted, "problemi": problem_data(table.problems)})
        return
    if table.problems:
        print_problems(table.problems, f"Valori letti con avvisi in {file.name}")
    console.print(f"{escape(table.entity)} — {table.year}, periodi "
                  f"{escape(', '.join(table.periods))}: {what}, {len(table.rows)} "
                  f"righe (livello {escape(str(level))}).", highlight=False)
    console.print(f"Dati scritti in {escape(str(out))}", highlight=False)


def register_commands(app: typer.Typer) -> None:
    register(app, "esporta", esporta)
