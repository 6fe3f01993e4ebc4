"""Read the text of a PIRA / strategic cruscotto into a :class:`~.document.Document`.

How it decides is described in docs/importa-pira.md; in short:

1. :func:`~.layout.text_lines` gives numbered lines with cells, whatever the extraction.
2. Every line is *classified*: an objective heading (numbered ``1 Title``/``3.Title``,
   coded ``OS_1.2Code - Title (Peso: 16,66%)``, labelled ``Obiettivo strategico 2: Title``),
   a table header (``Target 2024 …``, ``2016 … 2021 Owner``, split over several lines),
   a field label (``Peso su AS:``, ``Risorse 2023 …``, ``Missione:``, ``Descrizione``), a
   grouping heading (``MISSIONE - 011 - …``, ``PROGRAMMA - 005 - …``), a change-log note,
   the start of another section (operational table, individual objectives, resources
   outside the objectives) or anything else.
3. A heading is an objective only when a table header or objective fields follow it before
   the next heading (a strategy map or an index lists the same titles with nothing after
   them). When the tables come *before* their headings (headings printed after their
   rows), the pairing is reversed.
4. Inside an objective, indicator rows are cut by what the table gives: a weight at the
   start of the row (``14,28% Name …``), an indicator code (``EC27 - Name``), or, when rows
   have neither, the change-log notes and the runs of targets (:mod:`.runs`) between them.
   Targets get their years from the cells' positions when the extraction kept columns
   (tabs, ``|`` tables, HTML, ``pdftotext -layout``), else by counting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...core.vocabulary import normalize_text
from ..changelog import (
    CHANGE_START,
    change_note,
    deliberation,
    note_complete,
    note_continues,
    plan_year_of,
)
from ..vocabulary import DESCRIPTION_VERBS, match_kind, office_like
from .document import (
    Document,
    IndicatorRecord,
    Located,
    ObjectiveBlock,
    OperationalRow,
    Section,
    TableHeader,
    Years,
)
from .layout import Line, join_words, text_lines
from .runs import Run, find_run

# --- line shapes ----------------------------------------------------------------------------------

_OS_CODED = re.compile(r"^(?P<code>(?:OS|O\.S\.)[ _.-]?\d[\w.]*)\s*[-–:]\s*(?P<title>.*)$")
_OS_LABELLED = re.compile(r"^Obiettivo\s+strategico\s*(?:n\.?\s*°?\s*)?"
                          r"(?P<code>\d[\w.]*|[A-Z]{1,3}[._-]?\d[\w.]*|[A-Z](?=\s*[-–:.]))"
                          r"\s*[-–:.]?\s*(?P<title>.*)$", re.IGNORECASE)
_OS_NUMBERED = re.compile(r"^(?P<code>\d{1,2}(?:\.\d{1,2})?)(?:[.,)]\s*|\s+)"
                          r"(?P<title>[A-ZÀ-Ý][^%<>=≥≤]*)$")
_OO_CODED = re.compile(r"^(?P<code>(?:OO|O\.O\.)[ _.-]?\d[\w.]*)\s*[-–:]\s*(?P<title>.*)$")
_OO_LABELLED = re.compile(r"^Obiettivo\s+operativo\s*(?:n\.?\s*°?\s*)?"
                          r"(?P<code>\d[\w.]*|[A-Z]{1,3}[._-]?\d[\w.]*)"
                          r"\s*[-–:.]?\s*(?P<title>.*)$", re.IGNORECASE)
_OO_NUMBERED = re.compile(r"^(?P<code>\d{1,2}\.\d{1,2}\.\d{1,2})[.)]?\s+"
                          r"(?P<title>[A-ZÀ-Ý][^%<>=≥≤]*)$")
_GROUP = re.compile(r"^(?P<kind>MISSIONE|PROGRAMMA|Missione|Programma)\s*[-–]?\s*"
                    r"(?P<code>\d{1,3})\s*[-–:]\s*(?P<name>.+)$")
_AREA_HEADING = re.compile(
    r"^(?P<kind>(?i:area|ambito|linea|indirizzo|asse|priorità)(?:\s+(?i:strategic[oa]|di\s+mandato|"
    r"politica|programmatic[oa]))?)\s+(?:n\.?\s*)?(?P<code>[A-Z]?\d{1,2}(?:\.\d{1,2})?|[A-Z])"
    r"\s*[-–:.]\s*(?P<title>\S.*)$")
_SIDE_LABEL = re.compile(r"^(?P<code>\d{3})_(?P<name>\S.*)$")
_AMBITO_VALUE = re.compile(r"^(?P<code>\d{1,3})\s*[-–]\s*(?P<title>[^\d].*)$")
_WEIGHT = r"[+-]?\d{1,3}(?:[.,]\d+)?\s*%"
_WEIGHT_ROW = re.compile(rf"^(?P<weight>{_WEIGHT})(?:\s+(?P<rest>\S.*))?$")
_WEIGHT_PAREN = re.compile(rf"\(\s*Peso\s*:?\s*(?P<w>{_WEIGHT})\s*\)")
_WEIGHT_OPEN = re.compile(r"\(\s*Peso\s*:?\s*$")
_OFFICE_PAREN = re.compile(r"^\s*\((?P<office>[^()]*)(?P<close>\))?")
_INDICATOR_CODE = re.compile(
    r"^(?P<code>[A-Z][A-Za-z0-9]*(?:[_.\-][A-Za-z0-9]+)*_?|[A-Z]{2,6}\s\d+(?:\.\d+)*)"
    r"\s+[-–]\s*(?P<rest>.*)$")
_GLUED_CODE = re.compile(r"^(?P<code>[A-Z][A-Za-z]*_[\w.]*\d[\w.]*_)\s+(?P<rest>[A-ZÀ-Ý].*)$")
_MEASURE = r"[A-Z][A-Za-z0-9]*(?:[_:%-][A-Za-z0-9.%-]*)+|(?:[A-Z][a-z]+){2,}[A-Z]?[a-z]*"
_MEASURE_START = re.compile(rf"^(?:[(/\-]\s*)?(?:{_MEASURE})(?=\s)")
_MEASURE_INSIDE = re.compile(rf"(?<=\s)(?:\(\s*)?(?:{_MEASURE})(?=\s)")
_TRAILER = re.compile(r"^Risorse\s+non\s+(?:contemplate|attribuite|assegnate|ricomprese)",
                      re.IGNORECASE)
_INDIVIDUAL_TITLE = re.compile(
    r"^(?:RESPONSABILE\s+(?:PO|P\.O\.)\b|OBIETTIVI\s+(?:INDIVIDUALI\b|\d{4}\s+(?:SG|DIR|"
    r"SEGRETARI|DIRIGENT|PO\b))|Obiettivi\s+individuali\b)", re.IGNORECASE)
_TITLE_WORDS = re.compile(r"\b(?:PIANO|PIRA|PIAO|CRUSCOTTO|PERFORMANCE|PROGRAMMAZIONE|"
                          r"OBIETTIVI\s+STRATEGICI|INDICATORI\s+E\s+(?:DEI\s+)?RISULTATI)\b",
                          re.IGNORECASE)
_PERIOD = re.compile(r"(?<![\d./-])(?P<a>(?:19|20)\d\d)(?:\s*[-/–]\s*(?P<b>(?:19|20)\d\d))?"
                     r"(?![\d./-])")
_AMOUNTS = re.compile(r"(?:€\s*)?[+-]?\d[\d.]*(?:,\d+)?\s*(?:%|€|Euro|euro)?")
_LONE_NUMBER = re.compile(r"^\d{1,3}$")
_FOOTNOTE_LINE = re.compile(r"^\(\d{1,3}\)$")

_LABELS: dict[str, str] = {
    "ambito": r"(?:Ambito strategico|Area strategica)(?:\s*\((?:AS|A\.S\.)\))?\s*:|Ambito\s*:",
    "peso": r"Peso(?:\s+su\s+(?:AS|A\.S\.|ambito|area))?(?:\s+(?:dell'|del\s+)?obiettivo)?\s*:",
    "risorse": r"Risorse(?:\s+(?:economiche|finanziarie|assegnate|previste|di\s+bilancio))?"
               r"(?:\s+(?:19|20)\d\d)?\s*:?(?=\s|$)",
    "bsc": r"Prospettiva(?:\s+(?:BSC|della\s+BSC))?\s*:",
    "missione": r"Missione\s*:(?:\s*\(ex\s+D\.\s?M\.[^)]*\))?",
    "programma": r"Programma\s*:(?:\s*\(ex\s+D\.\s?M\.[^)]*\))?",
    "descrizione": r"Descrizione(?:\s+(?:dell'obiettivo|obiettivo))?\s*:?(?=\s|$)",
    "responsabile": r"(?:Struttura|Ufficio|Servizio|Dirigente|Centro\s+di)?\s*[Rr]esponsabil[ei]"
                    r"(?:\s+dell'obiettivo)?\s*:|Owner\s*:|Referente\s*:",
}
_LABEL = re.compile("|".join(f"(?P<{k}>{rx})" for k, rx in _LABELS.items()), re.IGNORECASE)
FIELD_NAMES = {
    "ambito": "ambito strategico", "peso": "peso", "risorse": "risorse",
    "bsc": "prospettiva BSC", "missione": "missione", "programma": "programma",
    "descrizione": "descrizione", "responsabile": "responsabile",
}

_HEADER_WORDS = {
    "indicatore", "indicatori", "algoritmo", "formula", "target", "tipologia", "tipo", "unità",
    "unita", "misura", "di", "peso", "owner", "codice", "descrizione", "baseline", "fonte",
    "responsabile", "responsabili", "ufficio", "uffici", "struttura", "strutture", "note",
    "valore", "valori", "atteso", "attesi", "anno", "polarità", "verso", "modalità", "calcolo",
    "del", "dei", "dati", "u.m.", "um", "kpi", "risultato", "risultati", "trend", "e", "/",
    "nome", "denominazione", "obiettivo", "obiettivi", "storico", "modifiche", "dell'indicatore",
}
_ROLE_WORDS = {
    "owner": "owner", "responsabile": "owner", "responsabili": "owner", "ufficio": "owner",
    "uffici": "owner", "struttura": "owner", "strutture": "owner",
    "tipologia": "kind", "tipo": "kind", "unità": "unit", "unita": "unit", "u.m.": "unit",
    "um": "unit", "misura": "unit", "note": "notes", "modifiche": "notes",
}
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_SHARE = re.compile(r"^\(\d{1,3}(?:[.,]\d+)?\s*%\)$")
_UNITS = {"%", "n.", "n", "n°", "gg", "gg.", "giorni", "ore", "h", "mesi", "€", "euro", "punti",
          "pt", "data", "sì/no", "si/no", "kwh", "min", "minuti"}


# --- headers --------------------------------------------------------------------------------------

def _header_words(text: str) -> list[str]:
    return re.findall(r"\(\d{1,3}(?:[.,]\d+)?\s*%\)|[^\s]+", text)


_EXPECTED = {"atteso", "attesi", "previsto", "previsti", "programmato"}


def _parse_header(words: list[str]) -> tuple[Years, list[str]] | None:
    """Years and trailing roles of header words; None when they are not a header."""
    years: Years = []
    roles: list[str] = []
    seen_target = False
    targets_words = 0
    i = 0
    while i < len(words):
        w = words[i]
        low = w.lower().strip(":")
        if _YEAR.match(w):
            years.append(int(w))
            seen_target = True
        elif low == "target":
            targets_words += 1
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if _YEAR.match(nxt):
                years.append(int(nxt))
                i += 1
            elif nxt.lower() not in _EXPECTED:
                years.append(None)
            seen_target = True
        elif low in _EXPECTED:
            # «Valore atteso 2024»: names the target columns, no column of its own.
            targets_words += 1
            seen_target = True
        elif _SHARE.match(w) or low in _HEADER_WORDS:
            if seen_target and low in _ROLE_WORDS and _ROLE_WORDS[low] not in roles:
                roles.append(_ROLE_WORDS[low])
        else:
            return None
        i += 1
    explicit = [y for y in years if y is not None]
    if len(explicit) < 2 and not (explicit and targets_words):
        return None
    # "Target" without its year: the lone column heading on a line of its own ("Target" above
    # "2023 2024 2025") names the whole group, else it is the year before/after its neighbours.
    if years.count(None) and len(years) > len(explicit):
        if targets_words == 1 and years[0] is None and len(explicit) >= 2 and \
                not _target_word_before_year(words):
            years = [y for y in years if y is not None]
        else:
            years = _infer_years(years)
    return years, roles


def _extend_header(header: TableHeader, text: str) -> bool:
    """Add the years and column roles of a header fragment to ``header`` (False if it adds
    nothing that fits: years that do not follow on)."""
    added = False
    for w in _header_words(text):
        low = w.lower().strip(":")
        if _YEAR.match(w):
            known = [y for y in header.years if y is not None]
            if known and int(w) != known[-1] + 1:
                return added
            header.years.append(int(w))
            added = True
        elif low in _ROLE_WORDS and _ROLE_WORDS[low] not in header.trailing:
            header.trailing.append(_ROLE_WORDS[low])
            added = True
    return added


def _header_words_from(words: list[str]) -> list[str]:
    """The words of the last header when a header was printed twice in a row (a fragment of
    the table's header next to a field's value, then the whole header): from the last word
    that names the first column (``Indicatori``, ``Indicatore``)."""
    starts = [k for k, w in enumerate(words) if w.lower() in ("indicatori", "indicatore") and k]
    return words[starts[-1]:] if starts else words


def _target_word_before_year(words: list[str]) -> bool:
    return any(w.lower() == "target" and i + 1 < len(words) and _YEAR.match(words[i + 1])
               for i, w in enumerate(words))


def _infer_years(years: Years) -> Years:
    out = list(years)
    for i, y in enumerate(out):
        if y is not None:
            continue
        after = next(((j, v) for j, v in enumerate(years) if j > i and v), None)
        before = next(((j, v) for j, v in reversed(list(enumerate(years))) if j < i and v),
                      None)
        if after:
            out[i] = after[1] - (after[0] - i)
        elif before:
            out[i] = before[1] + (i - before[0])
    return out


def header_of(line: Line) -> TableHeader | None:
    """A table header on one line (``Indicatori (100%)  Target 2023  Target 2024 …``)."""
    parsed = _parse_header(_header_words(line.text))
    if parsed is None:
        return None
    years, roles = parsed
    start = 0
    for i, cell in enumerate(line.cells):
        if re.search(r"\b(?:target|(?:19|20)\d\d)\b", cell, re.IGNORECASE):
            start = i
            break
    if line.positional and len(line.filled) > 1:
        # One role per cell after the targets (the words of a cell name one column).
        after = [c for c in line.cells[start:] if not re.search(
            r"\b(?:target|(?:19|20)\d\d)\b", c, re.IGNORECASE)]
        roles = [column_role(c) or "" for c in after]
    return TableHeader(line.no, years, roles, line, start)


_COLUMN_ROLES = (
    ("code", r"^(?:codice|cod\.?|id|n\.|nr\.?|kpi)(?:\s|$)"),
    ("algorithm", r"formula|algoritmo|calcolo"),
    ("unit", r"unit[àa]|^u\.?\s?m\.?$|misura"),
    ("weight", r"^peso"),
    ("owner", r"responsabil|uffic|struttur|owner|servizi|referent|centro di"),
    ("kind", r"tipologia|^tipo"),
    ("baseline_year", r"^anno (?:della |di )?(?:baseline|base|partenza)"),
    ("baseline", r"baseline|valore (?:di partenza|iniziale)|situazione (?:di partenza|iniziale)"),
    ("source", r"^fonte"),
    ("notes", r"^note|modific"),
    ("description", r"^descrizione$"),
    ("name", r"indicator|^nome|descrizione|denominazione"),
)


def column_role(cell: str) -> str | None:
    """What a header cell names: ``code``, ``name``, ``algorithm``, ``unit``, ``weight``,
    ``owner``, ``kind``, ``baseline``, ``baseline_year``, ``source``, ``notes``,
    ``description`` or None."""
    low = normalize_text(cell).lower()
    return next((role for role, rx in _COLUMN_ROLES if re.search(rx, low)), None)


def header_tail(text: str) -> tuple[str, TableHeader] | None:
    """A heading followed on the same line by a header: ``1. Title 2016 … 2021 Owner``."""
    words = text.split()
    for cut in range(1, len(words)):
        parsed = _parse_header(words[cut:])
        if (parsed is not None and _YEAR.match(words[cut])) or (
                parsed is not None and words[cut].lower() == "target"):
            assert parsed is not None
            return " ".join(words[:cut]), TableHeader(0, parsed[0], parsed[1])
    return None


def _is_header_fragment(text: str) -> bool:
    words = _header_words(text)
    return bool(words) and all(_YEAR.match(w) or _SHARE.match(w) or w.lower().strip(":")
                               in _HEADER_WORDS for w in words)


# --- classification -------------------------------------------------------------------------------

@dataclass
class Heading:
    line: Line
    code: str
    title: str
    weight: str | None = None
    header: TableHeader | None = None
    bold: bool = False
    level: str = "os"          # "os" (strategic) or "oo" (operational)


def heading_of(line: Line) -> Heading | None:
    text = line.text
    if _GROUP.match(text) or _TRAILER.match(text):
        return None
    for rx in (_OS_CODED, _OS_LABELLED):
        if m := rx.match(text):
            return _heading(line, m["code"], m["title"])
    for rx in (_OO_CODED, _OO_LABELLED, _OO_NUMBERED):
        if m := rx.match(text):
            heading = _heading(line, m["code"], m["title"])
            heading.level = "oo"
            return heading
    if (m := _OS_NUMBERED.match(text)) and not _AMBITO_VALUE.match(text):
        return _heading(line, m["code"], m["title"])
    return None


def _heading(line: Line, code: str, title: str) -> Heading:
    heading = Heading(line, code.strip(), title.strip(), bold=line.bold or line.heading)
    if tail := header_tail(heading.title):
        heading.title, heading.header = tail
        heading.header.line = line.no
    if m := _WEIGHT_PAREN.search(heading.title):
        heading.weight = m["w"]
        heading.title = heading.title[:m.start()].strip()
    return heading


def _is_oo_header(text: str) -> bool:
    low = text.lower()
    return ("obiettivo operativo" in low or "obiettivi operativi" in low) and \
        "indicator" in low and "target" in low and not _is_individual_header(text)


def _is_individual_header(text: str) -> bool:
    low = text.lower()
    words = set(re.findall(r"[a-zà-ÿ]+", low))
    return ("albero" in words or "produttività" in words or
            ({"peso", "azione", "target"} <= words) or ("sal" in words and "target" in words))


def _section_start(line: Line) -> str | None:
    text = line.text
    if _TRAILER.match(text):
        return "risorse"
    if _INDIVIDUAL_TITLE.match(text) or _is_individual_header(text):
        return "individuale"
    if _is_oo_header(text):
        return "operativo"
    return None


def _label_matches(text: str) -> list[re.Match[str]]:
    """Labels at the start of the text or of a cell, or ending with a colon (``Peso su AS:
    Risorse economiche:``); a word inside a value is not a label."""
    out = []
    for m in _LABEL.finditer(text):
        if m.end() == m.start():
            continue
        if m.lastgroup == "risorse" and not (
                re.search(r":|\d|economiche|finanziarie|assegnate|previste|bilancio", m[0])
                or re.match(r"\s*(?:€|\d)", text[m.end():])):
            continue
        at_cell = m.start() == 0 or text[m.start() - 1] == "\t"
        if at_cell or (m[0].rstrip().endswith(":") and "(" not in text[max(0, m.start() - 2):
                                                                   m.start()]):
            out.append(m)
    return out


def label_of(text: str) -> re.Match[str] | None:
    m = _LABEL.match(text)
    return m if m and m.end() > 0 else None


# --- the reader -----------------------------------------------------------------------------------

@dataclass
class _Span:
    heading: Heading
    first: int            # index in lines
    end: int              # index after the last line


@dataclass
class Reader:
    lines: list[Line]
    plan_year: int | None = None
    doc: Document = field(default_factory=Document)
    section_kind: dict[int, str] = field(default_factory=dict)
    position: dict[int, int] = field(default_factory=dict)   # source line → index in lines
    page_furniture: set[str] = field(default_factory=set)    # keys of page headers/footers

    # -- document level ------------------------------------------------------------------------

    def read(self) -> Document:
        self.position = {ln.no: i for i, ln in enumerate(self.lines)}
        self._document_facts()
        self.page_furniture = _page_furniture(self.lines, self.doc)
        if self.plan_year is None:
            self.plan_year = stated_year(self.doc)
        headings = [(i, h) for i, ln in enumerate(self.lines) if (h := heading_of(ln))]
        self.doc.candidates = len(headings)
        section_starts = self._section_starts()
        spans = self._spans(headings, section_starts)
        for span in spans:
            self.doc.objectives.append(self._block(span))
        self._sections(spans, section_starts)
        return self.doc

    def _section_starts(self) -> list[int]:
        """Lines that start another section; a table header may be wrapped on 2-3 lines."""
        out = []
        for i, ln in enumerate(self.lines):
            if kind := _section_start(ln):
                out.append(i)
                self.section_kind[i] = kind
                continue
            for n in (2, 3):
                window = self.lines[i:i + n]
                if len(window) == n and not any(
                        _section_start(w) or heading_of(w) or _label_matches(w.text)
                        or re.search(r"\d", w.text) for w in window):
                    joined = Line(ln.no, (" ".join(w.text for w in window),))
                    if kind := _section_start(joined):
                        out.append(i)
                        self.section_kind[i] = kind
                        break
        return out

    def _document_facts(self) -> None:
        for ln in self.lines[:40]:
            if self.doc.deliberation is None and (found := deliberation(ln.text)):
                self.doc.deliberation = (found[0], found[1], ln.no)
        for ln in self.lines:
            text = ln.text
            if _title_like(ln):
                if self.doc.title is None:
                    self.doc.title = Located(text, ln.no)
                cleaned = re.sub(r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d\d", " ", text)
                if self.doc.period is None and (m := _PERIOD.search(cleaned)):
                    self.doc.period = (int(m["a"]), ln.no)
            if self.doc.entity is None and (name := entity_of(text)):
                self.doc.entity = Located(name, ln.no)

    def _header_lines(self, lo: int, hi: int) -> list[int]:
        """Indexes of lines in [lo, hi) that are (or end) a table header."""
        out = []
        i = lo
        while i < hi:
            j = self._header_cluster(i, hi)
            if j is not None:
                out.append(i)
                i = j
            else:
                i += 1
        return out

    def _header_cluster(self, i: int, hi: int) -> int | None:
        """End (exclusive) of a header starting at line ``i``, or None. A header may be
        split over several lines (``Indicatore Algoritmo`` / ``Target`` / ``2023 2024 2025``)
        and may go on after a complete line (``… Target 2025 Target`` / ``2026``)."""
        ln = self.lines[i]
        h = heading_of(ln)
        if h and h.header:
            return i + 1
        words: list[str] = []
        end = None
        j = i
        while j < hi and j - i < 8:
            text = self.lines[j].text
            if j > i and _furniture_key(text) in self.page_furniture:
                j += 1  # a page header or footer inside a header printed over two pages
                continue
            if j > i and not _is_header_fragment(text):
                break
            if j == i and (_label_matches(text) or not (header_of(self.lines[j])
                                                        or _is_header_fragment(text))):
                return None
            words += _header_words(text)
            j += 1
            if _parse_header(_header_words_from(words)) is not None:
                end = j
            elif end is not None:
                break
        return end

    def _spans(self, headings: list[tuple[int, Heading]], stops: list[int]) -> list[_Span]:
        """The lines of each objective: from its heading to the next objective's (or to the
        start of another section); reversed when the tables come before their headings."""
        if not headings:
            return []
        headers = self._header_lines(0, len(self.lines))
        self.doc.headers = len(headers)
        labelled = {i for i, ln in enumerate(self.lines) if _objective_label(ln.text)}
        candidates = sorted({i for i, _ in headings} | set(stops))

        def window_end(i: int) -> int:
            return next((b for b in candidates if b > i), len(self.lines))

        def window_start(i: int) -> int:
            return max((b for b in candidates if b < i), default=-1) + 1

        def has_table(lo: int, hi: int) -> bool:
            return any(lo <= k < hi for k in headers)

        def tail_header(i: int) -> bool:
            """The heading's title wraps and its header ends the wrapped line."""
            return any(header_tail(self.lines[k].text) is not None
                       for k in range(i + 1, min(i + 4, window_end(i))))

        confirmed = [(i, h) for i, h in headings
                     if h.header is not None or h.weight is not None
                     or has_table(i, window_end(i)) or tail_header(i)
                     or any(i < k < window_end(i) for k in labelled)]
        if not confirmed:
            return []
        bounds = sorted({i for i, _ in confirmed} | set(stops))

        def block_end(i: int) -> int:
            end = next((b for b in bounds if b > i), len(self.lines))
            if end in stops:
                while end - 1 > i and _caption(self.lines[end - 1].text):
                    end -= 1
            return end

        before = [_Span(h, i, block_end(i)) for i, h in confirmed]
        first_header = min(headers, default=None)
        if first_header is not None and first_header < before[0].first:
            # Tables before their headings: each heading closes the block above it.
            after = [(i, h) for i, h in headings
                     if h.header is None and has_table(window_start(i), i)]
            if len(after) >= len(before):
                spans, start = [], max((s for s in stops if s < after[0][0]), default=-1) + 1
                for i, h in after:
                    spans.append(_Span(h, start, i + 1))
                    start = i + 1
                return spans
        return before

    # -- one objective -------------------------------------------------------------------------

    def _block(self, span: _Span) -> ObjectiveBlock:
        h = span.heading
        block = ObjectiveBlock(code=h.code, title=h.title, line=h.line.no, level=h.level)
        heading_index = next(i for i in range(span.first, span.end)
                             if self.lines[i] is h.line)
        body = [i for i in range(span.first, span.end) if i != heading_index]
        # The title may go on over the next lines (until its weight, a label or a header).
        title_parts = [block.title]
        weight = h.weight
        k = heading_index + 1
        while (weight is None and h.header is None and k < span.end and k - heading_index <= 5
               and (self._continues_title(self.lines[k])
                    or _WEIGHT_OPEN.search(join_words(title_parts)))):
            text = self.lines[k].text
            joined = join_words([*title_parts, text])
            if m := _WEIGHT_PAREN.search(joined):
                weight = m["w"]
                title_parts = [joined[:m.start()].strip()]
            elif tail := header_tail(text):
                title_parts.append(tail[0])
                h.header = tail[1]
                h.header.line = self.lines[k].no
            else:
                title_parts.append(text)
            body.remove(k)
            k += 1
        # The rest of a heading's header wrapped onto the next lines («Owner»).
        while h.header is not None and k < span.end and k in body and \
                _is_header_fragment(self.lines[k].text) and \
                _extend_header(h.header, self.lines[k].text):
            body.remove(k)
            k += 1
        block.title = join_words(title_parts).rstrip(" :-–")
        if _WEIGHT_OPEN.search(block.title):
            block.title = _WEIGHT_OPEN.sub("", block.title).strip()
        if weight:
            block.fields["peso"] = Located(weight, h.line.no)
        if h.header:
            block.header = h.header
        self._group_headings(block, span.first)
        _BlockReader(self, block, [self.lines[i] for i in body]).read()
        block.last = self.lines[span.end - 1].no
        return block

    def _continues_title(self, ln: Line) -> bool:
        text = ln.text
        return not (label_of(text) or header_of(ln) or _is_header_fragment(text)
                    or heading_of(ln) or _GROUP.match(text) or _SIDE_LABEL.match(text)
                    or _AMBITO_VALUE.match(text) or _WEIGHT_ROW.match(text)
                    or _section_start(ln) or find_run(text) is not None
                    or CHANGE_START.match(text))

    def _group_headings(self, block: ObjectiveBlock, first: int) -> None:
        """The last MISSIONE / PROGRAMMA heading before the objective (programme reset by a
        new mission); a heading's name may go on over the next line."""
        for j in range(first - 1, -1, -1):
            if block.area_heading is None and (a := _AREA_HEADING.match(self.lines[j].text)):
                block.area_heading = Located(f"{a['code']} - {normalize_text(a['title'])}",
                                             self.lines[j].no)
            m = _GROUP.match(self.lines[j].text)
            if not m:
                continue
            parts = [normalize_text(m["name"])]
            for k in range(j + 1, min(j + 3, first)):
                nxt = self.lines[k]
                last = parts[-1].split()[-1].lower() if parts[-1].split() else ""
                if (nxt.text[:1].islower() or last in _CONNECTORS) and not (
                        heading_of(nxt) or _GROUP.match(nxt.text) or label_of(nxt.text)):
                    parts.append(nxt.text)
                else:
                    break
            kind = m["kind"].lower()
            value = Located(f"{m['code']} - {join_words(parts)}", self.lines[j].no)
            if kind == "programma" and block.programme_heading is None and \
                    block.mission_heading is None:
                block.programme_heading = value
            elif kind == "missione":
                block.mission_heading = value
                break

    # -- sections ------------------------------------------------------------------------------

    def _sections(self, spans: list[_Span], starts: list[int]) -> None:
        taken = set()
        for span in spans:
            taken.update(range(span.first, span.end))
        first_block = min((s.first for s in spans), default=len(self.lines))
        preamble = [ln for i, ln in enumerate(self.lines[:first_block]) if i not in taken]
        if preamble:
            self.doc.sections.append(Section("preambolo", preamble[0].no, preamble[-1].no,
                                             None, 0, preamble))
        for n, i in enumerate(starts):
            if i in taken:
                continue
            kind = self.section_kind[i]
            nxt = next((s for s in starts[n + 1:] if self.section_kind[s] != kind), None)
            block_after = next((s.first for s in spans if s.first > i), None)
            end = min(x for x in (nxt, block_after, len(self.lines)) if x is not None)
            if self.doc.sections and self.doc.sections[-1].kind == kind and \
                    self.doc.sections[-1].last >= self.lines[i].no:
                continue
            lines = [ln for k, ln in enumerate(self.lines[i:end], i) if k not in taken]
            if not lines:
                continue
            title = self.lines[i].text if kind != "operativo" else None
            section = Section(kind, lines[0].no, lines[-1].no, title, 0, lines)
            section.rows = sum(1 for ln in lines if _row_with_target(ln.text))
            if kind == "operativo":
                self._operational(section)
            self.doc.sections.append(section)
            taken.update(range(i, end))

    def _operational(self, section: Section) -> None:
        """Rows of an operational table whose columns are known (one row per line)."""
        header = next((ln for ln in section.lines if _is_oo_header(ln.text)), None)
        if header is None or not header.positional:
            return
        roles = [_oo_role(c) for c in header.cells]
        if "indicator" not in roles or "target" not in roles:
            return
        carry: dict[str, str] = {}
        for ln in section.lines:
            if ln is header or _is_oo_header(ln.text) or not ln.positional:
                continue
            cells = list(ln.cells) + [""] * (len(roles) - len(ln.cells))
            values: dict[str, str] = {}
            for role, cell in zip(roles, cells, strict=False):
                if role and cell:
                    values[role] = f"{values[role]} {cell}" if role in values else cell
            for role in ("os", "programme", "oo"):
                if role in values:
                    carry[role] = values[role]
                    for later in ("programme", "oo")[("os", "programme", "oo").index(role):]:
                        if later != role:
                            carry.pop(later, None)
            if not values.get("indicator") or "target" not in values:
                continue
            notes = []
            if values.get("notes") and (note := change_note(values["notes"])):
                notes.append((note, ln.no))
            self.doc.operational.append(OperationalRow(
                ln.no, carry.get("os"), carry.get("programme"), carry.get("oo"),
                values["indicator"], values["target"], split_offices(values.get("owner", "")),
                values.get("area"), notes))


