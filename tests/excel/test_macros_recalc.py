"""The Ricalcola button checks the spreadsheet's own results against the engine: after
writing formulas and values it asks the host to calculate, reads the sheets back and lists
every cell where they differ («valori di Excel diversi dal motore di calcolo»).

The openpyxl port cannot calculate (it shows what the macro wrote), so that branch needs a
port that really does: :class:`RecalculatingPort` saves the workbook, recalculates it with
LibreOffice and shows LibreOffice's values. On a good workbook nothing differs; a port that
reports one wrong value gets exactly that cell listed. When LibreOffice is missing these
tests FAIL (CI installs it); they never skip.
"""

from __future__ import annotations

import tempfile
import warnings
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import coordinate_to_tuple
from support import DATA

from cruscotto_xl.excel import macros
from cruscotto_xl.excel.port import OpenpyxlPort, SheetData
from cruscotto_xl.io.libreoffice import INSTALL_HINT, find_soffice, recalculate
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import Typed, fill_workbook
from cruscotto_xl.workbook import write_workbook

PLAN = DATA / "golden" / "piano.yaml"
TYPED = {"K1": Typed(None, 460.0, 500.0), "K2": Typed(12.5), "K3": Typed(date(2024, 10, 3)),
         "K4": Typed(date(2024, 3, 20), event_date=date(2024, 3, 1)), "K5": Typed(21.0),
         "K6": Typed("Sì"), "K7": Typed(1250.0), "K8": Typed(4.5)}


class RecalculatingPort(OpenpyxlPort):
    """An openpyxl port whose ``calculate`` is a real spreadsheet: the workbook is saved,
    recalculated by LibreOffice, and its formula cells then show LibreOffice's values."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.computed: dict[str, dict[tuple[int, int], object]] = {}
        self.calculations = 0

    def calculate(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            saved = Path(tmp) / "in" / self.name
            saved.parent.mkdir()
            self.save(saved)
            out = recalculate([saved], Path(tmp) / "out")[saved]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(out, data_only=True)
            self.computed = {ws.title: {(c.row, c.column): c.value for row in ws.iter_rows()
                                        for c in row} for ws in book.worksheets}
            book.close()
        self.calculations += 1

    def read(self, sheet: str) -> SheetData:
        data = super().read(sheet)
        if sheet in self.computed:
            for coord in data.formulas:
                row, col = coordinate_to_tuple(coord)
                value = self.computed[sheet].get((row, col))
                data.values[row - 1][col - 1] = "" if value is None else value
        return data


class LyingPort(RecalculatingPort):
    """Recalculates for real, then shows a wrong value in one cell."""

    def __init__(self, path: Path, sheet: str, coord: str, value: object) -> None:
        super().__init__(path)
        self.wrong = (sheet, coordinate_to_tuple(coord), value)

    def calculate(self) -> None:
        super().calculate()
        sheet, cell, value = self.wrong
        self.computed[sheet][cell] = value


def _shown(port: OpenpyxlPort, sheet: str, coord: str) -> object:
    row, col = coordinate_to_tuple(coord)
    return port.read(sheet).values[row - 1][col - 1]


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    if find_soffice() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    folder = tmp_path_factory.mktemp("ricalcola")
    path = folder / "piano.xlsx"
    write_workbook(load_plan(PLAN), path)
    fill_workbook(path, TYPED)
    return path


def test_ricalcola_on_a_real_spreadsheet_finds_no_difference(filled):
    port = RecalculatingPort(filled)
    result = macros.ricalcola(port)
    assert port.calculations == 1
    assert result.ok and result.mismatches == []
    assert result.message.startswith(f"{result.cells} celle ricalcolate in ")
    assert result.message.endswith("valori uguali al motore di calcolo.")
    # LibreOffice's values are what was compared (by hand: K2 «<= 10 gg» with 12,5 → 10/12,5;
    # K1 460/500 = 92 % against «>= 90,00 %» → 100 %).
    found = read_workbook(filled).indicators
    grades = {code: _shown(port, found[code].sheet, found[code].cells["grade"])
              for code in ("K1", "K2")}
    assert grades == {"K1": 1, "K2": pytest.approx(0.8, rel=1e-12)}
    assert port.computed[found["K2"].sheet] != {}


def test_ricalcola_lists_exactly_the_cell_where_the_spreadsheet_differs(filled):
    k2 = read_workbook(filled).indicators["K2"]            # <= 10 gg, typed 12,5 → 0,8
    port = LyingPort(filled, k2.sheet, k2.cells["grade"], 0.75)
    result = macros.ricalcola(port)
    assert not result.ok
    assert result.mismatches == [f"{k2.sheet}!{k2.cells['grade']}: Excel 0,75, motore 0,8"]
    assert "1 valore di Excel diverso dal motore di calcolo:\n" + result.mismatches[0] \
        in result.message
    assert port.alerts[-1] == ("Cruscotto — Ricalcola", result.message)
