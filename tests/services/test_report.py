"""The Relazione: content equals the core's, hostile texts are escaped, the PDF renders."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import date

import pytest
import typer
from PIL import Image
from support import EXAMPLES
from support.periods_plan import MID, two_period_plan
from typer.testing import CliRunner

from cruscotto_xl.cli.report import relazione
from cruscotto_xl.core.actuals import Typed, plan_with_typed, typed_from_plan
from cruscotto_xl.core.audit import audit_plan
from cruscotto_xl.core.model import Change, Plan
from cruscotto_xl.core.rollup import evaluate
from cruscotto_xl.core.rules import Grade
from cruscotto_xl.core.tree import plan_for_office
from cruscotto_xl.core.vocabulary import format_date, format_percent
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.services.report import ReportError, build_report, traffic_light
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.styles import style_sheet

PLAN_FILE = EXAMPLES / "piano-operativo-2023.yaml"
HOSTILE_NOTE = '<script>alert("nota")</script>'
HOSTILE_TITLE = "Costi $x^2$ & <b>margini</b>"   # "$" would start matplotlib's math parser
DELIBERA = "deliberazione della Giunta n. 92 del 21.07.2020"


def _tool(name: str) -> str:
    """A poppler tool; CI installs it (scripts/setup.sh), so a missing one is a failure."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} non trovato: apt-get install -y poppler-utils "
                    "(oppure bash scripts/setup.sh)")
    return found


def _plan() -> Plan:
    plan = load_plan(PLAN_FILE)
    plan.areas[0].objectives[1].title = HOSTILE_TITLE
    slots = list(plan.indicators())
    slots[0].indicator.changes = [
        Change(year=2022, action="Inserito", deliberation=DELIBERA),
        Change(year=2023, action="Aggiornato", deliberation="delibera n. 5 del 30.01.2023",
               when="2023-01-30", note="target <b>rivisto</b>"),
    ]
    return plan


def _typed(plan: Plan) -> dict[str, Typed]:
    typed = typed_from_plan(plan, plan.year)
    first = next(iter(plan.indicators())).indicator.code
    t = typed[first]
    typed[first] = Typed(t.actual, t.numerator, t.denominator, HOSTILE_NOTE, t.reference)
    return typed


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    plan = _plan()
    typed = _typed(plan)
    work = tmp_path_factory.mktemp("relazione")
    source = work / "piano.xlsx"
    write_workbook(plan, source)
    fill_workbook(source, typed)
    files = build_report(source, work / "out")
    return plan, typed, files


def test_files_and_headline(built):
    plan, typed, files = built
    expected = evaluate(plan_with_typed(plan, typed, plan.year)).grade
    assert files.html.name == "relazione.html" and files.pdf and files.pdf.name == "relazione.pdf"
    assert files.grade.value == pytest.approx(expected.value, abs=1e-12)
    assert (files.entity, files.year) == (plan.entity, plan.year)


def test_html_content_comes_from_the_core(built):
    plan, typed, files = built
    text = files.html.read_text(encoding="utf-8")
    graded = plan_with_typed(plan, typed, plan.year)
    root = evaluate(graded)
    shown = re.search(r'id="grado-ente"><span class="dot (\w+)"></span>([^<]+)<', text)
    assert shown is not None
    assert shown.group(2) == format_percent(root.grade.value)
    assert shown.group(1) == traffic_light(root.grade, plan.policy.bands)
    for area in plan.areas:
        assert f"Ambito {html.escape(area.code)} — {html.escape(area.title)}" in text
        for os_ in area.objectives:
            assert f"OS {html.escape(os_.code)} — {html.escape(os_.title)}" in text
            for oo in os_.operational:
                assert f"<b>OO {html.escape(oo.code)}</b>" in text
    for slot in plan.indicators():
        assert f"<td>{html.escape(slot.indicator.code)}</td>" in text
    for problem in audit_plan(graded, plan.year):
        assert html.escape(problem.message) in text
    assert DELIBERA in text and "Aggiornato" in text
    assert format_date(date(2023, 1, 30)) in text
    # the workbooks' traffic-light colours, from the one style file
    colors = style_sheet()["colori"]
    for name in ("verde", "giallo", "rosso", "grigio"):
        assert colors[name] in text
    # self-contained: charts embedded, nothing fetched
    # valutazioni and OS grades (no 30/06 values: no trend chart)
    assert text.count('src="data:image/png;base64,') == 2
    assert not re.search(r'(src|href)="(?!data:)', text)


def test_untrusted_texts_are_escaped(built):
    _, _, files = built
    text = files.html.read_text(encoding="utf-8")
    assert "<script" not in text and "<b>margini" not in text and "<b>rivisto" not in text
    assert html.escape(HOSTILE_NOTE) in text
    assert html.escape(HOSTILE_TITLE) in text
    assert "target &lt;b&gt;rivisto&lt;/b&gt;" in text


