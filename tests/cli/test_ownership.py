"""Indicators without an owner office are never dropped («Senza ufficio»), and every command
says how many there are.

Acceptance (issue 13): a table with 21 unowned indicators out of 31 → every indicator is in
exactly one generated workbook per period (two for the one with two owners), checked over
all the files read with openpyxl, independently of the reader; the offices are taken from the
source with the ``csv`` module. Seed 002 (no owners at all) gives one «Senza ufficio» workbook.
"""

from __future__ import annotations

import csv
import email
import json
import re
from email import policy
from pathlib import Path

import openpyxl
import pytest
import yaml
from support import DATA
from typer.testing import CliRunner

from cruscotto_xl.cli import output as cli_output
from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.core.plan_checks import UNOWNED_MESSAGE, validate_plan
from cruscotto_xl.core.tree import UNOWNED, known_offices, plan_for_office
from cruscotto_xl.io.planfile import load_plan, plan_from_data, save_plan
from cruscotto_xl.services.filling import fill_workbook

runner = CliRunner()
CAMERA = DATA / "tabelle" / "camera_31_indicatori.csv"
INTEGRA = DATA / "002_6a0ac35764cec512.txt"
ENTE = "Camera di Commercio di Valdarno e Colline"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Tables wide enough that a problem's message stays on one line of the output."""
    monkeypatch.setattr(cli_output.console, "width", 1000)


def _run(*args: object):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result, " ".join(result.output.split())     # rich wraps long lines


def _source_owners() -> dict[str, set[str]]:
    """Code → owner offices as the source table writes them (empty → «Senza ufficio»)."""
    with CAMERA.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    return {r["Codice indicatore"]: {o.strip() for o in r["Ufficio"].split(";") if o.strip()}
            or {UNOWNED} for r in rows}


def _workbook_contents(path: Path) -> tuple[str, str, list[str]]:
    """(office, period, indicator codes) of a generated workbook, read with openpyxl only:
    the office and period from the hidden sheet's labels, the codes from every table that
    has both a «Codice» and an «Indicatore» column."""
    wb = openpyxl.load_workbook(path)
    meta = {row[0].value: row[1].value for row in wb["_cruscotto"].iter_rows(max_col=2)
            if row[0].value}
    codes = []
    for ws in wb.worksheets:
        for table in ws.tables.values():
            rows = [[c.value for c in row] for row in ws[table.ref]]
            if "Codice" in rows[0] and "Indicatore" in rows[0]:
                at = rows[0].index("Codice")
                codes += [r[at] for r in rows[1:] if r[at]]
    return meta["Ufficio"] or "", meta["Periodo"], codes


