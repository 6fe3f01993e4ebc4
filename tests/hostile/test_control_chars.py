"""Issue 15, cause 12: control characters never go raw into the XML we write.

XML 1.0 cannot hold U+0001–U+001F (but tab, LF, CR); Excel stores them as ``_x000B_``.
`genera` wrote codes with such characters raw into formulas, `firma` wrote a signer's name
raw, `ricalcola` quoted a typed ``12_x000B_`` raw in its problem: every such file was no
longer well-formed and Excel reported it damaged. Every written part must be well-formed
and the texts must read back equal.
"""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from support.hostile_c import (
    describe,
    generate,
    not_well_formed,
    plan_data,
    run,
    set_inline_text,
    traceback_free,
    type_input,
    write_plan,
)

CONTROLS = ["\x0b", "\x0c", "\x01", "\x1f", "\x00"]
IDS = [f"U+{ord(c):04X}" for c in CONTROLS]
WHERE = ["ambito-code", "os-code", "indicator-code", "os-title", "office-name", "ente",
         "band-label", "unit", "milestone-target"]


def _plan_with(d: dict, where: str, ch: str) -> dict:
    area = d["ambiti"][0]
    if where == "ambito-code":
        area["codice"] = f"A{ch}1"
    elif where == "os-code":
        area["obiettivi"][0]["codice"] = f"OS{ch}1"
    elif where == "indicator-code":
        area["obiettivi"][0]["indicatori"][0]["codice"] = f"K{ch}1"
    elif where == "os-title":
        area["obiettivi"][0]["titolo"] = f"Servizi{ch}alle imprese"
    elif where == "band-label":      # band labels are string literals of formulas
        d["politica"] = {"fasce": [{"da": 1, "etichetta": f"Raggiunto{ch}pieno"},
                                   {"da": 0, "etichetta": f"Non{ch}raggiunto"}]}
    elif where == "unit":
        area["obiettivi"][0]["indicatori"][1]["unita"] = f"gg{ch}"
    elif where == "milestone-target":
        area["obiettivi"][0]["indicatori"][0]["target"] = {"2024": f"Realizzazione: atto{ch}finale"}
    elif where == "office-name":
        d["uffici"][0]["nome"] = f"Ufficio{ch}A"
        area["obiettivi"][0]["uffici"] = [f"Ufficio{ch}A"]
    else:
        d["ente"] = f"Camera{ch}di prova"
    return d


@pytest.mark.parametrize("ch", CONTROLS, ids=IDS)
@pytest.mark.parametrize("where", WHERE)
def test_genera_writes_well_formed_xml(tmp_path, where, ch):
    plan = write_plan(tmp_path, _plan_with(plan_data(), where, ch))
    result = run("genera", plan, "--out", tmp_path / "out", "--per-ufficio")
    assert traceback_free(result), describe(result)
    if ch == "\x00":           # no cell nor formula can hold U+0000: refused by the checks
        assert result.exit_code == 1, describe(result)
        assert "U+0000" in result.output
        assert not list(tmp_path.glob("out/*.xlsx"))
        return
    assert result.exit_code == 0, describe(result)
    books = list((tmp_path / "out").glob("*.xlsx"))
    assert books
    for book in books:
        assert not not_well_formed(book), not_well_formed(book)


@pytest.mark.parametrize("where", ["ambito-code", "os-code", "indicator-code", "os-title"])
def test_untouched_returns_with_control_characters_consolidate_cleanly(tmp_path, where):
    """The texts read back equal: nothing looks tampered, the values reach the master."""
    plan = write_plan(tmp_path, _plan_with(plan_data(), where, "\x0b"))
    books = generate(plan, tmp_path / "ritorni")
    type_input(books["Ufficio B"], "K3", 12)
    result = run("consolida", tmp_path / "ritorni", "--piano", plan,
                 "--out", tmp_path / "m.xlsx", "--json")
    assert traceback_free(result), describe(result)
    errors = [p for p in json.loads(result.output)["problemi"] if p["severity"] == "errore"]
    assert not errors, errors
    assert not not_well_formed(tmp_path / "m.xlsx")


@pytest.fixture
def returns(tmp_path):
    plan = write_plan(tmp_path, plan_data())
    books = generate(plan, tmp_path / "ritorni")
    type_input(books["Ufficio A"], "K1", 120)
    type_input(books["Ufficio B"], "K3", 12)
    return plan, books


def _decoded(value: str) -> str:
    """``value`` with its ``_xHHHH_`` escapes decoded as the OOXML standard says (openpyxl
    leaves them in inline strings and formula values; Excel decodes them)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def _signer(book) -> object:
    wb = openpyxl.load_workbook(book)
    sheet, coord = next(iter(wb.defined_names["crx_firma_responsabile"].destinations))
    return _decoded(wb[sheet][coord.replace("$", "")].value)


@pytest.mark.parametrize("ch", CONTROLS, ids=IDS)
def test_firma_writes_well_formed_xml(returns, ch):
    _, books = returns
    book = books["Ufficio A"]
    result = run("firma", book, "--responsabile", f"Anna{ch}Neri", "--conferma")
    assert traceback_free(result), describe(result)
    assert not not_well_formed(book), f"exit {result.exit_code}: {not_well_formed(book)}"
    # the name is signed on one line: a control character becomes a space (cause 28)
    if result.exit_code == 0:
        assert _signer(book) == "Anna Neri"


def test_ricalcola_keeps_a_word_control_character_well_formed(returns):
    """An office pasted «12» and a U+000B from Word into the actual cell: Excel stores the
    text ``12_x000B_``. ricalcola quotes the text in the problem it writes."""
    _, books = returns
    book = books["Ufficio B"]
    set_inline_text(book, "K3", "12_x000B_")
    set_inline_text(book, "K3", "nota_x000B_da Word", header="Note")
    assert not not_well_formed(book)
    result = run("ricalcola", book)
    assert traceback_free(result), describe(result)
    assert not not_well_formed(book), f"exit {result.exit_code}: {not_well_formed(book)}"


def test_band_labels_with_quotes_controls_and_length_grade_alike_in_libreoffice(tmp_path):
    """Band labels are string constants of the valutazione formulas: a quote, a control
    character and a label over Excel's 255-character constant limit must all come out of
    the recalculated formula exactly (LibreOffice recalculates: an independent route)."""
    from cruscotto_xl.io.libreoffice import find_soffice, recalculate
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    top, middle, bottom = 'Raggiunto\x0b"pieno"', "P" * 300, "Non raggiunto"
    d = plan_data()
    d["politica"] = {"fasce": [{"da": 1, "etichetta": top}, {"da": 0.5, "etichetta": middle},
                               {"da": 0, "etichetta": bottom}]}
    plan = write_plan(tmp_path, d)
    [book] = generate(plan, tmp_path / "out", per_office=False).values()
    type_input(book, "K1", 100)     # >= 100 → 1
    type_input(book, "K2", 10)      # <= 10 gg → 1
    type_input(book, "K3", 0)       # >= 10 → 0: OS1 1, OS2 0, ente 0.6 (weights 60/40)
    out = recalculate([book], tmp_path / "rc")[book]
    ws = openpyxl.load_workbook(out, data_only=True)["Riepilogo"]
    shown = {(ws.cell(r, 1).value, ws.cell(r, 2).value): ws.cell(r, 6).value
             for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value}
    assert _decoded(shown[("OS", "OS1")]) == top
    assert _decoded(shown[("Ente", None)]) == middle
    assert _decoded(shown[("OS", "OS2")]) == bottom
    assert not not_well_formed(book)
