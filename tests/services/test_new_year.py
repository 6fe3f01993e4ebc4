"""Next year from the master: the year's actuals become history and references, the
workbooks are for the first monitoring period, each office sees its own changes, and a
failed run leaves the output folder as it was."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.io.planfile import load_plan, plan_from_data, save_plan
from cruscotto_xl.services import generate
from cruscotto_xl.services.filling import fill_workbook

runner = CliRunner()

PLAN = {
    "ente": "Comune di prova", "anno": 2023, "id": "prova-2023", "anni_target": [2023, 2024],
    "uffici": [{"nome": "Ufficio A"}, {"nome": "Ufficio B"}],
    "ambiti": [{"codice": "A1", "titolo": "Servizi", "obiettivi": [
        {"codice": "OS1", "titolo": "Pratiche", "peso": 60, "uffici": ["Ufficio A"],
         "indicatori": [
             {"codice": "R1", "nome": "Pratiche evase", "peso": 50,
              "target": {2023: ">= 100", 2024: "> x-1"}},
             {"codice": "R2", "nome": "Giorni di attesa", "peso": 50,
              "target": {2023: "<= 10 gg", 2024: "< x-1"}}]},
        {"codice": "OS2", "titolo": "Eventi", "peso": 40, "uffici": ["Ufficio B"],
         "indicatori": [
             {"codice": "B1", "nome": "Eventi organizzati", "target": {2023: ">= 10"},
              "target_periodi": {2023: {"30/06": ">= 4"}}},
             {"codice": "B2", "nome": "Seminari", "target": {2023: ">= 2", 2024: ">= 2"}}]}]}],
}
TYPED = {"R1": Typed(120.0), "R2": Typed(8.5), "B1": Typed(12.0), "B2": Typed(3.0)}


@pytest.fixture(scope="module")
def year_2023(tmp_path_factory) -> tuple[Path, Path]:
    """The 2023 plan and its master, consolidated from two offices' year-end workbooks."""
    root = tmp_path_factory.mktemp("anno2023")
    plan_file = save_plan(plan_from_data(PLAN, "<prova>"), root / "piano-2023.yaml")
    books, master = root / "ritorni", root / "cruscotto-2023.xlsx"
    result = runner.invoke(app, ["genera", str(plan_file), "--out", str(books),
                                 "--per-ufficio"])
    assert result.exit_code == 0, result.output
    for path in books.glob("*.xlsx"):
        fill_workbook(path, TYPED)
    result = runner.invoke(app, ["consolida", str(books), "--piano", str(plan_file),
                                 "--out", str(master)])
    assert result.exit_code == 0, result.output
    return plan_file, master


def _master_numbers(master: Path, code: str) -> set[float]:
    """Every number in the rows of the master that name ``code`` (openpyxl, not our
    reader): where the consolidated actual must be."""
    wb = openpyxl.load_workbook(master, data_only=True)
    found: set[float] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            if code in row:
                found |= {float(v) for v in row if isinstance(v, int | float)
                          and not isinstance(v, bool)}
    return found


def test_next_year_from_the_master(year_2023, tmp_path):
    plan_file, master = year_2023
    assert 120 in _master_numbers(master, "R1") and 8.5 in _master_numbers(master, "R2")
    out = tmp_path / "2024"
    result = runner.invoke(app, ["nuovo-anno", str(plan_file), "--anno", "2024",
                                 "--consolidato", str(master), "--out", str(out),
                                 "--per-ufficio"])
    assert result.exit_code == 0, result.output
    new = load_plan(out / "prova-2024.yaml")
    by_code = {s.indicator.code: s.indicator for s in new.indicators()}
    # the references of «> x-1» and «< x-1» are the 2023 actuals the offices typed
    assert by_code["R1"].references[2024] == 120
    assert by_code["R2"].references[2024] == 8.5
    # every actual of the year is in the plan's history
    assert {c: [(a.year, a.period, a.value) for a in i.actuals] for c, i in by_code.items()} \
        == {"R1": [(2023, "31/12", 120)], "R2": [(2023, "31/12", 8.5)],
            "B1": [(2023, "31/12", 12)], "B2": [(2023, "31/12", 3)]}
    # the window moves: 2024–2025, and no indicator has a 2025 target
    assert new.target_years == [2024, 2025]
    flat = " ".join(result.output.split())
    for code in ("R1", "R2", "B1", "B2"):
        assert code in flat
    assert flat.count("nessun target per il 2025") == 4
    # the offices' next task is the 30/06 monitoring
    books = sorted(p.name for p in out.glob("*.xlsx"))
    assert len(books) == 2 and all("_al_30-06" in name for name in books), books
    # B1's undated intermediate target rolled with its (carried) annual target
    assert by_code["B1"].period_targets[2024] == {"30/06": ">= 4"}
    assert not list(tmp_path.glob(".*parziale"))


