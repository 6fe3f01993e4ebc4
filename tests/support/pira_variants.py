"""Other extractions of the same plan, derived from a seed's text (tests only).

Each function turns the text of a seed into what another extraction tool would have given
for the same document: markup stripped (a plain-text export), tabs turned into aligned runs
of spaces (``pdftotext -layout``), everything on single spaces without blank lines
(``pdftotext`` without ``-layout``), long lines wrapped at another width, tables as markdown
``|`` rows or as HTML, Windows line ends, and blocks moved within their page (a heading
printed after its rows, a row's targets printed before its name). None of them uses the
importer: they are plain text transformations.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable

_MARKUP = re.compile(r"\*\*|</?(?:b|strong)>", re.IGNORECASE)


def strip_markup(text: str) -> str:
    """A plain-text export: no ``**``, ``<b>``, ``#`` headings."""
    return "\n".join(re.sub(r"^#{1,6}\s+", "", _MARKUP.sub("", line))
                     for line in text.split("\n"))


def _table_groups(lines: list[str]) -> list[tuple[int, int]]:
    """[start, end) of each run of consecutive lines that have tabs."""
    groups, start = [], None
    for i, line in enumerate([*lines, ""]):
        if "\t" in line and start is None:
            start = i
        elif "\t" not in line and start is not None:
            groups.append((start, i))
            start = None
    return groups


def layout_spaces(text: str) -> str:
    """``pdftotext -layout``: the cells of each table padded to their column's width."""
    lines = strip_markup(text).split("\n")
    for start, end in _table_groups(lines):
        rows = [[c.strip() for c in line.split("\t")] for line in lines[start:end]]
        width = max(len(r) for r in rows)
        widths = [max((len(r[k]) for r in rows if k < len(r)), default=0) for k in range(width)]
        for i, row in enumerate(rows, start):
            padded = [cell.ljust(widths[k]) for k, cell in enumerate(row)]
            lines[i] = "   ".join(padded).rstrip()
    return "\n".join(lines)


def plain(text: str) -> str:
    """``pdftotext`` without ``-layout``: one space between cells, no blank lines."""
    out = []
    for line in strip_markup(text).split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        if line:
            out.append(line)
    return "\n".join(out)


def rewrap(text: str, width: int = 60) -> str:
    """Lines wrapped at another width (a narrower page or column)."""
    out = []
    for line in plain(text).split("\n"):
        out.extend(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
                   or [""])
    return "\n".join(out)


def markdown_tables(text: str) -> str:
    """Tables as markdown pipe rows (a separator row after each table's first row)."""
    lines = text.split("\n")
    out = list(lines)
    for start, end in reversed(_table_groups(lines)):
        rows = ["| " + " | ".join(c.strip() for c in line.split("\t")) + " |"
                for line in lines[start:end]]
        n = lines[start].count("\t") + 1
        rows.insert(1, "|" + "---|" * n)
        out[start:end] = rows
    return "\n".join(out)


def html_tables(text: str) -> str:
    """An HTML export: tables as ``<table><tr><td>``, other lines as paragraphs."""
    lines = strip_markup(text).split("\n")
    groups = _table_groups(lines)
    out: list[str] = []
    i = 0
    while i < len(lines):
        group = next((g for g in groups if g[0] == i), None)
        if group:
            out.append("<table>")
            for line in lines[group[0]:group[1]]:
                cells = "".join(f"<td>{html.escape(c.strip())}</td>" for c in line.split("\t"))
                out.append(f"  <tr>{cells}</tr>")
            out.append("</table>")
            i = group[1]
            continue
        if lines[i].strip():
            out.append(f"<p>{html.escape(lines[i].strip())}</p>")
        i += 1
    return "\n".join(out)


def windows(text: str) -> str:
    """Windows line ends and a byte-order mark's character at the start."""
    return "\ufeff" + text.replace("\n", "\r\n")


def headings_after_rows(text: str, heading: Callable[[str], bool],
                        row: Callable[[str], bool]) -> str:
    """Each objective heading moved after the last table row of its block."""
    lines = plain(text).split("\n")
    starts = [i for i, line in enumerate(lines) if heading(line)]
    out = lines[:starts[0]] if starts else list(lines)
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        block = lines[start + 1:end]
        last_row = max((k for k, line in enumerate(block) if row(line)), default=len(block) - 1)
        out += [*block[:last_row + 1], lines[start], *block[last_row + 1:]]
    return "\n".join(out)


def targets_first(text: str, start: Callable[[str], bool], targets: Callable[[str], bool],
                  stop: Callable[[str], bool]) -> str:
    """Column-by-column printing: a row's line of targets moved right after its first line."""
    lines = [line for line in text.split("\n") if line.strip()]
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not start(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not start(lines[j]) and not stop(lines[j]):
            j += 1
        record = lines[i:j]
        found = next((k for k in range(1, len(record)) if targets(record[k])), None)
        if found is not None:
            record.insert(1, record.pop(found))
        out += record
        i = j
    return "\n".join(out)


def page_furniture(text: str, header: str, every: int = 40) -> str:
    """A page header and a numbered footer every ``every`` lines (and a form feed)."""
    lines = text.split("\n")
    out: list[str] = []
    page = 1
    for i, line in enumerate(lines):
        if i and i % every == 0:
            out += [f"{header} - pag. {page}", "\f" + header]
            page += 1
        out.append(line)
    return "\n".join(out)


def repeat_table_headers(text: str, header: Callable[[str], bool], row: Callable[[str], bool],
                         every: int = 3) -> str:
    """A table's header printed again before every ``every``-th row of its table (a page
    break inside a table)."""
    out: list[str] = []
    last_header = None
    rows = 0
    for line in text.split("\n"):
        if header(line):
            last_header, rows = line, 0
        elif row(line) and last_header is not None:
            if rows and rows % every == 0:
                out.append(last_header)
            rows += 1
        out.append(line)
    return "\n".join(out)
