"""The *Relazione sulla performance*: a printable HTML report (A4), its PDF and a DOCX.

The source is one of our workbooks (an office's, a whole plan's, or a consolidated
master). The report grades exactly what the workbook's own formulas grade: the embedded
plan part plus the values typed in the input cells, read raw (as ``ricalcola`` does),
rolled up by :func:`cruscotto_xl.core.rollup.evaluate`. It computes nothing itself: grades,
valutazioni, audit findings and input problems all come from the core, the facts of the
consolidation from the master's own tables (``crx_stato_uffici``, ``crx_consolidamento``,
read by :mod:`cruscotto_xl.returns.read`); this module only lays them out.

Choices (docs/report.md):

* one document model (:mod:`.report_model`) built once; the HTML (and from it the PDF) and
  the DOCX are renderings of it, so the formats carry the same sections and tables;
* one self-contained HTML file: CSS inline, charts as PNG data URIs, so the file can be
  mailed or archived alone and printed from any browser;
* every text taken from a workbook is untrusted: :func:`html.escape` in HTML, plain runs
  in DOCX, never put into CSS or into matplotlib's math parser;
* the PDF is rendered by WeasyPrint (pure Python on top of Pango, which Debian 12 ships
  with LibreOffice): it honours ``@page`` (A4, running header, page numbers), repeated
  table headers and background colours, which LibreOffice's HTML import does not;
* charts use matplotlib's object API with the Agg canvas (no pyplot global state, no
  display needed); a grade that is not a number is drawn as a hatched, labelled gap,
  never as a 0 % bar; changes between periods are in percentage points (``+12,5 p.p.``).
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.actuals import actual_number, indicator_actual, plan_with_typed
from ..core.audit import audit_plan
from ..core.formula import MeasureValue
from ..core.lights import LIGHTS, Light, legend, light_thresholds, traffic_light
from ..core.model import FINAL_PERIOD, Actual, Band, Indicator, Plan, StrategicObjective
from ..core.problems import Problem
from ..core.rollup import Node, evaluate
from ..core.rules import NOT_GRADED_PREFIX, Grade, valutazione
from ..core.signoff import CHANGED, SIGNED
from ..core.structure import chart_units, unit_tree
from ..core.targets import Kind, TargetError
from ..core.tree import same_office
from ..core.vocabulary import (
    counted,
    format_date,
    format_number,
    format_percent,
    from_excel_serial,
    yes_no_text,
)
from ..core.years import history_years, target_years
from ..errors import UserError
from ..io.atomic import write_atomically
from ..returns.consolidate import RETURNED, WITH_PROBLEMS
from ..returns.integrity import integrity_problems, signoff_check
from ..returns.read import Reading, RecordedProblem, read_workbook
from ..workbook.styles import style_sheet
from .report_model import (
    Block,
    Cell,
    Document,
    Figure,
    Heading,
    Kpi,
    Kpis,
    Pair,
    Paragraph,
    Row,
    Run,
    Section,
    Table,
    text,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

__all__ = ["DOCX_NAME", "FORMATS", "HTML_NAME", "PDF_NAME", "ReportError", "ReportFiles",
           "build_report", "report_document", "report_html", "traffic_light"]

HTML_NAME = "relazione.html"
PDF_NAME = "relazione.pdf"
DOCX_NAME = "relazione.docx"

#: The formats ``--formato`` accepts; the HTML is always written (the PDF is made from it).
FORMATS = ("html", "pdf", "docx")
DEFAULT_FORMATS = frozenset({"html", "pdf"})

#: Resolution of the chart images (sharp when printed, small enough to embed).
CHART_DPI = 150

#: The label of a grade that is not a number, in charts and in changes between periods.
NOT_GRADED_LABEL = "non valutabile"

#: Italian hint shown when the PDF renderer is missing.
PDF_INSTALL_HINT = (
    "per il PDF serve WeasyPrint: `pip install weasyprint` (su Debian servono anche "
    "`apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`, come fa "
    "scripts/setup.sh), oppure usare --senza-pdf"
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
    docx: Path | None = None
    period: str = FINAL_PERIOD  # the period the report is about
    quality: int = 0            # facts listed under «Qualità dei dati»


# --- what the report shows (all computed by the core) ----------------------------------

@dataclass
class ReportData:
    reading: Reading
    plan: Plan                  # the embedded plan with the workbook's values as actuals
    root: Node                  # evaluate(plan, year, period)
    audit: list[Problem]
    generated: datetime
    period: str = FINAL_PERIOD  # the period reported on (``--periodo``)
    history: dict[str, Node] = field(default_factory=dict)  # period → root, up to period
    checks: list[Problem] = field(default_factory=list)     # this file's integrity, sign-off

    @property
    def year(self) -> int:
        return self.reading.identity.year

    @property
    def bands(self) -> list[Band]:
        return self.plan.policy.bands

    @property
    def periods(self) -> list[str]:
        """The monitoring dates shown in the comparison: the earlier ones with values, then the
    reported one."""
        return list(self.history)


def _has_values(plan: Plan, year: int, period: str) -> bool:
    measures = plan.measure_values(year, period)
    return any(indicator_actual(slot.indicator, slot.indicator.actual_for(year, period),
                                measures) is not None for slot in plan.indicators())


def choose_period(plan: Plan, year: int, own: str, asked: str | None, source: str) -> str:
    """The period to report on: ``asked`` (checked), else the last one up to the workbook's
    own period that has values (the workbook's own when none has)."""
    dates = plan.period_dates
    if own not in dates:
        dates = sorted([*dates, own], key=lambda d: tuple(map(int, reversed(d.split("/")))))
    upto = dates[: dates.index(own) + 1]
    if asked is not None:
        asked = asked.strip()
        if asked not in dates:
            raise ReportError(f"{source}: periodo «{asked}» non previsto dal piano (periodi: "
                              f"{', '.join(dates)}); indicare --periodo come gg/mm")
        if asked not in upto:
            raise ReportError(f"{source}: la cartella è del monitoraggio al {own}: i valori "
                              f"al {asked} non ci sono ancora; indicare un periodo fino al "
                              f"{own}")
        return asked
    with_values = [p for p in upto if _has_values(plan, year, p)]
    return with_values[-1] if with_values else own


def report_data(source: Path, period: str | None = None) -> ReportData:
    """Read ``source`` and grade it exactly as its formulas do (raw values, like ricalcola),
    at ``period`` (default: :func:`choose_period`)."""
    reading = read_workbook(source)
    ident = reading.identity
    plan = plan_with_typed(reading.embedded_plan(), reading.typed(lenient=False), ident.year,
                           ident.period, raw=True, replace_all=True,
                           measures=reading.measure_values(lenient=False))
    chosen = choose_period(plan, ident.year, ident.period, period, source.name)
    dates = plan.period_dates
    # the comparison shows the earlier periods that have values (none: no comparison)
    shown = [p for p in (dates[: dates.index(chosen)] if chosen in dates else [])
             if _has_values(plan, ident.year, p)] + [chosen]
    history = {p: evaluate(plan, ident.year, p) for p in shown}
    checks = list(integrity_problems(reading))
    if not reading.is_master:
        checks += signoff_check(reading)[1]
    return ReportData(reading, plan, history[chosen], audit_plan(plan, ident.year),
                      datetime.now(), chosen, history, checks)


def grade_text(grade: Grade) -> str:
    return format_percent(grade.value) if grade.value is not None else "n.v."


def points_text(before: Grade, after: Grade) -> str:
    """The change between two grades in percentage points: ``+12,5 p.p.``, ``-3,0 p.p.``,
    ``0,0 p.p.``; ``n.v.`` when either is not a number."""
    if before.value is None or after.value is None:
        return "n.v."
    return format_points((after.value - before.value) * 100)


def format_points(points: float) -> str:
    """Percentage points with one decimal and an explicit sign: 12.5 → ``+12,5 p.p.``."""
    shown = format_number(abs(points), 1)
    if shown.strip("0,") == "":            # rounds to zero: no sign
        return f"{shown} p.p."
    return f"{'+' if points > 0 else '-'}{shown} p.p."


def period_text(year: int, period: str) -> str:
    """``31/12`` → "al 31/12/2023"; any other period is a mid-year check."""
    when = f"al {period}/{year}"
    return when if period == FINAL_PERIOD else f"monitoraggio intermedio {when}"


def actual_text(ind: Indicator, actual: Actual | None, year: int,
                measures: Mapping[str, MeasureValue] | None = None) -> str:
    """The actual as the workbook shows it (percent, date, number with unit, or the text);
    ``measures``: the year and period's measure values of a formula indicator."""
    value = indicator_actual(ind, actual, measures)
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
    text_ = format_number(value, 0 if float(value).is_integer() else 2)
    return f"{text_} {unit}" if unit and unit != "data" else text_


def measures_text(actual: Actual | None) -> str:
    """``46 / 47`` when the office typed numerator and denominator."""
    if actual is None or actual.numerator is None or actual.denominator is None:
        return ""
    parts = [format_number(v, 0 if float(v).is_integer() else 2)
             for v in (actual.numerator, actual.denominator)]
    return " / ".join(parts)


def money_text(value: float | None) -> str:
    return "" if value is None else f"{format_number(value, 2)} €"


# --- charts ----------------------------------------------------------------------------

def _colors() -> dict[str, str]:
    return style_sheet()["colori"]


def _png(fig: MplFigure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI)
    return buf.getvalue()


def _short(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1].rstrip() + "…"


def bar_values(grades: Sequence[Grade]) -> list[float | None]:
    """What a chart draws for each grade: percent, or None (a marked gap) when it is not a
    number. Never 0 for a grade that is not graded."""
    return [g.value * 100 if g.value is not None else None for g in grades]


def _gap(ax: Axes, y: float, height: float, colors: dict[str, str], *, full: float = 100.0,
         label: bool = True) -> None:
    """A grade that is not a number: an empty hatched bar over the whole scale, labelled."""
    ax.barh(y, full, height=height, fill=False, hatch="///", edgecolor=colors["grigio_testo"],
            linewidth=0.4)
    if label:
        ax.text(1.5, y, NOT_GRADED_LABEL, va="center", fontsize=6.5, parse_math=False,
                color=colors["grigio_testo"], style="italic")


def os_nodes(data: ReportData) -> list[Node]:
    return [os_node for area in data.root.children for os_node in area.children]


def os_chart_series(data: ReportData) -> list[tuple[str, float | None]]:
    """The OS chart's bars: label and percent (None: not graded, drawn as a gap)."""
    nodes = os_nodes(data)
    return list(zip([f"{n.code} {n.title}" for n in nodes],
                    bar_values([n.grade for n in nodes]), strict=True))


def os_chart(data: ReportData) -> bytes | None:
    """Horizontal bars: the grade of each OS, coloured by its traffic light."""
    from matplotlib.figure import Figure as MplFigure

    nodes = os_nodes(data)
    if not nodes:
        return None
    colors = _colors()
    fig = MplFigure(figsize=(7.0, 0.8 + 0.2 * len(nodes)), layout="constrained")
    ax = fig.add_subplot()
    series = os_chart_series(data)
    for yi, (n, (_, value)) in enumerate(zip(nodes, series, strict=True)):
        if value is None:
            _gap(ax, yi, 0.7, colors)
            continue
        light = traffic_light(n.grade, data.bands)
        ax.barh(yi, value, color=colors[light], height=0.7,
                edgecolor=colors[f"{light}_testo"], linewidth=0.6)
        ax.text(value + 1.5, yi, grade_text(n.grade), va="center", fontsize=7,
                parse_math=False, color=colors["titolo"])
    y = list(range(len(nodes)))
    ax.set_yticks(y, [_short(label, 60) for label, _ in series], parse_math=False, fontsize=7)
    ax.invert_yaxis()
    _percent_axis(ax, data.bands, colors)
    ax.set_title("Grado di raggiungimento degli obiettivi strategici", fontsize=9,
                 color=colors["titolo"], loc="left")
    return _png(fig)


def _percent_axis(ax: Axes, bands: Sequence[Band], colors: dict[str, str]) -> None:
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 20, 40, 60, 80, 100], ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"],
                  fontsize=7)
    for threshold in {t for _, t in light_thresholds(bands)} - {0.0}:
        ax.axvline(threshold * 100, color=colors["etichetta"], linestyle="--", linewidth=0.7)
    ax.spines[["top", "right"]].set_visible(False)