@pytest.fixture(scope="module")
def camera_plan(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("camera")
    out = folder / "piano.yaml"
    result, text = _run("importa", "tabella", CAMERA, "--ente", ENTE, "--out", out)
    assert result.exit_code == 0, result.output
    return out, text


def test_importa_says_how_many_have_no_office(tmp_path, camera_plan):
    _, text = camera_plan
    assert "Indicatori senza ufficio («Senza ufficio») │ 21" in text
    assert "21 indicatori senza ufficio responsabile: nella cartella «Senza ufficio»" in text
    result, _ = _run("importa", "tabella", CAMERA, "--ente", ENTE, "--out",
                     tmp_path / "piano.yaml", "--json")
    assert json.loads(result.output)["riepilogo"]["senza_ufficio"] == 21


def test_valida_and_audit_warn_with_the_codes(camera_plan):
    plan_file, _ = camera_plan
    unowned = sorted(c for c, o in _source_owners().items() if o == {UNOWNED})
    result, text = _run("valida", plan_file)
    assert result.exit_code == 0, result.output
    assert f"21 indicatori senza ufficio responsabile ({', '.join(unowned)})" in text
    assert "21 indicatori senza ufficio responsabile: nella cartella" in text
    result, _ = _run("valida", plan_file, "--json")
    lines = [p for p in json.loads(result.output) if p["message"] == UNOWNED_MESSAGE]
    assert sorted(p["subject"] for p in lines) == unowned      # one line each in JSON
    assert all(p["severity"] == "avviso" and p["location"].startswith("ambiti[") for p in lines)

    result, text = _run("audit", plan_file)
    assert result.exit_code == 0, result.output
    assert f"21 indicatori senza ufficio responsabile ({', '.join(unowned)})" in text
    assert "Uffici responsabili" in text
    result, _ = _run("audit", plan_file, "--json")
    found = [f for f in json.loads(result.output) if f["controllo"] == "Uffici responsabili"]
    assert sorted(f["subject"] for f in found) == unowned


@pytest.mark.parametrize("period", ["30/06", "31/12"])
def test_every_indicator_is_in_its_owners_workbooks(tmp_path, camera_plan, period):
    plan_file, _ = camera_plan
    out = tmp_path / "cartelle"
    result, text = _run("genera", plan_file, "--out", out, "--per-ufficio", "--periodo", period)
    assert result.exit_code == 0, result.output
    suffix = "" if period == "31/12" else "_al_30-06"
    assert (f"21 indicatori senza ufficio responsabile nella cartella «Senza ufficio» "
            f"(camera-di-commercio-di-valdarno-e-colline-2024{suffix}__Senza_ufficio.xlsx)"
            in text)
    owners = _source_owners()
    found: dict[str, set[str]] = {}
    files = sorted(out.glob("*.xlsx"))
    offices = set()
    for path in files:
        office, shown_period, codes = _workbook_contents(path)
        assert shown_period == period and office not in offices
        offices.add(office)
        assert len(codes) == len(set(codes))
        for code in codes:
            found.setdefault(code, set()).add(office)
    assert offices == set().union(*owners.values())
    assert len(files) == 8          # 7 named offices and «Senza ufficio»
    assert found == owners          # nothing lost, nothing twice, the two owners of KPI_10
    assert found["KPI_10"] == {"Registro Imprese", "Ragioneria"}


def test_seed_002_without_owners_gets_the_senza_ufficio_workbook(tmp_path):
    rows = 0          # indicator rows of the export: a weight «NN,NN%» and its columns
    for line in INTEGRA.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        if cells and re.fullmatch(r"\d{1,3},\d{2}%", cells[0]) and len(cells) >= 6:
            rows += 1
    assert rows == 101
    plan_file = tmp_path / "piano.yaml"
    assert _run("importa", "integra", INTEGRA, "--out", plan_file)[0].exit_code == 0
    out = tmp_path / "cartelle"
    result, text = _run("genera", plan_file, "--out", out, "--per-ufficio")
    assert result.exit_code == 0, result.output
    [path] = sorted(out.glob("*.xlsx"))
    assert path.name.endswith("__Senza_ufficio.xlsx")
    office, _, codes = _workbook_contents(path)
    assert office == UNOWNED and len(codes) == len(set(codes)) == rows
    assert f"{rows} indicatori senza ufficio responsabile nella cartella «Senza ufficio»" in text
    wb = openpyxl.load_workbook(path)
    assert wb["Istruzioni"]["A3"].value == UNOWNED      # the first line explains the workbook
    assert wb["Riepilogo"]["A2"].value == "Grado dell'ufficio"


def test_genera_writes_nothing_exits_1_and_says_why(tmp_path):
    plan_file = save_plan(plan_from_data({
        "ente": "Ente vuoto", "anno": 2024,
        "ambiti": [{"codice": "A1", "titolo": "Ambito ancora da definire"}]}),
        tmp_path / "piano.yaml")
    result, text = _run("genera", plan_file, "--out", tmp_path / "cartelle", "--per-ufficio")
    assert result.exit_code == 1
    assert "nessuna cartella da scrivere: il piano 2024 non ha indicatori né uffici" in text
    assert "nessuna cartella Excel scritta" in text
    assert not (tmp_path / "cartelle").exists()


def _small(**extra) -> dict:
    return {"ente": "Comune di Prova", "anno": 2024, **extra, "ambiti": [
        {"codice": "A1", "titolo": "Servizi", "obiettivi": [
            {"codice": "OS1", "titolo": "Sportello", "indicatori": [
                {"codice": "K1", "nome": "Pratiche", "uffici": ["Anagrafe"],
                 "target": {2024: ">= 10"}},
                {"codice": "K2", "nome": "Tempi", "target": {2024: "<= 5 gg"}},
                {"codice": "K3", "nome": "Reclami", "target": {2024: "<= 2"}}]}]}]}


def test_a_real_office_named_senza_ufficio_is_refused(tmp_path):
    data = _small(uffici=[{"nome": "senza  Ufficio", "email": "x@comune.invalid"}])
    data["ambiti"][0]["obiettivi"][0]["indicatori"][0]["uffici"] = ["senza  Ufficio"]
    plan_file = save_plan(plan_from_data(data), tmp_path / "piano.yaml")
    result, text = _run("valida", plan_file)
    assert result.exit_code == 1
    assert ("un ufficio del piano si chiama «senza Ufficio», come la cartella degli indicatori "
            "senza ufficio (2)") in text.replace("«senza  Ufficio»", "«senza Ufficio»")
    result, text = _run("genera", plan_file, "--out", tmp_path / "cartelle", "--per-ufficio")
    assert result.exit_code == 1 and not (tmp_path / "cartelle").exists()
    # Without unowned indicators the name is an ordinary office's.
    data["ufficio_predefinito"] = "Anagrafe"
    assert not [p for p in validate_plan(plan_from_data(data)) if p.severity == "errore"]


def test_ufficio_predefinito_owns_the_unowned(tmp_path):
    plan = plan_from_data(_small(ufficio_predefinito="Segreteria generale"))
    assert known_offices(plan) == ("Anagrafe", "Segreteria generale")
    assert [s.indicator.code for s in plan_for_office(plan, "Segreteria generale")
            .indicators()] == ["K2", "K3"]
    assert not [p for p in validate_plan(plan) if p.message == UNOWNED_MESSAGE]
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    result, text = _run("valida", plan_file)
    assert "nessun indicatore senza ufficio responsabile" in text
    result, text = _run("genera", plan_file, "--out", tmp_path / "cartelle", "--per-ufficio")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "cartelle").glob("*.xlsx")) == [
        "comune-di-prova-2024__Anagrafe.xlsx", "comune-di-prova-2024__Segreteria_generale.xlsx"]
    assert "senza ufficio" not in text.lower()
    # A default office the plan does not list has no e-mail for its reminders: said.
    declared = plan_from_data(_small(ufficio_predefinito="Segreteria generale",
                                     uffici=[{"nome": "Anagrafe"}]))
    [problem] = [p for p in validate_plan(declared) if p.location == "ufficio_predefinito"]
    assert problem.severity == "avviso"
    assert "«Segreteria generale» non è tra gli uffici del piano" in problem.message


