"""The *Relazione sulla performance*: a printable HTML report (A4) and its PDF.

The source is one of our workbooks (an office's, a whole plan's, or a consolidated
master). The report grades exactly what the workbook's own formulas grade: the embedded
plan part plus the values typed in the input cells, read raw (as ``ricalcola`` does),
rolled up by :func:`cruscotto_xl.core.rollup.evaluate`. It computes nothing itself: grades,
valutazioni, audit findings and input problems all come from the core; this module only
lays them out.

Choices:

* one self-contained HTML file: CSS inline, charts as PNG data URIs, so the file can be
  mailed or archived alone and printed from any browser;
* every text taken from a workbook is untrusted and goes through :func:`html.escape`
  (and is never put into CSS or into matplotlib's math parser);
* the PDF is rendered by WeasyPrint (pure Python on top of Pango, which Debian 12 ships
  with LibreOffice): it honours ``@page`` (A4, running header, page numbers), repeated
  table headers and background colours, which LibreOffice's HTML import does not;
* charts use matplotlib's object API with the Agg canvas (no pyplot global state, no
  display needed).
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.actuals import plan_with_typed
from ..core.audit import audit_plan
from ..core.lights import LIGHTS, Light, legend, light_thresholds, traffic_light
from ..core.model import FINAL_PERIOD, Actual, Band, Indicator, Plan
from ..core.problems import Problem
from ..core.rollup import Node, evaluate
from ..core.rules import NOT_GRADED_PREFIX, Grade, effective_actual, valutazione
from ..core.targets import Kind, TargetError
from ..core.vocabulary import (
    format_date,
    format_number,
    format_percent,
    from_excel_serial,
    yes_no_text,
)
from ..errors import UserError
from ..io.atomic import write_atomically
from ..returns.read import Reading, read_workbook
from ..workbook.styles import style_sheet

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["HTML_NAME", "PDF_NAME", "ReportError", "ReportFiles", "build_report",
           "report_html", "traffic_light"]

HTML_NAME = "relazione.html"
PDF_NAME = "relazione.pdf"

#: Resolution of the chart images (sharp when printed, small enough to embed).
CHART_DPI = 150

#: Italian hint shown when the PDF renderer is missing.
PDF_INSTALL_HINT = (
    "per il PDF serve WeasyPrint: `pip install weasyprint` (su Debian servono anche "
    "`apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`, come fa "
    "scripts/setup.sh), oppure usare --no-pdf"
)


class ReportError(UserError):
    """The report could not be written; the message is one Italian line."""


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`build_report` wrote, and the headline the command prints."""

    html: Path
    pdf: Path | None
    entity: str
    year: int
    grade: Grade                # the ente's grade (evaluate's root), an office's part's
    valutazione: str
    findings: int               # audit findings listed in the report
    office: str | None = None   # the office of an office workbook


# --- what the report shows (all computed by the core) ----------------------------------

@dataclass
class ReportData:
    reading: Reading
    plan: Plan                  # the embedded plan with the workbook's values as actuals
    root: Node                  # evaluate(plan, year, period)
    audit: list[Problem]
    generated: datetime

    @property
    def year(self) -> int:
        return self.reading.identity.year

    @property
    def period(self) -> str:
        return self.reading.identity.period

    @property
    def bands(self) -> list[Band]:
        return self.plan.policy.bands


def report_data(source: Path) -> ReportData:
    """Read ``source`` and grade it exactly as its formulas do (raw values, like ricalcola)."""
    reading = read_workbook(source)
    ident = reading.identity
    plan = plan_with_typed(reading.embedded_plan(), reading.typed(lenient=False), ident.year,
                           ident.period, raw=True, replace_all=True)
    root = evaluate(plan, ident.year, ident.period)
    return ReportData(reading, plan, root, audit_plan(plan, ident.year), datetime.now())


def grade_text(grade: Grade) -> str:
    return format_percent(grade.value) if grade.value is not None else "n.v."


def period_text(year: int, period: str) -> str:
    """``31/12`` → "al 31/12/2023"; any other period is a mid-year check."""
    when = f"al {period}/{year}"
    return when if period == FINAL_PERIOD else f"monitoraggio intermedio {when}"


