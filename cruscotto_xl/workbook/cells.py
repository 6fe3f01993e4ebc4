"""Writing cells: one injection-safe writer for every sheet the package writes.

Every sheet kind of the generated workbooks, the audit's ``Controlli`` sheet and the plan
table export write through these functions:

- a text (a plan's title, an office's note, a message) is always written as a string; when
  it starts with ``= + - @`` it also gets Excel's quote prefix, so it stays text even when
  a person edits the cell and presses Enter;
- a value is written by its type: blank, ``Sì``/``No`` for a bool (never TRUE/FALSE,
  which the milestone formula reads as invalid), text as above, a date with the date
  format, a number with the format given; locked or input cells differ only by the style
  kind (``cell`` is locked, ``input`` is not);
- rows whose wrapped texts need several lines get their height (spreadsheets do not grow
  rows when they open a file);
- every printed sheet shares one page setup, every grade range the traffic lights.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..core.lights import light_formulas
from ..core.vocabulary import FORMULA_INJECTION_PREFIXES, format_date, yes_no_text
from .book import Book
from .styles import Styles


def write_text(ws: Worksheet, styles: Styles, row: int, col: int, text: str | None,
               kind: str = "cell", *, indent: int = 0, left: bool = False) -> None:
    """Write a plan or office text as text, never as a formula (empty: a blank cell)."""
    text = "" if text is None else str(text)
    fmt = styles.get(kind, quote=text.startswith(FORMULA_INJECTION_PREFIXES), indent=indent,
                     left=left)
    if text:
        ws.write_string(row, col, text, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def write_value(ws: Worksheet, styles: Styles, row: int, col: int, value: object,
                fmt: Format, kind: str = "cell", *, left: bool = False) -> object:
    """Write a value by its type; returns what the cell holds (``Sì``/``No`` for a bool,
    None for a blank), which is what a tamper hash remembers.

    ``fmt`` formats blanks, bools and numbers; texts and dates take the style ``kind``
    (with the date format for dates); ``left`` left-aligns texts and dates.
    """
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
        return None
    if isinstance(value, bool):
        value = yes_no_text(value)
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, str):
        write_text(ws, styles, row, col, value, kind, left=left)
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, styles.get(kind, "data", left=left))
    elif isinstance(value, int | float):
        ws.write_number(row, col, float(value), fmt)
    else:
        write_text(ws, styles, row, col, str(value), kind, left=left)
    return value


def write_traffic_lights(ws: Worksheet, book: Book, r1: int, c1: int, r2: int, c2: int,
                    top_left: str, multi_range: str | None = None) -> None:
    """The policy's traffic lights over a range (core/lights.py): a colour per band, grey
    when not graded; ``top_left`` is the range's first grade cell, as the rules read it."""
    st = book.styles
    for light, formula in light_formulas(book.plan.policy.bands, top_left):
        options = {"type": "formula", "criteria": formula, "format": st.conditional(light),
                   "stop_if_true": True}
        if multi_range:
            options["multi_range"] = multi_range
        ws.conditional_format(r1, c1, r2, c2, options)


def row_height(cells: Iterable[tuple[str | None, float]], line: float = 13.0) -> float | None:
    """Height for a row whose wrapped texts (text, column width) need several lines, or
    None when one line is enough.

    About 1.3 characters of a 10-point font fit in a unit of column width.
    """
    lines = 1
    for text, width in cells:
        if text:
            per_line = max(1.0, width * 1.3)
            lines = max(lines, sum(-(-len(part) // int(per_line)) or 1
                                   for part in str(text).split("\n")))
    return None if lines == 1 else line * lines + 2


def page_setup(ws: Worksheet, book: Book) -> None:
    """A4 landscape, fit to width, header with ente, year and office."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    office = f" — {book.office}" if book.office else ""
    ws.set_header(("&C" + f"{book.plan.entity} — {book.year}{office}".replace("&", "&&"))[:255])
    ws.set_footer("&LGenerato da cruscotto_xl il " + format_date(book.generated_on)
                  + "&RPagina &P di &N")


__all__ = ["FORMULA_INJECTION_PREFIXES", "page_setup", "row_height", "write_text",
           "write_traffic_lights", "write_value"]
