"""Office sign-off: the Validazione block, `firma`, and what consolidation says about it."""

from __future__ import annotations

import zipfile
from datetime import date

import openpyxl
import pytest
from support.periods_plan import FINAL, office_workbooks, set_input, two_period_plan
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.signoff import (
    CHANGED,
    NO_FINGERPRINT,
    NOT_CONFIRMED,
    SIGNED,
    UNSIGNED,
    Signature,
    fingerprint,
    signature_state,
)
from cruscotto_xl.excel import macros
from cruscotto_xl.excel.port import OpenpyxlPort
from cruscotto_xl.io.libreoffice import find_soffice, recalculate
from cruscotto_xl.returns.consolidate import RETURNED, WITH_PROBLEMS, consolidate
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.returns.refresh import RefreshError
from cruscotto_xl.returns.sign import sign_workbook
from cruscotto_xl.workbook.layout import SHEET_SIGNOFF

runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


def test_signature_states():
    inputs = {"K1": {"actual": 45.0, "note": None}, "K2": {"actual": date(2024, 7, 1)}}
    printed = fingerprint(inputs, "Anna Neri", "Dirigente", date(2024, 7, 10))
    signed = Signature("Anna Neri", "Dirigente", date(2024, 7, 10), True, printed)
    assert signature_state(signed, printed) == SIGNED
    other = fingerprint({**inputs, "K1": {"actual": 46.0, "note": None}}, "Anna Neri",
                        "Dirigente", date(2024, 7, 10))
    assert signature_state(signed, other) == CHANGED
    # the signature's own fields are covered too
    assert fingerprint(inputs, "Anna Nera", "Dirigente", date(2024, 7, 10)) != printed
    assert signature_state(None, printed) == UNSIGNED
    assert signature_state(Signature(), printed) == UNSIGNED
    assert signature_state(Signature("Anna", confirmed=False), printed) == NOT_CONFIRMED
    assert signature_state(Signature("Anna", confirmed=True), printed) == NO_FINGERPRINT
    # a number is the same number however a reader typed it (int or float)
    assert fingerprint({"K": {"a": 45}}, "x", None, None) == \
        fingerprint({"K": {"a": 45.0}}, "x", None, None)


@pytest.fixture()
def returned(tmp_path):
    """The three offices' 31/12 workbooks, filled; nobody has signed."""
    plan = two_period_plan()
    paths = office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    return plan, paths


def _signoff_problems(result, path):
    return [p for p in result.problems if p.location == f"{path.name} › {SHEET_SIGNOFF}"]


def test_unsigned_changed_after_signing_and_signed(returned):
    plan, paths = returned
    a, b, c = paths["Ufficio A"], paths["Ufficio B"], paths["Ufficio C"]
    sign_workbook(b, signer="Bruno Verdi", role="Dirigente", confirm=True)
    sign_workbook(c, signer="Carla Bianchi", role="Responsabile", confirm=True,
                  when=date(2025, 1, 20))
    # Ufficio B changes a value after signing
    set_input(b, "K5", "actual", 15)
    result = consolidate(a.parent, plan)
    states = {s.office: s for s in result.statuses}
    # unsigned → reported
    assert states["Ufficio A"].signoff == UNSIGNED
    [unsigned] = _signoff_problems(result, a)
    assert unsigned.severity == "avviso" and "non firmata" in unsigned.message
    # signed then changed → reported as changed after signing, values still merged
    assert states["Ufficio B"].signoff == CHANGED
    assert states["Ufficio B"].state == WITH_PROBLEMS
    [changed] = _signoff_problems(result, b)
    assert changed.severity == "errore" and "modificati dopo la firma" in changed.message
    assert result.typed["K5"].actual == 15
    # signed and unchanged → clean
    assert states["Ufficio C"].signoff == SIGNED and states["Ufficio C"].state == RETURNED
    assert _signoff_problems(result, c) == []
    assert [p for p in result.problems if p.location.startswith(c.name)] == []


def test_firma_writes_only_the_validazione_sheet(returned):
    _, paths = returned
    path = paths["Ufficio A"]
    with zipfile.ZipFile(path) as zf:
        before = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    result = runner.invoke(app, ["firma", str(path), "--responsabile", "Anna Neri", "--ruolo",
                                 "Dirigente", "--data", "15/01/2025", "--conferma"])
    assert result.exit_code == 0, result.output
    assert "firmata da Anna Neri (Dirigente) il 15/01/2025" in flat(result.output)
    with zipfile.ZipFile(path) as zf:
        after = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 1 and changed[0].startswith("xl/worksheets/")
    reading = read_workbook(path)
    assert reading.signature == Signature("Anna Neri", "Dirigente", date(2025, 1, 15), True,
                                          reading.signature.fingerprint)
    assert reading.signature_state() == SIGNED and reading.hash_matches
    ws = openpyxl.load_workbook(path)[SHEET_SIGNOFF]
    assert ws["B3"].value == "Anna Neri" and ws["B6"].value == "Sì"
    assert ws["B3"].protection.locked is False and ws["B8"].protection.locked is not False
    # signing again with the same data changes nothing
    again = runner.invoke(app, ["firma", str(path)])
    assert again.exit_code == 0 and "era già firmata così" in flat(again.output)


