"""The print helpers of workbook/cells.py, against values worked out by hand."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import xlsxwriter

from cruscotto_xl.workbook.cells import (
    code_width,
    column_points,
    page_setup,
    row_height,
    text_lines,
)


def test_text_lines_wraps_words_like_a_spreadsheet():
    # width 10 → 11 characters a line (1.1 per unit)
    assert text_lines("uno due tre", 10) == 1                 # 11 characters: one line
    assert text_lines("uno due tre q", 10) == 2               # «q» goes to the next line
    assert text_lines("aaaaaaaaaa bbbbbbbbbb", 10) == 2        # one word a line
    assert text_lines("a" * 23, 10) == 3                        # 11 + 11 + 1, broken
    assert text_lines("uno\ndue\n\ntre", 10) == 4              # line breaks count
    assert text_lines("", 10) == 1
    # a larger font fits fewer characters: 11 × 10/14 → 7 at 14 points
    assert text_lines("abcdefgh", 10, font_size=14) == 2


def test_row_height_only_when_a_text_wraps():
    assert row_height([("corto", 20), (None, 5)]) is None
    # three lines of a 10-point font: 3 × 13 + 3
    assert row_height([("a" * 23, 10), ("breve", 30)]) == 42.0


def test_code_and_column_widths():
    assert code_width(["01.09_01", "A.1", None]) == 8 / 1.1 + 2
    assert code_width([]) == 0
    assert column_points(10) == 56.25                          # (70 + 5) px × 0.75


def _setup(tmp_path, widths):
    book = SimpleNamespace(plan=SimpleNamespace(entity="Ente"), year=2025, office=None,
                           generated_on=date(2025, 1, 2))
    wb = xlsxwriter.Workbook(tmp_path / "p.xlsx")
    ws = wb.add_worksheet()
    page_setup(ws, book, widths, repeat_columns=2)
    return wb, ws


def test_page_setup_keeps_the_print_scale_readable(tmp_path):
    # 741.6 pt of printable width; 10 columns of 10 units = 562.5 pt fit at 100 %
    wb, ws = _setup(tmp_path, [10] * 10)
    assert ws.print_scale == 100 and not ws.fit_page and not ws.repeat_col_range
    wb.close()
    # 15 columns = 843.75 pt: 741.6 / 843.75 → 87 %
    wb, ws = _setup(tmp_path, [10] * 15)
    assert ws.print_scale == 87 and not ws.repeat_col_range
    wb.close()
    # 30 columns would need 43 %: 80 % over several pages, code and name repeated
    wb, ws = _setup(tmp_path, [10] * 30)
    assert ws.print_scale == 80 and ws.repeat_col_range
    wb.close()
