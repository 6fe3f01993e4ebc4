"""Algorithms written as measure codes and names (indicator dictionaries of any body):
``importers/measures.py`` and its use by ``importa pira``. Expected formulas and names are
written by hand from the texts."""

from __future__ import annotations

import pytest

from cruscotto_xl.core.plan_checks import check_measures
from cruscotto_xl.importers import parse_pira
from cruscotto_xl.importers.measures import (
    MeasureBook,
    NotUnderstood,
    formula_code,
    looks_like_code,
    read_algorithm,
)


def _named(text: str) -> tuple[str, list[tuple[str, str]]]:
    found = read_algorithm(text)
    return found.formula, [(m.code, m.name) for m in found.measures]


@pytest.mark.parametrize("text, formula, measures", [
    # other codes, other operators
    ("R_Spesa Spesa corrente impegnata × 100 ÷ R_Bil Stanziamento definitivo",
     "R_Spesa * 100 / R_Bil",
     [("R_Spesa", "Spesa corrente impegnata"), ("R_Bil", "Stanziamento definitivo")]),
    ("NumPratEv Numero pratiche evase * 100 / NumPratRic Numero pratiche ricevute",
     "NumPratEv * 100 / NumPratRic",
     [("NumPratEv", "Numero pratiche evase"), ("NumPratRic", "Numero pratiche ricevute")]),
    # a dotted code (EC27.a) and a name with a date and brackets of its own
    ("EC27.a Proventi (al netto del Fondo) al 31/12/2024 − EC27.b Oneri (TI+TD)",
     "EC27.a - EC27.b",
     [("EC27.a", "Proventi (al netto del Fondo) al 31/12/2024"), ("EC27.b", "Oneri (TI+TD)")]),
    # the formula split across lines, brackets of the formula around two measures
    ("Laur_Reg Laureati in corso\nnell'anno solare / (\nIscr_Tot Iscritti totali +\n"
     "Iscr_FC Iscritti fuori corso (a.a. 2023/24) )",
     "Laur_Reg / (Iscr_Tot + Iscr_FC)",
     [("Laur_Reg", "Laureati in corso nell'anno solare"), ("Iscr_Tot", "Iscritti totali"),
      ("Iscr_FC", "Iscritti fuori corso (a.a. 2023/24)")]),
    # a constant at the end, written with «x»
    ("Gg_Tot Giorni complessivi di attesa / N_Pratiche Pratiche concluse x 100",
     "Gg_Tot / N_Pratiche * 100",
     [("Gg_Tot", "Giorni complessivi di attesa"), ("N_Pratiche", "Pratiche concluse")]),
    # a constant first; a name with «-» and «+» of its own; glued operator before a code
    ("100 * ( SpesaPers Spesa di personale - quota rinnovi + arretrati )/SpesaCorr Spesa "
     "corrente",
     "100 * SpesaPers / SpesaCorr",
     [("SpesaPers", "Spesa di personale - quota rinnovi + arretrati"),
      ("SpesaCorr", "Spesa corrente")]),
    # a unit in brackets at the end of a name is the measure's unit
    ("Cons_kWh Consumi di energia (kWh) / Sup_Mq Superficie degli immobili (mq)",
     "Cons_kWh / Sup_Mq",
     [("Cons_kWh", "Consumi di energia"), ("Sup_Mq", "Superficie degli immobili")]),
    # a single measure, a code written with «-» (not usable in a formula: «_»)
    ("N_self-ass_PID N. self-assessment guidati", "N_self_ass_PID",
     [("N_self_ass_PID", "N. self-assessment guidati")]),
    # a closing bracket of the name that opens nowhere stays in the name
    ("GG_Fatt Giorni (*)al netto delle utenze) / N_Fatt Fatture pagate",
     "GG_Fatt / N_Fatt",
     [("GG_Fatt", "Giorni (*)al netto delle utenze)"), ("N_Fatt", "Fatture pagate")]),
    # codes without names (the measures are defined elsewhere)
    ("Dip_Form / (Unit_Stab + N_Dir)", "Dip_Form / (Unit_Stab + N_Dir)",
     [("Dip_Form", ""), ("Unit_Stab", ""), ("N_Dir", "")]),
])
def test_algorithms_written_with_codes_and_names(text, formula, measures):
    assert _named(text) == (formula, measures)


def test_units_stated_in_brackets():
    found = read_algorithm("Cons_kWh Consumi di energia (kWh) / Costo_E Costo [€]")
    assert [(m.code, m.unit) for m in found.measures] == [("Cons_kWh", "kWh"),
                                                           ("Costo_E", "€")]
    # «(N)» and «(N-1)» are years, not units
    found = read_algorithm("M_Num Verifiche anno (N) / M_Den Verifiche anno (N-1)")
    assert [(m.name, m.unit) for m in found.measures] == [("Verifiche anno (N)", None),
                                                           ("Verifiche anno (N-1)", None)]


@pytest.mark.parametrize("text, reason", [
    ("Patrimonio netto / Immob Immobilizzazioni", "«Patrimonio» all'inizio"),
    ("N_Strumenti N. strumenti digitali / 100 imprese attive al 31/12", "«100»"),
    ("( ProvStrut Proventi strutturali - OnStrut Oneri strutturali", "non si legge"),
    ("ProvStrut Proventi strutturali /", "finisce con un operatore"),
])
def test_texts_that_are_not_formulas_are_not_guessed(text, reason):
    with pytest.raises(NotUnderstood, match=reason):
        read_algorithm(text)


@pytest.mark.parametrize("word, code", [
    ("N_ImprAtt", True), ("ProvStrut", True), ("T_medi_C1.1.1", True), ("EC27.a", True),
    ("M:RASLImprIscr", True), ("Dip-Form", True), ("Numero", False), ("CCIAA", False),
    ("D.A", False), ("N.", False), ("31/12", False), ("Immob", False), ("TI+TD", False),
])
def test_what_looks_like_a_code(word, code):
    assert looks_like_code(word) is code


