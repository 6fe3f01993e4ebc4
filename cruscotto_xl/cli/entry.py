"""The ``cruscotto`` console script: Ctrl+C at any moment is one Italian line, exit 130.

This module imports only the standard library; the handler is in place before the
command line (typer, pydantic, openpyxl…) is imported, so an interruption during the
imports is answered like one during the work (docs/security.md). The command line itself
stays :data:`cruscotto_xl.cli.app.app`.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

EXIT_INTERRUPTED = 130
INTERRUPTED_MESSAGE = ("Interrotto dall'utente (Ctrl+C): i file già scritti restano; "
                       "rilanciare il comando per completare il lavoro.")


class Interrupted(BaseException):
    """Ctrl+C, raised by the handler. A BaseException that is not KeyboardInterrupt, so
    neither click nor the error policy of the commands turns it into another message."""


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    raise Interrupted


def main() -> None:
    """Install the Ctrl+C handler, then import and run the command line."""
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        from .app import main as run_command_line
        run_command_line()
    except (Interrupted, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write(INTERRUPTED_MESSAGE + "\n")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
