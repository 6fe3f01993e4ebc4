"""The ``cruscotto`` command: thin typer commands that parse arguments, call the API, print.

Subcommands are Italian (DESIGN §11); the English spellings used in the issues
(``validate``, ``grade``) are hidden aliases. Exit codes: 0 success, 1 problems in the
user's data, 2 wrong usage. Errors are one readable line, never a traceback.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from .aggregate import Node, evaluate
from .checks import Problem, has_errors, validate_plan
from .model import Plan, Policy
from .numbers import NumberError, format_percent, parse_actual
from .planfile import PlanFileError, load_plan
from .rules import grade, valutazione
from .targets import Polarity, TargetError, format_target, parse_target

app = typer.Typer(
    name="cruscotto",
    help="Cruscotto della performance: piani, cartelle Excel per ufficio, gradi di "
         "raggiungimento.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


class UserDataError(Exception):
    """A problem in the user's files or values: printed as one line, exit code 1."""


_USER_ERRORS = (PlanFileError, TargetError, NumberError, UserDataError)


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
    return json.dumps([p.__dict__ for p in problems], ensure_ascii=False, indent=2)


@command("valida", "validate")
def valida(
    piano: Annotated[Path, typer.Argument(help="File del piano (.yaml, .yml o .json)")],
    as_json: Annotated[bool, typer.Option("--json", help="Risultato in JSON")] = False,
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
        print_problems(problems, f"Problemi in {piano}")
    errors = has_errors(problems)
    if not as_json:
        if errors:
            n = sum(p.severity == "errore" for p in problems)
            console.print(f"[red]{piano}: {n} errori da correggere.[/]")
        else:
            console.print(f"[green]{piano}: piano valido[/] ({sum(1 for _ in plan.indicators())} "
                          f"indicatori, {len(problems)} avvisi).")
    raise typer.Exit(1 if errors else 0)


@command("grado", "grade")
def grado(
    target: Annotated[str, typer.Option("--target", help="Testo del target, es. \">= 70,00 %\"")],
    consuntivo: Annotated[str | None, typer.Option(
        "--consuntivo", "--actual", help="Valore rilevato: 63 %, 1.234,5, 15/01/2024, Sì")] = None,
    verso: Annotated[Polarity | None, typer.Option(
        "--verso", help="Verso dell'indicatore, per i target senza operatore")] = None,
    riferimento: Annotated[str | None, typer.Option(
        "--riferimento", help="Valore di riferimento per i target relativi (es. anno precedente)")
    ] = None,
    soglia: Annotated[str | None, typer.Option(
        "--soglia", help="Soglia minima sotto cui il grado è 0, es. 50 %")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Risultato in JSON")] = False,
) -> None:
    """Calcola il grado di raggiungimento di un consuntivo rispetto a un target.

    Stampa il target letto, il grado, la valutazione e la regola applicata.

    Esempio: [bold]cruscotto grado --target "<= -10,00 gg" --consuntivo -5[/]
    """
    parsed = parse_target(target, verso)
    actual = parse_actual(consuntivo) if consuntivo is not None else None
    reference = _number_option(riferimento)
    threshold = _number_option(soglia)
    policy = Policy()
    result = grade(actual, parsed, policy, reference=reference, threshold=threshold)
    band = valutazione(result, policy.bands)
    if as_json:
        console.print_json(json.dumps({
            "target": format_target(parsed), "tipo": parsed.kind.value, "operatore": parsed.op,
            "valore": parsed.value, "unita": parsed.unit, "grado": result.value,
            "motivo": result.reason, "regola": result.rule, "valutazione": band,
        }, ensure_ascii=False, default=str))
        return
    table = Table(show_header=False, box=None)
    table.add_row("Target", f"{format_target(parsed)}  [dim]({parsed.kind.value})[/]")
    table.add_row("Consuntivo", "—" if actual is None else str(consuntivo))
    table.add_row("Grado", f"[bold]{_grade_text(result.value, result.reason)}[/]")
    table.add_row("Valutazione", band)
    table.add_row("Regola", result.rule)
    console.print(table)


def _number_option(text: str | None) -> float | None:
    if text is None:
        return None
    value = parse_actual(text)
    if not isinstance(value, float):
        raise UserDataError(f"«{text}» non è un numero")
    return value


def summary_table(plan: Plan, root: Node, title: str) -> Table:
    """Ente → ambito → OS → OO with weights and grades, as the demo prints it."""
    table = Table(title=title)
    table.add_column("Livello")
    table.add_column("Codice")
    table.add_column("Titolo", max_width=60, overflow="ellipsis", no_wrap=True)
    table.add_column("Peso", justify="right")
    table.add_column("Grado", justify="right")
    table.add_column("Valutazione")
    indent = {"ente": "", "ambito": "  ", "os": "    ", "oo": "      "}
    for node in root.walk():
        if node.level == "indicatore":
            continue
        table.add_row(indent[node.level] + node.level.upper(), node.code, node.title,
                      f"{node.weight:.2f}".replace(".", ","),
                      _grade_text(node.grade.value, node.grade.reason),
                      valutazione(node.grade, plan.policy.bands))
    return table


@command("demo")
def demo(
    esempi: Annotated[Path, typer.Option("--esempi", help="Cartella dei piani di esempio")] =
    EXAMPLES_DIR,
) -> None:
    """Esegue il lavoro principale sugli esempi inclusi e stampa il riepilogo dei gradi.

    Esempio: [bold]cruscotto demo[/]
    """
    plans = sorted(p for p in esempi.glob("*.y*ml"))
    if not plans:
        raise UserDataError(f"{esempi}: nessun piano di esempio (.yaml) trovato")
    failed = False
    for path in plans:
        plan = load_plan(path)
        problems = validate_plan(plan)
        if has_errors(problems):
            print_problems(problems, f"Problemi in {path.name}")
            failed = True
            continue
        root = evaluate(plan)
        console.print(summary_table(plan, root, f"{plan.entity} — piano {plan.year} "
                                                f"({path.name})"))
    raise typer.Exit(1 if failed else 0)


def main() -> None:
    """Entry point of the ``cruscotto`` console script."""
    app()


if __name__ == "__main__":
    main()