def test_the_period_can_be_chosen(year_2023, tmp_path):
    plan_file, master = year_2023
    out = tmp_path / "fine"
    result = runner.invoke(app, ["nuovo-anno", str(plan_file), "--anno", "2024",
                                 "--consolidato", str(master), "--out", str(out),
                                 "--periodo", "31/12"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.glob("*.xlsx")] == ["prova-2024.xlsx"]
    bad = runner.invoke(app, ["nuovo-anno", str(plan_file), "--anno", "2024",
                              "--out", str(tmp_path / "x"), "--periodo", "15/03"])
    assert bad.exit_code == 1 and "15/03" in bad.output
    assert not (tmp_path / "x").exists()


def test_an_office_workbook_lists_only_its_own_changes(year_2023, tmp_path):
    plan_file, _ = year_2023
    changes = tmp_path / "delibera.yaml"
    changes.write_text(yaml.safe_dump({"delibera": "Delibera n. 9", "modifiche": [
        {"codice": "R1", "azione": "Aggiornato", "target": ">= 130"},
        {"codice": "B2", "azione": "Eliminato", "nota": "servizio chiuso"}]},
        allow_unicode=True), encoding="utf-8")
    out = tmp_path / "uffici"
    result = runner.invoke(app, ["nuovo-anno", str(plan_file), "--anno", "2024",
                                 "--modifiche", str(changes), "--out", str(out),
                                 "--per-ufficio"])
    assert result.exit_code == 0, result.output

    def log_of(office: str) -> str:
        (path,) = [p for p in out.glob("*.xlsx") if office in p.name]
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Istruzioni")
        return "\n".join(" ".join(map(str, r)) for r in rows.to_python())

    a, b = log_of("Ufficio_A"), log_of("Ufficio_B")
    assert "Aggiornato — R1" in a and "B2" not in a
    assert "Eliminato — B2" in b and "R1" not in b


def test_a_failed_run_leaves_the_output_folder_as_it_was(year_2023, tmp_path, monkeypatch):
    plan_file, master = year_2023
    out = tmp_path / "esistente"
    out.mkdir()
    (out / "appunti.txt").write_text("mie note", encoding="utf-8")
    calls = []
    real = generate.write_workbook

    def breaks_on_the_second(plan, path, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(plan, path, **kwargs)

    monkeypatch.setattr(generate, "write_workbook", breaks_on_the_second)
    args = ["nuovo-anno", str(plan_file), "--anno", "2024", "--consolidato", str(master),
            "--out", str(out), "--per-ufficio"]
    result = runner.invoke(app, args)
    assert result.exit_code != 0 and len(calls) == 2
    assert sorted(p.name for p in out.iterdir()) == ["appunti.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["esistente"]     # no staging left
    monkeypatch.undo()
    again = runner.invoke(app, args)                              # nothing refuses the re-run
    assert again.exit_code == 0, again.output
    assert sorted(p.suffix for p in out.iterdir()) == [".txt", ".xlsx", ".xlsx", ".yaml"]


def test_a_new_plan_with_errors_writes_nothing(year_2023, tmp_path):
    plan_file, _ = year_2023
    changes = tmp_path / "delibera.yaml"
    changes.write_text(yaml.safe_dump({"modifiche": [
        {"codice": "R1", "azione": "Aggiornato", "peso": 90}]}), encoding="utf-8")
    out = tmp_path / "nuovo"
    result = runner.invoke(app, ["nuovo-anno", str(plan_file), "--anno", "2024",
                                 "--modifiche", str(changes), "--out", str(out)])
    assert result.exit_code == 1
    assert "nessun file scritto" in " ".join(result.output.split())
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["delibera.yaml"]


def test_audit_takes_the_actuals_of_a_master(year_2023):
    """B2's 2024 target (>= 2) asks for less than its 2023 actual in the master (3)."""
    plan_file, master = year_2023

    def weaker(*extra: str) -> list[str]:
        result = runner.invoke(app, ["audit", str(plan_file), "--json", *extra])
        assert result.exit_code == 0, result.output
        return [f["subject"] for f in json.loads(result.output)
                if "meno sfidante del consuntivo 2023" in f["message"]]

    assert weaker() == []
    assert weaker("--consuntivi", str(master)) == ["B2"]
