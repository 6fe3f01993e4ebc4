"""The book port: the few bulk operations the ribbon macros need from an open workbook.

Macros never touch cells one by one: a sheet is read in one call (values and formulas of
the block from A1 to its last used cell) and written back as rectangles. Two ports:

- :class:`XlwingsPort` talks to the workbook open in Excel (through xlwings' BSD API);
- :class:`OpenpyxlPort` holds a workbook file in memory, so the same macro code runs on
  Linux in tests and batch jobs. openpyxl has no calculation engine: the port keeps the
  value each formula must show (the grading engine's, passed with the formula) and shows it.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from openpyxl.styles import Alignment, PatternFill
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils.cell import coordinate_to_tuple

from ..core.vocabulary import from_excel_serial
from ..errors import UserError
from ..returns.package import split_reference
from ..workbook.cells import DEFAULT_ROW_HEIGHT
from ..workbook.layout import col_letter

Block = list[list[Any]]


@dataclass
class SheetData:
    """A sheet as one block from A1: values as shown ("" when empty) and formula texts."""

    values: Block
    formulas: dict[str, str] = field(default_factory=dict)


class BookPort(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path | None: ...

    def sheet_names(self) -> list[str]: ...

    def defined_names(self) -> dict[str, tuple[str, str]]:
        """Workbook-level defined names → (sheet, range without ``$``)."""
        ...

    def tables(self) -> dict[str, tuple[str, str]]:
        """Table name → (sheet, range such as ``A6:AA20``)."""
        ...

    def read(self, sheet: str) -> SheetData: ...

    def write_values(self, sheet: str, row: int, col: int, block: Block) -> None:
        """Constants into the rectangle whose top-left cell is (row, col), 0-based."""
        ...

    def write_formulas(self, sheet: str, row: int, col: int, formulas: Block,
                       results: Block) -> None:
        """Formulas into a rectangle; ``results`` are the values they must show."""
        ...

    def add_sheet(self, sheet: str) -> None: ...

    def calculate(self) -> None: ...

    def fill(self, sheet: str, coords: Sequence[str], color: str | None) -> None:
        """Background colour of some cells (``None`` = no fill)."""
        ...

    def wrap_text(self, sheet: str, row: int, col: int, rows: int, cols: int) -> None:
        """Wrap the texts of a rectangle (top-left cell (row, col), 0-based) on several
        lines within their column."""
        ...

    def column_widths(self, sheet: str, col: int, widths: Sequence[float]) -> None:
        """Widths (Excel's units, as the generator sets them) of the columns from ``col``
        (0-based) on."""
        ...

    def row_heights(self, sheet: str, row: int, heights: Sequence[float | None]) -> None:
        """Heights (points) of the rows from ``row`` (0-based) down; ``None`` is the default
        height of a row nobody sized (its text fits on one line)."""
        ...

    def alert(self, message: str, title: str) -> None: ...

    def ask_folder(self, prompt: str) -> Path | None: ...


def excel_value(value: Any) -> Any:
    """A value as a spreadsheet cell takes it (a date becomes a datetime, None empty)."""
    if value is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


# --------------------------------------------------------------------------- openpyxl


def _as_shown(value: Any, is_date: bool) -> Any:
    """A number in a date-formatted cell is shown (and read by xlwings) as a date."""
    if is_date and isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.combine(from_excel_serial(value), datetime.min.time())
        except (OverflowError, ValueError):
            return value
    return value


class OpenpyxlPort:
    """A workbook file loaded with openpyxl (formulas) plus its cached values.

    What Excel shows is the formula's cached value: the file's, then the ``results`` a
    macro writes with a formula. ``alerts`` keeps the messages a user would see.
    """

    def __init__(self, path: Path | str) -> None:
        import openpyxl

        self._path = Path(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._wb = openpyxl.load_workbook(self._path)
            shown = openpyxl.load_workbook(self._path, data_only=True)
        self._shown: dict[str, dict[tuple[int, int], Any]] = {}
        for ws in shown.worksheets:
            self._shown[ws.title] = {(c.row, c.column): c.value for row in ws.iter_rows()
                                     for c in row if c.value is not None}
        shown.close()
        self.alerts: list[tuple[str, str]] = []
        self.folder: Path | None = None

    @property
    def name(self) -> str:
        return self._path.name

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def workbook(self) -> Any:
        return self._wb

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def defined_names(self) -> dict[str, tuple[str, str]]:
        out = {}
        for name, defined in self._wb.defined_names.items():
            split = split_reference(defined.attr_text or "")
            if split:
                out[name] = split
        return out

    def tables(self) -> dict[str, tuple[str, str]]:
        return {name: (ws.title, ref) for ws in self._wb.worksheets
                for name, ref in ws.tables.items()}

    def read(self, sheet: str) -> SheetData:
        ws = self._wb[sheet]
        shown = self._shown.get(sheet, {})
        values: Block = []
        formulas: dict[str, str] = {}
        for row in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row,
                                max_col=ws.max_column):
            line = []
            for c in row:
                v = c.value
                if isinstance(v, str) and c.data_type == "f":
                    formulas[c.coordinate] = v
                    v = shown.get((c.row, c.column))
                line.append("" if v is None else v)
            values.append(line)
        return SheetData(values, formulas)

    def write_values(self, sheet: str, row: int, col: int, block: Block) -> None:
        ws = self._wb[sheet]
        shown = self._shown.setdefault(sheet, {})
        for i, line in enumerate(block):
            for j, value in enumerate(line):
                v = None if value == "" else value
                ws.cell(row + i + 1, col + j + 1).value = v
                shown.pop((row + i + 1, col + j + 1), None)

    def write_formulas(self, sheet: str, row: int, col: int, formulas: Block,
                       results: Block) -> None:
        ws = self._wb[sheet]
        shown = self._shown.setdefault(sheet, {})
        for i, line in enumerate(formulas):
            for j, text in enumerate(line):
                cell = ws.cell(row + i + 1, col + j + 1)
                cell.value = text or None
                shown[(row + i + 1, col + j + 1)] = _as_shown(
                    results[i][j], is_date_format(cell.number_format))

    def add_sheet(self, sheet: str) -> None:
        if sheet not in self._wb.sheetnames:
            self._wb.create_sheet(sheet)

    def calculate(self) -> None:
        """No engine: formulas show the results written with them."""

    def fill(self, sheet: str, coords: Sequence[str], color: str | None) -> None:
        ws = self._wb[sheet]
        pattern = PatternFill() if color is None else PatternFill(
            "solid", start_color=color.lstrip("#").upper(), end_color=color.lstrip("#").upper())
        for coord in coords:
            ws[coord].fill = pattern

    def wrap_text(self, sheet: str, row: int, col: int, rows: int, cols: int) -> None:
        ws = self._wb[sheet]
        for r in range(row + 1, row + rows + 1):
            for c in range(col + 1, col + cols + 1):
                cell = ws.cell(r, c)
                a = cell.alignment
                if not a.wrap_text:              # the cell's other alignment is kept
                    cell.alignment = Alignment(
                        horizontal=a.horizontal, vertical=a.vertical, indent=a.indent,
                        text_rotation=a.text_rotation, shrink_to_fit=a.shrink_to_fit,
                        wrap_text=True)

    def column_widths(self, sheet: str, col: int, widths: Sequence[float]) -> None:
        ws = self._wb[sheet]
        for j, width in enumerate(widths):
            ws.column_dimensions[col_letter(col + j)].width = width

    def row_heights(self, sheet: str, row: int, heights: Sequence[float | None]) -> None:
        ws = self._wb[sheet]
        for i, height in enumerate(heights):
            ws.row_dimensions[row + i + 1].height = height

    def alert(self, message: str, title: str) -> None:
        self.alerts.append((title, message))

    def ask_folder(self, prompt: str) -> Path | None:
        return self.folder

    def save(self, path: Path | str) -> None:
        """Save with openpyxl (formulas kept; Excel recomputes them on open)."""
        self._wb.save(path)


# --------------------------------------------------------------------------- xlwings


def as_block(value: Any) -> Block:
    """A scalar, a row or a block, as Excel and xlwings give a range, as a block."""
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], list | tuple):
            return [list(r) for r in value]
        return [list(value)]
    return [[value]]


def _chunks(coords: Sequence[str], limit: int = 250) -> list[str]:
    """Cell lists as union addresses (``A1,B7``) no longer than Excel accepts (255)."""
    out, current = [], ""
    for coord in coords:
        if current and len(current) + len(coord) + 1 > limit:
            out.append(current)
            current = ""
        current = f"{current},{coord}" if current else coord
    if current:
        out.append(current)
    return out


def _runs(sizes: Sequence[float | None]) -> list[tuple[int, int, float | None]]:
    """Consecutive equal sizes as (first index, last index, size): one call to Excel each."""
    runs: list[tuple[int, int, float | None]] = []
    for i, size in enumerate(sizes):
        if runs and runs[-1][2] == size and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i, size)
        else:
            runs.append((i, i, size))
    return runs


class CloudPathError(UserError):
    """The open workbook's folder cannot be found on this computer (unsynced cloud file)."""


class XlwingsPort:
    """The workbook open in Excel, through xlwings (``xw.Book``).

    Protected sheets (all of ours) are re-protected with ``UserInterfaceOnly`` before the
    first write, so macros may write while the user still may not (Windows; not verified
    in a real Excel here: no Excel runs on the build machines).
    """

    def __init__(self, book: Any, password: str | None = None) -> None:
        self._book = book
        self._password = password or ""
        self._unlocked: set[str] = set()

    @classmethod
    def caller(cls) -> XlwingsPort:
        """The workbook that was active when the ribbon button was clicked."""
        import xlwings as xw

        return cls(xw.Book.caller())

    @property
    def name(self) -> str:
        return str(self._book.name)

    @property
    def path(self) -> Path | None:
        from xlwings import XlwingsError

        try:
            full = str(self._book.fullname)
        except XlwingsError as exc:
            # A OneDrive/SharePoint workbook with AutoSave has a URL as FullName; xlwings
            # maps it to the synced local folder and raises when it finds none.
            raise CloudPathError(
                f"{self.name}: impossibile trovare sul computer la cartella del file, che è "
                "su OneDrive o SharePoint e non risulta sincronizzato "
                f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}). "
                "Sincronizzare la libreria (OneDrive, «Sincronizza») oppure salvare una copia "
                "in una cartella locale, aprirla da Esplora file e riprovare.") from None
        return Path(full) if any(sep in full for sep in "/\\") else None

    def sheet_names(self) -> list[str]:
        return [s.name for s in self._book.sheets]

    def defined_names(self) -> dict[str, tuple[str, str]]:
        out = {}
        for defined in self._book.names:
            split = split_reference(str(defined.refers_to))
            if split:
                out[str(defined.name)] = split
        return out

    def tables(self) -> dict[str, tuple[str, str]]:
        out = {}
        for sheet in self._book.sheets:
            for table in sheet.tables:
                out[str(table.name)] = (sheet.name, str(table.range.address).replace("$", ""))
        return out

    def read(self, sheet: str) -> SheetData:
        ws = self._book.sheets[sheet]
        last = ws.used_range.last_cell
        rng = ws.range((1, 1), (last.row, last.column))
        values = [["" if v is None else v for v in row]
                  for row in as_block(rng.options(ndim=2).value)]
        formulas = {}
        for i, row in enumerate(as_block(rng.formula)):
            for j, text in enumerate(row):
                if isinstance(text, str) and text.startswith("="):
                    formulas[f"{col_letter(j)}{i + 1}"] = text
        return SheetData(values, formulas)

    def _sheet_for_writing(self, sheet: str) -> Any:
        ws = self._book.sheets[sheet]
        if sheet not in self._unlocked:
            self._unlocked.add(sheet)
            # Mac and other hosts have no such call: the write itself will tell.
            with contextlib.suppress(Exception):
                ws.api.Protect(Password=self._password, UserInterfaceOnly=True,
                               AllowFiltering=True)
        return ws

    def write_values(self, sheet: str, row: int, col: int, block: Block) -> None:
        ws = self._sheet_for_writing(sheet)
        ws.range((row + 1, col + 1)).resize(len(block), len(block[0])).value = block

    def write_formulas(self, sheet: str, row: int, col: int, formulas: Block,
                       results: Block) -> None:
        ws = self._sheet_for_writing(sheet)
        ws.range((row + 1, col + 1)).resize(len(formulas), len(formulas[0])).formula = formulas

    def add_sheet(self, sheet: str) -> None:
        if sheet not in self.sheet_names():
            self._book.sheets.add(sheet, after=self._book.sheets[-1])

    def calculate(self) -> None:
        self._book.app.calculate()

    def fill(self, sheet: str, coords: Sequence[str], color: str | None) -> None:
        ws = self._sheet_for_writing(sheet)
        for address in _chunks(coords):
            ws.range(address).color = color

    def wrap_text(self, sheet: str, row: int, col: int, rows: int, cols: int) -> None:
        ws = self._sheet_for_writing(sheet)
        ws.range((row + 1, col + 1)).resize(rows, cols).wrap_text = True

    def column_widths(self, sheet: str, col: int, widths: Sequence[float]) -> None:
        ws = self._sheet_for_writing(sheet)
        for c0, c1, width in _runs(widths):
            ws.range((1, col + c0 + 1), (1, col + c1 + 1)).column_width = width

    def row_heights(self, sheet: str, row: int, heights: Sequence[float | None]) -> None:
        """One call per run of rows of the same height, not one per row."""
        ws = self._sheet_for_writing(sheet)
        for r0, r1, height in _runs(heights):
            ws.range((row + r0 + 1, 1), (row + r1 + 1, 1)).row_height = (
                DEFAULT_ROW_HEIGHT if height is None else height)

    def alert(self, message: str, title: str) -> None:
        self._book.app.alert(message, title=title)

    def ask_folder(self, prompt: str) -> Path | None:
        """Excel's folder picker (Windows); elsewhere, or when Excel refuses the dialog,
        the folder of the workbook."""
        fallback = self.path.parent if self.path else None
        if sys.platform != "win32":        # Excel for Mac has no FileDialog object
            return fallback
        try:
            dialog = self._book.app.api.FileDialog(4)   # msoFileDialogFolderPicker
            dialog.Title = prompt
            if dialog.Show() != -1:
                return None
            return Path(str(dialog.SelectedItems(1)))
        except com_errors():
            return fallback


def com_errors() -> tuple[type[BaseException], ...]:
    """What a call into Excel raises when Excel refuses it (Windows: pywin32's
    ``com_error``, installed with xlwings there)."""
    from pywintypes import com_error  # type: ignore[import-not-found]

    return (com_error,)


def cell_position(coord: str) -> tuple[int, int]:
    """``"C7"`` → (6, 2), 0-based row and column."""
    row, col = coordinate_to_tuple(coord)
    return row - 1, col - 1
