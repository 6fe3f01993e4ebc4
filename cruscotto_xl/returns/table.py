"""The year's data as one tidy table: a row per indicator × period (docs/export.md).

The rows come from a returned office workbook or a consolidated master (read with
:func:`~cruscotto_xl.returns.read.read_workbook`, the values its cells hold now) or from a
plan file (its ``consuntivi``). Grades are those of the core roll-up
(:func:`~cruscotto_xl.core.rollup.evaluate`), the same the workbook's formulas give; with
level ``tutti`` the objective, ambito and ente rows of that roll-up are added. Nothing is
graded or aggregated here.

:func:`to_frame` gives the same rows as a pandas DataFrame with typed columns (pandas is
imported only there, so reading the package stays fast).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..core.actuals import formula_codes, reference_for
from ..core.model import Indicator, IndicatorSlot, Plan
from ..core.problems import Problem
from ..core.rollup import Node, evaluate
from ..core.rules import valutazione
from ..core.structure import chart_units, unit_tree
from ..core.targets import TargetError
from ..core.transversal import office_grade
from ..core.tree import same_office
from ..core.vocabulary import yes_no_text
from ..errors import UserError
from ..io.planfile import load_plan
from .read import read_workbook

if TYPE_CHECKING:
    import pandas

#: ``--livello``: only the indicators, also the roll-up rows (OO, OS, ambito, ente), the
#: values of the plan's named measures (one row per measure and period), or the grades per
#: structure (areas and offices of the plan's ``struttura``).
LEVELS = ("indicatori", "tutti", "misure", "strutture")
Level = Literal["indicatori", "tutti", "misure", "strutture"]
PLAN_SUFFIXES = (".yaml", ".yml", ".json")

#: The Livello column's words for the roll-up levels (core.rollup.Level).
LEVEL_NAMES = {"ente": "ente", "ambito": "ambito", "os": "obiettivo strategico",
               "oo": "obiettivo operativo", "indicatore": "indicatore"}
#: The Livello of an office's own value of a transversal indicator (docs/transversal.md),
#: a row under the indicator's (whose values are the ente's).
OFFICE_LEVEL = "ufficio"
#: The Livello word of a measure's row (``--livello misure``).
MEASURE_LEVEL = "misura"

ColumnKind = Literal["text", "int", "number", "value"]


@dataclass(frozen=True)
class Column:
    """A column of the table: its DataFrame name, its header in a file, what it holds."""

    key: str
    header: str
    kind: ColumnKind


#: Every column in order. Headers are those ``importa tabella`` and ``audit --consuntivi``
#: read (docs/tabella.md): Codice indicatore, Anno, Periodo, Riferimento, Valore
#: numeratore, Valore denominatore, Consuntivo, Nota. The computed grade is «Grado
#: calcolato», never «Grado», which the table importer reads as a published grade.
COLUMNS: tuple[Column, ...] = (
    Column("ente", "Ente", "text"),
    Column("anno", "Anno", "int"),
    Column("periodo", "Periodo", "text"),
    Column("livello", "Livello", "text"),
    Column("codice_ambito", "Codice ambito", "text"),
    Column("ambito", "Ambito", "text"),
    Column("codice_os", "Codice OS", "text"),
    Column("obiettivo_strategico", "Obiettivo strategico", "text"),
    Column("codice_oo", "Codice OO", "text"),
    Column("obiettivo_operativo", "Obiettivo operativo", "text"),
    Column("codice", "Codice indicatore", "text"),
    Column("indicatore", "Indicatore", "text"),
    Column("uffici", "Uffici", "text"),
    Column("unita", "Unità", "text"),
    Column("peso", "Peso", "number"),
    Column("target", "Target", "text"),
    Column("target_numerico", "Target numerico", "number"),
    Column("riferimento", "Riferimento", "number"),
    Column("numeratore", "Valore numeratore", "number"),
    Column("denominatore", "Valore denominatore", "number"),
    Column("consuntivo", "Consuntivo", "value"),
    Column("grado", "Grado calcolato", "number"),
    Column("valutazione", "Valutazione", "text"),
    Column("stato", "Stato", "text"),
    Column("nota", "Nota", "text"),
    Column("firma", "Firma", "text"),
    Column("file", "File", "text"),
)

#: An actual as typed: a number, a date (deadlines), Sì/No (a milestone) or the text an
#: office typed that is not a value (graded «valore non valido»).
Value = float | date | str | None


@dataclass(frozen=True)
class Row:
    """One row of the table; fields in the order and with the names of :data:`COLUMNS`."""

    ente: str
    anno: int
    periodo: str
    livello: str
    codice_ambito: str = ""
    ambito: str = ""
    codice_os: str = ""
    obiettivo_strategico: str = ""
    codice_oo: str = ""
    obiettivo_operativo: str = ""
    codice: str = ""
    indicatore: str = ""
    uffici: str = ""
    unita: str = ""
    peso: float | None = None
    target: str = ""
    target_numerico: float | None = None
    riferimento: float | None = None
    numeratore: float | None = None
    denominatore: float | None = None
    consuntivo: Value = None
    grado: float | None = None
    valutazione: str = ""
    stato: str = ""
    nota: str = ""
    firma: str = ""
    file: str = ""

    def values(self) -> tuple[object, ...]:
        return astuple(self)


assert [f.name for f in fields(Row)] == [c.key for c in COLUMNS]

#: The columns of ``--livello strutture``: a row per area and office of the plan's
#: ``struttura`` and per period (docs/export.md).
STRUCTURE_COLUMNS: tuple[Column, ...] = (
    Column("ente", "Ente", "text"),
    Column("anno", "Anno", "int"),
    Column("periodo", "Periodo", "text"),
    Column("livello", "Livello", "text"),
    Column("codice", "Codice", "text"),
    Column("nome", "Nome", "text"),
    Column("area", "Area", "text"),
    Column("responsabile", "Responsabile", "text"),
    Column("uffici", "Uffici", "text"),
    Column("indicatori", "Indicatori", "int"),
    Column("grado", "Grado calcolato", "number"),
    Column("valutazione", "Valutazione", "text"),
    Column("file", "File", "text"),
)


@dataclass(frozen=True)
class StructureRow:
    """One area or office at one period; fields as :data:`STRUCTURE_COLUMNS`."""

    ente: str
    anno: int
    periodo: str
    livello: str              # "area" | "ufficio"
    codice: str
    nome: str
    area: str                 # the area's code (an office's area; empty: in no area)
    responsabile: str         # an area's dirigente, an office's responsabile
    uffici: str               # the offices of an area, comma-separated
    indicatori: int
    grado: float | None
    valutazione: str
    file: str = ""

    def values(self) -> tuple[object, ...]:
        return astuple(self)


assert [f.name for f in fields(StructureRow)] == [c.key for c in STRUCTURE_COLUMNS]


@dataclass
class Table:
    """The rows of one source, and what the reader reported about its cells."""

    source: str
    entity: str
    year: int
    periods: list[str]
    rows: list[Row] | list[StructureRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    is_master: bool = False
    office: str | None = None
    columns: tuple[Column, ...] = COLUMNS      # STRUCTURE_COLUMNS for ``strutture``

    @property
    def indicator_rows(self) -> list[Row]:
        return [r for r in self.rows if isinstance(r, Row)
                and r.livello == LEVEL_NAMES["indicatore"]]


class ExportSourceError(UserError):
    """A file that is neither a plan nor a workbook generated by cruscotto_xl."""


def check_level(level: str) -> Level:
    if level not in LEVELS:
        raise UserError(f"livello «{level}» non previsto: scrivere "
                        + " oppure ".join(LEVELS))
    return level  # type: ignore[return-value]


def export_table(source: Plan | Path | str, level: str = "indicatori") -> Table:
    """The table of a plan, of a plan file (.yaml/.json) or of a generated workbook."""
    check_level(level)
    if isinstance(source, Plan):
        return plan_table(source, level=level)
    path = Path(source)
    if not path.is_file():
        raise ExportSourceError(f"{path}: file non trovato")
    if path.suffix.lower() in PLAN_SUFFIXES:
        return plan_table(load_plan(path), path.name, level=level)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ExportSourceError(f"{path.name}: indicare una cartella Excel generata (.xlsx), "
                                "una cartella consolidata o un piano (.yaml, .json)")
    return workbook_table(path, level)


def plan_table(plan: Plan, source: str = "", *, level: str = "indicatori") -> Table:
    """Every monitoring period of the plan's year, with the plan's own actuals."""
    table = Table(source, plan.entity, plan.year, list(plan.period_dates))
    if level == "strutture":
        return _structure_table(table, plan, None)
    table.rows = list(plan_rows(plan, plan.year, table.periods, source=source, level=level))
    return table


def workbook_table(path: Path, level: str = "indicatori") -> Table:
    """The periods of a workbook up to its own: the values its cells hold for its period,
    the values of the earlier periods it carries (a master's, or the locked columns of an
    office's workbook)."""
    reading = read_workbook(path)
    ident = reading.identity
    plan = reading.held_plan()
    dates = plan.period_dates
    periods = dates[:dates.index(ident.period) + 1] if ident.period in dates else [ident.period]
    if reading.is_master:
        def signoff(offices: list[str]) -> str:
            return ", ".join(dict.fromkeys(reading.office_signoffs.get(o, "")
                                           for o in offices if reading.office_signoffs.get(o)))
    else:
        state = reading.signature_state() if reading.signature is not None else ""

        def signoff(offices: list[str]) -> str:
            return state
    table = Table(path.name, ident.entity, ident.year, periods, problems=list(reading.problems),
                  is_master=reading.is_master, office=ident.office)
    if level == "strutture":
        return _structure_table(table, plan, ident.office)
    table.rows = list(plan_rows(plan, ident.year, periods, source=path.name, level=level,
                                signoff=signoff, signed_period=ident.period,
                                entity=ident.entity))
    return table


def plan_rows(plan: Plan, year: int, periods: list[str], *, source: str = "",
              level: str = "indicatori",
              signoff: Callable[[list[str]], str] | None = None, signed_period: str = "",
              entity: str | None = None) -> Iterator[Row]:
    """The rows of ``periods``, each period in the plan's order (ente, ambiti, objectives,
    indicators, as the roll-up walks them)."""
    slots = {s.path: s for s in plan.indicators()}
    bands = plan.policy.bands
    entity = entity or plan.entity

    def walk(node: Node, context: dict[str, object], period: str) -> Iterator[Row]:
        here = dict(context)
        if node.level == "ambito":
            here.update(codice_ambito=node.code, ambito=node.title)
        elif node.level == "os":
            here.update(codice_os=node.code, obiettivo_strategico=node.title)
        elif node.level == "oo":
            here.update(codice_oo=node.code, obiettivo_operativo=node.title)
        grade = node.grade
        common = {**here, "livello": LEVEL_NAMES[node.level], "peso": node.weight,
                  "grado": grade.value, "valutazione": valutazione(grade, bands)}
        if node.level == "indicatore":
            slot = slots[node.path]
            offices = plan.owners(slot)
            sign = signoff(offices) if signoff and period == signed_period else ""
            yield _indicator_row(plan, slot, year, period, common, offices, sign)
            if slot.indicator.transversal is not None:
                yield from _office_rows(plan, slot, year, period, common)
        elif level == "tutti":
            yield Row(**common)  # type: ignore[arg-type]
        for child in node.children:
            yield from walk(child, here, period)

    for period in periods:
        base = {"ente": entity, "anno": year, "periodo": period, "file": source}
        if level == "misure":
            yield from _measure_rows(plan, year, period, base)
        else:
            yield from walk(evaluate(plan, year, period), base, period)


class NoStructureError(UserError):
    """Grades per structure asked of a source that has none."""


def _structure_table(table: Table, plan: Plan, office: str | None) -> Table:
    """``table`` filled with the grades per structure of ``plan`` (``strutture``)."""
    where = table.source or plan.entity
    if office:
        raise NoStructureError(f"{where}: è la cartella dell'ufficio «{office}», che contiene "
                               "solo i suoi indicatori: i gradi per struttura si esportano "
                               "dalla cartella consolidata o dal piano")
    table.rows = structure_rows(plan, table.year, table.periods, source=table.source,
                                entity=table.entity)
    if not table.rows:
        raise NoStructureError(f"{where}: il piano non ha una struttura (struttura.aree con "
                               "i loro uffici): nessun grado per struttura da esportare; "
                               "aggiungerla al piano (docs/structure.md)")
    table.columns = STRUCTURE_COLUMNS
    return table


def structure_rows(plan: Plan, year: int, periods: list[str], *, source: str = "",
                   entity: str | None = None) -> list[StructureRow]:
    """Each area and office of the chart (core.structure.chart_units) at each period,
    graded by core.structure.unit_tree; none without a ``struttura``."""
    units = chart_units(plan, year)
    heads = {o.name: o.head for o in plan.offices}
    bands = plan.policy.bands
    rows = []
    for period in periods:
        for unit in units:
            node = unit_tree(plan, unit.offices, year, period)
            is_area = unit.kind == "area"
            head = ((unit.area.head if unit.area is not None else None) if is_area
                    else next((h for name, h in heads.items() if same_office(name, unit.name)),
                              None))
            rows.append(StructureRow(
                entity or plan.entity, year, period, unit.kind, unit.code, unit.name,
                unit.area.code if unit.area is not None else "", head or "",
                ", ".join(unit.offices) if is_area else "",
                sum(1 for n in node.walk() if n.level == "indicatore"),
                node.grade.value, valutazione(node.grade, bands), source))
    return rows


def _measure_rows(plan: Plan, year: int, period: str, base: dict[str, object]
                  ) -> Iterator[Row]:
    """One row per named measure of the plan at ``period``: code and name in the indicator
    columns, the office that typed it (else its owner), the value as typed in Consuntivo,
    the indicators whose formulas use it in Nota (docs/export.md)."""
    users: dict[str, list[str]] = {}
    for slot in plan.indicators():
        if slot.indicator.removed_in(year) is None:
            for code in formula_codes(slot.indicator):
                users.setdefault(code, []).append(slot.indicator.code)
    for measure in plan.measures:
        entry = measure.value_for(year, period)
        office = (entry.office if entry is not None else None) or measure.office or ""
        used = ", ".join(dict.fromkeys(users.get(measure.code, [])))
        yield Row(**base, livello=MEASURE_LEVEL,  # type: ignore[arg-type]
                  codice=measure.code, indicatore=measure.name, uffici=office,
                  unita=measure.unit or "", consuntivo=entry.typed if entry else None,
                  nota=f"usata da: {used}" if used else "")


def _indicator_row(plan: Plan, slot: IndicatorSlot, year: int, period: str,
                   common: dict[str, object], offices: list[str], signoff: str) -> Row:
    ind: Indicator = slot.indicator
    actual = ind.actual_for(year, period)
    try:
        target = ind.target_for(year, period)
        target_value = target.value if target.reference is None else None
        reference = reference_for(ind, year, target, plan)
    except TargetError:             # reported by valida; its grade says why it is not graded
        target_value, reference = None, ind.references.get(year)
    typed = actual.typed if actual is not None else None
    value: Value = yes_no_text(typed) if isinstance(typed, bool) else typed
    status = ind.status_for(year)
    return Row(**common,  # type: ignore[arg-type]
               codice=ind.code, indicatore=ind.name, uffici=", ".join(offices),
               unita=ind.unit or "", target=ind.target_text(year, period),
               target_numerico=target_value, riferimento=reference,
               numeratore=actual.numerator if actual else None,
               denominatore=actual.denominator if actual else None,
               consuntivo=value, stato=status.kind if status else "",
               nota=(actual.note or "") if actual else "", firma=signoff)


def _office_rows(plan: Plan, slot: IndicatorSlot, year: int, period: str,
                 common: dict[str, object]) -> Iterator[Row]:
    """One row per office of a transversal indicator: its own value and grade."""
    ind = slot.indicator
    bands = plan.policy.bands
    for office in plan.owners(slot):
        actual = ind.actual_for(year, period, office)
        grade = office_grade(ind, plan, office, year, period)
        typed = actual.typed if actual is not None else None
        yield Row(**{**common, "livello": OFFICE_LEVEL, "peso": None,  # type: ignore[arg-type]
                     "grado": grade.value if grade else None,
                     "valutazione": valutazione(grade, bands) if grade else ""},
                  codice=ind.code, indicatore=ind.name, uffici=office, unita=ind.unit or "",
                  target=ind.target_text(year, period),
                  numeratore=actual.numerator if actual else None,
                  denominatore=actual.denominator if actual else None,
                  consuntivo=yes_no_text(typed) if isinstance(typed, bool) else typed,
                  nota=(actual.note or "") if actual else "")


# --- pandas ----------------------------------------------------------------------------

#: DataFrame columns that split «Consuntivo» by what it holds (docs/export.md).
ACTUAL_DATE, ACTUAL_TEXT = "consuntivo_data", "consuntivo_testo"


def to_frame(table: Table) -> pandas.DataFrame:
    """The rows as a DataFrame: texts as ``string``, year as ``Int64``, numbers as
    ``float64`` (NaN when empty); «Consuntivo» as three columns: ``consuntivo`` (float64,
    the numeric actuals), ``consuntivo_data`` (datetime64, the dates of deadlines) and
    ``consuntivo_testo`` (string: Sì/No of milestones, a text that is not a value)."""
    import pandas as pd

    data: dict[str, object] = {}
    rows = table.rows
    for col in table.columns:
        values = [getattr(r, col.key) for r in rows]
        if col.kind == "text":
            data[col.key] = pd.array([v or None for v in values], dtype="string")
        elif col.kind == "int":
            data[col.key] = pd.array(values, dtype="Int64")
        elif col.kind == "number":
            data[col.key] = pd.array([float("nan") if v is None else float(v)  # type: ignore[arg-type]
                                      for v in values], dtype="float64")
        else:
            numbers = [float(v) if isinstance(v, int | float) else float("nan") for v in values]
            dates = [pd.Timestamp(v) if isinstance(v, date) else pd.NaT for v in values]
            texts = [v if isinstance(v, str) else None for v in values]
            data[col.key] = pd.array(numbers, dtype="float64")
            data[ACTUAL_DATE] = pd.Series(dates, dtype="datetime64[ns]").array
            data[ACTUAL_TEXT] = pd.array(texts, dtype="string")
    return pd.DataFrame(data)


__all__ = ["COLUMNS", "LEVELS", "STRUCTURE_COLUMNS", "Column", "ExportSourceError",
           "NoStructureError", "Row", "StructureRow", "Table", "check_level", "export_table",
           "plan_rows", "plan_table", "structure_rows", "to_frame", "workbook_table"]
