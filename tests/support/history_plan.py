"""A plan of 2024 with two years of history (2022 and 2023), three target years, a
baseline, descriptions, sources and tipologia: the fixture of the «years side by side»
tests (workbook and relazione). Every number below is written by hand."""

from __future__ import annotations

from cruscotto_xl.core.model import Plan
from cruscotto_xl.io.planfile import plan_from_data

HISTORY_PLAN = {
    "ente": "Comune di Prova",
    "anno": 2024,
    "id": "prova-storico-2024",
    "anni_target": [2024, 2025, 2026],
    "uffici": [{"nome": "Servizi demografici"}],
    "ambiti": [{
        "codice": "A1", "titolo": "Servizi ai cittadini", "peso": 100,
        "obiettivi": [{
            "codice": "01", "titolo": "Certificati più rapidi", "peso": 100,
            "uffici": ["Servizi demografici"],
            "indicatori": [
                {"codice": "T1", "nome": "Certificati rilasciati online", "unita": "N.",
                 "peso": 60, "tipologia": "Efficacia",
                 "descrizione": "Certificati anagrafici rilasciati dal portale nell'anno",
                 "fonte": "Gestionale anagrafe",
                 "baseline": {"valore": 1100, "anno": 2021},
                 "target": {2024: ">= 1.500", 2025: ">= 1.600", 2026: ">= 1.750"},
                 "consuntivi": [{"anno": 2022, "valore": 1234.5},
                                {"anno": 2023, "valore": 1410}]},
                {"codice": "T2", "nome": "Pratiche evase nei termini", "unita": "%",
                 "peso": 40, "tipologia": "Efficienza",
                 "target": {2024: ">= 90 %", 2025: ">= 92 %"},
                 "consuntivi": [{"anno": 2023, "numeratore": 87, "denominatore": 100}]},
            ]}]}],
}


def history_plan() -> Plan:
    return plan_from_data(HISTORY_PLAN)
