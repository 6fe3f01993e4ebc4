"""The command line's error policy (docs/errors.md), applied to every command.

:func:`guarded` wraps a command function: a :class:`~cruscotto_xl.errors.UserError` is one
line ``Errore: …`` and its exit code (1: problems in the user's data, 2: wrong usage); a
file the system refuses (permissions, a folder where a file should be) is a user error
too; anything else is an internal error — its traceback goes to a log file, the line
names the log and a short reference, the exit code is 3, and ``--debug`` prints the
traceback as well. A guarded function is a plain typer command: it can be registered on
any typer app (:func:`register` adds the hidden English alias).
"""

from __future__ import annotations

import errno
import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

import typer

from ..errors import (
    EXIT_INTERNAL,
    EXIT_PROBLEMS,
    UserError,
    debug_enabled,
    record_internal_error,
)
from .italian import ItalianCommand
from .options import COMMAND_ALIASES
from .output import print_error, print_internal_error

F = TypeVar("F", bound=Callable[..., Any])

#: What typer raises to end a command on purpose: an exit code, an abort, a usage error.
_TYPER_ENDINGS = (typer.Exit, typer.Abort, typer.BadParameter)


def guarded(func: F) -> F:
    """The error policy around one command (see the module docstring)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _TYPER_ENDINGS:
            raise
        except UserError as exc:
            print_error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            refusal = system_refusal(exc)
            if refusal is None:   # a bug: logged with its traceback, never the user's fault
                raise _internal(exc, func) from None
            print_error(refusal_message(refusal))
            raise typer.Exit(EXIT_PROBLEMS) from None

    return cast(F, wrapper)


#: What the system answers about the disk or the folder, whatever library met it: the
#: user can act on these (free space, choose another folder, fix permissions).
_DISK_REASONS = {
    errno.ENOSPC: "disco pieno: liberare spazio e rilanciare il comando",
    errno.EDQUOT: "quota del disco esaurita: liberare spazio e rilanciare il comando",
    errno.EFBIG: "file troppo grande per il disco: scegliere un'altra cartella",
    errno.EROFS: "disco o cartella in sola lettura: scegliere un'altra cartella (--uscita)",
    errno.EACCES: "permesso negato: controllare i permessi o scegliere un'altra cartella",
    errno.EPERM: "operazione non permessa: controllare i permessi o scegliere un'altra "
                 "cartella",
}


def system_refusal(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` that the user can act on: one naming its file, or one
    about the disk (full, read-only, permissions). Libraries wrap it (xlsxwriter's
    FileCreateError holds it as its argument), so the chain of causes is followed."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and (current.filename is not None
                                             or current.errno in _DISK_REASONS):
            return current
        held = next((a for a in current.args if isinstance(a, BaseException)), None)
        current = held or current.__cause__ or current.__context__
    return None


def refusal_message(exc: OSError) -> str:
    """One Italian line: the file or folder, and what to do."""
    reason = _DISK_REASONS.get(exc.errno or 0)
    where = f"{exc.filename}: " if exc.filename is not None else ""
    if reason:
        return f"{where}impossibile scrivere o leggere: {reason}"
    return (f"{where}impossibile usare il file o la cartella ({exc.strerror or exc}): "
            f"controllare il percorso e i permessi")


def _internal(exc: Exception, func: Callable[..., Any]) -> typer.Exit:
    incident = record_internal_error(exc, f"comando {func.__name__}")
    print_internal_error(incident)
    if incident.log is None and not debug_enabled():   # nowhere kept: shown, not lost
        print(incident.traceback, file=sys.stderr)
    return typer.Exit(EXIT_INTERNAL)


def register(app: typer.Typer, name: str, func: Callable[..., Any]) -> None:
    """Add ``func`` (already :func:`guarded`) to ``app`` as ``name``, and as its hidden
    English alias when it has one (:data:`~.options.COMMAND_ALIASES`); the help is the
    function's docstring."""
    app.command(name, help=func.__doc__, cls=ItalianCommand)(func)
    if alias := COMMAND_ALIASES.get(name):
        app.command(alias, help=func.__doc__, hidden=True, cls=ItalianCommand)(func)
