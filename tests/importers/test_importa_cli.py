"""``cruscotto importa {integra,tabella,pira}`` through typer's CliRunner on the sub-app."""

from __future__ import annotations

import json

import pytest
from support import ROOT
from typer.testing import CliRunner

from cruscotto_xl.cli.importa import importa_app
from cruscotto_xl.importers import import_integra, import_pira
from cruscotto_xl.importers.tabella import export_table
from cruscotto_xl.io.planfile import load_plan, plan_to_data

INTEGRA = ROOT / "tests" / "data" / "002_6a0ac35764cec512.txt"
PIRA = ROOT / "tests" / "data" / "003_fdfff813e4085a34.txt"
SEED_001 = ROOT / "tests" / "data" / "001_2f7775cd533185bf.txt"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(importa_app, [str(a) for a in args], catch_exceptions=False)


def _counts(output: str) -> dict[str, int]:
    """The summary table: "│ Indicatori │ 101 │" → {"Indicatori": 101}."""
    out = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 2 and cells[1].isdigit():
            out[cells[0]] = int(cells[1])
    return out


def test_integra_writes_the_plan_and_counts(tmp_path):
    out = tmp_path / "piano.yaml"
    result = run("integra", INTEGRA, "--out", out)
    assert result.exit_code == 0, result.output
    assert _counts(result.output) == {"Ambiti": 4, "Obiettivi strategici": 14,
                                      "Obiettivi operativi": 83, "Indicatori": 101,
                                      "Consuntivi": 101,
                                      # the export names no office
                                      "Indicatori senza ufficio («Senza ufficio»)": 101}
    assert "101 indicatori senza ufficio responsabile" in result.output.replace("\n", " ")
    assert "riga 199" in result.output           # the importer's one warning, as a table
    assert f"Piano scritto in {out}" in result.output.replace("\n", "")
    assert plan_to_data(load_plan(out)) == plan_to_data(import_integra(INTEGRA).plan)


def test_existing_out_is_kept_unless_overwrite(tmp_path):
    out = tmp_path / "piano.json"
    out.write_text("{}", encoding="utf-8")
    refused = run("integra", INTEGRA, "--out", out)
    assert refused.exit_code == 1
    shown = " ".join(refused.output.split())
    assert "esiste già" in shown and "--sovrascrivi" in shown
    assert out.read_text(encoding="utf-8") == "{}"
    done = run("integra", INTEGRA, "--out", out, "--sovrascrivi", "--anno", "2023")
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text(encoding="utf-8"))["anno"] == 2023


def test_pira_with_year_and_entity(tmp_path):
    out = tmp_path / "strategico.yaml"
    result = run("pira", PIRA, "--out", out, "--anno", "2025", "--ente", "CCIAA di Prova")
    assert result.exit_code == 0, result.output
    assert _counts(result.output)["Indicatori"] == 58
    plan = load_plan(out)
    assert (plan.entity, plan.year) == ("CCIAA di Prova", 2025)
    assert plan.target_years == [2023, 2024, 2025, 2026]
    expected = import_pira(PIRA, 2025, entity="CCIAA di Prova").plan
    assert plan_to_data(plan) == plan_to_data(expected)


def test_pira_year_and_entity_from_the_document(tmp_path):
    out = tmp_path / "rolling.yaml"
    result = run("pira", SEED_001, "--out", out, "--json")
    data = json.loads(result.output)
    # Every target of the rolling plan is read (labels such as «ITP < -10», x < x-3, events).
    assert result.exit_code == 0, result.output
    assert data["piano"] == str(out)
    assert data["riepilogo"]["obiettivi_strategici"] == 14
    plan = load_plan(out)
    assert (plan.entity, plan.year) == ("CCIAA Maremma e Tirreno", 2020)


