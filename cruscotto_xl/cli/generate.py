"""``cruscotto genera``, ``nuovo-anno`` and ``demo``: workbooks from plans."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress

from ..core.model import Plan
from ..core.plan_checks import validate_plan
from ..core.problems import has_errors
from ..core.rollup import Node
from ..core.rules import valutazione
from ..core.tree import UNOWNED, unowned_text
from ..core.vocabulary import counted, format_number
from ..errors import UsageError, UserError
from ..io.planfile import load_changes, load_plan
from ..returns.consolidate import master_actuals
from ..services.generate import (
    Job,
    check_outputs,
    generation_jobs,
    individual_jobs,
    plan_files,
    run_jobs,
    write_new_year,
)
from ..workbook import Generated
from .options import (
    JsonFlag,
    PeriodOption,
    PerOffice,
    checked_period,
    checked_year,
    option,
    overwrite_option,
    year_option,
)
from .output import (
    Table,
    console,
    err_console,
    grade_text,
    print_json,
    print_problems,
    unowned_count,
)
from .policy import guarded, register

#: The bundled example plans (``examples/`` at the top of the repository).
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


@guarded
def genera(
    piani: Annotated[list[Path], typer.Argument(help="File di piano o cartelle che li contengono")],
    out: Annotated[Path, option("--uscita", "Cartella in cui scrivere le cartelle Excel")],
    anno: Annotated[int | None, year_option("Anno (predefinito: l'anno del piano)")] = None,
    per_ufficio: PerOffice = False,
    password: Annotated[str | None, option(
        "--password", "Password di protezione dei fogli (predefinito: nessuna)")] = None,
    sovrascrivi: Annotated[bool, overwrite_option("Rigenera anche i file già presenti")] = False,
    periodo: PeriodOption = None,
    consolidato: Annotated[Path | None, option(
        "--consolidato",
        "Cartella principale consolidata: i valori dei periodi già consolidati entrano "
        "bloccati nelle nuove cartelle")] = None,
    individuali: Annotated[bool, option(
        "--individuali", "Una scheda individuale per persona degli obiettivi_individuali "
                         "(solo i suoi dati), invece delle cartelle degli uffici")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Genera le cartelle Excel di uno o più piani: una per piano o una per ufficio.

    Ogni cartella ha i fogli Istruzioni, Riepilogo, un foglio per obiettivo, Validazione,
    Controlli. Si compila solo il periodo scelto (--periodo); gli altri periodi del piano
    sono mostrati bloccati, con i valori già consolidati (--consolidato).
    I piani con errori non vengono generati (esce con 1).

    Con --individuali scrive una scheda per ogni persona degli obiettivi_individuali: i
    suoi obiettivi con le celle gialle dei consuntivi, le componenti organizzative (gradi
    riportati da «consolida --individuali»), i comportamenti per il valutatore e il
    punteggio; nessun dato di altre persone.

    Esempio: [bold]cruscotto genera piano.yaml --uscita cartelle --per-ufficio --periodo 31/12
    --consolidato cruscotto.xlsx[/]
    """
    anno = checked_year(anno)
    files = plan_files(piani)
    if not files:
        raise UserError("nessun file di piano (.yaml, .yml, .json) da generare")
    if consolidato is not None and len(files) != 1:
        raise UsageError("--consolidato vale per un solo piano alla volta")
    jobs: list[Job] = []
    failed = False
    notes: list[str] = []
    for path in files:
        plan = load_plan(path)
        if consolidato is not None:
            plan = master_actuals(plan, consolidato, anno or plan.year)
        problems = validate_plan(plan, anno)
        if has_errors(problems):
            print_problems([p for p in problems if p.severity == "errore"],
                           f"{path}: piano non generato")
            failed = True
            continue
        if individuali:
            if per_ufficio:
                raise UsageError("--individuali e --per-ufficio non si usano insieme")
            found = individual_jobs(plan, out, year=anno, password=password,
                                    period=checked_period(plan, periodo))
            if not found:
                notes.append(f"{path}: nessuna scheda individuale da scrivere: il piano non "
                             f"ha obiettivi_individuali")
            jobs += found
            continue
        found = generation_jobs(plan, out, year=anno, per_office=per_ufficio,
                                password=password, period=checked_period(plan, periodo))
        if not found:
            notes.append(f"{path}: nessuna cartella da scrivere: il piano {anno or plan.year} "
                         f"non ha indicatori né uffici")
        jobs += found
        notes += _unowned_notes(plan, anno or plan.year, path, found, per_ufficio)
    check_outputs(jobs, sovrascrivi)
    for note in notes:
        err_console.print(note, highlight=False)
    if not jobs:
        raise UserError("nessuna cartella Excel scritta" + (
            ": i piani hanno errori da correggere" if failed else
            ": i piani non hanno obiettivi_individuali" if individuali else
            ": i piani non hanno indicatori né uffici"))
    _generate(jobs, out, as_json)
    raise typer.Exit(1 if failed else 0)


