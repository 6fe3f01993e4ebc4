"""Flat table import/export: round trips, tolerant headers, what does not fit is reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml
from support import EXAMPLES

from cruscotto_xl.core.model import Plan
from cruscotto_xl.core.targets import Polarity
from cruscotto_xl.importers import ImportFailed
from cruscotto_xl.importers.tabella import (
    COLUMNS,
    YEAR_COLUMNS,
    TableExportError,
    export_table,
    import_table,
    match_header,
    read_table_actuals,
)
from cruscotto_xl.io.planfile import load_plan, plan_from_data, plan_to_data

#: Every field of the plan model that the table carries, with the awkward values.
FULL_PLAN = """
ente: Comune di Prova
anno: 2024
id: prova-2024
anni_target: [2024, 2025]
titolo: Piano con tutti i campi
delibera: Deliberazione della Giunta n. 92 del 21.07.2020
scadenza_compilazione: 2025-01-31
periodi: [{data: "31/12", nome: finale}, {data: "31/03", nome: I trimestre},
          {data: "30/06", nome: semestre}]
politica:
  dato_mancante: zero
  minore_migliore: lineare
  fasce: [{da: 1, etichetta: Pieno}, {da: 0.5, etichetta: Parziale}, {da: 0, etichetta: Nullo}]