def trend_series(data: ReportData) -> list[tuple[str, list[float | None]]]:
    """The trend chart: for each OS, its grade (percent, None when not graded) at each
    period of :attr:`ReportData.periods`, in order."""
    by_period = {p: {n.path: n for n in root.walk()} for p, root in data.history.items()}
    return [(f"{n.code} {n.title}", bar_values([by_period[p][n.path].grade
                                                 for p in data.periods]))
            for n in os_nodes(data)]


def trend_chart(data: ReportData) -> bytes | None:
    """Grouped horizontal bars: each OS's grade at each period (the trend through the
    year); a grade that is not a number is a hatched gap labelled «non valutabile»."""
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch

    series = trend_series(data)
    periods = data.periods
    if not series or len(periods) < 2:
        return None
    colors = _colors()
    k = len(periods)
    alphas = [0.3 + 0.7 * (j + 1) / k for j in range(k)]    # the latest period darkest
    height = 0.8 / k
    fig = MplFigure(figsize=(7.0, 0.9 + 0.16 * k * len(series)), layout="constrained")
    ax = fig.add_subplot()
    for i, (_, values) in enumerate(series):
        for j, value in enumerate(values):
            y = i - 0.4 + height * (j + 0.5)
            if value is None:
                _gap(ax, y, height * 0.9, colors, label=True)
                continue
            ax.barh(y, value, height=height * 0.9, color=colors["titolo"], alpha=alphas[j])
            ax.text(value + 1.5, y, format_percent(value / 100, 1), va="center",
                    fontsize=6, parse_math=False, color=colors["titolo"])
    ax.set_yticks(range(len(series)), [_short(label, 55) for label, _ in series],
                  parse_math=False, fontsize=7)
    ax.invert_yaxis()
    _percent_axis(ax, data.bands, colors)
    handles = [Patch(color=colors["titolo"], alpha=alphas[j], label=f"al {p}")
               for j, p in enumerate(periods)]
    handles.append(Patch(fill=False, hatch="///", edgecolor=colors["grigio_testo"],
                         label=NOT_GRADED_LABEL))
    ax.legend(handles=handles, fontsize=6.5, loc="lower right", frameon=False)
    ax.set_title("Andamento del grado degli obiettivi strategici tra i periodi", fontsize=9,
                 color=colors["titolo"], loc="left")
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
    from matplotlib.figure import Figure as MplFigure

    if not rows:
        return None
    colors = _colors()
    fig = MplFigure(figsize=(3.6, 0.7 + 0.28 * len(rows)), layout="constrained")
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


