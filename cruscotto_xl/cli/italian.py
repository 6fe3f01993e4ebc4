"""click's own words in Italian: usage line, help panels, the help option, usage errors.

typer 0.29 vendors click (``typer._click``) with its sentences written as f-strings, and
its rich help (``typer.rich_utils``) keeps the panel titles and the ``[required]`` /
``[default: …]`` / «Try … for help» words as module constants read when the help or an
error is printed. Nothing in site-packages is changed; the texts are replaced through
typer's own hooks (docs/cli.md, «Testi di click»):

- :class:`ItalianCommand` and :class:`ItalianGroup` (the ``cls`` of every command and
  group) write «Uso:» and ``[OPZIONI]``, give the help option an Italian help, and turn
  the usage errors click raises (missing argument, unknown option, bad value, unknown
  command, extra arguments) into :class:`ItalianUsageError`, whose message is Italian;
- :func:`use_italian_texts` sets typer's rich constants (panel titles, «Errore», «Per
  l'aiuto…») when a help page or an error is about to be printed, so ``--help`` keeps
  typer's layout without importing the rich help machinery at start-up.
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from typing import Any

import typer
from typer._click.core import Command, Context
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup

from .options import normalize_token

OPTIONS_METAVAR = "[OPZIONI]"
SUBCOMMAND_METAVAR = "COMANDO [ARGOMENTI]..."
USAGE_PREFIX = "Uso: "
HELP_OPTION_HELP = "Mostra questo aiuto ed esce."

#: The value's type as typer prints it in the help → Italian ("": a flag takes no value).
TYPE_LABELS = {"<bool>": "", "<int>": "<intero>", "<float>": "<numero>", "<str>": "<testo>",
               "<path>": "<percorso>", "<list[Path]>": "<percorsi>",
               "<list[str]>": "<testi>"}

#: typer.rich_utils constant → its Italian text.
RICH_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": "Argomenti",
    "OPTIONS_PANEL_TITLE": "Opzioni",
    "COMMANDS_PANEL_TITLE": "Comandi",
    "ERRORS_PANEL_TITLE": "Errore",
    "DEFAULT_STRING": "[predefinito: {}]",
    "ENVVAR_STRING": "[variabile d'ambiente: {}]",
    "REQUIRED_LONG_STRING": "[obbligatorio]",
    "DEPRECATED_STRING": "(deprecato) ",
    "ABORTED_TEXT": "Interrotto.",
    "RICH_HELP": "Per l'aiuto: [blue]{command_path} {help_option}[/]",
}

#: click's fixed sentences (raised through ``ctx.fail`` or the parser) → Italian.
_FIXED_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Got unexpected extra argument\(s\) \((?P<x>.*)\)$", re.S),
     "argomenti in più, non previsti dal comando: {x}"),
    (re.compile(r"Missing command\.?$"), "manca il comando"),
    (re.compile(r"Option '(?P<x>[^']*)' requires (an argument|\d+ arguments)\.$"),
     "l'opzione {x} richiede un valore"),
    (re.compile(r"Option '(?P<x>[^']*)' does not take a value\.$"),
     "l'opzione {x} non accetta un valore"),
    (re.compile(r"Argument '(?P<x>[^']*)' takes (?P<n>\d+) values\.$"),
     "l'argomento {x} richiede {n} valori"),
)

#: Details of a bad value (typer converts values through pydantic) → Italian.
_VALUE_DETAILS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"valid integer"), "serve un numero intero"),
    (re.compile(r"valid number|valid float"), "serve un numero"),
    (re.compile(r"valid boolean"), "serve sì o no"),
    (re.compile(r"'(?P<x>[^']*)' is not one of (?P<c>.*?)\.?$"),
     "«{x}» non è tra i valori ammessi ({c})"),
    (re.compile(r"(?:File|Directory|Path) '(?P<x>[^']*)' does not exist\.?$"),
     "«{x}» non esiste"),
    (re.compile(r"(?:File|Directory|Path) '(?P<x>[^']*)' is a file\.?$"),
     "«{x}» è un file, non una cartella"),
    (re.compile(r"(?:File|Directory|Path) '(?P<x>[^']*)' is a directory\.?$"),
     "«{x}» è una cartella, non un file"),
)


class ItalianUsageError(UsageError):
    """A usage error whose message is already Italian (exit code 2, like click's)."""

    def format_message(self) -> str:
        return self.message


def use_italian_texts() -> None:
    """Put the Italian texts in typer's rich help and error printer (idempotent)."""
    from typer import rich_utils

    for name, text in RICH_TEXTS.items():
        setattr(rich_utils, name, text)


def italian_error(exc: ClickException, ctx: Context | None) -> ItalianUsageError:
    """The Italian form of a usage error click raised (its context kept for the usage
    line and the help hint)."""
    use_italian_texts()
    context = getattr(exc, "ctx", None) or ctx
    if isinstance(exc, ItalianUsageError):
        return exc
    if isinstance(exc, MissingParameter):
        message = f"{_what(exc.param, exc.param_type)} mancante: {_hint(exc)}"
    elif isinstance(exc, NoSuchOption):
        message = f"opzione sconosciuta: {exc.option_name}"
        if exc.possibilities:
            message += f" (forse: {', '.join(sorted(exc.possibilities))})"
    elif isinstance(exc, BadParameter):
        message = f"valore non valido per {_hint(exc)}: {_translated(exc.message, _VALUE_DETAILS)}"
    else:
        message = _translated(exc.message, _FIXED_SENTENCES)
    return ItalianUsageError(message, context)


def _italian_type(param: Any, ctx: Context) -> None:
    """Show the type of ``param``'s value in Italian in the help (``<percorso>``): an
    option's through its ``metavar``, which typer prints instead of the type; an argument's
    (whose ``metavar`` is its name in the usage line) through its own type label."""
    label = TYPE_LABELS.get(str(param.display_type(ctx)))
    if label is None:
        return
    if isinstance(param, TyperArgument):
        param.display_type_rich = lambda ctx: label
    elif param.metavar is None:
        param.metavar = label


def _what(param: Any, param_type: str | None) -> str:
    kind = param_type or (param.param_type_name if param is not None else "parameter")
    return {"argument": "argomento", "option": "opzione"}.get(kind, "valore")


def _hint(exc: BadParameter) -> str:
    """The parameter as the user writes it: the option's first (Italian) spelling, or
    the argument's name."""
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(hint)
    param = exc.param
    if param is None:
        return "?"
    if isinstance(param, TyperArgument):
        return str(param.display_name_raw).upper()
    return param.opts[0] if param.opts else str(param.name)


def _translated(text: str, table: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    """``text`` through the first pattern of ``table`` that finds it; our own messages
    (already Italian) pass unchanged."""
    for pattern, italian in table:
        if match := pattern.search(text):
            return italian.format(**match.groupdict())
    return text.removeprefix("Value error, ")


class _ItalianTexts:
    """What commands and groups share: usage line, help option, help page, errors."""

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        use_italian_texts()
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            _italian_type(param, ctx)
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc, no-any-return]
        except NoArgsIsHelpError:
            raise
        except ClickException as exc:
            raise italian_error(exc, ctx) from None


def _with_aliases(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` whose context settings read the English option aliases
    (:func:`~.options.normalize_token`), so a group or command run on its own accepts them
    too; the usage line says ``[OPZIONI]``."""
    kwargs["options_metavar"] = OPTIONS_METAVAR
    kwargs["context_settings"] = {"token_normalize_func": normalize_token,
                                  **(kwargs.get("context_settings") or {})}
    return kwargs


class ItalianCommand(_ItalianTexts, TyperCommand):
    """A typer command that speaks Italian (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **_with_aliases(kwargs))


class ItalianGroup(_ItalianTexts, TyperGroup):
    """A typer group that speaks Italian (module docstring); unknown commands get an
    Italian suggestion."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["subcommand_metavar"] = SUBCOMMAND_METAVAR
        super().__init__(**_with_aliases(kwargs))

    def resolve_command(self, ctx: Context,
                        args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        if args and self.get_command(ctx, args[0]) is None and not args[0].startswith("-"):
            visible = [n for n, c in self.commands.items() if not c.hidden]
            message = f"comando sconosciuto: {args[0]}"
            if matches := get_close_matches(args[0], visible):
                message += f" (forse: {', '.join(matches)})"
            use_italian_texts()
            raise ItalianUsageError(message, ctx)
        try:
            return super().resolve_command(ctx, args)
        except ClickException as exc:
            raise italian_error(exc, ctx) from None

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (NoArgsIsHelpError, ItalianUsageError):
            raise
        except ClickException as exc:
            raise italian_error(exc, ctx) from None
        except typer.Abort:
            use_italian_texts()
            raise
