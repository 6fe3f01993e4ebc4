"""consolida with named measures: values into the master (its Misure sheet and the plan
it carries), history rows for measure changes, and a measure two offices typed
differently reported with both files and cells (issue 18 acceptance)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.rollup import evaluate
from cruscotto_xl.io.planfile import plan_from_data, save_plan
from cruscotto_xl.returns.consolidate import consolidate, graded_plan, write_master
from cruscotto_xl.returns.locate import find_table
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.layout import TABLE_CONSOLIDATION, TABLE_MEASURES


def plan_data() -> dict:
    return {
        "ente": "Camera di Commercio di Prova", "anno": 2024,
        "uffici": [{"nome": "Registro"}, {"nome": "Statistica"}],
        "misure": [{"codice": "ProvStrut", "nome": "Provvedimenti", "unita": "N.",
                    "ufficio": "Registro"},
                   {"codice": "OnStrut", "nome": "Provvedimenti online"},
                   {"codice": "N_Impr", "nome": "Imprese attive"}],
        "ambiti": [{"codice": "1", "titolo": "Ambito", "obiettivi": [
            {"codice": "1.1", "titolo": "Registro", "uffici": ["Registro"], "indicatori": [
                {"codice": "EC27", "nome": "Quota", "target": {2024: ">= 80 %"},
                 "formula": "(ProvStrut - OnStrut) / ProvStrut", "unita": "%"}]},
            {"codice": "1.2", "titolo": "Statistica", "uffici": ["Statistica"], "indicatori": [
                {"codice": "EC29", "nome": "Provvedimenti per impresa",
                 "target": {2024: ">= 0,1"}, "formula": "ProvStrut / N_Impr"}]}]}],
    }


def returned(plan, folder: Path, values: dict[str, dict[str, object]]) -> dict[str, Path]:
    """One workbook per office with its measures typed (office → code → value)."""
    folder.mkdir(exist_ok=True)
    paths = {}
    for office, path in workbook_jobs(plan, folder, per_office=True):
        write_workbook(plan, path, office=office)
        wb = openpyxl.load_workbook(path)
        for row in find_table(wb, TABLE_MEASURES).rows:
            value = values[office].get(row["Codice"].value)
            if value is not None:
                row["Valore"].value = value
        wb.save(path)
        paths[office] = path
    return paths


def measure_cell(path: Path, code: str) -> str:
    wb = openpyxl.load_workbook(path)
    row = next(r for r in find_table(wb, TABLE_MEASURES).rows if r["Codice"].value == code)
    return f"{path.name} › Misure!{row['Valore'].coordinate}"


def test_agreeing_offices_give_the_master_one_value_per_measure_and_history(tmp_path):
    plan = plan_from_data(plan_data())
    returned(plan, tmp_path / "ritorni", {"Registro": {"ProvStrut": 200, "OnStrut": 50},
                                          "Statistica": {"ProvStrut": 200, "N_Impr": 1000}})
    result = consolidate(tmp_path / "ritorni", plan)
    assert not [p for p in result.problems if p.severity == "errore"], result.problems
    assert result.measures == {"ProvStrut": 200.0, "OnStrut": 50.0, "N_Impr": 1000.0}
    assert result.measure_sources["ProvStrut"][0] == "Registro, Statistica"
    master = tmp_path / "cruscotto.xlsx"
    write_master(result, master)
    reading = read_workbook(master)
    assert reading.measure_values() == {"ProvStrut": 200.0, "OnStrut": 50.0, "N_Impr": 1000.0}
    held = reading.held_plan()
    assert held.measure_values(2024) == {"ProvStrut": 200.0, "OnStrut": 50.0, "N_Impr": 1000.0}
    embedded = reading.embedded_plan().measures[0].value_for(2024)
    assert embedded is not None and embedded.office == "Registro, Statistica"
    rows = {r[2]: r for r in reading.history}
    assert rows["misura ProvStrut"][4:6] == ("vuoto", "200")
    assert rows["misura N_Impr"][1] == "Statistica"
    # grades by hand: EC27 = 150/200 = 0.75 → 0.9375; EC29 = 0.2 ≥ 0.1 → 1
    graded = {n.code: n.grade.value for n in evaluate(graded_plan(result)).walk()
              if n.level == "indicatore"}
    assert graded == pytest.approx({"EC27": 0.9375, "EC29": 1.0})

    # a second consolidation with a changed measure appends one history row for it
    returned(plan, tmp_path / "ritorni", {"Registro": {"ProvStrut": 220, "OnStrut": 50},
                                          "Statistica": {"ProvStrut": 220, "N_Impr": 1000}})
    write_master(consolidate(tmp_path / "ritorni", plan), master)
    history = [r for r in read_workbook(master).history if r[2] == "misura ProvStrut"]
    assert [r[4:6] for r in history] == [("vuoto", "200"), ("200", "220")]


def test_two_offices_typing_a_shared_measure_differently_are_reported_with_both_cells(
        tmp_path):
    plan = plan_from_data(plan_data())
    paths = returned(plan, tmp_path / "ritorni",
                     {"Registro": {"ProvStrut": 200, "OnStrut": 50},
                      "Statistica": {"ProvStrut": 210, "N_Impr": 1000}})
    result = consolidate(tmp_path / "ritorni", plan)
    [conflict] = [p for p in result.problems if p.subject == "ProvStrut"]
    registro = measure_cell(paths["Registro"], "ProvStrut")
    statistica = measure_cell(paths["Statistica"], "ProvStrut")
    assert conflict.severity == "errore"
    assert f"Registro: 200,0000 ({registro})" in conflict.message
    assert f"Statistica: 210,0000 ({statistica})" in conflict.message
    assert "ProvStrut" not in result.measures          # none chosen
    assert "ProvStrut" in result.unusable_measures
    # the master lists it in Controlli, and its grades say the measure is missing
    master = tmp_path / "cruscotto.xlsx"
    write_master(result, master)
    wb = openpyxl.load_workbook(master)
    messages = [r["Problema"].value for r in find_table(wb, TABLE_CONSOLIDATION).rows]
    assert any(registro in m and statistica in m for m in messages if m)
    assert read_workbook(master).measure_values()["ProvStrut"] is None
    # and the command line shows it
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    out = CliRunner().invoke(app, ["consolida", str(tmp_path / "ritorni"), "--plan",
                                   str(plan_file), "--out", str(tmp_path / "cli.xlsx")])
    assert out.exit_code == 1, out.output
    flat = " ".join(out.output.split())
    assert "ProvStrut" in flat and "210,0000" in flat and "200,0000" in flat


def test_esporta_livello_misure_exports_the_masters_measure_values(tmp_path):
    plan = plan_from_data(plan_data())
    returned(plan, tmp_path / "ritorni", {"Registro": {"ProvStrut": 200, "OnStrut": 50},
                                          "Statistica": {"ProvStrut": 200, "N_Impr": 1000}})
    master = tmp_path / "cruscotto.xlsx"
    write_master(consolidate(tmp_path / "ritorni", plan), master)
    out = tmp_path / "misure.csv"
    run = CliRunner().invoke(app, ["esporta", str(master), "--out", str(out), "--livello",
                                   "misure"])
    assert run.exit_code == 0, run.output
    assert "3 misure" in " ".join(run.output.split())
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]
    final = {r["Codice indicatore"]: r for r in rows if r["Periodo"] == "31/12"}
    assert {c: (r["Livello"], r["Consuntivo"], r["Uffici"], r["Nota"])
            for c, r in final.items()} == {
        "ProvStrut": ("misura", "200", "Registro, Statistica", "usata da: EC27, EC29"),
        "OnStrut": ("misura", "50", "Registro", "usata da: EC27"),
        "N_Impr": ("misura", "1000", "Statistica", "usata da: EC29")}
    assert {r["Consuntivo"] for r in rows if r["Periodo"] == "30/06"} == {""}
    # the indicator table of the same master is unchanged by measures: no misura rows
    indicators = tmp_path / "indicatori.csv"
    CliRunner().invoke(app, ["esporta", str(master), "--out", str(indicators)])
    assert ";misura;" not in indicators.read_text(encoding="utf-8-sig")


def test_the_consolida_button_fills_the_masters_measures_like_the_cli(tmp_path):
    from cruscotto_xl.excel import macros
    from cruscotto_xl.excel.port import OpenpyxlPort

    plan = plan_from_data(plan_data())
    returned(plan, tmp_path / "ritorni", {"Registro": {"ProvStrut": 200, "OnStrut": 50},
                                          "Statistica": {"ProvStrut": 200, "N_Impr": 1000}})
    master = tmp_path / "principale.xlsx"
    write_workbook(plan, master)
    port = OpenpyxlPort(master)
    result = macros.consolida(port, tmp_path / "ritorni")
    assert result.ok, result.message
    saved = tmp_path / "salvato.xlsx"
    port.save(saved)
    reading = read_workbook(saved)
    assert reading.measure_values() == {"ProvStrut": 200.0, "OnStrut": 50.0, "N_Impr": 1000.0}
    assert {r[2] for r in reading.history} >= {"misura ProvStrut", "misura OnStrut",
                                               "misura N_Impr"}
