"""The VBA project writer, read back with an independent record walk, olefile and oletools."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from cruscotto_xl.addin.ovba import decompress
from cruscotto_xl.addin.vbaproject import (
    CLASS_BASE,
    WORKBOOK_BASE,
    Module,
    VBASourceError,
    build_vba_project,
    decrypt,
    document_module,
    encrypt,
    normalise_source,
)

PROJECT_ID = "{11111111-2222-3333-4444-555555555555}"
CLS_EXPORT = (
    "VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  'True\nEND\n"
    'Attribute VB_Name = "Contatore"\nAttribute VB_Exposed = True\n'
    'Attribute VB_Description = "Conta"\n'
    "Private n As Long\nPublic Sub Aumenta()\n    n = n + 1\nEnd Sub\n")
MODULES = [
    document_module("ThisWorkbook", workbook=True),
    document_module("Foglio1", workbook=False),
    Module("Modulo1", "std", 'Attribute VB_Name = "Modulo1"\nSub Ciao()\n    MsgBox "ciao"\n'
                             "End Sub\n"),
    Module("Contatore", "class", CLS_EXPORT),
]


def project(modules: list[Module] = MODULES) -> olefile.OleFileIO:
    data = build_vba_project("ProgettoProva", modules, PROJECT_ID)
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_UNSURE)
    assert ole.parsing_issues == []
    return ole


def stream(ole: olefile.OleFileIO, name: str) -> bytes:
    return ole.openstream(name).read()


def walk_dir(data: bytes) -> list[tuple[int, bytes]]:
    """(Id, payload) of every record ([MS-OVBA] §2.3.4.2: Id u16, Size u32, payload).

    PROJECTVERSION is the one exception: its u32 is a reserved 4 followed by 6 bytes.
    """
    records, pos = [], 0
    while pos < len(data):
        record_id, size = struct.unpack_from("<HI", data, pos)
        if record_id == 0x0009:
            assert size == 4
            size = 6
        records.append((record_id, data[pos + 6:pos + 6 + size]))
        pos += 6 + size
    assert pos == len(data)
    return records


def dir_records() -> list[tuple[int, bytes]]:
    return walk_dir(decompress(stream(project(), "VBA/dir")))


def test_dir_project_information():
    records = dir_records()
    ids = [i for i, _ in records]
    assert ids[:16] == [0x01, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08, 0x09,
                        0x0C, 0x3C, 0x16, 0x3E]
    info = dict(records[:14])
    assert info[0x0001] == struct.pack("<I", 1)
    assert info[0x0002] == info[0x0014] == struct.pack("<I", 0x409)
    assert info[0x0003] == struct.pack("<H", 1252)
    assert info[0x0004] == b"ProgettoProva"
    assert ids[-1] == 0x0010 and records[-1][1] == b""


def test_dir_references_stdole_and_office():
    records = dir_records()
    names = [p.decode("cp1252") for i, p in records if i == 0x0016]
    unicode_names = [p.decode("utf-16-le") for i, p in records if i == 0x003E]
    assert names == unicode_names == ["stdole", "Office"]
    libids = []
    for record_id, payload in records:
        if record_id == 0x000D:
            size = struct.unpack_from("<I", payload)[0]
            assert len(payload) == 4 + size + 6 and payload[4 + size:] == bytes(6)
            libids.append(payload[4:4 + size].decode("cp1252"))
    assert libids[0].startswith(r"*\G{00020430-0000-0000-C000-000000000046}#2.0#")
    assert libids[1].startswith(r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#")


def module_groups(records: list[tuple[int, bytes]]) -> list[dict[int, bytes]]:
    start = next(k for k, (i, _) in enumerate(records) if i == 0x000F)
    count = struct.unpack("<H", records[start][1])[0]
    assert records[start + 1] == (0x0013, struct.pack("<H", 0xFFFF))
    groups, current = [], {}
    for record_id, payload in records[start + 2:-1]:
        assert record_id not in current, "one record of each kind per module"
        current[record_id] = payload
        if record_id == 0x002B:
            groups.append(current)
            current = {}
    assert current == {}
    assert len(groups) == count
    return groups


def test_dir_modules_source_only():
    groups = module_groups(dir_records())
    assert [g[0x0019].decode() for g in groups] == [m.name for m in MODULES]
    for group, module in zip(groups, MODULES, strict=True):
        assert group[0x0047].decode("utf-16-le") == module.name
        assert group[0x001A].decode() == group[0x0032].decode("utf-16-le") == module.name
        assert group[0x0031] == struct.pack("<I", 0)          # MODULEOFFSET: no p-code
        assert group[0x002C] == struct.pack("<H", 0xFFFF)
        expected_type = 0x0021 if module.kind == "std" else 0x0022
        assert expected_type in group and ({0x0021, 0x0022} - {expected_type}).isdisjoint(group)


def test_vba_project_stream_is_the_source_only_header():
    assert stream(project(), "VBA/_VBA_PROJECT") == bytes.fromhex("CC61FFFF000100")


def test_module_streams_are_the_compressed_source_from_offset_zero():
    ole = project()
    for module in MODULES:
        raw = stream(ole, f"VBA/{module.name}")
        expected = normalise_source(module.name, module.kind, module.code).encode("cp1252")
        assert raw[0] == 1
        assert decompress(raw) == expected
        assert decompress_stream(bytearray(raw)) == expected
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir",
         *(f"VBA/{m.name}" for m in MODULES)])


def project_lines() -> list[str]:
    text = stream(project(), "PROJECT").decode("cp1252")
    assert "\n" not in text.replace("\r\n", "")
    return text.split("\r\n")


def test_project_stream_lists_the_modules_in_order():
    lines = project_lines()
    assert lines[0] == f'ID="{PROJECT_ID}"'
    kinds = [line for line in lines if re.match(r"(Module|Class|Document)=", line)]
    assert kinds == ["Document=ThisWorkbook/&H00000000", "Document=Foglio1/&H00000000",
                     "Module=Modulo1", "Class=Contatore"]
    assert lines[1:5] == kinds
    assert 'Name="ProgettoProva"' in lines
    assert lines[lines.index("[Host Extender Info]") + 1] == (
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000")


def test_project_protection_values_decrypt_to_unlocked_and_visible():
    values = dict(line.split("=", 1) for line in project_lines() if "=" in line)
    assert decrypt(values["CMG"].strip('"'), PROJECT_ID) == bytes(4)     # not protected
    assert decrypt(values["DPB"].strip('"'), PROJECT_ID) == b"\x00"      # no password
    assert decrypt(values["GC"].strip('"'), PROJECT_ID) == b"\xff"       # visible


def test_projectwm_names_in_both_encodings():
    data = stream(project(), "PROJECTwm")
    names, pos = [], 0
    while data[pos:pos + 2] != b"\0\0":
        end = data.index(b"\0", pos)
        name = data[pos:end].decode("cp1252")
        pos = end + 1
        wide = name.encode("utf-16-le") + b"\0\0"
        assert data[pos:pos + len(wide)] == wide
        pos += len(wide)
        names.append(name)
    assert pos + 2 == len(data)
    assert names == [m.name for m in MODULES]


def test_decrypt_matches_excel_written_values():
    # CMG/DPB/GC and ID of the PROJECT stream of xlwings' quickstart_addin_ribbon.xlam
    # (saved by Excel, random seed 0x5D): decrypting them validates the algorithm.
    project_id = "{318BEE36-5BE1-492A-826D-473DB19B0F30}"
    assert decrypt("5D5F8AADDAA8DEA8DEA8DEA8DE", project_id) == bytes(4)
    assert decrypt("5D5F8AADDAADDBADDBAD", project_id) == b"\x00"
    assert decrypt("5D5F8AADDAADDBADDB52", project_id) == b"\xff"
    with pytest.raises(ValueError):
        decrypt("5D5F8AADDAADDBADDB52", PROJECT_ID)          # another project's key


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=40), st.integers(0, 255))
def test_encrypt_round_trip(data, seed):
    text = encrypt(data, PROJECT_ID, seed)
    assert re.fullmatch(r"[0-9A-F]+", text)
    assert len(text) == 2 * (3 + (seed & 6) // 2 + 4 + len(data))
    assert decrypt(text, PROJECT_ID) == data


def test_build_is_reproducible():
    assert (build_vba_project("ProgettoProva", MODULES, PROJECT_ID)
            == build_vba_project("ProgettoProva", MODULES, PROJECT_ID))


def test_normalise_class_export():
    text = normalise_source("Contatore", "class", CLS_EXPORT)
    assert text == (
        'Attribute VB_Name = "Contatore"\r\n'
        f'Attribute VB_Base = "{CLASS_BASE}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\n"
        "Attribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = False\r\n"
        "Attribute VB_Exposed = True\r\n"                    # the source's value is kept
        "Attribute VB_TemplateDerived = False\r\n"
        "Attribute VB_Customizable = False\r\n"
        'Attribute VB_Description = "Conta"\r\n'
        "Private n As Long\r\nPublic Sub Aumenta()\r\n    n = n + 1\r\nEnd Sub\r\n")


def test_normalise_document_and_standard_modules():
    workbook = document_module("ThisWorkbook", workbook=True)
    text = normalise_source(workbook.name, workbook.kind, workbook.code)
    assert text.splitlines()[:3] == ['Attribute VB_Name = "ThisWorkbook"',
                                     f'Attribute VB_Base = "{WORKBOOK_BASE}"',
                                     "Attribute VB_GlobalNameSpace = False"]
    assert "Attribute VB_PredeclaredId = True" in text
    # LF and CR line ends become CRLF; a missing VB_Name is added.
    assert normalise_source("M", "std", "Sub A()\nEnd Sub\rSub B()\r\nEnd Sub") == (
        'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\nSub B()\r\nEnd Sub\r\n')


@pytest.mark.parametrize(("name", "kind", "code", "message"), [
    ("Modulo1", "std", 'Attribute VB_Name = "Altro"\n', "VB_Name"),
    ("Modulo1", "std", "' perché\n", "ChrW(233)"),
    ("Modulo1", "std", "' \u0101\n", "code page 1252"),
    ("Foglio1", "document", "", "VB_Base"),
    ("Contatore", "class", "VERSION 1.0 CLASS\nBEGIN\n", "non chiuso"),
    ("Modulo1", "form", "", "tipo"),
])
def test_normalise_refuses(name, kind, code, message):
    with pytest.raises(VBASourceError, match=re.escape(message)):
        normalise_source(name, kind, code)


@pytest.mark.parametrize(("names", "project_name", "message"), [
    (["Modulo1", "MODULO1"], "ProgettoProva", "ripetuto"),
    (["ProgettoProva"], "ProgettoProva", "ripetuto"),
    (["Modulo 1"], "ProgettoProva", "non valido"),
    (["Modulo1"], "Progetto Prova", "progetto"),
])
def test_build_refuses_bad_names(names, project_name, message):
    with pytest.raises(VBASourceError, match=message):
        build_vba_project(project_name, [Module(n, "std", "") for n in names], PROJECT_ID)


def test_project_stream_ends_with_a_closed_window_per_module():
    lines = project_lines()
    workspace = lines[lines.index("[Workspace]") + 1:]
    assert workspace == ["ThisWorkbook=0, 0, 0, 0, C", "Foglio1=0, 0, 0, 0, C",
                         "Modulo1=0, 0, 0, 0, C", "Contatore=0, 0, 0, 0, C"]
    assert lines[lines.index("[Workspace]") - 1] == ""


def test_project_version_is_excel_like_and_fixed():
    version = dict(dir_records())[0x0009]
    assert struct.unpack("<IH", version) == (1704067200, 1)  # 2024-01-01 00:00 UTC, minor 1


def _xlwings_addin_dir() -> list[tuple[int, bytes]]:
    """The dir records of xlwings.xlam, the add-in made in Excel that the xlwings wheel ships."""
    path = Path(xlwings.__file__).parent / "addin" / "xlwings.xlam"
    with zipfile.ZipFile(path) as package:
        ole = olefile.OleFileIO(io.BytesIO(package.read("xl/vbaProject.bin")))
    return walk_dir(decompress(stream(ole, "VBA/dir")))


def _shape(records: list[tuple[int, bytes]]) -> tuple[list[int], list[list[int]], list[int]]:
    """(ids before the modules, ids of each module block, ids after) — ignoring PROJECTCOMPAT
    VERSION (0x4A), which MS-OVBA makes optional."""
    ids = [i for i, _ in records if i != 0x004A]
    start = ids.index(0x000F) + 2
    head, blocks, current = ids[:start], [], []
    for record_id in ids[start:-1]:
        current.append(record_id)
        if record_id == 0x002B:
            blocks.append(current)
            current = []
    return head, blocks, ids[-1:]


def test_dir_record_sequence_is_the_one_excel_writes():
    ours_head, ours_blocks, ours_tail = _shape(dir_records())
    excel_head, excel_blocks, excel_tail = _shape(_xlwings_addin_dir())
    assert ours_head == excel_head
    assert ours_tail == excel_tail == [0x0010]
    standard = [b for b in excel_blocks if 0x0021 in b]
    other = [b for b in excel_blocks if 0x0022 in b]
    assert standard and other
    for block in ours_blocks:
        assert block in (standard[0], other[0])
    assert {tuple(b) for b in standard} == {tuple(standard[0])}
    assert {tuple(b) for b in other} == {tuple(other[0])}
