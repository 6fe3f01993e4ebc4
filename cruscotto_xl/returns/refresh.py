"""``ricalcola``: refresh a workbook in place without touching anything a person typed.

The grades are recomputed in Python from the workbook's own inputs and its embedded plan
part, and written as the *cached values* of the existing formula cells: only the ``<v>``
of our formula cells changes inside the sheet XML; every other byte of every part (input
cells, a user's extra sheet, comments, widths, styles) is copied as it was. The formulas
stay, so Excel and LibreOffice still compute the grades themselves.

Safety: refuse a file open in Excel (``~$`` lock file beside it), a foreign or hostile
file, or one whose locked cells were changed; write to a temporary file in the same
folder, keep a timestamped ``.bak`` (the newest few only) and replace atomically. A run
that would change nothing writes nothing.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from ..core.actuals import carry_actuals, plan_with_typed
from ..core.model import Plan
from ..core.problems import Problem
from ..core.transversal import with_office_actuals
from ..errors import UserError
from ..io.atomic import KEEP_BACKUPS, replace_with_backup, temp_beside
from ..workbook import render_book
from ..workbook.book import Book
from ..workbook.xmltext import ooxml_text
from .integrity import identity_problems, locked_problems, plan_is_stale
from .package import read_index, read_part
from .read import Reading, read_workbook


class RefreshError(UserError):
    """The workbook was not refreshed; ``problems`` says why (the file is untouched)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


@dataclass
class RefreshResult:
    path: Path
    changed: bool
    cells: int
    backup: Path | None = None
    problems: list[Problem] = field(default_factory=list)


def lock_file(path: Path) -> Path:
    """Excel's owner file of an open workbook: ``~$`` + the name, beside it."""
    return path.with_name("~$" + path.name)


def lock_files(path: Path) -> list[Path]:
    """Excel's and LibreOffice's (``.~lock.NAME#``) lock files that exist beside ``path``."""
    return [p for p in (lock_file(path), path.with_name(f".~lock.{path.name}#")) if p.exists()]


def refresh_workbook(path: Path | str, plan: Plan | None = None, *,
                     keep_backups: int = KEEP_BACKUPS, period: str | None = None
                     ) -> RefreshResult:
    """Recompute grades, summary and checks of ``path`` and store them in the same file.

    ``period``: refuse (file untouched) a workbook of another monitoring period.
    """
    path = Path(path)
    if locks := lock_files(path):
        raise RefreshError(f"{path.name} è aperto in Excel o LibreOffice (c'è il file "
                           f"{locks[0].name}): chiuderlo e riprovare")
    reading = read_workbook(path)
    if period is not None and reading.identity.period != period:
        raise RefreshError(f"{path.name}: cartella del periodo {reading.identity.period}, "
                           f"richiesto {period}: non ricalcolata")
    book = refreshed_book(reading, plan)
    updates: dict[str, dict[str, object]] = {}
    for (sheet, coord), value in book.cached.items():
        updates.setdefault(sheet, {})[coord] = value
    changed, cells = rewrite_sheets(path, updates)
    if not changed:
        return RefreshResult(path, False, cells, None, reading.problems)
    backup = replace_with_backup(changed, path, keep_backups)
    return RefreshResult(path, True, cells, backup, reading.problems)


def refreshed_book(reading: Reading, plan: Plan | None = None) -> Book:
    """The workbook as it must be after a refresh: its inputs graded by its own plan part.

    ``book.cached`` holds the new value of every formula cell. Refuses (RefreshError) a
    workbook of another plan, of an older version of ``plan``, or with changed locked cells.
    """
    path, ident = reading.path, reading.identity
    embedded = reading.embedded_plan()
    # The values of the other periods are the workbook's own (locked, consolidated earlier).
    base = embedded if plan is None else carry_actuals(plan, embedded,
                                                       skip=(ident.year, ident.period))
    if plan is not None:
        problems = identity_problems(reading, plan, ident.year, ident.period)
        if problems:
            raise RefreshError(f"{path.name}: non è una cartella di questo piano", problems)
        if plan_is_stale(reading, plan):
            raise RefreshError(f"{path.name}: cartella generata da una versione precedente del "
                               "piano: rigenerarla (i valori inseriti si possono riportare con "
                               "«cruscotto consolida»)")
    typed = reading.typed(lenient=False)
    graded = plan_with_typed(base, typed, ident.year, ident.period, raw=True, replace_all=True,
                             measures=reading.measure_values(lenient=False))
    if reading.office_actuals:       # a master's transversal indicators (docs/transversal.md)
        graded = with_office_actuals(graded, reading.office_actuals, ident.year, ident.period)
    card = reading.scorecard        # a person's scorecard: its own grades and scores
    book = render_book(graded, year=ident.year, office=ident.office, period=ident.period,
                       with_actuals=True, structure=reading.is_master, person=ident.person,
                       org=dict(card.org) if card else None,
                       behaviours=list(card.behaviours_raw) if card else None)
    tampered = locked_problems(reading, book)
    if tampered:
        raise RefreshError(f"{path.name}: dati bloccati modificati (target, pesi o formule); "
                           "ricalcolo non eseguito", tampered)
    return book