def _oo_role(cell: str) -> str | None:
    low = cell.lower()
    if "strategic" in low:
        return "os"
    if "programm" in low:
        return "programme"
    if "operativ" in low:
        return "oo"
    if "indicator" in low:
        return "indicator"
    if "target" in low:
        return "target"
    if any(w in low for w in ("serviz", "uffic", "responsab", "struttur", "owner")):
        return "owner"
    if low.strip() == "area":
        return "area"
    if "note" in low or "modific" in low:
        return "notes"
    return None


def _furniture_key(text: str) -> str:
    """A page header or footer compared without its page number and punctuation."""
    return re.sub(r"[\d\W_]+", " ", text.lower()).strip()


def _page_furniture(lines: list[Line], doc: Document) -> set[str]:
    """Lines printed on every page (a title, the body's name, «pag. N»): their keys."""
    counts: dict[str, int] = {}
    for ln in lines:
        text = ln.text
        if len(text.split()) > 16 or not (
                _TITLE_WORDS.search(text) or re.search(r"\bpag(?:ina|\.)?\s*\d", text,
                                                      re.IGNORECASE)
                or (doc.entity and entity_of(text) == doc.entity.text)):
            continue
        if heading_of(ln) or _label_matches(text) or header_of(ln):
            continue
        key = _furniture_key(text)
        counts[key] = counts.get(key, 0) + 1
    return {key for key, n in counts.items() if n >= 2 and key}


