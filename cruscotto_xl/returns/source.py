"""Where the reader gets cell values: python-calamine, or openpyxl when calamine cannot.

calamine is fast, but it aborts on some inputs (a date-formatted cell holding a number
outside the date range raises a Rust panic). The reader then reads the same file through
openpyxl, which turns such a cell into ``#VALUE!``; both sources give the same shapes:
a sheet as a 2-D list from A1, a table as (headers, first data cell, rows).

Each source turns what its library raises on a file it cannot parse into
:class:`SourceError` (a damaged file, for the user), and only that: an error of our own
code around them stays an internal error (docs/errors.md).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from defusedxml import DefusedXmlException
from python_calamine import CalamineError, CalamineWorkbook

from ..workbook.layout import range_bounds
from .guard import OPENPYXL_ERRORS, UntrustedFileError

EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


class SourceError(UntrustedFileError):
    """The library could not parse the file: a damaged workbook (``cause`` says which
    library error, for the message)."""

    def __init__(self, path: Path, cause: BaseException) -> None:
        super().__init__(path, f"archivio .xlsx danneggiato o non valido "
                               f"({type(cause).__name__})")


def is_rust_panic(exc: BaseException) -> bool:
    """A panic inside calamine's Rust code, which pyo3 raises as ``PanicException``.

    That class derives from ``BaseException`` (not ``Exception``) and is made by pyo3 at
    run time, in a module that cannot be imported: it is recognised by its name.
    """
    kind = type(exc)
    return kind.__module__ == "pyo3_runtime" and kind.__qualname__ == "PanicException"


class Source(Protocol):
    table_names: list[str]

    def sheet(self, name: str) -> list[list[object]]: ...

    def table(self, name: str) -> tuple[list[str], tuple[int, int], list[list[object]]]: ...

    def close(self) -> None: ...


_DEVNULL: list[int] = []     # one descriptor per process, opened on first need


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
        if not _DEVNULL:                  # kept open: a consolidation calls this thousands
            _DEVNULL.append(os.open(os.devnull, os.O_WRONLY))   # of times
        os.dup2(_DEVNULL[0], 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class CalamineSource:
    def __init__(self, path: Path) -> None:
        self._path = path
        with self._parsing():
            self._book = CalamineWorkbook.from_path(str(path), load_tables=True)
            self.table_names = list(self._book.table_names)
        self._sheets: dict[str, list[list[object]]] = {}

    @contextmanager
    def _parsing(self) -> Iterator[None]:
        """calamine's own errors and its Rust panics → :class:`SourceError`."""
        try:
            with _quiet_stderr():
                yield
        except CalamineError as exc:
            raise SourceError(self._path, exc) from exc
        except BaseException as exc:      # only the panic, see is_rust_panic; all else goes on
            if not is_rust_panic(exc):
                raise
            raise SourceError(self._path, exc) from None

    def sheet(self, name: str) -> list[list[object]]:
        if name not in self._sheets:
            with self._parsing():
                self._sheets[name] = self._book.get_sheet_by_name(name).to_python(
                    skip_empty_area=False)
        return self._sheets[name]

    def table(self, name: str) -> tuple[list[str], tuple[int, int], list[list[object]]]:
        with self._parsing():
            t = self._book.get_table_by_name(name)
            rows = t.to_python()
            return [str(c) for c in t.columns], t.start, rows

    def close(self) -> None:
        self._book.close()


class OpenpyxlSource:
    """The slow, tolerant path (tables need the full, non read-only load)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "marked as a date but … outside the limits"
            try:
                import openpyxl  # the fallback only: the command line starts without it

                self._book = openpyxl.load_workbook(path, data_only=True)
            except DefusedXmlException:
                raise                         # an XXE attempt: read_workbook says so
            except OPENPYXL_ERRORS as exc:
                raise SourceError(path, exc) from exc
        self._tables = {name: (ws, ref) for ws in self._book.worksheets
                        for name, ref in ws.tables.items()}
        self.table_names = list(self._tables)

    @staticmethod
    def _value(value: object) -> object:
        return "" if value is None else value

    def sheet(self, name: str) -> list[list[object]]:
        if name not in self._book.sheetnames:     # named by the workbook, absent: damaged
            raise SourceError(self._path, KeyError(name))
        ws = self._book[name]
        return [[self._value(v) for v in row] for row in ws.iter_rows(
            min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True)]

    def table(self, name: str) -> tuple[list[str], tuple[int, int], list[list[object]]]:
        if name not in self._tables:
            raise SourceError(self._path, KeyError(name))
        ws, ref = self._tables[name]
        try:
            min_col, min_row, max_col, max_row = range_bounds(ref)
        except ValueError as exc:          # a table whose range is not a range
            raise SourceError(self._path, exc) from exc
        if min_col is None or min_row is None or max_col is None or max_row is None \
                or max_row > EXCEL_ROWS or max_col > EXCEL_COLUMNS:
            raise SourceError(self._path, ValueError(ref))
        # Cells past the sheet's last row and column are empty: not made one by one (a
        # hostile range to row 1048576 would build a million rows of empty cells).
        max_row = max(min_row, min(max_row, ws.max_row))
        max_col = max(min_col, min(max_col, ws.max_column))
        rows = [[self._value(v) for v in row] for row in ws.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
            values_only=True)]
        return [str(h) for h in rows[0]], (min_row, min_col - 1), rows[1:]

    def close(self) -> None:
        self._book.close()
