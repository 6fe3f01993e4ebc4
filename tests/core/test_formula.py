"""Formulas over named measures: the grammar, and Python against LibreOffice."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook

from cruscotto_xl.core.formula import (
    INVALID_ACTUAL,
    FormulaError,
    Measure,
    Negative,
    Number,
    Operation,
    evaluate,
    excel_formula,
    format_formula,
    measures_of,
    parse_formula,
)
from cruscotto_xl.io.libreoffice import cell_values, recalculate

EC27 = "(ProvStrut − OnStrut) / ProvStrut"          # seed 004, typographic minus
DFP = "Dip_Form / (Unit_Stab + N_Dir)"
EC07 = "(ProvCorr - DirAnn - DirSegr - Fdp) ÷ ProvCorrSval"


def test_precedence_and_parentheses():
    assert parse_formula("a + b * c") == Operation(
        "+", Measure("a"), Operation("*", Measure("b"), Measure("c")))
    assert parse_formula("(a + b) * c") == Operation(
        "*", Operation("+", Measure("a"), Measure("b")), Measure("c"))
    # left associative: a - b - c is (a - b) - c, a / b / c is (a / b) / c
    assert parse_formula("a - b - c") == Operation(
        "-", Operation("-", Measure("a"), Measure("b")), Measure("c"))
    assert parse_formula("a / b / c") == Operation(
        "/", Operation("/", Measure("a"), Measure("b")), Measure("c"))
    assert parse_formula("-a * 2") == Operation("*", Negative(Measure("a")), Number(2.0))
    assert parse_formula("[a + b] × 1,5") == Operation(
        "*", Operation("+", Measure("a"), Measure("b")), Number(1.5))
    assert parse_formula("N_Impr_A3.1.2 / N_ImprAtt * 100%") == Operation(
        "*", Operation("/", Measure("N_Impr_A3.1.2"), Measure("N_ImprAtt")), Number(1.0))


def test_measures_in_order_of_first_use():
    assert measures_of(parse_formula(EC27)) == ["ProvStrut", "OnStrut"]
    assert measures_of(parse_formula(DFP)) == ["Dip_Form", "Unit_Stab", "N_Dir"]
    assert measures_of(parse_formula(EC07)) == ["ProvCorr", "DirAnn", "DirSegr", "Fdp",
                                                "ProvCorrSval"]
    assert measures_of(parse_formula("2 * 3")) == []


@pytest.mark.parametrize("text", [EC27, DFP, EC07, "a - (b - c)", "a / (b * c)", "-(a + b)",
                                  "a * -b", "1,25 * a"])
def test_the_canonical_text_reads_back_the_same(text):
    tree = parse_formula(text)
    assert parse_formula(format_formula(tree)) == tree


@pytest.mark.parametrize(("text", "position", "words"), [
    ("", 1, "formula vuota"),
    ("a +", 4, "finisce a metà"),
    ("(a + b", 7, "mai chiusa"),
    ("a b", 3, "in più"),
    ("a $ b", 3, "non ammesso"),
    ("a + * b", 5, "al posto di"),
    ("a + b)", 6, "in più"),
])
def test_errors_say_where(text, position, words):
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    message = str(caught.value)
    assert words in message and f"posizione {position}" in message and text in message


def test_python_outcomes():
    ec27 = parse_formula(EC27)
    assert evaluate(ec27, {"ProvStrut": 200.0, "OnStrut": 150.0}) == 0.25
    assert evaluate(ec27, {"ProvStrut": 200.0}) is None                    # dato mancante
    assert evaluate(ec27, {"ProvStrut": 200.0, "OnStrut": ""}) is None
    assert evaluate(ec27, {"ProvStrut": 0.0, "OnStrut": 0.0}) == INVALID_ACTUAL   # ÷ 0
    assert evaluate(ec27, {"ProvStrut": "tanti", "OnStrut": 1.0}) == INVALID_ACTUAL
    assert evaluate(ec27, {"ProvStrut": True, "OnStrut": 1.0}) == INVALID_ACTUAL
    # missing wins over invalid, as the formula's first test
    assert evaluate(ec27, {"ProvStrut": "tanti"}) is None
    dfp = parse_formula(DFP)
    assert evaluate(dfp, {"Dip_Form": 30, "Unit_Stab": 50, "N_Dir": 10}) == 0.5


CASES: list[tuple[str, dict[str, object]]] = [
    (EC27, {"ProvStrut": 200.0, "OnStrut": 150.0}),
    (EC27, {"ProvStrut": 0.0, "OnStrut": 0.0}),           # zero denominator
    (EC27, {"ProvStrut": 200.0, "OnStrut": None}),        # missing measure
    (EC27, {"ProvStrut": "tanti", "OnStrut": 3.0}),       # text typed in a measure
    (DFP, {"Dip_Form": 30.0, "Unit_Stab": 50.0, "N_Dir": 10.0}),
    (DFP, {"Dip_Form": 30.0, "Unit_Stab": 10.0, "N_Dir": -10.0}),    # sum is zero
    (DFP, {"Dip_Form": None, "Unit_Stab": None, "N_Dir": None}),
    (EC07, {"ProvCorr": 1000.0, "DirAnn": 400.0, "DirSegr": 100.0, "Fdp": 50.0,
            "ProvCorrSval": 900.0}),
    ("-(a - b) * 1,5 / c", {"a": 2.0, "b": 5.0, "c": 4.0}),
    ("a - (b - c)", {"a": 1.0, "b": 2.0, "c": 3.0}),
    ("a / b / c", {"a": 12.0, "b": 3.0, "c": 2.0}),
    ("a * 100%", {"a": date(2024, 3, 1)}),                # a date is a number in Excel
    ("2 * 3 - 1", {}),
]


def test_excel_formula_equals_python_in_libreoffice(soffice, tmp_path):
    """Each case in a row: the measures in B.., the formula in A; LibreOffice computes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Misure"
    for row, (text, values) in enumerate(CASES, 1):
        cells = {}
        for col, (code, value) in enumerate(values.items(), 2):
            cell = ws.cell(row, col)
            if value is not None:
                cell.value = value
            cells[code] = f"Misure!${cell.column_letter}${row}"
        ws.cell(row, 1).value = "=" + excel_formula(parse_formula(text), cells)
    source = tmp_path / "formule.xlsx"
    wb.save(source)
    out = recalculate([source], tmp_path / "out")[source]
    got = cell_values(out, "Misure")
    for row, (text, values) in enumerate(CASES, 1):
        expected = evaluate(parse_formula(text), values)
        value = got.get(f"A{row}")
        if expected is None:
            assert value in (None, ""), (text, values, value)
        elif isinstance(expected, str):
            assert value == expected, (text, values, value)
        else:
            assert value == pytest.approx(expected, rel=1e-12), (text, values, value)
    # and the expected values themselves, by hand
    assert [evaluate(parse_formula(t), v) for t, v in CASES[:3]] == [0.25, INVALID_ACTUAL,
                                                                     None]
    assert evaluate(parse_formula(CASES[7][0]), CASES[7][1]) == pytest.approx(450 / 900)
    assert evaluate(parse_formula(CASES[8][0]), CASES[8][1]) == pytest.approx(1.125)


def test_the_formula_text_never_runs_what_a_code_says():
    """Codes are identifiers: nothing else reaches the cell formula."""
    with pytest.raises(FormulaError):
        parse_formula('a + HYPERLINK("x")')
