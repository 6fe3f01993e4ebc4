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
"""

from __future__ import annotations

import csv
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
import yaml
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError

from ..core.model import (
    FINAL_PERIOD,
    Actual,
    Area,
    Baseline,
    Change,
    Indicator,
    Office,
    OperationalObjective,
    Period,
    Plan,
    Policy,
    Status,
    StrategicObjective,
    default_periods,
)
from ..core.problems import Location, Problem, Severity
from ..core.targets import Polarity
from ..core.vocabulary import (
    YES,
    YES_WORDS,
    NumberError,
    canonical_unit,
    format_date,
    format_number,
    is_missing_text,
    parse_actual,
    parse_date,
    parse_flag,
    parse_number,
    parse_quantity,
    yes_no_text,
)
from ..io.planfile import error_message, format_loc, plan_to_data
from ..returns.guard import UntrustedFileError, check_package
from ..workbook.cells import row_height, write_value
from ..workbook.styles import Styles
from .common import (
    ImportFailed,
    ImportResult,
    at_line,
    by_line,
    check_target,
    parse_weight,
    read_text,
)

TABLE_SUFFIXES = (".xlsx", ".csv")
SHEET_NAME = "Piano"
HEADER_SEARCH_ROWS = 60


# --- the columns ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """A column: ``header`` is what :func:`export_table` writes; ``synonyms`` are also read."""

    key: str
    header: str
    synonyms: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("area_code", "Codice ambito", ("cod ambito", "codice area strategica", "codice area",
                                          "codice as", "ambito codice")),
    Column("area_title", "Ambito", ("ambito strategico", "area strategica", "titolo ambito",
                                    "as")),
    Column("area_description", "Descrizione ambito", ("descrizione area strategica",
                                                      "descrizione ambito strategico",
                                                      "descrizione as")),
    Column("area_weight", "Peso ambito", ("peso area strategica", "peso area", "peso dell ambito",
                                          "peso ambito strategico")),
    Column("area_bsc", "Prospettiva BSC ambito", ("bsc ambito", "prospettiva ambito")),
    Column("os_code", "Codice OS", ("codice obiettivo strategico", "codice obbiettivo strategico",
                                    "cod os", "cod obiettivo strategico", "n os", "numero os")),
    Column("os_title", "Obiettivo strategico", ("obbiettivo strategico", "os", "titolo os",
                                                "titolo obiettivo strategico")),
    Column("os_description", "Descrizione OS", ("descrizione obiettivo strategico",
                                                "descrizione obbiettivo strategico")),
    Column("os_weight", "Peso OS", ("peso obiettivo strategico", "peso su as", "peso su ambito",
                                    "peso os su as", "peso obbiettivo strategico")),
    Column("os_resources", "Risorse OS", ("risorse", "risorse economiche", "risorse economiche os",
                                          "budget")),
    Column("os_bsc", "Prospettiva BSC", ("prospettiva bsc os", "bsc", "bsc os", "prospettiva")),
    Column("os_mission_code", "Codice missione", ("cod missione", "codice missione os",
                                                  "missione codice")),
    Column("os_mission", "Missione", ("missione os",)),
    Column("os_programme_code", "Codice programma", ("cod programma", "codice programma os",
                                                     "programma codice")),
    Column("os_programme", "Programma", ("programma os",)),
    Column("os_offices", "Uffici OS", ("ufficio os", "struttura os")),
    Column("oo_code", "Codice OO", ("codice obiettivo operativo", "codice obbiettivo operativo",
                                    "cod oo", "cod obiettivo operativo")),
    Column("oo_title", "Obiettivo operativo", ("obbiettivo operativo", "oo", "titolo oo",
                                               "titolo obiettivo operativo")),
    Column("oo_description", "Descrizione OO", ("descrizione obiettivo operativo",
                                                "descrizione obbiettivo operativo")),
    Column("oo_weight", "Peso OO", ("peso obiettivo operativo", "peso obbiettivo operativo")),
    Column("oo_resources", "Risorse OO", ("risorse obiettivo operativo", "risorse economiche oo",
                                          "budget oo")),
    Column("oo_offices", "Uffici OO", ("ufficio oo", "struttura oo")),
    Column("code", "Codice indicatore", ("codice", "cod indicatore", "codice kpi", "id indicatore",
                                         "kpi")),
    Column("name", "Indicatore", ("nome indicatore", "denominazione indicatore", "indicatori",
                                  "nome")),
    Column("description", "Descrizione indicatore", ("descrizione kpi",
                                                     "descrizione dell indicatore")),
    Column("algorithm", "Algoritmo", ("formula", "algoritmo di calcolo", "modalita di calcolo",
                                      "metodo di calcolo")),
    Column("numerator", "Numeratore", ("misura numeratore", "nome numeratore")),
    Column("denominator", "Denominatore", ("misura denominatore", "nome denominatore")),
    Column("unit", "Unità", ("unita di misura", "um", "u m", "unita misura")),
    Column("kind", "Tipologia", ("tipologia indicatore", "tipo indicatore", "dimensione")),
    Column("source", "Fonte", ("fonte dati", "fonte dei dati", "fonte del dato",
                               "fonte di rilevazione")),
    Column("baseline", "Baseline", ("valore baseline", "valore di partenza", "valore iniziale",
                                    "base line")),
    Column("baseline_year", "Anno baseline", ("anno della baseline", "anno base")),
    Column("weight", "Peso indicatore", ("peso", "peso kpi", "peso dell indicatore")),
    Column("offices", "Uffici indicatore", ("ufficio", "uffici", "ufficio responsabile",
                                            "uffici responsabili", "servizio",
                                            "servizio responsabile", "struttura",
                                            "struttura responsabile", "ufficio indicatore",
                                            "settore responsabile",
                                            "unita organizzativa responsabile",
                                            "centro di responsabilita")),
    Column("polarity", "Verso", ("polarita", "direzione", "verso indicatore")),
    Column("threshold", "Soglia", ("soglia minima",)),
    Column("red_flag", "Soglia rossa", ()),
    Column("tolerance", "Tolleranza", ()),
    Column("to_confirm", "Da confermare", ("target da confermare",)),
)

#: Names of an organisational unit that are the indicator's owner only when the table has
#: no office column (a municipality's «Settore» above its «Servizio responsabile»).
FALLBACK_OFFICES = ("settore", "unita organizzativa", "area organizzativa")

#: Per-year columns: key → (header prefix written, prefixes read). ``Consuntivo 2023``.
YEAR_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "target": ("Target", ("target", "target anno", "valore atteso", "valore target")),
    "reference": ("Riferimento", ("riferimento", "valore di riferimento",
                                  "valore riferimento")),
    "value": ("Consuntivo", ("consuntivo", "valore consuntivo", "consuntivo anno",
                             "valore rilevato", "risultato")),
    "num_value": ("Valore numeratore", ("valore numeratore", "numeratore")),
    "den_value": ("Valore denominatore", ("valore denominatore", "denominatore")),
    "note": ("Nota", ("nota", "note", "nota consuntivo", "note consuntivo")),
    "published": ("Grado pubblicato", ("grado pubblicato", "grado raggiungimento",
                                       "grado di raggiungimento", "grado")),
    "status": ("Stato", ("stato",)),
    "status_note": ("Nota stato", ("nota stato",)),
    "status_ref": ("Riferimento stato", ("riferimento stato", "delibera stato")),
    "status_grade": ("Grado forzato", ("grado forzato",)),
    "change": ("Modifica", ("modifica", "azione modifica")),
    "change_deliberation": ("Delibera modifica", ("delibera modifica",)),
    "change_date": ("Data modifica", ("data modifica", "data delibera modifica")),
    "change_note": ("Nota modifica", ("nota modifica",)),
    "baseline": ("Baseline", ("baseline", "valore baseline")),
}
#: Year columns that may name a period other than the year end (``Consuntivo 30/06/2024``).
PERIOD_KEYS = {"value", "num_value", "den_value", "note", "published", "target"}
ACTUAL_KEYS = ("value", "num_value", "den_value", "note", "published")
STATUS_KEYS = ("status", "status_note", "status_ref", "status_grade")
CHANGE_KEYS = ("change", "change_deliberation", "change_date", "change_note")

#: The plan block above the header: key → accepted first cells.
PLAN_KEYS: dict[str, tuple[str, ...]] = {
    "entity": ("ente", "amministrazione", "ente camerale"),
    "year": ("anno", "anno piano", "anno del piano"),
    "id": ("identificativo", "id", "id piano", "codice piano"),
    "target_years": ("anni target", "anni dei target"),
    "title": ("titolo", "titolo piano", "titolo del piano"),
    "deliberation": ("delibera", "delibera di approvazione", "delibera approvazione"),
    "deadline": ("scadenza compilazione", "scadenza"),
    "policy": ("politica", "politica di valutazione"),
    "periods": ("periodi", "periodi di monitoraggio", "monitoraggi"),
    "office": ("ufficio",),
    "default_office": ("ufficio predefinito", "ufficio di default"),
    "column": ("colonna", "campo aggiuntivo"),
}
PLAN_LABELS = {"entity": "Ente", "year": "Anno", "id": "Identificativo",
               "target_years": "Anni target", "title": "Titolo", "deliberation": "Delibera",
               "deadline": "Scadenza compilazione", "policy": "Politica",
               "periods": "Periodi", "office": "Ufficio",
               "default_office": "Ufficio predefinito", "column": "Colonna"}

_LEVEL_NAMES = {"area": ("ambito", "Ambito"),
                "os": ("obiettivo strategico", "Obiettivo strategico"),
                "oo": ("obiettivo operativo", "Obiettivo operativo")}
_LEVEL_KEYS = {"area": ("area_code", "area_title"), "os": ("os_code", "os_title"),
               "oo": ("oo_code", "oo_title")}
_INDICATOR_KEYS = ("code", "name", "description", "algorithm", "numerator", "denominator",
                   "unit", "kind", "source", "baseline", "baseline_year", "weight", "offices",
                   "polarity", "threshold", "red_flag", "tolerance", "to_confirm")
_POLARITY_WORDS = {
    "crescente": Polarity.INCREASING, "positivo": Polarity.INCREASING,
    "positiva": Polarity.INCREASING, "aumento": Polarity.INCREASING, "+": Polarity.INCREASING,
    "↑": Polarity.INCREASING, "maggiore e meglio": Polarity.INCREASING,
    "decrescente": Polarity.DECREASING, "negativo": Polarity.DECREASING,
    "negativa": Polarity.DECREASING, "diminuzione": Polarity.DECREASING,
    "-": Polarity.DECREASING, "↓": Polarity.DECREASING, "minore e meglio": Polarity.DECREASING,
}
_STATUS_WORDS = {"neutralizzato": "neutralizzato", "neutralizzata": "neutralizzato",
                 "sterilizzato": "neutralizzato", "sterilizzata": "neutralizzato",
                 "forzato": "forzato", "forzata": "forzato"}
_CHANGE_WORDS = {"inserito": "Inserito", "aggiornato": "Aggiornato", "eliminato": "Eliminato"}
_OFFICE_SPLIT = re.compile(r"\s*(?:\n|;|\|)\s*")
_YEAR_HEADER = re.compile(r"^(?P<prefix>[a-z][a-z ]*?) ?(?:al )?"
                          r"(?:(?P<day>\d{1,2}) (?P<month>\d{1,2}) )?(?P<year>(?:19|20)\d\d)$")


def header_key(text: str) -> str:
    """What a header is compared by: lower case, no accents, words only."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def _index() -> dict[str, str]:
    out: dict[str, str] = {}
    for col in COLUMNS:
        for name in (col.header, *col.synonyms):
            out[header_key(name)] = col.key
    return out


