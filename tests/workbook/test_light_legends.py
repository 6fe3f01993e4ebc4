"""Traffic lights agree with their legends, whatever the policy's bands.

The conditional-format rules are read back from the written file and evaluated here by a
small hand-written interpreter of their three shapes; the colour each grade gets is then
compared with the colour the Istruzioni legend shows beside the grade's band, and with
the report's light and legend. Expected bands are written by hand per grade.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from cruscotto_xl.core.rules import Grade
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.services.report import report_data, report_html, traffic_light
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.styles import style_sheet

TWO_BANDS = [{"da": 1, "etichetta": "Raggiunto"}, {"da": 0, "etichetta": "Non raggiunto"}]
FOUR_BANDS = [{"da": 1, "etichetta": "Raggiunto"}, {"da": "80 %", "etichetta": "Quasi"},
              {"da": "50 %", "etichetta": "In parte"}, {"da": 0, "etichetta": "Non raggiunto"}]

# grade → the legend line of its band, by hand
TWO_EXPECTED = {1.0: "grado ≥ 100,00 %: Raggiunto", 0.5: "grado inferiore: Non raggiunto",
                0.0: "grado inferiore: Non raggiunto"}
FOUR_EXPECTED = {1.0: "grado ≥ 100,00 %: Raggiunto", 0.9: "grado ≥ 80,00 %: Quasi",
                 0.8: "grado ≥ 80,00 %: Quasi", 0.6: "grado ≥ 50,00 %: In parte",
                 0.3: "grado inferiore: Non raggiunto"}
NOT_GRADED_LINE = "non valutabile (dato mancante, solo monitoraggio, neutralizzato)"


def _plan(bands: list[dict]) -> dict:
    return {"ente": "Ente di prova", "anno": 2024, "politica": {"fasce": bands},
            "ambiti": [{"codice": "A", "titolo": "Ambito", "obiettivi": [
                {"codice": "01", "titolo": "Obiettivo", "indicatori": [
                    {"codice": "K1", "nome": "Pratiche", "target": {2024: ">= 10"},
                     "consuntivi": [{"anno": 2024, "valore": 5}]},
                    {"codice": "K2", "nome": "Tempi", "target": {2024: "<= 10 gg"}}]}]}]}


def _rgb(color) -> str:
    return (color.rgb or "")[-6:].upper()


def _holds(formula: str, value: object) -> bool:
    """The three shapes of rule the generator writes, evaluated by hand."""
    f = formula.lstrip("=")
    number = isinstance(value, int | float)
    if m := re.fullmatch(r"AND\(ISNUMBER\((\$?[A-Z]+\$?\d+)\),\1>=([0-9.eE+-]+)\)", f):
        return number and value >= float(m[2])
    if re.fullmatch(r"ISNUMBER\(\$?[A-Z]+\$?\d+\)", f):
        return number
    if re.fullmatch(r'AND\(NOT\(ISNUMBER\((\$?[A-Z]+\$?\d+)\)\),\1<>""\)', f):
        return not number and value != ""
    raise AssertionError(f"regola inattesa: {formula}")


def _colour_of(rules: list, value: object) -> str | None:
    for rule in sorted(rules, key=lambda r: r.priority):
        if _holds(rule.formula[0], value):
            return _rgb(rule.dxf.fill.bgColor) or _rgb(rule.dxf.fill.fgColor)
    return None


def _legend(wb) -> dict[str, str]:
    """Legend text → the colour of its cell, from the Istruzioni sheet."""
    ws = wb["Istruzioni"]
    out = {}
    for row in ws.iter_rows(min_col=1, max_col=2):
        swatch, text = row
        if isinstance(text.value, str) and text.value.startswith(("grado", "non valutabile")):
            out[text.value] = _rgb(swatch.fill.fgColor)
    return out


def _light_rules(wb) -> list[list]:
    """The rule groups of the grade columns (Riepilogo and the objective sheet)."""
    groups = []
    for name in ("Riepilogo", *[n for n in wb.sheetnames if n.startswith("01")]):
        for cf in wb[name].conditional_formatting:
            if any("ISNUMBER" in r.formula[0] for r in cf.rules):
                groups.append(cf.rules)
    return groups


@pytest.mark.parametrize(("bands", "expected"), [(TWO_BANDS, TWO_EXPECTED),
                                                 (FOUR_BANDS, FOUR_EXPECTED)])
def test_sheet_colours_are_the_legend_colours(tmp_path: Path, bands, expected):
    path = tmp_path / "piano.xlsx"
    write_workbook(plan_from_data(_plan(bands)), path)
    wb = openpyxl.load_workbook(path)
    legend = _legend(wb)
    assert set(legend) == {*expected.values(), NOT_GRADED_LINE}
    groups = _light_rules(wb)
    assert len(groups) >= 3            # the summary's grade and light, the objective's grades
    for rules in groups:
        for grade, line in expected.items():
            assert _colour_of(rules, grade) == legend[line], (grade, line)
        assert _colour_of(rules, "dato mancante") == legend[NOT_GRADED_LINE]
        assert _colour_of(rules, "") is None


def test_report_lights_and_legend_follow_two_bands(tmp_path: Path):
    path = tmp_path / "piano.xlsx"
    write_workbook(plan_from_data(_plan(TWO_BANDS)), path, with_actuals=True)
    data = report_data(path)
    colours = style_sheet()["colori"]
    assert colours["rosso"] != colours["giallo"]
    assert [traffic_light(Grade(v), data.bands) for v in (1.0, 0.5, 0.0)] == [
        "verde", "rosso", "rosso"]
    text = report_html(data)
    note = text[text.index("Semaforo"):]
    note = note[:note.index("</p>")]
    assert re.findall(r'class="dot (\w+)"', note) == ["verde", "rosso", "grigio"]
    assert "grado inferiore" in note
    # the ente's grade here is 50 % (K1: 5 of 10, K2 not graded): red, as the legend says
    assert 'id="grado-ente"><span class="dot rosso">' in text