def report_years(data: ReportData) -> list[int]:
    """The years of the «Indicatori negli anni» tables: the earlier years of the plan's
    history, the report's year and the plan years with targets (core/years.py, as the
    objective sheet)."""
    indicators = [slot.indicator for slot in data.plan.indicators()]
    return sorted({*history_years(indicators, data.year), data.year,
                   *target_years(indicators, data.plan.target_years, data.year)})


def _percent_unit(ind: Indicator, year: int) -> bool:
    try:
        target = ind.target_for(year)
    except TargetError:
        target = None
    return (ind.unit or (target.unit if target else None)) == "%"


def year_values(ind: Indicator, years: Sequence[int], data: ReportData
                ) -> list[tuple[int, float]]:
    """The numeric actual of each year: the final one of an earlier year, the reported
    period's one of the report's year (None and non-numbers left out, never 0)."""
    out = []
    for year in years:
        if year < data.year:
            value = actual_number(ind, year, data.plan)
        elif year == data.year:
            actual = ind.actual_for(year, data.period)
            found = indicator_actual(ind, actual, data.plan.measure_values(year, data.period))
            value = float(found) if isinstance(found, int | float) \
                and not isinstance(found, bool) else None
        else:
            value = None
        if value is not None:
            out.append((year, value))
    return out


def year_targets(ind: Indicator, years: Sequence[int]) -> list[tuple[int, float]]:
    """The numeric target of each year (a comparison: ``>= 1.500``, ``<= 10 gg``); the
    other kinds have no point on a value axis and are left out."""
    out = []
    for year in years:
        try:
            target = ind.target_for(year)
        except TargetError:
            continue
        if target.kind is Kind.COMPARISON and target.value is not None:
            out.append((year, target.value))
    return out


def indicator_trend_chart(ind: Indicator, years: Sequence[int], data: ReportData
                          ) -> bytes | None:
    """An indicator over the years: its actuals as a line, each year's target as a marker;
    None with fewer than two years of values (no trend to draw)."""
    values = year_values(ind, years, data)
    if len(values) < 2:
        return None
    from matplotlib.figure import Figure as MplFigure

    colors = _colors()
    scale = 100.0 if _percent_unit(ind, data.year) else 1.0
    # fixed margins, not the constrained layout: one chart per indicator, and the layout
    # pass would draw each twice
    fig = MplFigure(figsize=(3.4, 1.9))
    fig.subplots_adjust(left=0.15, right=0.97, bottom=0.13, top=0.86)
    ax = fig.add_subplot()
    xs = [y for y, _ in values]
    ys = [v * scale for _, v in values]
    ax.plot(xs, ys, marker="o", color=colors["titolo"], linewidth=1.2, markersize=3.5,
            label="Consuntivo")
    for x, y in zip(xs, ys, strict=True):
        ax.annotate(format_number(y, 0 if float(y).is_integer() else 1), (x, y),
                    textcoords="offset points", xytext=(0, 4), ha="center", fontsize=6,
                    color=colors["titolo"])
    targets = year_targets(ind, years)
    if targets:
        ax.plot([y for y, _ in targets], [v * scale for _, v in targets], linestyle="none",
                marker="_", markersize=11, markeredgewidth=1.6, color=colors["rosso_testo"],
                label="Target")
    ax.set_xticks(list(years), [str(y) for y in years], fontsize=6.5)
    ax.set_xlim(min(years) - 0.5, max(years) + 0.5)
    ax.tick_params(axis="y", labelsize=6.5)
    if scale != 1.0:
        ax.set_ylabel("%", fontsize=6.5)
    ax.margins(y=0.25)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=6, frameon=False, loc="best")
    ax.set_title(_short(f"{ind.code} — {ind.name}", 50), fontsize=7, loc="left",
                 color=colors["titolo"], parse_math=False)
    return _png(fig)


