"""Flat tables of other bodies: descriptions, extra columns, numbered ambiti, owners.

The tables are written by hand after real ones: a chamber's 31-indicator ``;`` table (a
«Descrizione indicatore» column, 21 indicators with an empty «Ufficio», a «Risorse
interventi economici» column, ambiti numbered 1/2/3), a municipality's table with
«Settore» and «Servizio responsabile», and tables with the headers in another order and
other spellings. Expected values are written here by hand or counted from the source with
the ``csv`` module, never taken from the importer.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from support import DATA

from cruscotto_xl.core.model import Plan
from cruscotto_xl.core.tree import unowned_indicators
from cruscotto_xl.importers.tabella import TableExportError, export_table, import_table
from cruscotto_xl.io.planfile import plan_to_data

TABLES = DATA / "tabelle"
CAMERA = TABLES / "camera_31_indicatori.csv"
ENTE = "Camera di Commercio di Valdarno e Colline"


def _source_rows(path: Path) -> list[dict[str, str]]:
    """The data rows of a ``;`` table as the csv module reads them (header = first row)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _indicators(plan: Plan) -> dict[str, object]:
    return {s.indicator.code: s for s in plan.indicators()}


def _write(tmp_path: Path, text: str, name: str = "tabella.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def camera():
    return import_table(CAMERA, entity=ENTE)


# --- the chamber's 31-indicator table ---------------------------------------------------

def test_camera_every_row_is_an_indicator_with_its_description(camera):
    rows = _source_rows(CAMERA)
    assert len(rows) == 31
    assert not camera.has_errors, camera.errors
    plan = camera.plan
    assert (plan.entity, plan.year, plan.target_years) == (ENTE, 2024, [2024, 2025, 2026])
    slots = _indicators(plan)
    assert list(slots) == [r["Codice indicatore"] for r in rows]
    for row in rows:   # the description is the description, never a second name
        ind = slots[row["Codice indicatore"]].indicator
        assert (ind.name, ind.description) == (row["Indicatore"], row["Descrizione indicatore"])
    kpi_02 = slots["KPI_02"].indicator
    assert kpi_02.name == "Identità digitali rilasciate"
    assert kpi_02.description.startswith("Dispositivi di firma digitale e SPID")
    assert kpi_02.kind == "Volume" and kpi_02.baseline.value == 4870
    assert slots["KPI_04"].indicator.baseline.value == pytest.approx(0.785)
    assert slots["KPI_10"].indicator.offices == ["Registro Imprese", "Ragioneria"]


def test_camera_numbered_ambiti_are_codes(camera):
    plan = camera.plan
    assert [(a.code, a.title) for a in plan.areas] == [
        ("1", "Ambito 1"), ("2", "Ambito 2"), ("3", "Ambito 3")]
    [warning] = [p for p in camera.warnings if "con soli numeri" in p.message]
    assert warning.location == "riga 1" and "(1, 2, 3)" in warning.message
    assert [len(a.objectives) for a in plan.areas] == [3, 2, 2]


def test_camera_unknown_column_is_kept_on_its_objective(camera):
    rows = _source_rows(CAMERA)
    by_oo = {}
    for row in rows:   # the column repeats one value on every row of an operational objective
        by_oo.setdefault(row["Obiettivo operativo"], set()).add(row["Risorse interventi economici"])
    assert all(len(v) == 1 for v in by_oo.values())
    found = {oo.title: oo.extra for area in camera.plan.areas for os_ in area.objectives
             for oo in os_.operational}
    assert found == {title: ({"Risorse interventi economici": value} if value else {})
                     for title, (value,) in by_oo.items()}
    assert found["Promozione turistica e culturale"] == {
        "Risorse interventi economici": "200.000,00"}
    assert not any(s.indicator.extra for s in camera.plan.indicators())
    [note] = [p for p in camera.warnings if "Risorse interventi economici" in p.message]
    assert "conservata come campo aggiuntivo degli obiettivi" in note.message
    assert "13 valori" in note.message


def test_camera_owners_counted_from_the_source(camera):
    rows = _source_rows(CAMERA)
    empty = [r["Codice indicatore"] for r in rows if not r["Ufficio"].strip()]
    assert len(empty) == 21
    assert [s.indicator.code for s in unowned_indicators(camera.plan)] == empty


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_camera_round_trip_keeps_descriptions_and_extra_columns(tmp_path, camera, suffix):
    path = export_table(camera.plan, tmp_path / f"piano{suffix}")
    back = import_table(path)
    assert plan_to_data(back.plan) == plan_to_data(camera.plan)
    assert back.problems == []      # the exported table declares its extra column
    slots = _indicators(back.plan)
    assert slots["KPI_31"].indicator.description == (
        "Personale formato in materia di anticorruzione sul totale del personale")
    assert slots["KPI_01"].oo.extra == {"Risorse interventi economici": "120.000,00"}
    # Written back in its original header, declared by a «Colonna» row above the table.
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        assert "Colonna;Risorse interventi economici;obiettivo operativo" in text
        header = next(line for line in text.splitlines() if line.startswith("Codice ambito"))
        assert "Risorse interventi economici" in header.split(";")
        assert "Descrizione indicatore" in header.split(";")
    else:
        ws = openpyxl.load_workbook(path)["Piano"]
        values = [c.value for row in ws.iter_rows() for c in row]
        assert "Risorse interventi economici" in values and "Descrizione indicatore" in values


# --- other layouts ------------------------------------------------------------------------

MUNICIPALITY = """\
Ente;Comune di Castelnuovo
Anno;2025

Settore;Servizio responsabile;Obbiettivo strategico;Obiettivo operativo;Codice;Nome indicatore;\
Unità di misura;Peso (%);Valore atteso 2025;Valore atteso 2026;Note
Settore I - Affari generali;Servizi demografici;Comune digitale;Carta d'identità elettronica;\
D1;CIE rilasciate in 3 giorni;%;50;>= 90 %;>= 95 %;dato dal sistema ministeriale
Settore I - Affari generali;Servizi demografici;Comune digitale;Carta d'identità elettronica;\
D2;Attesa media allo sportello;gg;50;<= 5 gg;<= 4 gg;
Settore I - Affari generali;Protocollo;Comune digitale;Protocollo informatico;\
D3;Documenti protocollati in giornata;%;100;>= 95 %;>= 97 %;
Settore II - Lavori pubblici;;Manutenzione del territorio;Strade sicure;\
L1;Interventi di manutenzione eseguiti;N.;100;>= 40 N.;>= 45 N.;
Settore II - Lavori pubblici;Ufficio tecnico;Manutenzione del territorio;Verde pubblico;\
L2;Aree verdi curate;N.;100;>= 12 N.;>= 12 N.;stagione
"""


def test_municipality_settore_and_servizio(tmp_path):
    result = import_table(_write(tmp_path, MUNICIPALITY))
    assert not result.has_errors, result.errors
    plan = result.plan
    slots = _indicators(plan)
    assert list(slots) == ["D1", "D2", "D3", "L1", "L2"]
    # «Servizio responsabile» is the owner; L1 names none.
    assert [slots[c].indicator.offices for c in slots] == [
        ["Servizi demografici"], ["Servizi demografici"], ["Protocollo"], [], ["Ufficio tecnico"]]
    assert [s.indicator.code for s in unowned_indicators(plan)] == ["L1"]
    # «Settore» is the same on every row of a strategic objective, which has two operational
    # objectives: kept on the strategic objective.
    assert [(os_.title, os_.extra) for os_ in plan.areas[0].objectives] == [
        ("Comune digitale", {"Settore": "Settore I - Affari generali"}),
        ("Manutenzione del territorio", {"Settore": "Settore II - Lavori pubblici"})]
    # «Note» without a year and without a «Consuntivo» without a year: notes on indicators.
    assert slots["D1"].indicator.extra == {"Note": "dato dal sistema ministeriale"}
    assert slots["L2"].indicator.extra == {"Note": "stagione"}
    assert not any(s.indicator.actuals for s in plan.indicators())
    assert slots["D1"].indicator.targets == {2025: ">= 90 %", 2026: ">= 95 %"}
    back = import_table(export_table(plan, tmp_path / "comune.csv"))
    assert plan_to_data(back.plan) == plan_to_data(plan)


def test_settore_alone_is_the_owner(tmp_path):
    text = ("Ente;Comune di Prova\nAnno;2025\n\nSettore;Obiettivo strategico;Indicatore;"
            "Target 2025\nPolizia locale;Sicurezza;Controlli stradali;>= 100 N.\n"
            ";Sicurezza;Verbali notificati;>= 90 %\n")
    result = import_table(_write(tmp_path, text))
    inds = [s.indicator for s in result.plan.indicators()]
    assert [i.offices for i in inds] == [["Polizia locale"], []]
    assert any("«Settore» usata come ufficio responsabile" in p.message for p in result.warnings)


def test_another_order_other_spellings_and_a_note_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "PIAO 2025"
    ws.append(["Ente", "Agenzia regionale di prova"])
    ws.append(["Anno", 2025])
    ws.append(["Ufficio predefinito", "Struttura tecnica OIV"])
    ws.append([])
    ws.append(["Target 2025", "Cod. Indicatore", "Nome indicatore", "DESCRIZIONE_INDICATORE",
               "Cod OS", "Descrizione obiettivo strategico", "Peso (%)", "U.M.",
               "Fonte dati", "Valore baseline 2023", "Note", "Target 2026"])
    ws.append([">= 80 %", "A.1", "Pratiche digitali", "Pratiche presentate online sul totale",
               "OS.1", "Digitalizzare i servizi", 0.6, "%", "Protocollo", 0.72,
               "nuovo indicatore", ">= 85 %"])
    ws.append(["<= 20 gg", "A.2", "Tempi di risposta", None, "OS.1", "Digitalizzare i servizi",
               0.4, "gg", None, 25, None, "<= 18 gg"])
    for cell in ("G6", "G7", "J6"):
        ws[cell].number_format = "0%"
    wb.save(tmp_path / "piao.xlsx")

    result = import_table(tmp_path / "piao.xlsx")
    assert not result.has_errors, result.errors
    plan = result.plan
    assert plan.default_office == "Struttura tecnica OIV"
    assert unowned_indicators(plan) == []
    [os_] = plan.areas[0].objectives
    # No «Obiettivo strategico» column: its description is its title (reported).
    assert (os_.code, os_.title, os_.description) == ("OS.1", "Digitalizzare i servizi", None)
    assert any("«Descrizione obiettivo strategico» usata come «Obiettivo strategico»"
               in p.message for p in result.warnings)
    a1, a2 = os_.indicators
    assert (a1.name, a1.description, a1.source) == (
        "Pratiche digitali", "Pratiche presentate online sul totale", "Protocollo")
    assert (a1.weight, a2.weight) == (60, 40)
    assert (a1.baseline.value, a1.baseline.year) == (pytest.approx(0.72), 2023)
    assert (a2.baseline.value, a2.baseline.year) == (25, 2023)
    assert a1.targets == {2025: ">= 80 %", 2026: ">= 85 %"}
    assert a1.extra == {"Note": "nuovo indicatore"} and a2.extra == {}
    back = import_table(export_table(plan, tmp_path / "piano.xlsx"))
    assert plan_to_data(back.plan) == plan_to_data(plan)


def test_descriptions_only_and_a_bare_description_column(tmp_path):
    text = ("Ente;E\nAnno;2024\n\nCodice OS;Descrizione OS;Codice indicatore;"
            "Descrizione indicatore;Descrizione;Target 2024\n"
            "01;Imprese;K1;Pratiche evase;testo lungo dell'obiettivo;>= 1\n"
            "01;Imprese;K2;Tempi;testo lungo dell'obiettivo;<= 2 gg\n"
            "02;Territorio;K3;Eventi;altro testo;>= 3\n")
    result = import_table(_write(tmp_path, text))
    assert not result.has_errors, result.errors
    first, second = result.plan.areas[0].objectives
    assert (first.title, second.title) == ("Imprese", "Territorio")
    assert [i.name for i in first.indicators] == ["Pratiche evase", "Tempi"]
    # A bare «Descrizione» repeated on the rows of each objective describes the objective.
    assert (first.description, second.description) == ("testo lungo dell'obiettivo",
                                                       "altro testo")
    assert all(i.description is None for i in first.indicators)


def test_colonna_rows_fix_the_level_and_are_checked(tmp_path):
    text = ("Ente;E\nAnno;2024\nColonna;Responsabile politico;ambito\nColonna;Manca;indicatore\n"
            "Colonna;Solo nome\n\n"
            "Ambito;Obiettivo strategico;Indicatore;Responsabile politico;Target 2024\n"
            "Imprese;Digitale;K1;Assessore Rossi;>= 1\n"
            "Imprese;Export;K2;;>= 2\n")
    result = import_table(_write(tmp_path, text))
    [area] = result.plan.areas
    assert area.extra == {"Responsabile politico": "Assessore Rossi"}
    assert not any(s.indicator.extra for s in result.plan.indicators())
    located = {(p.location, p.severity, p.message.split(":")[0]) for p in result.problems}
    assert ("riga 4", "avviso", "riga «Colonna»") in located      # no such column
    assert ("riga 5", "errore", "riga «Colonna» da scrivere «Colonna; nome della colonna; "
                               "livello» (ambito, obiettivo strategico, obiettivo operativo, "
                               "obiettivo o indicatore)") in located


def test_a_column_naming_a_level_the_row_lacks(tmp_path):
    text = ("Ente;E\nAnno;2024\n\nObiettivo strategico;Obiettivo operativo;Indicatore;"
            "Note obiettivo operativo;Target 2024\n"
            "Digitale;Sportello;K1;da rivedere;>= 1\nDigitale;;K2;senza operativo;>= 2\n")
    result = import_table(_write(tmp_path, text))
    [os_] = result.plan.areas[0].objectives
    assert os_.operational[0].extra == {"Note obiettivo operativo": "da rivedere"}
    [error] = result.errors
    assert error.location == "riga 6" and "«senza operativo» non importato" in error.message


def test_export_refuses_an_extra_field_it_cannot_place(tmp_path, camera):
    plan = camera.plan.model_copy(deep=True)
    plan.areas[0].extra = {"Risorse interventi economici": "1.000,00"}
    with pytest.raises(TableExportError, match="altri_campi"):
        export_table(plan, tmp_path / "piano.csv")
