"""The ``cruscotto`` command: the typer app, its global options and its entry point.

Subcommands are Italian; the English spellings used in the issues are hidden aliases
(:mod:`.options`). Each command group lives in its own module and registers itself here:

- :mod:`.plan` — ``valida``, ``grado``;
- :mod:`.generate` — ``genera``, ``nuovo-anno``, ``demo``;
- :mod:`.returns` — ``ricalcola``, ``controlla``, ``consolida``, ``firma``, ``solleciti``;
- :mod:`.importa`, :mod:`.audit`, :mod:`.report` (``relazione``), :mod:`.esporta`,
  :mod:`.addin`.

Exit codes: 0 success, 1 problems in the user's data, 2 wrong usage, 3 internal error;
errors are one readable line, never a traceback (:mod:`.policy`, docs/errors.md).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import set_debug
from . import audit, esporta, generate, plan, report, returns
from .addin import addin_app
from .importa import importa_app
from .italian import ItalianGroup
from .options import option

app = typer.Typer(
    name="cruscotto",
    help="Cruscotto della performance: piani, cartelle Excel per ufficio, gradi di "
         "raggiungimento.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=ItalianGroup,
)


@app.callback()
def global_options(
    debug: Annotated[bool, option(
        "--debug", "In caso di errore interno mostra anche il dettaglio tecnico "
                        "(traceback), oltre a scriverlo nel registro")] = False,
) -> None:
    set_debug(debug)


plan.register_commands(app)
generate.register_commands(app)
returns.register_commands(app)
app.add_typer(addin_app, name="addin")
app.add_typer(importa_app, name="importa")
audit.register_commands(app)
report.register_commands(app)
esporta.register_commands(app)


def main() -> None:
    """Entry point of the ``cruscotto`` console script."""
    app()


if __name__ == "__main__":
    main()
