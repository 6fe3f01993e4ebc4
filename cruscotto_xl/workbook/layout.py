"""The workbook contract: sheet names, table columns, defined names and the tamper hash.

Writer and reader both import this module, so neither relies on fixed rows: every table
has a name, every important cell a defined name, and the hidden ``_cruscotto`` sheet keeps a
registry of the objective sheets. Change the layout here and bump ``TEMPLATE_VERSION``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from ..core.vocabulary import format_number, plain_number

TEMPLATE_VERSION = "4"   # 4: summary roll-ups keyed by row numbers, never by codes

SHEET_INSTRUCTIONS = "Istruzioni"
SHEET_SUMMARY = "Riepilogo"
SHEET_CHECKS = "Controlli"
SHEET_META = "_cruscotto"
SHEET_OFFICES = "Stato uffici"
SHEET_SIGNOFF = "Validazione"
SHEET_HISTORY = "Storico valori"
SHEET_TRANSVERSAL = "Trasversali"
SHEET_MEASURES = "Misure"
SHEET_STRUCTURE = "_strutture"     # a master's grades per structure (docs/structure.md)
SHEET_SCORECARD = "Scheda individuale"
RESERVED_SHEETS = {SHEET_INSTRUCTIONS, SHEET_SUMMARY, SHEET_CHECKS, SHEET_META, SHEET_OFFICES,
                   SHEET_SIGNOFF, SHEET_HISTORY, SHEET_TRANSVERSAL, SHEET_MEASURES,
                   SHEET_STRUCTURE, SHEET_SCORECARD, "History"}

# Workbook-level defined names (cells of the hidden meta sheet and the summary).
NAME_PLAN_ID = "crx_piano"
NAME_ENTITY = "crx_ente"
NAME_YEAR = "crx_anno"
NAME_PERIOD = "crx_periodo"
NAME_OFFICE = "crx_ufficio"
NAME_VERSION = "crx_versione"
NAME_HASH = "crx_hash"
NAME_PLAN_DIGEST = "crx_impronta_piano"
NAME_ENTE_GRADE = "crx_grado_ente"
NAME_OPEN_CHECKS = "crx_controlli_aperti"

# An individual scorecard (docs/individual.md): the person's code in the meta sheet, the
# score, and the cells filled from the master (components) or by the evaluator (behaviours).
NAME_PERSON = "crx_persona"
NAME_SCORE = "crx_punteggio"
NAME_WEIGHT_GRADED = "crx_peso_valutato"
NAME_BEHAVIOUR_GRADE = "crx_grado_comportamenti"


def org_grade_name(index: int) -> str:
    """The «Grado organizzativo» cell of a scorecard's component ``index`` (from 1)."""
    return f"crx_grado_org_{index}"


def behaviour_name(index: int) -> str:
    """The evaluator's score cell of a scorecard's behaviour ``index`` (from 1)."""
    return f"crx_comportamento_{index}"

# The office's sign-off (Validazione): typed by the office, the fingerprint by `firma`.
NAME_SIGNER = "crx_firma_responsabile"
NAME_SIGNER_ROLE = "crx_firma_ruolo"
NAME_SIGN_DATE = "crx_firma_data"
NAME_SIGN_CONFIRM = "crx_firma_conferma"
NAME_SIGN_PRINT = "crx_firma_impronta"
SIGNOFF_NAMES = (NAME_SIGNER, NAME_SIGNER_ROLE, NAME_SIGN_DATE, NAME_SIGN_CONFIRM,
                 NAME_SIGN_PRINT)

TABLE_REGISTRY = "crx_registro"
TABLE_HISTORY = "crx_storico"
HISTORY_FIRST_ROW = 3      # 0-based row of the first Storico valori entry (header above)
TABLE_SUMMARY = "crx_riepilogo"
TABLE_CHECKS = "crx_controlli"
TABLE_OFFICES = "crx_stato_uffici"
TABLE_CONSOLIDATION = "crx_consolidamento"
TABLE_TRANSVERSAL = "crx_trasversali"
TABLE_MEASURES = "crx_misure"