def _unowned_notes(plan: Plan, year: int, path: Path, jobs: list[Job],
                   per_office: bool) -> list[str]:
    """What ``genera`` says about the indicators without an owner office."""
    n = unowned_count(plan, year)
    if not n:
        return []
    if not per_office:
        return [f"{path}: {unowned_text(n)} (nella cartella del piano; "
                f"con --per-ufficio vanno nella cartella «{UNOWNED}»)."]
    file = next((j.path.name for j in jobs if j.office == UNOWNED), "")
    return [f"{path}: {unowned_text(n)} nella cartella «{UNOWNED}» "
            f"({file}), per il controllo di gestione: indicarne gli uffici nel piano, o un "
            f"ufficio_predefinito."]


def _generate(jobs: list[Job], out: Path, as_json: bool) -> None:
    """Write the workbooks with a progress bar and list them."""
    with Progress(transient=True, console=err_console) as progress:
        task = progress.add_task("Generazione", total=len(jobs))
        results = run_jobs(jobs, progress=lambda _: progress.advance(task))
    _list_generated(results, out, as_json)


def _list_generated(results: list[Generated], out: Path, as_json: bool) -> None:
    if as_json:
        print_json([{"file": str(g.path), "piano": g.plan_id, "anno": g.year,
                     "ufficio": g.office, "fogli_obiettivo": g.sheets,
                     "indicatori": g.indicators}
                    | ({"persona": g.person} if g.person else {}) for g in results])
    else:
        table = Table(title=f"Cartelle generate in {out}")
        people = any(g.person for g in results)
        table.add_column("Persona" if people else "Ufficio", overflow="fold", ratio=1)
        table.add_column("File", overflow="fold", ratio=2)
        for header in ("Fogli obiettivo", "Indicatori"):
            table.add_column(header, justify="right")
        for g in results:
            table.add_row((g.person if people else g.office) or "—", g.path.name,
                          format_number(g.sheets, 0), format_number(g.indicators, 0))
        console.print(table)


