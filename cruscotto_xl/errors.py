"""The one error policy: user errors apart from internal errors (docs/errors.md).

A **user error** is something the person at the keyboard can fix: a plan file that does not
load, a foreign or damaged workbook, an output that already exists, a wrong period. It is
an exception of a :class:`UserError` subclass whose message is Italian and says where
(file, sheet, cell, value) and what to do; the command line prints it on one line and exits
with its :attr:`~UserError.exit_code` (1: problems in the user's data, 2: wrong usage).

Anything else is an **internal error** (a bug of ours, or of a library): it is never shown
as the user's fault. :func:`record_internal_error` writes the full traceback to a log file
in the per-user log folder (:func:`log_dir`) and returns an :class:`Incident` with a short
reference; the command line, the ribbon buttons and the per-file guards of the returns
print :func:`internal_message`, which names the reference and the log file.

This module imports nothing of the package, so every room may import it.
"""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import sys
import tempfile
import traceback
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

#: Exit codes of the ``cruscotto`` command (0 is success).
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

#: Environment variable naming the log folder (tests point it at a temporary folder).
LOG_DIR_ENV = "CRUSCOTTO_LOG_DIR"
#: Environment variable that turns on ``--debug`` (tracebacks on stderr), e.g. for the
#: worker processes of a large consolidation or for the ribbon buttons.
DEBUG_ENV = "CRUSCOTTO_DEBUG"
#: How many incident logs are kept in the log folder (the oldest are removed).
KEEP_LOGS = 50

APP_DIR = "cruscotto_xl"
LOG_PREFIX = "errore-"


class UserError(Exception):
    """A problem the user can fix; ``str(exc)`` is the Italian message for them."""

    exit_code: int = EXIT_PROBLEMS


class UsageError(UserError):
    """The command was called in a way that cannot work (options that exclude each other)."""

    exit_code = EXIT_USAGE


_debug = False


def set_debug(enabled: bool) -> None:
    """``--debug``: internal errors also print their traceback on stderr."""
    global _debug
    _debug = enabled


def debug_enabled() -> bool:
    return _debug or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def log_dir() -> Path:
    """The per-user folder of the incident logs.

    ``$CRUSCOTTO_LOG_DIR`` when set; else ``%LOCALAPPDATA%\\cruscotto_xl\\Logs`` on Windows,
    ``~/Library/Logs/cruscotto_xl`` on macOS, ``$XDG_STATE_HOME/cruscotto_xl/log``
    (default ``~/.local/state/cruscotto_xl/log``) elsewhere.
    """
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / APP_DIR / "Logs"
    if sys.platform == "darwin":
        return home / "Library" / "Logs" / APP_DIR
    state = os.environ.get("XDG_STATE_HOME")
    return (Path(state) if state else home / ".local" / "state") / APP_DIR / "log"


@dataclass(frozen=True)
class Incident:
    """An internal error as recorded: its reference, the log written (None when no folder
    could be written) and the traceback text."""

    reference: str
    log: Path | None
    traceback: str


def _version() -> str:
    try:
        return metadata.version("cruscotto-xl")
    except metadata.PackageNotFoundError:      # run from a source tree, not installed
        return "(versione sconosciuta)"


def _report_text(exc: BaseException, reference: str, context: str, when: datetime) -> str:
    lines = [
        f"cruscotto_xl {_version()} — errore interno, riferimento {reference}",
        f"Quando: {when:%d/%m/%Y %H:%M:%S}",
        f"Durante: {context or '—'}",
        f"Comando: {' '.join(sys.argv)}",
        f"Python {platform.python_version()} su {platform.platform()}",
        "",
    ]
    return "\n".join(lines) + "".join(traceback.format_exception(exc))


def _prune(folder: Path, keep: int, new: Path) -> None:
    """Keep the ``keep`` newest logs (their names start with the time), ``new`` always."""
    logs = sorted(p for p in folder.glob(f"{LOG_PREFIX}*.log") if p != new)
    for old in logs[:max(len(logs) - keep + 1, 0)]:
        old.unlink(missing_ok=True)


def record_internal_error(exc: BaseException, context: str = "") -> Incident:
    """Write ``exc``'s traceback to a new log file and return the incident.

    ``context`` says what was being done (``lettura di ufficio.xlsx``). The log goes to
    :func:`log_dir`, or to the system's temporary folder when that cannot be written; with
    neither, the incident has no log and the caller shows the traceback instead. With
    ``--debug`` the traceback is also printed on stderr.
    """
    reference = secrets.token_hex(4)
    when = datetime.now()
    text = _report_text(exc, reference, context, when)
    log: Path | None = None
    name = f"{LOG_PREFIX}{when:%Y%m%d-%H%M%S-%f}-{reference}.log"
    for folder in (log_dir(), Path(tempfile.gettempdir()) / APP_DIR):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        except OSError:
            continue
        log = folder / name
        with contextlib.suppress(OSError):    # an old log left in place is no reason to fail
            _prune(folder, KEEP_LOGS, log)
        break
    if debug_enabled():
        print(text, file=sys.stderr)
    return Incident(reference, log, text)


def internal_message(incident: Incident, what: str = "") -> str:
    """The Italian sentence of an internal error: not the user's fault, where the details
    are, what to do. ``what`` names what failed (``nel leggere ufficio.xlsx``)."""
    head = f"errore interno{f' {what}' if what else ''} (rif. {incident.reference})"
    if incident.log is None:
        where = "il registro non si è potuto scrivere: il dettaglio è qui sotto"
    else:
        where = f"dettagli nel file {incident.log}"
    return f"{head}: non è un problema dei dati; {where}. Inviarlo a chi cura cruscotto_xl."


__all__ = [
    "DEBUG_ENV", "EXIT_INTERNAL", "EXIT_PROBLEMS", "EXIT_USAGE", "LOG_DIR_ENV", "Incident",
    "UsageError", "UserError", "debug_enabled", "internal_message", "log_dir",
    "record_internal_error", "set_debug",
]