_STATIC = _index()
_YEAR_PREFIX = {header_key(p): key for key, (_, prefixes) in YEAR_COLUMNS.items()
                for p in prefixes}
_PLAN_KEY = {header_key(w): key for key, words in PLAN_KEYS.items() for w in words}
_HEADERS = {col.key: col.header for col in COLUMNS}


@dataclass(frozen=True)
class YearColumn:
    """A per-year column; ``year`` None means the plan year (a header without its year)."""

    key: str
    year: int | None
    period: str = FINAL_PERIOD


def match_header(text: str) -> str | YearColumn | None:
    """The column a header names: a :data:`COLUMNS` key, a :class:`YearColumn`, or None."""
    key = header_key(text)
    if not key:
        return None
    if key in _STATIC:
        return _STATIC[key]
    if key in _YEAR_PREFIX:
        return YearColumn(_YEAR_PREFIX[key], None)
    m = _YEAR_HEADER.match(key)
    if not m or m["prefix"] not in _YEAR_PREFIX:
        return None
    which = _YEAR_PREFIX[m["prefix"]]
    period = FINAL_PERIOD
    if m["day"]:
        if which not in PERIOD_KEYS:
            return None
        try:
            date(int(m["year"]), int(m["month"]), int(m["day"]))
        except ValueError:
            return None
        period = f"{int(m['day']):02d}/{int(m['month']):02d}"
    return YearColumn(which, int(m["year"]), period)


# --- cells ------------------------------------------------------------------------------------

class Percent(float):
    """A number from a cell formatted as a percentage (Excel stores ``70%`` as 0.7)."""


Cell = str | float | bool | date


def _is_percent_format(number_format: str | None) -> bool:
    """``0.00%`` is a percentage; ``0.00"%"`` (a literal sign after points) is not."""
    if not number_format:
        return False
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


def _xlsx_cell(value: object, number_format: str | None) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return Percent(value) if _is_percent_format(number_format) else float(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).strip()


