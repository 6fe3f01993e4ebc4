"""Reading a table file into rows of cells, safely: a .csv (``;``, tab or ``,``, any common
encoding) or the sheet of a .xlsx that holds the table, behind the untrusted-file guard."""

from __future__ import annotations

import csv
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from ...core.problems import Location, Problem
from ...core.vocabulary import csv_unquoted_text
from ...returns.guard import OPENPYXL_ERRORS, UntrustedFileError, check_package
from ..common import ImportFailed, read_text
from .cells import Cell, Percent, _blank, _plain
from .columns import _PLAN_KEY, header_key, match_header, measure_columns

HEADER_SEARCH_ROWS = 60


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


@dataclass


class Grid:
    """The rows of a sheet or CSV file, each with its 1-based line number."""

    rows: list[tuple[int, list[Cell]]]
    problems: list[Problem] = field(default_factory=list)
    sheet: str | None = None
    measures: tuple[str, list[tuple[int, list[Cell]]], int] | None = None
    """A sheet with a table of measures: its name, rows and the index of its header."""


def _header_score(cells: list[Cell]) -> int:
    """How many known columns a row names (0 when it names no indicator column, or is a
    ``Colonna`` row of the plan block, whose level may read as a header: «indicatore»)."""
    if cells and isinstance(cells[0], str) and _PLAN_KEY.get(header_key(cells[0])) == "column":
        return 0
    if measure_columns(cells) is not None:
        return 0          # the header of a table of measures (below the indicators)
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
                rows.append((start, [csv_unquoted_text(c.strip()) for c in row]))
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


RawRow = list[tuple[object, str | None]]      # (value, number format) of each cell


def _sheet_rows(raw: list[RawRow]) -> list[tuple[int, list[Cell]]]:
    rows = []
    for lineno, row in enumerate(raw, 1):
        cells = [_xlsx_cell(value, number_format) for value, number_format in row]
        while cells and _blank(cells[-1]):
            cells.pop()
        rows.append((lineno, cells))
    return rows


def _load_xlsx(path: Path) -> list[tuple[str, list[RawRow]]]:
    """Every sheet's cells as openpyxl parses them (lazily, in read-only mode: a damaged
    sheet fails while its rows are read); what openpyxl raises on a damaged file is a
    refusal with one line, and only that (docs/errors.md)."""
    import openpyxl  # only for .xlsx tables: the command line starts without it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                return [(ws.title, [[(c.value, getattr(c, "number_format", None)) for c in row]
                                    for row in ws.iter_rows()]) for ws in book.worksheets]
            finally:
                book.close()
    except OPENPYXL_ERRORS as exc:
        raise ImportFailed(path, [Problem(Location(), f"cartella Excel non leggibile "
                                              f"({type(exc).__name__})")]) from None


def _measures_sheet(name: str, rows: list[tuple[int, list[Cell]]]) -> bool:
    """Whether a sheet's first header is that of a table of measures (``Codice; Nome`` on a
    sheet named «Misure» looks like an indicator table otherwise)."""
    at = _find_header(rows)
    return at is not None and measure_columns(rows[at][1], name) is not None


def _read_xlsx(path: Path) -> Grid:
    try:
        check_package(path)
    except UntrustedFileError as exc:
        raise ImportFailed(path, [Problem(Location(), exc.reason)]) from None
    sheets = [(title, _sheet_rows(raw)) for title, raw in _load_xlsx(path)]
    chosen = next(((name, rows) for name, rows in sheets if _find_header(rows) is not None
                   and not _measures_sheet(name, rows)), sheets[0] if sheets else ("", []))
    measures = None
    problems = []
    for name, rows in sheets:
        if name == chosen[0] or not any(c for _, c in rows):
            continue
        at = next((i for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS])
                   if measure_columns(cells, name) is not None), None)
        if at is not None and measures is None:
            measures = (name, rows, at)
            continue
        problems.append(Problem(Location(), f"foglio «{name}» non letto: la tabella è nel "
                                             f"foglio «{chosen[0]}»" + (
                                                 f" e le misure nel foglio «{measures[0]}»"
                                                 if measures else ""), "avviso"))
    return Grid(chosen[1], problems, chosen[0], measures)


def read_grid(path: Path | str) -> Grid:
    """The rows of a .xlsx (the sheet that holds the table) or .csv (``;``, tab or ``,``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise ImportFailed(path, [Problem(
        Location(), f"formato «{path.suffix}» non supportato: usare una "
                    f"tabella .xlsx o .csv")])


def _header_of(grid: Grid, path: Path) -> int:
    at = _find_header(grid.rows)
    if at is None:
        raise ImportFailed(path, [Problem(
            Location(), "intestazione della tabella non trovata: serve una "
                        "riga con «Indicatore» (o «Codice indicatore») e "
                        "le altre colonne (Ambito, Obiettivo strategico, "
                        "Peso, Target 2024…)"), *grid.problems])
    return at
