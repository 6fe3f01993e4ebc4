"""A small plan with an organisation chart, for the grades per structure (docs/structure.md).

Two areas, three offices, weights, an OS with both own indicators and an operational
objective (``automatico`` mixes them 50/50), and a missing actual (I4) that drops out.
Expected grades, by hand (ratio rule ``>= t``: actual / t, capped at 1):

- I1 (S1) 5/10 = 0,5 · I2 (S2) 1 · I3 (S1) 18/20 = 0,9 · I4 (S3) missing · I5 (S3) 45/50 = 0,9
  · I6 (S2) 2/4 = 0,5
- Servizio Uno: OS1 = (0,5 + 0,9)/2 = 0,7 → 0,7
- Servizio Due: OS1 = 1; OS2 = 0,5 → (60·1 + 40·0,5)/100 = 0,8
- Servizio Tre: OS1 has only I4, missing → the ambito drops; OS2 = 0,9 → 0,9
- Area AI (Uno, Due): OS1 own (30·0,5 + 70·1)/100 = 0,85, OO 0,9 → 0,875; OS2 = 0,5
  → (60·0,875 + 40·0,5)/100 = 0,725
- Area AII (Tre): 0,9
- Ente: OS1 0,875; OS2 (0,9 + 0,5)/2 = 0,7 → (60·0,875 + 40·0,7)/100 = 0,805
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cruscotto_xl.core.actuals import typed_from_plan
from cruscotto_xl.core.model import Plan
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook

EXPECTED = {("area", "AI"): 0.725, ("area", "AII"): 0.9, ("ufficio", "Servizio Uno"): 0.7,
            ("ufficio", "Servizio Due"): 0.8, ("ufficio", "Servizio Tre"): 0.9}
ENTE = 0.805


def _ind(code: str, office: str, target: str, actual: float | None,
         weight: float | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"codice": code, "nome": f"Indicatore {code}", "uffici": [office],
                            "target": {2024: target}}
    if weight is not None:
        data["peso"] = weight
    if actual is not None:
        data["consuntivi"] = [{"anno": 2024, "valore": actual}]
    return data


def structure_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "strutture-2024", "ente": "Comune di Prova", "anno": 2024,
        "ambiti": [
            {"codice": "A", "titolo": "Ambito A", "peso": 60, "obiettivi": [
                {"codice": "OS1", "titolo": "Obiettivo uno", "indicatori": [
                    _ind("I1", "Servizio Uno", ">= 10", 5, 30),
                    _ind("I2", "Servizio Due", ">= 10", 10, 70)],
                 "obiettivi_operativi": [
                     {"codice": "OO1.1", "titolo": "Operativo uno", "indicatori": [
                         _ind("I3", "Servizio Uno", ">= 20", 18, 50),
                         _ind("I4", "Servizio Tre", ">= 100", None, 50)]}]}]},
            {"codice": "B", "titolo": "Ambito B", "peso": 40, "obiettivi": [
                {"codice": "OS2", "titolo": "Obiettivo due", "indicatori": [
                    _ind("I5", "Servizio Tre", ">= 50", 45, 50),
                    _ind("I6", "Servizio Due", ">= 4", 2, 50)]}]}],
        "struttura": {"aree": [
            {"codice": "AI", "nome": "Area I — Servizi amministrativi",
             "dirigente": "Anna Bianchi", "email": "anna.bianchi@example.org",
             "uffici": ["servizio uno", "Servizio Due"]},
            {"codice": "AII", "nome": "Area II — Servizi al territorio",
             "uffici": ["Servizio Tre"]}]},
    }
    data.update(extra)
    return data


def structure_plan(**extra: Any) -> Plan:
    return plan_from_data(structure_data(**extra))


def make_master(plan: Plan, folder: Path) -> Path:
    """Office workbooks typed as an office would, consolidated into a master."""
    returns = folder / "ritorni"
    returns.mkdir(parents=True)
    typed = typed_from_plan(plan, plan.year)
    for office, path in workbook_jobs(plan, returns, per_office=True):
        write_workbook(plan, path, office=office)
        fill_workbook(path, typed)
    master = folder / "cruscotto.xlsx"
    write_master(consolidate(returns, plan), master)
    return master
