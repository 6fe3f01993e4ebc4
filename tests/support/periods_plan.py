"""A small plan with two monitoring periods, intermediate targets and office e-mails,
shared by the tests of periods, sign-off, history and reminders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.core.model import Plan
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook

OFFICES = {"Ufficio A": "a@cciaa.invalid", "Ufficio B": "b@cciaa.invalid",
           "Ufficio C": "c@cciaa.invalid"}

PLAN_DATA = {
    "ente": "Camera di prova", "anno": 2024, "id": "prova-2024",
    "uffici": [{"nome": name, "email": mail, "responsabile": f"Responsabile {name[-1]}"}
               for name, mail in OFFICES.items()],
    "ambiti": [{"codice": "A1", "titolo": "Competitività", "obiettivi": [
        {"codice": "OS1", "titolo": "Servizi alle imprese", "peso": 50,
         "uffici": ["Ufficio A"], "indicatori": [
             {"codice": "K1", "nome": "Pratiche evase", "peso": 40, "target": {2024: ">= 100"},
              "target_periodi": {2024: {"30/06": ">= 40"}}},
             {"codice": "K2", "nome": "Tempi medi di evasione", "peso": 30,
              "target": {2024: "<= 10 gg"}},
             {"codice": "K3", "nome": "Nuovo sportello", "peso": 30,
              "target": {2024: "Entro 31-12-2024"},
              "target_periodi": {2024: {"30/06": "Entro 30-06-2024"}}}]},
        {"codice": "OS2", "titolo": "Promozione", "peso": 30, "uffici": ["Ufficio B"],
         "indicatori": [
             {"codice": "K4", "nome": "Imprese soddisfatte", "unita": "%",
              "target": {2024: ">= 80 %"}},
             {"codice": "K5", "nome": "Eventi organizzati", "target": {2024: ">= 10"},
              "target_periodi": {2024: {"30/06": ">= 4"}}}]},
        {"codice": "OS3", "titolo": "Bandi", "peso": 20, "uffici": ["Ufficio C"],
         "indicatori": [{"codice": "K6", "nome": "Bando pubblicato", "target": {2024: "Sì"}}]},
    ]}],
}

MID = {"K1": Typed(45.0), "K2": Typed(12.0), "K3": Typed(date(2024, 7, 15)),
       "K4": Typed(None, 30.0, 40.0), "K5": Typed(3.0), "K6": Typed("No")}
FINAL = {"K1": Typed(90.0), "K2": Typed(9.0), "K3": Typed(date(2024, 11, 30)),
         "K4": Typed(0.85), "K5": Typed(12.0), "K6": Typed("Sì")}


def two_period_plan() -> Plan:
    return plan_from_data(PLAN_DATA, "<prova>")


def office_workbooks(plan: Plan, folder: Path, period: str,
                     typed: dict[str, Typed] | None = None,
                     skip: tuple[str, ...] = ()) -> dict[str, Path]:
    """One workbook per office in ``folder`` for ``period``, filled with ``typed``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for office, path in workbook_jobs(plan, folder, per_office=True, period=period):
        if office in skip:
            continue
        write_workbook(plan, path, office=office, period=period)
        if typed:
            fill_workbook(path, typed)
        paths[office] = path
    return paths


def set_input(path: Path, code: str, key: str, value: object) -> None:
    """Type ``value`` in the ``key`` column (actual, note, target_text…) of indicator
    ``code``, found by the reader, and save the file as a user's spreadsheet would."""
    found = read_workbook(path).indicators[code]
    wb = openpyxl.load_workbook(path)
    wb[found.sheet][found.cells[key]] = value
    wb.save(path)
