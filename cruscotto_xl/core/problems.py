"""Problems, each with where it was found, all reported at once.

A :class:`Problem` carries a structured :class:`Location` (the file, sheet and cell of a
workbook, the path inside a plan file such as ``ambiti[0].obiettivi[3].indicatori[2].peso``,
the lines of an imported text, or an office), the code of the element, an Italian message
and a severity. The location is rendered for people (``ufficio.xlsx › 01 Servizi!M7``,
``riga 12``) by ``str()``; code reads its fields and never parses the rendering back.
Every layer (plan checks, importers, workbook reader, consolidation) uses this one type,
so every command prints problems the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

Severity = Literal["errore", "avviso"]


@dataclass(frozen=True)
class Location:
    """Where a problem is; every field is optional and the empty location is "the file"."""

    file: str = ""
    """A file's name (a plan, an import source, a workbook), as the person knows it."""
    sheet: str = ""
    """A sheet of that workbook, or the plan part it carries (``piano``)."""
    cell: str = ""
    """An A1 coordinate on that sheet."""
    path: str = ""
    """A place in a plan file (``ambiti[0].obiettivi[3].peso``, ``uffici``)."""
    lines: tuple[int, ...] = ()
    """Lines of an imported text (1-based) that show the same problem."""
    span: tuple[int, int] | None = None
    """A block of lines of an imported text, first and last."""
    office: str = ""
    """An office (one that did not return its workbook)."""

    def __str__(self) -> str:
        head = self.file
        if self.sheet:
            head = f"{self.file} › {self.sheet}" + (f"!{self.cell}" if self.cell else "")
        return ", ".join(part for part in (head, self._inner() or self.office) if part)

    def inside(self) -> str:
        """Where inside the file, without the file and the office (``Foglio!A1``,
        ``riga 4``, a plan path): what a table shows beside a file or office column."""
        sheet = f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet
        return ", ".join(part for part in (sheet, self._inner()) if part)

    def _inner(self) -> str:
        if self.span is not None:
            return f"righe {self.span[0]}–{self.span[1]}"
        if self.lines:
            return (f"riga {self.lines[0]}" if len(self.lines) == 1
                    else f"righe {', '.join(map(str, self.lines))}")
        return self.path

    @property
    def first_line(self) -> int:
        """The first line of an imported text this location names, 0 when none."""
        if self.span is not None:
            return self.span[0]
        return min(self.lines) if self.lines else 0

    def in_file(self, file: str) -> Location:
        """The same place inside ``file`` (a plan path of a plan file, an import's lines)."""
        return replace(self, file=file)

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set, for ``--json`` output."""
        fields: dict[str, Any] = {
            "file": self.file, "sheet": self.sheet, "cell": self.cell, "path": self.path,
            "lines": list(self.lines), "span": list(self.span) if self.span else None,
            "office": self.office}
        return {key: value for key, value in fields.items() if value not in ("", [], None)}


def in_plan(path: str) -> Location:
    """A place in a plan file: ``ambiti[0].obiettivi[3].indicatori[2].peso``."""
    return Location(path=path)


@dataclass(frozen=True)
class Problem:
    where: Location
    message: str
    severity: Severity = "errore"
    subject: str = ""

    @property
    def location(self) -> str:
        """Where, as people read it (``file › sheet!A1``, ``riga 4``, a plan path)."""
        return str(self.where)

    def __str__(self) -> str:
        subject = f" [{self.subject}]" if self.subject else ""
        return f"{self.severity.upper()} {self.location}{subject}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """For ``--json``: the rendered location and its fields (``where``)."""
        return {"location": self.location, "message": self.message,
                "severity": self.severity, "subject": self.subject,
                "where": self.where.as_dict()}


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == "errore" for p in problems)


__all__ = ["Location", "Problem", "Severity", "has_errors", "in_plan"]