@pytest.mark.parametrize("written, code", [
    ("Dip-Form", "Dip_Form"), ("M:RASLImprIscr", "M_RASLImprIscr"),
    ("MS_%ParetoTNO", "MS_ParetoTNO"), ("MS_01.01_RisInPeoN-1", "MS_01.01_RisInPeoN_1"),
    ("A__B", "A__B"), ("N_ImprAtt", "N_ImprAtt"),
])
def test_codes_a_formula_cannot_hold_get_an_underscore(written, code):
    assert formula_code(written) == code


def test_one_measure_per_code_and_different_names_reported():
    book = MeasureBook()
    assert book.add(read_algorithm("Num_Att Imprese attive al 31/12 / N_Reg Registrate").measures,
                    "indicatore A") == []
    assert book.add(read_algorithm("N_Dig Digitali / Num_Att imprese attive al 31/12.").measures,
                    "indicatore B") == []                  # same name: case, final dot
    differing = book.add(read_algorithm("N_Pid Assistite / Num_Att Imprese iscritte").measures,
                         "indicatore C")
    assert differing == ["misura «Num_Att» chiamata «Imprese attive al 31/12» (indicatore A) e "
                         "«Imprese iscritte» (indicatore C): vale il primo nome"]
    assert [m.code for m in book.measures.values()] == ["Num_Att", "N_Reg", "N_Dig", "N_Pid"]
    assert book.measures["Num_Att"].name == "Imprese attive al 31/12"
    # Num-Att and Num_Att would be one code in a formula: refused, naming both
    assert book.conflicts(read_algorithm("Num-Att Altro").measures) == [
        "i codici «Num_Att» (indicatore A) e «Num-Att» diventano entrambi «Num_Att» in una "
        "formula"]


MUNICIPALITY = """\
COMUNE DI VALLEVERDE
Piano della performance 2025 - 2027
OS_1.1Demografici - Servizi demografici efficienti (Peso: 100,00%)
Descrizione
Ridurre i tempi dei servizi demografici.
Indicatore Algoritmo
Target
Tipologia
Unità
misura 2025 2026 2027
SD_01 - Tempo medio di rilascio
delle carte d'identità
(Peso: 50,00%)
GG_CIE Giorni complessivi dalla richiesta al rilascio / N_CIE Carte
d'identità rilasciate nell'anno
<= 3,00 gg <= 3,00 gg <= 2,00 gg Efficienza gg
SD_02 - Quota di certificati
rilasciati online
(Peso: 50,00%)
N_CertOn Certificati rilasciati online / ( N_CertOn Certificati rilasciati
on line + N_CertSport Certificati rilasciati allo sportello )
>= 50,00 % >= 60,00 % >= 70,00 % Efficacia %
"""


def test_a_municipality_dictionary_through_importa_pira():
    result = parse_pira(MUNICIPALITY)
    plan = result.plan
    formulas = {s.indicator.code: s.indicator.formula for s in plan.indicators()}
    assert formulas == {"SD_01": "GG_CIE / N_CIE",
                        "SD_02": "N_CertOn / (N_CertOn + N_CertSport)"}
    assert [(m.code, m.name) for m in plan.measures] == [
        ("GG_CIE", "Giorni complessivi dalla richiesta al rilascio"),
        ("N_CIE", "Carte d'identità rilasciate nell'anno"),
        ("N_CertOn", "Certificati rilasciati online"),
        ("N_CertSport", "Certificati rilasciati allo sportello")]
    # «online» and «on line»: the same code named differently is reported, the first kept
    differing = [p for p in result.problems if "N_CertOn" in p.message]
    assert len(differing) == 1 and differing[0].severity == "avviso"
    assert "«Certificati rilasciati on line»" in differing[0].message
    assert not check_measures(plan)


REGION = (
    "# Regione di prova - Piano della performance 2025-2027\n\n"
    "Regione Valverde\n\n"
    "## Obiettivo strategico 1 - Sostenere le imprese del territorio\n\n"
    "Responsabile: Direzione attività produttive\n\n"
    "Peso: 100%\n\n"
    "| Codice | Indicatore | Formula | Unità | Tipologia | Fonte | Baseline | Anno baseline "
    "| Peso | Target 2025 | Target 2026 |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n"
    "| 1.1 | Quota di imprese digitali | N_Dig Imprese digitali / N_Att Imprese attive al "
    "31/12 | % | Efficacia | Registro imprese | 45% | 2023 | 50% | >= 50% | >= 55% |\n"
    "| 1.2 | Imprese esportatrici | N_Exp Imprese esportatrici x 100 / N_Att Imprese attive "
    "al 31/12 | % | Impatto | ISTAT | 12 % (2022) | | 50% | >= 13% | >= 14% |\n"
)


def test_description_source_baseline_and_kind_from_a_table_with_named_columns():
    result = parse_pira(REGION)
    plan = result.plan
    first, second = (s.indicator for s in plan.indicators())
    assert (first.formula, first.kind, first.source) == ("N_Dig / N_Att", "Efficacia",
                                                         "Registro imprese")
    assert (first.baseline.value, first.baseline.year) == (pytest.approx(0.45), 2023)
    assert first.extra == {}
    assert (second.formula, second.kind, second.source) == ("N_Exp * 100 / N_Att", "Impatto",
                                                            "ISTAT")
    assert (second.baseline.value, second.baseline.year) == (pytest.approx(0.12), 2022)
    assert [m.code for m in plan.measures] == ["N_Dig", "N_Att", "N_Exp"]
    assert not check_measures(plan)
