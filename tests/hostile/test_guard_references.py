"""The guard reads each ``<row>``/``<c>`` reference once, letters and digits together
(returns/guard.py): a reference naming a row or column past the limits is refused however
it is written — many digits, many letters, a namespace prefix, a row number with letters —
with the file's message, never a Python error (a 5,000-digit number is beyond ``int``'s
default limit for text)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from cruscotto_xl.returns.guard import Limits, UntrustedFileError, check_package


def _book(tmp_path: Path, cells: bytes) -> Path:
    plain = tmp_path / "base.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(plain)
    out = tmp_path / "ufficio.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", cells + b"</sheetData>")
            dst.writestr(info.filename, data)
    return out


@pytest.mark.parametrize("cells", [
    b'<row r="2"><c r="A12345678901"><v>1</v></c></row>',          # 11-digit row
    b'<row r="2"><c r="A' + b"9" * 5000 + b'"><v>1</v></c></row>',  # beyond int's text limit
    b'<row r="2"><c r="ABCDE2"><v>1</v></c></row>',                 # 5 letters
    b'<row r="2"><c r="XFD2"><v>1</v></c></row>',                   # the last column
    b'<row r="2"><c r="A1048576"><v>1</v></c></row>',               # the last row
    b'<row r="1048576"><c><v>1</v></c></row>',                      # a row without cells' refs
    b'<x:row r="2"><x:c r="A99999"><x:v>1</x:v></x:c></x:row>',      # a namespace prefix
    b'<row r="2"><c s="0" t="n" r="IV2"><v>1</v></c></row>',        # r after other attributes
])
def test_a_reference_past_the_limits_is_refused_with_the_files_message(tmp_path, cells):
    path = _book(tmp_path, cells)
    with pytest.raises(UntrustedFileError) as refused:
        check_package(path, Limits())
    assert "ufficio.xlsx" in str(refused.value) and "rifiutato" in str(refused.value)


def test_references_within_the_limits_pass_and_the_reader_gets_the_parts(tmp_path):
    path = _book(tmp_path, b'<row r="20000"><c r="GR20000"><v>1</v></c></row>')  # col 200
    parts = check_package(path, Limits())
    assert {"xl/worksheets/sheet1.xml", "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels"} <= set(parts)
    with zipfile.ZipFile(path) as zf:
        assert all(parts[name] == zf.read(name) for name in parts)
