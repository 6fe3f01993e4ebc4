"""Names given to `firma` (issue 15, cause 28): a name Excel would read as a formula is
refused with a clear line (the file is untouched); a name with a line break is signed on
one line and the signature reads back."""

from __future__ import annotations

import pytest
from support.hostile_c import generate, plan_data, run, write_plan

from cruscotto_xl.returns.read import read_workbook


@pytest.fixture
def book(tmp_path):
    books = generate(write_plan(tmp_path, plan_data()), tmp_path / "ritorni")
    return books["Ufficio A"]


@pytest.mark.parametrize("option", ["--responsabile", "--ruolo"])
@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.invalid","Anna")', "+Dirigente",
                                  "@Anna", "-Anna"])
def test_a_formula_like_name_is_refused_and_the_file_untouched(book, option, text):
    before = book.read_bytes()
    args = {"--responsabile": "Anna Neri", "--ruolo": "Dirigente", option: text}
    result = run("firma", book, *[x for kv in args.items() for x in kv], "--conferma")
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert option in said and "formula" in said
    assert book.read_bytes() == before


@pytest.mark.parametrize("text", ["Anna\r\nNeri", "Anna\rNeri", "Anna\nNeri"])
def test_a_name_with_a_line_break_is_signed_on_one_line(book, text):
    result = run("firma", book, "--responsabile", text, "--conferma")
    assert result.exit_code == 0, result.output
    reading = read_workbook(book)
    assert reading.signature is not None and reading.signature.signer == "Anna Neri"
    assert reading.signature_state() == "firmata"