def test_consolida_and_solleciti_treat_senza_ufficio_like_an_office(tmp_path, camera_plan):
    plan_file, _ = camera_plan
    folder = tmp_path / "ritorni"
    assert _run("genera", plan_file, "--out", folder, "--per-ufficio")[0].exit_code == 0
    unowned_file = next(folder.glob("*__Senza_ufficio.xlsx"))
    # The controller types one value of the «Senza ufficio» workbook; the rest is missing.
    assert fill_workbook(unowned_file, {"KPI_02": Typed(5012.0)}) == 1
    master = tmp_path / "cruscotto.xlsx"
    result, text = _run("consolida", folder, "--piano", plan_file, "--out", master, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["senza_ufficio"] == 21
    status = next(s for s in data["uffici"] if s["ufficio"] == UNOWNED)
    assert (status["stato"], status["valori_mancanti"]) == ("restituita", 20)
    assert status["file"] == unowned_file.name
    wb = openpyxl.load_workbook(master)
    rows = [[c.value for c in row] for row in wb["Stato uffici"].iter_rows()]
    assert any(r[0] == UNOWNED and r[1] == "restituita" and r[4] == 20 for r in rows)
    plan = load_plan(plan_file)
    kpi_02 = next(s.indicator for s in plan.indicators() if s.indicator.code == "KPI_02")
    assert kpi_02.actual_for(2024) is None   # the plan file is not changed by consolida
    result, text = _run("consolida", folder, "--piano", plan_file, "--out", master)
    assert "21 indicatori senza ufficio responsabile: cartella «Senza ufficio» restituita" \
        in text

    out = tmp_path / "solleciti"
    result, text = _run("solleciti", folder, "--piano", plan_file, "--out", out)
    assert result.exit_code == 0, result.output
    assert ("21 indicatori senza ufficio responsabile (cartella «Senza ufficio»): sollecito "
            "senza destinatario per il controllo di gestione, 20 dati mancanti.") in text
    draft = email.message_from_bytes((out / "sollecito_Senza_ufficio.eml").read_bytes(),
                                     policy=policy.default)
    assert draft["To"] is None
    body = draft.get_body(("plain",)).get_content()
    assert "Mancano questi valori (20):" in body and "KPI_02" not in body
    assert "il piano non indica un ufficio responsabile" in body

    # Not returned: «mancante», and the reminder carries a new copy to fill.
    unowned_file.unlink()
    result, _ = _run("consolida", folder, "--piano", plan_file, "--out", tmp_path / "m2.xlsx",
                     "--json")
    data = json.loads(result.output)
    status = next(s for s in data["uffici"] if s["ufficio"] == UNOWNED)
    assert status["stato"] == "mancante" and result.exit_code == 1
    result, _ = _run("solleciti", folder, "--piano", plan_file, "--out", out, "--sovrascrivi")
    draft = email.message_from_bytes((out / "sollecito_Senza_ufficio.eml").read_bytes(),
                                     policy=policy.default)
    [attachment] = list(draft.iter_attachments())
    assert attachment.get_filename().endswith("__Senza_ufficio.xlsx")


def test_office_workbooks_grade_the_office(tmp_path):
    plan_file = save_plan(plan_from_data(_small()), tmp_path / "piano.yaml")
    out = tmp_path / "cartelle"
    assert _run("genera", plan_file, "--out", out, "--per-ufficio")[0].exit_code == 0
    assert _run("genera", plan_file, "--out", tmp_path / "intero")[0].exit_code == 0
    office = openpyxl.load_workbook(out / "comune-di-prova-2024__Anagrafe.xlsx")["Riepilogo"]
    whole = openpyxl.load_workbook(tmp_path / "intero" / "comune-di-prova-2024.xlsx")["Riepilogo"]
    assert office["A2"].value == "Grado dell'ufficio"
    assert whole["A2"].value == "Grado dell'ente"
    # The top row of the summary is the office's part, named as such.
    assert [office["A5"].value, office["C5"].value] == ["Ufficio", "Anagrafe — Comune di Prova"]
    assert [whole["A5"].value, whole["C5"].value] == ["Ente", "Comune di Prova"]
    assert yaml.safe_load(plan_file.read_text(encoding="utf-8"))["ente"] == "Comune di Prova"
