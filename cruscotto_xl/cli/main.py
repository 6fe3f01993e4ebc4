"""The ``cruscotto`` command: thin typer commands that parse arguments, call the API, print.

Subcommands are Italian (DESIGN §11); the English spellings used in the issues
(``validate``, ``grade``) are hidden aliases. Exit codes: 0 success, 1 problems in the
user's data, 2 wrong usage. Errors are one readable line, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ..core.model import Plan, Policy
from ..core.plan_checks import grouped, validate_plan
from ..core.problems import Problem, has_errors
from ..core.rollover import RolloverError
from ..core.rollup import Node
from ..core.rules import event_deadline, grade, reference_target, valutazione
from ..core.targets import Kind, Polarity, Target, TargetError, format_target, parse_target
from ..core.tree import UNOWNED, plan_for_year, unowned_indicators, unowned_text
from ..core.vocabulary import (
    NumberError,
    excel_serial,
    format_date,
    format_number,
    format_percent,
    from_excel_serial,
    parse_actual,
    parse_date,
)
from ..io.libreoffice import RecalcError
from ..io.planfile import PlanFileError, load_changes, load_plan
from ..returns.consolidate import (
    RETURNED,
    WITH_PROBLEMS,
    Consolidation,
    MasterError,
    candidate_files,
    consolidate,
    master_actuals,
    write_master,
)
from ..returns.guard import UntrustedFileError
from ..returns.integrity import check_workbook
from ..returns.read import NotOurWorkbookError
from ..returns.refresh import RefreshError, refresh_workbook
from ..returns.sign import sign_workbook
from ..services.demo import DemoError, run_demo
from ..services.generate import (
    Job,
    OutputExistsError,
    check_outputs,
    generation_jobs,
    plan_files,
    prepare_new_year,
    run_jobs,
)
from ..services.reminders import write_reminders
from .addin import addin_app
from .audit import audit_command
from .importa import importa_app
from .report import relazione

app = typer.Typer(
    name="cruscotto",
    help="Cruscotto della performance: piani, cartelle Excel per ufficio, gradi di "
         "raggiungimento.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

# Options shared by several commands.
JsonFlag = Annotated[bool, typer.Option("--json", help="Risultato in JSON")]
ReferencePlan = Annotated[Path | None, typer.Option(
    "--piano", "--plan", help="Piano di riferimento (predefinito: quello nella cartella)")]
PeriodOption = Annotated[str | None, typer.Option(
    "--periodo", "--period",
    help="Periodo di monitoraggio gg/mm, es. 30/06 (predefinito: 31/12, fine anno)")]


def _period(plan: Plan, period: str | None) -> str:
    """The period asked for, checked against the plan's monitoring periods."""
    if period is None:
        return plan.period_dates[-1]
    if period not in plan.period_dates:
        raise UserDataError(f"periodo «{period}» non previsto dal piano {plan.id} "
                            f"(periodi: {', '.join(plan.period_dates)})")
    return period

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


class UserDataError(Exception):
    """A problem in the user's files or values: printed as one line, exit code 1."""


_USER_ERRORS = (PlanFileError, TargetError, NumberError, UserDataError, OutputExistsError,
                DemoError, RecalcError, RefreshError, UntrustedFileError, NotOurWorkbookError,
                RolloverError, MasterError)


def command(name: str, alias: str | None = None) -> Callable[[F], F]:
    """Register a command (and its hidden English alias); domain errors → one line, exit 1."""

    def register(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except _USER_ERRORS as exc:
                err_console.print(f"[red]Errore:[/] {exc}", highlight=False)
                raise typer.Exit(1) from None

        app.command(name, help=func.__doc__)(wrapper)
        if alias:
            app.command(alias, help=func.__doc__, hidden=True)(wrapper)
        return func

    return register


def _grade_text(value: float | None, reason: str | None) -> str:
    return format_percent(value) if value is not None else f"n.v. ({reason})"


def print_problems(problems: list[Problem], title: str) -> None:
    table = Table(title=title, show_lines=False)
    table.add_column("Gravità")
    table.add_column("Dove")
    table.add_column("Codice")
    table.add_column("Problema")
    for p in problems:
        style = "red" if p.severity == "errore" else "yellow"
        table.add_row(f"[{style}]{p.severity}[/]", p.location, p.subject, p.message)
    console.print(table)


def _problems_json(problems: list[Problem]) -> str:
    return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2)


