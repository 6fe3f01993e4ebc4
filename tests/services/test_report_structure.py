"""«Risultati per struttura» in the Relazione: areas and offices of the plan's struttura
with the grades computed by hand in tests/support/structure_plan.py, in the HTML and in
the DOCX; absent without a structure and for an office's workbook; the individual
scorecards (personal data) never appear."""

from __future__ import annotations

import html
import re

import pytest
from docx import Document as read_docx
from support.structure_plan import make_master, structure_data, structure_plan

from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.services.report import build_report
from cruscotto_xl.workbook import write_workbook

PERSON = {"codice": "DIR-AI", "nome": "Giulia Verdissima", "ruolo": "dirigente",
          "struttura": "AI", "valutatore": "Nucleo di valutazione",
          "email": "giulia.verdissima@example.org",
          "obiettivi": [{"codice": "X1", "titolo": "Obiettivo personalissimo", "peso": 30,
                         "indicatori": [{"codice": "PX1", "nome": "Riservato alla persona",
                                         "target": {2024: "100%"}}]}],
          "componenti_organizzative": [
              {"nome": "Performance di area", "grado_di": "area", "peso": 40}],
          "peso_comportamenti": 30}
#: The hand-computed rows (tests/support/structure_plan.py), in the order of the chart.
ROWS = [("Area", "AI", "Area I — Servizi amministrativi", "Anna Bianchi", "4", "72,50 %"),
        ("Ufficio", "AI", "Servizio Uno", "Mario Rossi", "2", "70,00 %"),
        ("Ufficio", "AI", "Servizio Due", "", "2", "80,00 %"),
        ("Area", "AII", "Area II — Servizi al territorio", "", "2", "90,00 %"),
        ("Ufficio", "AII", "Servizio Tre", "", "2", "90,00 %")]


def _section(text: str, ident: str) -> str:
    start = text.index(f'<section id="{ident}">')
    return text[start:text.index("</section>", start)]


def _cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c))
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    plan = structure_plan(obiettivi_individuali=[PERSON],
                          uffici=[{"nome": "Servizio Uno", "responsabile": "Mario Rossi"}])
    folder = tmp_path_factory.mktemp("relazione")
    return build_report(make_master(plan, folder), folder / "out", pdf=False,
                        formats={"docx"})


def test_html_lists_areas_and_offices_with_hand_computed_grades(report):
    text = report.html.read_text(encoding="utf-8")
    section = _section(text, "strutture")
    assert "Risultati per struttura" in section
    rows = [_cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", section) if "<td" in r]
    assert [tuple(r[:6]) for r in rows] == ROWS
    assert all(r[6] == "Parzialmente raggiunto" for r in rows)
    # right after «Ambiti e obiettivi strategici», before the details
    assert text.index('id="ambiti"') < text.index('id="strutture"') < text.index(
        'id="dettaglio"')


def test_docx_has_the_same_rows(report):
    doc = read_docx(str(report.docx))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert any(h.endswith("Risultati per struttura") for h in headings)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Struttura")
    rows = [tuple(c.text for c in r.cells[:6]) for r in table.rows[1:]]
    assert rows == [(*r[:5], f"● {r[5]}") for r in ROWS]      # the light's dot, then the grade


def test_scorecards_never_reach_the_report(report):
    # the charts' pictures are base64 text: not words of the report
    text = re.sub(r"data:image/[^\"']+", "", report.html.read_text(encoding="utf-8"))
    doc = read_docx(str(report.docx))
    words = "\n".join([p.text for p in doc.paragraphs]
                      + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    for secret in ("Verdissima", "giulia.verdissima", "personalissimo", "Riservato alla",
                   "PX1", "DIR-AI", "Nucleo di valutazione"):
        assert secret not in text and secret not in words, secret


def test_no_structure_no_section(tmp_path):
    data = structure_data()
    del data["struttura"]
    files = build_report(make_master(plan_from_data(data), tmp_path), tmp_path / "out",
                         pdf=False, formats={"docx"})
    text = files.html.read_text(encoding="utf-8")
    assert 'id="strutture"' not in text and "Risultati per struttura" not in text
    doc = read_docx(str(files.docx))
    assert not any("struttura" in p.text for p in doc.paragraphs if p.style.name == "Heading 2")


def test_an_office_workbook_has_no_section(tmp_path):
    """An office's workbook holds one office's part: no area could be graded there."""
    path = tmp_path / "uno.xlsx"
    write_workbook(structure_plan(), path, office="Servizio Uno", with_actuals=True)
    files = build_report(path, tmp_path / "out", pdf=False)
    assert 'id="strutture"' not in files.html.read_text(encoding="utf-8")
