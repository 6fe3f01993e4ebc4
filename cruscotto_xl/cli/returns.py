"""The workbooks that come back: ``ricalcola``, ``controlla``, ``consolida``, ``firma``,
``solleciti``.

One bad file never stops a run over many: it is reported against its name, as a refused
file or, for a bug of ours, as an internal error with its log (:mod:`..returns.failures`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress

from ..core.contacts import EmailError
from ..core.model import Plan
from ..core.problems import Problem, has_errors
from ..core.tree import UNOWNED, unowned_text
from ..core.vocabulary import counted, format_date, format_number, parse_date
from ..errors import UsageError, UserError
from ..io.lock import exclusive, refuse_if_open
from ..io.planfile import load_plan
from ..returns.consolidate import (
    RETURNED,
    WITH_PROBLEMS,
    Consolidation,
    candidate_files,
    consolidate,
    master_actuals,
    write_master,
)
from ..returns.failures import BAD_FILE_ERRORS, internal_failure
from ..returns.integrity import check_workbook
from ..returns.refresh import RefreshError, refresh_workbook
from ..returns.sign import sign_workbook
from ..services.reminders import sender_header, write_reminders
from .options import (
    JsonFlag,
    PeriodOption,
    PlanOption,
    ReferencePlan,
    checked_period,
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
    problem_data,
    styled,
)
from .policy import guarded, register


def _optional_plan(path: Path | None) -> Plan | None:
    return load_plan(path) if path is not None else None


@guarded
def ricalcola(
    cartelle: Annotated[list[Path], typer.Argument(help="Cartelle Excel da ricalcolare")],
    piano: ReferencePlan = None,
    periodo: Annotated[str | None, option(
        "--periodo",
        "Ricalcola solo le cartelle di questo periodo (gg/mm); le altre sono "
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
    rows: list[dict[str, Any]] = []
    failed = False
    for path in cartelle:
        try:
            result = refresh_workbook(path, plan, period=periodo)
        except (RefreshError, *BAD_FILE_ERRORS) as exc:
            failed = True
            rows.append({"file": str(path), "esito": "rifiutato", "motivo": str(exc),
                         "problemi": [str(p) for p in getattr(exc, "problems", [])]})
            continue
        except Exception as exc:  # a bug of ours: logged, this file reported, the others go on
            failed = True
            problem = internal_failure(path, exc, "nel ricalcolare")
            rows.append({"file": str(path), "esito": "errore interno", "problemi": [],
                         "motivo": problem.message})
            continue
        rows.append({"file": str(path), "esito": "aggiornato" if result.changed else
                     "già aggiornato", "celle": result.cells,
                     "copia": str(result.backup) if result.backup else None,
                     "problemi": [str(p) for p in result.problems]})
    if as_json:
        print_json(rows)
    else:
        table = Table(title="Ricalcolo")
        for header in ("File", "Esito", "Dettagli"):
            table.add_column(header)
        for row in rows:
            cells = counted(row.get("celle") or 0, "cella", "celle")
            detail = row.get("motivo") or (f"{cells}; copia: {row['copia']}"
                                           if row.get("copia") else cells)
            table.add_row(Path(row["file"]).name, row["esito"], str(detail))
        console.print(table)
        for row in rows:
            for problem in row["problemi"]:
                console.print(f"  {escape(str(problem))}", highlight=False)
    raise typer.Exit(1 if failed else 0)


@guarded
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
    offices: dict[str, str] = {}
    for path in files:
        reading, found = check_workbook(path, plan)
        problems += found
        if reading is not None and reading.identity.office:
            offices[path.name] = reading.identity.office
    if as_json:
        print_json(problem_data(problems))
    elif problems:
        print_problems(problems, f"Controlli su {counted(len(files), 'file', 'file')}",
                       offices)
    else:
        console.print(f"[green]Nessun problema in {counted(len(files), 'file', 'file')}.[/]")
    raise typer.Exit(1 if has_errors(problems) else 0)


def _read_returns(cartella: Path, plan: Plan, anno: int | None, periodo: str | None,
                  skip: Path | None) -> Consolidation:
    """The returned workbooks of ``cartella`` read for one period, with a progress bar
    (``skip``: the master, which is not an office's)."""
    if not cartella.is_dir():
        raise UserError(f"{cartella}: non è una cartella")
    period = checked_period(plan, periodo)
    exclude = {skip} if skip is not None else set()
    files, _ = candidate_files(cartella, {p.resolve() for p in exclude})
    with Progress(transient=True, console=err_console) as progress:
        task = progress.add_task("Lettura", total=len(files))
        return consolidate(cartella, plan, year=anno, period=period, exclude=exclude,
                           progress=lambda _: progress.advance(task))


def _offices(result: Consolidation) -> dict[str, str]:
    """File name → office, for the workbooks the consolidation read."""
    return {s.file: s.office for s in result.statuses if s.file}


def _none_accepted(result: Consolidation) -> bool:
    """No returned file was read into the result (wrong folder or period)."""
    return not any(s.state in (RETURNED, WITH_PROBLEMS) for s in result.statuses)


@guarded
def consolida(
    cartella: Annotated[Path, typer.Argument(help="Cartella con le cartelle Excel degli uffici")],
    piano: PlanOption,
    out: Annotated[Path, option("--uscita", "Cartella Excel principale da scrivere")],
    anno: Annotated[int | None, year_option("Anno")] = None,
    periodo: PeriodOption = None,
    individuali: Annotated[bool, option(
        "--individuali", "CARTELLA contiene le schede individuali: vi riporta i gradi "
                         "organizzativi della cartella principale --consolidato e scrive "
                         "in --uscita i punteggi individuali")] = False,
    consolidato: Annotated[Path | None, option(
        "--consolidato", "Cartella principale consolidata da cui prendere i gradi di "
                         "ente, aree, uffici e obiettivi (con --individuali)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Consolida le cartelle degli uffici nella cartella principale (aggiornata sul posto).

    Segnala uffici mancanti, valori mancanti, valori discordanti tra uffici (nessuno scelto),
    cartelle non firmate o modificate dopo la firma, dati bloccati modificati, anno, periodo
    o versione sbagliati, file rifiutati perché non sicuri. Se la cartella principale esiste
    già, ne tiene i valori degli altri periodi e lo «Storico valori», a cui aggiunge una
    riga per ogni valore cambiato.

    Con --individuali legge invece le schede individuali di CARTELLA, vi riporta (sul
    posto, senza toccare i valori inseriti) i gradi organizzativi calcolati dalla cartella
    principale --consolidato e scrive in --uscita il file «Punteggi individuali»: i dati
    personali restano fuori dalla cartella principale.

    Esempio: [bold]cruscotto consolida ritorni/ --piano piano.yaml --uscita cruscotto.xlsx
    --periodo 30/06[/]
    """
    plan = load_plan(piano)
    if individuali:
        _consolidate_individuals(cartella, plan, out, consolidato, anno, periodo, as_json)
        return
    if consolidato is not None:
        raise UsageError("--consolidato vale solo con --individuali")
    refuse_if_open(out)
    with exclusive(out):                # read, merge and write as one: no run loses values
        refuse_if_open(out)
        result = _read_returns(cartella, plan, anno, periodo, out)
        if _none_accepted(result):
            print_problems(result.problems, "Problemi del consolidamento", _offices(result))
            raise UserError(f"nessuna cartella accettata in {cartella} per il "
                            f"{result.period}/{result.year}: {out.name} non modificata")
        backup = write_master(result, out)
    errors = has_errors(result.problems)
    if as_json:
        print_json({
            "master": str(out), "copia": str(backup) if backup else None,
            "periodo": result.period,
            "uffici": [{"ufficio": s.office, "stato": s.state, "file": s.file,
                        "valori_mancanti": s.missing_values, "problemi": s.problems,
                        "firma": s.signoff} for s in result.statuses],
            "senza_ufficio": result.unowned,
            "problemi": problem_data(result.problems)})
    else:
        table = Table(title=f"Stato uffici al {result.period} "
                            f"({counted(result.files, 'file letto', 'file letti')})")
        for header in ("Ufficio", "Stato", "File", "Mancanti", "Problemi", "Firma"):
            table.add_column(header, overflow="fold")
        for s in result.statuses:
            table.add_row(s.office, s.state, s.file, format_number(s.missing_values, 0),
                          format_number(s.problems, 0),
                          s.signoff or "—")
        console.print(table)
        if result.problems:
            print_problems(result.problems, "Problemi del consolidamento", _offices(result))
        if result.unowned:
            state = next((s.state for s in result.statuses if s.office == UNOWNED), "")
            console.print(f"{unowned_text(result.unowned)}: cartella "
                          f"«{escape(str(UNOWNED))}» {escape(str(state))}.", highlight=False)
        console.print(f"Cartella principale scritta: {escape(str(out))}"
                      + (f" (copia: {escape(str(backup))})" if backup else ""))
    raise typer.Exit(1 if errors else 0)


def _consolidate_individuals(folder: Path, plan: Plan, out: Path, master: Path | None,
                             year: int | None, period: str | None, as_json: bool) -> None:
    """``consolida --individuali``: scorecards refreshed, scores in ``out``."""
    from ..returns.individual import consolidate_individuals, write_summary

    if master is None:
        raise UsageError("con --individuali serve --consolidato (la cartella principale "
                         "consolidata da cui prendere i gradi organizzativi)")
    if not plan.people:
        raise UserError(f"il piano {plan.id} non ha obiettivi_individuali: nessuna scheda "
                        "da consolidare")
    if not folder.is_dir():
        raise UserError(f"{folder}: cartella delle schede individuali non trovata")
    refuse_if_open(out)
    with exclusive(out):
        result = consolidate_individuals(folder, plan, master, year=year,
                                         period=checked_period(plan, period),
                                         exclude={out.resolve(), master.resolve()})
        backup = write_summary(result, plan, out)
    if as_json:
        print_json({
            "punteggi": str(out), "copia": str(backup) if backup else None,
            "periodo": result.period,
            "persone": [{"codice": r.person.code, "stato": r.state, "file": r.file,
                         "punteggio": r.card.score.value if r.card else None,
                         "peso_valutato": r.card.weight_graded if r.card else None,
                         "firma": r.signoff, "aggiornata": r.refreshed}
                        for r in result.results],
            "problemi": problem_data(result.problems)})
    else:
        table = Table(title=f"Schede individuali al {result.period}/{result.year} "
                            f"({result.files} file letti)")
        for header in ("Codice", "Stato", "File", "Punteggio", "Peso valutato", "Firma"):
            table.add_column(header)
        for r in result.results:
            score = r.card.score if r.card else None
            table.add_row(r.person.code, r.state, r.file or "—",
                          grade_text(score.value, score.reason) if score else "—",
                          f"{r.card.weight_graded:.2f}".replace(".", ",") if r.card else "—",
                          r.signoff or "—")
        console.print(table)
        if result.problems:
            print_problems(result.problems, "Problemi delle schede individuali")
        console.print(f"Punteggi individuali scritti: {escape(str(out))}"
                      + (f" (copia: {escape(str(backup))})" if backup else ""))
    raise typer.Exit(1 if has_errors(result.problems) else 0)


@guarded
def firma(
    cartella: Annotated[Path, typer.Argument(help="Cartella Excel dell'ufficio da firmare")],
    responsabile: Annotated[str | None, option(
        "--responsabile", "Nome di chi conferma (predefinito: quello nel foglio "
                               "Validazione)")] = None,
    ruolo: Annotated[str | None, option("--ruolo", "Ruolo di chi conferma")] = None,
    data: Annotated[str | None, option(
        "--data", "Data della conferma gg/mm/aaaa (predefinita: quella nel foglio, "
                       "altrimenti oggi)")] = None,
    conferma: Annotated[bool, option(
        "--conferma", "Conferma i dati (equivale a «Confermo i dati: Sì»)")] = False,
) -> None:
    """Firma la cartella di un ufficio: registra chi conferma i dati e l'impronta dei valori.

    Scrive solo il foglio Validazione; la copia dell'originale (.bak) va nella cartella
    nascosta .cruscotto-copie accanto al file. Se dopo la firma un
    valore cambia, il consolidamento segnala «modificata dopo la firma».

    Esempio: [bold]cruscotto firma ufficio.xlsx --responsabile "Anna Neri" --ruolo
    Dirigente --conferma[/]
    """
    when = parse_date(data) if data else None
    result = sign_workbook(cartella, signer=responsabile, role=ruolo, when=when,
                           confirm=conferma)
    s = result.signature
    console.print(f"[green]{escape(str(cartella.name))} firmata[/] da {escape(str(s.signer))}"
                  f"{f' ({escape(s.role)})' if s.role else ''} il {format_date(s.when)}"
                  + (f"; copia: {escape(str(result.backup.name))}" if result.backup else
                     " (era già firmata così)"), highlight=False)


@guarded
def solleciti(
    cartella: Annotated[Path, typer.Argument(help="Cartella con le cartelle restituite")],
    piano: PlanOption,
    out: Annotated[Path, option("--uscita", "Cartella in cui scrivere i .eml")],
    anno: Annotated[int | None, year_option("Anno")] = None,
    periodo: PeriodOption = None,
    mittente: Annotated[str | None, option(
        "--mittente", "Indirizzo del mittente (predefinito: nessuno, lo mette il "
                           "programma di posta)")] = None,
    sovrascrivi: Annotated[bool, overwrite_option(
        "Sostituisce i solleciti già scritti")] = False,
    consolidato: Annotated[Path | None, option(
        "--consolidato",
        "Cartella principale: le cartelle allegate mostrano i periodi già consolidati")
    ] = None,
) -> None:
    """Scrive una bozza di e-mail (.eml) per ogni ufficio con dati mancanti, cartella non
    restituita, non firmata o modificata dopo la firma. Non invia nulla.

    Ogni bozza è indirizzata all'e-mail dell'ufficio indicata nel piano ed elenca foglio,
    cella, indicatore e periodo di ogni dato mancante; a chi non ha restituito la cartella
    allega quella da compilare.

    Esempio: [bold]cruscotto solleciti ritorni/ --piano piano.yaml --uscita solleciti/[/]
    """
    if mittente is not None:
        try:
            sender_header(mittente)
        except EmailError as exc:
            raise UsageError(f"--mittente: {exc}") from None
    plan = load_plan(piano)
    if consolidato is not None:
        plan = master_actuals(plan, consolidato, anno or plan.year)
    result = _read_returns(cartella, plan, anno, periodo, consolidato)
    if result.files and _none_accepted(result):
        print_problems(result.problems, "Problemi delle cartelle", _offices(result))
        raise UserError(f"nessuna cartella di {cartella} accettata per il {result.period}/"
                        f"{result.year} (periodo giusto? --periodo): nessun sollecito "
                        "scritto")
    written = write_reminders(result, plan, out, overwrite=sovrascrivi, sender=mittente)
    if result.unowned:
        unowned = next((r for r in written if r.office == UNOWNED), None)
        console.print(f"{unowned_text(result.unowned)} (cartella "
                      f"«{escape(str(UNOWNED))}»): " + (
                          f"sollecito senza destinatario per il controllo di gestione, "
                          f"{counted(len(unowned.missing), 'dato mancante', 'dati mancanti')}."
                          if unowned is not None else
                          "nessun dato mancante."), highlight=False)
    if not written:
        console.print(f"[green]Nessun sollecito: tutti gli uffici hanno restituito la cartella "
                      f"completa e firmata "
                      f"({counted(result.files, 'file letto', 'file letti')}).[/]")
        return
    table = Table(title=f"Solleciti scritti in {out}")
    for header in ("Ufficio", "Destinatario", "Dati mancanti", "Altro", "File"):
        table.add_column(header)
    for r in written:
        table.add_row(r.office, r.email or styled("nessuna e-mail nel piano", "yellow"),
                      format_number(len(r.missing), 0), "; ".join(r.issues) or "—",
                      r.path.name if r.path else "")
    console.print(table)


def register_commands(app: typer.Typer) -> None:
    for name, func in (("ricalcola", ricalcola), ("controlla", controlla),
                       ("consolida", consolida), ("firma", firma), ("solleciti", solleciti)):
        register(app, name, func)
