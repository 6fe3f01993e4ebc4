"""Plan → table: the plan block, the header and one row per indicator (or objective without
indicators), written as .csv or .xlsx; refused when the table would not give the plan back."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xlsxwriter
import yaml

from ...core.model import (
    FINAL_PERIOD,
    Area,
    Indicator,
    OperationalObjective,
    Plan,
    StrategicObjective,
)
from ...core.vocabulary import (
    YES,
    csv_safe_text,
    csv_unquoted_text,
    format_date,
    yes_no_text,
)
from ...errors import UserError
from ...io.planfile import format_loc, plan_to_data
from ...workbook.cells import row_height, write_value
from ...workbook.styles import Styles
from .build import _periods_text, _Record, import_grid
from .cells import Cell, number_text
from .columns import (
    _OFFICE_SPLIT,
    ACTUAL_KEYS,
    COLUMNS,
    EXTRA_LEVELS,
    MEASURE_COLUMNS,
    STATUS_KEYS,
    TABLE_SUFFIXES,
    YEAR_COLUMNS,
    YearColumn,
    _period_order,
    _year_header,
)
from .read import Grid

SHEET_NAME = "Piano"
MEASURES_SHEET = "Misure"


class TableExportError(UserError, ValueError):
    """A plan with something the flat table cannot hold (the message says what)."""


@dataclass(frozen=True)


class _Out:
    """A cell to write: text, a number (with its kind), a date or nothing."""

    value: str | float | date | None
    kind: str = "text"   # text, number, points, percent, euro, date


_NONE = _Out(None)


def _out_number(value: float | None, kind: str = "number") -> _Out:
    return _NONE if value is None else _Out(float(value), kind)


def _out_text(value: str | None) -> _Out:
    return _NONE if not value else _Out(value)


def _out_actual(value: object, unit: str | None) -> _Out:
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return _Out(yes_no_text(value))
    if isinstance(value, date):
        return _Out(value, "date")
    assert isinstance(value, float)
    return _Out(value, "percent" if unit == "%" else "number")


def _year_columns(plan: Plan) -> list[YearColumn]:
    """Every per-year column the plan needs, in a stable order (years, then kinds)."""
    wanted: set[YearColumn] = set()
    for slot in plan.indicators():
        ind = slot.indicator
        seen_actuals: set[tuple[int, str]] = set()
        for a in ind.actuals:
            if (a.year, a.period) in seen_actuals:
                raise TableExportError(f"indicatore {ind.code}: due consuntivi per il "
                                       f"{a.period}/{a.year}, la tabella ne tiene uno")
            seen_actuals.add((a.year, a.period))
            for key, attr in (("value", "typed"), ("num_value", "numerator"),
                              ("den_value", "denominator"), ("note", "note"),
                              ("published", "published_grade")):
                if getattr(a, attr) not in (None, ""):
                    wanted.add(YearColumn(key, a.year, a.period))
        for items, what in ((ind.statuses, "stati"), (ind.changes, "modifiche")):
            years = [s.year for s in items]
            if len(years) != len(set(years)):
                raise TableExportError(f"indicatore {ind.code}: due {what} nello stesso anno, "
                                       f"la tabella ne tiene uno per anno")
        for year in ind.targets:
            wanted.add(YearColumn("target", year))
        for year, by_period in ind.period_targets.items():
            wanted.update(YearColumn("target", year, period) for period in by_period)
        for year in ind.references:
            wanted.add(YearColumn("reference", year))
        for s in ind.statuses:
            wanted.update(YearColumn(k, s.year) for k in ("status", "status_note"))
            if s.reference:
                wanted.add(YearColumn("status_ref", s.year))
            if s.grade is not None:
                wanted.add(YearColumn("status_grade", s.year))
        for c in ind.changes:
            wanted.add(YearColumn("change", c.year))
            for key, present in (("change_deliberation", c.deliberation),
                                 ("change_date", c.when), ("change_note", c.note)):
                if present:
                    wanted.add(YearColumn(key, c.year))
    order = {key: n for n, key in enumerate(YEAR_COLUMNS)}
    groups = ("target", "reference")
    return sorted(wanted, key=lambda c: (
        0 if c.key in groups else 1 if c.key in ACTUAL_KEYS else 2 if c.key in STATUS_KEYS else 3,
        c.year, _period_order(c.period), order[c.key]))


def _year_cell(ind: Indicator, col: YearColumn) -> _Out:
    if col.key == "target" and col.period != FINAL_PERIOD:
        assert col.year is not None
        return _out_text(ind.period_targets.get(col.year, {}).get(col.period))
    if col.key == "target":
        return _out_text(ind.targets.get(col.year)) if col.year in ind.targets else _NONE
    if col.key == "reference":
        if col.year not in ind.references:
            return _NONE
        assert col.year is not None
        ref = ind.references[col.year]
        return _Out("n.d.") if ref is None else _out_number(ref)
    if col.key in ACTUAL_KEYS:
        assert col.year is not None
        a = ind.actual_for(col.year, col.period)
        if a is None:
            return _NONE
        match col.key:
            case "value":
                return _out_text(a.text) if a.text is not None else _out_actual(a.value, ind.unit)
            case "num_value":
                return _out_number(a.numerator)
            case "den_value":
                return _out_number(a.denominator)
            case "note":
                return _out_text(a.note)
            case _:
                return _out_number(a.published_grade, "percent")
    if col.key in STATUS_KEYS:
        s = next((s for s in ind.statuses if s.year == col.year), None)
        if s is None:
            return _NONE
        return {"status": _out_text(s.kind), "status_note": _out_text(s.note),
                "status_ref": _out_text(s.reference),
                "status_grade": _out_number(s.grade, "percent")}[col.key]
    c = next((c for c in ind.changes if c.year == col.year), None)
    if c is None:
        return _NONE
    return {"change": _out_text(c.action), "change_deliberation": _out_text(c.deliberation),
            "change_date": _Out(c.when, "date") if c.when else _NONE,
            "change_note": _out_text(c.note)}[col.key]


def _objective_rows(plan: Plan) -> Iterable[tuple[Area, StrategicObjective | None,
                                                  OperationalObjective | None,
                                                  Indicator | None]]:
    for area in plan.areas:
        if not area.objectives:
            yield area, None, None, None
        for os_ in area.objectives:
            if not os_.indicators and not os_.operational:
                yield area, os_, None, None
            for ind in os_.indicators:
                yield area, os_, None, ind
            for oo in os_.operational:
                if not oo.indicators:
                    yield area, os_, oo, None
                for ind in oo.indicators:
                    yield area, os_, oo, ind


def _out_offices(offices: list[str], where: str) -> _Out:
    """Offices in one cell, ``; ``-separated (so no name may contain a separator)."""
    for name in offices:
        if _OFFICE_SPLIT.search(name):
            raise TableExportError(f"{where}: il nome dell'ufficio «{name}» contiene «;», «|» o "
                                   f"un a capo, che nella tabella separano gli uffici")
    return _out_text("; ".join(offices))


def _static_cells(area: Area, os_: StrategicObjective | None, oo: OperationalObjective | None,
                  ind: Indicator | None) -> dict[str, _Out]:
    cells: dict[str, _Out] = {
        "area_code": _out_text(area.code), "area_title": _out_text(area.title),
        "area_description": _out_text(area.description),
        "area_weight": _out_number(area.weight, "points"), "area_bsc": _out_text(area.bsc),
    }
    if os_ is not None:
        cells.update({
            "os_code": _out_text(os_.code), "os_title": _out_text(os_.title),
            "os_description": _out_text(os_.description),
            "os_weight": _out_number(os_.weight, "points"),
            "os_resources": _out_number(os_.resources, "euro"), "os_bsc": _out_text(os_.bsc),
            "os_mission_code": _out_text(os_.mission_code),
            "os_mission": _out_text(os_.mission),
            "os_programme_code": _out_text(os_.programme_code),
            "os_programme": _out_text(os_.programme),
            "os_offices": _out_offices(os_.offices, f"obiettivo {os_.code}"),
        })
    if oo is not None:
        cells.update({
            "oo_code": _out_text(oo.code), "oo_title": _out_text(oo.title),
            "oo_description": _out_text(oo.description),
            "oo_weight": _out_number(oo.weight, "points"),
            "oo_resources": _out_number(oo.resources, "euro"),
            "oo_offices": _out_offices(oo.offices, f"obiettivo {oo.code}"),
        })
    if ind is not None:
        baseline = ind.baseline
        cells.update({
            "code": _out_text(ind.code), "name": _out_text(ind.name),
            "description": _out_text(ind.description),
            "algorithm": _out_text(ind.algorithm), "formula": _out_text(ind.formula),
            "numerator": _out_text(ind.numerator),
            "denominator": _out_text(ind.denominator), "unit": _out_text(ind.unit),
            "kind": _out_text(ind.kind), "source": _out_text(ind.source),
            "baseline": _out_actual(baseline.value, ind.unit) if baseline else _NONE,
            "baseline_year": _out_number(baseline.year if baseline else None),
            "to_confirm": _Out(YES) if ind.to_confirm else _NONE,
            "weight": _out_number(ind.weight, "points"),
            "offices": _out_offices(ind.offices, f"indicatore {ind.code}"),
            "polarity": _out_text(ind.polarity.value if ind.polarity else None),
            "threshold": _out_number(ind.threshold, "percent"),
            "red_flag": _out_number(ind.red_flag), "tolerance": _out_number(ind.tolerance),
        })
    return cells


#: Columns always written (the skeleton of the table); the others only when used.
_ALWAYS = ("area_code", "area_title", "area_weight", "os_code", "os_title", "os_weight",
           "oo_code", "oo_title", "oo_weight", "code", "name", "algorithm", "unit", "weight",
           "polarity")


def _extra_levels(plan: Plan) -> dict[str, str]:
    """Each extra field's header and the level the table writes it at (see
    :func:`_level_by_values`): the level of the elements that hold it; «obiettivo» when
    both strategic and operational objectives do. A field the table cannot hold at one
    level is left to the round-trip check, which refuses the export."""
    found: dict[str, set[str]] = {}

    def add(level: str, extra: dict[str, str]) -> None:
        for key in extra:
            found.setdefault(key, set()).add(level)

    for area in plan.areas:
        add("area", area.extra)
        for os_ in area.objectives:
            add("os", os_.extra)
            for ind in os_.indicators:
                add("indicator", ind.extra)
            for oo in os_.operational:
                add("oo", oo.extra)
                for ind in oo.indicators:
                    add("indicator", ind.extra)
    levels = {}
    for key, where in found.items():
        if "indicator" in where:
            levels[key] = "indicator"
        elif where == {"os", "oo"}:
            levels[key] = "objective"
        else:
            levels[key] = next(iter(sorted(where)))
    return levels


def _extra_cell(key: str, level: str, area: Area, os_: StrategicObjective | None,
                oo: OperationalObjective | None, ind: Indicator | None) -> _Out:
    record = _Record(0, [], area, os_, oo, ind)
    element = record.element(level)
    return _out_text(getattr(element, "extra", {}).get(key)) if element is not None else _NONE


def table_data(plan: Plan) -> tuple[list[tuple[str, list[_Out]]], list[str], list[list[_Out]]]:
    """The plan block, the header and the rows of the table of ``plan``."""
    years = _year_columns(plan)
    extras = _extra_levels(plan)
    objective_rows = list(_objective_rows(plan))
    rows = [(_static_cells(a, o, p, i), i) for a, o, p, i in objective_rows]
    used = {k for cells, _ in rows for k, v in cells.items() if v.value is not None}
    static = [c for c in COLUMNS if c.key in _ALWAYS or c.key in used]
    header = [c.header for c in static] + list(extras) + [_year_header(c) for c in years]
    body = [[cells.get(c.key, _NONE) for c in static]
            + [_extra_cell(key, level, *place) for key, level in extras.items()]
            + [_year_cell(ind, y) if ind is not None else _NONE for y in years]
            for (cells, ind), place in zip(rows, objective_rows, strict=True)]
    block: list[tuple[str, list[_Out]]] = [
        ("Ente", [_Out(plan.entity)]), ("Anno", [_Out(str(plan.year))]),
        ("Identificativo", [_Out(plan.id)]),
        ("Anni target", [_Out(", ".join(map(str, plan.target_years)))]),
    ]
    if plan.title:
        block.append(("Titolo", [_Out(plan.title)]))
    if plan.deliberation:
        block.append(("Delibera", [_Out(plan.deliberation)]))
    if plan.deadline:
        block.append(("Scadenza compilazione", [_Out(plan.deadline, "date")]))
    if periods := _periods_text(plan):
        block.append(("Periodi", [_Out(periods)]))
    policy = plan.policy.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if policy:
        text = yaml.safe_dump(policy, default_flow_style=True, allow_unicode=True,
                              width=10**6).strip()
        block.append(("Politica", [_Out(text)]))
    for office in plan.offices:
        block.append(("Ufficio", [_Out(office.name), _out_text(office.email),
                                  _out_text(office.head)]))
    if plan.default_office:
        block.append(("Ufficio predefinito", [_Out(plan.default_office)]))
    for key, level in extras.items():
        block.append(("Colonna", [_Out(key), _Out(EXTRA_LEVELS[level][1])]))
    return block, header, body


Measures = tuple[list[str], list[list[_Out]]]


def measure_table(plan: Plan) -> Measures:
    """The header and rows of the plan's table of measures (empty rows: no measures)."""
    header = [col.header for col in MEASURE_COLUMNS]
    rows = [[_out_text(getattr(m, col.key)) for col in MEASURE_COLUMNS] for m in plan.measures]
    return header, rows


