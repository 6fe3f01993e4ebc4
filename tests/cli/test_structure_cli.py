"""``cruscotto grado --strutture`` and ``cruscotto esporta --livello strutture``: the grades
per structure of tests/support/structure_plan.py (computed by hand there), printed with
outside texts kept literal, and exported as a table."""

from __future__ import annotations

import csv
import json

import pytest
from support.structure_plan import structure_data
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def plan_file(tmp_path):
    data = structure_data()
    data["struttura"]["aree"][1]["nome"] = "=Area [bold]II[/]"   # outside text
    path = tmp_path / "piano.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_grado_strutture_prints_each_area_and_office(plan_file):
    result = run("grado", "--strutture", str(plan_file))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "%" in line]
    shown = [(line.split("│")[3].strip(), line.split("│")[6].strip()) for line in lines]
    assert shown == [("Area I — Servizi amministrativi", "72,50 %"),
                     ("Servizio Uno", "70,00 %"), ("Servizio Due", "80,00 %"),
                     ("=Area [bold]II[/]", "90,00 %"), ("Servizio Tre", "90,00 %")]
    assert "Anna Bianchi" in result.output


def test_grado_strutture_json_and_period(plan_file):
    result = run("grado", "--strutture", str(plan_file), "--json")
    rows = json.loads(result.output)
    assert [(r["livello"], r["codice"], r["grado"]) for r in rows] == [
        ("area", "AI", pytest.approx(0.725)), ("ufficio", "Servizio Uno", pytest.approx(0.7)),
        ("ufficio", "Servizio Due", pytest.approx(0.8)), ("area", "AII", pytest.approx(0.9)),
        ("ufficio", "Servizio Tre", pytest.approx(0.9))]
    early = json.loads(run("grado", "--strutture", str(plan_file), "--periodo", "30/06",
                           "--json").output)
    assert all(r["grado"] is None for r in early)          # no values at 30/06: never 0
    assert all(r["valutazione"].startswith("Non valutabile") for r in early)


def test_grado_needs_target_or_strutture(plan_file):
    result = run("grado")
    assert result.exit_code != 0 and "manca --target" in result.output
    both = run("grado", "--target", ">= 5", "--strutture", str(plan_file))
    assert both.exit_code != 0 and "non entrambi" in both.output


def test_esporta_strutture_csv(plan_file, tmp_path):
    out = tmp_path / "strutture.csv"
    result = run("esporta", str(plan_file), "--out", str(out), "--livello", "strutture")
    assert result.exit_code == 0, result.output
    assert "5 strutture" in result.output
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    final = [(r["Livello"], r["Codice"], r["Area"], r["Indicatori"], r["Grado calcolato"])
             for r in rows if r["Periodo"] == "31/12"]
    assert final == [("area", "AI", "AI", "4", "0,725"),
                     ("ufficio", "Servizio Uno", "AI", "2", "0,7"),
                     ("ufficio", "Servizio Due", "AI", "2", "0,8"),
                     ("area", "AII", "AII", "2", "0,9"),
                     ("ufficio", "Servizio Tre", "AII", "2", "0,9")]
    area = next(r for r in rows if r["Codice"] == "AII")
    assert area["Nome"] == "'=Area [bold]II[/]"        # csv_safe_text: never a formula
    assert next(r for r in rows if r["Codice"] == "AI")["Uffici"] == "servizio uno, Servizio Due"
    assert len(rows) == 10                                 # 5 units × 2 periods


def test_esporta_strutture_without_structure(tmp_path):
    data = structure_data()
    del data["struttura"]
    path = tmp_path / "piano.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("esporta", str(path), "--out", str(tmp_path / "x.csv"), "--livello",
                 "strutture")
    assert result.exit_code == 1
    assert "il piano non ha una struttura" in result.output
    assert not (tmp_path / "x.csv").exists()
