"""A1 references parsed by workbook/layout agree with openpyxl's parser on every valid
reference, and refuse what is not one (openpyxl returns None bounds for some)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
    range_boundaries,
)

from cruscotto_xl.workbook.layout import col_index, col_letter, range_bounds, split_coordinate

columns = st.integers(1, 16384)
rows = st.integers(1, 1_048_576)


@given(columns)
def test_columns_both_ways(col):
    letters = get_column_letter(col)
    assert col_letter(col - 1) == letters
    assert col_index(letters) == col == column_index_from_string(letters)
    assert col_index(letters.lower()) == col


@given(columns, rows, st.booleans(), st.booleans())
def test_a_cell(col, row, dollar_col, dollar_row):
    coord = f"{'$' if dollar_col else ''}{get_column_letter(col)}{'$' if dollar_row else ''}{row}"
    assert split_coordinate(coord) == coordinate_from_string(coord)
    assert range_bounds(coord) == range_boundaries(coord)


@given(columns, rows, columns, rows)
def test_a_range(c1, r1, c2, r2):
    ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
    assert range_bounds(ref) == range_boundaries(ref)
    whole_columns = f"{get_column_letter(c1)}:{get_column_letter(c2)}"
    assert range_bounds(whole_columns) == range_boundaries(whole_columns)
    assert range_bounds(f"{r1}:{r2}") == range_boundaries(f"{r1}:{r2}")


@pytest.mark.parametrize("bad", ["", "A", "1", "A0", "A1:", ":A1", "A1:B", "AAAA1", "XFE1",
                                 "1A", "A1:B2:C3", "A:1", "A1 ", "Ä1", "A-1"])
def test_what_is_not_a_reference_is_refused(bad):
    with pytest.raises(ValueError):
        range_bounds(bad)
    with pytest.raises(ValueError):
        split_coordinate(bad)
