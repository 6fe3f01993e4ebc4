"""«Data evento»: the input of a term from an event (``entro 30 gg dalla richiesta``) goes
the way of the other inputs — written, read back, consolidated into the master, sealed by
the sign-off fingerprint, recorded in the value history and written by the Consolida
button."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from support.periods_plan import set_input

from cruscotto_xl.core.actuals import Typed
from cruscotto_xl.core.model import Actual
from cruscotto_xl.core.rollup import evaluate
from cruscotto_xl.core.signoff import CHANGED, SIGNED
from cruscotto_xl.core.vocabulary import excel_serial
from cruscotto_xl.excel import macros
from cruscotto_xl.excel.port import OpenpyxlPort
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.returns.sign import sign_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.layout import INDICATOR_INDEX, SHEET_HISTORY, col_letter

WHEN = datetime(2025, 1, 20, 10, 30)


def event_plan():
    return plan_from_data({
        "ente": "Comune di prova", "anno": 2024, "id": "eventi-2024",
        "uffici": [{"nome": "Protocollo"}, {"nome": "Tributi"}],
        "ambiti": [{"codice": "A", "titolo": "Servizi", "obiettivi": [
            {"codice": "O1", "titolo": "Tempi di risposta", "uffici": ["Protocollo"],
             "indicatori": [
                 {"codice": "T1", "nome": "Risposta alle istanze",
                  "target": {2024: "entro 30 gg dalla richiesta"}},
                 {"codice": "T2", "nome": "Adeguamento procedure",
                  "target": {2024: "< 2 mesi da approvazione decreto"}}]},
            {"codice": "O2", "titolo": "Riscossione", "uffici": ["Tributi"],
             "indicatori": [{"codice": "R1", "nome": "Incassi", "target": {2024: ">= 90 %"}}]},
        ]}],
    })


def test_the_column_is_an_input_shown_only_where_a_term_runs_from_an_event(tmp_path):
    path = tmp_path / "intero.xlsx"
    write_workbook(event_plan(), path)
    wb = openpyxl.load_workbook(path)
    letter = col_letter(INDICATOR_INDEX["event_date"])
    o1, o2 = (next(wb[n] for n in wb.sheetnames if n.startswith(c)) for c in ("O1", "O2"))
    assert o1[f"{letter}6"].value == "Data evento" and o2[f"{letter}6"].value == "Data evento"
    assert not o1.column_dimensions[letter].hidden and o2.column_dimensions[letter].hidden
    assert o1[f"{letter}7"].protection.locked is False


def test_typed_event_dates_are_read_back(tmp_path):
    path = tmp_path / "intero.xlsx"
    write_workbook(event_plan(), path)
    fill_workbook(path, {"T1": Typed(date(2024, 2, 14), event_date=date(2024, 1, 15))})
    set_input(path, "T2", "event_date", "31/12/2024")         # typed as text
    set_input(path, "R1", "event_date", "ieri")                # not a date
    reading = read_workbook(path)
    t1, t2 = reading.indicators["T1"], reading.indicators["T2"]
    assert t1.typed_lenient.event_date == date(2024, 1, 15)
    assert t1.typed_raw.event_date == excel_serial(date(2024, 1, 15))
    assert t2.typed_lenient.event_date == date(2024, 12, 31)
    messages = {(p.subject, p.severity, p.message) for p in reading.problems}
    assert ("T2", "avviso", "«31/12/2024» scritto come testo: letto come data") in messages
    assert ("R1", "errore", "«ieri» non è una data") in messages
    assert not [p for p in reading.problems if p.subject == "T1"]   # a real date: silent


def test_consolidation_history_and_the_button_carry_the_event_date(tmp_path):
    plan = event_plan()
    folder = tmp_path / "ritorni"
    folder.mkdir()
    for office, path in workbook_jobs(plan, folder, per_office=True):
        write_workbook(plan, path, office=office)
        fill_workbook(path, {"T1": Typed(date(2024, 2, 14), event_date=date(2024, 1, 15)),
                             "T2": Typed(date(2025, 2, 28), event_date=date(2024, 12, 31)),
                             "R1": Typed(0.95)})
    result = consolidate(folder, plan)
    assert result.typed["T1"].event_date == date(2024, 1, 15)
    master = tmp_path / "cruscotto.xlsx"
    write_master(result, master, now=WHEN)
    held = read_workbook(master).held_plan()
    t1 = next(s.indicator for s in held.indicators() if s.indicator.code == "T1")
    assert t1.actual_for(2024).event_date == date(2024, 1, 15)
    grades = {n.code: n.grade.value for n in evaluate(held).walk() if n.level == "indicatore"}
    assert grades == {"T1": 1.0, "T2": 0.0, "R1": 1.0}     # T2: 28/02 is not < 28/02
    ws = openpyxl.load_workbook(master)[SHEET_HISTORY]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "14/02/2024 data evento: 15/01/2024" in texts
    # the Consolida button writes the same inputs into the plan's open workbook
    empty = tmp_path / "piano.xlsx"
    write_workbook(plan, empty)
    port = OpenpyxlPort(empty)
    macros.write_inputs(port, macros.render_book(held, year=2024, with_actuals=True))
    port.save(empty)
    again = read_workbook(empty).indicators["T2"]
    assert again.typed_lenient.event_date == date(2024, 12, 31)


def test_the_signature_seals_the_event_date(tmp_path):
    plan = event_plan()
    folder = tmp_path / "uffici"
    folder.mkdir()
    [(office, path)] = [j for j in workbook_jobs(plan, folder, per_office=True)
                        if j[0] == "Protocollo"]
    write_workbook(plan, path, office=office)
    fill_workbook(path, {"T1": Typed(date(2024, 2, 14), event_date=date(2024, 1, 15))})
    sign_workbook(path, signer="Anna Rossi", role="Responsabile", confirm=True)
    assert read_workbook(path).signature_state() == SIGNED
    set_input(path, "T1", "event_date", datetime(2024, 1, 20))
    assert read_workbook(path).signature_state() == CHANGED


@pytest.mark.parametrize(("typed", "grade", "check"), [
    (None, "data evento mancante", "Manca la data dell'evento"),
    (date(2024, 1, 15), 1.0, "OK"),
])
def test_a_missing_event_date_is_named_in_the_grade_and_the_checks(tmp_path, typed, grade,
                                                                    check):
    plan = event_plan()
    t1 = next(s.indicator for s in plan.indicators() if s.indicator.code == "T1")
    t1.actuals = [Actual(anno=2024, valore=date(2024, 2, 1), data_evento=typed)]
    path = tmp_path / "intero.xlsx"
    write_workbook(plan, path, with_actuals=True)
    shown = openpyxl.load_workbook(path, data_only=True)     # the cached values
    sheet = next(shown[n] for n in shown.sheetnames if n.startswith("O1"))
    assert sheet[f"{col_letter(INDICATOR_INDEX['grade'])}7"].value == grade
    checks = {r[0].value: r[4].value for r in shown["Controlli"].iter_rows() if r[0].value}
    assert checks["T1"] == check


def test_a_missing_event_date_is_owed_like_a_missing_actual(tmp_path):
    plan = event_plan()
    folder = tmp_path / "ritorni"
    folder.mkdir()
    for office, path in workbook_jobs(plan, folder, per_office=True):
        write_workbook(plan, path, office=office)
        fill_workbook(path, {"T1": Typed(date(2024, 2, 14)),        # no event date
                             "T2": Typed(date(2025, 2, 28), event_date=date(2024, 12, 31)),
                             "R1": Typed(0.95)})
    result = consolidate(folder, plan)
    owed = [(m.code, m.what) for ms in result.missing.values() for m in ms]
    assert owed == [("T1", "data dell'evento")]
    letter = col_letter(INDICATOR_INDEX["event_date"])
    problem = next(p for p in result.problems if p.subject == "T1")
    assert f"!{letter}7" in problem.location and "data dell'evento mancante" in problem.message