def test_pira_without_the_body_asks_for_ente(tmp_path):
    out = tmp_path / "piano.yaml"
    result = run("pira", PIRA, "--out", out, "--json")
    assert result.exit_code == 1 and not out.exists()
    problems = json.loads(result.output)["problemi"]
    assert len(problems) == 1 and "--ente" in problems[0]["message"]


@pytest.mark.parametrize("text", [
    "Relazione annuale\n\nIl presente documento descrive le attività svolte nel 2023.\n",
    (ROOT / "tests" / "data" / "002_6a0ac35764cec512.txt").read_text(encoding="utf-8"),
    "",
])
def test_a_document_that_is_not_a_plan_gives_one_message(tmp_path, text):
    source = tmp_path / "documento.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "piano.yaml"
    result = run("pira", source, "--out", out, "--ente", "Ente", "--json")
    assert result.exit_code == 1 and not out.exists()
    problems = json.loads(result.output)["problemi"]
    assert len(problems) == 1
    assert "nessun obiettivo strategico riconosciuto" in problems[0]["message"]
    assert "importa tabella" in problems[0]["message"]
    shown = run("pira", source, "--out", out, "--ente", "Ente")
    assert shown.exit_code == 1
    assert " ".join(shown.output.split()).count("nessun obiettivo strategico") == 1


def test_tabella_round_trip_through_the_command(tmp_path):
    plan = load_plan(ROOT / "examples" / "piano-strategico-2024.yaml")
    table = export_table(plan, tmp_path / "piano.xlsx")
    out = tmp_path / "piano.yaml"
    result = run("tabella", table, "--out", out, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["riepilogo"]["indicatori"] == 58 and data["piano"] == str(out)
    assert {p["subject"] for p in data["problemi"]} == {"S10_03"}
    assert plan_to_data(load_plan(out)) == plan_to_data(plan)


def test_tabella_with_errors_exits_1_and_still_writes(tmp_path):
    source = tmp_path / "piano.csv"
    source.write_text("Ente;E\nAnno;2024\n\nAmbito;Obiettivo strategico;Indicatore;Target 2024;"
                      "Colonna strana\nA;O;Uno;boh;x\n", encoding="utf-8")
    out = tmp_path / "piano.yaml"
    result = run("tabella", source, "--out", out)
    assert result.exit_code == 1
    assert "riga 5" in result.output and "«boh»" in result.output
    assert "«Colonna strana» non riconosciuta" in result.output
    assert "1 errore da correggere" in result.output
    assert load_plan(out).areas[0].objectives[0].indicators[0].targets == {2024: "boh"}


def test_source_that_gives_no_plan(tmp_path):
    out = tmp_path / "piano.yaml"
    missing = run("integra", tmp_path / "manca.txt", "--out", out)
    assert missing.exit_code == 1 and "file non trovato" in missing.output
    text = tmp_path / "vuoto.csv"
    text.write_text("niente da importare\n", encoding="utf-8")
    failed = run("tabella", text, "--out", out, "--json")
    assert failed.exit_code == 1
    assert json.loads(failed.output)["piano"] is None
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["integra", INTEGRA, "--out", "piano.txt"],
    ["tabella", INTEGRA],
    ["pira", PIRA, "--out", "p.yaml", "--bogus"],
])
def test_wrong_usage_exits_2(args):
    assert run(*args).exit_code == 2


def test_pira_dictionary_counts_measures_and_formulas(tmp_path):
    # seed 004: 43 measure codes, 27 formulas (counted independently in test_pira.py)
    out = tmp_path / "piano.yaml"
    seed = ROOT / "tests" / "data" / "004_b59b20b8390521e9.txt"
    result = run("pira", seed, "--out", out, "--ente", "CCIAA Toscana Nord-Ovest")
    assert result.exit_code == 0, result.output
    counts = _counts(result.output)
    assert (counts["Misure"], counts["Indicatori con formula sulle misure"]) == (43, 27)
    assert len(load_plan(out).measures) == 43
