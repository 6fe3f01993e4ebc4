"""Formula truth: workbooks recalculated by LibreOffice give exactly the engine's grades.

One soffice call recalculates every workbook of this module (a rule harness with every
rule and edge case, two synthetic plans with different policies, both bundled examples
and the per-office split of one of them). Inputs are typed with openpyxl as an office
would, which also drops every cached value, so LibreOffice must compute each formula.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from support import EXAMPLES

from cruscotto_xl.core.actuals import plan_with_typed, typed_from_plan
from cruscotto_xl.core.model import Policy
from cruscotto_xl.core.rollover import roll_over
from cruscotto_xl.core.rollup import evaluate
from cruscotto_xl.core.rules import (
    Cells,
    GradeSpec,
    effective_actual,
    effective_actual_formula,
    grade_formula,
    grade_spec,
    valutazione,
    valutazione_formula,
)
from cruscotto_xl.core.targets import parse_target
from cruscotto_xl.core.vocabulary import (
    MISSING_WORDS,
    NO_WORDS,
    YES_WORDS,
    NumberError,
    formula_yes_no,
    parse_actual,
)
from cruscotto_xl.io.libreoffice import find_soffice, recalculate
from cruscotto_xl.io.planfile import load_plan, plan_from_data
from cruscotto_xl.returns.locate import find_table, registry
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import fill_workbook, sample_typed
from cruscotto_xl.services.verify import compare_with_engine
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.layout import INDICATOR_INDEX

# --- a harness of rules: one row per (spec, inputs) ---------------------------------------

@dataclass(frozen=True)
class Case:
    target: str
    actual: object = None
    policy: Policy = field(default_factory=Policy)
    numerator: float | None = None
    denominator: float | None = None
    reference: float | None = None
    threshold: float | None = None
    status: str | None = None
    forced: float | None = None
    red_flag: float | None = None
    event: object = None

    def spec(self) -> GradeSpec:
        return GradeSpec.from_target(parse_target(self.target), self.policy,
                                     threshold=self.threshold, red_flag=self.red_flag,
                                     status=self.status, forced=self.forced)  # type: ignore[arg-type]


LINEAR = Policy(lower_is_better="lineare")
DECAY = Policy(deadline_decay_days=30)
ZERO = Policy(missing="zero")

CASES = [
    # >= / >, T > 0: at, below, above, zero, negative actual
    *(Case(">= 70,00 %", a) for a in (0.7, 0.69, 0.71, 0.63, 0.0, -0.1)),
    *(Case("> 5 N.", a) for a in (5, 4, 6)),
    # T = 0
    *(Case(">= 0", a) for a in (0, -1, 1)), *(Case("> 0 N.", a) for a in (0, 0.5, -0.5)),
    # T < 0
    *(Case(">= -9,90 %", a) for a in (-0.099, -0.198, 0.0, -0.1, 0.2)),
    # <= / <, T > 0, with and without the linear policy and an explicit red flag
    *(Case("<= 10 gg", a) for a in (10, 9, 10.5, 20, 0, -5)),
    *(Case("<= 10 gg", a, LINEAR) for a in (10, 12, 15, 20, 25)),
    Case("<= 10 gg", 13, LINEAR, red_flag=16),
    # T = 0 and bare zero
    *(Case("<= 0 N.", a) for a in (0, 1, -1)), *(Case("< 0", a) for a in (0, -1)),
    *(Case("0 N.", a) for a in (0, 3)),
    # T < 0
    *(Case("<= -10,00 gg", a) for a in (-10, -12, -5, -9.99, 0, 3)),
    # =
    *(Case("= 0,23 N.", a) for a in (0.23, 0.235, 0.225, 0.2351, 0.2249, 0.3)),
    *(Case("= 5,0 %", a) for a in (0.0505, 0.0506)),
    # deadlines, with decay
    *(Case("Entro 31-12-2023", a) for a in (date(2023, 12, 31), date(2023, 6, 1),
                                            date(2024, 1, 1), date(2024, 1, 15))),
    *(Case("Entro 31-12-2023", a, DECAY) for a in (date(2023, 12, 31), date(2024, 1, 15),
                                                   date(2024, 1, 30), date(2024, 3, 1))),
    # milestones, including values that mean nothing
    *(Case("Sì", a) for a in ("Sì", "si", "SI", "No", "no", "forse", 1.0)),
    # relative: with and without reference, gap from a benchmark
    Case("x < x-1", 8, reference=10), Case("x < x-1", 20, reference=10), Case("x < x-1", 8),
    Case(">= anno precedente", 5, reference=10),
    Case("scostamento max 0,02 da media cluster", 0.51, reference=0.5),
    Case("scostamento max 0,02 da media cluster", 0.53, reference=0.5),
    # monitoring, missing (with both policies), text in a number cell
    Case("Monitoraggio", 5), Case("n.d.", None),
    *(Case(t, None) for t in (">= 70,00 %", "Entro 31-12-2023", "Sì", "x < x-1")),
    *(Case(t, None, ZERO) for t in (">= 70,00 %", "<= 10 gg", "Sì")),
    Case(">= 3 N.", "tanti"), Case("Entro 31-12-2023", "presto"),
    # soglia
    *(Case(">= 100 N.", a, threshold=0.5) for a in (40, 50, 60, 100)),
    # statuses
    Case(">= 5", 10, status="neutralizzato"), Case(">= 5", 1, status="forzato", forced=0.8),
    Case(">= 5", None, status="forzato", forced=1.0), Case(">= 5", 1, status="forzato"),
    # measures instead of the actual, denominator zero, typed actual wins
    Case(">= 90,00 %", None, numerator=46, denominator=47),
    Case(">= 90,00 %", None, numerator=5, denominator=0),
    Case(">= 90,00 %", None, numerator=5),
    Case(">= 90,00 %", 0.5, numerator=46, denominator=47),
    # relative targets with a change (the reference cell carries R)
    *(Case("incremento del 5% rispetto all'anno precedente", a, reference=100)
      for a in (105, 104, 110, 0, -5, None)),
    Case("incremento del 5% rispetto all'anno precedente", 1),            # no reference
    *(Case("incremento del 5% rispetto all'anno precedente", a, reference=0) for a in (0, -1)),
    *(Case("riduzione del 10% rispetto al 2022", a, reference=50) for a in (45, 50, 40, 60)),
    *(Case("+10 rispetto alla baseline", a, reference=20) for a in (30, 25, 31)),
    *(Case(">= baseline + 2 punti percentuali", a, reference=0.5) for a in (0.52, 0.5)),
    *(Case("x < x-3", a, reference=10) for a in (9, 10, 12)),
    *(Case("<= valore 2023 - 2 gg", a, reference=12) for a in (10, 11, 9)),
    *(Case("<= anno precedente - 0,3", a, reference=0.30000000000000004) for a in (0, 0.1)),
    *(Case("= valore 2023", a, reference=7.5) for a in (7.5, 7.51)),
    Case("> media cluster", 3, reference=2), Case(">= media triennio", 9, reference=12),
    Case("riduzione del 10% rispetto al 2022", 45, LINEAR, reference=40, red_flag=80),
    # terms from an event: the office types the event's date and the completion date
    *(Case("entro 30 gg dalla richiesta", a, event=date(2024, 1, 15))
      for a in (date(2024, 2, 14), date(2024, 2, 15), date(2024, 1, 15))),
    *(Case("entro 1 mese dalla richiesta", a, event=date(2024, 1, 31))     # leap February
      for a in (date(2024, 2, 29), date(2024, 3, 1))),
    *(Case("entro 1 mese dalla richiesta", a, event=date(2023, 1, 31))
      for a in (date(2023, 2, 28), date(2023, 3, 1))),
    Case("entro 1 mese dalla richiesta", date(2024, 4, 30), event=date(2024, 3, 31)),
    *(Case("< 2 mesi da approvazione decreto", a, event=date(2024, 12, 31))  # year change
      for a in (date(2025, 2, 27), date(2025, 2, 28))),
    *(Case("entro 6 mesi dallo svolgimento della prova", a, event=date(2024, 8, 31))
      for a in (date(2025, 2, 28), date(2025, 3, 1))),
    *(Case("entro 2 settimane dalla richiesta", a, event=date(2024, 5, 1))
      for a in (date(2024, 5, 15), date(2024, 5, 16))),
    *(Case("almeno 15 giorni prima della seduta", a, event=date(2024, 6, 30))
      for a in (date(2024, 6, 15), date(2024, 6, 16))),
    Case("entro 30 gg dalla richiesta", date(2024, 2, 14)),                # no event date
    Case("entro 30 gg dalla richiesta", date(2024, 2, 14), event="ieri"),  # not a date
    Case("entro 30 gg dalla richiesta", None, event=date(2024, 1, 15)),    # no completion
    Case("entro 30 gg dalla richiesta", "presto", event=date(2024, 1, 15)),
    *(Case("entro 30 gg dalla richiesta", a, DECAY, event=date(2024, 1, 15))
      for a in (date(2024, 2, 24), date(2024, 4, 1))),
    Case("entro 30 gg dalla richiesta", None, ZERO, event=date(2024, 1, 15)),
    # comparisons in words and with noise, deadlines with two-digit years and in words
    *(Case(t, a) for t, a in (("ITP < -10", -12), ("ITP < -10", -5), ("almeno l'80%", 0.7),
                              ("max 30 gg", 45), ("€ 1.821.008,38", 1_500_000),
                              ("non oltre 10 giorni", 10), ("26’", 13), ("N° incontri = 2", 2),
                              ("31/12/24", date(2025, 1, 1)),
                              ("entro il 30 giugno 2024", date(2024, 6, 30)))),
]


def _random_cases(n: int) -> list[Case]:
    """Random comparisons around their boundaries (fixed seed: the batch is reproducible)."""
    rnd = random.Random(20241231)
    out = []
    for _ in range(n):
        op = rnd.choice([">=", ">", "<=", "<", "="])
        t = rnd.choice([0, rnd.uniform(-1000, 1000), round(rnd.uniform(-5, 5), 2)])
        a = rnd.choice([t, t + rnd.uniform(-1, 1), rnd.uniform(-2000, 2000), -t, 0])
        text = f"{op} {t:.2f}".replace(".", ",")
        out.append(Case(text, a, rnd.choice([Policy(), LINEAR])))
    return out


# Every yes/no and «missing» word of the vocabulary (and a few near misses) typed in a
# milestone's actual cell: LibreOffice says which ones the grade formula accepts.
WORDS = sorted({*YES_WORDS, *NO_WORDS, *(MISSING_WORDS - {""}), "SÌ", "Sí", "NO", "nO", "Sì ",
                " No", "realizzato", "fatto", "non realizzato", "forse"})
WORD_CASES = [Case("Sì", word) for word in WORDS]
ALL_CASES = CASES + WORD_CASES + _random_cases(150)
COLS = ["status", "forced", "reference", "tolerance", "red_flag", "threshold", "deadline",
        "target", "actual", "numerator", "denominator", "effective", "grade", "valutazione",
        "event"]
C = {k: xlsxwriter.utility.xl_col_to_name(i) for i, k in enumerate(COLS)}


def write_harness(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_numbers": False})
    ws = wb.add_worksheet("Regole")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for i, case in enumerate(ALL_CASES, start=2):
        spec = case.spec()
        t = spec.target
        values = {"status": spec.status, "forced": spec.forced, "reference": case.reference,
                  "tolerance": spec.tolerance, "red_flag": spec.red_flag,
                  "threshold": spec.threshold, "deadline": t.deadline, "target": t.value,
                  "numerator": case.numerator, "denominator": case.denominator,
                  "event": case.event}
        for key, value in values.items():
            cell = f"{C[key]}{i}"
            if isinstance(value, date):
                ws.write_datetime(cell, value, date_fmt)
            elif isinstance(value, str):
                ws.write_string(cell, value)
            elif value is not None:
                ws.write_number(cell, value)
        cells = Cells(**{k: f"{C[k if k != 'actual' else 'effective']}{i}" for k in (
            "actual", "target", "status", "forced", "reference", "tolerance", "red_flag",
            "threshold", "deadline", "event")})
        ws.write_formula(f"{C['effective']}{i}", "=" + effective_actual_formula(
            f"{C['actual']}{i}", f"{C['numerator']}{i}", f"{C['denominator']}{i}"))
        ws.write_formula(f"{C['grade']}{i}", grade_formula(spec, cells))
        ws.write_formula(f"{C['valutazione']}{i}", valutazione_formula(f"{C['grade']}{i}"))
    wb.close()
    # the actual is typed afterwards, as an office would (and caches are dropped)
    book = openpyxl.load_workbook(path)
    sheet = book["Regole"]
    for i, case in enumerate(ALL_CASES, start=2):
        if case.actual is not None:
            sheet[f"{C['actual']}{i}"] = case.actual
    book.save(path)


# --- plans ------------------------------------------------------------------------------

def ind(code, target, actual=None, weight=None, **extra):
    data = {"codice": code, "nome": f"Indicatore {code}", "target": {2024: target}, **extra}
    if weight is not None:
        data["peso"] = weight
    if actual is not None:
        data.setdefault("consuntivi", []).append({"anno": 2024, "valore": actual})
    return data


def synthetic_plan(policy: dict) -> dict:
    return {
        "ente": "Ente di prova", "anno": 2024, "politica": policy,
        "uffici": [{"nome": "Ufficio A"}, {"nome": "Ufficio B"}],
        "ambiti": [
            {"codice": "A1", "titolo": "=HYPERLINK(\"http://x\",\"y\")", "peso": 70,
             "obiettivi": [
                 {"codice": "01", "titolo": "+1+1", "peso": 40, "uffici": ["Ufficio A"],
                  "indicatori": [
                      ind("K01", ">= 70,00 %", "63 %", 25), ind("K02", ">= -9,90 %", -0.198, 25),
                      ind("K03", "> 0 N.", 0, 25), ind("K04", "<= -10,00 gg", -5, 25)]},
                 {"codice": "02", "titolo": "@SUM(A1)", "peso": 60, "uffici": ["Ufficio B"],
                  "obiettivi_operativi": [
                      {"codice": "02.01", "titolo": "Tempi", "peso": 50, "indicatori": [
                          ind("K05", "<= 10 gg", 15, 50), ind("K06", "= 0,23 N.", 0.235, 30),
                          ind("K07", "<= 0 N.", 2, 20)]},
                      {"codice": "02.02", "titolo": "Scadenze", "peso": 50, "indicatori": [
                          ind("K08", "Entro 31-12-2024", "15/01/2025"),
                          ind("K09", "Entro 31-12-2024", "10/12/2024"),
                          ind("K10", "Sì", "No"), ind("K11", "Sì", "Sì")]},
                  ]},
             ]},
            {"codice": "A2", "titolo": "Processi", "peso": 30, "obiettivi": [
                {"codice": "03", "titolo": "Misto", "peso": 50, "uffici": ["Ufficio A"],
                 "indicatori": [ind("K12", ">= 100 N.", 40, 50, soglia="50%"),
                                ind("K13", "x < x-1", 8, 50,
                                    consuntivi=[{"anno": 2023, "valore": 10}])],
                 "obiettivi_operativi": [
                     {"codice": "03.01", "titolo": "Relativi", "indicatori": [
                         ind("K14", "> media", 5), ind("K15", "Monitoraggio", 3),
                         ind("K16", ">= 90,00 %", None, uffici=["Ufficio A", "Ufficio B"],
                             consuntivi=[{"anno": 2024, "numeratore": 46,
                                          "denominatore": 47}])]}]},
                {"codice": "04", "titolo": "Stati", "peso": 50, "uffici": ["Ufficio B"],
                 "indicatori": [
                     ind("K17", ">= 5", 10, 20, stati=[{"anno": 2024, "tipo": "neutralizzato",
                                                        "nota": "causa esterna"}]),
                     ind("K18", ">= 5", 1, 30, stati=[{"anno": 2024, "tipo": "forzato",
                                                       "nota": "delibera", "grado": 0.8}]),
                     ind("K19", ">= 5", None, 50)]},
                {"codice": "05", "titolo": "Solo monitoraggio", "peso": 0, "indicatori": [
                    ind("K20", "n.d.", 1)]},
            ]},
        ],
    }


def grammar_plan() -> dict:
    """One indicator per new kind of target, with the history its references come from:
    offset relatives (additive, multiplicative, lags, fixed years, a mean, the baseline, a
    reference of 0, a missing one), terms from an event (days, months across a month end and
    a year end, a missing event date) and texts with words and noise."""
    def history(*pairs):
        return [{"anno": y, "valore": v} for y, v in pairs]

    def done(when, event=None):
        entry = {"anno": 2024, "valore": when}
        return [entry | {"data_evento": event}] if event else [entry]

    return {
        "ente": "Comune di prova", "anno": 2024, "id": "grammatica-2024",
        "ambiti": [{"codice": "G", "titolo": "Grammatica", "obiettivi": [
            {"codice": "R1", "titolo": "Relativi con variazione", "indicatori": [
                ind("G01", "incremento del 5% rispetto all'anno precedente", 104,
                    consuntivi=history((2023, 100))),
                ind("G02", "riduzione del 10% rispetto al 2022", 47, verso="decrescente",
                    consuntivi=history((2022, 50), (2023, 40))),
                ind("G03", ">= baseline + 10", 27, baseline={"valore": 20, "anno": 2019}),
                ind("G04", "x < x-3", 9, consuntivi=history((2021, 10), (2023, 8))),
                ind("G05", ">= media triennio", 12,
                    consuntivi=history((2021, 9), (2022, 12), (2023, 15))),
                ind("G06", "mantenimento del valore 2023", "50 %", verso="crescente",
                    unita="%", consuntivi=history((2023, 0.6))),
                ind("G07", ">= anno precedente", 3, consuntivi=history((2023, 0))),
                ind("G08", "< anno precedente", 0, consuntivi=history((2023, 0))),
                ind("G09", ">= valore 2020", 5, consuntivi=history((2023, 4))),
                ind("G10", "+2 punti percentuali rispetto al 2023", 0.61, unita="%",
                    consuntivi=history((2023, 0.6))),
            ]},
            {"codice": "E1", "titolo": "Termini da un evento", "indicatori": [
                ind("G11", "entro 30 gg dalla richiesta",
                    consuntivi=done("2024-02-14", "2024-01-15")),
                ind("G12", "entro 1 mese dalla richiesta",
                    consuntivi=done("2024-03-01", "2024-01-31")),
                ind("G13", "< 2 mesi da approvazione decreto",
                    consuntivi=done("2025-02-27", "2024-12-31")),
                ind("G14", "entro 30 gg dalla richiesta", consuntivi=done("2024-03-01")),
                ind("G15", "6 mesi dallo svolgimento della prova",
                    consuntivi=done("2025-02-28", "2024-08-31")),
            ]},
            {"codice": "W1", "titolo": "Parole e rumore", "indicatori": [
                ind("G16", "almeno l'80%", "72 %"), ind("G17", "ITP < -10", -12),
                ind("G18", "entro il 30 giugno", "10/07/2024"),
                ind("G19", "Realizzazione: Definizione di una proposta di regolamento", "Sì",
                    da_confermare=True),
                ind("G20", "31/12/24", "20/12/2024"), ind("G21", "€ 1.821.008,38", 1_821_008.38),
                ind("G22", "max 30 gg", 45),
            ]},
        ]}],
    }


# Computed by hand from the texts and the history above (T = the target the text asks for).
GRAMMAR_EXPECTED = {
    "G01": 104 / 105,             # T = 100 × 1,05
    "G02": 45 / 47,               # T = 50 × 0,9 (the 2022 actual), lower is better
    "G03": 27 / 30,               # T = 20 + 10
    "G04": 1.0,                   # 9 < 10 (the 2021 actual, three years back)
    "G05": 1.0,                   # 12 >= (9 + 12 + 15) / 3
    "G06": 0.5 / 0.6,
    "G07": 1.0,                   # a reference of 0: 3 >= 0
    "G08": 0.0,                   # 0 < 0 does not hold
    "G09": "riferimento mancante",   # no actual of 2020
    "G10": 0.61 / 0.62,           # T = 0,6 + 0,02
    "G11": 1.0,                   # 14/02 <= 15/01 + 30 days
    "G12": 0.0,                   # 31/01 + 1 month = 29/02: 01/03 is late
    "G13": 1.0,                   # 31/12 + 2 months = 28/02, strict: by 27/02
    "G14": "data evento mancante",
    "G15": 1.0,                   # 31/08 + 6 months = 28/02/2025
    "G16": 0.9, "G17": 1.0, "G18": 0.0, "G19": 1.0, "G20": 1.0, "G21": 1.0,
    "G22": 30 / 45,
}


@dataclass
class Batch:
    harness: Path
    plans: dict[str, tuple[object, Path, str | None]]   # label → (plan, output, office)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Batch:
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh` "
                    "(apt-get install -y --no-install-recommends libreoffice-calc-nogui)")
    src = tmp_path_factory.mktemp("src")
    harness = src / "regole.xlsx"
    write_harness(harness)
    inputs = {"regole": (None, harness, None)}
    plans = {
        "predefinita": plan_from_data(synthetic_plan({})),
        "alternativa": plan_from_data(synthetic_plan({
            "minore_migliore": "lineare", "giorni_decadimento_scadenza": 30,
            "dato_mancante": "zero", "composizione_os": "misto",
            "quota_indicatori_os": 70})),
        "strategico": load_plan(EXAMPLES / "piano-strategico-2024.yaml"),
        "operativo": load_plan(EXAMPLES / "piano-operativo-2023.yaml"),
        # The rolled-over plan (issue 7): next year's targets, last year's actuals as references.
        "rinnovo": roll_over(load_plan(EXAMPLES / "piano-strategico-2024.yaml"), 2025).plan,
        "grammatica": plan_from_data(grammar_plan()),
    }
    for label, plan in plans.items():
        jobs = workbook_jobs(plan, src / label, per_office=label in ("operativo", "predefinita"))
        if label in ("operativo", "predefinita"):
            jobs = [(None, src / label / "intero.xlsx"), *jobs]
        (src / label).mkdir()
        typed = typed_from_plan(plan, plan.year)
        if label in ("strategico", "rinnovo"):   # no actuals in the source: sample values
            typed = sample_typed(plan, plan.year)
            plan = plans[label] = plan_with_typed(plan, typed, plan.year)
        for office, path in jobs:
            write_workbook(plan, path, office=office)
            fill_workbook(path, typed)
            inputs[f"{label}:{office or 'intero'}"] = (plan, path, office)
    outputs = recalculate([p for _, p, _ in inputs.values()], tmp_path_factory.mktemp("rc"))
    return Batch(outputs[harness], {k: (pl, outputs[p], o) for k, (pl, p, o) in inputs.items()
                                    if k != "regole"})


def test_rule_harness_equals_engine(batch):
    sheet = openpyxl.load_workbook(batch.harness, data_only=True)["Regole"]
    bad = []
    for i, case in enumerate(ALL_CASES, start=2):
        expected = grade_spec(effective_actual(case.actual, case.numerator, case.denominator),
                              case.spec(), case.reference, case.event)
        got = sheet[f"{C['grade']}{i}"].value
        text = sheet[f"{C['valutazione']}{i}"].value
        if isinstance(expected.cell, float):
            ok = isinstance(got, int | float) and abs(got - expected.cell) <= 1e-9
        else:
            ok = got == expected.cell
        if not ok or text != valutazione(expected):
            bad.append((i, case, got, expected.cell, text))
    assert not bad, "\n".join(map(str, bad[:20]))
    assert len(ALL_CASES) == len(CASES) + len(WORD_CASES) + 150


def test_milestone_words_are_what_the_formula_accepts(batch):
    """The engine, the CLI and the reader read Sì/No in the words the recalculated formula
    accepts, and in no other (``x`` or ``fatto`` are not Sì: the workbook says «valore non
    valido», so the CLI must not say 100 %)."""
    sheet = openpyxl.load_workbook(batch.harness, data_only=True)["Regole"]
    first = 2 + len(CASES)
    accepted: dict[str, bool | None] = {}
    for k, word in enumerate(WORDS):
        got = sheet[f"{C['grade']}{first + k}"].value
        assert got in (1, 0, "valore non valido"), (word, got)
        accepted[word] = None if isinstance(got, str) else got == 1
    assert {w for w, a in accepted.items() if a is True} == {"si", "sì", "sí", "Sí", "SÌ"}
    assert {w for w, a in accepted.items() if a is False} == {"no", "NO", "nO"}
    for word, answer in accepted.items():
        assert formula_yes_no(word) is answer, word
        if word != word.strip():          # a lenient reading trims: not the formula's case
            continue
        try:
            read = parse_actual(word)
        except NumberError:
            read = None
        assert (read if isinstance(read, bool) else None) is answer, word


@pytest.mark.parametrize("label", ["predefinita:intero", "predefinita:Ufficio A",
                                   "predefinita:Ufficio B", "alternativa:intero",
                                   "strategico:intero", "operativo:intero", "rinnovo:intero",
                                   "grammatica:intero"])
def test_plan_workbooks_equal_engine(batch, label):
    plan, output, office = batch.plans[label]
    result = compare_with_engine(output, plan, office=office)
    assert result.equal, "\n".join(map(str, result.mismatches[:20]))
    assert result.compared > 10


def test_office_workbooks_of_the_example_equal_engine(batch):
    offices = [k for k in batch.plans if k.startswith("operativo:") and k != "operativo:intero"]
    assert len(offices) == 8
    for label in offices:
        plan, output, office = batch.plans[label]
        result = compare_with_engine(output, plan, office=office)
        assert result.equal, (label, [str(m) for m in result.mismatches[:10]])
        # not vacuous: at least every indicator's grade and valutazione was compared
        assert result.compared >= 2 * len(read_workbook(output).indicators) > 0, label


def test_synthetic_plan_expected_grades(batch):
    """A few hand-computed values, so the comparison above cannot be vacuous."""
    output = batch.plans["predefinita:intero"][1]
    wb = openpyxl.load_workbook(output, data_only=True)
    summary = {row[1].value: row[4].value for row in wb["Riepilogo"].iter_rows(min_row=5)
               if row[1].value}
    assert summary["01"] == pytest.approx((0.9 + 0.5 + 0 + 0.5) / 4)
    assert summary["04"] == pytest.approx(0.8)          # K17 neutralized, K19 missing
    assert summary["05"] == "nessun elemento valutabile"


def test_a_changed_formula_is_caught(tmp_path, batch):
    """The comparison can fail: break one grade formula and recalculate."""
    plan = batch.plans["predefinita:intero"][0]
    src = tmp_path / "src"
    src.mkdir()
    path = src / "rotto.xlsx"
    write_workbook(plan, path)
    fill_workbook(path, typed_from_plan(plan, 2024))
    wb = openpyxl.load_workbook(path)
    ws = wb[next(n for n in wb.sheetnames if n.startswith("01 "))]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "K01":
                ws.cell(cell.row, INDICATOR_INDEX["grade"] + 1).value = "=1"
    wb.save(path)
    out = recalculate([path], tmp_path / "rc")[path]
    result = compare_with_engine(out, plan)
    # Exactly K01 (its grade «=1» → «Raggiunto») and the grades that roll it up.
    assert [m.what for m in result.mismatches] == [
        "grado indicatore K01", "valutazione indicatore K01", "grado obiettivo 01",
        "grado ente None", "grado ambito A1", "grado os 01"]
    assert (result.mismatches[0].excel, result.mismatches[1].excel) == (1, "Raggiunto")


def _grades_by_code(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {str(row["Codice"].value): row["Grado"].value
            for entry in registry(wb) for row in find_table(wb, entry.table).rows}


def test_grammar_plan_grades_computed_by_hand(batch):
    """LibreOffice's grades of the new kinds of target equal values computed by hand, and
    so does the engine (the comparison with the engine alone could agree on a mistake)."""
    plan, output, _ = batch.plans["grammatica:intero"]
    excel = _grades_by_code(output)
    engine = {n.code: n.grade.cell for n in evaluate(plan).walk() if n.level == "indicatore"}
    for code, expected in GRAMMAR_EXPECTED.items():
        for got in (excel[code], engine[code]):
            if isinstance(expected, float):
                assert got == pytest.approx(expected, abs=1e-12), code
            else:
                assert got == expected, code


def test_references_come_from_the_plans_history(tmp_path):
    """The Riferimento cell is filled from the history the target names (or left empty),
    and the workbook of every new kind of target passes its own integrity check."""
    plan = plan_from_data(grammar_plan())
    path = tmp_path / "g.xlsx"
    write_workbook(plan, path)
    reading = read_workbook(path)
    assert reading.hash_matches and not reading.problems   # every kind reads back untouched
    found = reading.indicators
    refs = {c: found[c].raw["reference"] for c in ("G01", "G02", "G03", "G04", "G05", "G09")}
    assert refs == {"G01": 100, "G02": 50, "G03": 20, "G04": 10, "G05": 12, "G09": ""}