def _caption(text: str) -> bool:
    """A short caption above a table (``Imprese Territorio e Consumatori``)."""
    return len(text.split()) <= 6 and not re.search(r"[\d<>=≥≤%]", text) and \
        not CHANGE_START.match(text) and not note_continues(text)


def _title_like(ln: Line) -> bool:
    """A title of the document: a markdown heading, or a line in capitals, or a short line
    without a final full stop, that names a plan (PIANO, PIRA, CRUSCOTTO…)."""
    text = ln.text
    if not _TITLE_WORDS.search(text) or len(text.split()) > 16 or heading_of(ln):
        return False
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters) >= 0.6 * max(len(letters), 1)
    return ln.heading or upper or ((ln.bold or ln.no <= 5) and not text.endswith("."))


def _row_with_target(text: str) -> bool:
    run = find_run(text, max_suffix_words=8)
    return run is not None and (len(run.tokens) > 1 or bool(re.search(r"[<>=≥≤%]|/\d{4}",
                                                                       run.tokens[0])))


def _objective_label(text: str) -> bool:
    m = label_of(text)
    return bool(m) and m.lastgroup in ("ambito", "peso", "risorse", "bsc", "missione",
                                       "programma", "descrizione")


# --- entity ---------------------------------------------------------------------------------------