def _csv_text(cell: _Out) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float):
        return number_text(value, percent=cell.kind == "percent")
    return csv_safe_text(value)          # never a formula in Excel (the reader takes it back)


def _write_csv(path: Path, block: list[tuple[str, list[_Out]]], header: list[str],
               body: list[list[_Out]], measures: Measures) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        for label, cells in block:
            writer.writerow([label, *map(_csv_text, cells)])
        writer.writerow([])
        writer.writerow(header)
        for row in body:
            writer.writerow([_csv_text(c) for c in row])
        if measures[1]:        # the table of measures, below the indicators
            writer.writerow([])
            writer.writerow(measures[0])
            for row in measures[1]:
                writer.writerow([_csv_text(c) for c in row])


_NUMBER_FORMATS = {"number": "generale", "points": "peso", "percent": "percentuale",
                   "euro": "euro", "date": "data"}


def _write_xlsx(path: Path, block: list[tuple[str, list[_Out]]], header: list[str],
                body: list[list[_Out]], measures: Measures) -> None:
    wb = xlsxwriter.Workbook(str(path))
    try:
        st = Styles(wb)
        ws = wb.add_worksheet(SHEET_NAME)

        def put(r: int, c: int, cell: _Out, kind: str = "cell") -> None:
            # The plan block: plain text, left-aligned.
            style = "plain" if kind == "block" else kind
            number = _NUMBER_FORMATS[cell.kind] if isinstance(cell.value, float) else None
            write_value(ws, st, r, c, cell.value, st.get(style, number), style,
                        left=kind == "block")

        for r, (label, cells) in enumerate(block):
            ws.write_string(r, 0, label, st.get("label"))
            for c, cell in enumerate(cells, 1):
                put(r, c, cell, "block")
            # wrapped in 40-wide columns: give the row its lines
            height = row_height((c.value, 40) for c in cells if isinstance(c.value, str))
            if height:
                ws.set_row(r, height)
        top = len(block) + 1
        for r, row in enumerate(body, top + 1):
            for c, cell in enumerate(row):
                put(r, c, cell)
        ws.add_table(top, 0, top + max(len(body), 1), len(header) - 1, {
            "name": "crx_tabella_piano", "style": st.table_style, "autofilter": True,
            "columns": [{"header": h, "header_format": st.get("header")} for h in header]})
        for c, h in enumerate(header):
            ws.set_column(c, c, 22 if c == 0 else 40 if h in ("Ambito", "Obiettivo strategico",
                                            "Obiettivo operativo", "Indicatore",
                                            "Algoritmo") else 14)
        ws.freeze_panes(top + 1, 0)
        if measures[1]:
            sheet = wb.add_worksheet(MEASURES_SHEET)
            for r, row in enumerate(measures[1], 1):
                for c, cell in enumerate(row):
                    write_value(sheet, st, r, c, cell.value, st.get("cell"), "cell")
            sheet.add_table(0, 0, len(measures[1]), len(measures[0]) - 1, {
                "name": "crx_misure", "style": st.table_style, "autofilter": True,
                "columns": [{"header": h, "header_format": st.get("header")}
                            for h in measures[0]]})
            for c, h in enumerate(measures[0]):
                sheet.set_column(c, c, 40 if h in ("Misura", "Descrizione") else 18)
            sheet.freeze_panes(1, 0)
    finally:
        wb.close()