def objective_table(index: int) -> str:
    """Table of the indicators of the ``index``-th objective sheet (never a cell address)."""
    return f"crx_ind_{index:03d}"


def objective_grade_name(index: int) -> str:
    return f"crx_grado_{index:03d}"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    is_input: bool = False
    detail: bool = False   # parsed-target details: grouped and collapsed, still there
    helper: bool = False   # roll-up helpers: hidden
    year: int | None = None  # the year of a dictionary column («Consuntivo 2023»)


INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("code", "Codice", 11),
    Column("name", "Indicatore", 42),
    Column("algorithm", "Algoritmo", 34),
    Column("numerator_name", "Misura numeratore", 22),
    Column("denominator_name", "Misura denominatore", 22),
    Column("unit", "Unità", 7),
    Column("weight", "Peso", 8),
    Column("target_text", "Target", 16),
    Column("kind", "Tipo target", 12, detail=True),
    Column("op", "Operatore", 9, detail=True),
    Column("target", "Valore target", 12, detail=True),
    Column("deadline", "Scadenza", 12, detail=True),
    Column("tolerance", "Tolleranza", 10, detail=True),
    Column("threshold", "Soglia", 9, detail=True),
    Column("red_flag", "Soglia rossa", 10, detail=True),
    Column("status", "Stato", 13),
    Column("forced", "Grado forzato", 10),
    Column("reference", "Riferimento", 12, is_input=True),
    Column("numerator", "Valore numeratore", 13, is_input=True),
    Column("denominator", "Valore denominatore", 13, is_input=True),
    Column("event_date", "Data evento", 12, is_input=True),
    Column("actual", "Consuntivo", 14, is_input=True),
    Column("note", "Note", 30, is_input=True),
    Column("effective", "Consuntivo effettivo", 14),
    Column("grade", "Grado", 11),
    Column("valutazione", "Valutazione", 24),
    Column("weight_used", "Peso valutato", 10, helper=True),
    Column("contribution", "Contributo", 10, helper=True),
)
INDICATOR_INDEX = {c.key: i for i, c in enumerate(INDICATOR_COLUMNS)}

#: The master's per-office block of the transversal indicators (docs/transversal.md): one
#: row per indicator and office; the inputs are what the office returned.
TRANSVERSAL_COLUMNS: tuple[Column, ...] = (
    Column("code", "Codice", 11),
    Column("name", "Indicatore", 36),
    Column("rule", "Regola", 16),
    Column("office", "Ufficio", 28),
    Column("numerator", "Valore numeratore", 13, is_input=True),
    Column("denominator", "Valore denominatore", 13, is_input=True),
    Column("actual", "Consuntivo", 14, is_input=True),
    Column("note", "Note", 30, is_input=True),
    Column("effective", "Consuntivo effettivo", 14),
    Column("weight", "Peso", 10),
    Column("weight_used", "Peso usato", 10, helper=True),
    Column("product", "Prodotto", 10, helper=True),
    Column("grade", "Grado dell'ufficio", 12),
    Column("valutazione", "Valutazione dell'ufficio", 24),
)
TRANSVERSAL_INDEX = {c.key: i for i, c in enumerate(TRANSVERSAL_COLUMNS)}
TRANSVERSAL_HEADER_ROW = 3     # 0-based row of the block's header (title and legend above)

# One block per monitoring period other than the workbook's open one, after the indicator
# columns: locked (that period's consolidated value, or nothing yet) and graded by the same
# rule formulas with that period's target. Headers carry the period: «Consuntivo 30/06».
PERIOD_COLUMNS: tuple[Column, ...] = (      # formulas last and together: few writes
    Column("target_text", "Target", 14),
    Column("actual", "Consuntivo", 13),
    Column("event_date", "Data evento", 12),
    Column("target", "Valore target", 12, helper=True),
    Column("deadline", "Scadenza", 12, helper=True),
    Column("grade", "Grado", 14),         # wide enough for «dato mancante»
    Column("weight_used", "Peso valutato", 10, helper=True),
    Column("contribution", "Contributo", 10, helper=True),
)
PERIOD_INDEX = {c.key: i for i, c in enumerate(PERIOD_COLUMNS)}


