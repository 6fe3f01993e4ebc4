"""Importers: turn the text exports of real plans into a :class:`~cruscotto_xl.model.Plan`.

- :func:`import_integra`: an "Integra"-style export of operational objectives with
  indicators, actuals and published grades (year-end report).
- :func:`import_pira`: a strategic cruscotto (PIRA) with objectives, weights, resources and
  targets for three years.

Each returns an :class:`ImportResult`: the plan and the problems found, each located as
``riga N`` in the source file. Nothing is dropped silently.
"""

from .common import ImportFailed, ImportResult
from .integra import import_integra, parse_integra
from .pira import import_pira, parse_pira

__all__ = [
    "ImportFailed", "ImportResult", "import_integra", "import_pira", "parse_integra",
    "parse_pira",
]