def _exact(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def number_text(value: float | Decimal, percent: bool = False) -> str:
    """Italian text of a number with exactly the decimals it needs (``14,28``, ``97,87 %``)."""
    exact = value if isinstance(value, Decimal) else _exact(value)
    if percent:
        exact *= 100
    exact = exact.normalize()
    decimals = max(0, -int(exact.as_tuple().exponent))
    text = format_number(exact, decimals, grouping=False)
    return f"{text} %" if percent else text


def show(cell: Cell) -> str:
    """A cell as a person reads it (for messages and for text fields)."""
    if isinstance(cell, bool):
        return yes_no_text(cell)
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y %H:%M")
    if isinstance(cell, date):
        return format_date(cell)
    if isinstance(cell, float):
        return number_text(cell, isinstance(cell, Percent))
    return cell


def _plain(cell: Cell) -> str:
    """A text field: numbers as typed (``1.01`` stays a code, not ``1,01``)."""
    if isinstance(cell, float) and not isinstance(cell, Percent | bool):
        return str(int(cell)) if cell.is_integer() else repr(float(cell))
    return show(cell)


def _blank(cell: Cell) -> bool:
    return cell == "" or cell is None


# --- reading a grid ---------------------------------------------------------------------------

@dataclass
class Grid:
    """The rows of a sheet or CSV file, each with its 1-based line number."""

    rows: list[tuple[int, list[Cell]]]
    problems: list[Problem] = field(default_factory=list)
    sheet: str | None = None


def _header_score(cells: list[Cell]) -> int:
    """How many known columns a row names (0 when it names no indicator column, or is a
    ``Colonna`` row of the plan block, whose level may read as a header: «indicatore»)."""
    if cells and isinstance(cells[0], str) and _PLAN_KEY.get(header_key(cells[0])) == "column":
        return 0
    found = [match_header(_plain(c)) for c in cells if isinstance(c, str) and c]
    keys = {f if isinstance(f, str) else f.key for f in found if f is not None}
    named = keys & {"code", "name", "description"}
    return len(found) - found.count(None) if named and len(keys) >= 2 else 0


def _find_header(rows: list[tuple[int, list[Cell]]]) -> int | None:
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _header_score(cells):
            return i
    return None


def _read_csv(path: Path) -> Grid:
    text, problems = read_text(path)
    lines = text.splitlines(keepends=True)
    best: tuple[int, Grid] | None = None
    for delimiter in (";", "\t", ","):
        reader = csv.reader(lines, delimiter=delimiter)
        rows: list[tuple[int, list[Cell]]] = []
        start = 1
        try:
            for row in reader:
                rows.append((start, [c.strip() for c in row]))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportFailed(path, [Problem(Location(lines=(reader.line_num,)),
                                              f"CSV non leggibile: {exc}")]) from None
        at = _find_header(rows)
        score = _header_score(rows[at][1]) if at is not None else 0
        if best is None or score > best[0]:
            best = (score, Grid(rows, list(problems)))
    assert best is not None
    return best[1]


def _sheet_rows(ws: Any) -> list[tuple[int, list[Cell]]]:
    rows = []
    for lineno, row in enumerate(ws.iter_rows(), 1):
        cells = [_xlsx_cell(c.value, getattr(c, "number_format", None)) for c in row]
        while cells and _blank(cells[-1]):
            cells.pop()
        rows.append((lineno, cells))
    return rows


def _read_xlsx(path: Path) -> Grid:
    try:
        check_package(path)
    except UntrustedFileError as exc:
        raise ImportFailed(path, [Problem(Location(), exc.reason)]) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any parser failure is a refusal with one line
        raise ImportFailed(path, [Problem(Location(), f"cartella Excel non leggibile "
                                                      f"({type(exc).__name__})")]) from None
    try:
        sheets = [(ws.title, _sheet_rows(ws)) for ws in book.worksheets]
    finally:
        book.close()
    chosen = next(((name, rows) for name, rows in sheets if _find_header(rows) is not None),
                  sheets[0] if sheets else ("", []))
    problems = [Problem(Location(), f"foglio «{name}» non letto: la tabella è nel foglio "
                                    f"«{chosen[0]}»", "avviso")
                for name, rows in sheets if name != chosen[0] and any(c for _, c in rows)]
    return Grid(chosen[1], problems, chosen[0])


def read_grid(path: Path | str) -> Grid:
    """The rows of a .xlsx (the sheet that holds the table) or .csv (``;``, tab or ``,``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise ImportFailed(path, [Problem(Location(), f"formato «{path.suffix}» non supportato: "
                                                  f"usare una tabella .xlsx o .csv")])


# --- the header -------------------------------------------------------------------------------

@dataclass
class Header:
    lineno: int
    width: int
    static: dict[str, int] = field(default_factory=dict)
    years: list[tuple[YearColumn, int]] = field(default_factory=list)
    ignored: dict[int, str] = field(default_factory=dict)  # unknown or blank header
    names: dict[object, str] = field(default_factory=dict)  # column → header as written

    def name(self, column: str | YearColumn) -> str:
        """A column as the table calls it (for messages)."""
        if column in self.names:
            return self.names[column]
        return _HEADERS[column] if isinstance(column, str) else _year_header(column)

    def resolve_years(self, year: int, problems: list[Problem]) -> None:
        """Give the plan year to the year columns written without one (``Target``)."""
        explicit = {c for c, _ in self.years if c.year is not None}
        resolved = []
        for col, i in self.years:
            if col.year is None:
                concrete = YearColumn(col.key, year, col.period)
                if concrete in explicit:
                    problems.append(at_line(self.lineno, f"colonna «{self.name(col)}» (per il "
                                                         f"{year}) ripetuta come "
                                                         f"«{_year_header(concrete)}»: ignorata"))
                    continue
                problems.append(at_line(self.lineno, f"colonna «{self.name(col)}» senza anno: "
                                                     f"usata per il {year}", "avviso"))
                self.names[concrete] = self.names.get(col, _year_header(col))
                col = concrete
            resolved.append((col, i))
        self.years = resolved

    def report_ignored(self, rows: list[tuple[int, list[Cell]]], problems: list[Problem],
                       letters: bool, named: bool = True) -> None:
        """Ignored columns, with how many values they held (reported, never dropped unseen).

        ``named=False`` reports only the columns without a header: the plan import keeps
        the named ones as extra fields (:meth:`_Builder.keep_unknown`).
        """
        for i, text in self.ignored.items():
            n = sum(1 for _, cells in rows if i < len(cells) and not _blank(cells[i]))
            if text:
                if named:
                    problems.append(at_line(self.lineno, f"colonna «{text}» non riconosciuta: "
                                                         f"ignorata ({n} valori; nomi ammessi "
                                                         f"in docs/tabella.md)", "avviso"))
            elif n:
                where = get_column_letter(i + 1) if letters else str(i + 1)
                problems.append(at_line(self.lineno, f"colonna {where} senza intestazione: "
                                                     f"{n} valori ignorati", "avviso"))


def _parse_header(lineno: int, cells: list[Cell], problems: list[Problem]) -> Header:
    header = Header(lineno, len(cells))
    seen: dict[object, str] = {}
    for i, cell in enumerate(cells):
        text = _plain(cell)
        found = match_header(text) if text else None
        if found is None:
            header.ignored[i] = text
            continue
        if found in seen:
            problems.append(at_line(lineno, f"colonna «{text}» ripetuta (come «{seen[found]}»): "
                                            f"ignorata"))
            continue
        seen[found] = text
        header.names[found] = text
        if isinstance(found, str):
            header.static[found] = i
        else:
            header.years.append((found, i))
    _settle_header(header, problems)
    return header


#: A description column's level when the table has no title column of that level: the
#: description is the title (``Codice OS; Descrizione OS``).
_TITLE_OF = {"area_description": "area_title", "os_description": "os_title",
             "oo_description": "oo_title", "description": "name"}


def _settle_header(header: Header, problems: list[Problem]) -> None:
    """What a column means given the others (see docs/tabella.md, «Colonne che dipendono
    dalle altre»): a description without a title column is the title; a «Settore» without an
    office column is the office; a «Note» without a year and without a «Consuntivo» without
    a year is an extra field, not the note of an actual."""
    for described, title in _TITLE_OF.items():
        if described in header.static and title not in header.static:
            header.static[title] = header.static.pop(described)
            header.names[title] = header.names.pop(described)
            problems.append(at_line(header.lineno, f"colonna «{header.names[title]}» usata come "
                                                   f"«{_HEADERS[title]}» (la tabella non ha "
                                                   f"una colonna «{_HEADERS[title]}»)", "avviso"))
    if "offices" not in header.static:
        for i, text in sorted(header.ignored.items()):
            if header_key(text) in FALLBACK_OFFICES:
                del header.ignored[i]
                header.static["offices"] = i
                header.names["offices"] = text
                problems.append(at_line(header.lineno, f"colonna «{text}» usata come ufficio "
                                                       f"responsabile degli indicatori (la "
                                                       f"tabella non ha una colonna «Ufficio»)",
                                        "avviso"))
                break
    bare_values = any(c.year is None and c.key in ("value", "num_value", "den_value")
                      for c, _ in header.years)
    if not bare_values:
        for col, i in list(header.years):
            if col.key == "note" and col.year is None:
                header.years.remove((col, i))
                header.ignored[i] = header.names.pop(col)


# --- building the plan ------------------------------------------------------------------------

def _text(cell: Cell) -> str:
    return _plain(cell).strip()


def _offices(cell: Cell) -> list[str]:
    return [o for o in _OFFICE_SPLIT.split(_text(cell)) if o]


def _weight(cell: Cell) -> float:
    if isinstance(cell, Percent):
        value = float(_exact(cell) * 100)
    elif isinstance(cell, float) and not isinstance(cell, bool):
        value = float(cell)
    else:
        return parse_weight(show(cell))
    if not 0 <= value <= 100:
        raise NumberError(f"«{show(cell)}» non è un peso tra 0 e 100")
    return value


def _number(cell: Cell) -> float:
    if isinstance(cell, float) and not isinstance(cell, bool):
        return float(cell)
    return parse_number(show(cell))


def _amount(cell: Cell) -> float:
    if isinstance(cell, float) and not isinstance(cell, bool):
        return float(cell)
    amount, unit, _ = parse_quantity(show(cell))
    if unit not in (None, "€"):
        raise NumberError(f"«{show(cell)}» non è un importo in euro")
    return amount


def _date(cell: Cell) -> date:
    if isinstance(cell, date):
        return cell.date() if isinstance(cell, datetime) else cell
    return parse_date(show(cell))


def _actual_value(cell: Cell) -> bool | float | date | None:
    if isinstance(cell, bool | date):
        return cell.date() if isinstance(cell, datetime) else cell
    if isinstance(cell, float):
        return float(cell)
    return parse_actual(cell)


def _target_text(cell: Cell) -> str:
    """A target as text: typed text as is; a number or date cell as Excel shows it."""
    return cell if isinstance(cell, str) else show(cell)


def _reference(cell: Cell) -> float | None:
    if isinstance(cell, str) and is_missing_text(cell):
        return None
    return _number(cell)


@dataclass
class _Level:
    """Where the attributes of an objective were first given (to report conflicts)."""

    first: dict[str, tuple[object, int]] = field(default_factory=dict)


@dataclass
class _Record:
    """A data row and the tree elements it named (for the columns decided at the end)."""

    lineno: int
    cells: list[Cell]
    area: Area
    os: StrategicObjective | None
    oo: OperationalObjective | None
    indicator: Indicator | None

    def element(self, level: str) -> BaseModel | None:
        """The element of ``level`` this row gives a value to (None: the row has none)."""
        owner = self.oo or self.os
        return {"area": self.area, "os": self.os, "oo": self.oo, "objective": owner,
                "indicator": self.indicator or owner or self.area}[level]


#: Levels of an extra column, the words of a header that name them (most specific first)
#: and how messages and the ``Colonna`` row call them.
EXTRA_LEVELS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "oo": (("operativo", "operativi", "operativa", "oo"), "obiettivo operativo",
           "degli obiettivi operativi"),
    "os": (("strategico", "strategici", "strategica", "os"), "obiettivo strategico",
           "degli obiettivi strategici"),
    "area": (("ambito", "ambiti"), "ambito", "degli ambiti"),
    "indicator": (("indicatore", "indicatori", "kpi"), "indicatore", "degli indicatori"),
    "objective": (("obiettivo", "obiettivi", "obbiettivo"), "obiettivo",
                  "degli obiettivi (l'operativo, o lo strategico per i suoi indicatori)"),
}
_LEVEL_OF_NAME = {header_key(name): level for level, (_, name, _) in EXTRA_LEVELS.items()}
#: Headers of a description whose level the values decide (``Descrizione``).
_BARE_DESCRIPTIONS = {"descrizione", "descrizione obiettivo", "descrizione obbiettivo"}


def _values(n: int) -> str:
    return "1 valore" if n == 1 else f"{n} valori"


def _level_by_words(text: str) -> str | None:
    words = set(header_key(text).split())
    return next((level for level, (names, _, _) in EXTRA_LEVELS.items()
                 if words & set(names)), None)


def _level_by_values(records: list[_Record], i: int) -> str:
    """The highest level at which column ``i`` never varies inside one element, and varies
    among the elements just below it in at least one (so there is evidence it belongs
    there): ambito, then strategic objective, then the objective that owns the row's
    indicator; otherwise the indicator (docs/tabella.md, «Colonne in più»)."""
    def value(r: _Record) -> str:
        return show(r.cells[i]) if i < len(r.cells) and not _blank(r.cells[i]) else ""

    def unit(r: _Record, level: str) -> object:
        element = r.element(level)
        return id(element) if element is not None else ("riga", r.lineno)

    below = {"area": "os", "os": "objective"}
    for level in ("area", "os", "objective"):
        groups: dict[object, set[str]] = {}
        parts: dict[object, set[object]] = {}
        for r in records:
            key = unit(r, level)
            groups.setdefault(key, set()).add(value(r))
            if value(r):
                sub = unit(r, below[level]) if level in below else \
                    (id(r.indicator) if r.indicator is not None else ("riga", r.lineno))
                parts.setdefault(key, set()).add(sub)
        if all(len(v) == 1 for v in groups.values()) and any(
                len(p) >= 2 for p in parts.values()):
            return level
    return "indicator"


class _Builder:
    """Turns the data rows into the plan tree, one row at a time."""

    def __init__(self, header: Header, year: int, problems: list[Problem]) -> None:
        self.h = header
        self.year = year
        self.problems = problems
        self.areas: list[Area] = []
        self.by_key: dict[tuple[str, str, str], BaseModel] = {}
        self.where: dict[int, tuple[str, int]] = {}   # id(object) → (parent code, line)
        self.levels: dict[int, _Level] = {}
        self.prev: tuple[Area | None, StrategicObjective | None,
                         OperationalObjective | None] = (None, None, None)
        self.indicator_lines: dict[str, int] = {}
        self.os_count = 0
        self.columns_missing: set[str] = set()
        self.records: list[_Record] = []
        self.numeric_titles: set[str] = set()   # levels whose title column holds codes

    # --- helpers -----------------------------------------------------------------------

    def problem(self, lineno: int, message: str, severity: Severity = "errore",
                subject: str = "") -> None:
        self.problems.append(at_line(lineno, message, severity, subject))

    def cell(self, row: list[Cell], key: str) -> Cell:
        i = self.h.static.get(key)
        return row[i] if i is not None and i < len(row) else ""

    def convert(self, row: list[Cell], key: str, parse: Callable[[Cell], Any], lineno: int,
                subject: str) -> Any:
        """The parsed value of a cell, or None (blank, or unreadable and reported)."""
        cell = self.cell(row, key)
        if _blank(cell):
            return None
        try:
            return parse(cell)
        except NumberError as exc:
            self.problem(lineno, f"colonna «{self.h.name(key)}»: {exc}", subject=subject)
            return None

    def attribute(self, obj: BaseModel, attr: str, value: object, lineno: int, label: str,
                  subject: str) -> None:
        """Set an objective's attribute the first time; report a different later value."""
        if value is None or value == []:
            return
        level = self.levels.setdefault(id(obj), _Level())
        if attr in level.first:
            first, line = level.first[attr]
            if first != value:
                self.problem(lineno, f"«{label}» di «{subject}» diverso da quello della riga "
                                     f"{line} ({_shown(first)} invece di {_shown(value)}): vale "
                                     f"il primo", "avviso", subject)
            return
        level.first[attr] = (value, lineno)
        try:
            setattr(obj, attr, value)
        except ValidationError as exc:
            del level.first[attr]
            self.problem(lineno, f"«{label}»: {error_message(dict(exc.errors()[0]))}",
                         subject=subject)

    def generated(self, column: str, lineno: int, message: str, code: str) -> None:
        """A generated code: reported on its row, or once when the table has no such column."""
        if column in self.h.static:
            self.problem(lineno, message, "avviso", code)
        elif column not in self.columns_missing:
            self.columns_missing.add(column)
            self.problem(self.h.lineno, f"colonna «{_HEADERS[column]}» assente: codici assegnati "
                                        f"(es. «{code}»)", "avviso")

    def lookup(self, kind: str, code: str, title: str) -> BaseModel | None:
        """An objective met before: by code when the row gives one, else by title."""
        return self.by_key.get((kind, "code", code) if code else (kind, "title", title))

    def register(self, kind: str, obj: Any) -> None:
        self.by_key[(kind, "code", obj.code)] = obj
        self.by_key.setdefault((kind, "title", obj.title), obj)

    # --- levels -------------------------------------------------------------------------

    def objective(self, kind: str, parent: Any, code: str, title: str, lineno: int) -> Any:
        """The ambito / OS / OO a row names: met before (by code, else by title) or new."""
        name, label = _LEVEL_NAMES[kind]
        found = self.lookup(kind, code, title)
        if found is not None:
            home = self.where[id(found)]
            if parent is not None and home[0] != parent.code:
                self.problem(lineno, f"{name} «{found.code}» già sotto «{home[0]}» (riga "
                                     f"{home[1]}): resta lì", subject=found.code)
            self.attribute(found, "title", title or None, lineno, label, found.code)
            return found
        cls, siblings = {"area": (Area, self.areas),
                         "os": (StrategicObjective, getattr(parent, "objectives", None)),
                         "oo": (OperationalObjective, getattr(parent, "operational", None))}[kind]
        self.os_count += kind == "os"
        if not code:
            code = {"area": f"A{len(siblings) + 1:02d}", "os": f"{self.os_count:02d}",
                    "oo": f"{getattr(parent, 'code', '')}.{len(siblings) + 1:02d}"}[kind]
            self.generated(_LEVEL_KEYS[kind][0], lineno, f"{name} «{title}» senza codice: "
                                                         f"assegnato «{code}»", code)
        level = _Level({"title": (title, lineno)} if title else {})
        if not title:
            title = code
            self.problem(lineno, f"{name} «{code}» senza titolo: usato il codice", "avviso",
                         code)
        obj = cls(code=code, title=title)
        siblings.append(obj)
        self.register(kind, obj)
        self.where[id(obj)] = (parent.code if parent is not None else "", lineno)
        self.levels[id(obj)] = level
        return obj

    def unnamed_parent(self, kind: str, parent: Area | None, lineno: int, what: str) -> Any:
        """The ambito 000 / OS 00 of rows that name none (reported)."""
        columns = {"area": {"area_code", "area_title"}, "os": {"os_code", "os_title"}}[kind]
        # A table without ambito (or OS) columns has none: this one container holds it all.
        severity: Severity = "errore" if columns & set(self.h.static) else "avviso"
        code, title = ("000", "Ambito non indicato") if kind == "area" else (
            "00", "Obiettivo strategico non indicato")
        self.problem(lineno, f"{what} senza {_LEVEL_NAMES[kind][0]}: messo in «{code} "
                             f"{title}»", severity)
        return self.objective(kind, parent, code, title, lineno)

    # --- one row --------------------------------------------------------------------------

    def has_indicator(self, row: list[Cell]) -> bool:
        return (any(not _blank(self.cell(row, k)) for k in _INDICATOR_KEYS)
                or any(i < len(row) and not _blank(row[i]) for _, i in self.h.years))

    def numeric_title_columns(self, rows: list[tuple[int, list[Cell]]]) -> None:
        """Title columns that hold only numbers (``Ambito`` = 1, 2, 3) in a table without a
        code column for their level: the numbers are the codes (reported once)."""
        for level, (code_key, title_key) in _LEVEL_KEYS.items():
            if code_key in self.h.static or title_key not in self.h.static:
                continue
            values = [_text(self.cell(cells, title_key)) for _, cells in rows]
            values = [v for v in values if v]
            if values and all(_NUMERIC_CODE.fullmatch(v) for v in values):
                self.numeric_titles.add(level)
                label = _LEVEL_NAMES[level][1]
                shown = ", ".join(list(dict.fromkeys(values))[:10])
                self.problem(self.h.lineno, f"colonna «{self.h.name(title_key)}» con soli numeri "
                                            f"({shown}): letti come codici, titoli «{label} "
                                            f"{values[0]}»…; aggiungere una colonna con i "
                                            f"titoli", "avviso")

    def row(self, lineno: int, row: list[Cell]) -> None:
        names = {level: (_text(self.cell(row, c)), _text(self.cell(row, t)))
                 for level, (c, t) in _LEVEL_KEYS.items()}
        for level in self.numeric_titles:
            if names[level][1]:
                names[level] = (names[level][1], f"{_LEVEL_NAMES[level][1]} {names[level][1]}")
        given = {level: bool(c or t) for level, (c, t) in names.items()}
        has_indicator = self.has_indicator(row)
        extra = [show(row[i]) for i in range(self.h.width, len(row)) if not _blank(row[i])]
        if extra:
            self.problem(lineno, f"celle oltre l'ultima colonna ignorate: «{' | '.join(extra)}»")
        if not any(given.values()) and not has_indicator:
            # Objective data with no objective named, or unknown columns only.
            stray = [show(c) for c in row[:self.h.width] if not _blank(c)]
            if stray:
                self.problem(lineno, f"riga senza ambito, obiettivo né indicatore: non "
                                     f"importata («{' | '.join(stray)}»)")
            return

        prev_area, prev_os, prev_oo = self.prev
        oo: OperationalObjective | None = None
        if not any(given.values()):
            area, os_, oo = prev_area, prev_os, prev_oo
            if area is None:
                area = self.unnamed_parent("area", None, lineno, "indicatore")
        else:
            if given["area"]:
                area = self.objective("area", None, *names["area"], lineno)
            elif prev_area is not None:
                area = prev_area
            else:
                area = self.unnamed_parent("area", None, lineno, "obiettivo")
            os_ = None
            if given["os"]:
                os_ = self.objective("os", area, *names["os"], lineno)
            elif area is prev_area:
                os_ = prev_os
            if given["oo"]:
                if os_ is None:
                    what = f"obiettivo operativo «{names['oo'][0] or names['oo'][1]}»"
                    os_ = self.unnamed_parent("os", area, lineno, what)
                oo = self.objective("oo", os_, *names["oo"], lineno)
        if os_ is None and has_indicator:
            os_ = self.unnamed_parent("os", area, lineno, "indicatore")
        self.level_attributes(row, lineno, area, os_, oo)
        self.prev = (area, os_, oo)
        indicator = None
        if has_indicator:
            assert os_ is not None
            owner = oo if oo is not None else os_
            indicator = self.indicator(row, lineno, owner)
            if indicator is not None:
                owner.indicators.append(indicator)
        self.records.append(_Record(lineno, row, area, os_, oo, indicator))

    def level_attributes(self, row: list[Cell], lineno: int, area: Area,
                         os_: StrategicObjective | None, oo: OperationalObjective | None) -> None:
        def put(obj: BaseModel, attr: str, key: str, parse: Callable[[Cell], Any],
                subject: str) -> None:
            value = self.convert(row, key, parse, lineno, subject)
            self.attribute(obj, attr, value, lineno, self.h.name(key), subject)

        put(area, "weight", "area_weight", _weight, area.code)
        put(area, "bsc", "area_bsc", _text, area.code)
        put(area, "description", "area_description", _text, area.code)
        if os_ is not None:
            for attr, key, parse in _OS_FIELDS:
                put(os_, attr, key, parse, os_.code)
        elif any(not _blank(self.cell(row, key)) for _, key, _ in _OS_FIELDS):
            self.problem(lineno, "dati di un obiettivo strategico senza l'obiettivo: ignorati")
        if oo is not None:
            for attr, key, parse in _OO_FIELDS:
                put(oo, attr, key, parse, oo.code)
        elif any(not _blank(self.cell(row, key)) for _, key, _ in _OO_FIELDS):
            self.problem(lineno, "dati di un obiettivo operativo senza l'obiettivo: ignorati")

    # --- the indicator ----------------------------------------------------------------------

    def indicator(self, row: list[Cell], lineno: int,
                  owner: StrategicObjective | OperationalObjective) -> Indicator:
        code = _text(self.cell(row, "code"))
        if not code:
            code = f"{owner.code}_{len(owner.indicators) + 1:02d}"
            self.generated("code", lineno, f"indicatore senza codice: assegnato «{code}»", code)
        if code in self.indicator_lines:
            self.problem(lineno, f"codice indicatore «{code}» ripetuto (anche alla riga "
                                 f"{self.indicator_lines[code]})", subject=code)
        self.indicator_lines.setdefault(code, lineno)
        name = _text(self.cell(row, "name"))
        if not name:
            name = code
            self.problem(lineno, "indicatore senza nome: usato il codice", subject=code)
        polarity = self.convert(row, "polarity", _polarity, lineno, code)
        data: dict[str, Any] = {
            "code": code, "name": name, "polarity": polarity,
            "weight": self.convert(row, "weight", _weight, lineno, code),
            "offices": _offices(self.cell(row, "offices")),
            "threshold": self.convert(row, "threshold", _number, lineno, code),
            "red_flag": self.convert(row, "red_flag", _number, lineno, code),
            "tolerance": self.convert(row, "tolerance", _number, lineno, code),
            "unit": canonical_unit(_text(self.cell(row, "unit"))),
        }
        for key in ("description", "algorithm", "numerator", "denominator", "kind", "source"):
            data[key] = _text(self.cell(row, key)) or None
        data["to_confirm"] = self.convert(row, "to_confirm", _yes_no, lineno, code)
        data.update(parse_year_cells(self.year_cells(row), lineno, code, self.problems,
                                     polarity))
        baseline = self.baseline(row, lineno, code, data.pop("baseline", None))
        if baseline is not None:
            data["baseline"] = baseline
        return _model_or_report(Indicator, data, self.problems, lineno, code)

    def baseline(self, row: list[Cell], lineno: int, code: str,
                 from_year_column: Baseline | None) -> Baseline | None:
        """``Baseline`` and ``Anno baseline`` (or a ``Baseline 2022`` column)."""
        value = self.convert(row, "baseline", _number, lineno, code)
        year = self.convert(row, "baseline_year", _year, lineno, code)
        if value is None:
            if year is not None:
                self.problem(lineno, f"colonna «{self.h.name('baseline_year')}»: anno della "
                                     f"baseline senza il valore: ignorato", "avviso", code)
            return from_year_column
        if from_year_column is not None:
            self.problem(lineno, "baseline indicata due volte (colonna con l'anno e colonna "
                                 "«Baseline»): vale la colonna «Baseline»", "avviso", code)
        return Baseline(valore=value, anno=year)

    def keep_unknown(self, declared: dict[str, tuple[str, int]]) -> None:
        """Every named column the table does not know is kept on the plan: as an extra field
        (``altri_campi``, by its header) or, for a bare ``Descrizione``, as the description,
        at the level ``declared`` by a ``Colonna`` row, else named by the header's words,
        else read from the values (:func:`_level_by_values`)."""
        for i, text in sorted(self.h.ignored.items()):
            if not text:
                continue  # reported by Header.report_ignored
            filled = [r for r in self.records if i < len(r.cells) and not _blank(r.cells[i])]
            if not filled:
                self.problem(self.h.lineno, f"colonna «{text}» non riconosciuta e vuota: "
                                            f"ignorata", "avviso")
                continue
            if text in declared:
                level, how = declared[text][0], ""
            elif (by_words := _level_by_words(text)) is not None:
                level, how = by_words, "livello dal nome della colonna"
            else:
                level, how = _level_by_values(self.records, i), "livello dai valori"
            description = header_key(text) in _BARE_DESCRIPTIONS
            what = "come descrizione" if description else "come campo aggiuntivo"
            if how:
                self.problem(self.h.lineno, f"colonna «{text}» non riconosciuta: conservata "
                                            f"{what} {EXTRA_LEVELS[level][2]} "
                                            f"({_values(len(filled))}, {how}; vedi "
                                            f"docs/tabella.md)", "avviso")
            for r in filled:
                element = r.element(level)
                if element is None:
                    self.problem(r.lineno, f"colonna «{text}»: la riga non ha un "
                                           f"{EXTRA_LEVELS[level][1]}: valore «{show(r.cells[i])}» "
                                           f"non importato")
                    continue
                code = getattr(element, "code", "")
                if description:
                    self.attribute(element, "description", show(r.cells[i]), r.lineno, text,
                                   code)
                else:
                    self.extra(element, text, show(r.cells[i]), r.lineno, code)

    def extra(self, element: Any, header: str, value: str, lineno: int, subject: str) -> None:
        """An extra field: the first value counts, a different later one is reported."""
        level = self.levels.setdefault(id(element), _Level())
        key = f"altri_campi:{header}"
        if key in level.first:
            first, line = level.first[key]
            if first != value:
                self.problem(lineno, f"«{header}» di «{subject}» diverso da quello della riga "
                                     f"{line} ({_shown(first)} invece di {_shown(value)}): vale "
                                     f"il primo", "avviso", subject)
            return
        level.first[key] = (value, lineno)
        element.extra[header] = value

    def year_cells(self, row: list[Cell]) -> dict[tuple[str, int, str], tuple[Cell, str]]:
        out = {}
        for col, i in self.h.years:
            cell = row[i] if i < len(row) else ""
            if not _blank(cell):
                out[(col.key, col.year or self.year, col.period)] = (cell, self.h.name(col))
        return out


def _year_header(col: YearColumn) -> str:
    prefix = YEAR_COLUMNS[col.key][0]
    if col.year is None:
        return prefix
    if col.period != FINAL_PERIOD:
        return f"{prefix} {col.period}/{col.year}"
    return f"{prefix} {col.year}"


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "«" + "; ".join(map(str, value)) + "»"
    if isinstance(value, float):
        return f"«{number_text(value)}»"
    return f"«{value}»"


_NUMERIC_CODE = re.compile(r"\d+(?:\.\d+)*")

_OS_FIELDS: tuple[tuple[str, str, Callable[[Cell], Any]], ...] = (
    ("description", "os_description", _text), ("weight", "os_weight", _weight),
    ("resources", "os_resources", _amount), ("bsc", "os_bsc", _text),
    ("mission_code", "os_mission_code", _text), ("mission", "os_mission", _text),
    ("programme_code", "os_programme_code", _text), ("programme", "os_programme", _text),
    ("offices", "os_offices", _offices))
_OO_FIELDS: tuple[tuple[str, str, Callable[[Cell], Any]], ...] = (
    ("description", "oo_description", _text), ("weight", "oo_weight", _weight),
    ("resources", "oo_resources", _amount), ("offices", "oo_offices", _offices))

def _yes_no(cell: Cell) -> bool:
    """A flag cell (``da confermare``): a yes or no word, or the column's own name."""
    if isinstance(cell, bool):
        return cell
    if header_key(show(cell)) in ("da confermare", *(header_key(w) for w in YES_WORDS)):
        return True
    return parse_flag(show(cell))


def _year(cell: Cell) -> int:
    text = _plain(cell)
    if re.fullmatch(r"(?:19|20)\d\d", text):
        return int(text)
    raise NumberError(f"«{show(cell)}» non è un anno (es. 2022)")


def _polarity(cell: Cell) -> Polarity:
    word = header_key(show(cell)) or show(cell).strip()
    if word in _POLARITY_WORDS:
        return _POLARITY_WORDS[word]
    raise NumberError(f"«{show(cell)}» non è un verso (scrivere crescente o decrescente)")


_FIELD_LABELS = {
    "weight": "peso", "threshold": "soglia", "red_flag": "soglia rossa",
    "tolerance": "tolleranza", "published_grade": "grado pubblicato", "grade": "grado forzato",
    "note": "nota", "value": "consuntivo", "kind": "tipo", "action": "azione",
}


def parse_year_cells(cells: dict[tuple[str, int, str], tuple[Cell, str]], lineno: int,
                     code: str, problems: list[Problem],
                     polarity: Polarity | None = None) -> dict[str, Any]:
    """Targets, references, actuals, statuses and changes of one row's year columns.

    ``cells`` maps (key, year, period) to (cell, column header). Unreadable values are
    reported at ``lineno`` and left out (a target is kept as written, as the plan does).
    """
    def report(header: str, message: str, severity: Severity = "errore") -> None:
        problems.append(at_line(lineno, f"colonna «{header}»: {message}", severity, code))

    def value(key: str, year: int, period: str, parse: Callable[[Cell], Any]) -> Any:
        found = cells.get((key, year, period))
        if found is None:
            return None
        try:
            return parse(found[0])
        except NumberError as exc:
            report(found[1], str(exc))
            return None

    targets: dict[int, str] = {}
    baseline: Baseline | None = None   # from a «Baseline 2022» column (the latest year)
    period_targets: dict[int, dict[str, str]] = {}
    references: dict[int, float | None] = {}
    actuals: list[Actual] = []
    statuses: list[Status] = []
    changes: list[Change] = []
    for (key, year, period), (cell, header) in sorted(cells.items(), key=lambda kv: kv[0][1]):
        if key == "target":
            text = _target_text(cell)
            if period == FINAL_PERIOD:
                targets[year] = text
            else:
                period_targets.setdefault(year, {})[period] = text
            problems.extend(p for p in check_target(text, year, lineno, code, polarity)[1])
        elif key == "reference":
            try:
                references[year] = _reference(cell)
            except NumberError as exc:
                report(header, str(exc))
        elif key == "baseline":
            try:
                baseline = Baseline(valore=_number(cell), anno=year)
            except NumberError as exc:
                report(header, str(exc))

    for year, period in sorted({(y, p) for (k, y, p) in cells if k in ACTUAL_KEYS},
                               key=lambda yp: (yp[0], _period_order(yp[1]))):
        data: dict[str, Any] = {"year": year, "period": period}
        raw = cells.get(("value", year, period))
        if raw is not None:
            try:
                data["value"] = _actual_value(raw[0])
            except NumberError:
                data["text"] = _target_text(raw[0])
                report(raw[1], f"consuntivo «{show(raw[0])}» non è un numero, una data o Sì/No: "
                               f"conservato come testo (grado «valore non valido»)")
        data["numerator"] = value("num_value", year, period, _number)
        data["denominator"] = value("den_value", year, period, _number)
        data["published_grade"] = value("published", year, period, _number)
        note = cells.get(("note", year, period))
        data["note"] = _target_text(note[0]) if note else None
        actual = _model_or_report(Actual, data, problems, lineno, code)
        if actual is not None:
            actuals.append(actual)

    for year in sorted({y for (k, y, _) in cells if k in STATUS_KEYS}):
        kind_cell = cells.get(("status", year, FINAL_PERIOD))
        kind = _STATUS_WORDS.get(header_key(show(kind_cell[0]))) if kind_cell else None
        if kind is None:
            where = kind_cell[1] if kind_cell else f"Stato {year}"
            shown = f"«{show(kind_cell[0])}»" if kind_cell else "vuoto"
            report(where, f"stato {shown} non valido (scrivere neutralizzato o forzato): "
                          f"stato del {year} non importato")
            continue
        note_cell = cells.get(("status_note", year, FINAL_PERIOD))
        if note_cell is None:
            report(kind_cell[1], f"stato «{kind}» del {year} senza nota (obbligatoria): "
                                 f"non importato")
            continue
        ref = cells.get(("status_ref", year, FINAL_PERIOD))
        status = _model_or_report(Status, {
            "year": year, "kind": kind, "note": _target_text(note_cell[0]),
            "reference": _target_text(ref[0]) if ref else None,
            "grade": value("status_grade", year, FINAL_PERIOD, _number)}, problems, lineno, code)
        if status is not None:
            statuses.append(status)

    for year in sorted({y for (k, y, _) in cells if k in CHANGE_KEYS}):
        action_cell = cells.get(("change", year, FINAL_PERIOD))
        action = _CHANGE_WORDS.get(header_key(show(action_cell[0]))) if action_cell else None
        if action is None:
            where = action_cell[1] if action_cell else f"Modifica {year}"
            shown = f"«{show(action_cell[0])}»" if action_cell else "vuota"
            report(where, f"modifica {shown} non valida (scrivere Inserito, Aggiornato o "
                          f"Eliminato): modifica del {year} non importata")
            continue
        deliberation = cells.get(("change_deliberation", year, FINAL_PERIOD))
        note = cells.get(("change_note", year, FINAL_PERIOD))
        change = _model_or_report(Change, {
            "year": year, "action": action,
            "deliberation": _target_text(deliberation[0]) if deliberation else None,
            "when": value("change_date", year, FINAL_PERIOD, _date),
            "note": _target_text(note[0]) if note else None}, problems, lineno, code)
        if change is not None:
            changes.append(change)

    out: dict[str, Any] = {"baseline": baseline} if baseline is not None else {}
    for name, found in (("targets", targets), ("period_targets", period_targets),
                        ("references", references),
                        ("actuals", actuals), ("statuses", statuses), ("changes", changes)):
        if found:
            out[name] = found
    return out


def _model_or_report(cls: type[BaseModel], data: dict[str, Any], problems: list[Problem],
                     lineno: int, code: str) -> Any:
    """A model from ``data`` without the optional fields it refuses (each reported); None
    when a field it cannot do without is refused."""
    data = {k: v for k, v in data.items() if v is not None}
    while True:
        try:
            return cls(**data)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                problems.append(at_line(lineno, f"{_FIELD_LABELS.get(name, name)}: "
                                                f"{error_message(dict(err))}", subject=code))
                if name not in data or cls.model_fields[name].is_required():
                    return None
                data.pop(name)


def _period_order(period: str) -> tuple[int, int]:
    day, _, month = period.partition("/")
    return (int(month), int(day)) if day.isdigit() and month.isdigit() else (13, 0)


# --- the plan block ---------------------------------------------------------------------------

@dataclass
class _PlanBlock:
    values: dict[str, tuple[list[Cell], int]] = field(default_factory=dict)
    offices: list[Office] = field(default_factory=list)
    columns: dict[str, tuple[str, int]] = field(default_factory=dict)  # header → level, line


def _read_block(rows: list[tuple[int, list[Cell]]], problems: list[Problem]) -> _PlanBlock:
    block = _PlanBlock()
    for lineno, cells in rows:
        filled = [c for c in cells if not _blank(c)]
        if not filled:
            continue
        key = _PLAN_KEY.get(header_key(_plain(cells[0]))) if not _blank(cells[0]) else None
        values = [c for c in cells[1:]]
        while values and _blank(values[-1]):
            values.pop()
        if key is None:
            problems.append(at_line(lineno, f"riga prima dell'intestazione non riconosciuta: "
                                            f"ignorata («{' | '.join(map(show, filled))}»)",
                                    "avviso"))
        elif key == "office":
            texts = [_text(v) for v in values]
            if not texts or not texts[0]:
                problems.append(at_line(lineno, "riga «Ufficio» senza nome: ignorata"))
                continue
            office = _model_or_report(Office, {
                "name": texts[0], "email": (texts[1:2] or [None])[0] or None,
                "head": (texts[2:3] or [None])[0] or None}, problems, lineno, texts[0])
            if office is not None:
                block.offices.append(office)
        elif key == "column":
            texts = [_text(v) for v in values]
            level = _LEVEL_OF_NAME.get(header_key(texts[1])) if len(texts) > 1 else None
            if not texts or not texts[0] or level is None:
                problems.append(at_line(lineno, "riga «Colonna» da scrivere «Colonna; nome della "
                                                "colonna; livello» (ambito, obiettivo "
                                                "strategico, obiettivo operativo, obiettivo o "
                                                "indicatore): ignorata"))
                continue
            block.columns[texts[0]] = (level, lineno)
        elif key in block.values:
            problems.append(at_line(lineno, f"«{PLAN_LABELS[key]}» ripetuto: vale il primo "
                                            f"(riga {block.values[key][1]})", "avviso"))
        elif not values:
            problems.append(at_line(lineno, f"«{PLAN_LABELS[key]}» senza valore", "avviso"))
        else:
            block.values[key] = (values, lineno)
    return block


def _block_year(block: _PlanBlock, problems: list[Problem]) -> int | None:
    if "year" not in block.values:
        return None
    cells, lineno = block.values["year"]
    text = _plain(cells[0])
    if re.fullmatch(r"(?:19|20)\d\d", text):
        return int(text)
    problems.append(at_line(lineno, f"anno «{show(cells[0])}» non valido (atteso es. 2024)"))
    return None


def _plan_fields(block: _PlanBlock, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("entity", "id", "title", "deliberation"):
        if key in block.values:
            out[key] = _text(block.values[key][0][0])
    if "default_office" in block.values:
        out["default_office"] = _text(block.values["default_office"][0][0]) or None
    if "target_years" in block.values:
        cells, lineno = block.values["target_years"]
        years = [int(y) for y in re.findall(r"\d{4}", " ".join(_plain(c) for c in cells))]
        if years:
            out["target_years"] = years
        else:
            problems.append(at_line(lineno, "«Anni target» senza anni (es. 2024, 2025, 2026)"))
    if "periods" in block.values:
        cells, lineno = block.values["periods"]
        periods = _periods(" ; ".join(_text(c) for c in cells), lineno, problems)
        if periods:
            out["periods"] = periods
    if "deadline" in block.values:
        cells, lineno = block.values["deadline"]
        try:
            out["deadline"] = _date(cells[0])
        except NumberError as exc:
            problems.append(at_line(lineno, f"scadenza compilazione: {exc}"))
    if "policy" in block.values:
        cells, lineno = block.values["policy"]
        try:
            data = yaml.safe_load(_text(cells[0]))
            out["policy"] = Policy.model_validate(data)
        except yaml.YAMLError:
            problems.append(at_line(lineno, f"politica «{_text(cells[0])}» non leggibile (atteso "
                                            f"es. {{dato_mancante: zero}})"))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                problems.append(at_line(lineno, f"politica, {where}: "
                                                f"{error_message(dict(err))}"))
    return out


_PERIOD_SPLIT = re.compile(r"\s*(?:[;\n]|,\s*(?=\d{1,2}/\d{1,2}(?![/\d])))\s*")
_PERIOD_ITEM = re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})(?![/\d])\s*(?P<label>.*)$")
_PERIODS_EXAMPLE = "(atteso es. «30/06 intermedio; 31/12 finale»)"


