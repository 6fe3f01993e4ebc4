"""``importa tabella``: measures and formulas (docs/tabella.md, «Misure e formule»). Every
expected value is written by hand from the table text of the test."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from support import DATA

from cruscotto_xl.core.plan_checks import check_measures
from cruscotto_xl.importers import import_pira
from cruscotto_xl.importers.tabella import export_table, import_table
from cruscotto_xl.io.planfile import plan_to_data

HEAD = "Ente;Camera di prova\nAnno;2024\n\n"
INDICATORS = (
    "Codice OS;Obiettivo strategico;Codice indicatore;Indicatore;Descrizione indicatore;"
    "Formula;Unità;Tipologia;Fonte;Baseline;Anno baseline;Target 2024\n"
    "01;Equilibrio;EC27;Indice equilibrio strutturale;Copertura degli oneri;"
    "(ProvStrut - OnStrut) / ProvStrut;%;Salute economica;Bilancio;12 %;2022;>= 10 %\n"
    "01;Equilibrio;DFP 1.3;Copertura formativa;;Dip_Form / (Unit_Stab + N_Dir);%;Efficacia;"
    "Ufficio personale;;;>= 90 %\n"
)
MEASURES = (
    "Codice misura;Misura;Unità;Ufficio;Fonte\n"
    "ProvStrut;Proventi strutturali;€;Ragioneria;Bilancio d'esercizio\n"
    "OnStrut;Oneri strutturali;€;Ragioneria;Bilancio d'esercizio\n"
    "Dip_Form;Dipendenti formati;N.;Personale;\n"
    "Unit_Stab;Unità di personale (TI+TD);N.;Personale;\n"
    "N_Dir;Numero di dirigenti;N.;Personale;\n"
)


def _write(tmp_path: Path, text: str, name: str = "tabella.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _formulas(plan) -> dict[str, str | None]:
    return {s.indicator.code: s.indicator.formula for s in plan.indicators()}


def test_a_table_of_measures_below_the_indicators(tmp_path):
    result = import_table(_write(tmp_path, HEAD + INDICATORS + "\n" + MEASURES))
    plan = result.plan
    assert not result.errors
    assert _formulas(plan) == {"EC27": "(ProvStrut - OnStrut) / ProvStrut",
                               "DFP 1.3": "Dip_Form / (Unit_Stab + N_Dir)"}
    assert [(m.code, m.name, m.unit, m.office, m.source) for m in plan.measures] == [
        ("ProvStrut", "Proventi strutturali", "€", "Ragioneria", "Bilancio d'esercizio"),
        ("OnStrut", "Oneri strutturali", "€", "Ragioneria", "Bilancio d'esercizio"),
        ("Dip_Form", "Dipendenti formati", "N.", "Personale", None),
        ("Unit_Stab", "Unità di personale (TI+TD)", "N.", "Personale", None),
        ("N_Dir", "Numero di dirigenti", "N.", "Personale", None)]
    assert not check_measures(plan)
    ec27 = next(s.indicator for s in plan.indicators() if s.indicator.code == "EC27")
    assert (ec27.description, ec27.kind, ec27.source) == (
        "Copertura degli oneri", "Salute economica", "Bilancio")
    assert (ec27.baseline.value, ec27.baseline.year) == (0.12, 2022)
    assert ec27.algorithm is None and ec27.numerator is None


def test_a_sheet_of_measures_in_the_workbook(tmp_path):
    path = tmp_path / "piano.xlsx"
    book = openpyxl.Workbook()
    misure = book.active
    misure.title = "Misure"                       # first sheet: not the indicator table
    for row in ([["Codice", "Nome", "Unità"]] + [line.split(";")[:3] for line in
                                                 MEASURES.splitlines()[1:]]):
        misure.append(row)
    piano = book.create_sheet("Piano")
    for line in (HEAD + INDICATORS).splitlines():
        piano.append(line.split(";") if line else [])
    book.save(path)
    result = import_table(path)
    assert not result.errors and not any("non letto" in p.message for p in result.problems)
    assert _formulas(result.plan)["DFP 1.3"] == "Dip_Form / (Unit_Stab + N_Dir)"
    assert [(m.code, m.name, m.unit) for m in result.plan.measures][-1] == (
        "N_Dir", "Numero di dirigenti", "N.")
    assert not check_measures(result.plan)


def test_codes_only_in_the_formula_are_not_invented(tmp_path):
    result = import_table(_write(tmp_path, HEAD + INDICATORS))
    assert result.plan.measures == []
    assert not result.errors
    unknown = [p.message for p in check_measures(result.plan)]
    assert len(unknown) == 2
    assert "misure sconosciute «ProvStrut», «OnStrut»" in unknown[0]
    assert "misure sconosciute «Dip_Form», «Unit_Stab», «N_Dir»" in unknown[1]


def test_measures_named_in_the_row_or_in_the_formula(tmp_path):
    text = HEAD + (
        "Codice OS;Obiettivo strategico;Codice indicatore;Indicatore;Formula;Misure;"
        "Codice misura;Misura;Target 2024\n"
        "01;O;I1;Quota digitale;N_Dig / N_Att;\"N_Dig: Imprese digitali\nN_Att = Imprese "
        "attive\";;;>= 5 %\n"
        "01;O;I2;Ritardo;GG_Tot Giorni di attesa / N_Prat Pratiche concluse;;;;<= 3\n"
        "01;O;I3;Quota registrate;N_Reg / N_Att;;N_Reg;Imprese registrate;>= 50 %\n"
        ";;;;;;N_Extra;Misura di sola definizione;\n")
    result = import_table(_write(tmp_path, text))
    assert not result.errors
    assert _formulas(result.plan) == {"I1": "N_Dig / N_Att", "I2": "GG_Tot / N_Prat",
                                      "I3": "N_Reg / N_Att"}
    assert [(m.code, m.name) for m in result.plan.measures] == [
        ("N_Dig", "Imprese digitali"), ("N_Att", "Imprese attive"),
        ("GG_Tot", "Giorni di attesa"), ("N_Prat", "Pratiche concluse"),
        ("N_Reg", "Imprese registrate"), ("N_Extra", "Misura di sola definizione")]
    assert len(list(result.plan.indicators())) == 3
    [unused] = check_measures(result.plan)
    assert unused.severity == "avviso" and "«N_Extra» non usata" in unused.message


def test_a_measure_defined_twice_with_different_names(tmp_path):
    text = HEAD + INDICATORS + "\n" + MEASURES + "N_Dir;Dirigenti in servizio;N.;Personale;\n"
    result = import_table(_write(tmp_path, text))
    [error] = result.errors
    # HEAD is 3 lines, INDICATORS 3, a blank line, MEASURES 6 (N_Dir on line 13), then 14
    assert error.where.lines == (14,)
    assert error.message == ("misura «N_Dir» chiamata «Numero di dirigenti» (riga 13) e "
                             "«Dirigenti in servizio» (riga 14): vale il primo nome: correggere "
                             "la tabella")
    assert next(m for m in result.plan.measures if m.code == "N_Dir").name == \
        "Numero di dirigenti"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_unreadable_formula_names_file_sheet_cell_text_and_position(tmp_path, suffix):
    text = HEAD + INDICATORS.replace("Dip_Form / (Unit_Stab + N_Dir)",
                                     "Dip_Form / (Unit_Stab + N_Dir") + "\n" + MEASURES
    path = _write(tmp_path, text)
    if suffix == ".xlsx":
        book = openpyxl.Workbook()
        book.active.title = "Piano"
        for line in text.splitlines():
            book.active.append(line.split(";") if line else [])
        path = tmp_path / "tabella.xlsx"
        book.save(path)
    result = import_table(path)
    [error] = result.errors
    # «Formula» is the 6th column (F); DFP 1.3 is on line 6
    assert error.where.file == path.name
    assert error.where.cell == "F6"
    assert error.where.sheet == ("Piano" if suffix == ".xlsx" else "")
    assert error.where.lines == (6,)
    assert "colonna «Formula» (cella F6)" in error.message
    assert "«Dip_Form / (Unit_Stab + N_Dir»" in error.message
    # the text has 29 characters: the missing «)» is at position 30
    assert "parentesi aperta e mai chiusa (posizione 30" in error.message
    dfp = next(s.indicator for s in result.plan.indicators() if s.indicator.code == "DFP 1.3")
    assert dfp.formula is None and dfp.algorithm == "Dip_Form / (Unit_Stab + N_Dir"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_keeps_measures_and_formulas(tmp_path, suffix):
    first = import_table(_write(tmp_path, HEAD + INDICATORS + "\n" + MEASURES)).plan
    path = export_table(first, tmp_path / f"esportata{suffix}")
    if suffix == ".xlsx":
        assert openpyxl.load_workbook(path).sheetnames == ["Piano", "Misure"]
    again = import_table(path)
    assert not again.errors
    assert plan_to_data(again.plan) == plan_to_data(first)
    assert again.plan.measures == first.measures and len(first.measures) == 5
    assert _formulas(again.plan) == _formulas(first)


def test_a_formula_in_words_is_kept_as_the_algorithm(tmp_path):
    text = HEAD + ("Codice OS;Obiettivo strategico;Codice indicatore;Indicatore;Formula;"
                   "Target 2024\n"
                   "01;O;I1;Evasione;Pratiche evase / Pratiche ricevute;>= 90 %\n"
                   "01;O;I2;Quota;N. pratiche evase entro 5 gg / N. pratiche;>= 50 %\n")
    result = import_table(_write(tmp_path, text))
    assert not result.errors and result.plan.measures == []
    first, second = (s.indicator for s in result.plan.indicators())
    assert (first.formula, first.algorithm) == (None, "Pratiche evase / Pratiche ricevute")
    assert (second.formula, second.algorithm) == (None,
                                                  "N. pratiche evase entro 5 gg / N. pratiche")
    warnings = [p for p in result.warnings if "non usa codici di misura" in p.message]
    assert [(p.where.cell, p.subject) for p in warnings] == [("E5", "I1"), ("E6", "I2")]


def test_seed_004_through_the_table_and_back(tmp_path):
    plan = import_pira(DATA / "004_b59b20b8390521e9.txt",
                       entity="Camera di Commercio della Toscana Nord-Ovest").plan
    for suffix in (".csv", ".xlsx"):
        again = import_table(export_table(plan, tmp_path / f"piano{suffix}"))
        assert not again.problems
        assert plan_to_data(again.plan) == plan_to_data(plan)
        assert len(again.plan.measures) == 43


def test_a_misura_column_without_codes_is_an_extra_column(tmp_path):
    text = HEAD + ("Codice OS;Obiettivo strategico;Codice indicatore;Indicatore;Misura;"
                   "Target 2024\n01;O;I1;Pratiche evase;%;>= 90 %\n")
    result = import_table(_write(tmp_path, text))
    assert not result.errors and result.plan.measures == []
    assert next(result.plan.indicators()).indicator.extra == {"Misura": "%"}
