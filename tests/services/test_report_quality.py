"""The Relazione tells the truth: «Qualità dei dati» from the master's own tables, the
report of an earlier period, percentage points, «non valutabile» never drawn as 0 %, and a
DOCX with the same sections as the HTML."""

from __future__ import annotations

import copy
import html
import re

import openpyxl
import pytest
from docx import Document as read_docx
from support.periods_plan import (
    FINAL,
    MID,
    PLAN_DATA,
    office_workbooks,
    set_input,
    two_period_plan,
)
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.rules import Grade
from cruscotto_xl.io.libreoffice import find_soffice, recalculate
from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.returns.sign import sign_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.services.report import (
    ReportError,
    bar_values,
    build_report,
    format_points,
    points_text,
    report_data,
    trend_series,
)
from cruscotto_xl.services.report_docx import render_docx
from cruscotto_xl.services.report_model import Cell, Document, Row, Section, Table, text
from cruscotto_xl.workbook import write_workbook
from cruscotto_xl.workbook.layout import SHEET_SUMMARY

CLEAN = "Nessuna segnalazione sui valori inseriti"


def _sign(path) -> None:
    sign_workbook(path, signer="Maria Rossi", role="Dirigente", confirm=True)


def _docx_text(path) -> str:
    """Every paragraph and table cell of a .docx, read back with python-docx."""
    doc = read_docx(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _section(text: str, ident: str) -> str:
    start = text.index(f'<section id="{ident}">')
    return text[start:text.index("</section>", start)]


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    """A 30/06 master (all returned and signed), then its 31/12 update in which Ufficio C
    did not return, Ufficio A signed but changed a locked target, Ufficio B did not sign
    and typed a number as text; and a clean master of the same plan."""
    plan = two_period_plan()
    work = tmp_path_factory.mktemp("qualita")
    master = work / "cruscotto.xlsx"
    june = office_workbooks(plan, work / "giugno", "30/06", MID)
    for path in june.values():
        _sign(path)
    write_master(consolidate(work / "giugno", plan, period="30/06"), master)
    june_copy = work / "giugno.xlsx"
    june_copy.write_bytes(master.read_bytes())

    december = office_workbooks(plan, work / "dicembre", "31/12", FINAL, skip=("Ufficio C",))
    _sign(december["Ufficio A"])
    set_input(december["Ufficio A"], "K1", "target_text", ">= 1")       # tampered
    set_input(december["Ufficio B"], "K5", "actual", "12")              # read leniently
    write_master(consolidate(work / "dicembre", plan, period="31/12"), master)

    clean_dir = work / "pulito"
    clean = office_workbooks(plan, clean_dir, "31/12", FINAL)
    for path in clean.values():
        _sign(path)
    clean_master = work / "pulito.xlsx"
    write_master(consolidate(clean_dir, plan, period="31/12"), clean_master)
    return plan, master, clean_master, june_copy, december, work


@pytest.fixture(scope="module")
def troubled(masters):
    _, master, *_, work = masters
    return build_report(master, work / "relazione", formats={"docx"})


def test_quality_names_the_missing_the_tampered_and_the_unsigned(masters, troubled):
    *_, december, _ = masters
    text = troubled.html.read_text(encoding="utf-8")
    quality = _section(text, "qualita")
    assert CLEAN not in text
    # the missing office, the unsigned one (from Stato uffici)
    missing = re.search(r"non hanno restituito una cartella valida: </b>(.*?)</p>", quality)
    assert missing and "«Ufficio C»" in missing.group(1)
    assert "Ufficio A" not in missing.group(1) and "Ufficio B" not in missing.group(1)
    unsigned = re.search(r"Cartelle non firmate: </b>(.*?)</p>", quality)
    assert unsigned and unsigned.group(1) == html.escape("«Ufficio B»")
    # the tampered cell and the lenient reading (from the consolidation's problems)
    tampered = december["Ufficio A"].name
    assert re.search(rf"<td>{re.escape(html.escape(tampered))} › [^<]*!\w+\d+</td><td></td>"
                     rf"<td>valore bloccato modificato \(Target\): atteso «&gt;= 100», "
                     rf"trovato «&gt;= 1»", quality)
    assert "«12» scritto come testo" in html.unescape(quality)
    assert troubled.quality > 0


def test_the_docx_names_them_too(masters, troubled):
    *_, december, _ = masters
    assert troubled.docx is not None and troubled.pdf is None    # --formato docx: no PDF
    text = _docx_text(troubled.docx)
    assert "Qualità dei dati" in text and CLEAN not in text
    assert re.search(r"non hanno restituito una cartella valida: «Ufficio C»$", text, re.M)
    assert re.search(r"Cartelle non firmate: «Ufficio B»$", text, re.M)
    assert "valore bloccato modificato" in text and december["Ufficio A"].name in text


def test_docx_has_the_sections_and_tables_of_the_html(troubled):
    text = troubled.html.read_text(encoding="utf-8")
    html_sections = re.findall(r'<section id="[^"]+"><h2>([^<]+)</h2>', text)
    doc = read_docx(str(troubled.docx))
    docx_sections = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert [html.unescape(s) for s in html_sections] == docx_sections
    assert len(html_sections) == 9       # sintesi … modifiche, with the years, resources, trend
    # the same tables: the KPI box is a table in DOCX, a block of divs in HTML
    assert text.count("<table") + 1 == len(doc.tables)


def test_a_clean_master_says_so(masters, tmp_path):
    _, _, clean_master, *_ = masters
    files = build_report(clean_master, tmp_path, formats={"docx"}, pdf=False)
    assert CLEAN in _section(files.html.read_text(encoding="utf-8"), "qualita")
    assert CLEAN in _docx_text(files.docx)
    assert files.quality == 0


def _master_cells(master, code: str) -> dict[str, object]:
    """An indicator's row of the master, by header text, read with openpyxl (not our
    reader): {header: value}."""
    wb = openpyxl.load_workbook(master, data_only=True)
    for ws in wb.worksheets:
        for table in ws.tables.values():
            rows = list(ws[table.ref])
            headers = [str(c.value) for c in rows[0]]
            if "Codice" not in headers:
                continue
            for row in rows[1:]:
                values = dict(zip(headers, (c.value for c in row), strict=True))
                if values["Codice"] == code:
                    return values
    raise AssertionError(f"{code} non trovato")


def test_periodo_reports_the_earlier_period(masters, tmp_path):
    _, master, _, june_copy, _, _ = masters
    cells = _master_cells(master, "K1")
    june_value = next(v for h, v in cells.items() if "30/06" in h and "onsuntivo" in h)
    assert june_value == 45                       # what MID typed, as the master holds it
    files = build_report(master, tmp_path, pdf=False, period="30/06")
    assert files.period == "30/06"
    text = files.html.read_text(encoding="utf-8")
    assert "monitoraggio intermedio al 30/06/2024" in text
    row = text[text.index("<td>K1</td>"):]
    row = row[:row.index("</tr>")]
    assert f">{june_value}<" in row and html.escape(">= 40") in row
    # the grade of the ente at 30/06 equals the one of the 30/06 master
    june = build_report(june_copy, tmp_path / "giugno", pdf=False)
    assert june.period == "30/06" and files.grade.value == pytest.approx(june.grade.value)
    # the default is the last period with values
    assert report_data(master).period == "31/12"
    with pytest.raises(ReportError, match="periodo «15/03» non previsto"):
        build_report(master, tmp_path, pdf=False, period="15/03")
    with pytest.raises(ReportError, match="i valori al 31/12 non ci sono ancora"):
        build_report(june_copy, tmp_path, pdf=False, period="31/12")


def test_percentage_points():
    assert format_points(12.5) == "+12,5 p.p."
    assert format_points(-3.04) == "-3,0 p.p."
    assert format_points(0.04) == "0,0 p.p." and format_points(-0.04) == "0,0 p.p."
    assert points_text(Grade(0.5), Grade(0.625)) == "+12,5 p.p."
    assert points_text(Grade(None, "dato mancante"), Grade(0.6)) == "n.v."


def test_the_trend_in_points_and_not_graded_as_a_gap(masters, troubled):
    _, master, *_ = masters
    text = troubled.html.read_text(encoding="utf-8")
    trend = _section(text, "andamento")
    assert "Variazione 30/06 → 31/12" in trend
    assert re.search(r"[+-]\d+,\d p\.p\.", trend)
    os3 = trend[trend.index("<td>OS3</td>"):]
    assert os3[:os3.index("</tr>")].endswith('<td class="num">n.v.</td>')
    # a grade that is not a number is None in what the chart draws, never 0
    assert bar_values([Grade(None, "dato mancante"), Grade(0.0), Grade(0.5)]) == \
        [None, 0.0, 50.0]
    data = report_data(master)
    series = dict(trend_series(data))
    assert data.periods == ["30/06", "31/12"]
    by_code = {label.split()[0]: values for label, values in series.items()}
    # OS3 (Ufficio C): «No» at 30/06 against «Sì» grades 0 %, drawn as 0; at 31/12 the
    # office did not return, the grade is not a number and is a gap, not 0
    assert by_code["OS3"] == [0.0, None]
    # OS1 by hand: 30/06 K1 45≥40 → 40 + K2 10/12·30 = 25 + K3 late → 0; 31/12 36+30+30
    assert by_code["OS1"] == [pytest.approx(65.0), pytest.approx(96.0)]


def test_cli_formato_docx_and_periodo(masters, tmp_path):
    _, master, *_ = masters
    runner = CliRunner()
    out = tmp_path / "r"
    result = runner.invoke(app, ["relazione", str(master), "--out", str(out), "--formato",
                                 "docx", "--periodo", "30/06"])
    assert result.exit_code == 0, result.output
    assert (out / "relazione.docx").is_file() and (out / "relazione.html").is_file()
    assert not (out / "relazione.pdf").exists()
    assert "al 30/06" in result.output and "DOCX scritto" in result.output
    bad = runner.invoke(app, ["relazione", str(master), "--out", str(out), "--formato", "odt"])
    assert bad.exit_code == 1 and "--formato «odt» non previsto" in bad.output


def test_the_workbook_shows_the_same_points_as_the_report(masters, troubled, tmp_path):
    """The master's «Variazione dal 30/06» (Riepilogo), recalculated by LibreOffice, is in
    percentage points and equals the change the Relazione prints."""
    _, master, *_ = masters
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    out = recalculate([master], tmp_path / "rc")[master]
    ws = openpyxl.load_workbook(out, data_only=True)[SHEET_SUMMARY]
    header = [c.value for c in ws[4]]
    change = header.index("Variazione dal 30/06")
    formats = openpyxl.load_workbook(master)[SHEET_SUMMARY]
    assert "p.p." in formats.cell(5, change + 1).number_format
    trend = _section(troubled.html.read_text(encoding="utf-8"), "andamento")
    compared = 0
    for row in ws.iter_rows(min_row=5):
        code, value = row[1].value, row[change].value      # «Codice» is column B
        if code not in ("OS1", "OS2"):
            continue
        compared += 1
        shown = re.search(rf"<td>{code}</td>.*?<td class=\"num\">([^<]*p\.p\.)</td></tr>",
                          trend)
        assert shown and shown.group(1) == format_points(value), code
    assert compared == 2
    assert format_points(96.0 - 65.0) == "+31,0 p.p."
    assert "+31,0 p.p." in trend                          # OS1, computed by hand above


def _resources_plan():
    data = copy.deepcopy(PLAN_DATA)
    os1, os2, os3 = data["ambiti"][0]["obiettivi"]
    os1.update(risorse=1000.5, codice_missione="011", missione="Competitività",
               codice_programma="005", programma="Promozione")
    os2.update(codice_missione="011", missione="Competitività", codice_programma="005",
               programma="Promozione")
    # OS2's indicators move into two OOs that carry the resources (summed: 500)
    k4, k5 = os2.pop("indicatori")
    os2["obiettivi_operativi"] = [
        {"codice": "OO2.1", "titolo": "Indagine", "peso": 50, "risorse": 200, "indicatori": [k4]},
        {"codice": "OO2.2", "titolo": "Eventi", "peso": 50, "risorse": 300, "indicatori": [k5]}]
    os3["uffici"] = ["Ufficio C", "Ufficio A"]
    return plan_from_data(data, "<risorse>")


def test_resources_offices_and_docx_plain_text(tmp_path):
    plan = _resources_plan()
    source = tmp_path / "piano.xlsx"
    write_workbook(plan, source)
    fill_workbook(source, FINAL)
    hostile = "<w:t>Nota</w:t> & <script>x</script> fine"
    set_input(source, "K6", "note", hostile)
    files = build_report(source, tmp_path / "out", formats={"docx"})
    text = files.html.read_text(encoding="utf-8")
    resources = _section(text, "risorse")
    rows = dict(re.findall(r"<tr><td>(OS\d)</td>(.*?)</tr>", resources))
    assert '<td class="num">1.000,50 €</td><td class="num"></td>' in rows["OS1"]
    assert '<td class="num"></td><td class="num">500,00 €</td>' in rows["OS2"]
    assert rows["OS3"].endswith('<td class="num"></td><td class="num"></td>')
    # by missione/programma: OS1's own 1000,50 + OS2's OOs 500 (never both of one OS)
    assert ('<tr><td>011 Competitività</td><td>005 Promozione</td>'
            '<td class="num">1.500,50 €</td><td class="num">2</td></tr>') in resources
    assert ('<tr><td>(non indicata)</td><td>(non indicato)</td><td class="num"></td>'
            '<td class="num">0</td></tr>') in resources
    # the office of each indicator: its own, else its OO's, else its OS's
    details = _section(text, "dettaglio")
    for code, offices in (("K1", "Ufficio A"), ("K4", "Ufficio B"),
                          ("K6", "Ufficio C, Ufficio A")):
        row = details[details.index(f"<tr><td>{code}</td>"):]
        assert f"<td>{offices}</td>" in row[:row.index("</tr>")]
    # outside text: escaped in HTML, a plain run in DOCX
    assert html.escape(hostile) in text and "<script>x" not in text
    docx_text = _docx_text(files.docx)
    assert hostile in docx_text
    assert "1.500,50 €" in docx_text and "Ufficio C, Ufficio A" in docx_text


def test_docx_drops_characters_xml_cannot_hold(tmp_path):
    doc = Document("t\x01", [text("a\x07b\x0bc")], [Section("s", "Sezione", [
        Table((("Testo", False),), (Row((Cell("x\x1fy"),)),))])])
    path = tmp_path / "r.docx"
    path.write_bytes(render_docx(doc))
    assert _docx_text(path).split("\n") == ["abc", "1. Sezione", "", "Testo", "xy"]
