"""Read an open workbook through a book port, with the same reader as files.

The port's sheets become the reader's :class:`~cruscotto_xl.returns.source.Source`, so a
workbook open in Excel is read, checked and graded exactly as ``cruscotto ricalcola`` reads
a file. Each sheet is fetched once (one bulk read) and kept for the rest of the macro.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl.utils.cell import range_boundaries

from ..returns.package import PackageIndex
from ..returns.read import NotOurWorkbookError, Reading, read_source
from ..workbook.layout import NAME_PLAN_ID, SHEET_META
from .port import BookPort, SheetData


class PortSource:
    """A :class:`~cruscotto_xl.returns.source.Source` over a book port (sheets read once)."""

    def __init__(self, port: BookPort) -> None:
        self._port = port
        self._tables = port.tables()
        self.table_names = list(self._tables)
        self._data: dict[str, SheetData] = {}

    def data(self, sheet: str) -> SheetData:
        if sheet not in self._data:
            self._data[sheet] = self._port.read(sheet)
        return self._data[sheet]

    def forget(self, sheet: str) -> None:
        """Drop a cached sheet (it was written: the next read must see the new values)."""
        self._data.pop(sheet, None)

    def sheet(self, name: str) -> list[list[object]]:
        return self.data(name).values

    def table_bounds(self, sheet: str) -> list[tuple[int, int, int, int]]:
        """(first row, first column, last row, last column), 0-based, of the tables of
        ``sheet`` (header row included)."""
        out = []
        for on, ref in self._tables.values():
            if on == sheet:
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                out.append((min_row - 1, min_col - 1, max_row - 1, max_col - 1))
        return out

    def table(self, name: str) -> tuple[list[str], tuple[int, int], list[list[object]]]:
        sheet, ref = self._tables[name]
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        values = self.sheet(sheet)
        rows = []
        for r in range(min_row - 1, max_row):
            line = values[r] if r < len(values) else []
            rows.append([line[c] if c < len(line) else "" for c in range(min_col - 1, max_col)])
        return [str(h) for h in rows[0]], (min_row, min_col - 1), rows[1:]

    def close(self) -> None:
        """Nothing to release: the workbook stays open in its host."""


def read_port(port: BookPort) -> tuple[Reading, PortSource]:
    """The :class:`Reading` of an open workbook, and the source holding its sheets."""
    path = port.path or Path(port.name)
    names = port.sheet_names()
    index = PackageIndex(sheets={n: n for n in names}, names=port.defined_names())
    if SHEET_META not in index.sheets or NAME_PLAN_ID not in index.names:
        raise NotOurWorkbookError(path, "manca il foglio nascosto _cruscotto")
    source = PortSource(port)
    reading = read_source(path, index, source, lambda sheet: source.data(sheet).formulas,
                          datetime.now())
    return reading, source