# The Misure sheet (workbook/sheets/measures.py): one row per named measure the workbook's
# formulas use, typed once; the open period's value is the input, each other period's a
# locked column «Valore 30/06». Each input cell has a defined name (measure_name), which
# the «Consuntivo effettivo» formulas use and the reader checks.
MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("code", "Codice", 14),
    Column("name", "Misura", 40),
    Column("unit", "Unità", 8),
    Column("office", "Ufficio", 22),
    Column("source", "Fonte", 26),
    Column("users", "Indicatori", 18),
    Column("value", "Valore", 14, is_input=True),
)
MEASURE_INDEX = {c.key: i for i, c in enumerate(MEASURE_COLUMNS)}
MEASURE_PERIOD_HEADER = "Valore"


def measure_name(index: int) -> str:
    """The defined name of the ``index``-th measure's input cell (never a cell address)."""
    return f"crx_mis_{index:03d}"


def period_header(column: Column, period: str) -> str:
    return f"{column.header} {period}"


def period_summary_sheet(period: str) -> str:
    """The summary sheet of another period: ``Riepilogo 30-06`` (no ``/`` in sheet names)."""
    return f"{SHEET_SUMMARY} {period.replace('/', '-')}"


def period_summary_table(period: str) -> str:
    return f"{TABLE_SUMMARY}_{period.replace('/', '')}"
INPUT_KEYS = tuple(c.key for c in INDICATOR_COLUMNS if c.is_input)

# The indicator's dictionary and its years, after the other periods' blocks so that no
# input column, name or period block moves: the baseline, the final actual of each earlier
# year the plan has, the target of each plan year, tipologia, description and source. All
# locked. A column is there only when some indicator of the workbook has something for it
# (docs/workbook.md, «Years side by side and the dictionary»).
CONTEXT_BASE: tuple[Column, ...] = (
    Column("baseline", "Baseline", 11),
    Column("baseline_year", "Anno baseline", 9),
)
CONTEXT_TEXTS: tuple[Column, ...] = (
    Column("tipologia", "Tipologia", 14),
    Column("description", "Descrizione", 40),
    Column("source", "Fonte", 24),
)
HISTORY_WIDTH = 13
YEAR_TARGET_WIDTH = 15


def history_column(year: int) -> Column:
    """The final actual of an earlier year: «Consuntivo 2023»."""
    return Column(f"history_{year}", f"Consuntivo {year}", HISTORY_WIDTH, year=year)


def year_target_column(year: int) -> Column:
    """The target of a plan year: «Target 2025»."""
    return Column(f"target_{year}", f"Target {year}", YEAR_TARGET_WIDTH, year=year)


def context_columns(*, baseline: bool, history: Iterable[int], targets: Iterable[int],
                    texts: Iterable[str]) -> tuple[Column, ...]:
    """The dictionary block of a workbook, in order: baseline (value and year), the earlier
    years' actuals, the plan years' targets, then the texts among ``texts`` (keys of
    :data:`CONTEXT_TEXTS`) that some indicator has."""
    wanted = set(texts)
    return (*(CONTEXT_BASE if baseline else ()),
            *(history_column(y) for y in sorted(history)),
            *(year_target_column(y) for y in sorted(targets)),
            *(c for c in CONTEXT_TEXTS if c.key in wanted))

SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("level", "Livello", 10),
    Column("code", "Codice", 10),
    Column("title", "Titolo", 60),
    Column("weight", "Peso", 9),
    Column("grade", "Grado", 11),
    Column("valutazione", "Valutazione", 24),
    Column("light", "Semaforo", 9),
    Column("key", "Chiave", 12, helper=True),
    Column("parent", "Padre", 12, helper=True),
    Column("own", "Grado proprio", 10, helper=True),
    Column("children", "Grado figli", 10, helper=True),
    Column("wu_area", "Peso valutato ambito", 8, helper=True),
    Column("c_area", "Contributo ambito", 8, helper=True),
    Column("wu_os", "Peso valutato OS", 8, helper=True),
    Column("c_os", "Contributo OS", 8, helper=True),
    Column("wu_oo", "Peso valutato OO", 8, helper=True),
    Column("c_oo", "Contributo OO", 8, helper=True),
)
SUMMARY_INDEX = {c.key: i for i, c in enumerate(SUMMARY_COLUMNS)}

REGISTRY_HEADERS = ("Codice", "Livello", "Foglio", "Tabella", "Nome grado")
CHECK_HEADERS = ("Codice", "Obiettivo", "Foglio", "Cella", "Esito")
# Where the ribbon macros (Valida, Consolida) list what they found on the Controlli sheet:
# to the right of the checks table, header on the table's header row.
MACRO_RESULTS_COLUMN = len(CHECK_HEADERS) + 1
MACRO_RESULTS_HEADERS = ("Gravità", "Foglio", "Cella", "Codice", "Problema")
MACRO_RESULTS_WIDTHS = (10, 28, 8, 14, 60)

LEVEL_LABELS = {"ente": "Ente", "ambito": "Ambito", "os": "OS", "oo": "OO"}
#: The top summary row of an office workbook: its grade is the office's part, not the ente's.
OFFICE_LEVEL_LABEL = "Ufficio"


def top_grade_label(office: str | None, person: str | None = None) -> str:
    """What the grade of a workbook's top row is called: the ente's, the office's, or
    that of a person's own objectives (an individual scorecard)."""
    if person:
        return "Grado degli obiettivi individuali"
    return "Grado dell'ufficio" if office else "Grado dell'ente"


@lru_cache(maxsize=4096)
def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA); cached, a reader asks it for
    every column of every table of every returned file."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_COORD = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")
_BOUND = re.compile(r"\$?([A-Za-z]{1,3})?\$?([0-9]+)?")


def col_index(letters: str) -> int:
    """Excel letters → 1-based column index (A → 1, AA → 27, XFD → 16384); ValueError
    beyond XFD or for anything that is not letters."""
    if not letters.isascii() or not letters.isalpha() or len(letters) > 3:
        raise ValueError(f"colonna non valida: {letters!r}")
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    if index > 16384:
        raise ValueError(f"colonna oltre XFD: {letters!r}")
    return index


def split_coordinate(coord: str) -> tuple[str, int]:
    """``B7`` (or ``$B$7``) → (``B``, 7); ValueError for anything else. The reader's own
    A1 parsing, so that the command line does not import openpyxl to start."""
    found = _COORD.fullmatch(coord)
    if found is None or int(found[2]) < 1:
        raise ValueError(f"cella non valida: {coord!r}")
    col_index(found[1])
    return found[1].upper(), int(found[2])


def range_bounds(ref: str) -> tuple[int | None, int | None, int | None, int | None]:
    """``A1:C9`` → (min_col, min_row, max_col, max_row), 1-based, as openpyxl's
    ``range_boundaries``: a single cell is its own range, a whole column (``A:A``) or row
    (``1:3``) leaves the other axis None; ValueError for anything else."""
    parts = ref.split(":")
    if len(parts) > 2 or not all(parts):
        raise ValueError(f"intervallo non valido: {ref!r}")
    bounds: list[tuple[int | None, int | None]] = []
    for part in parts:
        found = _BOUND.fullmatch(part)
        if found is None or (found[1] is None and found[2] is None):
            raise ValueError(f"intervallo non valido: {ref!r}")
        col = col_index(found[1]) if found[1] else None
        row = int(found[2]) if found[2] else None
        if row == 0:
            raise ValueError(f"intervallo non valido: {ref!r}")
        bounds.append((col, row))
    if len(bounds) == 1:
        (col, row), = bounds
        if col is None or row is None:
            raise ValueError(f"intervallo non valido: {ref!r}")
        return col, row, col, row
    (c1, r1), (c2, r2) = bounds
    if (c1 is None) != (c2 is None) or (r1 is None) != (r2 is None):
        raise ValueError(f"intervallo non valido: {ref!r}")
    return c1, r1, c2, r2