_BODY_KINDS = re.compile(
    r"^(?i:Ente\s*:\s*)?(?P<kind>(?i:Camera\s+di\s+[Cc]ommercio(?:,?\s+[Ii]ndustria,?\s+[Aa]rtigianato\s+"
    r"e\s+[Aa]gricoltura)?|C\.?\s?C\.?\s?I\.?\s?A\.?\s?A\.?|Comune\s+di|Regione|"
    r"Provincia\s+(?:autonoma\s+)?di|Città\s+metropolitana\s+di|Università\s+(?:degli\s+[Ss]tudi\s+)?"
    r"(?:di|della|del)|Ministero\s+(?:della|del|dell['’]|degli|delle|per\s+(?:il|la|i|le))|"
    r"Agenzia|Azienda|Istituto|Unione\s+dei\s+[Cc]omuni))\b\s*(?P<name>.*)$")
_OF = {"di", "del", "della", "dei", "delle", "degli", "dell'", "dell’", "d'", "dello"}
_PARTICLES = {"di", "del", "della", "dei", "delle", "degli", "dell'", "dell’", "e", "ed", "d'",
              "dello", "per", "la", "il", "lo", "le", "i", "gli", "in", "a", "al", "da", "sul"}


def entity_of(text: str) -> str | None:
    """The body a standalone line names (``CCIAA Maremma e Tirreno``, ``Ente: Comune di X``):
    the kind of body followed by a name in capitals (short particles allowed)."""
    clean = normalize_text(text).strip(" .;:")
    # «Università di X - Piano strategico 2024-2026»: the part before the dash.
    clean = re.split(r"\s+[-–]\s+", clean)[0]
    if len(clean.split()) > 14 or re.search(r"\d", clean):
        return None
    m = _BODY_KINDS.match(clean)
    if not m:
        return None
    words = m["name"].replace(",", " ").split()
    if not words or (not words[0][:1].isupper() and words[0].lower() not in _OF):
        return None
    if any(not (w[:1].isupper() or w.lower() in _PARTICLES) for w in words):
        return None
    if not any(w[:1].isupper() for w in words):
        return None
    name = clean[clean.index(m["kind"]):] if m["kind"] in clean else clean
    if name.isupper():  # «COMUNE DI SAN MARCO» → «Comune di San Marco»
        name = " ".join(w.lower() if w.lower() in _PARTICLES else w.capitalize()
                        for w in name.split())
        name = name.replace("Cciaa", "CCIAA")
    return name


