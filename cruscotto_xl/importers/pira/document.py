"""What the PIRA reader found in a document, before it becomes a plan.

The reader (:mod:`.reader`) fills these records from the text; the builder
(:mod:`.build`) turns them into a :class:`~cruscotto_xl.core.model.Plan` and decides what to
report. Everything keeps the line it came from. Sections the plan does not import (the
individual objectives of the Segretario Generale, dirigenti and PO, resources outside the
objectives, an operational table whose rows cannot be placed) are kept as :class:`Section`
with their lines, so a later importer can read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ..changelog import ChangeNote
from .layout import Line


@dataclass(frozen=True)
class Located:
    """A text and the source line it starts on."""

    text: str
    line: int


@dataclass
class IndicatorRecord:
    """One indicator row of an objective's table."""

    line: int
    last: int
    code: str | None = None
    name: str = ""
    description: str | None = None
    algorithm: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    unit: str | None = None
    kind: str | None = None
    weight: Located | None = None
    offices: list[str] = field(default_factory=list)
    targets: dict[int, str] = field(default_factory=dict)
    target_line: int | None = None
    alignment: str | None = None
    """How the target texts got their years when the row did not say it by position:
    ``None`` (columns), ``"scadenze"`` (the years of the deadlines), ``"inizio"`` /
    ``"fine"`` (first or last years of the table; see docs/importa-pira.md)."""
    surplus: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    """The target texts of a row without columns, in order (their years by :attr:`alignment`)."""
    changes: list[tuple[ChangeNote, int]] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    """Columns the plan has no field for (``Baseline``, ``Fonte``…), by their header."""
    leftovers: list[Located] = field(default_factory=list)

    @property
    def eliminated(self) -> bool:
        return any(note.action == "Eliminato" for note, _ in self.changes)


Years = list[int | None]


@dataclass
class TableHeader:
    """The header of an indicator table: its target years and the columns after them."""

    line: int
    years: Years
    trailing: list[str]          # roles of the columns after the targets: owner, kind, unit
    source: Line | None = None   # the header line itself when it is one line with cells
    start: int = 0               # index of the first target column in ``source.cells``


@dataclass
class ObjectiveBlock:
    """An objective (strategic, or operational when ``level`` is ``"oo"``): its heading,
    fields and indicator table."""

    code: str
    title: str
    line: int
    level: str = "os"
    fields: dict[str, Located] = field(default_factory=dict)
    extra: dict[str, Located] = field(default_factory=dict)
    empty_labels: dict[str, int] = field(default_factory=dict)
    repeated: list[tuple[str, int, int]] = field(default_factory=list)
    mission_heading: Located | None = None
    programme_heading: Located | None = None
    area_heading: Located | None = None
    header: TableHeader | None = None
    indicators: list[IndicatorRecord] = field(default_factory=list)
    leftovers: list[Located] = field(default_factory=list)
    last: int = 0


SectionKind = Literal["preambolo", "operativo", "individuale", "risorse"]


@dataclass
class Section:
    """A part of the document that is not a strategic objective."""

    kind: SectionKind
    first: int
    last: int
    title: str | None = None
    rows: int = 0                # rows with targets found in it
    lines: list[Line] = field(default_factory=list)


@dataclass
class OperationalRow:
    """A row of an operational table whose columns are known (cells)."""

    line: int
    os_text: str | None
    programme: str | None
    oo_title: str | None
    indicator: str
    target: str
    offices: list[str]
    area: str | None
    changes: list[tuple[ChangeNote, int]] = field(default_factory=list)


@dataclass
class Document:
    """Everything the reader recognised, with source lines."""

    title: Located | None = None
    entity: Located | None = None
    deliberation: tuple[str, date, int] | None = None
    period: tuple[int, int] | None = None        # (first year stated in a title, line)
    objectives: list[ObjectiveBlock] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    side_labels: list[Located] = field(default_factory=list)
    operational: list[OperationalRow] = field(default_factory=list)
    candidates: int = 0          # numbered/coded title lines seen (confirmed or not)
    headers: int = 0             # target-year table headers seen
