"""Importers: turn the text exports of real plans into a :class:`~cruscotto_xl.core.model.Plan`.

- :func:`import_integra`: an "Integra"-style export of operational objectives with
  indicators, actuals and published grades (year-end report).
- :func:`import_pira`: the text of a strategic plan / PIRA / strategic cruscotto of any body,
  from any extraction (docs/importa-pira.md): objectives, indicators, every target year, owners,
  the rolling change log.
- :func:`import_table`: a flat table (.xlsx or .csv, one row per indicator) with Italian
  headers; :func:`export_table` writes a plan in that shape.

Each returns an :class:`ImportResult`: the plan and the problems found, each located as
``riga N`` (or ``righe …`` for a kind of problem found on several lines) in the source
file. Nothing is dropped silently.
"""

from .common import ImportFailed, ImportResult
from .integra import import_integra, parse_integra
from .pira.build import import_pira, parse_pira
from .tabella import export_table, import_table

__all__ = [
    "ImportFailed", "ImportResult", "export_table", "import_integra", "import_pira",
    "import_table", "parse_integra", "parse_pira",
]
