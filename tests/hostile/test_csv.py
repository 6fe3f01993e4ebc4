"""CSV files never carry a formula (issue 15, cause 20): every text cell that a spreadsheet
would run (``= + - @``, tab, carriage return) gets a leading ``'`` on writing, and the
table reader takes it back, so the exported plan reads back equal."""

from __future__ import annotations

import csv

import pytest
from support.hostile_c import plan_data, write_plan

from cruscotto_xl import load_plan
from cruscotto_xl.core.vocabulary import csv_safe_text, csv_unquoted_text
from cruscotto_xl.importers.tabella import export_table, import_table

HOSTILE = {
    "titolo": "=1+1",
    "nome": '=HYPERLINK("http://evil.invalid","clic")',
    "algoritmo": "@SUM(1+1)*cmd|' /C calc'!A0",
    "numeratore": "+1+1",
    "denominatore": "'=già con apostrofo",
}


def test_export_table_csv_never_writes_a_formula_and_reads_back_equal(tmp_path):
    d = plan_data()
    d["ambiti"][0]["obiettivi"][0]["titolo"] = HOSTILE["titolo"]
    ind = d["ambiti"][0]["obiettivi"][0]["indicatori"][0]
    for key in ("nome", "algoritmo", "numeratore", "denominatore"):
        ind[key] = HOSTILE[key]
    plan = load_plan(write_plan(tmp_path, d))
    out = export_table(plan, tmp_path / "piano.csv")
    text = out.read_text(encoding="utf-8-sig")
    fields = [f for row in csv.reader(text.splitlines(), delimiter=";") for f in row]
    assert not [f for f in fields if f[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=1+1" in fields and "''=già con apostrofo" in fields
    back = import_table(out).plan
    got = back.areas[0].objectives[0]
    assert got.title == "=1+1"
    assert (got.indicators[0].name, got.indicators[0].algorithm, got.indicators[0].numerator,
            got.indicators[0].denominator) == (HOSTILE["nome"], HOSTILE["algoritmo"],
                                               HOSTILE["numeratore"], HOSTILE["denominatore"])


@pytest.mark.parametrize("text", ["=x", "+1", "-2", "@a", "\tx", "\rx", "'=x", "''+y", "'x",
                                  "x=1", "", "'"])
def test_the_csv_quote_is_undone_exactly(text):
    safe = csv_safe_text(text)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_unquoted_text(safe) == text