def _periods(text: str, lineno: int, problems: list[Problem]) -> list[Period]:
    """``30/06 intermedio; 31/12 finale`` (or with commas) → the plan's monitoring periods.

    Anything unreadable is reported and no period is taken (the plan keeps the default).
    """
    def refuse(message: str) -> list[Period]:
        problems.append(at_line(lineno, f"periodi: {message} {_PERIODS_EXAMPLE}: usati "
                                        "i periodi predefiniti"))
        return []

    periods = []
    for item in (i for i in _PERIOD_SPLIT.split(text.strip()) if i):
        m = _PERIOD_ITEM.match(item)
        if m is None:
            return refuse(f"«{item}» non è un periodo gg/mm con il suo nome")
        date_text = f"{int(m['day']):02d}/{int(m['month']):02d}"
        try:
            periods.append(Period(data=date_text, nome=m["label"].strip() or date_text))
        except ValidationError as exc:
            return refuse(f"«{item}»: {error_message(dict(exc.errors()[0]))}")
    dates = [p.date for p in periods]
    if len(set(dates)) != len(dates):
        return refuse(f"periodi ripetuti ({', '.join(dates)})")
    if FINAL_PERIOD not in dates:
        return refuse(f"manca il periodo finale {FINAL_PERIOD}")
    return periods


