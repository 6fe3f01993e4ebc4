"""Import and export a plan as a flat table (.xlsx or .csv): one row per indicator.

A controller's own Excel plan is usually one table with the ambito, the strategic objective
(OS), the operational objective (OO) and the indicator side by side, weights, and one column
per year for targets and actuals. :func:`import_table` reads such a table with Italian
headers matched tolerantly — case, accents, spaces, underscores and punctuation do not count
(``Peso indicatore``, ``PESO_INDICATORE``, ``peso indicatore (%)``), and common synonyms are
accepted (``Obbiettivo strategico``, ``Unità di misura``, ``Ufficio responsabile``).
:func:`export_table` writes a plan in the same shape, so a plan round-trips through the table.

Layout::

    Ente          ; Camera di Commercio …        ← plan block: "key; value" rows (optional)
    Anno          ; 2024
    Anni target   ; 2024, 2025, 2026
    Ufficio       ; Registro Imprese ; registro.imprese@example.it ; responsabile
                                                 ← blank row
    Codice ambito ; Ambito ; Peso ambito ; Codice OS ; Obiettivo strategico ; … ; Target 2024
    011           ; Utenti ; 40          ; 01        ; Semplificazione …    ; … ; >= 20 N.

The header is the first row that names an indicator column (``Indicatore`` or ``Codice
indicatore``) and at least one more known column; the rows above it are the plan block
(:data:`PLAN_KEYS`). The columns are :data:`COLUMNS` (one value per row) and
:data:`YEAR_COLUMNS` (``Target 2024``, ``Consuntivo 2023``, ``Consuntivo 30/06/2024`` for a
mid-year period, ``Valore numeratore 2023``, ``Grado pubblicato 2023``, ``Stato 2023``,
``Modifica 2024`` …). A year column without its year (``Target``) is taken for the plan year.

Rules for hand-made tables:

- A blank ambito or OS cell means "as in the row above" (merged cells, fill-down); a row
  whose ambito, OS and OO cells are all blank continues the objective of the row above. A
  blank OO cell in a row that names its OS puts the indicator on the OS itself (PIRA-style).
- Objective attributes (title, weight, BSC, offices…) repeat on every row: the first value
  counts and a different one later is reported.
- A row with no indicator cell defines its objectives only (objectives without indicators).
- Codes not given are generated, titles not given are the code; both are reported.
- In .xlsx files a cell formatted as a percentage is read as Excel shows it: a weight of
  ``14,28%`` is 14,28 points, a target of ``70%`` is ``70 %``.

- Description columns (``Descrizione indicatore``, ``Descrizione OS``…) fill the
  ``descrizione`` fields; without the title column of their level they are the title.
- A column the table does not know is kept as an extra field (``altri_campi``, by its
  header) of the ambito, objective or indicator it belongs to (:meth:`_Builder.keep_unknown`:
  a ``Colonna`` row, else the header's words, else the values), and written back by the
  export under the same header.
- A title column of only numbers without a code column gives the codes (``Ambito`` 1, 2, 3).

Every unknown column, unreadable value and row that fits nowhere is a
:class:`~cruscotto_xl.core.problems.Problem` located as ``riga N`` (the 1-based line of the
.csv or row of the sheet); nothing is dropped silently. docs/tabella.md describes it for users.

What the table cannot carry, so :func:`export_table` refuses it with a message: two
actuals of one indicator for the same year and period, two statuses or two change-log
entries of one indicator in the same year. The policy travels as one ``Politica`` row in YAML
flow style (``{dato_mancante: zero}``).

The package is split by layer, each module using only those above it:

- :mod:`.columns` — the column vocabulary: headers written, synonyms read, per-year columns,
  the plan block's keys;
- :mod:`.cells` — what a cell holds and how it reads as a field value;
- :mod:`.read` — a .csv or .xlsx file into rows of cells (behind the untrusted-file guard);
- :mod:`.header` — the header row: which column is where, what the ignored ones held;
- :mod:`.rows` — one row's per-year cells as targets, actuals, statuses, changes;
- :mod:`.build` — rows → plan (the plan block, the tree, extra columns);
- :mod:`.actuals` — only the actuals of a table, by indicator code;
- :mod:`.export` — plan → table, refused when it would not read back equal.
"""

from .actuals import TableActuals, read_table_actuals
from .build import import_grid, import_table
from .cells import number_text
from .columns import (
    COLUMNS,
    PLAN_KEYS,
    TABLE_SUFFIXES,
    YEAR_COLUMNS,
    Column,
    YearColumn,
    header_key,
    match_header,
)
from .export import TableExportError, export_table, table_data
from .read import Grid, read_grid

__all__ = [
    "COLUMNS", "PLAN_KEYS", "TABLE_SUFFIXES", "YEAR_COLUMNS", "Column", "Grid", "TableActuals",
    "TableExportError", "YearColumn", "export_table", "header_key", "import_grid",
    "import_table", "match_header", "number_text", "read_grid", "read_table_actuals",
    "table_data",
]