def test_pdf_first_page_renders(built, tmp_path):
    plan, _, files = built
    info = subprocess.run([_tool("pdfinfo"), str(files.pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
    first = subprocess.run([_tool("pdftotext"), "-f", "1", "-l", "1", "-layout",
                            str(files.pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert f"Relazione sulla performance {plan.year}" in first
    assert format_percent(files.grade.value) in first
    png = tmp_path / "pagina1.png"
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile",
                    str(files.pdf), str(png.with_suffix(""))], check=True)
    with Image.open(png) as im:
        gray = im.convert("L")
        width, height = gray.size
        dark = sum(gray.histogram()[:200])
        colours = len(im.convert("RGB").getcolors(width * height) or ())
    assert (width, height) == (331, 468)                 # A4 at 40 dpi
    assert dark > 0.03 * width * height, "pagina 1 quasi vuota"
    assert colours > 20, "pagina 1 senza grafici né semafori"


def test_traffic_lights_follow_the_workbook_thresholds():
    bands = Plan(ente="E", anno=2024).policy.bands
    assert [traffic_light(Grade(v), bands) for v in (1.0, 0.6, 0.5999, 0.0)] == [
        "verde", "giallo", "rosso", "rosso"]
    assert traffic_light(Grade(None, "dato mancante"), bands) == "grigio"


def test_report_of_a_consolidated_master(tmp_path):
    plan = load_plan(PLAN_FILE)
    typed = typed_from_plan(plan, plan.year)
    returned = tmp_path / "ritorni"
    returned.mkdir()
    for office, path in list(workbook_jobs(plan, returned, per_office=True))[:3]:
        write_workbook(plan, path, office=office)
        fill_workbook(path, typed)
    result = consolidate(returned, plan)
    master = tmp_path / "cruscotto.xlsx"
    write_master(result, master)
    files = build_report(master, tmp_path / "out", pdf=False)
    expected = evaluate(plan_with_typed(plan, result.typed, plan.year, replace_all=True)).grade
    assert files.pdf is None and not (tmp_path / "out" / "relazione.pdf").exists()
    assert files.grade.value == pytest.approx(expected.value, abs=1e-12)
    text = files.html.read_text(encoding="utf-8")
    assert f'id="grado-ente"><span class="dot {traffic_light(expected, plan.policy.bands)}">' \
        in text


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(relazione)
    return app


def test_cli(built, tmp_path):
    source = built[2].html.parent.parent / "piano.xlsx"
    runner = CliRunner()
    ok = runner.invoke(_app(), [str(source), "--uscita", str(tmp_path / "r"), "--senza-pdf"])
    assert ok.exit_code == 0, ok.output
    assert "grado dell'ente" in ok.output and (tmp_path / "r" / "relazione.html").is_file()
    missing = runner.invoke(_app(), [str(tmp_path / "nessuno.xlsx"), "--uscita", str(tmp_path)])
    assert missing.exit_code == 1
    assert "Errore:" in missing.output and "file non trovato" in missing.output
    assert "Traceback" not in missing.output
    foreign = tmp_path / "estranea.xlsx"
    foreign.write_text("non è una cartella di lavoro")
    refused = runner.invoke(_app(), [str(foreign), "--uscita", str(tmp_path / "x")])
    assert refused.exit_code == 1 and "Errore:" in refused.output
    assert len(refused.output.strip().splitlines()) == 1


def test_missing_source_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="file non trovato"):
        build_report(tmp_path / "manca.xlsx", tmp_path / "out")


def test_report_of_an_office_mid_year(tmp_path):
    plan = load_plan(PLAN_FILE)
    office = plan.offices[0].name
    source = tmp_path / "ufficio.xlsx"
    write_workbook(plan, source, office=office, period="30/06")
    fill_workbook(source, typed_from_plan(plan, plan.year))
    files = build_report(source, tmp_path / "out", pdf=False)
    text = files.html.read_text(encoding="utf-8")
    assert f"Ufficio: {html.escape(office)}" in text
    assert "monitoraggio intermedio al 30/06/2023" in text
    part = plan_with_typed(plan, typed_from_plan(plan, plan.year), plan.year, "30/06")
    expected = evaluate(plan_for_office(part, office),
                        plan.year, "30/06").grade
    assert files.grade.value == pytest.approx(expected.value, abs=1e-12)


def test_a_mid_year_report_quotes_the_intermediate_target(tmp_path):
    plan = two_period_plan()
    source = tmp_path / "ufficio.xlsx"
    write_workbook(plan, source, office="Ufficio A", period="30/06")
    fill_workbook(source, MID)
    text = build_report(source, tmp_path / "out", pdf=False).html.read_text(encoding="utf-8")
    row = text[text.index("<td>K1</td>"):]
    row = row[:row.index("</tr>")]
    assert html.escape(">= 40") in row and html.escape(">= 100") not in row
