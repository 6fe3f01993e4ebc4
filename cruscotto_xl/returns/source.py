"""Where the reader gets cell values: python-calamine, or openpyxl when calamine cannot.

calamine is fast, but it aborts on some inputs (a date-formatted cell holding a number
outside the date range raises a Rust panic). The reader then reads the same file through
openpyxl, which turns such a cell into ``#VALUE!``; both sources give the same shapes:
a sheet as a 2-D list from A1, a table as (headers, first data cell, rows).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import openpyxl
from openpyxl.utils.cell import range_boundaries
from python_calamine import CalamineWorkbook


class Source(Protocol):
    table_names: list[str]

    def sheet(self, name: str) -> list[list[object]]: ...

    def table(self, name: str) -> tuple[list[str], tuple[int, int], list[list[object]]]: ...

    def close(self) -> None: ...


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Hide what Rust prints when calamine panics: the reader then falls back to openpyxl,
    and a user should not see a crash message for a file that is read fine."""
    try:
        saved = os.dup(2)
    except OSError:                       # no real stderr (some embedded hosts)
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class CalamineSource:
    def __init__(self, path: Path) -> None:
        with _quiet_stderr():
            self._book = CalamineWorkbook.from_path(str(path), load_tables=True)
        self.table_names = list(self._book.table_names)
        self._sheets: dict[str, list[list[object]]] = {}

    def sheet(self, name: str) -> list[list[object]]:
        if name not in self._sheets:
            with _quiet_stderr():
                self._sheets[name] = self._book.get_sheet_by_name(name).to_python(
                    skip_empty_area=False)
        return self._sheets[name]

    def table(self, name: str) -> tuple[list[str], tuple[int, int], list[list[object]]]:
        t = self._book.get_table_by_name(name)
        with _quiet_stderr():
            rows = t.to_python()
        return [str(c) for c in t.columns], t.start, rows

    def close(self) -> None:
        self._book.close()


class OpenpyxlSource:
    """The slow, tolerant path (tables need the full, non read-only load)."""

    def __init__(self, path: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "marked as a date but … outside the limits"
            self._book = openpyxl.load_workbook(path, data_only=True)
        self._tables = {name: (ws, ref) for ws in self._book.worksheets
                        for name, ref in ws.tables.items()}
        self.table_names = list(self._tables)

    @staticmethod
    def _value(value: object) -> object:
        return "" if value is None else value

    def sheet(self, name: str) -> list[list[object]]:
        ws = self._book[name]
        return [[self._value(v) for v in row] for row in ws.iter_rows(
            min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True)]

    def table(self, name: str) -> tuple[list[str], tuple[int, int], list[list[object]]]:
        ws, ref = self._tables[name]
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        rows = [[self._value(v) for v in row] for row in ws.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
            values_only=True)]
        return [str(h) for h in rows[0]], (min_row, min_col - 1), rows[1:]

    def close(self) -> None:
        self._book.close()