# --- the document (one model for HTML, PDF and DOCX) ------------------------------------

def _grade_cell(grade: Grade, bands: Sequence[Band]) -> Cell:
    return Cell(grade_text(grade), numeric=True, light=traffic_light(grade, bands))


def _badge(grade: Grade, bands: Sequence[Band]) -> Run:
    return Run(grade_text(grade), badge=traffic_light(grade, bands))


def _cover(data: ReportData) -> list[Block]:
    ident = data.reading.identity
    plan = data.plan
    scope = f"Ufficio: {ident.office}" if ident.office else "Intero piano"
    meta = [f"Fonte: {data.reading.path.name}"]
    if plan.title:
        meta.append(f"Piano: {plan.title}")
    if plan.deliberation:
        meta.append(f"Approvato con {plan.deliberation}")
    meta.append(f"Relazione generata il {format_date(data.generated.date())} "
                f"alle {data.generated:%H:%M}")
    return [text(ident.entity, "entity"),
            Heading(1, (Run(f"Relazione sulla performance {data.year}"),)),
            text(f"Grado di raggiungimento degli obiettivi "
                 f"{period_text(data.year, data.period)} · {scope}", "sub"),
            *(text(m, "meta") for m in meta)]


def _summary(data: ReportData) -> Section:
    root = data.root
    rows = valutazione_counts(data)
    total = sum(n for _, n, _ in rows)
    graded = sum(1 for n in root.walk() if n.level == "indicatore" and n.grade.graded)
    objectives = sum(len(area.children) for area in root.children)
    light = traffic_light(root.grade, data.bands)
    whose = "dell'ufficio" if data.reading.identity.office else "dell'ente"
    sub = valutazione(root.grade, data.bands)
    if len(data.periods) > 1:
        before = data.history[data.periods[-2]].grade
        sub += f" · variazione dal {data.periods[-2]}: {points_text(before, root.grade)}"
    kpis = Kpis((Kpi(f"Grado di raggiungimento {whose}", grade_text(root.grade), sub, light,
                     light, "grado-ente"),
                 Kpi("Obiettivi strategici", str(objectives),
                     "in " + counted(len(root.children), "ambito", "ambiti")),
                 Kpi("Indicatori", str(total), counted(graded, "valutato", "valutati"))))
    counts = Table((("Valutazione degli indicatori", False), ("Numero", True), ("Quota", True)),
                   tuple(Row((Cell(label, light=lt), Cell(str(n), numeric=True),
                              Cell(format_percent(n / total if total else 0, 1), numeric=True)))
                         for label, n, lt in rows))
    legend_runs: list[Run] = [Run("Semaforo (stesse soglie delle cartelle Excel): ")]
    for i, entry in enumerate(legend(data.bands)):
        if i:
            legend_runs.append(Run(" · "))
        legend_runs.append(Run(entry.condition, dot=entry.light))
    legend_runs.append(Run("."))
    right: list[Block] = []
    chart = valutazione_chart(rows)
    if chart:
        right.append(Figure(chart, "Indicatori per valutazione"))
    blocks: list[Block] = [kpis, Pair((counts, Paragraph(tuple(legend_runs), "note")),
                                      tuple(right))]
    chart = os_chart(data)
    if chart:
        blocks.append(Figure(chart, "Grado degli obiettivi strategici"))
    return Section("sintesi", "Sintesi", blocks)


def _overview(data: ReportData) -> Section:
    rows: list[Row] = []
    bands = data.bands
    for area in data.root.children:
        rows.append(Row((Cell("Ambito"), Cell(area.code), Cell(area.title),
                         Cell(format_number(area.weight), numeric=True),
                         _grade_cell(area.grade, bands),
                         Cell(valutazione(area.grade, bands))), "ambito"))
        for os_node in area.children:
            rows.append(Row((Cell("OS", style="indent"), Cell(os_node.code),
                             Cell(os_node.title),
                             Cell(format_number(os_node.weight), numeric=True),
                             _grade_cell(os_node.grade, bands),
                             Cell(valutazione(os_node.grade, bands)))))
    root = data.root
    office = data.reading.identity.office
    level, title = ("Ufficio", f"{office} — {root.title}") if office else ("Ente", root.title)
    rows.append(Row((Cell(level), Cell(""), Cell(title), Cell(""), _grade_cell(root.grade, bands),
                     Cell(valutazione(root.grade, bands))), "ente"))
    headers = (("Livello", False), ("Codice", False), ("Titolo", False), ("Peso", True),
               ("Grado", True), ("Valutazione", False))
    return Section("ambiti", "Ambiti e obiettivi strategici",
                   [Table(headers, tuple(rows), (9, 8, 46, 8, 12, 17))])


def _structures(data: ReportData) -> Section | None:
    """«Risultati per struttura»: each area and office of the plan's ``struttura`` graded
    on the part it owns (core/structure.py), in the order of the chart (each area, then
    its offices), with its dirigente (an area) or responsabile (an office, from the plan's
    ``uffici``). Absent without a structure, and for an office's workbook (its plan part
    is one office: an area's grade would be that office's). Only the organisation chart is
    shown: individual scorecards are personal data and never enter the report."""
    if data.reading.identity.office:
        return None
    units = chart_units(data.plan, data.year)
    if not units:
        return None
    bands = data.bands
    rows: list[Row] = []
    for unit in units:
        node = unit_tree(data.plan, unit.offices, data.year, data.period)
        count = sum(1 for n in node.walk() if n.level == "indicatore")
        is_area = unit.kind == "area"
        head = (unit.area.head if is_area and unit.area is not None
                else next((o.head for o in data.plan.offices if same_office(o.name, unit.name)),
                          None)) or ""
        area = unit.area.code if unit.area is not None else "—"
        rows.append(Row((Cell("Area" if is_area else "Ufficio",
                              style="" if is_area else "indent"),
                         Cell(area), Cell(unit.name), Cell(head),
                         Cell(str(count), numeric=True), _grade_cell(node.grade, bands),
                         Cell(valutazione(node.grade, bands))),
                        "ambito" if is_area else ""))
    headers = (("Struttura", False), ("Area", False), ("Nome", False), ("Responsabile", False),
               ("Indicatori", True), ("Grado", True), ("Valutazione", False))
    note = text("Il grado di un'area o di un ufficio è quello della parte del piano di cui è "
                "responsabile (i suoi indicatori), calcolato con gli stessi pesi e le stesse "
                "regole del grado dell'ente; gli elementi non valutabili non contano.", "note")
    return Section("strutture", "Risultati per struttura",
                   [Table(headers, tuple(rows), (10, 8, 34, 16, 9, 8, 15)), note])


