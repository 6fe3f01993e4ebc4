"""Grades per structure in the master: LibreOffice recalculates the «Gradi per struttura»
block and the hidden ``_strutture`` sheet of a consolidated master, and the grades equal
the engine's (:func:`~cruscotto_xl.core.structure.structure_grades`) and the hand-computed
ones of tests/support/structure_plan.py. Office workbooks are typed with openpyxl, which
drops every cached value, and the master is recalculated: every number below comes from
the formulas. When LibreOffice is missing these tests FAIL; they never skip."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from support import EXAMPLES
from support.structure_plan import ENTE, EXPECTED, make_master, structure_plan

from cruscotto_xl.core.model import Plan, Structure
from cruscotto_xl.core.structure import structure_grades
from cruscotto_xl.io.libreoffice import INSTALL_HINT, find_soffice, recalculate
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.workbook.layout import SHEET_STRUCTURE

KINDS = {"Area": "area", "Ufficio": "ufficio"}


def block_grades(path: Path) -> dict[tuple[str, str], object]:
    """(kind, code or office) → grade of the Riepilogo's «Gradi per struttura» rows."""
    ws = openpyxl.load_workbook(path, data_only=True)["Riepilogo"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Gradi per struttura")
    out: dict[tuple[str, str], object] = {}
    for row in rows[start + 3:]:
        if row[0] not in KINDS:
            break
        name = row[2].split(" · ")[0]
        key = row[1] if row[0] == "Area" else name
        out[(KINDS[row[0]], key)] = row[4]
    return out


#: The bundled operational plan (101 indicators, 8 offices) with an organisation chart
#: written for the test: three areas, one office in no area, names spelled differently.
EXAMPLE_CHART = {"aree": [
    {"codice": "A1", "nome": "Area anagrafica", "dirigente": "Dirigente Uno",
     "uffici": ["registro imprese", "Regolazione  del Mercato"]},
    {"codice": "A2", "nome": "Area promozione", "uffici": ["Promozione e Sviluppo",
                                                           "Comunicazione"]},
    {"codice": "A3", "nome": "Area servizi interni",
     "uffici": ["Risorse Umane", "Contabilità e Provveditorato", "Sistemi Informativi"]}]}


def example_plan() -> Plan:
    plan = load_plan(EXAMPLES / "piano-operativo-2023.yaml")
    return plan.model_copy(update={"structure": Structure.model_validate(EXAMPLE_CHART)})


@pytest.fixture(scope="module")
def masters(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Both masters recalculated by one LibreOffice call: (as written, recalculated)."""
    if find_soffice() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    written = {"small": make_master(structure_plan(), tmp_path_factory.mktemp("small")),
               "example": make_master(example_plan(), tmp_path_factory.mktemp("example"))}
    outputs = recalculate(list(written.values()), tmp_path_factory.mktemp("rc"))
    return {k: (p, outputs[p]) for k, p in written.items()}


@pytest.fixture(scope="module")
def recalculated(masters) -> tuple[Path, Path]:
    return masters["small"]


def test_recalculated_area_and_office_grades_equal_the_engine(recalculated):
    _, out = recalculated
    grades = block_grades(out)
    engine = {(g.kind, g.code): g.grade.value for g in structure_grades(structure_plan())}
    assert set(grades) == set(EXPECTED) == set(engine)
    for key, expected in EXPECTED.items():
        assert grades[key] == pytest.approx(expected), key
        assert engine[key] == pytest.approx(expected), key
    ws = openpyxl.load_workbook(out, data_only=True)["Riepilogo"]
    assert ws["C2"].value == pytest.approx(ENTE)


def test_every_row_of_the_hidden_sheet_recalculates_to_its_cached_value(recalculated):
    """Not only the unit rows: every ambito, OS, OO and indicator of every part, numbers
    and «nessun elemento valutabile» alike (the missing I4 drops out, never 0)."""
    master, out = recalculated
    cached = openpyxl.load_workbook(master, data_only=True)[SHEET_STRUCTURE]
    computed = openpyxl.load_workbook(out, data_only=True)[SHEET_STRUCTURE]
    compared = 0
    for row_c, row_r in zip(cached.iter_rows(min_row=2), computed.iter_rows(min_row=2),
                            strict=True):
        for a, b in zip(row_c, row_r, strict=True):
            if isinstance(a.value, float):
                assert b.value == pytest.approx(a.value), a.coordinate
            else:
                assert b.value == a.value, a.coordinate
            compared += 1
    texts = [c.value for c in computed["I"] if isinstance(c.value, str)]
    assert "nessun elemento valutabile" in texts and "dato mancante" in texts
    assert compared > 300


def test_a_real_plan_with_a_chart_equals_the_engine(masters):
    """The bundled operational plan: every area and office of the recalculated master
    equals structure_grades (and the area of four offices is not any one office's)."""
    _, out = masters["example"]
    grades = block_grades(out)
    engine = {(g.kind, g.code): g for g in structure_grades(example_plan())}
    assert len(grades) == len(engine) == 3 + 8
    for key, unit in engine.items():
        value = grades[key]
        if unit.grade.value is None:
            assert value == unit.grade.cell, key
        else:
            assert value == pytest.approx(unit.grade.value, abs=1e-12), key
    assert engine[("area", "A1")].indicators == sum(
        engine[("ufficio", o)].indicators for o in ("Registro Imprese",
                                                    "Regolazione del Mercato"))
    assert ("ufficio", "Segreteria Generale") in grades          # in no area, still listed


def test_a_wrong_weight_in_the_master_is_caught(recalculated, tmp_path):
    """The comparison can fail: change one weight of the hidden sheet and recalculate."""
    master, _ = recalculated
    wb = openpyxl.load_workbook(master)
    ws = wb[SHEET_STRUCTURE]
    row = next(r for r in ws.iter_rows(min_row=2) if r[3].value == "I1")
    row[5].value = 70            # I1 weighs 30 in area AI
    broken = tmp_path / "rotto.xlsx"
    wb.save(broken)
    out = recalculate([broken], tmp_path / "rc")[broken]
    assert block_grades(out)[("area", "AI")] != pytest.approx(EXPECTED[("area", "AI")])
