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

from collections.abc import Iterable, Sequence
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


#: Characters of the 10-point body font (Calibri, Carlito in LibreOffice) that fit in one
#: unit of column width, measured on Italian prose: a unit is the width of a digit of the
#: 11-point default font (7 px), an average letter of the 10-point font is about 6 px.
CHARS_PER_UNIT = 1.1
#: Line height of wrapped text, as a multiple of the font size (Calibri's line spacing is
#: 1.22; the rest is the cell's padding).
LINE_FACTOR = 1.3
#: A4 landscape, less xlsxwriter's default left and right margins (0.7 inch each), in points.
PRINT_WIDTH = 842 - 2 * 0.7 * 72
#: The smallest print scale (%): the 10-point body font prints at 8 points or more.
MIN_PRINT_SCALE = 80


def text_lines(text: str, width: float, font_size: float = 10) -> int:
    """How many lines ``text`` takes when wrapped in a column ``width`` units wide: words
    are placed greedily as a spreadsheet does, a word longer than a line is broken."""
    per_line = max(1, int(width * CHARS_PER_UNIT * 10 / font_size))
    lines = 0
    for paragraph in str(text).split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            need = len(word) if used == 0 else used + 1 + len(word)
            if need <= per_line:
                used = need
                continue
            if used:
                lines += 1
            lines += (len(word) - 1) // per_line
            used = len(word) - (len(word) - 1) // per_line * per_line
    return lines


def row_height(cells: Iterable[tuple[str | None, float]], font_size: float = 10
               ) -> float | None:
    """Height (points) for a row whose wrapped texts (text, column width) need several
    lines, or None when one line is enough: spreadsheets do not grow rows when they open
    a file, so without it a wrapped text prints over the next row."""
    lines = max((text_lines(text, width, font_size) for text, width in cells if text),
                default=1)
    return None if lines <= 1 else round(font_size * LINE_FACTOR * lines + 3, 1)


#: Height (points) of a row no one sized: xlsxwriter's default, Excel's for its 11-point font.
DEFAULT_ROW_HEIGHT = 15.0


def fit_height(values: Sequence[object], widths: Sequence[float], font_size: float = 10
               ) -> float | None:
    """:func:`row_height` of a row of cell values in columns ``widths`` units wide: only the
    texts count (numbers and dates never wrap), the cells past ``widths`` do not. The one
    height rule of every row the package sizes, whether the generator writes the sheet or
    a ribbon macro writes it into an open workbook (cruscotto_xl/excel/macros.py)."""
    return row_height(((v, w) for v, w in zip(values, widths, strict=False)
                       if isinstance(v, str)), font_size)


def code_width(codes: Iterable[str | None]) -> float:
    """Column width (units) that shows the longest of ``codes`` on one line."""
    return max((len(c) / CHARS_PER_UNIT + 2 for c in codes if c), default=0.0)


def column_points(width: float) -> float:
    """Printed width (points, at 100 %) of a column ``width`` units wide (7 px a unit plus
    5 px of padding, 96 px an inch)."""
    return (width * 7 + 5) * 0.75


def page_setup(ws: Worksheet, book: Book, printed_widths: Iterable[float] = (),
               repeat_columns: int = 0) -> None:
    """A4 landscape, header with ente, year and office, footer with the page number.

    With ``printed_widths`` (the visible columns of the print area) the sheet prints one
    page wide when that keeps the scale at ``MIN_PRINT_SCALE`` or more; a wider sheet
    prints at that scale over several pages, its first ``repeat_columns`` columns repeated
    on each (docs/workbook.md). Without them it is fitted to one page wide.
    """
    ws.set_landscape()
    ws.set_paper(9)  # A4
    total = sum(column_points(w) for w in printed_widths)
    if not total:
        ws.fit_to_pages(1, 0)
    else:
        # an explicit scale, not «fit to», so Excel also keeps the manual page breaks
        scale = min(100, int(PRINT_WIDTH / total * 100))
        ws.set_print_scale(max(scale, MIN_PRINT_SCALE))
        if scale < MIN_PRINT_SCALE and repeat_columns:
            ws.repeat_columns(0, repeat_columns - 1)
    office = f" — {book.office}" if book.office else ""
    ws.set_header(("&C" + f"{book.plan.entity} — {book.year}{office}".replace("&", "&&"))[:255])
    ws.set_footer("&LGenerato da cruscotto_xl il " + format_date(book.generated_on)
                  + "&RPagina &P di &N")


__all__ = ["CHARS_PER_UNIT", "DEFAULT_ROW_HEIGHT", "FORMULA_INJECTION_PREFIXES",
           "MIN_PRINT_SCALE", "code_width", "column_points", "fit_height",
           "page_setup", "row_height", "text_lines", "write_text",
           "write_traffic_lights", "write_value"]
