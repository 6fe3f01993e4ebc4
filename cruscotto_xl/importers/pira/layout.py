"""Text layout layer: any text extraction of a table-heavy document → numbered lines of cells.

Plans arrive as text produced by very different tools, and the importers should not care
which one (see docs/importa-pira.md, "Extraction families"):

- *tab-separated* text (Word copy-paste, some PDF converters): ``a<TAB>b<TAB><TAB>c``;
- *layout* text (``pdftotext -layout``): cells separated by runs of two or more spaces, at
  the horizontal position they had on the page;
- *plain* text (``pdftotext`` without ``-layout``, most PDF libraries): one space between
  everything, cells and table rows often printed column by column;
- *markdown*: ``**bold**``, ``# headings``, ``| a | b |`` tables, backslash escapes;
- *HTML*: ``<b>``, ``<table><tr><td>`` (a row may span several source lines).

:func:`text_lines` turns any of them into :class:`Line` objects: the source line number, the
cells (empty cells kept, so a column stays a column where the extraction kept it), their
character spans when the text is a layout extraction, whether the line was bold or a
heading, and the page (form feeds). Markup is gone, look-alike characters are unified
(:func:`~cruscotto_xl.core.vocabulary.normalize_text`), rule lines (``-----``) and page furniture
(``Pagina 3 di 12``) are dropped. Nothing here knows about plans.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ...core.vocabulary import normalize_text

Span = tuple[int, int]


@dataclass(frozen=True)
class Line:
    """One line of the source with its cells.

    ``cells`` keeps empty cells of tab, pipe and HTML rows (their index is their column);
    ``spans`` are the character columns of the cells of a layout extraction (runs of two or
    more spaces), empty otherwise. ``positional`` says whether cell positions mean columns.
    """

    no: int
    cells: tuple[str, ...]
    spans: tuple[Span, ...] = ()
    bold: bool = False
    heading: bool = False
    page: int = 1
    positional: bool = False

    @property
    def filled(self) -> list[str]:
        return [c for c in self.cells if c]

    @property
    def text(self) -> str:
        return " ".join(self.filled)


_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_BOLD_TAG = re.compile(r"<(?:b|strong)\b[^>]*>", re.IGNORECASE)
_HTML_ROW = re.compile(r"<tr\b[^>]*>(?P<body>.*?)</tr\s*>", re.IGNORECASE | re.DOTALL)
_HTML_CELL = re.compile(r"<t[dh]\b(?P<attrs>[^>]*)>(?P<body>.*?)(?:</t[dh]\s*>|(?=<t[dh]\b)|$)",
                        re.IGNORECASE | re.DOTALL)
_COLSPAN = re.compile(r"colspan\s*=\s*[\"']?(\d+)", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_MD_BOLD = re.compile(r"\*\*|__")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_RULE_ROW = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_RULE = re.compile(r"^(?:-{2,}|={2,}|_{3,}|\*{3,})$")
_WIDE_GAP = re.compile(r" {2,}")
_FURNITURE = re.compile(
    r"^(?:pag(?:ina|\.)?\s*\d{1,4}(?:\s*(?:di|/)\s*\d{1,4})?|-\s*\d{1,4}\s*-|\d{1,4}\s*/\s*\d{1,4}"
    r"\s*pag(?:ine|\.)?)$",
    re.IGNORECASE,
)


def _html_rows(text: str) -> str:
    """Every ``<tr>…</tr>`` becomes one tab-separated line; the lines it spanned stay empty,
    so later line numbers do not move."""

    def row(m: re.Match[str]) -> str:
        cells: list[str] = []
        for cell in _HTML_CELL.finditer(m["body"]):
            body = _BREAK.sub(" ", cell["body"])
            bold = bool(_BOLD_TAG.search(body))
            value = normalize_text(html.unescape(_TAG.sub(" ", body)))
            cells.append(f"**{value}**" if bold and value else value)
            span = _COLSPAN.search(cell["attrs"])
            cells.extend([""] * (int(span[1]) - 1 if span else 0))
        return "\t".join(c.replace("\t", " ") for c in cells) + "\n" * m[0].count("\n")

    return _HTML_ROW.sub(row, text)


def _split_cells(raw: str) -> tuple[tuple[str, ...], tuple[Span, ...], bool]:
    """Cells of one line, their spans (layout text) and whether positions are columns."""
    stripped = raw.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        parts = stripped.strip("|").split("|")
        return tuple(normalize_text(p) for p in parts), (), True
    if "\t" in raw:
        return tuple(normalize_text(p) for p in raw.split("\t")), (), True
    body = raw.rstrip()
    if _WIDE_GAP.search(body.strip()):
        cells, spans = [], []
        for m in re.finditer(r"\S+(?: \S+)*", body):
            cells.append(normalize_text(m[0]))
            spans.append((m.start(), m.end()))
        return tuple(cells), tuple(spans), True
    return (normalize_text(body),), (), False


def _clean(raw: str) -> tuple[str, bool, bool]:
    """Markup out: (text, bold, heading)."""
    bold = bool(_BOLD_TAG.search(raw) or _MD_BOLD.search(raw))
    heading = bool(_MD_HEADING.match(raw))
    text = _MD_HEADING.sub("", raw)
    text = _TAG.sub("", text)
    text = _MD_BOLD.sub("", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = html.unescape(text)
    return text, bold, heading


def text_lines(text: str) -> list[Line]:
    """The non-empty lines of an extraction, as :class:`Line` (see the module docstring)."""
    if re.search(r"<t[dh]\b", text, re.IGNORECASE):
        text = _html_rows(text)
    out: list[Line] = []
    page = 1
    for no, raw in enumerate(text.split("\n"), 1):
        raw = raw.rstrip("\r")
        page += raw.count("\f")
        raw = raw.replace("\f", "")
        if _MD_RULE_ROW.match(raw.strip()) and "|" in raw:
            continue
        clean, bold, heading = _clean(raw)
        cells, spans, positional = _split_cells(clean)
        filled = [c for c in cells if c]
        if not filled:
            continue
        if all(_RULE.match(c) for c in filled) or re.fullmatch(r"[-=_*\s]{3,}", " ".join(filled)):
            continue
        if len(filled) == 1 and _FURNITURE.match(filled[0]):
            continue
        out.append(Line(no, cells, spans, bold, heading, page, positional))
    return out


def join_words(parts: list[str]) -> str:
    """Text continued over several lines, as one string.

    A line that ends with a letter and a hyphen, followed by one that starts in lower case,
    is a word broken at the line end: the two halves are glued keeping the hyphen
    (``competi-`` + ``tività`` → ``competi-tività``, ``economico-`` + ``sociale`` →
    ``economico-sociale``), since only a dictionary could tell a broken word from a compound;
    vocabulary matching (:mod:`..vocabulary`) ignores hyphens and spaces.
    """
    out = ""
    for part in parts:
        part = normalize_text(part)
        if not part:
            continue
        if out and re.search(r"[^\W\d_]-$", out) and re.match(r"[a-zà-ÿ]", part):
            out += part
        else:
            out = f"{out} {part}" if out else part
    return out
