"""Helpers of the hostile-input tests of numbers (issue 15, causes 2, 3, 4, 15): raw cell
XML that Excel or another program may store in an input cell (NaN, 1E+308, error values),
on top of the shared helpers of :mod:`support.hostile_c`."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from support.hostile_c import input_cell, rewrite_zip, sheet_part


def cell_value(path: Path, code: str, header: str = "Consuntivo") -> object:
    """What openpyxl reads in column ``header`` of indicator ``code``."""
    sheet, coord = input_cell(path, code, header)
    return openpyxl.load_workbook(path)[sheet][coord].value


def set_cell_xml(path: Path, code: str, xml_value: str, header: str = "Consuntivo",
                 attrs: str = "") -> None:
    """Put a raw ``<c r=…{attrs}><v>{xml_value}</v></c>`` into the input cell of ``code``:
    what Excel or another program may store there (NaN, 1e999, an error value…)."""
    sheet, coord = input_cell(path, code, header)
    cell = f'<c r="{coord}"{attrs}><v>{xml_value}</v></c>'.encode()

    def edit(data: bytes) -> bytes:
        new, n = re.subn(rb'<c r="' + coord.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)',
                         lambda m: cell, data, count=1, flags=re.S)
        assert n == 1, coord
        return new
    rewrite_zip(path, {sheet_part(path, sheet): edit})