def _note_text(ind: Indicator, actual: Actual | None, year: int) -> str:
    parts = []
    status = ind.status_for(year)
    if status is not None:
        ref = f" ({status.reference})" if status.reference else ""
        parts.append(f"{status.kind.capitalize()}: {status.note}{ref}")
    if actual is not None and actual.note:
        parts.append(actual.note)
    return " — ".join(parts)


def _owners(data: ReportData) -> dict[str, str]:
    """Plan path of each indicator → its offices (its own, else its OO's or OS's)."""
    return {slot.path: ", ".join(data.plan.owners(slot)) for slot in data.plan.indicators()}


def _indicator_table(data: ReportData, indicators: list[Indicator], nodes: dict[str, Node],
                     path: str, owners: dict[str, str]) -> Table:
    bands = data.bands
    rows = []
    measures = data.plan.measure_values(data.year, data.period)
    for k, ind in enumerate(indicators):
        ipath = f"{path}.indicatori[{k}]"
        node = nodes[ipath]
        actual = ind.actual_for(data.year, data.period)
        rows.append(Row((Cell(ind.code), Cell(ind.name), Cell(owners.get(ipath, "")),
                         Cell(format_number(node.weight), numeric=True),
                         Cell(ind.target_text(data.year, data.period)),
                         Cell(actual_text(ind, actual, data.year, measures), numeric=True,
                              small=measures_text(actual), style="value"),
                         _grade_cell(node.grade, bands), Cell(valutazione(node.grade, bands)),
                         Cell(_note_text(ind, actual, data.year)))))
    headers = (("Codice", False), ("Indicatore", False), ("Ufficio", False), ("Peso", True),
               ("Target", False), ("Consuntivo", True), ("Grado", True),
               ("Valutazione", False), ("Note", False))
    return Table(headers, tuple(rows), (9, 20, 10, 6, 10, 10, 10, 11, 14))


def _heading(level: int, label: str, node: Node, bands: Sequence[Band]) -> Heading:
    return Heading(level, (Run(f"{label} {node.code} — {node.title} · "),
                           _badge(node.grade, bands)))


def _details(data: ReportData) -> Section:
    nodes = {n.path: n for n in data.root.walk()}
    owners = _owners(data)
    bands = data.bands
    blocks: list[Block] = []
    for ai, area in enumerate(data.plan.areas):
        area_path = f"ambiti[{ai}]"
        blocks.append(_heading(3, "Ambito", nodes[area_path], bands))
        for oi, os_ in enumerate(area.objectives):
            os_path = f"{area_path}.obiettivi[{oi}]"
            blocks.append(_heading(4, "OS", nodes[os_path], bands))
            if os_.indicators:
                blocks.append(text("Indicatori dell'obiettivo strategico", "note"))
                blocks.append(_indicator_table(data, os_.indicators, nodes, os_path, owners))
            for pi, oo in enumerate(os_.operational):
                oo_path = f"{os_path}.obiettivi_operativi[{pi}]"
                oo_node = nodes[oo_path]
                blocks.append(Paragraph((Run(f"OO {oo.code}", bold=True),
                                         Run(f" {oo.title} · peso "
                                             f"{format_number(oo_node.weight)} · "),
                                         _badge(oo_node.grade, bands)), "oo"))
                blocks.append(_indicator_table(data, oo.indicators, nodes, oo_path, owners))
    return Section("dettaglio", "Obiettivi e indicatori", blocks)


def dictionary_lines(ind: Indicator) -> list[tuple[str, str]]:
    """What the plan says of an indicator beyond its target (label, text), in order."""
    baseline = ""
    if ind.baseline is not None:
        value = ind.baseline.value
        shown = (format_percent(value) if ind.unit == "%"
                 else format_number(value, 0 if float(value).is_integer() else 2))
        baseline = shown + (f" ({ind.baseline.year})" if ind.baseline.year else "")
    lines = [("Descrizione", ind.description), ("Algoritmo", ind.algorithm),
             ("Fonte", ind.source), ("Tipologia", ind.kind), ("Baseline", baseline)]
    return [(label, value) for label, value in lines if value]


def _year_table(ind: Indicator, years: Sequence[int], data: ReportData) -> Table:
    """Targets and actuals of one indicator, one column per year."""
    def head(year: int) -> str:
        if year == data.year and data.period != FINAL_PERIOD:
            return f"{year} (al {data.period})"
        return str(year)

    def actual(year: int) -> Cell:
        if year > data.year:
            return Cell("", numeric=True)
        found = ind.actual_for(year, FINAL_PERIOD if year < data.year else data.period)
        return Cell(actual_text(ind, found, year) or "—", numeric=True, style="value")

    return Table((("", False), *((head(y), True) for y in years)),
                 (Row((Cell("Target"), *(Cell(ind.targets.get(y, ""), numeric=True,
                                              style="value") for y in years))),
                  Row((Cell("Consuntivo"), *(actual(y) for y in years)))))