def _periods_text(plan: Plan) -> str | None:
    """The Periodi cell of the plan block, or None for the default periods."""
    if [(p.date, p.label) for p in plan.periods] == \
            [(p.date, p.label) for p in default_periods()]:
        return None
    return "; ".join(f"{p.date} {p.label}" for p in plan.periods)


# --- import -----------------------------------------------------------------------------------

def _header_of(grid: Grid, path: Path) -> int:
    at = _find_header(grid.rows)
    if at is None:
        raise ImportFailed(path, [Problem(Location(), "intestazione della tabella non trovata: "
                                                      "serve una riga con «Indicatore» (o «Codice "
                                                      "indicatore») e le altre colonne (Ambito, "
                                                      "Obiettivo strategico, Peso, Target 2024…)"),
                                  *grid.problems])
    return at


def import_table(path: Path | str, *, year: int | None = None,
                 entity: str | None = None) -> ImportResult:
    """Read a flat table (.xlsx or .csv) into a plan; ``year``/``entity`` override the file."""
    path = Path(path)
    return import_grid(read_grid(path), path, year=year, entity=entity)


def import_grid(grid: Grid, source: Path, *, year: int | None = None,
                entity: str | None = None) -> ImportResult:
    """:func:`import_table` on rows already read (``source`` names them in problems)."""
    at = _header_of(grid, source)
    problems = list(grid.problems)
    block = _read_block(grid.rows[:at], problems)
    header = _parse_header(*grid.rows[at], problems)

    fields = _plan_fields(block, problems)
    plan_year = _block_year(block, problems)
    if year is not None:
        if plan_year is not None and plan_year != year:
            problems.append(at_line(block.values["year"][1], f"la tabella indica l'anno "
                                                             f"{plan_year}, importata come {year} "
                                                             f"come richiesto", "avviso"))
        plan_year = year
    column_years = sorted(c.year for c, _ in header.years if c.year is not None)
    target_years = sorted(c.year for c, _ in header.years if c.year and c.key == "target")
    if plan_year is None and column_years:
        plan_year = (target_years or column_years)[0]
        problems.append(at_line(header.lineno, f"anno del piano non indicato: usato il "
                                               f"{plan_year} (dalle colonne)", "avviso"))
    name = entity or fields.pop("entity", None)
    fatal = []
    if plan_year is None:
        fatal.append(Problem(Location(), "anno del piano non trovato: aggiungere sopra "
                                         "l'intestazione una riga «Anno; 2024» o indicare --anno"))
    if not name:
        fatal.append(Problem(Location(), "ente non trovato: aggiungere sopra l'intestazione una "
                                         "riga «Ente; nome dell'ente» o indicare --ente"))
    if fatal:
        raise ImportFailed(source, fatal + problems)
    assert plan_year is not None
    fields.pop("entity", None)
    header.resolve_years(plan_year, problems)

    builder = _Builder(header, plan_year, problems)
    header_cells = [_plain(c) for c in grid.rows[at][1]]
    data = [(lineno, cells) for lineno, cells in grid.rows[at + 1:]
            if [_plain(c) for c in cells] != header_cells]  # a header repeated by a page break
    builder.numeric_title_columns(data)
    for lineno, cells in data:
        builder.row(lineno, cells)
    names = set(header.ignored.values())
    for text, (_, lineno) in block.columns.items():
        if text not in names:
            problems.append(at_line(lineno, f"riga «Colonna»: la tabella non ha una colonna "
                                            f"«{text}» (o è una colonna nota): ignorata",
                                    "avviso"))
    builder.keep_unknown(block.columns)
    header.report_ignored(grid.rows[at + 1:], problems, letters=grid.sheet is not None,
                          named=False)
    if "target_years" not in fields:
        fields["target_years"] = sorted(y for y in _target_years(builder.areas)
                                        if y >= plan_year) or [plan_year]
    plan = Plan(entity=name, year=plan_year, offices=block.offices, areas=builder.areas,
                **fields)
    problems.sort(key=by_line)
    return ImportResult(plan=plan, problems=problems, source=source)


