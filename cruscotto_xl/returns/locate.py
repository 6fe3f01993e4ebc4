"""Find the parts of a generated workbook by name (tables, defined names), never by row.

Works on an openpyxl workbook (loaded without ``read_only``, which hides tables). The
values are whatever openpyxl holds: formulas as text, or results with ``data_only=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.cell.cell import Cell
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import UserError
from ..workbook.layout import TABLE_REGISTRY, TABLE_SUMMARY


class LayoutError(UserError, ValueError):
    """The workbook lacks a part of the layout (it is not one of ours, or it was damaged)."""


@dataclass(frozen=True)
class TableRows:
    """A table's header names and, per data row, the cells keyed by header."""

    sheet: Worksheet
    name: str
    headers: tuple[str, ...]
    rows: list[dict[str, Cell]]


def find_table(wb: Workbook, name: str) -> TableRows:
    """The table ``name`` wherever it is (table names are unique in a workbook)."""
    for ws in wb.worksheets:
        for table_name, ref in ws.tables.items():
            if table_name.lower() == name.lower():
                return read_table(ws, table_name, ref)
    raise LayoutError(f"tabella «{name}» non trovata")


def read_table(ws: Worksheet, name: str, ref: str) -> TableRows:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    grid = list(ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col))
    headers = tuple(str(c.value) for c in grid[0])
    rows = [dict(zip(headers, cells, strict=True)) for cells in grid[1:]]
    return TableRows(ws, name, headers, rows)


def defined_cell(wb: Workbook, name: str) -> Cell:
    """The single cell a workbook-level defined name points to."""
    defined = wb.defined_names.get(name)
    if defined is None:
        raise LayoutError(f"nome definito «{name}» non trovato")
    destinations = list(defined.destinations)
    if len(destinations) != 1:
        raise LayoutError(f"il nome «{name}» non indica una sola cella")
    sheet, coord = destinations[0]
    sheet = sheet.replace("''", "'")  # openpyxl keeps the formula's escaping
    if sheet not in wb.sheetnames:
        raise LayoutError(f"il nome «{name}» indica il foglio «{sheet}», che non esiste")
    return wb[sheet][coord.replace("$", "")]


@dataclass(frozen=True)
class RegistryEntry:
    code: str
    level: str
    sheet: str
    table: str
    grade_name: str


def registry(wb: Workbook) -> list[RegistryEntry]:
    """The objective sheets the generator wrote, from the hidden registry table."""
    table = find_table(wb, TABLE_REGISTRY)
    out = []
    for row in table.rows:
        values = [None if c.value is None else str(c.value) for c in row.values()]
        if values[0] is None:
            continue
        out.append(RegistryEntry(*values))  # type: ignore[arg-type]
    return out


def summary_table(wb: Workbook) -> TableRows:
    return find_table(wb, TABLE_SUMMARY)