def _years(data: ReportData) -> Section:
    """Each indicator over the years: the plan's dictionary, targets and actuals side by
    side, and the trend where the history has at least two years of values."""
    slots = list(data.plan.indicators())
    years = report_years(data)
    earlier = [y for y in years if y < data.year]
    if len(years) < 2 and not any(dictionary_lines(s.indicator) for s in slots):
        return Section("anni", "Indicatori negli anni", [text(
            "Il piano non riporta consuntivi degli anni precedenti, target di altri anni né "
            "descrizioni, fonti o baseline degli indicatori.")])
    intro = (f"Target di ogni anno del piano e consuntivi degli anni precedenti "
             f"({', '.join(map(str, earlier))}) dallo storico del piano; il consuntivo del "
             f"{data.year} è quello {period_text(data.year, data.period)}."
             if earlier else
             "Target di ogni anno del piano. Il piano non ha consuntivi degli anni "
             "precedenti: nessun andamento pluriennale da disegnare.")
    blocks: list[Block] = [text(intro, "note")]
    for slot in slots:
        ind = slot.indicator
        blocks.append(Paragraph((Run(ind.code, bold=True), Run(f" {ind.name}")), "oo"))
        for label, value in dictionary_lines(ind):
            blocks.append(Paragraph((Run(f"{label}: ", bold=True), Run(value)), "note"))
        table = _year_table(ind, years, data)
        chart = indicator_trend_chart(ind, years, data) if earlier else None
        if chart:
            blocks.append(Pair((table,), (Figure(chart, f"Andamento di {ind.code}"),)))
        else:
            blocks.append(table)
            if earlier:
                blocks.append(text("Andamento non disegnato: servono valori numerici di "
                                   "almeno due anni.", "note"))
    return Section("anni", "Indicatori negli anni", blocks)


def os_resources(os_: StrategicObjective) -> tuple[float | None, float | None]:
    """An OS's own resources and the sum of its OOs' (None when none is given)."""
    oo = [o.resources for o in os_.operational if o.resources is not None]
    return os_.resources, (sum(oo) if oo else None)


def mission_resources(plan: Plan) -> list[tuple[str, str, float | None, int]]:
    """Resources by Missione/Programma: (missione, programma, total, OS counted), in plan
    order. An OS counts with its own resources, else with the sum of its OOs' (never both,
    so nothing is counted twice); an OS with neither adds nothing and is not counted."""
    totals: dict[tuple[str, str], list[float]] = {}
    counted: dict[tuple[str, str], int] = {}
    for area in plan.areas:
        for os_ in area.objectives:
            mission = " ".join(x for x in (os_.mission_code, os_.mission) if x) or "(non indicata)"
            programme = (" ".join(x for x in (os_.programme_code, os_.programme) if x)
                         or "(non indicato)")
            key = (mission, programme)
            totals.setdefault(key, [])
            counted.setdefault(key, 0)
            own, of_oo = os_resources(os_)
            value = own if own is not None else of_oo
            if value is not None:
                totals[key].append(value)
                counted[key] += 1
    return [(m, p, sum(v) if v else None, counted[(m, p)]) for (m, p), v in totals.items()]


def _resources(data: ReportData) -> Section:
    rows = []
    for area in data.plan.areas:
        for os_ in area.objectives:
            own, of_oo = os_resources(os_)
            mission = " ".join(x for x in (os_.mission_code, os_.mission) if x)
            programme = " ".join(x for x in (os_.programme_code, os_.programme) if x)
            rows.append(Row((Cell(os_.code), Cell(os_.title), Cell(mission), Cell(programme),
                             Cell(money_text(own), numeric=True),
                             Cell(money_text(of_oo), numeric=True))))
    blocks: list[Block] = []
    by_mission = mission_resources(data.plan)
    if not any(r.cells[4].text or r.cells[5].text for r in rows) and \
            all(m.startswith("(") and p.startswith("(") for m, p, _, _ in by_mission):
        blocks.append(text("Il piano non indica risorse economiche né missioni e programmi "
                           "per gli obiettivi strategici."))
        return Section("risorse", "Risorse", blocks)
    blocks.append(Heading(3, (Run("Risorse per obiettivo strategico"),)))
    blocks.append(Table((("Codice", False), ("Obiettivo strategico", False),
                         ("Missione", False), ("Programma", False), ("Risorse OS", True),
                         ("Risorse OO (somma)", True)), tuple(rows), (9, 35, 15, 15, 13, 13)))
    blocks.append(Heading(3, (Run("Risorse per missione e programma"),)))
    blocks.append(Table((("Missione", False), ("Programma", False), ("Risorse", True),
                         ("Obiettivi con risorse", True)),
                        tuple(Row((Cell(m), Cell(p), Cell(money_text(total), numeric=True),
                                   Cell(str(n), numeric=True)))
                              for m, p, total, n in by_mission), (32, 32, 20, 16)))
    blocks.append(text("Per ogni obiettivo strategico si contano le sue risorse; se non ne "
                       "indica, la somma di quelle dei suoi obiettivi operativi.", "note"))
    return Section("risorse", "Risorse", blocks)


def _trend(data: ReportData) -> Section | None:
    periods = data.periods
    if len(periods) < 2:
        return None
    bands = data.bands
    by_period = {p: {n.path: n for n in root.walk()} for p, root in data.history.items()}
    prev, last = periods[-2], periods[-1]
    heads = (*((f"Grado al {p}", True) for p in periods),
             (f"Variazione {prev} → {last}", True))

    def cells(path: str) -> tuple[Cell, ...]:
        grades = [by_period[p][path].grade for p in periods]
        return (*(_grade_cell(g, bands) for g in grades),
                Cell(points_text(grades[-2], grades[-1]), numeric=True))

    os_rows = tuple(Row((Cell(n.code), Cell(n.title), *cells(n.path))) for n in os_nodes(data))
    owners = _owners(data)
    ind_rows = tuple(Row((Cell(n.code), Cell(n.title), Cell(owners.get(n.path, "")),
                          *cells(n.path)))
                     for n in data.root.walk() if n.level == "indicatore")
    blocks: list[Block] = [
        text(f"Confronto del grado di raggiungimento tra i periodi di monitoraggio fino al "
             f"{last}; la variazione è in punti percentuali (p.p.).", "note"),
        Table((("Codice", False), ("Obiettivo strategico", False), *heads),
              (Row((Cell(""), Cell("Grado complessivo"),
                    *cells(data.root.path)), "ente"), *os_rows))]
    chart = trend_chart(data)
    if chart:
        blocks.append(Figure(chart, "Andamento del grado tra i periodi"))
    blocks.append(Heading(3, (Run("Indicatori"),)))
    blocks.append(Table((("Codice", False), ("Indicatore", False), ("Ufficio", False), *heads),
                        ind_rows))
    return Section("andamento", "Andamento tra i periodi", blocks)