@guarded
def nuovo_anno(
    piano: Annotated[Path, typer.Argument(help="Piano dell'anno in corso (.yaml o .json)")],
    anno: Annotated[int, year_option("Anno del nuovo piano")],
    modifiche: Annotated[Path | None, option(
        "--modifiche",
        "File delle modifiche deliberate (Inserito / Aggiornato / Eliminato)")] = None,
    consolidato: Annotated[Path | None, option(
        "--consolidato",
        "Cartella principale consolidata dell'anno in corso: i suoi consuntivi entrano "
        "nello storico del nuovo piano e nei riferimenti dei target relativi")] = None,
    out: Annotated[Path | None, option(
        "--uscita", "Cartella del nuovo piano e delle cartelle Excel "
                      "(predefinita: cruscotto-ANNO accanto al piano)")] = None,
    per_ufficio: PerOffice = False,
    periodo: Annotated[str | None, option(
        "--periodo", "Periodo da compilare nelle nuove cartelle, gg/mm (predefinito: il "
                     "primo monitoraggio del nuovo anno, es. 30/06)")] = None,
    sovrascrivi: Annotated[bool, overwrite_option("Sostituisce i file già presenti")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Rolling annuale: il piano dell'anno successivo e le sue cartelle Excel.

    Codici, pesi e uffici restano; i target passano al nuovo anno (quelli già previsti dal
    piano pluriennale, altrimenti quelli dell'anno in corso) e gli anni dei target
    avanzano di un anno; i consuntivi dell'anno in corso (--consolidato) entrano nello
    storico e diventano riferimenti per i target relativi (x < x-1). Ogni indicatore
    modificato riceve una voce nello storico delle modifiche, mostrata nel foglio
    Istruzioni (a ogni ufficio le sole modifiche dei suoi indicatori). Si scrivono tutti i
    file o nessuno.

    Esempio: [bold]cruscotto nuovo-anno piano-2024.yaml --anno 2025 --consolidato
    cruscotto-2024.xlsx --modifiche delibera.yaml --per-ufficio[/]
    """
    anno = checked_year(anno)
    plan = load_plan(piano)
    if consolidato is not None:
        plan = master_actuals(plan, consolidato, plan.year)
    changes = load_changes(modifiche) if modifiche is not None else None
    out = out if out is not None else piano.parent / f"cruscotto-{anno}"
    period = checked_period(plan, periodo) if periodo is not None else None
    with Progress(transient=True, console=err_console) as progress:
        task = progress.add_task("Generazione", total=None)
        new = write_new_year(plan, anno, out, changes, per_office=per_ufficio,
                             overwrite=sovrascrivi, period=period,
                             progress=lambda _: progress.advance(task))
    rolled = new.rollover
    if not new.written:
        print_problems(new.problems, f"{new.plan_path.name}: piano {anno} con errori")
        raise UserError(f"nessun file scritto in {out}: correggere il piano {plan.year} o "
                        "il file delle modifiche e ripetere")
    warnings = [p for p in new.problems if p.severity != "errore"]
    if warnings:
        print_problems(warnings, f"Da verificare nel piano {anno} ({new.plan_path.name})")
    err_console.print(
        f"Piano {anno} scritto in {escape(str(new.plan_path))}: "
        f"{counted(len(rolled.changed), 'target aggiornato', 'target aggiornati')} dal piano "
        f"pluriennale, {counted(len(rolled.logged), 'modifica', 'modifiche')} dal file, "
        f"{counted(len(rolled.carried), 'target riportato', 'target riportati')} dall'anno "
        f"{plan.year}; cartelle per il "
        f"periodo {escape(str(new.period))}.", highlight=False)
    _list_generated(new.generated, out, as_json)


def summary_table(plan: Plan, root: Node, title: str,
                  levels: tuple[str, ...] = ("ente", "ambito", "os")) -> Table:
    """Ente → ambito → OS (→ OO) with weights and grades, as the demo prints it."""
    table = Table(title=title, title_justify="left")
    table.add_column("Livello", no_wrap=True, min_width=7)
    table.add_column("Codice", no_wrap=True, min_width=6)
    table.add_column("Titolo", max_width=44, overflow="ellipsis", no_wrap=True)
    table.add_column("Peso", justify="right", no_wrap=True, min_width=6)
    table.add_column("Grado", justify="right", no_wrap=True, min_width=9)
    table.add_column("Valutazione", no_wrap=True, min_width=22)
    indent = {"ente": "", "ambito": " ", "os": "  ", "oo": "   "}
    for node in root.walk():
        if node.level not in levels:
            continue
        code = "" if node.level == "ente" else node.code
        table.add_row(indent[node.level] + node.level.upper(), code, node.title,
                      f"{node.weight:.2f}".replace(".", ","),
                      grade_text(node.grade.value, node.grade.reason),
                      valutazione(node.grade, plan.policy.bands))
    return table


@guarded
def demo(
    out: Annotated[Path, option("--uscita", "Cartella dei file della dimostrazione")] =
    Path("cruscotto-demo"),
    esempi: Annotated[Path, option("--esempi", "Cartella dei piani di esempio")] =
    EXAMPLES_DIR,
) -> None:
    """Dimostrazione completa sugli esempi inclusi.

    Genera le cartelle Excel (per piano e per ufficio), le compila con i consuntivi come
    farebbe un ufficio, le ricalcola con LibreOffice (se installato) e stampa il riepilogo,
    dichiarando se i gradi calcolati dalle formule coincidono con quelli del motore Python.

    Esempio: [bold]cruscotto demo --uscita /tmp/demo[/]
    """
    from ..services.demo import run_demo  # openpyxl and LibreOffice only for the demo

    report = run_demo(esempi, out, progress_console=err_console)
    for plan, root, note in report.summaries:
        console.print(summary_table(plan, root, f"{plan.entity} — piano {plan.year}"))
        if note:
            console.print(f"[dim]{escape(str(note))}[/]")
    console.print(f"Cartelle generate: {format_number(len(report.workbooks), 0)} in "
                  f"{escape(str(out))}")
    if report.recalculated is None:
        console.print("[yellow]LibreOffice non è installato: formule non ricalcolate "
                      "(installare libreoffice-calc-nogui per il confronto).[/]")
    elif report.equal:
        console.print(f"[green]Gradi calcolati da LibreOffice = motore Python: sì[/] "
                      f"({counted(report.compared, 'valore confrontato', 'valori confrontati')}"
                      f" in {counted(report.recalculated, 'cartella', 'cartelle')}, "
                      f"tolleranza 1e-9).")
    else:
        console.print(f"[red]Gradi calcolati da LibreOffice diversi dal motore Python: "
                      f"{counted(len(report.mismatches), 'differenza', 'differenze')}.[/]")
        for m in report.mismatches[:20]:
            console.print(f"  {escape(str(m))}")
    raise typer.Exit(0 if report.equal in (True, None) else 1)


def register_commands(app: typer.Typer) -> None:
    register(app, "genera", genera)
    register(app, "nuovo-anno", nuovo_anno)
    register(app, "demo", demo)
