"""``cruscotto audit`` through typer's CliRunner: table, JSON, Controlli sheet, --consuntivi."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from support import ROOT
from typer.testing import CliRunner

from cruscotto_xl.cli.audit import audit_app, audit_command
from cruscotto_xl.importers.tabella import export_table
from cruscotto_xl.io.planfile import load_plan, save_plan

EXAMPLES = ROOT / "examples"
OPERATIONAL = EXAMPLES / "piano-operativo-2023.yaml"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(audit_app, [str(a) for a in args], catch_exceptions=False)


def _clean_plan(tmp_path: Path) -> Path:
    """A plan with no findings: the 2023 example, its four audited defects corrected."""
    plan = load_plan(OPERATIONAL)
    by_code = {s.indicator.code: s.indicator for s in plan.indicators()}
    by_code["13.02_01"].actuals[0].published_grade = 0.0
    for code in ("09.05_01", "10.03_02", "12.01_02"):
        by_code[code].actuals[0].value = 1.0
    return save_plan(plan, tmp_path / "pulito.yaml")


def test_audit_of_the_2023_example_exits_1_naming_13_02():
    result = run(OPERATIONAL)
    assert result.exit_code == 1
    assert "13.02_01" in result.output and "Gradi pubblicati" in result.output
    assert "1 errore e 3 avvisi" in " ".join(result.output.split())


def test_json_lists_every_finding_with_its_check():
    result = run(OPERATIONAL, "--json")
    data = json.loads(result.output)
    assert sorted((d["subject"], d["controllo"], d["severity"]) for d in data) == [
        ("09.05_01", "Valori implausibili", "avviso"),
        ("10.03_02", "Valori implausibili", "avviso"),
        ("12.01_02", "Valori implausibili", "avviso"),
        ("13.02_01", "Gradi pubblicati", "errore"),
    ]


def test_clean_plan_exits_0(tmp_path):
    result = run(_clean_plan(tmp_path))
    assert result.exit_code == 0, result.output
    assert "nessun problema" in result.output


def test_xlsx_controlli_sheet(tmp_path):
    out = tmp_path / "audit.xlsx"
    assert run(OPERATIONAL, "--xlsx", out).exit_code == 1
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Controlli"]
    ws = wb["Controlli"]
    assert ws["A1"].value.startswith("Audit del piano — Camera di Commercio")
    [table] = ws.tables.values()
    rows = [[c.value for c in row] for row in ws[table.ref]]
    assert rows[0] == ["Controllo", "Gravità", "Codice", "Dove", "Problema"]
    assert sorted((r[2], r[1]) for r in rows[1:]) == [
        ("09.05_01", "avviso"), ("10.03_02", "avviso"), ("12.01_02", "avviso"),
        ("13.02_01", "errore")]
    summary = {ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 3).value)
               for r in range(5, 16)}   # one row per check, then «Totale»
    assert summary["Gradi pubblicati"] == (1, 0)
    assert summary["Valori implausibili"] == (0, 3)
    assert summary["Totale"] == (1, 3)


def test_consuntivi_from_a_table_are_merged_before_auditing(tmp_path):
    plan = load_plan(_clean_plan(tmp_path))
    # Last year's actual of 01.01_01 is 90 %: the 2023 target ">= 70,00 %" asks for less.
    actuals = tmp_path / "consuntivi.csv"
    actuals.write_text("Codice indicatore;Consuntivo 2022\n01.01_01;90 %\n", encoding="utf-8")
    result = run(tmp_path / "pulito.yaml", "--consuntivi", actuals, "--json")
    assert result.exit_code == 0, result.output
    [finding] = json.loads(result.output)
    assert (finding["controllo"], finding["subject"]) == (
        "Target rispetto all'anno precedente", "01.01_01")
    assert "90,00 %" in finding["message"]

    unknown = tmp_path / "ignoti.csv"
    unknown.write_text("Codice indicatore;Consuntivo 2023\nXX;1\n", encoding="utf-8")
    result = run(tmp_path / "pulito.yaml", "--consuntivi", unknown, "--json")
    assert result.exit_code == 1
    [finding] = json.loads(result.output)
    assert (finding["location"], finding["subject"], finding["severity"]) == (
        str(unknown), "XX", "errore")
    # A plan file as --consuntivi: its own actuals, so nothing changes.
    same = save_plan(plan, tmp_path / "consuntivi.json")
    assert run(tmp_path / "pulito.yaml", "--consuntivi", same).exit_code == 0


def test_a_flat_table_can_be_audited_directly(tmp_path):
    table = export_table(load_plan(OPERATIONAL), tmp_path / "piano.csv")
    result = run(table, "--anno", "2023", "--json")
    assert result.exit_code == 1
    assert {d["subject"] for d in json.loads(result.output)} == {
        "09.05_01", "10.03_02", "12.01_02", "13.02_01"}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("manca.yaml", None, "file non trovato"),
    ("piano.txt", "testo", "formato non supportato"),
    ("rotto.yaml", "ente: [", "YAML non valido"),
])
def test_unusable_plan_is_one_line_exit_1(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run(path)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_audit_command_is_a_plain_typer_command():
    import typer

    app = typer.Typer()
    app.command("audit")(audit_command)
    app.command("altro")(lambda: None)
    result = runner.invoke(app, ["audit", str(OPERATIONAL), "--anno", "2023"])
    assert result.exit_code == 1 and "13.02_01" in result.output