def _problems_table(problems: Iterable[Problem | RecordedProblem]) -> Table:
    rows = []
    for p in problems:
        if isinstance(p, Problem):
            sev, where, code, message = p.severity, str(p.location), p.subject or "", p.message
        else:
            sev, where, code, message = p.severity, p.where, p.code, p.message
        rows.append(Row((Cell(sev, style=sev if sev in ("errore", "avviso") else ""),
                         Cell(where), Cell(code), Cell(message))))
    return Table((("Gravità", False), ("Dove", False), ("Codice", False), ("Rilievo", False)),
                 tuple(rows), (9, 30, 11, 50))


def _names(statuses: Iterable[str]) -> str:
    return ", ".join(f"«{s}»" for s in statuses)


def quality_facts(data: ReportData) -> int:
    """How many facts «Qualità dei dati» lists (0: «Nessuna segnalazione…»)."""
    reading = data.reading
    offices = [s for s in reading.offices if s.state != RETURNED or s.signoff != SIGNED]
    return len(offices) + len(reading.recorded) + len(data.checks) + len(reading.problems)


def _quality(data: ReportData) -> Section:
    """What the consolidation found (from the master's own tables) and what this file
    shows: offices missing, unsigned or changed after signing, tampered cells, conflicts,
    values read leniently."""
    reading = data.reading
    blocks: list[Block] = []
    if quality_facts(data) == 0:
        what = ("tutte le cartelle degli uffici sono state restituite e firmate; "
                if reading.is_master else "")
        blocks.append(text(f"Nessuna segnalazione sui valori inseriti: {what}nessuna cella "
                           "bloccata modificata, nessun valore letto con interpretazione."))
        return Section("qualita", "Qualità dei dati", blocks)
    if reading.is_master:
        statuses = reading.offices
        missing = [s.office for s in statuses if s.state not in (RETURNED, WITH_PROBLEMS)]
        unsigned = [s.office for s in statuses if s.state in (RETURNED, WITH_PROBLEMS)
                    and s.signoff not in (SIGNED, CHANGED)]
        changed = [s.office for s in statuses if s.signoff == CHANGED]
        blocks.append(Heading(3, (Run("Cartelle degli uffici"),)))
        for label, names in (("Uffici che non hanno restituito una cartella valida", missing),
                             ("Cartelle non firmate", unsigned),
                             ("Cartelle modificate dopo la firma", changed)):
            blocks.append(Paragraph((Run(f"{label}: ", bold=True),
                                     Run(_names(names) if names else "nessuna"))))
        odd = [s for s in statuses if s.state != RETURNED or s.signoff != SIGNED]
        if odd:
            blocks.append(Table(
                (("Ufficio", False), ("Stato", False), ("File", False), ("Firma", False),
                 ("Valori mancanti", True), ("Problemi", True)),
                tuple(Row((Cell(s.office), Cell(s.state), Cell(s.file),
                           Cell(s.signoff or "—"), Cell(str(s.missing_values), numeric=True),
                           Cell(str(s.problems), numeric=True))) for s in odd),
                (22, 14, 28, 18, 9, 9)))
        blocks.append(Heading(3, (Run("Problemi trovati dal consolidamento"),)))
        if reading.recorded:
            recorded = sorted(reading.recorded, key=lambda p: p.severity != "errore")
            errors = sum(p.severity == "errore" for p in recorded)
            blocks.append(text(f"{counted(len(recorded), 'segnalazione', 'segnalazioni')}, "
                               f"di cui {counted(errors, 'errore', 'errori')}, come "
                               "registrate nel foglio Controlli della cartella consolidata.",
                               "note"))
            blocks.append(_problems_table(recorded))
        else:
            blocks.append(text("Nessun problema registrato dal consolidamento."))
    blocks.append(Heading(3, (Run("Controlli su questa cartella"),)))
    own = data.checks + reading.problems
    if own:
        blocks.append(_problems_table(own))
    else:
        blocks.append(text("Nessuna cella bloccata modificata e nessun valore letto con "
                           "interpretazione."))
    return Section("qualita", "Qualità dei dati", blocks)


def _audit(data: ReportData) -> Section:
    blocks: list[Block] = []
    if data.audit:
        errors = sum(p.severity == "errore" for p in data.audit)
        blocks.append(text(f"{counted(len(data.audit), 'rilievo', 'rilievi')}, di cui "
                           f"{counted(errors, 'errore', 'errori')}.", "note"))
        blocks.append(_problems_table(data.audit))
    else:
        blocks.append(text("Nessun rilievo."))
    return Section("controlli", "Audit del piano", blocks)


def _changes(data: ReportData) -> Section:
    entries = [(change, slot.indicator) for slot in data.plan.indicators()
               for change in slot.indicator.changes]
    entries.sort(key=lambda e: e[0].year)  # stable: plan order within a year
    rows = tuple(Row((Cell(ind.code), Cell(ind.name), Cell(str(change.year), numeric=True),
                      Cell(change.action), Cell(change.deliberation or ""),
                      Cell(format_date(change.when) if change.when else "", numeric=True),
                      Cell(change.note or "")))
                 for change, ind in entries)
    block: Block = (Table((("Codice", False), ("Indicatore", False), ("Anno", True),
                           ("Azione", False), ("Delibera", False), ("Data", True),
                           ("Nota", False)), rows, (10, 22, 7, 12, 21, 10, 18))
                    if rows else text("Nessuna modifica registrata nel piano."))
    return Section("modifiche", "Storico delle modifiche agli indicatori", [block])


def report_document(data: ReportData) -> Document:
    """The whole report as one document model (rendered to HTML, PDF and DOCX)."""
    title = f"Relazione sulla performance {data.year} — {data.reading.identity.entity}"
    sections = [_summary(data), _overview(data), _structures(data), _details(data), _years(data),
                _resources(data), _trend(data), _quality(data), _audit(data), _changes(data)]
    return Document(title, _cover(data), [s for s in sections if s is not None])


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


