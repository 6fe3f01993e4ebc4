"""``cruscotto valida`` and ``cruscotto grado``: a plan's problems, one grade."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from ..core.model import Policy
from ..core.plan_checks import grouped, validate_plan
from ..core.problems import has_errors
from ..core.rules import event_deadline, grade, reference_target, valutazione
from ..core.targets import Kind, Polarity, Target, format_target, parse_target
from ..core.vocabulary import (
    counted,
    excel_serial,
    format_date,
    format_percent,
    from_excel_serial,
    parse_actual,
    parse_date,
    plain_number,
)
from ..errors import UsageError, UserError
from ..io.planfile import load_plan
from ..returns.table import StructureRow, export_table
from .options import JsonFlag, PeriodOption, option, year_option
from .output import (
    Table,
    console,
    grade_text,
    print_json,
    print_problems,
    problem_data,
    styled,
    unowned_count,
    unowned_line,
)
from .policy import guarded, register


@guarded
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
        print_json(problem_data(problems))
    elif problems:
        print_problems(grouped(problems), f"Problemi in {piano}")
    errors = has_errors(problems)
    if not as_json:
        if errors:
            n = sum(p.severity == "errore" for p in problems)
            console.print(f"[red]{escape(str(piano))}: "
                          f"{counted(n, 'errore', 'errori')} da correggere.[/]")
        else:
            plan_size = sum(1 for _ in plan.indicators())
            console.print(f"[green]{escape(str(piano))}: piano valido[/] "
                          f"({counted(plan_size, 'indicatore', 'indicatori')}, "
                          f"{counted(len(problems), 'avviso', 'avvisi')}).")
        console.print(unowned_line(unowned_count(plan)), highlight=False)
    raise typer.Exit(1 if errors else 0)


@guarded
def grado(
    target: Annotated[str | None, option(
        "--target", "Testo del target, es. \">= 70,00 %\"")] = None,
    consuntivo: Annotated[str | None, option(
        "--consuntivo", "Valore rilevato: 63 %, 1.234,5, 15/01/2024, Sì")] = None,
    verso: Annotated[Polarity | None, option(
        "--verso", "Verso dell'indicatore, per i target senza operatore e il "
                        "«mantenimento»")] = None,
    riferimento: Annotated[str | None, option(
        "--riferimento", "Valore di riferimento per i target relativi (es. il consuntivo "
                              "dell'anno precedente, la baseline, la media cluster)")] = None,
    data_evento: Annotated[str | None, option(
        "--data-evento",
        "Data dell'evento da cui decorre il termine (es. «entro 30 gg dalla richiesta»: "
        "la data della richiesta), gg/mm/aaaa")] = None,
    anno: Annotated[int | None, year_option(
        "Anno del target, per le date scritte senza anno («entro il 30 giugno»)")] = None,
    soglia: Annotated[str | None, option(
        "--soglia", "Soglia minima sotto cui il grado è 0, es. 50 %")] = None,
    strutture: Annotated[Path | None, option(
        "--strutture", "Invece di un target: il grado di ogni area e ufficio della "
                       "struttura del piano, da una cartella consolidata, dalla cartella "
                       "dell'intero piano o da un piano con i consuntivi")] = None,
    periodo: PeriodOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Calcola il grado di raggiungimento di un consuntivo rispetto a un target.

    Stampa il target letto, il grado, la valutazione e la regola applicata. I target
    relativi vogliono il valore di riferimento (--riferimento), i termini che decorrono da
    un evento la data dell'evento (--data-evento) e come consuntivo la data di realizzazione.

    Esempio: [bold]cruscotto grado --target "<= -10,00 gg" --consuntivo -5[/]

    Esempio: [bold]cruscotto grado --target "entro 30 gg dalla richiesta" --data-evento
    15/01/2024 --consuntivo 10/02/2024[/]

    Con --strutture FILE stampa invece il grado di ogni area e ufficio della struttura del
    piano (--periodo: quale monitoraggio, predefinito l'ultimo del file).

    Esempio: [bold]cruscotto grado --strutture cruscotto.xlsx[/]
    """
    if strutture is not None:
        if target is not None:
            raise UsageError("indicare --target oppure --strutture, non entrambi")
        _print_structures(strutture, periodo, as_json)
        return
    if target is None:
        raise UsageError("manca --target (il testo del target da valutare), oppure "
                         "--strutture FILE per i gradi delle aree e degli uffici")
    if periodo is not None:
        raise UsageError("--periodo vale solo con --strutture")
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
        print_json({
            "target": format_target(parsed), "tipo": parsed.kind.value, "operatore": parsed.op,
            "valore": parsed.value, "unita": parsed.unit, "riferimento": reference,
            "data_evento": event, "target_calcolato": computed, "grado": result.value,
            "motivo": result.reason, "regola": result.rule, "valutazione": band,
        })
        return
    table = Table(show_header=False, box=None)
    table.add_row("Target", Text.assemble(format_target(parsed), "  ",
                                         (f"({parsed.kind.value})", "dim")))
    if reference is not None:
        table.add_row("Riferimento", plain_number(reference))
    if event is not None:
        table.add_row("Data evento", format_date(event))
    if computed is not None:
        label = "Scadenza calcolata" if isinstance(computed, date) else "Target calcolato"
        table.add_row(label, format_date(computed) if isinstance(computed, date)
                      else plain_number(computed))
    table.add_row("Consuntivo", "—" if actual is None else str(consuntivo))
    table.add_row("Grado", styled(grade_text(result.value, result.reason), "bold"))
    table.add_row("Valutazione", band)
    table.add_row("Regola", result.rule)
    console.print(table)


