"""A workbook re-saved by LibreOffice is not tampered with: every kind of generated workbook,
saved again by ``soffice --convert-to xlsx`` (which also recalculates it and rewrites its
formulas, number formats and tables in its own way), reads back with its tamper hash intact
and no locked cell reported as changed (docs/workbook.md, «Tamper hash»).

All files go through one soffice call. When LibreOffice is missing these tests FAIL (CI
installs it); they never skip.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from support import DATA
from support.history_plan import history_plan

from cruscotto_xl.core.actuals import Typed, plan_with_typed
from cruscotto_xl.core.model import Plan
from cruscotto_xl.core.problems import Problem
from cruscotto_xl.core.tree import UNOWNED
from cruscotto_xl.io.libreoffice import INSTALL_HINT, find_soffice, recalculate
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.returns.integrity import check_workbook
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook

PLAN = DATA / "golden" / "piano.yaml"
UNSIGNED = "cartella non firmata"

#: What offices type at the year end: a measure pair, a date, a term from an event (its
#: completion date and the event's date), a relative target, Sì, a monitoring value.
YEAR_END = {"K1": Typed(None, 460.0, 500.0, "nota"), "K2": Typed(8.5),
            "K3": Typed(date(2024, 9, 15)),
            "K4": Typed(date(2024, 3, 20), event_date=date(2024, 3, 1)),
            "K5": Typed(23.0), "K6": Typed("Sì"), "K7": Typed(1250.0), "K8": Typed(4.4)}
#: What the master of 30/06 holds, shown locked in the year-end workbooks.
MID_YEAR = {"K1": Typed(0.82), "K3": Typed(date(2024, 6, 28)), "K5": Typed(9.0),
            "K6": Typed("No")}


def _kinds(folder: Path, plan: Plan) -> dict[str, tuple[Path, Plan, str | None]]:
    """Every kind of workbook the tool writes: name → (file, the plan it was made from,
    its office)."""
    out: dict[str, tuple[Path, Plan, str | None]] = {}

    def write(name: str, plan_used: Plan, office: str | None = None, **options) -> Path:
        path = folder / f"{name}.xlsx"
        write_workbook(plan_used, path, office=office, **options)
        out[name] = (path, plan_used, office)
        return path

    write("piano", plan)
    write("ufficio", plan, "Servizi alle imprese")
    write("periodo_30-06", plan, period="30/06")
    write("senza_ufficio", plan, UNOWNED)
    filled = write("scadenze_da_evento_compilata", plan, "Servizi alle imprese")
    fill_workbook(filled, YEAR_END)
    with_mid = plan_with_typed(plan, MID_YEAR, plan.year, "30/06")
    write("fine_anno_con_valori_30-06", with_mid, "Promozione")
    write("storico_e_dizionario", history_plan())    # earlier years, baseline, texts
    returned = folder / "ritorni"
    returned.mkdir()
    for office, path in workbook_jobs(plan, returned, per_office=True):
        write_workbook(plan, path, office=office)
        fill_workbook(path, YEAR_END)
    master = folder / "principale_consolidato.xlsx"
    write_master(consolidate(returned, plan), master)
    out["principale_consolidato"] = (master, plan, None)
    return out


@pytest.fixture(scope="module")
def resaved(tmp_path_factory) -> dict[str, tuple[Path, Path, Plan, str | None]]:
    if find_soffice() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    folder = tmp_path_factory.mktemp("generati")
    kinds = _kinds(folder, load_plan(PLAN))
    converted = recalculate([path for path, _, _ in kinds.values()],
                            tmp_path_factory.mktemp("libreoffice"))
    return {name: (path, converted[path], plan, office)
            for name, (path, plan, office) in kinds.items()}


def _messages(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems]


KINDS = ["piano", "ufficio", "periodo_30-06", "senza_ufficio", "scadenze_da_evento_compilata",
         "fine_anno_con_valori_30-06", "storico_e_dizionario", "principale_consolidato"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_libreoffice_resave_is_not_tampering(resaved, kind):
    original, saved, plan, office = resaved[kind]
    assert saved.read_bytes() != original.read_bytes()      # LibreOffice did rewrite it
    before, after = read_workbook(original), read_workbook(saved)
    assert after.identity == before.identity
    assert after.identity.office == office
    assert after.hash_matches, f"{kind}: tamper hash changed by the LibreOffice save"
    assert {(s, c) for s, c, _ in after.locked} == {(s, c) for s, c, _ in before.locked}
    # LibreOffice did rewrite locked formulas (``>=1.0`` → ``>=1``): the normalization of
    # the hash is what keeps them equal, not an untouched file.
    raw_before = {(s, c): v for s, c, v in before.locked}
    assert any(raw_before[(s, c)] != v for s, c, v in after.locked)
    # The master against the plan it carries (see tests/workbook/test_golden.py for why).
    against = None if kind == "principale_consolidato" else plan
    _, problems = check_workbook(saved, against)
    assert _messages(problems) == _messages(check_workbook(original, against)[1])
    assert not any("bloccat" in m or "precedente del piano" in m for m in _messages(problems))


def test_the_originals_have_no_problem_but_the_missing_signature(resaved):
    """What the check above compares with: the original files have no problem but the
    office's missing signature and the values still owed (so «the same problems» means
    «none from the re-save»)."""
    for kind in KINDS[:-1]:
        original, _, plan, _ = resaved[kind]
        messages = _messages(check_workbook(original, plan)[1])
        others = [m for m in messages if not re.match(r"(consuntivo|data dell'evento) "
                                                      r"mancante al \d\d/\d\d", m)]
        assert len(others) == 1 and others[0].startswith(UNSIGNED), (kind, messages)
    original, _, _, _ = resaved["principale_consolidato"]
    assert check_workbook(original)[1] == []


def test_the_values_typed_survive_the_resave(resaved):
    _, saved, _, _ = resaved["scadenze_da_evento_compilata"]
    typed = read_workbook(saved).typed()
    assert (typed["K1"].numerator, typed["K1"].denominator, typed["K1"].note) == (
        460.0, 500.0, "nota")
    assert typed["K2"].actual == 8.5
    assert typed["K4"].actual == date(2024, 3, 20) and typed["K4"].event_date == date(2024, 3, 1)