def _runs_html(runs: Iterable[Run]) -> str:
    out = []
    for run in runs:
        body = _e(run.text)
        if run.bold:
            body = f"<b>{body}</b>"
        if run.dot:
            body = f'<span class="dot {run.dot}"></span>{body}'
        if run.badge:
            body = (f'<span class="badge {run.badge}"><span class="dot {run.badge}"></span>'
                    f"{body}</span>")
        out.append(body)
    return "".join(out)


def _class(name: str) -> str:
    return f' class="{name}"' if name else ""


def _cell_html(cell: Cell) -> str:
    classes = []
    if cell.numeric and cell.style != "value":      # "value": right-aligned, may wrap
        classes.append("num")
    if cell.light and cell.numeric:
        classes.append(cell.light)
    if cell.style:
        classes.append(cell.style)
    attr = f' class="{" ".join(classes)}"' if classes else ""
    body = _e(cell.text)
    if cell.light:
        body = f'<span class="dot {cell.light}"></span>{body}'
    if cell.small:
        body += f'<br><span class="small">{_e(cell.small)}</span>'
    return f"<td{attr}>{body}</td>"


def _table_html(table: Table) -> str:
    """A table with a repeated header; ``widths`` (percent) fixes the columns, so that the
    many indicator tables line up."""
    head = "".join(f'<th class="{"num" if numeric else ""}">{_e(h)}</th>'
                   for h, numeric in table.headers)
    cols = "".join(f'<col style="width: {w}%">' for w in table.widths)
    fixed = ' class="fixed"' if table.widths else ""
    rows = "".join(f"<tr{_class(r.style)}>" + "".join(_cell_html(c) for c in r.cells)
                   + "</tr>" for r in table.rows)
    return (f"<table{fixed}><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


_PARAGRAPH_CLASS = {"note": "note", "meta": "meta", "oo": "oo", "entity": "entity",
                    "sub": "sub"}


def _block_html(block: Block) -> str:
    if isinstance(block, Paragraph):
        cls = _PARAGRAPH_CLASS.get(block.style, "")
        return f"<p{_class(cls)}>{_runs_html(block.runs)}</p>"
    if isinstance(block, Heading):
        return f"<h{block.level}>{_runs_html(block.runs)}</h{block.level}>"
    if isinstance(block, Table):
        return _table_html(block)
    if isinstance(block, Figure):
        data = base64.b64encode(block.png).decode("ascii")
        return f'<figure><img alt="{_e(block.alt)}" src="data:image/png;base64,{data}"></figure>'
    if isinstance(block, Kpis):
        out = []
        for k in block.items:
            ident = f' id="{_e(k.ident)}"' if k.ident else ""
            dot = f'<span class="dot {k.dot}"></span>' if k.dot else ""
            out.append(f'<div class="kpi{f" {k.light}" if k.light else ""}"><div>{_e(k.label)}'
                       f'</div><div class="big"{ident}>{dot}{_e(k.value)}</div>'
                       f"<div>{_e(k.sub)}</div></div>")
        return f'<div class="kpis">{"".join(out)}</div>'
    return ('<div class="pair"><div>' + "".join(_block_html(b) for b in block.left)
            + "</div><div>" + "".join(_block_html(b) for b in block.right) + "</div></div>")


def render_html(document: Document) -> str:
    """The document as one self-contained HTML page."""
    cover = "".join(_block_html(b) for b in document.cover)
    body = "".join(f'<section id="{_e(s.ident)}"><h2>{n}. {_e(s.title)}</h2>'
                   + "".join(_block_html(b) for b in s.blocks) + "</section>"
                   for n, s in enumerate(document.sections, 1))
    return ("<!DOCTYPE html>\n"
            f'<html lang="it"><head><meta charset="utf-8"><title>{_e(document.title)}</title>'
            f'<style>{_css()}</style></head><body><header class="cover">{cover}</header>'
            f"{body}</body></html>\n")


def report_html(data: ReportData) -> str:
    """The whole report as one self-contained HTML document."""
    return render_html(report_document(data))


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


def build_report(source: Path, out_dir: Path, *, pdf: bool = True,
                 formats: Iterable[str] | None = None,
                 period: str | None = None) -> ReportFiles:
    """Write ``relazione.html`` and the other ``formats`` (default HTML and PDF; the HTML is
    always written, ``pdf=False`` drops the PDF) for a generated or consolidated workbook
    into ``out_dir`` (created if needed; earlier reports there are replaced), about
    ``period`` (default: the last period with values, :func:`choose_period`).

    Raises :class:`ReportError` (and the reader's ``UntrustedFileError`` /
    ``NotOurWorkbookError`` for a hostile or foreign file), each with one Italian line.
    """
    wanted = set(DEFAULT_FORMATS if formats is None else formats) | {"html"}
    unknown = wanted - set(FORMATS)
    if unknown:
        raise ReportError(f"--formato «{sorted(unknown)[0]}» non previsto: indicare pdf o "
                          "docx (l'HTML è sempre scritto)")
    if not pdf:
        wanted.discard("pdf")
    source = Path(source)
    if not source.is_file():
        raise ReportError(f"{source}: file non trovato (indicare una cartella Excel generata "
                          "da cruscotto o la cartella consolidata)")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"{out_dir}: esiste già e non è una cartella")
    data = report_data(source, period)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"{out_dir}: impossibile creare la cartella ({exc.strerror})") from None
    model = report_document(data)
    document = render_html(model)
    html_path = out_dir / HTML_NAME
    write_atomically(html_path, lambda tmp: tmp.write_text(document, encoding="utf-8"), keep=0)
    pdf_path = docx_path = None
    if "pdf" in wanted:
        pdf_path = out_dir / PDF_NAME
        pdf_bytes = render_pdf(document, out_dir)
        write_atomically(pdf_path, lambda tmp: tmp.write_bytes(pdf_bytes), keep=0)
    if "docx" in wanted:
        from .report_docx import render_docx

        docx_path = out_dir / DOCX_NAME
        docx_bytes = render_docx(model)
        write_atomically(docx_path, lambda tmp: tmp.write_bytes(docx_bytes), keep=0)
    root = data.root
    return ReportFiles(html_path, pdf_path, data.reading.identity.entity, data.year, root.grade,
                       valutazione(root.grade, data.bands), len(data.audit),
                       data.reading.identity.office, docx_path, data.period,
                       quality_facts(data))