def actual_text(ind: Indicator, actual: Actual | None, year: int) -> str:
    """The actual as the workbook shows it (percent, date, number with unit, or the text)."""
    if actual is None:
        return ""
    value = effective_actual(actual.typed, actual.numerator, actual.denominator)
    try:
        target = ind.target_for(year)
    except TargetError:
        target = None
    unit = ind.unit or (target.unit if target else None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no_text(value)
    if isinstance(value, datetime | date):
        return format_date(value if not isinstance(value, datetime) else value.date())
    if isinstance(value, str):
        return value
    if target is not None and target.kind in (Kind.DEADLINE, Kind.EVENT_DEADLINE):
        try:
            return format_date(from_excel_serial(value))
        except (OverflowError, ValueError):  # a number no date can be: shown as typed
            pass
    if unit == "%":
        return format_percent(value)
    text = format_number(value, 0 if float(value).is_integer() else 2)
    return f"{text} {unit}" if unit and unit != "data" else text


def measures_text(actual: Actual | None) -> str:
    """``46 / 47`` when the office typed numerator and denominator."""
    if actual is None or actual.numerator is None or actual.denominator is None:
        return ""
    parts = [format_number(v, 0 if float(v).is_integer() else 2)
             for v in (actual.numerator, actual.denominator)]
    return " / ".join(parts)


# --- charts ----------------------------------------------------------------------------

def _colors() -> dict[str, str]:
    return style_sheet()["colori"]


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI)
    return buf.getvalue()


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def os_chart(data: ReportData) -> bytes | None:
    """Horizontal bars: the grade of each OS, coloured by its traffic light."""
    from matplotlib.figure import Figure

    nodes = [os_node for area in data.root.children for os_node in area.children]
    if not nodes:
        return None
    colors = _colors()
    fig = Figure(figsize=(7.0, 0.8 + 0.2 * len(nodes)), layout="constrained")
    ax = fig.add_subplot()
    labels = [_short(f"{n.code} {n.title}", 60) for n in nodes]
    values = [(n.grade.value or 0.0) * 100 for n in nodes]
    lights = [traffic_light(n.grade, data.bands) for n in nodes]
    y = list(range(len(nodes)))
    ax.barh(y, values, color=[colors[x] for x in lights], height=0.7,
            edgecolor=[colors[f"{x}_testo"] for x in lights], linewidth=0.6)
    ax.set_yticks(y, labels, parse_math=False, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 20, 40, 60, 80, 100], ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"],
                  fontsize=7)
    for threshold in {t for _, t in light_thresholds(data.bands)} - {0.0}:
        ax.axvline(threshold * 100, color=colors["etichetta"], linestyle="--", linewidth=0.7)
    for yi, n, v in zip(y, nodes, values, strict=True):
        ax.text(v + 1.5, yi, grade_text(n.grade), va="center", fontsize=7, parse_math=False,
                color=colors["titolo"])
    ax.set_title("Grado di raggiungimento degli obiettivi strategici", fontsize=9,
                 color=colors["titolo"], loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def valutazione_counts(data: ReportData) -> list[tuple[str, int, Light]]:
    """How many indicators fall in each valutazione band (bands first, then not graded)."""
    counts: Counter[str] = Counter()
    lights: dict[str, Light] = {}
    for node in data.root.walk():
        if node.level != "indicatore":
            continue
        label = valutazione(node.grade, data.bands)
        if label.startswith(NOT_GRADED_PREFIX):  # one row, whatever the reason
            label = NOT_GRADED_PREFIX
        counts[label] += 1
        lights[label] = traffic_light(node.grade, data.bands)
    order = [b.label for b in data.bands] + [NOT_GRADED_PREFIX]
    order += [label for label in counts if label not in order]  # e.g. Neutralizzato
    return [(label, counts[label], lights[label]) for label in order if counts[label]]


def valutazione_chart(rows: list[tuple[str, int, Light]]) -> bytes | None:
    """Horizontal bars: how many indicators per valutazione, in the traffic-light colours."""
    from matplotlib.figure import Figure

    if not rows:
        return None
    colors = _colors()
    fig = Figure(figsize=(3.6, 0.7 + 0.28 * len(rows)), layout="constrained")
    ax = fig.add_subplot()
    y = list(range(len(rows)))
    counts = [n for _, n, _ in rows]
    ax.barh(y, counts, color=[colors[lt] for *_, lt in rows], height=0.65,
            edgecolor=[colors[f"{lt}_testo"] for *_, lt in rows], linewidth=0.6)
    ax.set_yticks(y, [_short(label, 28) for label, *_ in rows], parse_math=False, fontsize=7)
    ax.invert_yaxis()
    ax.tick_params(axis="x", labelsize=7)
    for yi, n in zip(y, counts, strict=True):
        ax.text(n, yi, f" {n}", va="center", fontsize=7, color=colors["titolo"])
    ax.set_xlim(0, max(counts) * 1.15 + 0.5)
    ax.set_title("Indicatori per valutazione", fontsize=8, color=colors["titolo"], loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


# --- HTML ------------------------------------------------------------------------------

def _e(value: object) -> str:
    """Escape any text for HTML (workbook contents are untrusted)."""
    return html.escape("" if value is None else str(value), quote=True)


def _css() -> str:
    c = _colors()
    lights = "\n".join(
        f".{name} {{ background: {c[name]}; color: {c[name + '_testo']}; }}\n"
        f".dot.{name} {{ background: {c[name + '_testo']}; }}"
        for name in LIGHTS)
    font = style_sheet()["font"]["nome"]
    return f"""
@page {{ size: A4; margin: 18mm 15mm 18mm 15mm;
  @top-left {{ content: string(ente); font-size: 7.5pt; color: {c['etichetta']}; }}
  @top-right {{ content: string(titolo); font-size: 7.5pt; color: {c['etichetta']}; }}
  @bottom-right {{ content: "Pagina " counter(page) " di " counter(pages); font-size: 7.5pt;
                   color: {c['etichetta']}; }} }}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} }}
html {{ font-family: "{font}", Carlito, "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
  font-size: 9pt; color: #222; -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ margin: 0 auto; max-width: 190mm; }}
h1, h2, h3, h4 {{ color: {c['titolo']}; break-after: avoid; page-break-after: avoid; }}
h1 {{ font-size: 20pt; margin: 0 0 2mm; string-set: titolo content(); }}
h2 {{ font-size: 13pt; border-bottom: 1.5pt solid {c['titolo']}; padding-bottom: 1mm;
  margin-top: 8mm; }}
h3 {{ font-size: 11pt; margin: 6mm 0 2mm; }}
h4 {{ font-size: 9.5pt; margin: 4mm 0 1.5mm; }}
.entity {{ font-size: 12pt; font-weight: bold; color: {c['etichetta']}; string-set: ente content();
  margin: 0 0 1mm; }}
.sub {{ font-size: 11pt; margin: 0 0 1mm; }}
.meta, .note, figcaption {{ color: {c['etichetta']}; font-size: 8pt; }}
.cover {{ border-bottom: 2pt solid {c['titolo']}; padding-bottom: 3mm; margin-bottom: 4mm; }}
.kpis {{ display: flex; gap: 4mm; margin: 2mm 0 3mm; }}
.kpi {{ flex: 1; border: 1pt solid {c['bordo']}; padding: 2mm 4mm; }}
.pair {{ display: flex; gap: 5mm; align-items: flex-start; }}
.pair > div {{ flex: 1; }}
.kpi .big {{ font-size: 18pt; font-weight: bold; }}
table {{ border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 8pt; }}
table.fixed {{ table-layout: fixed; }}
td {{ overflow-wrap: break-word; }}
.badge {{ white-space: nowrap; padding: 0 1mm; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th {{ background: {c['intestazione']}; color: {c['intestazione_testo']}; text-align: left;
  font-weight: bold; }}
th, td {{ border: 0.5pt solid {c['bordo']}; padding: 0.8mm 1.2mm; vertical-align: top; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
td.value {{ text-align: right; }}
tr.ambito td {{ font-weight: bold; background: #F2F2F2; }}
tr.ente td {{ font-weight: bold; border-top: 1.5pt solid {c['titolo']}; }}
td.indent {{ padding-left: 5mm; }}
.small {{ font-size: 7.5pt; color: {c['etichetta']}; }}
.dot {{ display: inline-block; width: 2.6mm; height: 2.6mm; border-radius: 50%;
  margin-right: 1mm; vertical-align: -0.3mm; }}
{lights}
figure {{ margin: 2mm 0; break-inside: avoid; page-break-inside: avoid; }}
figure img {{ max-width: 100%; max-height: 240mm; }}
p.oo {{ margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }}
.errore {{ color: {c['rosso_testo']}; font-weight: bold; }}
.avviso {{ color: {c['giallo_testo']}; font-weight: bold; }}
"""


def _light_cell(grade: Grade, bands: Sequence[Band], *, extra: str = "") -> str:
    light = traffic_light(grade, bands)
    return (f'<td class="num {light}{extra}"><span class="dot {light}"></span>'
            f"{_e(grade_text(grade))}</td>")


def _table(headers: Iterable[tuple[str, str]], rows: Iterable[str],
           widths: Sequence[int] = ()) -> str:
    """A table with a repeated header; ``widths`` (percent) fixes the columns, so that the
    many indicator tables line up."""
    head = "".join(f'<th class="{cls}">{_e(h)}</th>' for h, cls in headers)
    cols = "".join(f'<col style="width: {w}%">' for w in widths)
    fixed = ' class="fixed"' if widths else ""
    return (f"<table{fixed}><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'


def _cover(data: ReportData) -> str:
    ident = data.reading.identity
    plan = data.plan
    scope = (f"Ufficio: {ident.office}" if ident.office
             else "Intero piano")
    meta = [f"Fonte: {data.reading.path.name}"]
    if plan.title:
        meta.append(f"Piano: {plan.title}")
    if plan.deliberation:
        meta.append(f"Approvato con {plan.deliberation}")
    meta.append(f"Relazione generata il {format_date(data.generated.date())} "
                f"alle {data.generated:%H:%M}")
    return (f'<header class="cover"><p class="entity">{_e(ident.entity)}</p>'
            f"<h1>Relazione sulla performance {data.year}</h1>"
            f'<p class="sub">Grado di raggiungimento degli obiettivi '
            f"{_e(period_text(data.year, data.period))} · {_e(scope)}</p>"
            + "".join(f'<p class="meta">{_e(m)}</p>' for m in meta) + "</header>")


def _summary(data: ReportData) -> str:
    root = data.root
    rows = valutazione_counts(data)
    total = sum(n for _, n, _ in rows)
    graded = sum(1 for n in root.walk() if n.level == "indicatore" and n.grade.graded)
    objectives = sum(len(area.children) for area in root.children)
    light = traffic_light(root.grade, data.bands)
    whose = "dell'ufficio" if data.reading.identity.office else "dell'ente"
    kpis = (f'<div class="kpi {light}"><div>Grado di raggiungimento {whose}</div>'
            f'<div class="big" id="grado-ente"><span class="dot {light}"></span>'
            f"{_e(grade_text(root.grade))}</div>"
            f"<div>{_e(valutazione(root.grade, data.bands))}</div></div>"
            f'<div class="kpi"><div>Obiettivi strategici</div><div class="big">{objectives}'
            f"</div><div>in {len(root.children)} ambiti</div></div>"
            f'<div class="kpi"><div>Indicatori</div><div class="big">{total}</div>'
            f"<div>{graded} valutati</div></div>")
    count_rows = [f'<tr><td><span class="dot {lt}"></span>{_e(label)}</td>'
                  f'<td class="num">{n}</td>'
                  f'<td class="num">{_e(format_percent(n / total if total else 0, 1))}</td></tr>'
                  for label, n, lt in rows]
    legend_html = " · ".join(f'<span class="dot {e.light}"></span>{_e(e.condition)}'
                             for e in legend(data.bands))
    counts = _table([("Valutazione degli indicatori", ""), ("Numero", "num"), ("Quota", "num")],
                    count_rows)
    return ('<section id="sintesi"><h2>1. Sintesi</h2>'
            f'<div class="kpis">{kpis}</div>'
            f'<div class="pair"><div>{counts}<p class="note">Semaforo (stesse soglie delle '
            f"cartelle Excel): {legend_html}.</p></div>"
            f'<div>{_img(valutazione_chart(rows), "Indicatori per valutazione")}</div></div>'
            + _img(os_chart(data), "Grado degli obiettivi strategici") + "</section>")


def _overview(data: ReportData) -> str:
    rows: list[str] = []
    bands = data.bands
    for area in data.root.children:
        rows.append(f'<tr class="ambito"><td>Ambito</td><td>{_e(area.code)}</td>'
                    f'<td>{_e(area.title)}</td><td class="num">{_e(format_number(area.weight))}'
                    f"</td>{_light_cell(area.grade, bands)}"
                    f"<td>{_e(valutazione(area.grade, bands))}</td></tr>")
        for os_node in area.children:
            rows.append(f'<tr><td class="indent">OS</td><td>{_e(os_node.code)}</td>'
                        f"<td>{_e(os_node.title)}</td>"
                        f'<td class="num">{_e(format_number(os_node.weight))}</td>'
                        f"{_light_cell(os_node.grade, bands)}"
                        f"<td>{_e(valutazione(os_node.grade, bands))}</td></tr>")
    root = data.root
    office = data.reading.identity.office
    level, title = ("Ufficio", f"{office} — {root.title}") if office else ("Ente", root.title)
    rows.append(f'<tr class="ente"><td>{level}</td><td></td><td>{_e(title)}</td><td></td>'
                f"{_light_cell(root.grade, bands)}"
                f"<td>{_e(valutazione(root.grade, bands))}</td></tr>")
    headers = [("Livello", ""), ("Codice", ""), ("Titolo", ""), ("Peso", "num"),
               ("Grado", "num"), ("Valutazione", "")]
    return ('<section id="ambiti"><h2>2. Ambiti e obiettivi strategici</h2>'
            + _table(headers, rows, (9, 8, 46, 8, 12, 17)) + "</section>")


def _note_text(ind: Indicator, actual: Actual | None, year: int) -> str:
    parts = []
    status = ind.status_for(year)
    if status is not None:
        ref = f" ({status.reference})" if status.reference else ""
        parts.append(f"{status.kind.capitalize()}: {status.note}{ref}")
    if actual is not None and actual.note:
        parts.append(actual.note)
    return " — ".join(parts)


def _indicator_table(data: ReportData, indicators: list[Indicator], nodes: dict[str, Node],
                     path: str) -> str:
    bands = data.bands
    rows = []
    for k, ind in enumerate(indicators):
        node = nodes[f"{path}.indicatori[{k}]"]
        actual = ind.actual_for(data.year, data.period)
        measures = measures_text(actual)
        shown = _e(actual_text(ind, actual, data.year))
        if measures:
            shown += f'<br><span class="small">{_e(measures)}</span>'
        rows.append(f"<tr><td>{_e(ind.code)}</td><td>{_e(ind.name)}</td>"
                    f'<td class="num">{_e(format_number(node.weight))}</td>'
                    f"<td>{_e(ind.target_text(data.year, data.period))}</td>"
                    f'<td class="value">{shown}</td>{_light_cell(node.grade, bands)}'
                    f"<td>{_e(valutazione(node.grade, bands))}</td>"
                    f"<td>{_e(_note_text(ind, actual, data.year))}</td></tr>")
    headers = [("Codice", ""), ("Indicatore", ""), ("Peso", "num"), ("Target", ""),
               ("Consuntivo", "num"), ("Grado", "num"), ("Valutazione", ""), ("Note", "")]
    return _table(headers, rows, (10, 25, 7, 11, 11, 11, 12, 13))


def _badge(grade: Grade, bands: Sequence[Band]) -> str:
    """A grade with its traffic light, inline in a heading."""
    light = traffic_light(grade, bands)
    return (f'<span class="badge {light}"><span class="dot {light}"></span>'
            f"{_e(grade_text(grade))}</span>")


def _heading(tag: str, label: str, node: Node, bands: Sequence[Band]) -> str:
    return (f"<{tag}>{_e(label)} {_e(node.code)} — {_e(node.title)} · "
            f"{_badge(node.grade, bands)}</{tag}>")


def _details(data: ReportData) -> str:
    nodes = {n.path: n for n in data.root.walk()}
    bands = data.bands
    out = ['<section id="dettaglio"><h2>3. Obiettivi e indicatori</h2>']
    for ai, area in enumerate(data.plan.areas):
        area_path = f"ambiti[{ai}]"
        out.append(_heading("h3", "Ambito", nodes[area_path], bands))
        for oi, os_ in enumerate(area.objectives):
            os_path = f"{area_path}.obiettivi[{oi}]"
            out.append(f'<section class="os">{_heading("h4", "OS", nodes[os_path], bands)}')
            if os_.indicators:
                out.append('<p class="note">Indicatori dell\'obiettivo strategico</p>')
                out.append(_indicator_table(data, os_.indicators, nodes, os_path))
            for pi, oo in enumerate(os_.operational):
                oo_path = f"{os_path}.obiettivi_operativi[{pi}]"
                oo_node = nodes[oo_path]
                out.append(f'<p class="oo"><b>OO {_e(oo.code)}</b> {_e(oo.title)} · peso '
                           f"{_e(format_number(oo_node.weight))} · "
                           f"{_badge(oo_node.grade, bands)}</p>")
                out.append(_indicator_table(data, oo.indicators, nodes, oo_path))
            out.append("</section>")
    out.append("</section>")
    return "".join(out)


def _problems_table(problems: list[Problem]) -> str:
    rows = [f'<tr><td class="{_e(p.severity)}">{_e(p.severity)}</td><td>{_e(p.location)}</td>'
            f"<td>{_e(p.subject)}</td><td>{_e(p.message)}</td></tr>" for p in problems]
    return _table([("Gravità", ""), ("Dove", ""), ("Codice", ""), ("Rilievo", "")], rows,
                  (9, 30, 11, 50))


def _findings(data: ReportData) -> str:
    out = ['<section id="controlli"><h2>4. Rilievi sulla qualità del piano e dei dati</h2>',
           "<h3>Audit del piano</h3>"]
    if data.audit:
        errors = sum(p.severity == "errore" for p in data.audit)
        out.append(f'<p class="note">{len(data.audit)} rilievi, di cui {errors} errori.</p>')
        out.append(_problems_table(data.audit))
    else:
        out.append("<p>Nessun rilievo.</p>")
    out.append("<h3>Valori inseriti nella cartella</h3>")
    if data.reading.problems:
        out.append(_problems_table(data.reading.problems))
    else:
        out.append("<p>Nessuna segnalazione sui valori inseriti.</p>")
    out.append("</section>")
    return "".join(out)


def _changes(data: ReportData) -> str:
    rows = []
    entries = [(change, slot.indicator) for slot in data.plan.indicators()
               for change in slot.indicator.changes]
    entries.sort(key=lambda e: e[0].year)  # stable: plan order within a year
    for change, ind in entries:
        rows.append(f"<tr><td>{_e(ind.code)}</td><td>{_e(ind.name)}</td>"
                    f'<td class="num">{change.year}</td><td>{_e(change.action)}</td>'
                    f"<td>{_e(change.deliberation)}</td>"
                    f'<td class="num">{_e(format_date(change.when) if change.when else "")}</td>'
                    f"<td>{_e(change.note)}</td></tr>")
    body = (_table([("Codice", ""), ("Indicatore", ""), ("Anno", "num"), ("Azione", ""),
                    ("Delibera", ""), ("Data", "num"), ("Nota", "")], rows,
                   (10, 22, 7, 12, 21, 10, 18))
            if rows else "<p>Nessuna modifica registrata nel piano.</p>")
    return ('<section id="modifiche"><h2>5. Storico delle modifiche agli indicatori</h2>'
            + body + "</section>")


def report_html(data: ReportData) -> str:
    """The whole report as one self-contained HTML document."""
    title = f"Relazione sulla performance {data.year} — {data.reading.identity.entity}"
    return ("<!DOCTYPE html>\n"
            f'<html lang="it"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{_css()}</style></head><body>"
            + _cover(data) + _summary(data) + _overview(data) + _details(data)
            + _findings(data) + _changes(data) + "</body></html>\n")


# --- files -----------------------------------------------------------------------------

def render_pdf(document: str, base: Path) -> bytes:
    """The PDF of an HTML report (WeasyPrint; fonts from fontconfig)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing on the system
        raise ReportError(f"{PDF_INSTALL_HINT} ({type(exc).__name__}: {exc})") from None
    pdf = HTML(string=document, base_url=str(base)).write_pdf()
    assert pdf is not None
    return pdf


def build_report(source: Path, out_dir: Path, *, pdf: bool = True) -> ReportFiles:
    """Write ``relazione.html`` (and ``relazione.pdf``) for a generated or consolidated
    workbook into ``out_dir`` (created if needed; earlier reports there are replaced).

    Raises :class:`ReportError` (and the reader's ``UntrustedFileError`` /
    ``NotOurWorkbookError`` for a hostile or foreign file), each with one Italian line.
    """
    source = Path(source)
    if not source.is_file():
        raise ReportError(f"{source}: file non trovato (indicare una cartella Excel generata "
                          "da cruscotto o la cartella consolidata)")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"{out_dir}: esiste già e non è una cartella")
    data = report_data(source)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"{out_dir}: impossibile creare la cartella ({exc.strerror})") from None
    document = report_html(data)
    html_path = out_dir / HTML_NAME
    write_atomically(html_path, lambda tmp: tmp.write_text(document, encoding="utf-8"), keep=0)
    pdf_path = None
    if pdf:
        pdf_path = out_dir / PDF_NAME
        pdf_bytes = render_pdf(document, out_dir)
        write_atomically(pdf_path, lambda tmp: tmp.write_bytes(pdf_bytes), keep=0)
    root = data.root
    return ReportFiles(html_path, pdf_path, data.reading.identity.entity, data.year, root.grade,
                       valutazione(root.grade, data.bands), len(data.audit),
                       data.reading.identity.office)
