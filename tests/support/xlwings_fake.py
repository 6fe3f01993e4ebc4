"""A recording fake of the few xlwings objects the macros use (Book, Sheet, Range, Name).

It holds a workbook's cells in memory and counts every call that would cross to Excel
(reading or writing a range, listing names or tables), so a test can assert that a macro
talks to Excel in bulk: O(number of sheets) calls, not O(number of cells).
"""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import range_boundaries
from python_calamine import CalamineWorkbook

from cruscotto_xl.excel.port import cell_position
from cruscotto_xl.returns.package import read_index, sheet_formulas
from cruscotto_xl.workbook.layout import col_letter


@dataclass
class FakeData:
    values: dict[tuple[int, int], Any] = field(default_factory=dict)      # 1-based (row, col)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    colors: dict[tuple[int, int], Any] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)        # 1-based row
    column_widths: dict[int, float] = field(default_factory=dict)      # 1-based column
    wrapped: set[tuple[int, int]] = field(default_factory=set)


class FakeRange:
    def __init__(self, sheet: FakeSheet, r0: int, c0: int, r1: int, c1: int) -> None:
        self.sheet, self.r0, self.c0, self.r1, self.c1 = sheet, r0, c0, r1, c1

    def _count(self, what: str) -> None:
        self.sheet.book.calls[what] += 1

    def options(self, **_: Any) -> FakeRange:
        return self

    def resize(self, rows: int, cols: int) -> FakeRange:
        return FakeRange(self.sheet, self.r0, self.c0, self.r0 + rows - 1, self.c0 + cols - 1)

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.r1, self.c1, self.r1, self.c1)

    @property
    def row(self) -> int:
        return self.r0

    @property
    def column(self) -> int:
        return self.c0

    @property
    def address(self) -> str:
        return f"${col_letter(self.c0 - 1)}${self.r0}:${col_letter(self.c1 - 1)}${self.r1}"

    def _cells(self) -> list[list[tuple[int, int]]]:
        return [[(r, c) for c in range(self.c0, self.c1 + 1)] for r in range(self.r0, self.r1 + 1)]

    @property
    def value(self) -> list[list[Any]]:
        self._count("range read")
        data = self.sheet.data
        return [[data.values.get(rc) for rc in line] for line in self._cells()]

    @value.setter
    def value(self, block: list[list[Any]]) -> None:
        self._count("range write")
        data = self.sheet.data
        for line, cells in zip(block, self._cells(), strict=True):
            for v, rc in zip(line, cells, strict=True):
                data.values[rc] = None if v == "" else v
                data.formulas.pop(rc, None)

    @property
    def formula(self) -> tuple[tuple[str, ...], ...]:
        self._count("range read")
        data = self.sheet.data
        return tuple(tuple(data.formulas.get(rc, "" if data.values.get(rc) is None
                                             else str(data.values[rc])) for rc in line)
                     for line in self._cells())

    @formula.setter
    def formula(self, block: list[list[str]]) -> None:
        """Formulas kept; no engine, so the cell keeps showing its previous value."""
        self._count("range write")
        for line, cells in zip(block, self._cells(), strict=True):
            for text, rc in zip(line, cells, strict=True):
                self.sheet.data.formulas[rc] = text

    @property
    def color(self) -> Any:
        self._count("range read")
        return None

    @color.setter
    def color(self, value: Any) -> None:
        self._count("range write")


    @property
    def row_height(self) -> float | None:
        self._count("range read")
        return None

    @row_height.setter
    def row_height(self, value: float) -> None:
        """Excel's ``Range.RowHeight``: every row of the range gets the height."""
        self._count("range write")
        for r in range(self.r0, self.r1 + 1):
            self.sheet.data.row_heights[r] = value

    @property
    def column_width(self) -> float | None:
        self._count("range read")
        return None

    @column_width.setter
    def column_width(self, value: float) -> None:
        self._count("range write")
        for c in range(self.c0, self.c1 + 1):
            self.sheet.data.column_widths[c] = value

    @property
    def wrap_text(self) -> bool | None:
        self._count("range read")
        return None

    @wrap_text.setter
    def wrap_text(self, value: bool) -> None:
        self._count("range write")
        for line in self._cells():
            for rc in line:
                (self.sheet.data.wrapped.add if value else self.sheet.data.wrapped.discard)(rc)