_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_TYPE = re.compile(rb'\s+t="[^"]*"')
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>.*?</f>)", re.S)


def _value_xml(value: object) -> tuple[bytes, bytes]:
    """(type attribute, <v> element) of a cached value."""
    if isinstance(value, bool):
        return b' t="b"', b"<v>%d</v>" % int(value)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return b' t="e"', b"<v>#NUM!</v>"
        return b"", f"<v>{float(value)!r}</v>".encode()
    if value in EXCEL_ERRORS:                    # NA() of a chart's gap: an error, not text
        return b' t="e"', f"<v>{value}</v>".encode()
    return b' t="str"', f"<v>{escape(ooxml_text(str(value)))}</v>".encode()


EXCEL_ERRORS = frozenset({"#N/A", "#NUM!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NULL!"})


def patch_values(data: bytes, values: dict[str, object]) -> tuple[bytes, int]:
    """Set the cached value of the formula cells named in ``values``; nothing else changes."""
    count = 0

    def repl(m: re.Match[bytes]) -> bytes:
        nonlocal count
        attrs, body = m.group(1), m.group(3)
        ref = _REF.search(attrs)
        if ref is None or body is None:
            return m.group(0)
        coord = ref.group(1).decode()
        if coord not in values:
            return m.group(0)
        formula = _FORMULA.search(body)
        if formula is None:
            return m.group(0)           # no longer a formula cell: leave it alone
        t_attr, v = _value_xml(values[coord])
        count += 1
        return b"<c" + _TYPE.sub(b"", attrs) + t_attr + b">" + formula.group(0) + v + b"</c>"

    return _CELL.sub(repl, data), count


_STYLE = re.compile(rb'\ss="[0-9]+"')


def patch_cells(data: bytes, values: dict[str, object]) -> tuple[bytes, int]:
    """Set the value of the plain cells named in ``values`` (text, number or empty),
    keeping each cell's style; formula cells and every other cell are left alone.

    Texts are written inline (no shared-strings part to rewrite). A cell that is not in
    the sheet XML is not created: the count tells the caller what was found.
    """
    count = 0

    def repl(m: re.Match[bytes]) -> bytes:
        nonlocal count
        attrs, body = m.group(1), m.group(3) or b""
        ref = _REF.search(attrs)
        if ref is None or ref.group(1).decode() not in values or _FORMULA.search(body):
            return m.group(0)
        count += 1
        value = values[ref.group(1).decode()]
        style = _STYLE.search(attrs)
        head = b'<c r="' + ref.group(1) + b'"' + (style.group(0) if style else b"")
        if value is None or value == "":
            return head + b"/>"
        if isinstance(value, int | float) and not isinstance(value, bool):
            return head + f"><v>{float(value)!r}</v></c>".encode()
        return head + b' t="inlineStr"><is><t xml:space="preserve">' + \
            escape(ooxml_text(str(value))).encode() + b"</t></is></c>"

    return _CELL.sub(repl, data), count


def rewrite_sheets(path: Path, updates: dict[str, dict[str, object]],
             patch: Callable[[bytes, dict[str, object]], tuple[bytes, int]] = patch_values
             ) -> tuple[Path | None, int]:
    """Write a patched copy next to ``path``; None when no part would change."""
    with zipfile.ZipFile(path) as zf:
        index = read_index(zf)
        parts = {index.sheets[s]: v for s, v in updates.items() if s in index.sheets}
        new_parts: dict[str, bytes] = {}
        cells = 0
        for part, values in parts.items():
            old = read_part(zf, part)
            new, n = patch(old, values)
            cells += n
            if new != old:
                new_parts[part] = new
        if not new_parts:
            return None, cells
        tmp = temp_beside(path)
        try:
            with zipfile.ZipFile(tmp, "w") as out:
                for info in zf.infolist():
                    data = new_parts.get(info.filename)
                    out.writestr(info, data if data is not None else zf.read(info.filename),
                                 compress_type=info.compress_type)
        except BaseException:       # any failure, even Ctrl-C: no temporary file is left
            tmp.unlink(missing_ok=True)
            raise
    return tmp, cells


__all__ = [
    "Reading",
    "RefreshError",
    "RefreshResult",
    "lock_file",
    "patch_cells",
    "patch_values",
    "refresh_workbook",
    "refreshed_book",
    "rewrite_sheets",
]
