"""The columns of a flat table: headers written, synonyms read, per-year columns, and the
words of the plan block above the header (docs/tabella.md lists them for users)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ...core.model import FINAL_PERIOD

TABLE_SUFFIXES = (".xlsx", ".csv")


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
    Column("algorithm", "Algoritmo", ("algoritmo di calcolo", "modalita di calcolo",
                                      "metodo di calcolo")),
    Column("formula", "Formula", ("formula di calcolo", "formula sulle misure",
                                  "formula misure")),
    Column("measures", "Misure", ("misure usate", "misure dell indicatore", "elenco misure")),
    Column("measure_code", "Codice misura", ("cod misura", "id misura",
                                             "codice della misura")),
    Column("measure_name", "Misura", ("nome misura", "nome della misura")),
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

#: The columns of a table of measures (docs/tabella.md, «Misure e formule»): a sheet
#: «Misure», or a block below the indicators whose header has «Codice misura».
MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("code", "Codice misura", ("cod misura", "id misura", "codice della misura")),
    Column("name", "Misura", ("nome misura", "nome della misura", "denominazione misura")),
    Column("unit", "Unità", ("unita di misura", "um", "u m", "unita misura")),
    Column("office", "Ufficio", ("ufficio responsabile", "servizio", "servizio responsabile",
                                 "struttura", "struttura responsabile")),
    Column("source", "Fonte", ("fonte dati", "fonte dei dati", "fonte del dato",
                               "fonte di rilevazione")),
    Column("description", "Descrizione", ("descrizione misura", "descrizione della misura")),
)
#: On a sheet named for measures (``Misure``, ``Dizionario misure``) these are enough.
MEASURE_SHEET_WORDS = {"codice": "code", "nome": "name"}

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
_INDICATOR_KEYS = ("code", "name", "description", "algorithm", "formula", "numerator",
                   "denominator",
                   "unit", "kind", "source", "baseline", "baseline_year", "weight", "offices",
                   "polarity", "threshold", "red_flag", "tolerance", "to_confirm")
#: Columns of an indicator row that define measures (a row with only these defines them and
#: no indicator).
_MEASURE_KEYS = ("measures", "measure_code", "measure_name")


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
_MEASURE_INDEX = {header_key(name): col.key for col in MEASURE_COLUMNS
                  for name in (col.header, *col.synonyms)}
#: Indicator-table columns a table of measures may also have (same header).
_SHARED_WITH_MEASURES = {"unit", "source", "offices", "description", "measure_code",
                         "measure_name"}


def measure_columns(cells: list[object], sheet: str | None = None) -> dict[str, int] | None:
    """The columns of a table of measures if ``cells`` is its header, else None: a code
    column («Codice misura», or «Codice» on a sheet named for measures), a name
    («Misura», «Nome») or a description column, and no column of the indicator table
    (indicator code or name, objectives, targets…)."""
    on_sheet = sheet is not None and "misur" in header_key(sheet)
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        if not isinstance(cell, str) or not cell.strip():
            continue
        key = header_key(cell)
        mine = _MEASURE_INDEX.get(key) or (MEASURE_SHEET_WORDS.get(key)
                                           if on_sheet or key == "nome" else None)
        if mine is None:
            other = match_header(cell)
            if other is not None and (not isinstance(other, str)
                                      or other not in _SHARED_WITH_MEASURES):
                return None
            continue
        found.setdefault(mine, i)
    if "code" in found and ("name" in found or "description" in found):
        return found
    return None
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


def _year_header(col: YearColumn) -> str:
    prefix = YEAR_COLUMNS[col.key][0]
    if col.year is None:
        return prefix
    if col.period != FINAL_PERIOD:
        return f"{prefix} {col.period}/{col.year}"
    return f"{prefix} {col.year}"


def _period_order(period: str) -> tuple[int, int]:
    day, _, month = period.partition("/")
    return (int(month), int(day)) if day.isdigit() and month.isdigit() else (13, 0)