def unowned_count(plan: Plan, year: int | None = None) -> int:
    """How many indicators of ``year`` go to the «Senza ufficio» workbook."""
    return len(unowned_indicators(plan_for_year(plan, year or plan.year)))


def unowned_line(n: int, where: str = "") -> str:
    """The sentence every command prints about the indicators without an owner office."""
    prefix = f"{where}: " if where else ""
    if n == 0:
        return f"{prefix}nessun indicatore senza ufficio responsabile."
    return (f"{prefix}{unowned_text(n)}: nella cartella "
            f"«{UNOWNED}», per il controllo di gestione (indicarne gli uffici nel piano, o un "
            f"ufficio_predefinito).")


@command("valida", "validate")
def valida(
    piano: Annotated[Path, typer.Argument(help="File del piano (.yaml, .yml o .json)")],
    as_json: JsonFlag = False,
) -> None:
    """Controlla un piano (pesi, codici, target) ed elenca tutti i problemi insieme.

    Esce con 1 se ci sono errori, 0 se il piano è valido (gli avvisi non bloccano).

    Esempio: [bold]cruscotto valida examples/piano-strategico-2024.yaml[/]
    """
    plan = load_plan(piano)
    problems = validate_plan(plan)
    if as_json:
        console.print_json(_problems_json(problems))
    elif problems:
        print_problems(grouped(problems), f"Problemi in {piano}")
    errors = has_errors(problems)
    if not as_json:
        if errors:
            n = sum(p.severity == "errore" for p in problems)
            console.print(f"[red]{piano}: {n} errori da correggere.[/]")
        else:
            console.print(f"[green]{piano}: piano valido[/] ({sum(1 for _ in plan.indicators())} "
                          f"indicatori, {len(problems)} avvisi).")
        console.print(unowned_line(unowned_count(plan)), highlight=False)
    raise typer.Exit(1 if errors else 0)