def quote_sheet(name: str) -> str:
    """A sheet name as formulas need it: ``'OS 01 Dell''Anno'``."""
    return "'" + name.replace("'", "''") + "'"


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Not in a sheet name: control characters (XML cannot hold them, Excel refuses them),
# surrogates and the two non-characters XML 1.0 excludes.
_NOT_IN_SHEET_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SHEET_NAME_UNITS = 31           # Excel counts UTF-16 code units: an emoji counts 2


def utf16_units(text: str) -> int:
    """The length of ``text`` as Excel counts it (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _cut_units(text: str, units: int) -> str:
    """The longest prefix of ``text`` within ``units`` UTF-16 units (never half an emoji),
    without trailing spaces or apostrophes (Excel refuses a name ending in one)."""
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out).rstrip(" '")


def _name_keys(name: str) -> set[str]:
    """What Excel may compare when it says two sheet names are the same: names differ
    only in case (accented letters too) collide."""
    return {name.casefold(), name.upper().casefold(), name.lower()}


def sheet_names(labels: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """Valid, unique sheet names for labels, by construction for any text.

    A name is at most 31 UTF-16 units, holds no ``[]:*?/\\`` nor control characters,
    neither starts nor ends with an apostrophe, is not reserved (ours and Excel's
    «History») and differs from every other name whatever the case.
    """
    used: set[str] = set()
    for name in (*RESERVED_SHEETS, *reserved):
        used |= _name_keys(name)
    out = []
    for label in labels:
        base = _BAD_SHEET_CHARS.sub(" ", _NOT_IN_SHEET_NAME.sub(" ", label))
        base = re.sub(r"\s+", " ", base).strip(" '")
        name = _cut_units(base, SHEET_NAME_UNITS) or "Obiettivo"
        n = 2
        while _name_keys(name) & used:
            suffix = f" ({n})"
            name = (_cut_units(base, SHEET_NAME_UNITS - len(suffix)) or "Obiettivo") + suffix
            n += 1
        used |= _name_keys(name)
        out.append(name)
    return out


def safe_file_stem(name: str) -> str:
    """An office name as a file name: no path separators, no traversal, no odd characters."""
    stem = re.sub(r"[^\w\- ]+", " ", name, flags=re.UNICODE)
    stem = re.sub(r"\s+", "_", stem.strip()).strip("._-")
    return stem[:80] or "ufficio"


# --- tamper hash -----------------------------------------------------------------------

_QUOTED = re.compile(r"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_$.])(\d+(?:\.\d*)?(?:[Ee][+-]?\d+)?)(?![A-Za-z0-9_(])")


@lru_cache(maxsize=65536)
def normalize_formula(text: str) -> str:
    """A formula as compared for tampering, whoever saved the file last.

    Excel and LibreOffice rewrite formulas when they save: ``1.0`` becomes ``1``, quotes
    around simple sheet names go, ``TRUE`` becomes ``TRUE()``, case and spaces change.
    None of that changes the formula; string literals are kept exactly.
    """
    out = []
    for i, part in enumerate(_QUOTED.split(text.lstrip("="))):
        if i % 2 and part.startswith('"'):
            out.append(part)                                    # a string literal
        elif i % 2:
            out.append(part[1:-1].replace("''", "'").upper())   # a quoted sheet name
        else:   # (each step only where it can change something: every distinct formula of
            # every returned file comes here)
            part = _SPACES.sub("", part).upper()
            if "_XLFN." in part:
                part = part.replace("_XLFN.", "")
            if "()" in part:
                part = part.replace("TRUE()", "TRUE").replace("FALSE()", "FALSE")
            out.append(_NUMBER.sub(_number_text, part) if _DIGIT.search(part) else part)
    return "=" + "".join(out)


_SPACES = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def _number_text(found: re.Match[str]) -> str:
    return f"{float(found.group(1)):.15g}"


def normalize_cell(value: object) -> str:
    """One text per cell value, stable across writers and readers (15 significant digits)."""
    kind = type(value)                    # the common exact types first (a tamper hash
    if kind is str:                       # normalizes hundreds of cells per workbook)
        return normalize_formula(value) if value.startswith("=") else value
    if kind is float or kind is int:
        return f"{float(value):.15g}"
    if value is None or value == "":
        return ""
    if isinstance(value, str) and value.startswith("="):
        return normalize_formula(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return f"{float(value):.15g}"
    return str(value)


def locked_hash(cells: Iterable[tuple[str, str, object]]) -> str:
    """sha256 of the non-empty locked cells (sheet, coordinate, normalized content)."""
    normalized = []
    add = normalized.append
    for s, c, v in cells:   # most cells hold a plain text or nothing: no call for those
        if v is None:
            continue
        text = v if type(v) is str and v[:1] != "=" else normalize_cell(v)
        if text:
            add((s, c, text))
    normalized.sort()
    return hashlib.sha256("".join([f"{sheet}\x1f{coord}\x1f{value}\x1e"
                                   for sheet, coord, value in normalized]).encode()).hexdigest()


# --- the plan carried by the workbook ---------------------------------------------------

PLAN_CHUNK = 30000          # characters per cell (Excel's limit is 32,767)
NAME_PLAN_DATA = "crx_dati_piano"
#: Bounds of the plan part a returned workbook carries (docs/security.md). The part is
#: the plan of one workbook (one office, one year): the largest real plans known give a
#: few hundred KB of JSON. The encoded text is measured before it is decoded, the JSON
#: while it is inflated.
MAX_PLAN_TEXT = 4 * 2**20          # characters of base64 in the hidden cells
MAX_PLAN_BYTES = 16 * 2**20        # bytes of inflated JSON


def encode_plan(data: dict) -> list[str]:
    """The plan part as compressed text chunks, so the workbook can be refreshed alone."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    text = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    return [text[i:i + PLAN_CHUNK] for i in range(0, len(text), PLAN_CHUNK)] or [""]