def split_offices(text: str) -> list[str]:
    """Owner offices written in one cell: ``S.promozione Sviluppo Economico e Sevizio
    Innovazione`` → two offices; ``A / B`` and ``A; B`` too."""
    text = normalize_text(text)
    if not text:
        return []
    parts = re.split(r"\s*[;|]\s*|\s*/\s*(?=\S)|\s+e\s+(?=\S)", text)
    out: list[str] = []
    for part in parts:
        part = part.strip(" ,.()")
        if not part:
            continue
        if out and not office_like(part):
            joiner = " e " if re.search(rf"\se\s+{re.escape(part)}$", text) else " / "
            out[-1] = f"{out[-1]}{joiner}{part}"
        else:
            out.append(part)
    return out


# --- rows of one objective ------------------------------------------------------------------------

class _BlockReader:
    """Fields and indicator rows of one objective, from its lines."""

    def __init__(self, reader: Reader, block: ObjectiveBlock, lines: list[Line]) -> None:
        self.reader = reader
        self.block = block
        self.lines = lines
        self.pending: list[tuple[str, int]] = []
        self.last_key: str | None = None
        self.open_extra: Located | None = None
        self.description: list[Line] | None = None
        self.table: list[Line] = []

    def read(self) -> None:
        i = 0
        while i < len(self.lines):
            ln = self.lines[i]
            text = ln.text
            if self.description is not None:
                if self._ends_description(ln):
                    self._close_description()
                else:
                    self.description.append(ln)
                    i += 1
                    continue
            if _FOOTNOTE_LINE.match(text) and not self.table:
                i += 1
                continue
            if self._furniture(ln):
                i += 1
                continue
            here = self.reader.position[ln.no]
            if self.block.header is None or not self.table:
                end = self.reader._header_cluster(here, len(self.reader.lines))
                if end is not None and self._header(ln, end):
                    i += end - here
                    continue
            elif (end := self.reader._header_cluster(here, len(self.reader.lines))) and \
                    self._repeated_header(here, end):
                i += end - here  # the table's header printed again on a new page
                continue
            if self.table and _OWNER_LABEL.match(text):
                self.table.append(ln)  # the owner of the row above (see _owner_labels)
                i += 1
                continue
            if self._labels(ln):
                i += 1
                continue
            if self.block.header is None and self._ambito_value(ln):
                i += 1
                continue
            if self.pending and self.block.header is None:
                self._values(ln)
                i += 1
                continue
            if self.block.header is None and self._continues_field(ln):
                i += 1
                continue
            self.table.append(ln)
            i += 1
        self._close_description()
        self._drop_pending()
        if self.open_extra is not None:
            self.block.leftovers.append(self.open_extra)
        _Rows(self.block, self.table, self.reader.plan_year).read()

    def _furniture(self, ln: Line) -> bool:
        text = ln.text
        title = self.reader.doc.title
        if m := _SIDE_LABEL.match(text):
            self.reader.doc.side_labels.append(Located(f"{m['code']} - {m['name']}", ln.no))
            return True
        if title and text == title.text and ln.no != title.line:
            return True
        if title and ln.no == title.line:
            return True
        if _TITLE_WORDS.search(text) and text.isupper():
            return True
        if _GROUP.match(text) or _AREA_HEADING.match(text):
            return True
        if self.reader.doc.entity and (text == self.reader.doc.entity.text
                                       or entity_of(text) == self.reader.doc.entity.text):
            return True
        if _furniture_key(text) in self.reader.page_furniture:
            return True
        if _LONE_NUMBER.match(text):
            prev = self._previous(ln)
            if prev is not None and (self._furniture_text(prev.text)):
                return True
        return False

    def _furniture_text(self, text: str) -> bool:
        title = self.reader.doc.title
        return bool((title and text == title.text) or (_TITLE_WORDS.search(text)
                                                       and text.isupper()))

    def _previous(self, ln: Line) -> Line | None:
        idx = self.reader.position[ln.no]
        return self.reader.lines[idx - 1] if idx > 0 else None

    def _header(self, ln: Line, end: int) -> bool:
        start = self.reader.position[ln.no]
        cluster = self.reader.lines[start:end]
        if len(cluster) == 1:
            header = header_of(ln)
            if header is None:
                h = heading_of(ln)
                return False if h is None or h.header is None else self._set_header(h.header)
            return self._set_header(header)
        words = _header_words_from([w for c in cluster for w in _header_words(c.text)
                                    if _furniture_key(c.text) not in self.reader.page_furniture])
        parsed = _parse_header(words)
        if parsed is None:
            return False
        return self._set_header(TableHeader(cluster[0].no, parsed[0], parsed[1]))

    def _repeated_header(self, start: int, end: int) -> bool:
        words = _header_words_from([w for ln in self.reader.lines[start:end]
                                    for w in _header_words(ln.text)
                                    if _furniture_key(ln.text) not in self.reader.page_furniture])
        parsed = _parse_header(words)
        current = self.block.header
        return parsed is not None and current is not None and \
            [y for y in parsed[0] if y] == [y for y in current.years if y]

    def _set_header(self, header: TableHeader) -> bool:
        old = self.block.header
        if old is not None and self.table:
            return False
        self._drop_pending()
        known = [y for y in old.years if y is not None] if old else []
        new = [y for y in header.years if y is not None]
        if old is not None and known and new and new[0] == known[-1] + 1:
            # The years of a heading's header going on on the next line.
            old.years += header.years
            old.trailing += [r for r in header.trailing if r not in old.trailing]
            return True
        self.block.header = header
        return True

    # -- labelled fields -----------------------------------------------------------------------

    def _labels(self, ln: Line) -> bool:
        text = "\t".join(ln.filled)
        matches = _label_matches(text)
        if not matches or text[:matches[0].start()].strip():
            return False
        self._drop_pending()
        for n, m in enumerate(matches):
            key = m.lastgroup
            assert key is not None
            end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
            value = normalize_text(text[m.end():end].replace("\t", " "))
            if key == "descrizione":
                if value:
                    self._set("descrizione", value, ln.no)
                else:
                    self.description = []
                continue
            if key == "risorse" and value:
                value = self._resources(value, ln.no)
            if value:
                self._set(key, value, ln.no)
            else:
                self.pending.append((key, ln.no))
        return True

    def _resources(self, value: str, lineno: int) -> str:
        """``229.447,35 Euro – Risorse budget 2023 per interventi economici € 70.000,00``: the
        first amount is the objective's; the others are kept by their own label."""
        parts = re.split(r"\s+[-–]\s+(?=[A-Za-zÀ-ÿ])", value)
        for extra in parts[1:]:
            m = re.match(r"^(?P<label>.*?[A-Za-zÀ-ÿ)])\s*(?P<amount>(?:€\s*)?[\d.]+(?:,\d+)?"
                         r"(?:\s*(?:€|Euro|euro))?)$", extra.strip())
            if m:
                self.block.extra.setdefault(m["label"], Located(m["amount"], lineno))
            else:
                self.open_extra = Located(extra.strip(), lineno)
        return parts[0]

    def _set(self, key: str, value: str, lineno: int) -> None:
        fields = self.block.fields
        self.last_key = None
        if key in fields:
            self.block.repeated.append((key, lineno, fields[key].line))
            return
        fields[key] = Located(value, lineno)
        self.last_key = key

    def _continues_field(self, ln: Line) -> bool:
        """A text value wrapped onto the next line (``… di RSI e`` / ``movimento
        cooperativo``): it starts in lower case or the value ends on a connecting word."""
        if self.open_extra is not None:
            opened, self.open_extra = self.open_extra, None
            m = re.match(r"^(?P<label>.*?[A-Za-zÀ-ÿ)])\s*(?P<amount>(?:€\s*)?[\d.]+(?:,\d+)?"
                         r"(?:\s*(?:€|Euro|euro))?)$", ln.text)
            if m:
                label = join_words([opened.text, m["label"]])
                self.block.extra.setdefault(label, Located(m["amount"], opened.line))
                return True
            self.block.leftovers.append(opened)
        key = self.last_key
        if key not in ("ambito", "bsc", "missione", "programma", "responsabile"):
            return False
        value = self.block.fields[key]
        text = ln.text
        last = value.text.split()[-1].lower() if value.text.split() else ""
        if not (text[:1].islower() or last in _CONNECTORS or value.text.endswith((",", "-"))):
            return False
        if _weight_row(text) or find_run(text) is not None or heading_of(ln):
            return False
        self.block.fields[key] = Located(join_words([value.text, text]), value.line)
        return True

    def _values(self, ln: Line) -> None:
        values = ln.filled
        if len(values) == 1:
            # A value followed by the table header printed again («… Target 2024 Target 2025»)
            values = [re.sub(r"(?:\s+Target(?:\s+(?:19|20)\d\d)?)+$", "", values[0])]
        if len(values) < len(self.pending) and len(values) == 1:
            # Several values on a line without cells: «14,28% 245.970,80 €».
            amounts = _AMOUNTS.findall(values[0])
            if len(amounts) == len(self.pending) and \
                    _AMOUNTS.sub("", values[0]).strip() == "":
                values = [a.strip() for a in amounts]
        keys, self.pending = self.pending[:len(values)], self.pending[len(values):]
        for (key, _), value in zip(keys, values, strict=False):
            self._set(key, value, ln.no)
        extra = values[len(keys):]
        # A table header printed again next to a value is layout, not data.
        if extra and not _is_header_fragment(" ".join(extra)):
            self.block.leftovers.append(Located(" | ".join(extra), ln.no))

    def _drop_pending(self) -> None:
        for key, lineno in self.pending:
            self.block.empty_labels.setdefault(key, lineno)
        self.pending = []

    def _ambito_value(self, ln: Line) -> bool:
        m = _AMBITO_VALUE.match(ln.filled[0])
        if not m or "ambito" in self.block.fields or (self.pending and
                                                       self.pending[0][0] != "ambito"):
            return False
        self.pending = [p for p in self.pending if p[0] != "ambito"]
        self._set("ambito", ln.filled[0], ln.no)
        if len(ln.filled) > 1:
            self.block.leftovers.append(Located(" | ".join(ln.filled[1:]), ln.no))
        return True

    def _ends_description(self, ln: Line) -> bool:
        text = ln.text
        header_start = _is_header_fragment(text) and bool(
            re.search(r"\b(?:target|indicator[ei]|(?:19|20)\d\d)\b", text, re.IGNORECASE))
        return bool((_label_matches(text) and not text[:_label_matches(text)[0].start()].strip())
                    or header_of(ln) or header_start or heading_of(ln) or _GROUP.match(text))

    def _close_description(self) -> None:
        if self.description is None:
            return
        parts = self.description
        self.description = None
        if parts:
            self._set("descrizione", join_words([p.text for p in parts]), parts[0].no)