class FakeTable:
    def __init__(self, sheet: FakeSheet, name: str, ref: str) -> None:
        self.name = name
        c0, r0, c1, r1 = range_boundaries(ref)
        self.range = FakeRange(sheet, r0, c0, r1, c1)


class FakeApi:
    def __init__(self, book: FakeBook) -> None:
        self._book = book

    def Protect(self, **_: Any) -> None:   # the COM name
        self._book.calls["protect"] += 1


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, data: FakeData,
                 tables: dict[str, str]) -> None:
        self.book, self.name, self.data = book, name, data
        self._tables = tables
        self.api = FakeApi(book)

    @property
    def used_range(self) -> FakeRange:
        self.book.calls["used range"] += 1
        cells = list(self.data.values) + list(self.data.formulas)
        last_r = max((r for r, _ in cells), default=1)
        last_c = max((c for _, c in cells), default=1)
        return FakeRange(self, 1, 1, last_r, last_c)

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if isinstance(first, str):
            self.book.calls["range address"] += 1
            c0, r0, c1, r1 = range_boundaries(first.split(",")[0])
            return FakeRange(self, r0, c0, r1, c1)
        r1, c1 = last if last is not None else first
        return FakeRange(self, first[0], first[1], r1, c1)

    @property
    def tables(self) -> list[FakeTable]:
        self.book.calls["tables"] += 1
        return [FakeTable(self, n, ref) for n, ref in self._tables.items()]


@dataclass
class FakeName:
    name: str
    refers_to: str


class FakeApp:
    def __init__(self, book: FakeBook) -> None:
        self._book = book
        self.alerts: list[str] = []

    def calculate(self) -> None:
        self._book.calls["calculate"] += 1

    def alert(self, message: str, title: str = "") -> None:
        self.alerts.append(message)


class FakeSheets(list):
    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            for s in self:
                if s.name == key:
                    return s
            raise KeyError(key)
        return super().__getitem__(key)

    def add(self, name: str, after: Any = None) -> FakeSheet:
        sheet = FakeSheet(self[0].book, name, FakeData(), {})
        self.append(sheet)
        return sheet


class FakeBook:
    def __init__(self, fullname: str) -> None:
        self.fullname = fullname
        self.name = fullname.rsplit("/", 1)[-1]
        self.calls: Counter[str] = Counter()
        self.sheets = FakeSheets()
        self._names: list[FakeName] = []
        self.app = FakeApp(self)

    @property
    def names(self) -> list[FakeName]:
        self.calls["names"] += 1
        return self._names

    def add_sheet(self, name: str, data: FakeData, tables: dict[str, str]) -> None:
        self.sheets.append(FakeSheet(self, name, data, tables))

    def add_name(self, name: str, refers_to: str) -> None:
        self._names.append(FakeName(name, refers_to))


def fake_from_file(path: Path) -> FakeBook:
    """A FakeBook holding a generated workbook's values, formulas, names and tables."""
    book = FakeBook(str(path))
    cal = CalamineWorkbook.from_path(str(path), load_tables=True)
    tables: dict[str, dict[str, str]] = {}
    for name in cal.table_names:
        t = cal.get_table_by_name(name)
        (r0, c0), (r1, c1) = t.start, t.end
        tables.setdefault(t.sheet, {})[name] = f"{col_letter(c0)}{r0}:{col_letter(c1)}{r1 + 1}"
    with zipfile.ZipFile(path) as zf:
        index = read_index(zf)
        for sheet in cal.sheet_names:
            data = FakeData()
            for r, row in enumerate(cal.get_sheet_by_name(sheet).to_python(), 1):
                for c, v in enumerate(row, 1):
                    if v != "":
                        data.values[(r, c)] = v
            for coord, text in sheet_formulas(zf, index.sheets[sheet]).items():
                rr, cc = cell_position(coord)
                data.formulas[(rr + 1, cc + 1)] = text
            book.add_sheet(sheet, data, tables.get(sheet, {}))
        for name, (sheet, ref) in index.names.items():
            book.add_name(name, f"='{sheet}'!{ref}")
    return book