def test_firma_uses_what_the_office_typed_and_refuses_without_name_or_confirmation(returned):
    _, paths = returned
    path = paths["Ufficio B"]
    result = runner.invoke(app, ["firma", str(path), "--conferma"])
    assert result.exit_code == 1
    assert "manca il nome del responsabile" in flat(result.output)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_SIGNOFF]
    ws["B3"], ws["B4"], ws["B5"] = "Bruno Verdi", "Dirigente", date(2025, 1, 10)
    wb.save(path)
    with pytest.raises(RefreshError, match="manca la conferma dei dati"):
        sign_workbook(path)
    ws["B6"] = "Sì"
    wb.save(path)
    assert read_workbook(path).signature_state() == NO_FINGERPRINT   # typed, not yet sealed
    signed = sign_workbook(path)
    assert signed.signature.signer == "Bruno Verdi" and signed.signature.when == date(2025, 1,
                                                                                       10)
    assert read_workbook(path).signature_state() == SIGNED


def test_firma_refuses_a_tampered_workbook(returned):
    _, paths = returned
    path = paths["Ufficio C"]
    set_input(path, "K6", "target_text", "No")
    before = path.read_bytes()
    result = runner.invoke(app, ["firma", str(path), "--responsabile", "C", "--conferma"])
    assert result.exit_code == 1 and "dati bloccati modificati" in flat(result.output)
    assert path.read_bytes() == before


def test_a_signature_survives_a_libreoffice_save(returned, tmp_path):
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    _, paths = returned
    path = paths["Ufficio A"]
    sign_workbook(path, signer="Anna Neri", role="Dirigente", confirm=True,
                  when=date(2025, 1, 15))
    saved = recalculate([path], tmp_path / "lo")[path]
    reading = read_workbook(saved)
    assert reading.signature is not None and reading.signature.signer == "Anna Neri"
    assert reading.signature_state() == SIGNED


def test_button_firma_seals_what_the_office_typed(returned, tmp_path):
    _, paths = returned
    path = paths["Ufficio A"]
    port = OpenpyxlPort(path)
    refused = macros.firma(port)
    assert not refused.ok and "manca il nome del responsabile" in refused.message
    port.write_values(SHEET_SIGNOFF, 2, 1, [["Anna Neri"], ["Dirigente"], [""], ["Sì"]])
    result = macros.firma(port)
    assert result.ok, result.message
    assert "Dati confermati da Anna Neri (Dirigente)" in result.message
    assert port.alerts[-1][1] == result.message
    saved = tmp_path / "firmata.xlsx"
    port.save(saved)
    reading = read_workbook(saved)
    assert reading.signature.signer == "Anna Neri" and reading.signature.when == date.today()
    assert reading.signature_state() == SIGNED
    # the same seal as the command line gives for the same data
    assert reading.signature.fingerprint == sign_workbook(
        path, signer="Anna Neri", role="Dirigente", when=date.today(),
        confirm=True).signature.fingerprint


def test_controlla_reports_the_signature_too(returned):
    _, paths = returned
    path = paths["Ufficio A"]
    result = runner.invoke(app, ["controlla", str(path), "--json"])
    assert result.exit_code == 0                 # a warning only
    assert "cartella non firmata" in result.output
    sign_workbook(path, signer="Anna Neri", confirm=True)
    set_input(path, "K1", "note", "aggiunta dopo la firma")
    result = runner.invoke(app, ["controlla", str(path)])
    assert result.exit_code == 1 and "modificati dopo la firma" in flat(result.output)


def test_an_office_workbook_without_validazione_is_unsigned(returned):
    plan, paths = returned
    path = paths["Ufficio A"]
    wb = openpyxl.load_workbook(path)
    del wb[SHEET_SIGNOFF]
    for name in [n for n in wb.defined_names if n.startswith("crx_firma")]:
        del wb.defined_names[name]
    wb.save(path)
    reading = read_workbook(path)
    assert reading.signature is None and not reading.is_master
    result = consolidate(path.parent, plan)
    assert {s.office: s.signoff for s in result.statuses}["Ufficio A"] == UNSIGNED
    [problem] = _signoff_problems(result, path)
    assert problem.message.startswith("foglio Validazione mancante")


def test_signing_again_after_a_change_needs_a_new_confirmation(returned):
    _, paths = returned
    path = paths["Ufficio A"]
    sign_workbook(path, signer="Anna Neri", role="Dirigente", confirm=True,
                  when=date(2024, 7, 10))
    set_input(path, "K1", "actual", 91)
    refused = runner.invoke(app, ["firma", str(path)])
    assert refused.exit_code == 1
    assert "dati modificati dopo la firma (Anna Neri, 10/07/2024)" in flat(refused.output)
    # the button withdraws the old confirmation and asks for a new one
    port = OpenpyxlPort(path)
    result = macros.firma(port)
    assert not result.ok and "conferma precedente è stata annullata" in result.message
    assert not macros.firma(port).ok                      # not confirmed yet
    port.write_values(SHEET_SIGNOFF, 5, 1, [["Sì"]])
    assert macros.firma(port).ok
    saved = path.with_name("firmata.xlsx")
    port.save(saved)
    signature = read_workbook(saved).signature
    assert signature.when == date.today() and read_workbook(saved).signature_state() == SIGNED
    # on the command line, --conferma is the new confirmation (dated today)
    assert sign_workbook(path, confirm=True).signature.when == date.today()
