"""Options shared by several commands, and every spelling of every option, defined once.

Commands and options are Italian; the English spellings used in the issues are accepted
too, hidden from the help. A command's alias is a hidden command (:data:`COMMAND_ALIASES`).
An option is declared with its Italian name only (:func:`option`), and the English
spelling is turned into it while click reads the command line (:func:`normalize_token`,
click's ``token_normalize_func``, set by :mod:`.italian` on every command), so the help
lists one spelling per option and every command accepts the same aliases. :data:`OPTIONS`
is the one table: every option of every command is in it, with its aliases
(tests/cli/test_cli_package.py holds the commands to it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..core.model import Plan
from ..errors import UsageError, UserError

#: Command → its hidden English alias.
COMMAND_ALIASES = {"valida": "validate", "grado": "grade", "genera": "generate",
                   "nuovo-anno": "new-year", "firma": "sign", "solleciti": "reminders",
                   "relazione": "report", "esporta": "export"}

#: Every option of the command line → the other spellings accepted for it (hidden).
OPTIONS: dict[str, tuple[str, ...]] = {
    "--piano": ("--plan",), "--anno": ("--year",), "--periodo": ("--period",),
    "--uscita": ("--out",), "--cartella": ("--dir",),
    "--sovrascrivi": ("--overwrite",), "--per-ufficio": ("--per-office",),
    "--consolidato": ("--master",), "--consuntivo": ("--actual",),
    "--consuntivi": ("--actuals",), "--data-evento": ("--event-date",),
    "--modifiche": ("--changes",), "--senza-pdf": ("--no-pdf",),
    "--json": (), "--debug": (), "--password": (), "--target": (), "--verso": (),
    "--riferimento": (), "--soglia": (), "--ente": (), "--esempi": (), "--livello": (),
    "--responsabile": (), "--ruolo": (), "--data": (), "--conferma": (), "--mittente": (),
    "--formato": (), "--xlsx": (), "--strutture": (), "--individuali": (),
}

#: An alias without its dashes → the option's Italian name without its dashes.
_ALIAS_NAMES = {alias.lstrip("-"): name.lstrip("-")
                for name, aliases in OPTIONS.items() for alias in aliases}


def normalize_token(token: str) -> str:
    """click's ``token_normalize_func``: an option's English spelling (without its
    dashes, as click passes it) becomes the Italian one; anything else is unchanged."""
    return _ALIAS_NAMES.get(token, token)


def option(name: str, help: str, **kwargs: Any) -> Any:
    """The option ``name`` (a key of :data:`OPTIONS`) with ``help``."""
    if name not in OPTIONS:
        raise ValueError(f"{name}: option missing from cli.options.OPTIONS")
    return typer.Option(name, help=help, **kwargs)


JsonFlag = Annotated[bool, option("--json", "Risultato in JSON")]
PlanOption = Annotated[Path, option("--piano", "File del piano")]
ReferencePlan = Annotated[Path | None, option(
    "--piano", "Piano di riferimento (predefinito: quello nella cartella)")]
PeriodOption = Annotated[str | None, option(
    "--periodo", "Periodo di monitoraggio gg/mm, es. 30/06 (predefinito: 31/12, fine anno)")]
PerOffice = Annotated[bool, option("--per-ufficio", "Una cartella per ogni ufficio responsabile")]


def year_option(help: str) -> Any:
    """``--anno``, with the help of the command that takes it."""
    return option("--anno", help)


def checked_year(year: int | None) -> int | None:
    """``--anno`` within the years a plan may have (the bounds of ``Plan.year``)."""
    if year is None:
        return None
    bounds = {type(m).__name__: m for m in Plan.model_fields["year"].metadata}
    low, high = bounds["Ge"].ge, bounds["Le"].le
    if not low <= year <= high:
        raise UsageError(f"--anno {year}: anno non ammesso (da {low} a {high})")
    return year


def overwrite_option(help: str) -> Any:
    """``--sovrascrivi``, with the help of the command that takes it."""
    return option("--sovrascrivi", help)


def checked_period(plan: Plan, period: str | None) -> str:
    """The period asked for, checked against the plan's monitoring periods (the year end
    when none is asked for)."""
    if period is None:
        return plan.period_dates[-1]
    if period not in plan.period_dates:
        raise UserError(f"periodo «{period}» non previsto dal piano {plan.id} "
                        f"(periodi: {', '.join(plan.period_dates)})")
    return period