@command("grado", "grade")
def grado(
    target: Annotated[str, typer.Option("--target", help="Testo del target, es. \">= 70,00 %\"")],
    consuntivo: Annotated[str | None, typer.Option(
        "--consuntivo", "--actual", help="Valore rilevato: 63 %, 1.234,5, 15/01/2024, Sì")] = None,
    verso: Annotated[Polarity | None, typer.Option(
        "--verso", help="Verso dell'indicatore, per i target senza operatore e il "
                        "«mantenimento»")] = None,
    riferimento: Annotated[str | None, typer.Option(
        "--riferimento", help="Valore di riferimento per i target relativi (es. il consuntivo "
                              "dell'anno precedente, la baseline, la media cluster)")] = None,
    data_evento: Annotated[str | None, typer.Option(
        "--data-evento", "--event-date",
        help="Data dell'evento da cui decorre il termine (es. «entro 30 gg dalla richiesta»: "
             "la data della richiesta), gg/mm/aaaa")] = None,
    anno: Annotated[int | None, typer.Option(
        "--anno", "--year", help="Anno del target, per le date scritte senza anno "
                                 "(«entro il 30 giugno»)")] = None,
    soglia: Annotated[str | None, typer.Option(
        "--soglia", help="Soglia minima sotto cui il grado è 0, es. 50 %")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Calcola il grado di raggiungimento di un consuntivo rispetto a un target.

    Stampa il target letto, il grado, la valutazione e la regola applicata. I target
    relativi vogliono il valore di riferimento (--riferimento), i termini che decorrono da
    un evento la data dell'evento (--data-evento) e come consuntivo la data di realizzazione.

    Esempio: [bold]cruscotto grado --target "<= -10,00 gg" --consuntivo -5[/]

    Esempio: [bold]cruscotto grado --target "entro 30 gg dalla richiesta" --data-evento
    15/01/2024 --consuntivo 10/02/2024[/]
    """
    parsed = parse_target(target, verso, anno)
    actual = parse_actual(consuntivo) if consuntivo is not None else None
    reference = _number_option(riferimento)
    event = parse_date(data_evento) if data_evento is not None else None
    threshold = _number_option(soglia)
    policy = Policy()
    result = grade(actual, parsed, policy, reference=reference, event=event,
                   threshold=threshold)
    band = valutazione(result, policy.bands)
    computed = _computed_target(parsed, reference, event)
    if as_json:
        console.print_json(json.dumps({
            "target": format_target(parsed), "tipo": parsed.kind.value, "operatore": parsed.op,
            "valore": parsed.value, "unita": parsed.unit, "riferimento": reference,
            "data_evento": event, "target_calcolato": computed, "grado": result.value,
            "motivo": result.reason, "regola": result.rule, "valutazione": band,
        }, ensure_ascii=False, default=str))
        return
    table = Table(show_header=False, box=None)
    table.add_row("Target", f"{format_target(parsed)}  [dim]({parsed.kind.value})[/]")
    if reference is not None:
        table.add_row("Riferimento", _plain_number(reference))
    if event is not None:
        table.add_row("Data evento", format_date(event))
    if computed is not None:
        label = "Scadenza calcolata" if isinstance(computed, date) else "Target calcolato"
        table.add_row(label, format_date(computed) if isinstance(computed, date)
                      else _plain_number(computed))
    table.add_row("Consuntivo", "—" if actual is None else str(consuntivo))
    table.add_row("Grado", f"[bold]{_grade_text(result.value, result.reason)}[/]")
    table.add_row("Valutazione", band)
    table.add_row("Regola", result.rule)
    console.print(table)


def _computed_target(target: Target, reference: float | None,
                     event: date | None) -> float | date | None:
    """The value a relative target asks for, or the last day of a term from an event."""
    if target.kind is Kind.RELATIVE and reference is not None and target.offset is not None:
        return reference_target(reference, target)
    if target.kind is Kind.EVENT_DEADLINE and event is not None:
        return from_excel_serial(event_deadline(float(excel_serial(event)), target))
    return None


def _plain_number(value: float) -> str:
    """An Italian number with the decimals it needs (up to 6): 105, 1.234,5."""
    return format_number(value, 6).rstrip("0").rstrip(",")


def _number_option(text: str | None) -> float | None:
    if text is None:
        return None
    value = parse_actual(text)
    if not isinstance(value, float):
        raise UserDataError(f"«{text}» non è un numero")
    return value


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
                      _grade_text(node.grade.value, node.grade.reason),
                      valutazione(node.grade, plan.policy.bands))
    return table


@command("genera", "generate")
def genera(
    piani: Annotated[list[Path], typer.Argument(help="File di piano o cartelle che li contengono")],
    out: Annotated[Path, typer.Option("--out", help="Cartella in cui scrivere le cartelle Excel")],
    anno: Annotated[int | None, typer.Option("--anno", "--year",
                                             help="Anno (predefinito: l'anno del piano)")] = None,
    per_ufficio: Annotated[bool, typer.Option(
        "--per-ufficio", "--per-office", help="Una cartella per ogni ufficio responsabile"),
    ] = False,
    password: Annotated[str | None, typer.Option(
        "--password", help="Password di protezione dei fogli (predefinito: nessuna)")] = None,
    sovrascrivi: Annotated[bool, typer.Option(
        "--sovrascrivi", "--overwrite", help="Rigenera anche i file già presenti")] = False,
    periodo: PeriodOption = None,
    consolidato: Annotated[Path | None, typer.Option(
        "--consolidato", "--master",
        help="Cartella principale consolidata: i valori dei periodi già consolidati entrano "
             "bloccati nelle nuove cartelle")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Genera le cartelle Excel di uno o più piani: una per piano o una per ufficio.

    Ogni cartella ha i fogli Istruzioni, Riepilogo, un foglio per obiettivo, Validazione,
    Controlli. Si compila solo il periodo scelto (--periodo); gli altri periodi del piano
    sono mostrati bloccati, con i valori già consolidati (--consolidato).
    I piani con errori non vengono generati (esce con 1).

    Esempio: [bold]cruscotto genera piano.yaml --out cartelle --per-ufficio --periodo 31/12
    --consolidato cruscotto.xlsx[/]
    """
    files = plan_files(piani)
    if not files:
        raise UserDataError("nessun file di piano (.yaml, .yml, .json) da generare")
    if consolidato is not None and len(files) != 1:
        raise UserDataError("--consolidato vale per un solo piano alla volta")
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
        found = generation_jobs(plan, out, year=anno, per_office=per_ufficio,
                                password=password, period=_period(plan, periodo))
        if not found:
            notes.append(f"{path}: nessuna cartella da scrivere: il piano {anno or plan.year} "
                         f"non ha indicatori né uffici")
        jobs += found
        notes += _unowned_notes(plan, anno or plan.year, path, found, per_ufficio)
    check_outputs(jobs, sovrascrivi)
    for note in notes:
        err_console.print(note, highlight=False)
    if not jobs:
        raise UserDataError("nessuna cartella Excel scritta" + (
            ": i piani hanno errori da correggere" if failed else
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
    if as_json:
        console.print_json(json.dumps([{"file": str(g.path), "piano": g.plan_id, "anno": g.year,
                                        "ufficio": g.office, "fogli_obiettivo": g.sheets,
                                        "indicatori": g.indicators} for g in results],
                                      ensure_ascii=False))
    else:
        table = Table(title=f"Cartelle generate in {out}")
        for header in ("File", "Ufficio", "Fogli obiettivo", "Indicatori"):
            table.add_column(header)
        for g in results:
            table.add_row(g.path.name, g.office or "—", str(g.sheets), str(g.indicators))
        console.print(table)


@command("nuovo-anno", "new-year")
def nuovo_anno(
    piano: Annotated[Path, typer.Argument(help="Piano dell'anno in corso (.yaml o .json)")],
    anno: Annotated[int, typer.Option("--anno", "--year", help="Anno del nuovo piano")],
    modifiche: Annotated[Path | None, typer.Option(
        "--modifiche", "--changes",
        help="File delle modifiche deliberate (Inserito / Aggiornato / Eliminato)")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Cartella del nuovo piano e delle cartelle Excel "
                      "(predefinita: cruscotto-ANNO accanto al piano)")] = None,
    per_ufficio: Annotated[bool, typer.Option(
        "--per-ufficio", "--per-office", help="Una cartella per ogni ufficio responsabile"),
    ] = False,
    sovrascrivi: Annotated[bool, typer.Option(
        "--sovrascrivi", "--overwrite", help="Sostituisce i file già presenti")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Rolling annuale: il piano dell'anno successivo e le sue cartelle Excel.

    Codici, pesi e uffici restano; i target passano al nuovo anno (quelli già previsti dal
    piano pluriennale, altrimenti quelli dell'anno in corso); i consuntivi dell'anno in corso
    diventano riferimenti per i target relativi (x < x-1). Ogni indicatore modificato riceve
    una voce nello storico delle modifiche, mostrata nel foglio Istruzioni.

    Esempio: [bold]cruscotto nuovo-anno piano-2024.yaml --anno 2025 --modifiche delibera.yaml[/]
    """
    plan = load_plan(piano)
    changes = load_changes(modifiche) if modifiche is not None else None
    out = out if out is not None else piano.parent / f"cruscotto-{anno}"
    new = prepare_new_year(plan, anno, out, changes, per_office=per_ufficio,
                           overwrite=sovrascrivi)
    rolled = new.rollover
    err_console.print(f"Piano {anno} scritto in {new.plan_path}: {len(rolled.changed)} target "
                      f"aggiornati dal piano pluriennale, {len(rolled.logged)} modifiche dal "
                      f"file, {len(rolled.carried)} target riportati dall'anno {plan.year}.")
    if has_errors(new.problems):
        print_problems([p for p in new.problems if p.severity == "errore"],
                       f"{new.plan_path}: cartelle non generate, correggere il piano")
        raise typer.Exit(1)
    _generate(new.jobs, out, as_json)


@command("demo")
def demo(
    out: Annotated[Path, typer.Option("--out", help="Cartella dei file della dimostrazione")] =
    Path("cruscotto-demo"),
    esempi: Annotated[Path, typer.Option("--esempi", help="Cartella dei piani di esempio")] =
    EXAMPLES_DIR,
) -> None:
    """Dimostrazione completa sugli esempi inclusi.

    Genera le cartelle Excel (per piano e per ufficio), le compila con i consuntivi come
    farebbe un ufficio, le ricalcola con LibreOffice (se installato) e stampa il riepilogo,
    dichiarando se i gradi calcolati dalle formule coincidono con quelli del motore Python.

    Esempio: [bold]cruscotto demo --out /tmp/demo[/]
    """
    report = run_demo(esempi, out, progress_console=err_console)
    for plan, root, note in report.summaries:
        console.print(summary_table(plan, root, f"{plan.entity} — piano {plan.year}"))
        if note:
            console.print(f"[dim]{note}[/]")
    console.print(f"Cartelle generate: {len(report.workbooks)} in {out}")
    if report.recalculated is None:
        console.print("[yellow]LibreOffice non è installato: formule non ricalcolate "
                      "(installare libreoffice-calc-nogui per il confronto).[/]")
    elif report.equal:
        console.print(f"[green]Gradi calcolati da LibreOffice = motore Python: sì[/] "
                      f"({report.compared} valori confrontati in {report.recalculated} "
                      f"cartelle, tolleranza 1e-9).")
    else:
        console.print(f"[red]Gradi calcolati da LibreOffice diversi dal motore Python: "
                      f"{len(report.mismatches)} differenze.[/]")
        for m in report.mismatches[:20]:
            console.print(f"  {m}")
    raise typer.Exit(0 if report.equal in (True, None) else 1)


def _optional_plan(path: Path | None) -> Plan | None:
    return load_plan(path) if path is not None else None


@command("ricalcola")
def ricalcola(
    cartelle: Annotated[list[Path], typer.Argument(help="Cartelle Excel da ricalcolare")],
    piano: ReferencePlan = None,
    periodo: Annotated[str | None, typer.Option(
        "--periodo", "--period",
        help="Ricalcola solo le cartelle di questo periodo (gg/mm); le altre sono "
             "segnalate e lasciate come sono")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Ricalcola gradi, riepilogo e controlli nella stessa cartella, senza toccare i dati.

    I valori inseriti, i fogli aggiunti, i commenti e la formattazione restano come sono;
    il file originale è salvato come copia .bak. Rifiuta file aperti in Excel, estranei
    o con target, pesi o formule modificati, o (con --periodo) di un altro periodo.

    Esempio: [bold]cruscotto ricalcola cartelle/*.xlsx --periodo 30/06[/]
    """
    plan = _optional_plan(piano)
    rows, failed = [], False
    for path in cartelle:
        try:
            result = refresh_workbook(path, plan, period=periodo)
        except (RefreshError, UntrustedFileError, NotOurWorkbookError) as exc:
            failed = True
            rows.append({"file": str(path), "esito": "rifiutato", "motivo": str(exc),
                         "problemi": [str(p) for p in getattr(exc, "problems", [])]})
            continue
        except Exception as exc:  # one unreadable file must not stop the others
            failed = True
            rows.append({"file": str(path), "esito": "rifiutato", "problemi": [],
                         "motivo": f"{path.name}: file illeggibile ({type(exc).__name__})"})
            continue
        rows.append({"file": str(path), "esito": "aggiornato" if result.changed else
                     "già aggiornato", "celle": result.cells,
                     "copia": str(result.backup) if result.backup else None,
                     "problemi": [str(p) for p in result.problems]})
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
    else:
        table = Table(title="Ricalcolo")
        for header in ("File", "Esito", "Dettagli"):
            table.add_column(header)
        for row in rows:
            detail = row.get("motivo") or (f"{row['celle']} celle; copia: {row['copia']}"
                                           if row.get("copia") else f"{row['celle']} celle")
            table.add_row(Path(row["file"]).name, row["esito"], str(detail))
        console.print(table)
        for row in rows:
            for problem in row["problemi"]:
                console.print(f"  {problem}", highlight=False)
    raise typer.Exit(1 if failed else 0)


@command("controlla")
def controlla(
    percorsi: Annotated[list[Path], typer.Argument(help="Cartelle Excel o cartelle di file")],
    piano: ReferencePlan = None,
    as_json: JsonFlag = False,
) -> None:
    """Controlla le cartelle restituite: file sicuri, piano e anno giusti, dati bloccati
    integri, valori inseriti plausibili. Esce con 1 se trova errori.

    Esempio: [bold]cruscotto controlla ritorni/ --piano piano.yaml[/]
    """
    plan = _optional_plan(piano)
    files: list[Path] = []
    for path in percorsi:
        if path.is_dir():
            found, _ = candidate_files(path, set())
            files += found
        else:
            files.append(path)
    problems: list[Problem] = []
    for path in files:
        problems += check_workbook(path, plan)[1]
    if as_json:
        console.print_json(_problems_json(problems))
    elif problems:
        print_problems(problems, f"Controlli su {len(files)} file")
    else:
        console.print(f"[green]Nessun problema in {len(files)} file.[/]")
    raise typer.Exit(1 if has_errors(problems) else 0)


def _read_returns(cartella: Path, plan: Plan, anno: int | None, periodo: str | None,
                  skip: Path | None) -> Consolidation:
    """The returned workbooks of ``cartella`` read for one period, with a progress bar
    (``skip``: the master, which is not an office's)."""
    if not cartella.is_dir():
        raise UserDataError(f"{cartella}: non è una cartella")
    period = _period(plan, periodo)
    exclude = {skip} if skip is not None else set()
    files, _ = candidate_files(cartella, {p.resolve() for p in exclude})
    with Progress(transient=True, console=err_console) as progress:
        task = progress.add_task("Lettura", total=len(files))
        return consolidate(cartella, plan, year=anno, period=period, exclude=exclude,
                           progress=lambda _: progress.advance(task))


def _none_accepted(result: Consolidation) -> bool:
    """No returned file was read into the result (wrong folder or period)."""
    return not any(s.state in (RETURNED, WITH_PROBLEMS) for s in result.statuses)


@command("consolida")
def consolida(
    cartella: Annotated[Path, typer.Argument(help="Cartella con le cartelle Excel degli uffici")],
    piano: Annotated[Path, typer.Option("--piano", "--plan", help="File del piano")],
    out: Annotated[Path, typer.Option("--out", help="Cartella Excel principale da scrivere")],
    anno: Annotated[int | None, typer.Option("--anno", "--year", help="Anno")] = None,
    periodo: PeriodOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Consolida le cartelle degli uffici nella cartella principale (aggiornata sul posto).

    Segnala uffici mancanti, valori mancanti, valori discordanti tra uffici (nessuno scelto),
    cartelle non firmate o modificate dopo la firma, dati bloccati modificati, anno, periodo
    o versione sbagliati, file rifiutati perché non sicuri. Se la cartella principale esiste
    già, ne tiene i valori degli altri periodi e lo «Storico valori», a cui aggiunge una
    riga per ogni valore cambiato.

    Esempio: [bold]cruscotto consolida ritorni/ --piano piano.yaml --out cruscotto.xlsx
    --periodo 30/06[/]
    """
    plan = load_plan(piano)
    result = _read_returns(cartella, plan, anno, periodo, out)
    if _none_accepted(result):
        print_problems(result.problems, "Problemi del consolidamento")
        raise UserDataError(f"nessuna cartella accettata in {cartella} per il {result.period}/"
                            f"{result.year}: {out.name} non modificata")
    backup = write_master(result, out)
    errors = has_errors(result.problems)
    if as_json:
        console.print_json(json.dumps({
            "master": str(out), "copia": str(backup) if backup else None,
            "periodo": result.period,
            "uffici": [{"ufficio": s.office, "stato": s.state, "file": s.file,
                        "valori_mancanti": s.missing_values, "problemi": s.problems,
                        "firma": s.signoff} for s in result.statuses],
            "senza_ufficio": result.unowned,
            "problemi": [p.as_dict() for p in result.problems]}, ensure_ascii=False, default=str))
    else:
        table = Table(title=f"Stato uffici al {result.period} ({result.files} file letti)")
        for header in ("Ufficio", "Stato", "File", "Mancanti", "Problemi", "Firma"):
            table.add_column(header)
        for s in result.statuses:
            table.add_row(s.office, s.state, s.file, str(s.missing_values), str(s.problems),
                          s.signoff or "—")
        console.print(table)
        if result.problems:
            print_problems(result.problems, "Problemi del consolidamento")
        if result.unowned:
            state = next((s.state for s in result.statuses if s.office == UNOWNED), "")
            console.print(f"{unowned_text(result.unowned)}: cartella "
                          f"«{UNOWNED}» {state}.", highlight=False)
        console.print(f"Cartella principale scritta: {out}" + (f" (copia: {backup})"
                                                                if backup else ""))
    raise typer.Exit(1 if errors else 0)


@command("firma", "sign")
def firma(
    cartella: Annotated[Path, typer.Argument(help="Cartella Excel dell'ufficio da firmare")],
    responsabile: Annotated[str | None, typer.Option(
        "--responsabile", help="Nome di chi conferma (predefinito: quello nel foglio "
                               "Validazione)")] = None,
    ruolo: Annotated[str | None, typer.Option("--ruolo", help="Ruolo di chi conferma")] = None,
    data: Annotated[str | None, typer.Option(
        "--data", help="Data della conferma gg/mm/aaaa (predefinita: quella nel foglio, "
                       "altrimenti oggi)")] = None,
    conferma: Annotated[bool, typer.Option(
        "--conferma", help="Conferma i dati (equivale a «Confermo i dati: Sì»)")] = False,
) -> None:
    """Firma la cartella di un ufficio: registra chi conferma i dati e l'impronta dei valori.

    Scrive solo il foglio Validazione (copia .bak dell'originale). Se dopo la firma un
    valore cambia, il consolidamento segnala «modificata dopo la firma».

    Esempio: [bold]cruscotto firma ufficio.xlsx --responsabile "Anna Neri" --ruolo
    Dirigente --conferma[/]
    """
    when = parse_date(data) if data else None
    result = sign_workbook(cartella, signer=responsabile, role=ruolo, when=when,
                           confirm=conferma)
    s = result.signature
    console.print(f"[green]{cartella.name} firmata[/] da {s.signer}"
                  f"{f' ({s.role})' if s.role else ''} il {format_date(s.when)}"
                  + (f"; copia: {result.backup.name}" if result.backup else
                     " (era già firmata così)"), highlight=False)


@command("solleciti", "reminders")
def solleciti(
    cartella: Annotated[Path, typer.Argument(help="Cartella con le cartelle restituite")],
    piano: Annotated[Path, typer.Option("--plan", "--piano", help="File del piano")],
    out: Annotated[Path, typer.Option("--out", help="Cartella in cui scrivere i .eml")],
    anno: Annotated[int | None, typer.Option("--anno", "--year", help="Anno")] = None,
    periodo: PeriodOption = None,
    mittente: Annotated[str | None, typer.Option(
        "--mittente", help="Indirizzo del mittente (predefinito: nessuno, lo mette il "
                           "programma di posta)")] = None,
    sovrascrivi: Annotated[bool, typer.Option(
        "--sovrascrivi", "--overwrite", help="Sostituisce i solleciti già scritti")] = False,
    consolidato: Annotated[Path | None, typer.Option(
        "--consolidato", "--master",
        help="Cartella principale: le cartelle allegate mostrano i periodi già consolidati")
    ] = None,
) -> None:
    """Scrive una bozza di e-mail (.eml) per ogni ufficio con dati mancanti, cartella non
    restituita, non firmata o modificata dopo la firma. Non invia nulla.

    Ogni bozza è indirizzata all'e-mail dell'ufficio indicata nel piano ed elenca foglio,
    cella, indicatore e periodo di ogni dato mancante; a chi non ha restituito la cartella
    allega quella da compilare.

    Esempio: [bold]cruscotto solleciti ritorni/ --plan piano.yaml --out solleciti/[/]
    """
    plan = load_plan(piano)
    if consolidato is not None:
        plan = master_actuals(plan, consolidato, anno or plan.year)
    result = _read_returns(cartella, plan, anno, periodo, consolidato)
    if result.files and _none_accepted(result):
        print_problems(result.problems, "Problemi delle cartelle")
        raise UserDataError(f"nessuna cartella di {cartella} accettata per il {result.period}/"
                            f"{result.year} (periodo giusto? --periodo): nessun sollecito "
                            "scritto")
    written = write_reminders(result, plan, out, overwrite=sovrascrivi, sender=mittente)
    if result.unowned:
        unowned = next((r for r in written if r.office == UNOWNED), None)
        console.print(f"{unowned_text(result.unowned)} (cartella "
                      f"«{UNOWNED}»): " + (
                          f"sollecito senza destinatario per il controllo di gestione, "
                          f"{len(unowned.missing)} dati mancanti." if unowned is not None else
                          "nessun dato mancante."), highlight=False)
    if not written:
        console.print(f"[green]Nessun sollecito: tutti gli uffici hanno restituito la cartella "
                      f"completa e firmata ({result.files} file letti).[/]")
        return
    table = Table(title=f"Solleciti scritti in {out}")
    for header in ("Ufficio", "Destinatario", "Dati mancanti", "Altro", "File"):
        table.add_column(header)
    for r in written:
        table.add_row(r.office, r.email or "[yellow]nessuna e-mail nel piano[/]",
                      str(len(r.missing)), "; ".join(r.issues) or "—",
                      r.path.name if r.path else "")
    console.print(table)


app.add_typer(addin_app, name="addin")
app.add_typer(importa_app, name="importa")
command("audit")(audit_command)
command("relazione", "report")(relazione)


def main() -> None:
    """Entry point of the ``cruscotto`` console script."""
    app()


if __name__ == "__main__":
    main()