def _print_structures(source: Path, period: str | None, as_json: bool) -> None:
    """The grades per structure of ``source`` at ``period`` (its last one by default)."""
    table = export_table(source, "strutture")
    chosen = period.strip() if period is not None else table.periods[-1]
    if chosen not in table.periods:
        raise UserError(f"{source.name}: periodo «{chosen}» non disponibile (periodi: "
                        f"{', '.join(table.periods)})")
    rows = [r for r in table.rows if isinstance(r, StructureRow) and r.periodo == chosen]
    if as_json:
        print_json([{"livello": r.livello, "codice": r.codice, "nome": r.nome, "area": r.area,
                     "responsabile": r.responsabile, "indicatori": r.indicatori,
                     "grado": r.grado, "valutazione": r.valutazione} for r in rows])
        return
    if table.problems:
        print_problems(table.problems, f"Valori letti con avvisi in {source.name}")
    out = Table(title=f"Gradi per struttura — {table.entity} {table.year} al {chosen}")
    for header in ("Struttura", "Area", "Nome", "Responsabile", "Indicatori", "Grado",
                   "Valutazione"):
        out.add_column(header, justify="right" if header in ("Indicatori", "Grado") else "left")
    for r in rows:
        is_area = r.livello == "area"
        out.add_row(styled("Area", "bold") if is_area else "  Ufficio", r.area or "—",
                    r.nome, r.responsabile, str(r.indicatori),
                    format_percent(r.grado) if r.grado is not None else "n.v.",
                    r.valutazione)
    console.print(out)


def _computed_target(target: Target, reference: float | None,
                     event: date | None) -> float | date | None:
    """The value a relative target asks for, or the last day of a term from an event."""
    if target.kind is Kind.RELATIVE and reference is not None and target.offset is not None:
        return reference_target(reference, target)
    if target.kind is Kind.EVENT_DEADLINE and event is not None:
        return from_excel_serial(event_deadline(float(excel_serial(event)), target))
    return None


def _number_option(text: str | None) -> float | None:
    if text is None:
        return None
    value = parse_actual(text)
    if not isinstance(value, float):
        raise UserError(f"«{text}» non è un numero")
    return value


def register_commands(app: typer.Typer) -> None:
    register(app, "valida", valida)
    register(app, "grado", grado)
