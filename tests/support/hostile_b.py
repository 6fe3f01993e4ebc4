"""Helpers of the hostile-input tests of numbers (issue 15, causes 2, 3, 4, 15): raw cell
XML that Excel or another program may store in an input cell (NaN, 1E+308, error values),
on top of the shared helpers of :mod:`support.hostile_c`."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from support.hostile_c import input_cell, replace_cell


def cell_value(path: Path, code: str, header: str = "Consuntivo") -> object:
    """What openpyxl reads in column ``header`` of indicator ``code``."""
    sheet, coord = input_cell(path, code, header)
    return openpyxl.load_workbook(path)[sheet][coord].value


def set_cell_xml(path: Path, code: str, xml_value: str, header: str = "Consuntivo",
                 attrs: str = "") -> None:
    """Put a raw ``<c r=…{attrs}><v>{xml_value}</v></c>`` into the input cell of ``code``:
    what Excel or another program may store there (NaN, 1e999, an error value…)."""
    replace_cell(path, code, header, '<c r="{coord}"' + attrs + "><v>"
                 + xml_value.replace("{", "{{").replace("}", "}}") + "</v></c>")