uffici:
- {nome: Ufficio A, email: a@example.it, responsabile: Dott. Rossi}
- {nome: Ufficio B}
ufficio_predefinito: Ufficio A
ambiti:
- codice: A1
  titolo: Primo ambito
  descrizione: L'ambito delle imprese
  peso: 60
  prospettiva_bsc: Utenti
  altri_campi: {Note ambito: nota dell'ambito}
  obiettivi:
  - codice: OS1
    titolo: "=SOMMA(A1) non è una formula"
    descrizione: "Descrizione; con punto e virgola"
    peso: 100
    risorse: 1234.56
    prospettiva_bsc: Processi
    codice_missione: "011"
    missione: M1
    codice_programma: "005"
    programma: P1
    uffici: [Ufficio A, Ufficio C]
    altri_campi: {Stakeholder: imprese, Priorità: alta}
    indicatori:
    - codice: K1
      nome: Percentuale pratiche
      descrizione: Quota delle pratiche evase nei termini
      fonte: Registro imprese
      baseline: {valore: 0.6, anno: 2022}
      da_confermare: true
      altri_campi: {Risorse interventi economici: "12.000 €"}
      algoritmo: pratiche evase / pratiche ricevute
      numeratore: pratiche evase
      denominatore: pratiche ricevute
      unita: "%"
      tipologia: Efficacia
      peso: 14.28
      uffici: [Ufficio B]
      verso: crescente
      target: {2024: ">= 70,00 %", 2025: ">= 75,00 %"}
      target_periodi: {2024: {"30/06": ">= 35,00 %", "31/03": ">= 20,00 %"}}
      soglia: 0.5
      tolleranza: 0.01
      consuntivi:
      - {anno: 2023, valore: 0.8, numeratore: 8, denominatore: 10,
         nota: "nota; con punto e virgola\\nsu due righe", grado_pubblicato: 1}
      - {anno: 2024, periodo: "30/06", valore: 0.123456789}
      - {anno: 2024, testo: boh}
      stati:
      - {anno: 2023, tipo: forzato, nota: decisione OIV, riferimento: verbale 3/2024, grado: 0.9}
      modifiche:
      - {anno: 2024, azione: Aggiornato, delibera: DG 12/2024, data: 2024-02-01, nota: alzato}
    - codice: K2
      nome: Tempi medi
      baseline: {valore: 15}
      unita: gg
      peso: 85.72
      verso: decrescente
      soglia_rossa: 30
      target: {2024: "<= 10 gg", 2025: "x < x-1"}
      riferimenti: {2024: 12.5, 2025: null}
      consuntivi:
      - {anno: 2024, valore: 2024-03-16}
      stati:
      - {anno: 2024, tipo: neutralizzato, nota: causa esterna}
    obiettivi_operativi:
    - {codice: OO1, titolo: Operativo senza indicatori, peso: 100, uffici: [Ufficio A],
       descrizione: Un operativo, risorse: 5000}
  - {codice: OS2, titolo: Obiettivo vuoto}
- codice: A2
  titolo: Secondo ambito
  peso: 40
  obiettivi:
  - codice: OS3
    titolo: Terzo
    obiettivi_operativi:
    - codice: "1.10"
      titolo: Operativo
      altri_campi: {Priorità: bassa}
      indicatori:
      - codice: K3
        nome: Realizzazione
        altri_campi: {Risorse interventi economici: n.d.}
        target: {2024: Sì}
        consuntivi:
        - {anno: 2024, valore: true, nota: "-5 iniziato con un meno"}
- {codice: A3, titolo: Ambito senza obiettivi}
"""


def _full_plan() -> Plan:
    return plan_from_data(yaml.safe_load(FULL_PLAN))


# --- round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("name", ["piano-operativo-2023.yaml", "piano-strategico-2024.yaml"])
def test_examples_round_trip(tmp_path, name, suffix):
    plan = load_plan(EXAMPLES / name)
    path = export_table(plan, tmp_path / f"piano{suffix}")
    result = import_table(path)
    assert plan_to_data(result.plan) == plan_to_data(plan)
    assert not result.has_errors
    # The only warnings are the ones the source plan deserves (a deadline before its year).
    assert {p.subject for p in result.problems} <= {"S10_03"}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_every_field_round_trips(tmp_path, suffix):
    plan = _full_plan()
    result = import_table(export_table(plan, tmp_path / f"piano{suffix}"))
    assert plan_to_data(result.plan) == plan_to_data(plan)
    # An actual that is not a value is kept as typed, and reported.
    assert [(p.location, p.subject) for p in result.errors] == [("riga 19", "K1")]


def test_xlsx_cells_are_typed_and_text_is_never_a_formula(tmp_path):
    path = export_table(_full_plan(), tmp_path / "piano.xlsx")
    ws = openpyxl.load_workbook(path)["Piano"]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Codice ambito")
    columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    first = header + 1
    title = ws.cell(first, columns["Obiettivo strategico"])
    assert title.data_type == "s" and title.value.startswith("=SOMMA")
    assert title.quotePrefix
    weight = ws.cell(first, columns["Peso indicatore"])
    assert weight.value == 14.28 and weight.number_format == '0.00"%"'
    actual = ws.cell(first, columns["Consuntivo 2023"])
    assert actual.value == 0.8 and actual.number_format == "0.00%"
    assert ws.cell(first + 1, columns["Consuntivo 2024"]).is_date


def test_export_refuses_what_the_table_cannot_hold(tmp_path):
    plan = _full_plan()
    plan.areas[0].objectives[0].indicators[0].offices = ["Ufficio B; bis"]
    with pytest.raises(TableExportError, match="Ufficio B; bis"):
        export_table(plan, tmp_path / "a.csv")
    plan = _full_plan()
    # A text that reads as a value ("Sì " with a space) would come back as the value.
    plan.areas[0].objectives[0].indicators[0].actuals[2].text = "Sì "
    with pytest.raises(TableExportError, match=r"consuntivi\[2\]\.testo"):
        export_table(plan, tmp_path / "a.csv")
    plan = _full_plan()
    ind = plan.areas[0].objectives[0].indicators[1]
    ind.statuses = [*ind.statuses, ind.statuses[0].model_copy()]
    with pytest.raises(TableExportError, match="K2"):
        export_table(plan, tmp_path / "a.xlsx")
    with pytest.raises(TableExportError, match="formato"):
        export_table(_full_plan(), tmp_path / "a.ods")
    assert not list(tmp_path.iterdir())


# --- tolerant headers -----------------------------------------------------------------------

@pytest.mark.parametrize(("header", "meaning"), [
    ("AMBITO STRATEGICO", "area_title"),
    ("obbiettivo_strategico", "os_title"),
    ("Peso (%)", "weight"),
    ("peso su AS", "os_weight"),
    ("Unità di misura", "unit"),
    ("UNITA'", "unit"),
    ("Ufficio responsabile", "offices"),
    ("Cod. OO", "oo_code"),
    ("Numeratore", "numerator"),
])
def test_static_headers(header, meaning):
    assert match_header(header) == meaning


@pytest.mark.parametrize(("header", "key", "year", "period"), [
    ("Target 2024", "target", 2024, "31/12"),
    ("TARGET_2025", "target", 2025, "31/12"),
    ("target2026", "target", 2026, "31/12"),
    ("Consuntivo al 31/12/2023", "value", 2023, "31/12"),
    ("Consuntivo 30/06/2024", "value", 2024, "30/06"),
    ("Target 30/06/2024", "target", 2024, "30/06"),
    ("Numeratore 2023", "num_value", 2023, "31/12"),
    ("Grado di raggiungimento 2023", "published", 2023, "31/12"),
    ("Grado forzato 2024", "status_grade", 2024, "31/12"),
    ("Target", "target", None, "31/12"),
])
def test_year_headers(header, key, year, period):
    found = match_header(header)
    assert (found.key, found.year, found.period) == (key, year, period)


@pytest.mark.parametrize("header", ["Note interne", "Riferimento 30/06/2024",
                                    "Consuntivo 31/02/2024", "Area", ""])
def test_headers_not_recognized(header):
    assert match_header(header) is None


HAND_MADE = """\
Piano della performance 2024 (bozza)
Ente,Comune di Prova
Anno,2024

AMBITO STRATEGICO,Codice OS,obbiettivo_strategico,Obiettivo operativo,Indicatore,Peso (%),\
Unità di misura,Verso,TARGET 2024,Consuntivo al 31/12/2023,Note interne,
Utenti,01,Digitale,Sportello,Pratiche evase,60,%,crescente,"70,00 %","65 %",ok,
,,,,Tempi,40,gg,decrescente,<= 10 gg,,,
,02,Innovazione,,Bandi pubblicati,100,N.,,>= 3,,,valore orfano,oltre
,,,,,,,,,,solo note,
Processi,03,Trasparenza,Rotazione,Rotazione,100,,,più o meno 5,,,
"""


def _write(tmp_path: Path, text: str, name: str = "tabella.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_hand_made_csv_with_commas(tmp_path):
    result = import_table(_write(tmp_path, HAND_MADE))
    plan = result.plan
    assert (plan.entity, plan.year, plan.target_years) == ("Comune di Prova", 2024, [2024])
    [utenti, processi] = plan.areas
    assert [o.code for o in utenti.objectives] == ["01", "02"]
    digitale = utenti.objectives[0]
    # Blank levels: the indicator "Tempi" continues the OO of the row above.
    [sportello] = digitale.operational
    assert [i.name for i in sportello.indicators] == ["Pratiche evase", "Tempi"]
    pratiche, tempi = sportello.indicators
    assert pratiche.weight == 60 and pratiche.unit == "%"
    assert pratiche.polarity is Polarity.INCREASING and pratiche.targets == {2024: "70,00 %"}
    assert pratiche.actual_for(2023).value == pytest.approx(0.65)
    assert tempi.polarity is Polarity.DECREASING
    # An OS named with a blank OO: the indicator belongs to the OS itself.
    bandi = utenti.objectives[1]
    assert not bandi.operational and [i.name for i in bandi.indicators] == ["Bandi pubblicati"]
    # Codes and titles not given are generated or taken from the other, and reported.
    assert utenti.code == "A01" and sportello.code == "01.01"
    assert pratiche.code == "01.01_01"
    assert processi.objectives[0].operational[0].indicators[0].targets == {2024: "più o meno 5"}

    problems = {(p.location, p.severity, p.message.split(":")[0]) for p in result.problems}
    assert ("riga 1", "avviso", "riga prima dell'intestazione non riconosciuta") in problems
    assert ("riga 5", "avviso", "colonna «Note interne» non riconosciuta") in problems
    assert ("riga 8", "errore", "celle oltre l'ultima colonna ignorate") in problems
    assert ("riga 9", "errore", "riga senza ambito, obiettivo né indicatore") in problems
    errors = {(p.location, p.subject) for p in result.errors}
    assert ("riga 10", "03.01_01") in errors      # the target that does not parse
    # An unknown column is kept on the indicator, by its header (the value of the row that
    # fits nowhere is reported with that row).
    assert pratiche.extra == {"Note interne": "ok"} and not tempi.extra
    assert any("«Note interne» non riconosciuta: conservata come campo aggiuntivo degli "
               "indicatori (1 valore, livello dai valori" in p.message for p in result.problems)
    assert ("riga 5", "avviso", "colonna 12 senza intestazione") in problems


def test_semicolons_bom_and_windows_1252(tmp_path):
    text = ("Ente;Ente Ä\r\nAnno;2024\r\n\r\nAmbito;Obiettivo strategico;Indicatore;Peso;"
            "Target 2024\r\nA;Uno;Città servite;100;>= 1.234,5 N.\r\n")
    for encoding, warned in (("utf-8-sig", False), ("utf-8", False), ("cp1252", True)):
        result = import_table(_write(tmp_path, text, encoding=encoding))
        ind = next(result.plan.indicators()).indicator
        assert (ind.name, ind.targets) == ("Città servite", {2024: ">= 1.234,5 N."})
        assert result.plan.entity == "Ente Ä"
        assert any("Windows-1252" in p.message for p in result.problems) == warned


def test_xlsx_as_excel_shows_it(tmp_path):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Note"
    notes["A1"] = "appunti"
    ws = wb.create_sheet("Obiettivi 2024")
    ws.append(["Ente", "Ente Excel"])
    ws.append([])
    ws.append(["Codice OS", "Obiettivo strategico", "Codice OO", "Obiettivo operativo",
               "Indicatore", "Peso indicatore", "Unità", "Target 2024", "Consuntivo 2024",
               "Target 2025"])
    ws.append([1, "Primo", 1.1, "Operativo", "Quota", 0.1428, "%", 0.7, 0.655,
               date(2025, 6, 30)])
    ws.append([None, None, None, None, "Altra", 0.8572, "%", ">= 50 %", None, None])
    for cell in ("F4", "H4", "I4", "F5"):
        ws[cell].number_format = "0.00%"
    wb.save(tmp_path / "piano.xlsx")

    result = import_table(tmp_path / "piano.xlsx")
    plan = result.plan
    assert plan.year == 2024   # from the first target column, reported
    [oo] = plan.areas[0].objectives[0].operational
    assert (plan.areas[0].objectives[0].code, oo.code) == ("1", "1.1")
    quota, altra = oo.indicators
    assert (quota.weight, altra.weight) == (14.28, 85.72)
    assert quota.targets == {2024: "70 %", 2025: "30/06/2025"}
    assert quota.actual_for(2024).value == 0.655
    messages = " ".join(p.message for p in result.problems)
    assert "foglio «Note» non letto" in messages
    assert "anno del piano non indicato: usato il 2024" in messages
    assert "senza ambito" in messages and not result.has_errors


def test_year_override_and_what_cannot_be_imported(tmp_path):
    text = "Ente;E\nAnno;2023\n\nAmbito;Obiettivo strategico;Indicatore;Target\nA;O;I;>= 1\n"
    result = import_table(_write(tmp_path, text), year=2024)
    assert result.plan.year == 2024
    assert next(result.plan.indicators()).indicator.targets == {2024: ">= 1"}
    assert [p.location for p in result.warnings][:1] == ["riga 2"]

    with pytest.raises(ImportFailed, match="ente non trovato"):
        import_table(_write(tmp_path, "Anno;2024\nAmbito;Indicatore\nA;I\n"))
    with pytest.raises(ImportFailed, match="intestazione della tabella non trovata"):
        import_table(_write(tmp_path, "solo;testo\nnessuna;intestazione\n"))
    with pytest.raises(ImportFailed, match="non supportato"):
        import_table(_write(tmp_path, "x", name="piano.ods"))
    with pytest.raises(ImportFailed, match=r"\.xls|zip|Excel"):
        import_table(_write(tmp_path, "Ambito;Indicatore\n", name="finto.xlsx"))
    with pytest.raises(ImportFailed, match="file non trovato"):
        import_table(tmp_path / "manca.csv")


def test_conflicting_repeats_and_bad_values_are_reported(tmp_path):
    text = ("Ente;E\nAnno;2024\n\nCodice OS;Obiettivo strategico;Peso OS;Codice indicatore;"
            "Indicatore;Peso indicatore;Verso;Soglia;Stato 2024;Target 2024;Target 2024\n"
            "01;Uno;60;K1;Primo;50;su;150 %;sospeso;>= 1;>= 2\n"
            "01;Uno bis;40;K1;Secondo;cinquanta;crescente;;;;\n")
    result = import_table(_write(tmp_path, text))
    messages = [(p.location, p.severity, p.message) for p in result.problems]

    def has(line: str, severity: str, part: str) -> bool:
        return any(loc == line and sev == severity and part in msg
                   for loc, sev, msg in messages)

    assert has("riga 4", "errore", "colonna «Target 2024» ripetuta")
    assert has("riga 5", "errore", "«su» non è un verso")
    assert has("riga 5", "errore", "soglia")
    assert has("riga 5", "errore", "stato «sospeso» non valido")
    assert has("riga 6", "avviso", "«Obiettivo strategico» di «01» diverso")
    assert has("riga 6", "avviso", "«Peso OS» di «01» diverso")
    assert has("riga 6", "errore", "codice indicatore «K1» ripetuto (anche alla riga 5)")
    assert has("riga 6", "errore", "«cinquanta» non è un numero")
    os_ = result.plan.areas[0].objectives[0]
    assert (os_.title, os_.weight) == ("Uno", 60)
    assert [i.name for i in os_.indicators] == ["Primo", "Secondo"]
    assert os_.indicators[0].threshold is None


def test_read_table_actuals(tmp_path):
    text = ("Anno;2024\n\nCodice indicatore;Indicatore;Consuntivo;Valore numeratore 2023;"
            "Valore denominatore 2023;Riferimento 2025\n"
            "K1;uno;75 %;3;4;0,5\nK2;due;;;;\n;senza codice;12;;;\nK1;di nuovo;1;;;\n")
    read = read_table_actuals(_write(tmp_path, text))
    assert {code: [(a.year, a.value, a.numerator, a.denominator) for a in actuals]
            for code, actuals in read.actuals.items()} == {
        "K1": [(2023, None, 3.0, 4.0), (2024, 0.75, None, None)]}
    assert read.references == {"K1": {2025: 0.5}}
    assert [(p.location, p.severity) for p in read.problems] == [
        ("riga 3", "avviso"), ("riga 6", "errore"), ("riga 7", "errore")]
    assert "«Consuntivo» senza anno: usata per il 2024" in read.problems[0].message


def test_a_column_without_year_that_repeats_one_with_it(tmp_path):
    text = ("Ente;E\nAnno;2024\n\nAmbito;Obiettivo strategico;Indicatore;Target;Target 2024;"
            "Valore atteso 2025\nA;O;I;>= 1;>= 2;>= 3\n")
    result = import_table(_write(tmp_path, text))
    assert next(result.plan.indicators()).indicator.targets == {2024: ">= 2", 2025: ">= 3"}
    [error] = result.errors
    assert error.location == "riga 4"
    assert error.message == "colonna «Target» (per il 2024) ripetuta come «Target 2024»: ignorata"


def test_docs_list_every_accepted_name():
    """docs/tabella.md (named by the importer's messages) lists every column and synonym."""
    doc = (EXAMPLES.parent / "docs" / "tabella.md").read_text(encoding="utf-8").splitlines()
    rows = {line.split("|")[1].strip(): line for line in doc if line.startswith("| `")}
    for col in COLUMNS:
        line = rows[f"`{col.header}`"]
        assert all(f" {s}," in line or f" {s} |" in line for s in col.synonyms), col.header
    for header, prefixes in YEAR_COLUMNS.values():
        line = rows[f"`{header} AAAA`"]
        others = [p for p in prefixes if p != header.lower()]
        assert all(f" {p}," in line or f" {p} |" in line for p in others), header


@pytest.mark.parametrize(("text", "periods", "error"), [
    ("31/03 primo, 30/06 secondo; 31/12 finale",
     [("31/03", "primo"), ("30/06", "secondo"), ("31/12", "finale")], None),
    ("31/03, 30/06, 30/09, 31/12", [("31/03", "31/03"), ("30/06", "30/06"),
                                     ("30/09", "30/09"), ("31/12", "31/12")], None),
    ("30/06/2024", None, "non è un periodo gg/mm"),
    ("30/06 a; 30/06 b; 31/12 c", None, "periodi ripetuti"),
    ("30/06 intermedio", None, "manca il periodo finale 31/12"),
])
def test_periods_row(tmp_path, text, periods, error):
    plan = plan_from_data({**yaml.safe_load(FULL_PLAN)})
    path = export_table(plan, tmp_path / "piano.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Periodi"))
    lines[at] = f"Periodi;{text}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_table(path)
    found = [(p.date, p.label) for p in result.plan.periods]
    if error is None:
        assert found == periods
        assert not [p for p in result.problems if "periodi" in p.message]
    else:
        assert found == [("30/06", "intermedio"), ("31/12", "finale")]     # the default
        assert any(error in p.message for p in result.errors), result.problems