# --- indicator rows -------------------------------------------------------------------------------

_DESCRIPTION_START = re.compile(rf"^(?:{'|'.join(DESCRIPTION_VERBS)})\b")


class _Rows:
    """Cut the table lines of an objective into indicator records."""

    def __init__(self, block: ObjectiveBlock, lines: list[Line], plan_year: int | None) -> None:
        self.block = block
        self.lines = lines
        self.header = block.header
        self.plan_year = plan_year
        self.years = len(block.header.years) if block.header else None
        self.row_ends: set[int] = set()

    def read(self) -> None:
        lines, owners = _owner_labels(self.lines)
        if not lines:
            return
        self.row_ends = {after for after, _, _ in owners}
        self._read(lines)
        for after, offices, lineno in owners:
            record = next((r for r in reversed(self.block.indicators) if r.line <= after), None)
            if record is None:
                self.block.leftovers.append(Located(", ".join(offices), lineno))
            else:
                record.offices += [o for o in offices if o not in record.offices]

    def _read(self, lines: list[Line]) -> None:
        if any(_weight_row(ln.text) for ln in lines):
            self._split(lines, lambda ln, rec: _weight_row(ln.text), self._weighted)
        elif any(_code_line(ln.text) for ln in lines):
            self._split(lines, self._code_start, self._coded)
        elif self._columns():
            self._cell_rows(lines)
        else:
            self._units(lines)

    # -- rows of a table whose columns the text kept (tabs, |, HTML, layout) ----------------

    def _columns(self) -> list[str | None] | None:
        """The roles of the columns before the targets, when the header is one line of cells
        that names them (``Codice | Indicatore | Formula | Unità | Target 2024 …``)."""
        header = self.header
        if header is None or header.source is None or not header.source.positional:
            return None
        roles = [column_role(c) for c in header.source.cells[:header.start]]
        return roles if "name" in roles or "code" in roles else None

    def _cell_rows(self, lines: list[Line]) -> None:
        roles = self._columns()
        assert roles is not None and self.header is not None and self.header.source
        names = list(self.header.source.cells[:self.header.start])
        pending: list[Line] = []
        for ln in lines:
            if CHANGE_START.match(ln.text) and self.block.indicators:
                note, _ = _note_lines([ln], 0)
                self._notes(self.block.indicators[-1], [note])
                continue
            placed = self._positional([ln])
            if placed is None or (not any(placed[0]) and not any(placed[1])):
                pending.append(ln)
                continue
            lead, targets, trailing = placed
            record = IndicatorRecord(ln.no, ln.no)
            lead = lead + [""] * (len(roles) - len(lead))
            for role, header, cell in zip(roles, names, lead, strict=False):
                self._cell(record, role, header, cell)
            if not record.name and record.code is None and not any(targets):
                pending.append(ln)
                continue
            self._set_targets(record, targets, None, ln.no)
            self._trailing(record, trailing)
            self.block.indicators.append(record)
        for ln in pending:
            self.block.leftovers.append(Located(ln.text, ln.no))

    def _cell(self, record: IndicatorRecord, role: str | None, header: str, cell: str) -> None:
        if not cell:
            return
        if role == "code" and record.code is None:
            record.code = cell
        elif role == "name" and not record.name:
            record.name = cell
        elif role == "description" or (role == "name" and record.name):
            record.description = cell
        elif role == "algorithm":
            record.algorithm = cell
            record.numerator, record.denominator = _fraction(cell)
        elif role == "unit":
            record.unit = cell
        elif role == "weight":
            record.weight = Located(cell, record.line)
        elif role == "owner":
            record.offices += split_offices(cell)
        elif role == "kind":
            record.kind = cell
        elif role == "notes" and (note := change_note(cell)):
            record.changes.append((note, record.line))
        else:
            record.extra[normalize_text(header) or "Colonna senza titolo"] = cell

    # -- splitting -----------------------------------------------------------------------------

    def _split(self, lines: list[Line], starts, parse) -> None:
        current: list[Line] = []
        notes: list[list[Line]] = []
        records: list[tuple[list[Line], list[list[Line]]]] = []
        lead: list[Line] = []
        i = 0
        while i < len(lines):
            ln = lines[i]
            if CHANGE_START.match(ln.text) and current:
                note, i = _note_lines(lines, i)
                notes.append(note)
                continue
            if starts(ln, current):
                if current:
                    records.append((current, notes))
                current, notes = [ln], []
            elif current:
                current.append(ln)
            else:
                lead.append(ln)
            i += 1
        if current:
            records.append((current, notes))
        for ln in lead:
            self.block.leftovers.append(Located(ln.text, ln.no))
        for rec_lines, rec_notes in records:
            record = parse(rec_lines)
            self._notes(record, rec_notes)
            self.block.indicators.append(record)

    def _code_start(self, ln: Line, current: list[Line]) -> bool:
        if _code_line(ln.text):
            return True
        if current and _GLUED_CODE.match(ln.text):
            joined = join_words([c.text for c in current])
            return bool(_WEIGHT_PAREN.search(joined)) and any(
                _row_with_target(c.text) for c in current)
        return False

    # -- rows that start with their weight (14,28%  Name  targets…) ----------------------------

    def _weighted(self, lines: list[Line]) -> IndicatorRecord:
        first = lines[0]
        record = IndicatorRecord(first.no, lines[-1].no)
        placed = self._positional(lines)
        if placed is not None:
            lead, targets, trailing = placed
            lead_text = " ".join(c for c in lead if c)
            m = _WEIGHT_ROW.match(lead_text)
            assert m is not None
            record.weight = Located(m["weight"], first.no)
            record.name = normalize_text(m["rest"] or "")
            self._set_targets(record, targets, None, first.no)
            self._trailing(record, trailing)
            return record
        text = join_words([ln.text for ln in lines])
        m = _WEIGHT_ROW.match(text)
        assert m is not None
        record.weight = Located(m["weight"], first.no)
        rest = m["rest"] or ""
        run = find_run(rest, max_suffix_words=self._suffix_words(), max_tokens=self.years)
        if run is None:
            record.name = rest
            return record
        record.name = run.prefix
        record.target_line = self._line_of(lines, run)
        self._set_run(record, run)
        self._suffix(record, run.suffix)
        return record

    # -- rows that start with their code (EC27 - Name …) ---------------------------------------

    def _coded(self, lines: list[Line]) -> IndicatorRecord:
        """A row of a coded table printed column by column: the code line (name start, maybe
        the formula's start, the targets, tipologia and unit), then the rest of the name, the
        description, ``(Peso: x%) (Office)`` and the rest of the formula, in that order or
        mixed."""
        first = lines[0]
        m = _INDICATOR_CODE.match(first.text) or _GLUED_CODE.match(first.text)
        assert m is not None
        record = IndicatorRecord(first.no, lines[-1].no, code=m["code"].strip())
        parts: dict[str, list[str]] = {"name": [], "description": [], "measure": []}
        phase = "name"
        tail: list[str] = []
        after_targets = weight_seen = False
        lines, texts = _glue_operators(lines, [m["rest"], *(ln.text for ln in lines[1:])])
        years = len(self.header.years) if self.header else None
        for n, ln in enumerate(lines):
            text = texts[n].strip()
            if not text:
                continue
            if w := _WEIGHT_PAREN.search(text):
                record.weight = Located(w["w"], ln.no)
                if before := text[:w.start()].strip():
                    parts[phase].append(before)
                office, after = _office(text[w.end():], texts, n + 1)
                if office:
                    record.offices = split_offices(office)
                if after:
                    parts["measure"].append(after)
                phase, weight_seen = "measure", True
                continue
            run = find_run(text, max_suffix_words=4, max_tokens=years)
            if run is not None and (len(run.tokens) > 1 or _row_with_target(text)):
                if record.targets or record.surplus:
                    if not self._more_targets(record, run, ln):
                        parts[phase].append(text)
                    continue
                record.target_line = ln.no
                self._set_run(record, run)
                if run.suffix:
                    self._suffix(record, run.suffix)
                after_targets = True
                if run.prefix and n == 0:
                    # Column by column: the name goes on below the code line.
                    _split_first(run.prefix, parts)
                    phase = "name"
                elif run.prefix:
                    parts[phase].append(run.prefix)
                continue
            if after_targets and record.kind is None and record.unit is None and \
                    len(text.split()) <= 3 and not _MEASURE_START.match(text):
                tail.append(text)
                continue
            if n == 0:
                phase = "measure" if _split_first(text, parts) else "name"
                continue
            if _MEASURE_START.match(text) and phase != "measure":
                phase = "measure"
            elif phase == "name" and _starts_description(text, parts["name"]):
                phase = "description"
            elif phase == "measure" and after_targets and not weight_seen and \
                    text.endswith("."):
                parts["description"].append(text)
                continue
            parts[phase].append(text)
        if tail:
            self._suffix(record, " ".join(tail))
        record.name = join_words(parts["name"]) or record.code or ""
        record.description = join_words(parts["description"]) or None
        record.algorithm = join_words(parts["measure"]) or None
        if record.algorithm:
            record.numerator, record.denominator = _fraction(record.algorithm)
        return record

    def _more_targets(self, record: IndicatorRecord, run: Run, ln: Line) -> bool:
        """Targets continued on a second line (``>= 1,00 N.`` / ``>= 1,00 N. >= 1,00 N.``)."""
        if self.header is None or run.prefix:
            return False
        if len(record.tokens) + len(run.tokens) > len(self.header.years):
            return False
        self._assign(record, [*record.tokens, *run.tokens], ln.no)
        if run.suffix:
            self._suffix(record, run.suffix)
        return True

    # -- rows with neither: cut by notes and by runs of targets --------------------------------

    def _units(self, lines: list[Line]) -> None:
        unit: list[Line] = []
        i = 0
        while i < len(lines):
            ln = lines[i]
            if CHANGE_START.match(ln.text):
                note, i = _note_lines(lines, i)
                records = self._unit(unit)
                if records:
                    self._notes(records[-1], [note])
                elif self.block.indicators:
                    self._notes(self.block.indicators[-1], [note])
                else:
                    self.block.leftovers.append(Located(join_words([x.text for x in note]),
                                                        note[0].no))
                unit = []
                continue
            if _FOOTNOTE_LINE.match(ln.text) and not unit and self.block.indicators:
                i += 1
                continue
            unit.append(ln)
            i += 1
            if ln.no in self.row_ends:  # an owner line («Responsabile: …») closes the row
                self._unit(unit)
                unit = []
        self._unit(unit)

    def _unit(self, lines: list[Line]) -> list[IndicatorRecord]:
        """Indicator rows in the text between two change-log notes."""
        if not lines:
            return []
        text = join_words([ln.text for ln in lines])
        run = find_run(text, max_suffix_words=self._suffix_words(), max_tokens=self.years)
        if run is None:
            for ln in lines:
                self.block.leftovers.append(Located(ln.text, ln.no))
            return []
        # A second row in the same text: a run that ends a line, before this one.
        cut = self._inner_row(lines, run)
        if cut is not None:
            return self._unit(lines[:cut]) + self._unit(lines[cut:])
        record = IndicatorRecord(lines[0].no, lines[-1].no)
        record.name = run.prefix
        record.target_line = self._line_of(lines, run)
        self._set_run(record, run)
        self._suffix(record, run.suffix)
        self.block.indicators.append(record)
        return [record]

    def _inner_row(self, lines: list[Line], run: Run) -> int | None:
        """Index of the line where a second row starts, when an earlier line ends with its own
        run of targets (after a name), maybe followed by office lines, and a name follows."""
        last = self._line_index(lines, run)
        words = self._suffix_words()
        for k in range(last - 1, -1, -1):
            inner = find_run(join_words([x.text for x in lines[:k + 1]]), max_suffix_words=words)
            if inner is None or not inner.prefix or len(inner.tokens) < 2:
                continue
            j = k + 1
            while j < last and len(lines[j].text.split()) <= 4 and office_like(lines[j].text):
                j += 1
            rest = find_run(join_words([x.text for x in lines[j:]]), max_suffix_words=words)
            if rest is not None and len(rest.prefix.split()) >= 3 and \
                    not office_like(rest.prefix):
                return j
        return None

    # -- targets -------------------------------------------------------------------------------

    def _suffix_words(self) -> int:
        roles = self.header.trailing if self.header else []
        return 12 if "owner" in roles else 4

    def _positional(self, lines: list[Line]) -> tuple[list[str], list[str], list[str]] | None:
        """Cells of a one-line row mapped on the header's columns (lead, targets, trailing)."""
        header = self.header
        if header is None or header.source is None or len(lines) != 1:
            return None
        row, hs = lines[0], header.source
        k = len(header.years)
        if row.spans and hs.spans:
            return _by_spans(hs, header.start, k, row)
        if not (row.positional and hs.positional) or row.spans or hs.spans:
            return None
        cells = list(row.cells)
        while len(cells) > len(hs.cells) and not cells[-1]:
            cells.pop()
        trailing = len(hs.cells) - header.start - k
        same = len(cells) == len(hs.cells)
        t0 = header.start if same else len(cells) - max(trailing, 0) - k
        if t0 < 1 or t0 + k > len(cells):
            return None
        return cells[:t0], cells[t0:t0 + k], cells[t0 + k:]

    def _set_targets(self, record: IndicatorRecord, cells: list[str], alignment: str | None,
                     lineno: int) -> None:
        assert self.header is not None
        record.target_line = lineno
        for year, text in zip(self.header.years, cells, strict=False):
            if year is not None and text:
                record.targets[year] = text
        record.alignment = alignment

    def _set_run(self, record: IndicatorRecord, run: Run) -> None:
        self._assign(record, list(run.tokens), record.target_line or record.line)

    def _assign(self, record: IndicatorRecord, tokens: list[str], lineno: int) -> None:
        """Give the targets of a row without columns their years (again after its notes are
        known: an *Eliminato* or *Inserito* row is aligned by them)."""
        record.tokens = list(tokens)
        record.target_line = lineno
        self._align(record)

    def _align(self, record: IndicatorRecord) -> None:
        tokens = list(record.tokens)
        record.targets, record.surplus, record.alignment = {}, [], None
        if self.header is None:
            record.surplus = tokens
            return
        years = [y for y in self.header.years if y is not None]
        n, k = len(years), len(tokens)
        if k > n:
            record.surplus = tokens[:k - n]
            tokens = tokens[k - n:]
            k = n
        if k == n:
            offset, how = 0, None
        else:
            offset, how = _alignment(tokens, years, record, self.plan_year)
        for year, text in zip(years[offset:offset + k], tokens, strict=False):
            record.targets[year] = text
        record.alignment = how

    def _notes(self, record: IndicatorRecord, notes: Iterable[list[Line]]) -> None:
        _attach_notes(record, notes)
        if record.tokens and record.alignment is not None:
            self._align(record)

    def _trailing(self, record: IndicatorRecord, cells: list[str]) -> None:
        roles = self.header.trailing if self.header else []
        source = self.header.source if self.header else None
        names = [c for c in source.cells[self.header.start:] if not re.search(
            r"\b(?:target|(?:19|20)\d\d)\b", c, re.IGNORECASE)] if source and self.header else []
        for n, cell in enumerate(cells):
            if not cell:
                continue
            role = roles[n] if n < len(roles) else None
            if CHANGE_START.match(cell) and (note := change_note(cell)):
                record.changes.append((note, record.line))
            elif role in ("owner", "kind", "unit", "code", "name", "algorithm", "weight",
                          "baseline", "baseline_year", "source", "description"):
                self._cell(record, role, names[n] if n < len(names) else role, cell)
            else:
                record.leftovers.append(Located(cell, record.line))

    def _suffix(self, record: IndicatorRecord, suffix: str) -> None:
        """Words after the targets: tipologia and unit, or owner offices (by the header)."""
        suffix = suffix.strip()
        if not suffix:
            return
        roles = self.header.trailing if self.header else []
        words = suffix.split()
        if "unit" in roles and words[-1].lower() in _UNITS:
            record.unit = words[-1]
            words = words[:-1]
        rest = " ".join(words)
        if not rest:
            return
        if "kind" in roles or match_kind(rest):
            record.kind = rest
        elif "owner" in roles or office_like(rest):
            record.offices += split_offices(rest)
        else:
            record.leftovers.append(Located(rest, record.target_line or record.line))

    def _line_of(self, lines: list[Line], run: Run) -> int:
        return lines[self._line_index(lines, run)].no

    def _line_index(self, lines: list[Line], run: Run) -> int:
        """The line where the run's last token is (joined text offsets → line)."""
        pos, total = run.end, 0
        for k, ln in enumerate(lines):
            total += len(normalize_text(ln.text)) + 1
            if pos <= total:
                return k
        return len(lines) - 1


