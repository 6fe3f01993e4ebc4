"""Only the actuals and reference values of a table, by indicator code (``cruscotto audit
--consuntivi``): the other columns may be there or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...core.model import Actual
from ...core.problems import Location, Problem
from ..common import ImportFailed, at_line, by_line
from .build import _block_year, _read_block
from .cells import _blank, _text
from .columns import ACTUAL_KEYS
from .header import _parse_header
from .read import _header_of, read_grid
from .rows import parse_year_cells


@dataclass


class TableActuals:
    """What a table reports per indicator code: actuals and reference values."""

    actuals: dict[str, list[Actual]] = field(default_factory=dict)
    references: dict[str, dict[int, float | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_table_actuals(path: Path | str, *, year: int | None = None) -> TableActuals:
    """Only the actuals (``Consuntivo 2023``, ``Valore numeratore 2023``…) and references of
    a table, by ``Codice indicatore``: the rest of the columns may be there or not.

    A year column without its year needs ``year`` (or the ``Anno`` row of the table).
    """
    path = Path(path)
    grid = read_grid(path)
    at = _header_of(grid, path)
    out = TableActuals(problems=list(grid.problems))
    block = _read_block(grid.rows[:at], out.problems)
    header = _parse_header(*grid.rows[at], out.problems)
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
