"""The relazione shows each indicator over the years: the targets of every plan year and
the actuals of the earlier years side by side (HTML and DOCX), the plan's description,
source, tipologia and baseline, and a trend chart only where there are at least two years
of values. Expected texts are written by hand (Italian formatting, decimal comma)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from docx import Document as read_docx
from support.history_plan import HISTORY_PLAN, history_plan

from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.services.filling import Typed, fill_workbook
from cruscotto_xl.services.report import (
    build_report,
    report_data,
    report_years,
    year_targets,
    year_values,
)
from cruscotto_xl.workbook import write_workbook


def _section(document: str, ident: str) -> str:
    start = document.index(f'<section id="{ident}">')
    return document[start:document.index("</section>", start)]


def _rows(section: str) -> list[list[str]]:
    """Every table row of an HTML fragment as the texts of its cells."""
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
             re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section)]


def _docx_section(path: Path, title: str, following: str) -> tuple[list[str], list[list[str]]]:
    """The paragraphs and table rows of a DOCX between two headings, in body order."""
    doc = read_docx(str(path))
    paragraphs, rows, inside = [], [], False
    for element in doc.element.body.iterchildren():
        if element.tag.endswith("}p"):
            line = "".join(t.text or "" for t in element.iter() if t.tag.endswith("}t"))
            if line.endswith(title):
                inside = True
            elif line.endswith(following):
                inside = False
            elif inside and line:
                paragraphs.append(line)
        elif inside and element.tag.endswith("}tbl"):
            for tr in element.iter():
                if tr.tag.endswith("}tr"):
                    rows.append(["".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t"))
                                 for tc in tr if tc.tag.endswith("}tc")])
    return paragraphs, rows


def _report(folder: Path, data: dict | None = None, typed: dict | None = None):
    path = folder / "piano.xlsx"
    write_workbook(history_plan() if data is None else plan_from_data(data), path)
    if typed:
        fill_workbook(path, typed)
    return build_report(path, folder / "relazione", formats=["docx"])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return _report(tmp_path_factory.mktemp("anni"),
                   typed={"T1": Typed(1520), "T2": Typed(numerator=45, denominator=50)})


HEAD = ["", "2022", "2023", "2024", "2025", "2026"]
T1_TARGETS = ["Target", "", "", ">= 1.500", ">= 1.600", ">= 1.750"]
T1_ACTUALS = ["Consuntivo", "1.234,50 N.", "1.410 N.", "1.520 N.", "", ""]
T2_TARGETS = ["Target", "", "", ">= 90 %", ">= 92 %", ""]
T2_ACTUALS = ["Consuntivo", "—", "87,00 %", "90,00 %", "", ""]


def test_both_earlier_years_are_in_the_html(report):
    section = _section(report.html.read_text(encoding="utf-8"), "anni")
    assert _rows(section) == [HEAD, T1_TARGETS, T1_ACTUALS, HEAD, T2_TARGETS, T2_ACTUALS]
    plain = html.unescape(re.sub(r"<[^>]+>", "", section))
    for shown in ("Descrizione: Certificati anagrafici rilasciati dal portale nell'anno",
                  "Fonte: Gestionale anagrafe", "Tipologia: Efficacia",
                  "Baseline: 1.100 (2021)", "Tipologia: Efficienza",
                  "consuntivi degli anni precedenti (2022, 2023)"):
        assert shown in plain, shown
    assert plain.count("Descrizione:") == 1          # T2 has none: no empty line
    # one trend per indicator (T2 has 2023 and 2024: two years of values)
    assert section.count('alt="Andamento di T1"') == 1
    assert section.count('alt="Andamento di T2"') == 1


def test_both_earlier_years_are_in_the_docx(report):
    paragraphs, rows = _docx_section(report.docx, "Indicatori negli anni", "Risorse")
    assert rows == [HEAD, T1_TARGETS, T1_ACTUALS, HEAD, T2_TARGETS, T2_ACTUALS]
    assert "Fonte: Gestionale anagrafe" in paragraphs
    assert "Baseline: 1.100 (2021)" in paragraphs
    assert "Andamento di T1" in paragraphs                    # the chart's caption


def test_one_year_of_values_draws_no_trend_and_says_so(tmp_path):
    """Without a 2024 value T2 has only 2023: no chart, a line that says why."""
    files = _report(tmp_path, typed={"T1": Typed(1520)})
    section = _section(files.html.read_text(encoding="utf-8"), "anni")
    assert 'alt="Andamento di T1"' in section
    assert 'alt="Andamento di T2"' not in section
    assert section.count("Andamento non disegnato: servono valori numerici di almeno due "
                         "anni.") == 1


def test_a_plan_without_history_says_so_and_draws_nothing(tmp_path):
    data = {**HISTORY_PLAN}
    area = data["ambiti"][0]
    indicators = [{k: v for k, v in i.items() if k != "consuntivi"}
                  for i in area["obiettivi"][0]["indicatori"]]
    data["ambiti"] = [{**area, "obiettivi": [{**area["obiettivi"][0],
                                              "indicatori": indicators}]}]
    files = _report(tmp_path, data, typed={"T1": Typed(1520)})
    section = _section(files.html.read_text(encoding="utf-8"), "anni")
    assert "Il piano non ha consuntivi degli anni precedenti: nessun andamento " \
           "pluriennale da disegnare." in html.unescape(section)
    assert "<img" not in section
    assert _rows(section)[0] == ["", "2024", "2025", "2026"]


def test_a_plan_with_nothing_of_it_has_one_sentence(tmp_path):
    data = {**HISTORY_PLAN, "anni_target": [2024]}
    area = data["ambiti"][0]
    indicators = [{"codice": i["codice"], "nome": i["nome"], "peso": i["peso"],
                   "target": {2024: i["target"][2024]}}
                  for i in area["obiettivi"][0]["indicatori"]]
    data["ambiti"] = [{**area, "obiettivi": [{**area["obiettivi"][0],
                                              "indicatori": indicators}]}]
    files = _report(tmp_path, data)
    section = html.unescape(_section(files.html.read_text(encoding="utf-8"), "anni"))
    assert "Il piano non riporta consuntivi degli anni precedenti, target di altri anni né " \
           "descrizioni, fonti o baseline degli indicatori." in section
    assert "<table" not in section


def test_the_trend_draws_the_values_and_each_years_target(report):
    """What the chart is drawn from: the actual of each year with one and the target of
    each year with a comparison target (written by hand from the plan and the typing)."""
    data = report_data(report.html.parent.parent / "piano.xlsx")
    years = report_years(data)
    assert years == [2022, 2023, 2024, 2025, 2026]
    t1, t2 = (s.indicator for s in data.plan.indicators())
    assert year_values(t1, years, data) == [(2022, 1234.5), (2023, 1410.0), (2024, 1520.0)]
    assert year_targets(t1, years) == [(2024, 1500.0), (2025, 1600.0), (2026, 1750.0)]
    assert year_values(t2, years, data) == [(2023, pytest.approx(0.87)),
                                            (2024, pytest.approx(0.9))]
    assert year_targets(t2, years) == [(2024, pytest.approx(0.9)), (2025, pytest.approx(0.92))]