def _target_years(areas: list[Area]) -> set[int]:
    return {year for area in areas for os_ in area.objectives
            for ind in [*os_.indicators, *(i for oo in os_.operational for i in oo.indicators)]
            for year in ind.targets}


@dataclass
class TableActuals:
    """What a table reports per indicator code: actuals and reference values."""

    actuals: dict[str, list[Actual]] = field(default_factory=dict)
    references: dict[str, dict[int, float | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_table_actuals(path: Path | str, *, year: int | None = None) -> TableActuals:
    """Only the actuals (``Consuntivo 2023``, ``Valore numeratore 2023``…) and references of
    a table, by ``Codice indicatore``: the rest of the columns may be there or not.

    A year column without its year needs ``year`` (or the ``Anno`` row of the table).
    """
    path = Path(path)
    grid = read_grid(path)
    at = _header_of(grid, path)
    out = TableActuals(problems=list(grid.problems))
    block = _read_block(grid.rows[:at], out.problems)
    header = _parse_header(*grid.rows[at], out.problems)
    plan_year = year or _block_year(block, out.problems)
    if "code" not in header.static:
        raise ImportFailed(path, [Problem(Location(lines=(header.lineno,)),
                                          "manca la colonna «Codice indicatore»: i consuntivi "
                                          "si abbinano per codice")])
    if plan_year is not None:
        header.resolve_years(plan_year, out.problems)
    elif any(c.year is None for c, _ in header.years):
        raise ImportFailed(path, [Problem(Location(lines=(header.lineno,)),
                                          "colonne senza anno (es. «Consuntivo»): indicare "
                                          "l'anno")])
    header.report_ignored(grid.rows[at + 1:], out.problems, letters=grid.sheet is not None)
    wanted = [(c, i) for c, i in header.years if c.key in (*ACTUAL_KEYS, "reference")]
    seen: dict[str, int] = {}
    for lineno, cells in grid.rows[at + 1:]:
        code = _text(cells[header.static["code"]]) if header.static["code"] < len(cells) else ""
        found = {(c.key, c.year or 0, c.period): (cells[i], header.name(c))
                 for c, i in wanted if i < len(cells) and not _blank(cells[i])}
        if not found:
            continue
        if not code:
            out.problems.append(at_line(lineno, "consuntivi senza codice indicatore: non "
                                                "abbinabili, non importati"))
            continue
        if code in seen:
            out.problems.append(at_line(lineno, f"codice indicatore «{code}» ripetuto (anche "
                                                f"alla riga {seen[code]}): vale il primo",
                                        subject=code))
            continue
        seen[code] = lineno
        values = parse_year_cells(found, lineno, code, out.problems)
        if values.get("actuals"):
            out.actuals[code] = values["actuals"]
        if values.get("references"):
            out.references[code] = values["references"]
    out.problems.sort(key=by_line)
    return out


# --- export -----------------------------------------------------------------------------------

class TableExportError(ValueError):
    """A plan with something the flat table cannot hold (the message says what)."""


@dataclass(frozen=True)
class _Out:
    """A cell to write: text, a number (with its kind), a date or nothing."""

    value: str | float | date | None
    kind: str = "text"   # text, number, points, percent, euro, date


_NONE = _Out(None)


def _out_number(value: float | None, kind: str = "number") -> _Out:
    return _NONE if value is None else _Out(float(value), kind)


def _out_text(value: str | None) -> _Out:
    return _NONE if not value else _Out(value)


def _out_actual(value: object, unit: str | None) -> _Out:
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return _Out(yes_no_text(value))
    if isinstance(value, date):
        return _Out(value, "date")
    assert isinstance(value, float)
    return _Out(value, "percent" if unit == "%" else "number")


def _year_columns(plan: Plan) -> list[YearColumn]:
    """Every per-year column the plan needs, in a stable order (years, then kinds)."""
    wanted: set[YearColumn] = set()
    for slot in plan.indicators():
        ind = slot.indicator
        seen_actuals: set[tuple[int, str]] = set()
        for a in ind.actuals:
            if (a.year, a.period) in seen_actuals:
                raise TableExportError(f"indicatore {ind.code}: due consuntivi per il "
                                       f"{a.period}/{a.year}, la tabella ne tiene uno")
            seen_actuals.add((a.year, a.period))
            for key, attr in (("value", "typed"), ("num_value", "numerator"),
                              ("den_value", "denominator"), ("note", "note"),
                              ("published", "published_grade")):
                if getattr(a, attr) not in (None, ""):
                    wanted.add(YearColumn(key, a.year, a.period))
        for items, what in ((ind.statuses, "stati"), (ind.changes, "modifiche")):
            years = [s.year for s in items]
            if len(years) != len(set(years)):
                raise TableExportError(f"indicatore {ind.code}: due {what} nello stesso anno, "
                                       f"la tabella ne tiene uno per anno")
        for year in ind.targets:
            wanted.add(YearColumn("target", year))
        for year, by_period in ind.period_targets.items():
            wanted.update(YearColumn("target", year, period) for period in by_period)
        for year in ind.references:
            wanted.add(YearColumn("reference", year))
        for s in ind.statuses:
            wanted.update(YearColumn(k, s.year) for k in ("status", "status_note"))
            if s.reference:
                wanted.add(YearColumn("status_ref", s.year))
            if s.grade is not None:
                wanted.add(YearColumn("status_grade", s.year))
        for c in ind.changes:
            wanted.add(YearColumn("change", c.year))
            for key, present in (("change_deliberation", c.deliberation),
                                 ("change_date", c.when), ("change_note", c.note)):
                if present:
                    wanted.add(YearColumn(key, c.year))
    order = {key: n for n, key in enumerate(YEAR_COLUMNS)}
    groups = ("target", "reference")
    return sorted(wanted, key=lambda c: (
        0 if c.key in groups else 1 if c.key in ACTUAL_KEYS else 2 if c.key in STATUS_KEYS else 3,
        c.year, _period_order(c.period), order[c.key]))


def _year_cell(ind: Indicator, col: YearColumn) -> _Out:
    if col.key == "target" and col.period != FINAL_PERIOD:
        assert col.year is not None
        return _out_text(ind.period_targets.get(col.year, {}).get(col.period))
    if col.key == "target":
        return _out_text(ind.targets.get(col.year)) if col.year in ind.targets else _NONE
    if col.key == "reference":
        if col.year not in ind.references:
            return _NONE
        assert col.year is not None
        ref = ind.references[col.year]
        return _Out("n.d.") if ref is None else _out_number(ref)
    if col.key in ACTUAL_KEYS:
        assert col.year is not None
        a = ind.actual_for(col.year, col.period)
        if a is None:
            return _NONE
        match col.key:
            case "value":
                return _out_text(a.text) if a.text is not None else _out_actual(a.value, ind.unit)
            case "num_value":
                return _out_number(a.numerator)
            case "den_value":
                return _out_number(a.denominator)
            case "note":
                return _out_text(a.note)
            case _:
                return _out_number(a.published_grade, "percent")
    if col.key in STATUS_KEYS:
        s = next((s for s in ind.statuses if s.year == col.year), None)
        if s is None:
            return _NONE
        return {"status": _out_text(s.kind), "status_note": _out_text(s.note),
                "status_ref": _out_text(s.reference),
                "status_grade": _out_number(s.grade, "percent")}[col.key]
    c = next((c for c in ind.changes if c.year == col.year), None)
    if c is None:
        return _NONE
    return {"change": _out_text(c.action), "change_deliberation": _out_text(c.deliberation),
            "change_date": _Out(c.when, "date") if c.when else _NONE,
            "change_note": _out_text(c.note)}[col.key]


def _objective_rows(plan: Plan) -> Iterable[tuple[Area, StrategicObjective | None,
                                                  OperationalObjective | None,
                                                  Indicator | None]]:
    for area in plan.areas:
        if not area.objectives:
            yield area, None, None, None
        for os_ in area.objectives:
            if not os_.indicators and not os_.operational:
                yield area, os_, None, None
            for ind in os_.indicators:
                yield area, os_, None, ind
            for oo in os_.operational:
                if not oo.indicators:
                    yield area, os_, oo, None
                for ind in oo.indicators:
                    yield area, os_, oo, ind


def _out_offices(offices: list[str], where: str) -> _Out:
    """Offices in one cell, ``; ``-separated (so no name may contain a separator)."""
    for name in offices:
        if _OFFICE_SPLIT.search(name):
            raise TableExportError(f"{where}: il nome dell'ufficio «{name}» contiene «;», «|» o "
                                   f"un a capo, che nella tabella separano gli uffici")
    return _out_text("; ".join(offices))


def _static_cells(area: Area, os_: StrategicObjective | None, oo: OperationalObjective | None,
                  ind: Indicator | None) -> dict[str, _Out]:
    cells: dict[str, _Out] = {
        "area_code": _out_text(area.code), "area_title": _out_text(area.title),
        "area_description": _out_text(area.description),
        "area_weight": _out_number(area.weight, "points"), "area_bsc": _out_text(area.bsc),
    }
    if os_ is not None:
        cells.update({
            "os_code": _out_text(os_.code), "os_title": _out_text(os_.title),
            "os_description": _out_text(os_.description),
            "os_weight": _out_number(os_.weight, "points"),
            "os_resources": _out_number(os_.resources, "euro"), "os_bsc": _out_text(os_.bsc),
            "os_mission_code": _out_text(os_.mission_code),
            "os_mission": _out_text(os_.mission),
            "os_programme_code": _out_text(os_.programme_code),
            "os_programme": _out_text(os_.programme),
            "os_offices": _out_offices(os_.offices, f"obiettivo {os_.code}"),
        })
    if oo is not None:
        cells.update({
            "oo_code": _out_text(oo.code), "oo_title": _out_text(oo.title),
            "oo_description": _out_text(oo.description),
            "oo_weight": _out_number(oo.weight, "points"),
            "oo_resources": _out_number(oo.resources, "euro"),
            "oo_offices": _out_offices(oo.offices, f"obiettivo {oo.code}"),
        })
    if ind is not None:
        baseline = ind.baseline
        cells.update({
            "code": _out_text(ind.code), "name": _out_text(ind.name),
            "description": _out_text(ind.description),
            "algorithm": _out_text(ind.algorithm), "numerator": _out_text(ind.numerator),
            "denominator": _out_text(ind.denominator), "unit": _out_text(ind.unit),
            "kind": _out_text(ind.kind), "source": _out_text(ind.source),
            "baseline": _out_actual(baseline.value, ind.unit) if baseline else _NONE,
            "baseline_year": _out_number(baseline.year if baseline else None),
            "to_confirm": _Out(YES) if ind.to_confirm else _NONE,
            "weight": _out_number(ind.weight, "points"),
            "offices": _out_offices(ind.offices, f"indicatore {ind.code}"),
            "polarity": _out_text(ind.polarity.value if ind.polarity else None),
            "threshold": _out_number(ind.threshold, "percent"),
            "red_flag": _out_number(ind.red_flag), "tolerance": _out_number(ind.tolerance),
        })
    return cells


#: Columns always written (the skeleton of the table); the others only when used.
_ALWAYS = ("area_code", "area_title", "area_weight", "os_code", "os_title", "os_weight",
           "oo_code", "oo_title", "oo_weight", "code", "name", "algorithm", "unit", "weight",
           "polarity")


def _extra_levels(plan: Plan) -> dict[str, str]:
    """Each extra field's header and the level the table writes it at (see
    :func:`_level_by_values`): the level of the elements that hold it; «obiettivo» when
    both strategic and operational objectives do. A field the table cannot hold at one
    level is left to the round-trip check, which refuses the export."""
    found: dict[str, set[str]] = {}

    def add(level: str, extra: dict[str, str]) -> None:
        for key in extra:
            found.setdefault(key, set()).add(level)

    for area in plan.areas:
        add("area", area.extra)
        for os_ in area.objectives:
            add("os", os_.extra)
            for ind in os_.indicators:
                add("indicator", ind.extra)
            for oo in os_.operational:
                add("oo", oo.extra)
                for ind in oo.indicators:
                    add("indicator", ind.extra)
    levels = {}
    for key, where in found.items():
        if "indicator" in where:
            levels[key] = "indicator"
        elif where == {"os", "oo"}:
            levels[key] = "objective"
        else:
            levels[key] = next(iter(sorted(where)))
    return levels


def _extra_cell(key: str, level: str, area: Area, os_: StrategicObjective | None,
                oo: OperationalObjective | None, ind: Indicator | None) -> _Out:
    record = _Record(0, [], area, os_, oo, ind)
    element = record.element(level)
    return _out_text(getattr(element, "extra", {}).get(key)) if element is not None else _NONE


def table_data(plan: Plan) -> tuple[list[tuple[str, list[_Out]]], list[str], list[list[_Out]]]:
    """The plan block, the header and the rows of the table of ``plan``."""
    years = _year_columns(plan)
    extras = _extra_levels(plan)
    objective_rows = list(_objective_rows(plan))
    rows = [(_static_cells(a, o, p, i), i) for a, o, p, i in objective_rows]
    used = {k for cells, _ in rows for k, v in cells.items() if v.value is not None}
    static = [c for c in COLUMNS if c.key in _ALWAYS or c.key in used]
    header = [c.header for c in static] + list(extras) + [_year_header(c) for c in years]
    body = [[cells.get(c.key, _NONE) for c in static]
            + [_extra_cell(key, level, *place) for key, level in extras.items()]
            + [_year_cell(ind, y) if ind is not None else _NONE for y in years]
            for (cells, ind), place in zip(rows, objective_rows, strict=True)]
    block: list[tuple[str, list[_Out]]] = [
        ("Ente", [_Out(plan.entity)]), ("Anno", [_Out(str(plan.year))]),
        ("Identificativo", [_Out(plan.id)]),
        ("Anni target", [_Out(", ".join(map(str, plan.target_years)))]),
    ]
    if plan.title:
        block.append(("Titolo", [_Out(plan.title)]))
    if plan.deliberation:
        block.append(("Delibera", [_Out(plan.deliberation)]))
    if plan.deadline:
        block.append(("Scadenza compilazione", [_Out(plan.deadline, "date")]))
    if periods := _periods_text(plan):
        block.append(("Periodi", [_Out(periods)]))
    policy = plan.policy.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if policy:
        text = yaml.safe_dump(policy, default_flow_style=True, allow_unicode=True,
                              width=10**6).strip()
        block.append(("Politica", [_Out(text)]))
    for office in plan.offices:
        block.append(("Ufficio", [_Out(office.name), _out_text(office.email),
                                  _out_text(office.head)]))
    if plan.default_office:
        block.append(("Ufficio predefinito", [_Out(plan.default_office)]))
    for key, level in extras.items():
        block.append(("Colonna", [_Out(key), _Out(EXTRA_LEVELS[level][1])]))
    return block, header, body


def _csv_text(cell: _Out) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float):
        return number_text(value, percent=cell.kind == "percent")
    return value


def _write_csv(path: Path, block: list[tuple[str, list[_Out]]], header: list[str],
               body: list[list[_Out]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        for label, cells in block:
            writer.writerow([label, *map(_csv_text, cells)])
        writer.writerow([])
        writer.writerow(header)
        for row in body:
            writer.writerow([_csv_text(c) for c in row])


_NUMBER_FORMATS = {"number": "generale", "points": "peso", "percent": "percentuale",
                   "euro": "euro", "date": "data"}


def _write_xlsx(path: Path, block: list[tuple[str, list[_Out]]], header: list[str],
                body: list[list[_Out]]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    try:
        st = Styles(wb)
        ws = wb.add_worksheet(SHEET_NAME)

        def put(r: int, c: int, cell: _Out, kind: str = "cell") -> None:
            # The plan block: plain text, left-aligned.
            style = "plain" if kind == "block" else kind
            number = _NUMBER_FORMATS[cell.kind] if isinstance(cell.value, float) else None
            write_value(ws, st, r, c, cell.value, st.get(style, number), style,
                        left=kind == "block")

        for r, (label, cells) in enumerate(block):
            ws.write_string(r, 0, label, st.get("label"))
            for c, cell in enumerate(cells, 1):
                put(r, c, cell, "block")
            # wrapped in 40-wide columns: give the row its lines
            height = row_height((c.value, 40) for c in cells if isinstance(c.value, str))
            if height:
                ws.set_row(r, height)
        top = len(block) + 1
        for r, row in enumerate(body, top + 1):
            for c, cell in enumerate(row):
                put(r, c, cell)
        ws.add_table(top, 0, top + max(len(body), 1), len(header) - 1, {
            "name": "crx_tabella_piano", "style": st.table_style, "autofilter": True,
            "columns": [{"header": h, "header_format": st.get("header")} for h in header]})
        for c, h in enumerate(header):
            ws.set_column(c, c, 22 if c == 0 else 40 if h in ("Ambito", "Obiettivo strategico",
                                            "Obiettivo operativo", "Indicatore",
                                            "Algoritmo") else 14)
        ws.freeze_panes(top + 1, 0)
    finally:
        wb.close()


def _first_difference(a: object, b: object, loc: tuple[int | str, ...] = ()) -> str | None:
    """Where two plan-file data trees differ first (``ambiti[0].obiettivi``), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            found = _first_difference(a.get(key), b.get(key), (*loc, key))
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, (*loc, i))
            if found is not None:
                return found
        return None
    return None if a == b else (format_loc(loc) or "piano")


def _check_round_trip(plan: Plan, block: list[tuple[str, list[_Out]]], header: list[str],
                      body: list[list[_Out]]) -> None:
    """Refuse to write a table that would not give the plan back (a field the table cannot
    hold, e.g. one added to the model later): losing it silently is worse than no table."""
    rows: list[tuple[int, list[Cell]]] = []
    for label, cells in block:
        rows.append((len(rows) + 1, [label, *map(_csv_text, cells)]))
    rows.append((len(rows) + 1, []))
    rows.append((len(rows) + 1, list(header)))
    rows += [(len(rows) + n, [_csv_text(c) for c in row]) for n, row in enumerate(body, 1)]
    back = import_grid(Grid(rows), Path("<tabella>")).plan
    where = _first_difference(plan_to_data(plan), plan_to_data(back))
    if where is not None:
        raise TableExportError(f"il piano contiene dati che la tabella non può rappresentare "
                               f"({where}): usare il file di piano .yaml")


def export_table(plan: Plan, path: Path | str) -> Path:
    """Write ``plan`` as a flat table (.xlsx or .csv by suffix) that :func:`import_table`
    reads back into an equal plan (checked before writing)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableExportError(f"{path.name}: formato non supportato, usare .xlsx o .csv")
    block, header, body = table_data(plan)
    _check_round_trip(plan, block, header, body)
    if suffix == ".csv":
        _write_csv(path, block, header, body)
    else:
        _write_xlsx(path, block, header, body)
    return path


__all__ = [
    "COLUMNS", "PLAN_KEYS", "YEAR_COLUMNS", "Column", "Grid", "TableActuals",
    "TableExportError", "YearColumn", "export_table", "header_key", "import_table",
    "match_header", "number_text", "read_grid", "read_table_actuals",
]
