"""Options shared by several commands, and every English alias, defined once.

Commands and options are Italian; the English spellings used in the issues are accepted
too: a command's alias is hidden from the help, an option's alias is listed after the
Italian name. :func:`option` builds any option with its alias from :data:`OPTION_ALIASES`,
so a spelling is decided here and nowhere else.
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

#: Option → the other spellings accepted for it.
OPTION_ALIASES = {
    "--piano": ("--plan",), "--anno": ("--year",), "--periodo": ("--period",),
    "--sovrascrivi": ("--overwrite",), "--per-ufficio": ("--per-office",),
    "--consolidato": ("--master",), "--consuntivo": ("--actual",),
    "--consuntivi": ("--actuals",), "--data-evento": ("--event-date",),
    "--modifiche": ("--changes",), "--no-pdf": ("--senza-pdf",),
}


def option(name: str, help: str, **kwargs: Any) -> Any:
    """The option ``name`` with its aliases and ``help``."""
    return typer.Option(name, *OPTION_ALIASES.get(name, ()), help=help, **kwargs)


JsonFlag = Annotated[bool, option("--json", "Risultato in JSON")]
PlanOption = Annotated[Path, option("--piano", "File del piano")]
ReferencePlan = Annotated[Path | None, option(
    "--piano", "Piano di riferimento (predefinito: quello nella cartella)")]
PeriodOption = Annotated[str | None, option(
    "--periodo", "Periodo di monitoraggio gg/mm, es. 30/06 (predefinito: 31/12, fine anno)")]
PerOffice = Annotated[bool, option("--per-ufficio", "Una cartella per ogni ufficio responsabile")]


def year_option(help: str) -> Any:
    """``--anno`` (``--year``), with the help of the command that takes it."""
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
    """``--sovrascrivi`` (``--overwrite``), with the help of the command that takes it."""
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
