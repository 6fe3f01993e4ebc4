"""A ribbon button that meets a bug says «errore interno» in its message box, with the log
of the traceback; a user error keeps its own message. Excel's folder picker falls back to
the workbook's folder only when Excel refuses the dialog."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import openpyxl
import pytest
from support import ROOT

from cruscotto_xl.excel import macros, port
from cruscotto_xl.excel.port import OpenpyxlPort, XlwingsPort
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.workbook import write_workbook

LOG = re.compile(r"dettagli nel file (\S+\.log)")


@pytest.fixture
def workbook(tmp_path) -> Path:
    path = tmp_path / "piano.xlsx"
    write_workbook(load_plan(ROOT / "examples" / "piano-operativo-2023.yaml"), path)
    return path


@pytest.mark.parametrize(("button", "inner"), [
    (macros.ricalcola, "refreshed_book"),
    (macros.valida, "validate_plan"),
    (macros.nuovo_anno, "write_new_year"),
])
def test_a_bug_behind_a_button_is_an_internal_error(workbook, monkeypatch, button, inner):
    def broken(*args, **kwargs):
        raise RuntimeError("bug di prova")

    monkeypatch.setattr(macros, inner, broken)
    book = OpenpyxlPort(workbook)
    result = button(book)
    assert not result.ok
    title, message = book.alerts[-1]
    assert title.startswith("Cruscotto — ") and message == result.message
    assert message.startswith(f"Errore interno del pulsante {result.title} (rif. ")
    assert "non è un problema dei dati" in message
    found = LOG.search(message)
    assert found, message
    log = Path(found[1]).read_text(encoding="utf-8")
    assert "RuntimeError: bug di prova" in log and "in broken" in log
    assert f"Durante: pulsante {result.title}" in log


def test_a_user_error_keeps_its_message(tmp_path):
    path = tmp_path / "altro.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(path)
    book = OpenpyxlPort(path)
    result = macros.ricalcola(book)
    assert not result.ok and "interno" not in book.alerts[-1][1]
    assert "non è una cartella generata da cruscotto_xl" in book.alerts[-1][1]


class _ComError(Exception):
    """Stands for pywin32's com_error (Windows only)."""


class _Api:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def FileDialog(self, kind: int) -> object:  # Excel's name
        raise self.error


class _Book:
    fullname = "C:/uffici/principale.xlsx"

    def __init__(self, error: Exception) -> None:
        self.app = type("App", (), {"api": _Api(error)})()


def test_a_refused_folder_picker_falls_back_to_the_workbooks_folder(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(port, "com_errors", lambda: (_ComError,))
    picked = XlwingsPort(_Book(_ComError("Excel occupato"))).ask_folder("Cartella")
    assert picked == Path("C:/uffici")


def test_a_bug_in_the_folder_picker_is_not_hidden(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(port, "com_errors", lambda: (_ComError,))
    with pytest.raises(RuntimeError):
        XlwingsPort(_Book(RuntimeError("bug di prova"))).ask_folder("Cartella")


def test_without_windows_the_folder_is_the_workbooks(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    book = _Book(AssertionError("Excel per Mac non ha FileDialog: non va chiamato"))
    assert XlwingsPort(book).ask_folder("Cartella") == Path("C:/uffici")


class _CloudBook:
    """A OneDrive workbook that is not synced: xlwings' Book.fullname raises."""

    name = "ufficio.xlsx"
    alerts: list[tuple[str, str]]

    @property
    def fullname(self) -> str:
        from xlwings import XlwingsError

        raise XlwingsError("Couldn't find your local OneDrive file, see: xlwings.org/error")


def test_an_unsynced_cloud_workbook_gives_an_italian_message():
    with pytest.raises(port.CloudPathError) as caught:
        _ = XlwingsPort(_CloudBook()).path
    message = str(caught.value)
    assert message.startswith("ufficio.xlsx: impossibile trovare sul computer la cartella")
    assert "OneDrive o SharePoint" in message and "riprovare" in message


def test_a_button_on_an_unsynced_cloud_workbook_says_what_to_do(monkeypatch):
    shown: list[str] = []
    cloud = XlwingsPort(_CloudBook())
    monkeypatch.setattr(cloud, "alert", lambda message, title: shown.append(message))
    result = macros.consolida(cloud)
    assert not result.ok and "interno" not in shown[-1]
    assert "non risulta sincronizzato" in shown[-1]