def _glue_operators(lines: list[Line], texts: list[str]) -> tuple[list[Line], list[str]]:
    """A line that ends with an operator (``… >= 80,00 % >=``), or a run of targets followed
    by a line that starts with the last one's unit (``… >= 650,00`` / ``N. Volume N.``),
    goes on with the next."""
    out_lines: list[Line] = []
    out_texts: list[str] = []
    for ln, text in zip(lines, texts, strict=True):
        if out_texts and (re.search(r"(?:>=|<=|=>|=<|≥|≤|>|<|=)\s*$", out_texts[-1]) or (
                re.match(r"^(?:%|N\.|gg|€|h)(?:\s|$)", text.strip())
                and (run := find_run(out_texts[-1])) is not None and not run.suffix)):
            out_texts[-1] = f"{out_texts[-1].rstrip()} {text.strip()}"
            continue
        out_lines.append(ln)
        out_texts.append(text)
    return out_lines, out_texts


def _split_first(text: str, parts: dict[str, list[str]]) -> bool:
    """The code line's text: the name, and the formula's start when a measure code is in it
    (``Grado di restituzione ( BilCons_IE Interventi …``). True when a formula started."""
    m = _MEASURE_INSIDE.search(f" {text}")
    if m and m.start() > 1:
        parts["name"].append(text[:m.start() - 1].strip())
        parts["measure"].append(text[m.start() - 1:].strip())
        return True
    parts["name"].append(text)
    return False


