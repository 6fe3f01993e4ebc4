"""The guard reads each ``<row>``/``<c>`` reference once, letters and digits together
(returns/guard.py): a reference naming a row or column past the limits is refused however
it is written — many digits, many letters, a namespace prefix, a row number with letters —
with the file's message, never a Python error (a 5,000-digit number is beyond ``int``'s
default limit for text).
The archive's own bytes are inflated by the guard (returns/guard.py ``inflated``): a part
that inflates past the size its directory declares, or whose CRC differs, is refused.
Row and cell tags without a reference are placed by the parsers one after another: the
grid they could make is bounded too (calamine really places them, checked below).
"""

from __future__ import annotations

import struct
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
    b"<row r='2'><c r='XFD2'><v>1</v></c></row>",                   # single quotes
    b'<row r = "2"><c r = "A1048576"><v>1</v></c></row>',           # spaces around =
    b'<row r="2"><c t=">" r="XFD2"><v>1</v></c></row>',             # ">" in an earlier value
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


def test_calamine_places_tags_without_references_one_after_another(tmp_path):
    """Why the guard counts them: calamine gives a sheet as wide as its unplaced cells."""
    from python_calamine import CalamineWorkbook

    path = _book(tmp_path, b'<row r="2">' + b"<c><v>1</v></c>" * 300 + b"</row>")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet").to_python()
    assert max(len(r) for r in rows) == 300


@pytest.mark.parametrize("cells", [
    b'<row r="2">' + b"<c><v>1</v></c>" * 80 + b"</row>",          # one wide row
    b"<row><c><v>1</v></c></row>" * 80,                              # many rows
    b'<row r="2">' + b'<c t="n" s=">"><v>1</v></c>' * 80 + b"</row>",  # ">" in a value
])
def test_unplaced_tags_that_could_make_a_big_grid_are_refused(tmp_path, cells):
    path = _book(tmp_path, cells)
    with pytest.raises(UntrustedFileError, match=r"ufficio\.xlsx: .* (80|160) righe o celle senza "
                                                 r"riferimento .*rifiutato"):
        check_package(path, Limits(max_rows=100, max_cols=50))      # 5,000 cells at most
    check_package(path, Limits())                                    # far within the defaults


def test_a_few_unplaced_tags_pass(tmp_path):
    path = _book(tmp_path, b'<row r="2">' + b"<c><v>1</v></c>" * 20 + b"</row>")
    assert "xl/worksheets/sheet1.xml" in check_package(path, Limits(max_rows=100, max_cols=50))


def _patched_directory(path: Path, member: str, field_offset: int, value: int) -> None:
    """Rewrite one 4-byte field of ``member``'s central directory entry (not its local
    header): what a lying archive looks like to a reader of the directory."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    name = member.encode()
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + field_offset, value)
            path.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def test_a_part_inflating_past_its_declared_size_is_refused(tmp_path):
    path = _book(tmp_path, b'<row r="2"><c r="B2"><v>1</v></c></row>')
    _patched_directory(path, "xl/worksheets/sheet1.xml", 24, 10)   # uncompressed size
    with pytest.raises(UntrustedFileError, match="oltre la dimensione dichiarata"):
        check_package(path, Limits())


def test_a_part_whose_crc_differs_is_refused(tmp_path):
    path = _book(tmp_path, b'<row r="2"><c r="B2"><v>1</v></c></row>')
    _patched_directory(path, "xl/worksheets/sheet1.xml", 16, 12345)  # CRC-32
    with pytest.raises(UntrustedFileError, match=r"ufficio\.xlsx: .*\(CRC\)"):
        check_package(path, Limits())


@pytest.mark.parametrize("library", ["isal", "zlib"])
def test_either_inflater_passes_a_sound_part_and_refuses_a_broken_stream(tmp_path, monkeypatch,
                                                                          library):
    """ISA-L inflates when installed, the standard zlib otherwise: the same API, and a
    damaged deflate stream is the file's fault with either (each raises its own error)."""
    import zlib

    from cruscotto_xl.returns import guard

    if library == "zlib":
        monkeypatch.setattr(guard, "inflate_library", zlib)
    path = _book(tmp_path, b'<row r="2"><c r="B2"><v>1</v></c></row>')
    assert "xl/worksheets/sheet1.xml" in check_package(path, Limits())
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + info.compress_size] = b"\xff" * info.compress_size   # not deflate
    path.write_bytes(bytes(data))
    with pytest.raises(UntrustedFileError, match=r"ufficio\.xlsx: archivio \.xlsx danneggiato"):
        check_package(path, Limits())
