"""``cruscotto esporta`` and ``cruscotto_xl.frame``: the year's data of a two-period master
as one tidy row per indicator × period, checked against the master's own cells (openpyxl on
its crx_ind_* tables, grades recalculated by LibreOffice), re-read as CSV by pandas and by
the csv module, typed as a DataFrame, and fed back to ``audit --consuntivi``."""

from __future__ import annotations

import builtins
import csv
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
import yaml
from support import EXAMPLES
from support.periods_plan import FINAL, MID, set_input, two_period_plan
from typer.testing import CliRunner

import cruscotto_xl
from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.core.vocabulary import csv_safe_text, csv_unquoted_text
from cruscotto_xl.importers.tabella import read_table_actuals
from cruscotto_xl.io.libreoffice import find_soffice, recalculate
from cruscotto_xl.io.planfile import save_plan
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import fill_workbook

runner = CliRunner()
CODES = ["K1", "K2", "K3", "K4", "K5", "K6"]
INJECTED = "-10 % rispetto al 2023 (=stima)"


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    """30/06 and 31/12 consolidated into one master, through the command line; Ufficio A's
    K1 note at 31/12 starts with «-» (a formula, if a spreadsheet were careless)."""
    root = tmp_path_factory.mktemp("esporta")
    plan_file = save_plan(two_period_plan(), root / "piano.yaml")
    mid_dir, final_dir, out = root / "giugno", root / "dicembre", root / "cruscotto.xlsx"
    assert runner.invoke(app, ["genera", str(plan_file), "--out", str(mid_dir), "--per-ufficio",
                               "--periodo", "30/06"]).exit_code == 0
    for path in mid_dir.glob("*.xlsx"):
        fill_workbook(path, MID)
    result = runner.invoke(app, ["consolida", str(mid_dir), "--piano", str(plan_file),
                                 "--out", str(out), "--periodo", "30/06"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["genera", str(plan_file), "--out", str(final_dir),
                                 "--per-ufficio", "--periodo", "31/12", "--consolidato",
                                 str(out)])
    assert result.exit_code == 0, result.output
    for path in final_dir.glob("*.xlsx"):
        fill_workbook(path, FINAL)
        if "Ufficio_A" in path.name:
            set_input(path, "K1", "note", INJECTED)
    result = runner.invoke(app, ["consolida", str(final_dir), "--piano", str(plan_file),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    return root, plan_file, out


def _master_cells(path):
    """(code, period) → the master's cells by header, read with openpyxl alone."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in wb.worksheets:
        for name, ref in ws.tables.items():
            if not name.startswith("crx_ind"):
                continue
            rows = list(ws[ref])
            headers = [c.value for c in rows[0]]
            for row in rows[1:]:
                cells = dict(zip(headers, (c.value for c in row), strict=True))
                code = cells["Codice"]
                out[(code, "31/12")] = {k: cells[k] for k in (
                    "Consuntivo", "Valore numeratore", "Valore denominatore", "Note",
                    "Grado", "Target", "Peso")}
                out[(code, "30/06")] = {"Consuntivo": cells["Consuntivo 30/06"],
                                        "Grado": cells["Grado 30/06"],
                                        "Target": cells["Target 30/06"], "Peso": cells["Peso"]}
    return out


def _number(text: str) -> float | None:
    return None if text == "" else float(text.replace(",", "."))


def _export(tmp_path, master_file, name, *extra):
    out = tmp_path / name
    result = runner.invoke(app, ["esporta", str(master_file), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_one_row_per_indicator_and_period_with_the_masters_values(master, tmp_path):
    _, _, path = master
    out, printed = _export(tmp_path, path, "dati.csv")
    assert "6 indicatori, 12 righe" in printed
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                       # UTF-8 with BOM
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    keys = [(r["Codice indicatore"], r["Periodo"]) for r in rows]
    assert len(keys) == len(set(keys)) == 12
    assert set(keys) == {(c, p) for c in CODES for p in ("30/06", "31/12")}
    cells = _master_cells(path)
    for r in rows:
        held = cells[(r["Codice indicatore"], r["Periodo"])]
        assert r["Target"] == held["Target"]
        assert _number(r["Peso"]) == pytest.approx(held["Peso"] or 100 / 2)  # OS2: no weights
        value = held["Consuntivo"]
        if isinstance(value, datetime):
            assert r["Consuntivo"] == value.strftime("%d/%m/%Y")
        elif isinstance(value, str):
            assert r["Consuntivo"] == value                     # Sì / No
        elif r["Consuntivo"] == "":                              # only numerator/denominator
            assert value == pytest.approx(_number(r["Valore numeratore"])
                                          / _number(r["Valore denominatore"]))
        else:
            assert _number(r["Consuntivo"]) == pytest.approx(value, abs=0)
        if r["Periodo"] == "31/12":
            for header in ("Valore numeratore", "Valore denominatore"):
                assert _number(r[header]) == held[header]
    by = {(r["Codice indicatore"], r["Periodo"]): r for r in rows}
    assert by[("K3", "30/06")]["Consuntivo"] == "15/07/2024"         # dd/mm/yyyy
    assert by[("K4", "31/12")]["Consuntivo"] == "0,85"               # decimal comma
    assert by[("K4", "30/06")]["Valore numeratore"] == "30"
    assert by[("K1", "31/12")]["Nota"] == "'" + INJECTED             # injection-safe
    assert {r["Ente"] for r in rows} == {"Camera di prova"}
    assert {r["Anno"] for r in rows} == {"2024"}
    assert by[("K1", "31/12")]["Uffici"] == "Ufficio A"
    assert by[("K1", "31/12")]["Firma"] == "non firmata"            # Stato uffici of 31/12
    assert by[("K1", "30/06")]["Firma"] == ""                        # not known for 30/06


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice non installato")
def test_grades_equal_the_masters_formulas_recalculated(master, tmp_path):
    _, _, path = master
    out, _ = _export(tmp_path, path, "dati.csv")
    recalculated = recalculate([path], tmp_path / "rc")[path]
    cells = _master_cells(recalculated)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    for r in rows:
        held = cells[(r["Codice indicatore"], r["Periodo"])]["Grado"]
        assert isinstance(held, int | float), (r["Codice indicatore"], held)
        assert _number(r["Grado calcolato"]) == pytest.approx(held, abs=1e-9)


def test_pandas_and_the_csv_module_read_the_same_values(master, tmp_path):
    _, _, path = master
    out, _ = _export(tmp_path, path, "dati.csv")
    df = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Anno": "Int64"},
                     keep_default_na=False, na_values=[""])
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert len(df) == len(rows) == 12
    assert df["Grado calcolato"].dtype == "float64"
    assert df["Valore numeratore"].dtype == "float64"
    for i, r in enumerate(rows):
        for header in ("Grado calcolato", "Peso", "Valore numeratore", "Valore denominatore",
                       "Target numerico"):
            a, b = df[header].iloc[i], _number(r[header])
            assert (pd.isna(a) and b is None) or a == b, (header, a, b)
        assert str(df["Codice indicatore"].iloc[i]) == r["Codice indicatore"]
        got = df["Consuntivo"].iloc[i]
        assert ("" if pd.isna(got) else str(got)) == r["Consuntivo"]


def test_frame_is_typed(master):
    _, plan_file, path = master
    df = cruscotto_xl.frame(path)
    assert len(df) == 12
    for column in ("peso", "target_numerico", "riferimento", "numeratore", "denominatore",
                   "consuntivo", "grado"):
        assert df[column].dtype == "float64", column
    assert df["anno"].dtype == "Int64"
    assert str(df["consuntivo_data"].dtype).startswith("datetime64")
    assert df["codice"].dtype == "string" and df["valutazione"].dtype == "string"
    k3 = df[(df["codice"] == "K3") & (df["periodo"] == "30/06")].iloc[0]
    assert k3["consuntivo_data"] == pd.Timestamp(2024, 7, 15) and pd.isna(k3["consuntivo"])
    k6 = df[(df["codice"] == "K6") & (df["periodo"] == "31/12")].iloc[0]
    assert k6["consuntivo_testo"] == "Sì" and k6["grado"] == 1.0
    k1 = df[(df["codice"] == "K1") & (df["periodo"] == "31/12")].iloc[0]
    assert k1["consuntivo"] == 90.0 and k1["grado"] == pytest.approx(0.9)
    # a plan without actuals: every period, nothing graded, never a 0
    plan_df = cruscotto_xl.frame(plan_file)
    assert len(plan_df) == 12 and plan_df["grado"].isna().all()
    assert plan_df["valutazione"].str.startswith("Non valutabile").all()


def test_all_levels_add_the_rollup_rows(master, tmp_path):
    _, _, path = master
    df = cruscotto_xl.frame(path, "tutti")
    counts = df.groupby("livello").size().to_dict()
    # per period: 1 ente, 1 ambito, 3 OS, 6 indicators
    assert counts == {"ente": 2, "ambito": 2, "obiettivo strategico": 6, "indicatore": 12}
    ente = df[(df["livello"] == "ente") & (df["periodo"] == "31/12")].iloc[0]
    # by hand: OS1 = (40·0.9 + 30·1 + 30·1)/100 = 0.96, OS2 = OS3 = 1; ente = 0.5·0.96 + 0.3 + 0.2
    assert ente["grado"] == pytest.approx(0.98)
    _, printed = _export(tmp_path, path, "tutti.csv", "--livello", "tutti")
    assert "22 righe" in printed


def test_xlsx_keeps_numbers_and_quotes_texts(master, tmp_path):
    _, _, path = master
    out, _ = _export(tmp_path, path, "dati.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    rows = [dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 12
    k1 = next(r for r in rows if r["Codice indicatore"].value == "K1"
              and r["Periodo"].value == "31/12")
    assert k1["Consuntivo"].value == 90 and k1["Grado calcolato"].value == pytest.approx(0.9)
    assert k1["Nota"].value == INJECTED and k1["Nota"].data_type == "s"
    assert k1["Nota"].quotePrefix
    k3 = next(r for r in rows if r["Codice indicatore"].value == "K3"
              and r["Periodo"].value == "30/06")
    assert k3["Consuntivo"].value.date() == date(2024, 7, 15)


def test_round_trip_through_audit_consuntivi(master, tmp_path):
    _, plan_file, path = master
    held = read_workbook(path).held_plan()
    for name in ("dati.csv", "dati.xlsx"):
        out, _ = _export(tmp_path, path, name)
        table = read_table_actuals(out)
        assert not [p for p in table.problems if p.severity == "errore"]
        for slot in held.indicators():
            ind = slot.indicator
            back = {(a.year, a.period): a for a in table.actuals[ind.code]}
            assert set(back) == {(2024, "30/06"), (2024, "31/12")}
            for a in ind.actuals:
                b = back[(a.year, a.period)]
                assert (b.typed, b.numerator, b.denominator, b.note) == \
                    (a.typed, a.numerator, a.denominator, a.note), (ind.code, a.period)
    result = runner.invoke(app, ["audit", str(plan_file), "--consuntivi",
                                 str(tmp_path / "dati.csv")])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


def test_overwrite_format_and_parquet_without_pyarrow(master, tmp_path, monkeypatch):
    _, _, path = master
    out, _ = _export(tmp_path, path, "dati.csv")
    again = runner.invoke(app, ["esporta", str(path), "--out", str(out)])
    assert again.exit_code == 1 and "--sovrascrivi" in again.output
    assert runner.invoke(app, ["esporta", str(path), "--out", str(out),
                               "--sovrascrivi"]).exit_code == 0
    wrong = runner.invoke(app, ["esporta", str(path), "--out", str(tmp_path / "dati.txt")])
    assert wrong.exit_code == 1 and ".parquet" in wrong.output
    level = runner.invoke(app, ["esporta", str(path), "--out", str(tmp_path / "x.csv"),
                                "--livello", "ente"])
    assert level.exit_code == 1 and "tutti" in level.output

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    result = runner.invoke(app, ["esporta", str(path), "--out", str(tmp_path / "d.parquet")])
    assert result.exit_code == 1
    assert "pip install pyarrow" in " ".join(result.output.split())
    assert not (tmp_path / "d.parquet").exists()


def test_an_office_workbook_gives_its_own_rows(tmp_path):
    plan = two_period_plan()
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    folder = tmp_path / "uffici"
    assert runner.invoke(app, ["genera", str(plan_file), "--out", str(folder),
                               "--per-ufficio", "--periodo", "30/06"]).exit_code == 0
    path = next(p for p in folder.glob("*.xlsx") if "Ufficio_B" in p.name)
    fill_workbook(path, {"K4": Typed("97,5 %"), "K5": Typed(5.0)})
    df = cruscotto_xl.frame(path)
    assert list(df["codice"]) == ["K4", "K5"] and list(df["periodo"]) == ["30/06", "30/06"]
    assert df["consuntivo"].tolist() == pytest.approx([0.975, 5.0])
    assert set(df["firma"]) == {"non firmata"}


def test_csv_text_cells_are_safe_and_come_back():
    cases = {"=1+1": "'=1+1", "+39 055": "'+39 055", "-10 %": "'-10 %", "@A1": "'@A1",
             "\tx": "'\tx", "\rx": "'\rx", "Sì": "Sì", "it's": "it's", "": ""}
    for text, safe in cases.items():
        assert csv_safe_text(text) == safe
        assert csv_unquoted_text(safe) == text
    assert csv_unquoted_text("'ciao") == "'ciao"       # a quote before plain text stays


def test_a_real_plan_with_its_published_actuals(tmp_path):
    """The operational plan of the seeds: one row per indicator (counted on the YAML by
    PyYAML) and period, the 2023 values as the YAML has them, nothing ungraded shown as 0."""
    source = EXAMPLES / "piano-operativo-2023.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    expected = {}
    for area in data["ambiti"]:
        for os_ in area["obiettivi"]:
            groups = [os_.get("indicatori", [])] + [
                oo.get("indicatori", []) for oo in os_.get("obiettivi_operativi", [])]
            for ind in (i for group in groups for i in group):
                final = [a for a in ind.get("consuntivi", [])
                         if a["anno"] == 2023 and a.get("periodo", "31/12") == "31/12"]
                expected[str(ind["codice"])] = final[0].get("valore") if final else None
    assert len(expected) == 101
    out = tmp_path / "dati.csv"
    result = runner.invoke(app, ["esporta", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert len(rows) == 2 * 101
    final = {r["Codice indicatore"]: r for r in rows if r["Periodo"] == "31/12"}
    assert set(final) == set(expected)
    for code, value in expected.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert _number(final[code]["Consuntivo"]) == pytest.approx(value, abs=0), code
    for r in rows:
        if r["Grado calcolato"] == "":
            assert r["Valutazione"].startswith(("Non valutabile", "Neutralizzato")), r
