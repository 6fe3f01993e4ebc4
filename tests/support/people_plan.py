"""A small plan with an organisation chart and two individual scorecards, whose grades
are worked out by hand in the comments (docs/individual.md).

Master actuals: I1 5 of ≥ 10 → 0,5; I2 10 of ≥ 10 → 1; I3 18 of ≥ 20 → 0,9. Ente: the
mean of the three (equal weights) = 0,8; area AI (Servizio Uno + Due) = 0,75; area AII
(Servizio Tre) = 0,9; office Servizio Tre = 0,9.

Anna's score, by hand: objective 1 = (0,8 + 1) / 2 = 0,9 (weight 20); objective 2 = 1
(weight 10); ente 0,8 against ≥ 80 % = 1 (weight 10); area AI 0,75 against ≥ 90 % =
0,75 / 0,9 = 0,8333… (weight 40); behaviours 0,9 × 60 % + 0,7 × 40 % = 0,82 (weight 20).
Score = (18 + 10 + 10 + 33,333… + 16,4) / 100 = 0,877333…
"""

from __future__ import annotations

from typing import Any

from cruscotto_xl.core.model import Plan

ANNA = "DIR-AI"
ANNA_SCORE = (18 + 10 + 10 + 40 * 0.75 / 0.9 + 16.4) / 100
MARCO = "PO-AII"
#: Texts only Marco's workbook may hold (his name, code, objective, indicator code) and
#: texts no workbook may hold (another dirigente of the chart and the e-mails).
MARCO_TEXTS = ("Marco Verdi", "PO-AII", "Sportello unico telematico", "PO-AII-1",
               "marco.verdi@example.org")
ANNA_TEXTS = ("Anna Bianchi", "DIR-AI", "Lean Organization", "Digitalizzazione archivio",
              "DIR-AI-1", "DIR-AI-2", "DIR-AI-3", "anna.bianchi@example.org")
CHART_TEXTS = ("Luisa Neri", "luisa.neri@example.org")


def _indicator(code: str, office: str, target: str, actual: float | None = None
               ) -> dict[str, Any]:
    data: dict[str, Any] = {"codice": code, "nome": f"Indicatore {code}", "uffici": [office],
                            "target": {2024: target}}
    if actual is not None:
        data["consuntivi"] = [{"anno": 2024, "valore": actual}]
    return data


def people_data(with_actuals: bool = True) -> dict[str, Any]:
    def actual(value: float) -> float | None:
        return value if with_actuals else None

    def own(code: str, name: str, target: str, value: float | bool) -> dict[str, Any]:
        data: dict[str, Any] = {"codice": code, "nome": name, "target": {2024: target}}
        if with_actuals:     # what the person would type in their workbook
            data["consuntivi"] = [{"anno": 2024, "valore": value}]
        return data

    return {
        "ente": "Camera di Prova", "anno": 2024, "id": "camera-prova-2024",
        "ambiti": [{"codice": "A", "titolo": "Ambito", "obiettivi": [
            {"codice": "OS1", "titolo": "Obiettivo strategico", "indicatori": [
                _indicator("I1", "Servizio Uno", ">= 10", actual(5)),
                _indicator("I2", "Servizio Due", ">= 10", actual(10)),
                _indicator("I3", "Servizio Tre", ">= 20", actual(18)),
            ]}]}],
        "struttura": {"aree": [
            {"codice": "AI", "nome": "Area I", "dirigente": "Anna Bianchi",
             "email": "anna.bianchi@example.org", "uffici": ["Servizio Uno", "Servizio Due"]},
            {"codice": "AII", "nome": "Area II", "dirigente": "Luisa Neri",
             "email": "luisa.neri@example.org", "uffici": ["Servizio Tre"]}]},
        "obiettivi_individuali": [
            {"codice": ANNA, "nome": "Anna Bianchi", "ruolo": "dirigente", "struttura": "AI",
             "valutatore": "Segretario Generale", "email": "anna.bianchi@example.org",
             "obiettivi": [
                 {"codice": "1", "titolo": "Lean Organization", "peso": 20, "indicatori": [
                     own("DIR-AI-1", "Pratiche lavorate", ">= 10", 8),        # 0,8
                     own("DIR-AI-2", "Giorni di attesa", "<= 5", 4)]},        # 1
                 {"codice": "2", "titolo": "Digitalizzazione archivio", "peso": 10,
                  "indicatori": [own("DIR-AI-3", "Archivio digitale attivo", "Sì",
                                     True)]}],                                  # 1
             "componenti_organizzative": [
                 {"nome": "Performance organizzativa di ente", "grado_di": "ente", "peso": 10,
                  "target": ">= 80%"},
                 {"nome": "Performance di area", "grado_di": "area", "peso": 40,
                  "target": ">= 90%"}],
             "peso_comportamenti": 20,
             "comportamenti": [{"nome": "Leadership", "peso": 60},
                               {"nome": "Collaborazione", "peso": 40}]},
            {"codice": MARCO, "nome": "Marco Verdi", "ruolo": "posizione_organizzativa",
             "struttura": "AII", "valutatore": "Dirigente dell'Area II",
             "email": "marco.verdi@example.org",
             "obiettivi": [
                 {"codice": "1", "titolo": "Sportello unico telematico", "peso": 50,
                  "indicatori": [{"codice": "PO-AII-1", "nome": "Pratiche telematiche",
                                  "target": {2024: ">= 50"}}]}],
             "componenti_organizzative": [
                 {"nome": "Performance del servizio", "grado_di": "ufficio",
                  "riferimento": "Servizio Tre", "peso": 30}],
             "peso_comportamenti": 20},
        ],
    }


def people_plan(with_actuals: bool = True) -> Plan:
    return Plan.model_validate(people_data(with_actuals))
