"""Cell formats of the generated workbooks, built from ``workbook_templates/stile.yaml``.

One :class:`Styles` per workbook creates each XlsxWriter format once and hands it out by
name, so sheets never build formats themselves and the look is changed in one file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook


@cache
def style_sheet() -> dict[str, Any]:
    """The parsed style file (packaged as ``cruscotto_xl.workbook_templates``)."""
    text = resources.files("cruscotto_xl.workbook_templates").joinpath("stile.yaml").read_text(
        encoding="utf-8")
    return yaml.safe_load(text)


class Styles:
    """Named formats for one workbook."""

    def __init__(self, workbook: Workbook) -> None:
        self._wb = workbook
        self._cache: dict[tuple[str, str | None, bool, bool, int, bool], Format] = {}
        s = style_sheet()
        self.colors: dict[str, str] = s["colori"]
        self.numbers: dict[str, str] = s["formati_numero"]
        self.table_style: str = s["tabella"]
        self._base = {"font_name": s["font"]["nome"], "font_size": s["font"]["dimensione"],
                      "valign": "top"}

    def _props(self, kind: str) -> dict[str, Any]:
        c = self.colors
        border = {"border": 1, "border_color": c["bordo"]}
        kinds: dict[str, dict[str, Any]] = {
            "title": {"bold": True, "font_size": 14, "font_color": c["titolo"]},
            "subtitle": {"bold": True, "font_size": 11, "font_color": c["titolo"]},
            "label": {"bold": True, "font_color": c["etichetta"]},
            "plain": {"text_wrap": True},
            "header": {"bold": True, "text_wrap": True, "bg_color": c["intestazione"],
                       "font_color": c["intestazione_testo"], **border},
            "cell": {"text_wrap": True, **border},
            "input": {"bg_color": c["input"], "locked": False, "text_wrap": True, **border},
            "grade": {"bold": True, **border},
            "total": {"bold": True, "top": 2, "top_color": c["titolo"]},
            "legend_input": {"bg_color": c["input"], **border},
            "verde": {"bg_color": c["verde"], "font_color": c["verde_testo"]},
            "giallo": {"bg_color": c["giallo"], "font_color": c["giallo_testo"]},
            "rosso": {"bg_color": c["rosso"], "font_color": c["rosso_testo"]},
            "grigio": {"bg_color": c["grigio"], "font_color": c["grigio_testo"]},
            "light": {"font_size": 14, "align": "center", "valign": "vcenter", **border},
        }
        return kinds[kind]

    def get(self, kind: str, number: str | None = None, *, quote: bool = False,
            center: bool = False, indent: int = 0, left: bool = False) -> Format:
        """The format ``kind`` with an optional number format name from the style file.

        ``quote`` sets Excel's quote prefix, so a text that starts with ``=`` stays text
        even when a user edits the cell.
        """
        key = (kind, number, quote, center, indent, left)
        fmt = self._cache.get(key)
        if fmt is None:
            props = {**self._base, **self._props(kind)}
            if indent:
                props["indent"] = indent
            if left:
                props["align"] = "left"
            if number:
                props["num_format"] = self.numbers[number]
            if quote:
                props["quote_prefix"] = True
            if center:
                props["align"] = "center"
            fmt = self._cache[key] = self._wb.add_format(props)
        return fmt

    def conditional(self, kind: str) -> Format:
        """A differential format for conditional formatting (colours only)."""
        key = ("cf:" + kind, None, False, False, 0, False)
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._cache[key] = self._wb.add_format(self._props(kind))
        return fmt
