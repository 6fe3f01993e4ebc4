"""The Riepilogo chart draws an OS that is «non valutabile» as a marked gap, never as 0 %:
its hidden link block holds NA() (a gap in Excel and LibreOffice charts) and a category
«OSn (non valutabile)» — as LibreOffice computes it, and as ricalcola caches it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from support.hostile_c import sheet_part
from support.periods_plan import FINAL, two_period_plan

from cruscotto_xl.io.libreoffice import read_values, recalculate
from cruscotto_xl.returns.refresh import refresh_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import SHEET_SUMMARY

EXPECTED = ["OS1", "OS2 (non valutabile)", "OS3"]


def _block(rows: list[list[object]]) -> dict[str, object]:
    """The hidden chart block: «OS» header, then category → value below it."""
    for r, row in enumerate(rows):
        if "OS" in row and "Grado OS" in row:
            c = row.index("OS")
            return {str(line[c]): line[c + 1] for line in rows[r + 1:]
                    if len(line) > c + 1 and line[c] not in (None, "")}
    raise AssertionError("chart block not found")


def _value_cells(path: Path) -> list[str]:
    """Coordinates of the block's value cells (their formula ends in NA())."""
    ws = openpyxl.load_workbook(path)[SHEET_SUMMARY]
    return [c.coordinate for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.endswith(",NA())")]


def _cached(path: Path, coord: str) -> tuple[str, str]:
    """(t attribute, cached <v>) of a cell of the Riepilogo sheet, from the XML itself."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, SHEET_SUMMARY)).decode()
    cell = re.search(rf'<c r="{coord}"([^>]*)>.*?<v>([^<]*)</v>', xml)
    assert cell is not None, coord
    t = re.search(r't="(\w+)"', cell[1])
    return (t[1] if t else "n"), cell[2]


def test_a_not_gradable_os_is_a_marked_gap_in_the_chart(tmp_path):
    plan = two_period_plan()
    path = tmp_path / "piano.xlsx"
    write_workbook(plan, path)
    # OS1 and OS3 get values, OS2 (K4, K5) none: OS2 is «non valutabile»
    fill_workbook(path, {code: FINAL[code] for code in ("K1", "K2", "K3", "K6")})
    cells = _value_cells(path)
    assert len(cells) == 3

    out = recalculate([path], tmp_path / "lo")[path]
    block = _block(read_values(out)[SHEET_SUMMARY])
    assert list(block) == EXPECTED
    assert block["OS2 (non valutabile)"] == "#N/A"
    assert block["OS1"] == 0.96 and block["OS3"] == 1          # (0,9×40 + 30 + 30)/100; K6 Sì

    refresh_workbook(path, plan)          # the cached values, as a chart reads them
    assert _cached(path, cells[1]) == ("e", "#N/A")
    assert [_cached(path, c)[0] for c in (cells[0], cells[2])] == ["n", "n"]
    assert float(_cached(path, cells[0])[1]) == block["OS1"]