def _first_difference(a: object, b: object, loc: tuple[int | str, ...] = ()) -> str | None:
    """Where two plan-file data trees differ first (``ambiti[0].obiettivi``), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            found = _first_difference(a.get(key), b.get(key), (*loc, key))
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, (*loc, i))
            if found is not None:
                return found
        return None
    return None if a == b else (format_loc(loc) or "piano")


def _check_round_trip(plan: Plan, block: list[tuple[str, list[_Out]]], header: list[str],
                      body: list[list[_Out]], measures: Measures) -> None:
    """Refuse to write a table that would not give the plan back (a field the table cannot
    hold, e.g. one added to the model later): losing it silently is worse than no table."""
    def read_back(cell: _Out) -> str:         # what the CSV reader gives for the cell
        return csv_unquoted_text(_csv_text(cell))

    rows: list[tuple[int, list[Cell]]] = []
    for label, cells in block:
        rows.append((len(rows) + 1, [label, *map(read_back, cells)]))
    rows.append((len(rows) + 1, []))
    rows.append((len(rows) + 1, list(header)))
    rows += [(len(rows) + n, [read_back(c) for c in row]) for n, row in enumerate(body, 1)]
    if measures[1]:
        rows.append((len(rows) + 1, []))
        rows.append((len(rows) + 1, list(measures[0])))
        rows += [(len(rows) + n, [read_back(c) for c in row])
                 for n, row in enumerate(measures[1], 1)]
    back = import_grid(Grid(rows), Path("<tabella>")).plan
    where = _first_difference(plan_to_data(plan), plan_to_data(back))
    if where is not None:
        raise TableExportError(f"il piano contiene dati che la tabella non può rappresentare "
                               f"({where}): usare il file di piano .yaml")


def export_table(plan: Plan, path: Path | str) -> Path:
    """Write ``plan`` as a flat table (.xlsx or .csv by suffix) that :func:`import_table`
    reads back into an equal plan (checked before writing)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableExportError(f"{path.name}: formato non supportato, usare .xlsx o .csv")
    block, header, body = table_data(plan)
    measures = measure_table(plan)
    _check_round_trip(plan, block, header, body, measures)
    if suffix == ".csv":
        _write_csv(path, block, header, body, measures)
    else:
        _write_xlsx(path, block, header, body, measures)
    return path
