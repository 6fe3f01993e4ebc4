"""What the commands print: the consoles, problem tables, JSON, errors, shared sentences.

Every command module prints through here, so the form of an error line, a problem table
or a JSON result is decided once.

Texts from outside (plans, returned workbooks, file names, options) are never read as
rich markup (docs/security.md): a ``[/]`` in an office name once stopped a command after
its files were written, and ``[nota]`` vanished from messages. :class:`Table` cells and
titles are plain text unless they are a :class:`~rich.text.Text` we styled
(:func:`styled`); sentences that mix our markup with outside text pass the outside part
through :func:`escape`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

from ..core.model import Plan
from ..core.problems import Problem
from ..core.tree import UNOWNED, plan_for_year, unowned_indicators, unowned_text
from ..core.vocabulary import format_percent
from ..errors import Incident, internal_message

console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)
#: Output without markup (the add-in's messages: Windows paths and configuration lines).
plain_console = Console(markup=False, highlight=False, soft_wrap=True)


class Table(RichTable):
    """A rich table whose string cells and title are plain text, never markup."""

    def __init__(self, *headers: Any, title: str | Text | None = None, **kwargs: Any) -> None:
        super().__init__(*headers, title=Text(title) if isinstance(title, str) else title,
                         **kwargs)

    def add_row(self, *cells: Any, **kwargs: Any) -> None:
        super().add_row(*(Text(c) if isinstance(c, str) else c for c in cells), **kwargs)


def styled(text: str, style: str) -> Text:
    """Our own styled cell (``errore`` in red): the text stays plain."""
    return Text(text, style=style)


def print_error(message: str) -> None:
    """A user error: ``Errore: …`` on one line of the standard error (never wrapped, and
    printed literally, so a path or value with brackets stays as it is)."""
    err_console.print(f"[red]Errore:[/] {escape(message)}", highlight=False, soft_wrap=True)


def print_internal_error(incident: Incident) -> None:
    """An internal error: its reference, the log with the traceback, and ``--debug``."""
    text = internal_message(incident)
    err_console.print(f"[red]{escape(text[:1].upper() + text[1:])}[/] Con --debug il "
                      "dettaglio è mostrato qui.", highlight=False, soft_wrap=True)


def print_problems(problems: list[Problem], title: str,
                   offices: Mapping[str, str] | None = None) -> None:
    """Problems as a table that leads with who and what: the office (or the file, when it
    is not an office's workbook), the code, then severity, where in the file, message.

    ``offices`` maps a workbook's file name to its office. Office, file and code are never
    cut: the code column does not wrap (a code is one word), the others fold.
    """
    owners = [problem_owner(p, offices or {}) for p in problems]
    table = Table(title=title, show_lines=False)
    if any(owners):
        table.add_column("Ufficio o file", overflow="fold", ratio=2)
    table.add_column("Codice", no_wrap=True, min_width=max(
        [len("Codice"), *(len(p.subject) for p in problems)]))
    table.add_column("Gravità", no_wrap=True)
    table.add_column("Dove", overflow="fold", ratio=2)
    table.add_column("Problema", overflow="fold", ratio=5)
    for owner, p in zip(owners, problems, strict=True):
        cells = (p.subject, styled(p.severity, severity_style(p.severity)), p.where.inside(),
                 p.message)
        table.add_row(*((owner, *cells) if any(owners) else cells))
    console.print(table)


def problem_owner(problem: Problem, offices: Mapping[str, str]) -> str:
    """Whom a problem concerns: the office of its workbook, else its file's name."""
    where = problem.where
    return where.office or offices.get(where.file, "") or where.file


def severity_style(severity: str) -> str:
    return "red" if severity == "errore" else "yellow"


def problem_data(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as plain data, for ``--json``."""
    return [p.as_dict() for p in problems]


def print_json(data: Any) -> None:
    """A ``--json`` result (dates and paths as text)."""
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


def grade_text(value: float | None, reason: str | None) -> str:
    """A grade as the tables show it: ``63,00 %``, or ``n.v. (why)``."""
    return format_percent(value) if value is not None else f"n.v. ({reason})"


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