_CONNECTORS = {"tramite", "verso", "presso", "mediante", "rispetto", "secondo", "sul", "sulla",
               "-", "–", "e", "di", "del", "della", "dei", "delle", "al", "alla", "ai", "in",
               "nel", "nella", "con", "per", "da", "dal", "dalla", "anno", "a", "tra", "su",
               "il", "lo", "la", "i", "gli", "le", "un", "una", "uno", "dell'", "all'"}


def _starts_description(text: str, name: list[str]) -> bool:
    """Does ``text`` start the description below a name (a verb such as «Misura», or a capital
    after a name of three words or more that does not end on a connecting word)?"""
    if _DESCRIPTION_START.match(text):
        return True
    words = " ".join(name).split()
    return text[:1].isupper() and len(words) >= 3 and words[-1].lower() not in _CONNECTORS \
        and not re.match(r"[A-Z]{1,3}[-\d]", text)


def _office(rest: str, texts: list[str], nxt: int) -> tuple[str, str]:
    """``(Ufficio Metrico)`` after a weight; an office broken over two lines (``(Uff.`` /
    ``Provveditorato)``) takes the next line's start, which is then used up."""
    m = _OFFICE_PAREN.match(rest)
    if not m:
        return "", rest.strip()
    office = m["office"]
    after = rest[m.end():].strip()
    if not m["close"] and nxt < len(texts):
        following = texts[nxt]
        close = following.find(")")
        if close >= 0 and "(" not in following[:close] and len(following[:close].split()) <= 4:
            office = f"{office} {following[:close]}"
            texts[nxt] = following[close + 1:]
    return normalize_text(office), after


_OWNER_LABEL = re.compile(r"^(?:Struttura|Ufficio|Servizio|Settore|Dirigente)?\s*[Rr]esponsabil[ei]"
                          r"\s*:\s*(?P<who>\S.*)$|^Owner\s*:\s*(?P<owner>\S.*)$")


def _owner_labels(lines: list[Line]) -> tuple[list[Line], list[tuple[int, list[str], int]]]:
    """«Responsabile: Ufficio X» lines inside a table: the owners of the row above them."""
    kept: list[Line] = []
    owners: list[tuple[int, list[str], int]] = []
    for ln in lines:
        m = _OWNER_LABEL.match(ln.text)
        if m and kept:
            owners.append((kept[-1].no, split_offices(m["who"] or m["owner"]), ln.no))
        else:
            kept.append(ln)
    return kept, owners


def _code_line(text: str) -> bool:
    """``EC27 - Name``, ``DFP 1.3 - Name``, ``IS_MediazConcilN-1 - Name``: a code (with a digit
    or an underscore, or an acronym and a number) and a dash."""
    m = _INDICATOR_CODE.match(text)
    return bool(m) and bool(re.search(r"[\d_]", m["code"])) and \
        not re.match(r"(?:OS|O\.S\.)[ _.-]?\d", m["code"])


def _weight_row(text: str) -> bool:
    """A row that starts with its weight and then its name (not a row of percent targets)."""
    m = _WEIGHT_ROW.match(text)
    if not m or not m["rest"]:
        return False
    run = find_run(m["rest"], max_suffix_words=12)
    return run is None or bool(run.prefix)


def _alignment(tokens: list[str], years: list[int], record: IndicatorRecord,
               plan_year: int | None) -> tuple[int, str]:
    """Where ``tokens`` (fewer than the years) start among ``years``: under the years of their
    deadlines; at the end for an indicator *Inserito* later, at the start for one *Eliminato*;
    else at the end of a table that reaches back into past years (an indicator that started
    later) and at the start of a table of the plan's years (later targets not set)."""
    k, n = len(tokens), len(years)
    dated = [(i, int(m[1])) for i, t in enumerate(tokens)
             if (m := re.search(r"\d{1,2}[-/.]\d{1,2}[-/.]((?:19|20)\d\d)", t))]
    for offset in range(n - k + 1):
        if dated and all(years[offset + i] == y for i, y in dated):
            return offset, "scadenze"
    actions = {note.action for note, _ in record.changes}
    if "Eliminato" in actions:
        return 0, "inizio"
    if "Inserito" in actions:
        return n - k, "fine"
    if plan_year is not None and years[0] < plan_year - 1:
        return n - k, "fine"
    return 0, "inizio"


def _by_spans(hs: Line, start: int, k: int, row: Line
              ) -> tuple[list[str], list[str], list[str]] | None:
    """Layout text: a row cell that starts left of the first target column is the row's
    lead (weight, name); the others go to the header column nearest to their centre."""
    centres = [(s + e) / 2 for s, e in hs.spans]
    if start >= len(centres) or start + k > len(centres):
        return None
    left = (hs.spans[start - 1][1] + hs.spans[start][0]) / 2 if start > 0 else hs.spans[0][0]
    lead: list[str] = []
    targets = [""] * k
    trailing = [""] * (len(centres) - start - k)
    for cell, (s, e) in zip(row.cells, row.spans, strict=True):
        c = (s + e) / 2
        if s < left:
            lead.append(cell)
            continue
        j = min(range(start, len(centres)), key=lambda x: abs(centres[x] - c))
        if j < start + k:
            targets[j - start] = f"{targets[j - start]} {cell}".strip()
        else:
            trailing[j - start - k] = f"{trailing[j - start - k]} {cell}".strip()
    if not lead:
        return None
    return lead, targets, trailing


def _note_lines(lines: list[Line], i: int) -> tuple[list[Line], int]:
    """The lines of the change-log note starting at ``lines[i]`` and the index after it."""
    note = [lines[i]]
    i += 1
    while i < len(lines) and (not note_complete(join_words([x.text for x in note]))
                              or _FOOTNOTE_LINE.match(lines[i].text)) \
            and note_continues(lines[i].text) and not CHANGE_START.match(lines[i].text):
        note.append(lines[i])
        i += 1
    return note, i


def _attach_notes(record: IndicatorRecord, notes: Iterable[list[Line]]) -> None:
    for note_lines in notes:
        text = join_words([x.text for x in note_lines])
        note = change_note(text)
        if note is not None:
            record.changes.append((note, note_lines[0].no))


def _fraction(algorithm: str) -> tuple[str | None, str | None]:
    """Numerator and denominator of ``A / B`` (outside parentheses), outer brackets off."""
    depth, cut = 0, None
    for i, ch in enumerate(algorithm):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif (ch == "/" and depth == 0 and algorithm[i - 1:i] == " ") or \
                (ch == "/" and depth == 0 and algorithm[i + 1:i + 2] == " "):
            cut = i
            break
    if cut is None:
        return None, None
    num, den = algorithm[:cut].strip(), algorithm[cut + 1:].strip()
    return _unwrap(num) or None, _unwrap(den) or None


def _unwrap(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        inner = text[1:-1].strip()
        depth = 0
        balanced = True
        for ch in inner:
            depth += ch == "("
            depth -= ch == ")"
            if depth < 0:
                balanced = False
                break
        if not balanced or depth:
            break
        text = inner
    return text


def stated_year(doc: Document) -> int | None:
    """The plan year the document states: the first year of the period in its title, else
    the year the approving act is about (:func:`~.changelog.plan_year_of`)."""
    if doc.period is not None:
        return doc.period[0]
    if doc.deliberation is not None:
        return plan_year_of(doc.deliberation[1])
    return None


def read_document(text: str, plan_year: int | None = None) -> Document:
    """Read the text of a plan (any extraction) into a :class:`Document`."""
    return Reader(text_lines(text), plan_year).read()
