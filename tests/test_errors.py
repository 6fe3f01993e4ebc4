"""errors.py: user errors apart from internal errors, and the log of an internal error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cruscotto_xl import errors
from cruscotto_xl.addin.package import AddinBuildError
from cruscotto_xl.cli.addin import InstallError
from cruscotto_xl.cli.audit import AuditInputError
from cruscotto_xl.core.rollover import RolloverError
from cruscotto_xl.core.targets import TargetError
from cruscotto_xl.core.vocabulary import NumberError
from cruscotto_xl.errors import (
    LOG_DIR_ENV,
    UsageError,
    UserError,
    internal_message,
    log_dir,
    record_internal_error,
    set_debug,
)
from cruscotto_xl.excel.macros import MacroError
from cruscotto_xl.importers.common import ImportFailed
from cruscotto_xl.io.libreoffice import RecalcError
from cruscotto_xl.io.planfile import PlanFileError
from cruscotto_xl.returns.consolidate import MasterError
from cruscotto_xl.returns.guard import UntrustedFileError
from cruscotto_xl.returns.read import NotOurWorkbookError
from cruscotto_xl.returns.refresh import RefreshError
from cruscotto_xl.services.demo import DemoError
from cruscotto_xl.services.generate import OutputExistsError
from cruscotto_xl.services.report import ReportError

DOMAIN_ERRORS = (AddinBuildError, AuditInputError, DemoError, ImportFailed, InstallError,
                 MacroError, MasterError, NotOurWorkbookError, NumberError, OutputExistsError,
                 PlanFileError, RecalcError, RefreshError, ReportError, RolloverError,
                 TargetError, UntrustedFileError)


@pytest.mark.parametrize("kind", DOMAIN_ERRORS, ids=lambda k: k.__name__)
def test_every_domain_error_is_a_user_error_of_the_users_data(kind):
    assert issubclass(kind, UserError) and kind.exit_code == 1


def test_wrong_usage_exits_with_2():
    assert UsageError.exit_code == 2 and issubclass(UsageError, UserError)


def _raise_a_bug() -> None:
    {}["chiave che non c'è"]


def _incident(context: str = "prova") -> errors.Incident:
    try:
        _raise_a_bug()
    except KeyError as exc:
        return record_internal_error(exc, context)
    raise AssertionError("unreachable")


def test_an_internal_error_is_logged_with_its_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "log"))
    incident = _incident("lettura di ufficio.xlsx")
    assert incident.log is not None and incident.log.parent == tmp_path / "log"
    text = incident.log.read_text(encoding="utf-8")
    assert f"riferimento {incident.reference}" in text
    assert "Durante: lettura di ufficio.xlsx" in text
    assert "Traceback (most recent call last)" in text and "_raise_a_bug" in text
    assert "KeyError: \"chiave che non c'è\"" in text
    assert len(incident.reference) == 8 and incident.reference in incident.log.name
    message = internal_message(incident, "nel leggere ufficio.xlsx")
    assert message.startswith(f"errore interno nel leggere ufficio.xlsx (rif. "
                              f"{incident.reference})")
    assert str(incident.log) in message and "non è un problema dei dati" in message


def test_each_incident_has_its_own_reference_and_log(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path))
    first, second = _incident(), _incident()
    assert first.reference != second.reference and first.log != second.log
    assert len(list(tmp_path.glob("errore-*.log"))) == 2


def test_old_logs_are_removed(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(errors, "KEEP_LOGS", 3)
    (tmp_path / "appunti.txt").write_text("non è un registro")
    made = [_incident().log for _ in range(5)]
    kept = sorted(tmp_path.glob("errore-*.log"))
    assert len(kept) == 3 and made[-1] in kept
    assert (tmp_path / "appunti.txt").exists()


def test_a_log_folder_that_cannot_be_written_falls_back_to_the_temporary_folder(
        tmp_path, monkeypatch):
    blocker = tmp_path / "un-file"
    blocker.write_text("x")
    monkeypatch.setenv(LOG_DIR_ENV, str(blocker / "log"))
    monkeypatch.setattr(errors.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    incident = _incident()
    assert incident.log is not None
    assert incident.log.parent == tmp_path / "tmp" / "cruscotto_xl"


def test_with_no_folder_to_write_the_message_says_so(tmp_path, monkeypatch):
    blocker = tmp_path / "un-file"
    blocker.write_text("x")
    monkeypatch.setenv(LOG_DIR_ENV, str(blocker / "log"))
    monkeypatch.setattr(errors.tempfile, "gettempdir", lambda: str(blocker / "tmp"))
    incident = _incident()
    assert incident.log is None and "_raise_a_bug" in incident.traceback
    assert "il registro non si è potuto scrivere" in internal_message(incident)


def test_debug_prints_the_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path))
    _incident()
    assert "Traceback" not in capsys.readouterr().err
    set_debug(True)
    _incident()
    assert "_raise_a_bug" in capsys.readouterr().err


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("linux", {"XDG_STATE_HOME": "/stato"}, Path("/stato/cruscotto_xl/log")),
    ("linux", {}, Path("~/.local/state/cruscotto_xl/log").expanduser()),
    ("darwin", {}, Path("~/Library/Logs/cruscotto_xl").expanduser()),
    ("win32", {"LOCALAPPDATA": "/AppData/Local"}, Path("/AppData/Local/cruscotto_xl/Logs")),
])
def test_the_log_folder_is_the_users(platform, env, expected, monkeypatch):
    monkeypatch.delenv(LOG_DIR_ENV)
    for name in ("XDG_STATE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", platform)
    assert log_dir() == expected


def test_the_environment_variable_chooses_the_log_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "altrove"))
    assert log_dir() == tmp_path / "altrove"
