"""The Relazione as a document model: what both the HTML and the DOCX renderers lay out.

:mod:`.report` builds one :class:`Document` from the graded workbook (every text and every
number decided there); :func:`.report.render_html` and :func:`.report_docx.render_docx`
only turn its blocks into markup, so the two formats carry the same sections, tables and
charts and cannot drift (docs/report.md). Texts here are plain, unescaped strings: each
renderer escapes them for its own format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.lights import Light


@dataclass(frozen=True)
class Run:
    """A piece of inline text: bold, or preceded by a traffic-light dot, or a grade badge
    (the grade text on its light's background)."""

    text: str
    bold: bool = False
    dot: Light | None = None
    badge: Light | None = None


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    style: str = ""          # "" | "note" | "meta" | "oo" | "entity" | "sub"


@dataclass(frozen=True)
class Heading:
    level: int               # 1 title, 2 section, 3 ambito / sub-section, 4 OS
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False    # right-aligned
    light: Light | None = None
    small: str = ""          # a second, smaller line (numerator / denominator)
    style: str = ""          # "errore" | "avviso" | "indent" | "value" (may wrap) | ""


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    style: str = ""          # "" | "ambito" | "ente"


@dataclass(frozen=True)
class Table:
    headers: tuple[tuple[str, bool], ...]    # (text, numeric)
    rows: tuple[Row, ...]
    widths: tuple[int, ...] = ()             # percent of the page width, or free


@dataclass(frozen=True)
class Figure:
    png: bytes
    alt: str


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    sub: str
    light: Light | None = None
    dot: Light | None = None
    ident: str = ""          # the HTML id of the value (tests and links find it)


@dataclass(frozen=True)
class Kpis:
    items: tuple[Kpi, ...]


@dataclass(frozen=True)
class Pair:
    """Two columns side by side in HTML; one after the other in DOCX."""

    left: tuple[Block, ...]
    right: tuple[Block, ...]


Block = Paragraph | Heading | Table | Figure | Kpis | Pair


@dataclass
class Section:
    ident: str               # the HTML id
    title: str               # numbered by the renderer's caller: «1. Sintesi»
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str               # the document's title (HTML <title>, DOCX core properties)
    cover: list[Block]
    sections: list[Section]


def text(value: str, style: str = "") -> Paragraph:
    """A paragraph of one plain run."""
    return Paragraph((Run(value),), style)