def decode_plan(chunks: Iterable[str]) -> dict:
    """Inverse of :func:`encode_plan`, bounded: a hostile cell cannot inflate without limit
    (:data:`MAX_PLAN_TEXT` checked before decoding, :data:`MAX_PLAN_BYTES` while
    inflating)."""
    chunks = list(chunks)
    size = sum(len(c) for c in chunks)
    if size > MAX_PLAN_TEXT:
        raise ValueError(f"dati del piano troppo grandi ({format_number(size / 2**20, 1)} MB "
                         f"di testo, "
                         f"limite {plain_number(MAX_PLAN_TEXT / 2**20, 0)} MB): rifiutato")
    packed = base64.b64decode("".join(chunks), validate=True)
    inflater = zlib.decompressobj()
    raw = inflater.decompress(packed, MAX_PLAN_BYTES)
    if inflater.unconsumed_tail:
        limit = plain_number(MAX_PLAN_BYTES / 2**20, 0)
        raise ValueError(f"dati del piano troppo grandi (oltre {limit} MB "
                         "una volta espansi): rifiutato")
    return json.loads(raw)


def count_indicators(data: object) -> int:
    """How many indicators a decoded plan part lists (entries of every ``indicatori``
    list, at any depth, counted without recursion)."""
    count = 0
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "indicatori" and isinstance(value, list):
                    count += len(value)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return count
