"""Only the actuals and reference values of a table, by indicator code (``cruscotto audit
--consuntivi``): the other columns may be there or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...core.model import FINAL_PERIOD, PERIOD_PATTERN, Actual
from ...core.problems import Location, Problem
from ...core.vocabulary import NumberError
from ..common import ImportFailed, at_line, by_line
from .build import _block_year, _read_block
from .cells import Cell, _blank, _text, _year
from .columns import ACTUAL_KEYS, header_key
from .header import Header, _parse_header
from .read import _header_of, read_grid
from .rows import parse_year_cells


@dataclass


class TableActuals:
    """What a table reports per indicator code: actuals and reference values."""

    actuals: dict[str, list[Actual]] = field(default_factory=dict)
    references: dict[str, dict[int, float | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


#: A long table (``cruscotto esporta``, docs/export.md) has one row per indicator and
#: period: its ``Anno`` and ``Periodo`` columns give the year and period of the row's
#: columns without a year (``Consuntivo``, ``Valore numeratore``, ``Nota``, ``Riferimento``).
ROW_YEAR, ROW_PERIOD = "anno", "periodo"
#: ``Livello`` of an export: its ``ufficio`` rows are offices' own values of a transversal
#: indicator (docs/transversal.md); the indicator's row holds the ente's.
ROW_LEVEL, OFFICE_LEVEL = "livello", "ufficio"


def read_table_actuals(path: Path | str, *, year: int | None = None) -> TableActuals:
    """Only the actuals (``Consuntivo 2023``, ``Valore numeratore 2023``…) and references of
    a table, by ``Codice indicatore``: the rest of the columns may be there or not.

    A year column without its year needs ``year`` (or the ``Anno`` row of the table), unless
    the table has ``Anno`` and ``Periodo`` columns: then each row says its own.
    """
    path = Path(path)
    grid = read_grid(path)
    at = _header_of(grid, path)
    out = TableActuals(problems=list(grid.problems))
    block = _read_block(grid.rows[:at], out.problems)
    header = _parse_header(*grid.rows[at], out.problems)
    keyed = {header_key(text): i for i, text in header.ignored.items()}
    if ROW_YEAR in keyed and ROW_PERIOD in keyed:
        return _read_long(path, grid.rows[at + 1:], header, keyed[ROW_YEAR],
                          keyed[ROW_PERIOD], out)
    plan_year = year or _block_year(block, out.problems)
    if "code" not in header.static:
        raise ImportFailed(path, [Problem(
            Location(lines=(header.lineno,)), "manca la colonna «Codice "
                                              "indicatore»: i consuntivi "
                                              "si abbinano per codice")])
    if plan_year is not None:
        header.resolve_years(plan_year, out.problems)
    elif any(c.year is None for c, _ in header.years):
        raise ImportFailed(path, [Problem(
            Location(lines=(header.lineno,)), "colonne senza anno (es. "
                                              "«Consuntivo»): indicare "
                                              "l'anno")])
    header.report_ignored(grid.rows[at + 1:], out.problems, letters=grid.sheet is not None)
    wanted = [(c, i) for c, i in header.years if c.key in (*ACTUAL_KEYS, "reference")]
    seen: dict[str, int] = {}
    for lineno, cells in grid.rows[at + 1:]:
        code = _text(cells[header.static["code"]]) if header.static["code"] < len(cells) else ""
        found = {(c.key, c.year or 0, c.period): (cells[i], header.name(c))
                 for c, i in wanted if i < len(cells) and not _blank(cells[i])}
        if not found:
            continue
        if not code:
            out.problems.append(at_line(lineno, "consuntivi senza codice indicatore: non "
                                                "abbinabili, non importati"))
            continue
        if code in seen:
            out.problems.append(at_line(lineno, f"codice indicatore «{code}» ripetuto (anche "
                                                f"alla riga {seen[code]}): vale il primo",
                                        subject=code))
            continue
        seen[code] = lineno
        values = parse_year_cells(found, lineno, code, out.problems)
        if values.get("actuals"):
            out.actuals[code] = values["actuals"]
        if values.get("references"):
            out.references[code] = values["references"]
    out.problems.sort(key=by_line)
    return out


def _read_long(path: Path, rows: list[tuple[int, list[Cell]]], header: Header, year_at: int,
               period_at: int, out: TableActuals) -> TableActuals:
    """One row per indicator, year and period: the columns without a year take the row's."""
    del header.ignored[year_at], header.ignored[period_at]
    header.report_ignored(rows, out.problems, letters=False)
    if "code" not in header.static:
        raise ImportFailed(path, [Problem(Location(lines=(header.lineno,)),
                                            "manca la colonna «Codice indicatore»: i "
                                            "consuntivi si abbinano per codice")])
    wanted = [(c, i) for c, i in header.years if c.key in (*ACTUAL_KEYS, "reference")]
    seen: dict[tuple[str, int, str], int] = {}
    level_at = next((i for i, text in header.ignored.items()
                     if header_key(text) == ROW_LEVEL), None)
    for lineno, cells in rows:
        def cell(i: int, cells: list[Cell] = cells) -> Cell:
            return cells[i] if i < len(cells) else ""
        if level_at is not None and _text(cell(level_at)).casefold() == OFFICE_LEVEL:
            continue    # an office's own value of a transversal indicator, not the ente's
        code = _text(cell(header.static["code"]))
        present = [(c, i) for c, i in wanted if not _blank(cell(i))]
        if not present:
            continue
        if not code:
            out.problems.append(at_line(lineno, "consuntivi senza codice indicatore: non "
                                                "abbinabili, non importati"))
            continue
        try:
            row_year = _year(cell(year_at))
        except NumberError as exc:
            out.problems.append(at_line(lineno, f"colonna «Anno»: {exc}: consuntivi della "
                                                f"riga non importati", subject=code))
            continue
        period = _text(cell(period_at)) or FINAL_PERIOD
        if not PERIOD_PATTERN.match(period):
            out.problems.append(at_line(lineno, f"colonna «Periodo»: «{period}» non è una "
                                                f"data gg/mm (es. 30/06): consuntivi della "
                                                f"riga non importati", subject=code))
            continue
        key = (code, row_year, period)
        if key in seen:
            out.problems.append(at_line(lineno, f"indicatore «{code}» ripetuto per il "
                                                f"{period}/{row_year} (anche alla riga "
                                                f"{seen[key]}): vale la prima", subject=code))
            continue
        seen[key] = lineno
        found = {(c.key, c.year or row_year, c.period if c.year else period):
                 (cell(i), header.name(c)) for c, i in present}
        values = parse_year_cells(found, lineno, code, out.problems)
        out.actuals.setdefault(code, []).extend(values.get("actuals", []))
        for y, ref in values.get("references", {}).items():
            out.references.setdefault(code, {})[y] = ref
    out.actuals = {c: a for c, a in out.actuals.items() if a}
    out.problems.sort(key=by_line)
    return out
