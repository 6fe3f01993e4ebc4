"""``cruscotto esporta``: the tidy table of :mod:`cruscotto_xl.returns.table` written as
CSV for Italian Excel, as .xlsx, or as Parquet (docs/export.md).

- CSV: ``;`` separator, UTF-8 with BOM, decimal comma without thousands separators (every
  digit kept), dates ``gg/mm/aaaa``, percentages and grades as fractions (0,9787), every
  text cell through :func:`~cruscotto_xl.core.vocabulary.csv_safe_text`;
- .xlsx: one sheet, one table, written through :mod:`cruscotto_xl.workbook.cells` (texts
  quote-prefixed when they could start a formula, numbers as numbers with their format);
- .parquet: the DataFrame of :func:`~cruscotto_xl.returns.table.to_frame` through pyarrow,
  when it is installed (an optional extra: ``pip install "cruscotto-xl[parquet]"``).

Every file is written next to its destination and moved into place only when complete.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import xlsxwriter

from ..core.vocabulary import csv_safe_text, format_date
from ..errors import UserError
from ..importers.tabella.cells import number_text
from ..io.atomic import write_atomically
from ..returns.table import Column, Table, to_frame
from ..workbook.cells import write_value
from ..workbook.styles import Styles

FORMATS = (".csv", ".xlsx", ".parquet")
SHEET_NAME = "Dati"
TABLE_NAME = "crx_dati"
#: Number format (style file name) of each number column in the .xlsx.
_XLSX_NUMBERS = {"peso": "peso", "grado": "percentuale"}
PARQUET_HINT = ("per scrivere .parquet serve pyarrow: installarlo con "
                "«pip install pyarrow» (oppure «pip install \"cruscotto-xl[parquet]\"»), "
                "o esportare in .csv o .xlsx")


class ExportError(UserError):
    """The destination cannot be written as asked (format, missing library)."""


def check_destination(out: Path) -> str:
    """The format of ``out`` by its suffix (an unknown one is an Italian error)."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{out.name}: formato non previsto; usare un nome che finisce in "
                          + ", ".join(FORMATS))
    if suffix == ".parquet":
        _require_pyarrow()
    return suffix


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ExportError(PARQUET_HINT) from None


def write_table(table: Table, out: Path | str) -> Path:
    """Write ``table`` to ``out`` in the format its suffix names; returns ``out``."""
    out = Path(out)
    suffix = check_destination(out)
    writer = {".csv": write_csv, ".xlsx": write_xlsx, ".parquet": write_parquet}[suffix]
    write_atomically(out, lambda tmp: writer(table, tmp), 0)
    return out


def csv_cell(value: object, column: Column) -> str:
    """A value as the CSV writes it (the reading of docs/export.md)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):          # never in a row; a guard for the Sì/No of Excel
        raise TypeError(f"valore logico nella colonna {column.header}")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int) and column.kind == "int":
        return str(value)
    if isinstance(value, int | float):
        return number_text(float(value))
    return csv_safe_text(str(value))


def write_csv(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.header for c in table.columns])
        for row in table.rows:
            writer.writerow([csv_cell(v, c) for v, c in zip(row.values(), table.columns,
                                                            strict=True)])


def write_xlsx(table: Table, path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    try:
        st = Styles(wb)
        ws = wb.add_worksheet(SHEET_NAME)
        for r, row in enumerate(table.rows, 1):
            for c, (value, col) in enumerate(zip(row.values(), table.columns, strict=True)):
                number = _XLSX_NUMBERS.get(col.key, "generale")
                write_value(ws, st, r, c, value, st.get("cell", number))
        ws.add_table(0, 0, max(len(table.rows), 1), len(table.columns) - 1, {
            "name": TABLE_NAME, "style": st.table_style, "autofilter": True,
            "columns": [{"header": c.header, "header_format": st.get("header")}
                        for c in table.columns]})
        for c, col in enumerate(table.columns):
            wide = col.key in ("ambito", "obiettivo_strategico", "obiettivo_operativo",
                               "indicatore", "nota", "nome", "uffici")
            ws.set_column(c, c, 40 if wide else 14)
        ws.freeze_panes(1, 0)
    finally:
        wb.close()


def write_parquet(table: Table, path: Path) -> None:
    _require_pyarrow()
    to_frame(table).to_parquet(path, index=False)


__all__ = ["FORMATS", "PARQUET_HINT", "ExportError", "check_destination", "csv_cell",
           "write_csv", "write_parquet", "write_table", "write_xlsx"]
