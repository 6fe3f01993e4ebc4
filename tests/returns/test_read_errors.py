"""The reader blames a file only for what its parsers say about it: a bug of ours (or an
unexpected error of a library) propagates as itself, to be reported as an internal error."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from support import EXAMPLES

from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns import read, source
from cruscotto_xl.returns.guard import UntrustedFileError
from cruscotto_xl.returns.integrity import check_workbook
from cruscotto_xl.returns.package import read_index
from cruscotto_xl.returns.read import NotOurWorkbookError, read_workbook
from cruscotto_xl.returns.source import is_rust_panic
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import NAME_PLAN_DATA, NAME_SIGN_DATE, SHEET_META

PanicException = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("letto") / "piano.xlsx"
    write_workbook(load_plan(EXAMPLES / "piano-operativo-2023.yaml"), path)
    return path


@pytest.fixture
def workbook(generated, tmp_path) -> Path:
    return Path(shutil.copy(generated, tmp_path / "piano.xlsx"))


def test_a_key_error_of_ours_is_not_a_damaged_archive(workbook, monkeypatch):
    def buggy(*args, **kwargs):
        raise KeyError("colonna")

    monkeypatch.setattr(read, "_read_objective", buggy)
    with pytest.raises(KeyError, match="colonna"):
        read_workbook(workbook)


def test_a_bug_is_not_hidden_by_the_openpyxl_fallback(workbook, monkeypatch):
    """An error of calamine that is neither its own error nor a panic is not a reason to
    read the file another way: it propagates."""
    def broken(*args, **kwargs):
        raise RuntimeError("bug di prova")

    monkeypatch.setattr(source.CalamineWorkbook, "from_path", broken)
    with pytest.raises(RuntimeError, match="bug di prova"):
        read_workbook(workbook)


def test_a_calamine_panic_falls_back_to_openpyxl(workbook, monkeypatch):
    def panics(*args, **kwargs):
        raise PanicException("TimeDelta::milliseconds out of bounds")

    monkeypatch.setattr(source.CalamineWorkbook, "from_path", panics)
    reading = read_workbook(workbook)
    assert reading.indicators and reading.hash_matches


def test_only_pyo3s_panic_is_a_panic():
    assert is_rust_panic(PanicException("x"))
    assert not is_rust_panic(KeyboardInterrupt())
    assert not is_rust_panic(type("PanicException", (BaseException,), {})("x"))


def test_an_interrupt_is_never_swallowed(workbook, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(source.CalamineWorkbook, "from_path", interrupted)
    with pytest.raises(KeyboardInterrupt):
        read_workbook(workbook)


def _rewrite(path: Path, part: str, change) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    if change is None:
        del parts[part]
    else:
        parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_a_missing_part_is_named(workbook):
    _rewrite(workbook, "xl/_rels/workbook.xml.rels", None)
    missing = re.escape("manca la parte xl/_rels/workbook.xml.rels")
    with pytest.raises(UntrustedFileError, match=missing):
        read_workbook(workbook)


def test_a_hidden_sheet_with_a_bad_plan_range_is_not_ours(workbook):
    wb = openpyxl.load_workbook(workbook)
    wb.defined_names[NAME_PLAN_DATA].attr_text = f"'{SHEET_META}'!$B$2:$B"
    wb.save(workbook)
    with pytest.raises(NotOurWorkbookError, match=NAME_PLAN_DATA):
        read_workbook(workbook)


def test_a_declared_area_that_is_no_area_is_a_damaged_file(workbook):
    sheet = "xl/worksheets/sheet1.xml"
    _rewrite(workbook, sheet,
             lambda data: data.replace(b'<dimension ref="', b'<dimension ref="ZZZZ', 1))
    with pytest.raises(UntrustedFileError, match="area non valida"):
        read_workbook(workbook)
    problems = check_workbook(workbook)[1]
    assert len(problems) == 1 and problems[0].message.startswith("file rifiutato:")


def test_an_unreadable_signing_date_is_no_date(workbook):
    """The signing date is typed by the office: a number no date can be is no date, not a
    crash of the reader."""
    assert read_workbook(workbook).signature is not None
    with zipfile.ZipFile(workbook) as zf:
        sheet, ref = read_index(zf).names[NAME_SIGN_DATE]
    wb = openpyxl.load_workbook(workbook)
    wb[sheet][ref.split(":")[0]] = 1e12
    wb.save(workbook)
    again = read_workbook(workbook)
    assert again.signature is not None and again.signature.when is None
