"""The one set of yes/no words and the one set of «missing» words (core/vocabulary).

What the milestone formula accepts is checked against LibreOffice in
tests/truth/test_truth.py; here the expected readings are written by hand.
"""

from __future__ import annotations

import pytest

from cruscotto_xl.core.signoff import confirmed
from cruscotto_xl.core.targets import Kind, parse_target
from cruscotto_xl.core.vocabulary import (
    NumberError,
    formula_yes_no,
    is_missing_text,
    parse_actual,
    parse_flag,
    parse_yes_no,
)
from cruscotto_xl.io.planfile import PlanFileError, plan_from_data


@pytest.mark.parametrize(("text", "expected"), [
    ("Sì", True), ("si", True), ("SI", True), ("Sí", True), ("SÌ", True), (" Sì ", True),
    ("No", False), ("NO", False), ("no", False),
])
def test_actuals_read_yes_and_no_in_the_formula_words(text, expected):
    assert parse_actual(text) is expected
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize("text", ["x", "X", "s", "yes", "vero", "fatto", "realizzato",
                                  "non realizzato", "n", "falso", "Sì."])
def test_other_yes_no_words_are_not_an_actual(text):
    """The workbook's formula grades these «valore non valido»: the engine never reads a
    Sì or a No in them."""
    with pytest.raises(NumberError, match=f"«{text}»"):
        parse_actual(text)
    with pytest.raises(NumberError):
        parse_yes_no(text)


def test_formula_reading_trims_nothing():
    assert formula_yes_no("Sì") is True and formula_yes_no("nO") is False
    assert formula_yes_no("Sì ") is None and formula_yes_no(" No") is None
    assert formula_yes_no("x") is None and formula_yes_no(1.0) is None
    assert formula_yes_no(True) is True and formula_yes_no(False) is False


@pytest.mark.parametrize(("text", "expected"), [
    ("Sì", True), ("x", True), ("X", True), ("vero", True), ("TRUE", True), ("1", True),
    ("s", True), ("yes", True), ("No", False), ("n", False), ("falso", False), ("0", False),
])
def test_flags_read_every_yes_no_word(text, expected):
    assert parse_flag(text) is expected


def test_flags_refuse_other_words():
    with pytest.raises(NumberError, match="«forse» non è Sì o No"):
        parse_flag("forse")


@pytest.mark.parametrize(("value", "expected"), [
    ("Sì", True), ("sì ", True), ("Sí", True), ("x", True), ("vero", True), (True, True),
    ("No", False), ("forse", False), ("", False), (None, False), (1, False), (False, False),
])
def test_signoff_confirmation_uses_the_flag_words(value, expected):
    assert confirmed(value) is expected


@pytest.mark.parametrize("text", ["", "n.d.", "N.D.", "nd", "n/d", "n/a", "n.a.", "-", "--",
                                  "/", "non disponibile", " n.d. "])
def test_missing_words_are_missing_actuals_and_monitoring_targets(text):
    assert is_missing_text(text)
    assert parse_actual(text) is None
    assert parse_target(text).kind is Kind.MONITORING


@pytest.mark.parametrize("text", ["0", "zero", "nessuno", "mancante?"])
def test_other_texts_are_not_missing(text):
    assert not is_missing_text(text)


def test_a_plan_file_actual_in_other_words_is_a_problem_not_a_yes():
    data = {"ente": "Ente", "anno": 2024, "ambiti": [{"codice": "A", "titolo": "A",
            "obiettivi": [{"codice": "01", "titolo": "O", "indicatori": [
                {"codice": "K1", "nome": "Sportello", "target": {2024: "Sì"},
                 "consuntivi": [{"anno": 2024, "valore": "fatto"}]}]}]}]}
    with pytest.raises(PlanFileError, match="fatto"):
        plan_from_data(data)
    data["ambiti"][0]["obiettivi"][0]["indicatori"][0]["consuntivi"][0]["valore"] = "SI"
    [slot] = plan_from_data(data).indicators()
    assert slot.indicator.actuals[0].value is True
