"""The header row of a table: which column is where, what a column means given the others,
and the columns that are ignored (reported with how many values they held)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.problems import Problem
from ...core.vocabulary import counted
from ...workbook.layout import col_letter
from ..common import at_line
from .cells import Cell, _blank, _plain
from .columns import _HEADERS, FALLBACK_OFFICES, YearColumn, _year_header, header_key, match_header


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
                    values = counted(n, "valore", "valori")
                    problems.append(at_line(self.lineno, f"colonna «{text}» non riconosciuta: "
                                                         f"ignorata ({values}; nomi ammessi "
                                                         f"in docs/tabella.md)", "avviso"))
            elif n:
                where = col_letter(i) if letters else str(i + 1)
                ignored = counted(n, "valore ignorato", "valori ignorati")
                problems.append(at_line(self.lineno, f"colonna {where} senza intestazione: "
                                                     f"{ignored}", "avviso"))


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
    a year is an extra field, not the note of an actual; a «Misura» without «Codice misura»
    is an extra field too (a measure needs its code)."""
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
    if "measure_name" in header.static and "measure_code" not in header.static:
        # «Misura» alone names no measure (often the unit): an extra column, kept as such
        i = header.static.pop("measure_name")
        header.ignored[i] = header.names.pop("measure_name")
    bare_values = any(c.year is None and c.key in ("value", "num_value", "den_value")
                      for c, _ in header.years)
    if not bare_values:
        for col, i in list(header.years):
            if col.key == "note" and col.year is None:
                header.years.remove((col, i))
                header.ignored[i] = header.names.pop(col)
