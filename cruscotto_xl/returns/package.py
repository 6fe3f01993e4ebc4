"""The parts of an .xlsx that calamine does not give: defined names and formula texts.

``xl/workbook.xml`` and its relationships are small and parsed with defusedxml. Formula
texts are found by a byte-level scan of each worksheet part (fast, and streaming parsers
would read the whole sheet a second time anyway); shared formulas, which Excel writes when
it saves, are expanded with openpyxl's formula translator.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as StandardElementTree
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from .guard import UntrustedFileError

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
R_ID = f"{{{NS['r']}}}id"


@dataclass
class PackageIndex:
    """Sheet name → worksheet part, and workbook-level defined names → (sheet, range)."""

    sheets: dict[str, str] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)


def split_reference(text: str) -> tuple[str, str] | None:
    if "!" not in text:
        return None
    sheet, ref = text.rsplit("!", 1)
    sheet = sheet.lstrip("=")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, ref.replace("$", "")


class Parts:
    """The parts of one archive as the reader needs them: those the guard already inflated
    (:func:`~cruscotto_xl.returns.guard.check_package`), the others from the archive, which
    is opened on the first such need only (a file is opened and each part inflated once)."""

    def __init__(self, path: Path | str, kept: dict[str, bytes]) -> None:
        self.filename = str(path)
        self._kept = kept
        self._zip: zipfile.ZipFile | None = None

    def guarded(self, name: str) -> bool:
        """Was ``name`` searched to its end for DOCTYPE/ENTITY by the guard (so that it
        can declare no entity: the standard, C-accelerated parser is safe on it)?"""
        return name in self._kept

    def read(self, name: str) -> bytes:
        if name in self._kept:
            return self._kept[name]
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.filename)
        return read_part(self._zip, name)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None


Archive = zipfile.ZipFile | Parts


def read_part(zf: Archive, name: str) -> bytes:
    """The inflated bytes of the part ``name``; a part the workbook names but the archive
    lacks makes it a damaged file (:class:`UntrustedFileError`), not a ``KeyError``."""
    if isinstance(zf, Parts):
        return zf.read(name)
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise UntrustedFileError(zf.filename or "", f"archivio .xlsx danneggiato: manca la "
                                                    f"parte {name}") from None
    return zf.read(info)


def _parse(zf: Archive, name: str) -> Element:
    """A small XML part as a tree: with defusedxml, or, for a part the guard searched for
    declarations, with the standard parser (twice as fast; without a DTD no entity can
    be declared, docs/security.md)."""
    data = read_part(zf, name)
    if isinstance(zf, Parts) and zf.guarded(name):
        return StandardElementTree.fromstring(data)
    return ElementTree.fromstring(data)


def read_index(zf: Archive) -> PackageIndex:
    index = PackageIndex()
    workbook = _parse(zf, "xl/workbook.xml")
    rels = _parse(zf, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", NS)}
    for sheet in workbook.findall("m:sheets/m:sheet", NS):
        target = targets.get(sheet.get(R_ID), "")
        part = target.lstrip("/") if target.startswith("/") else str(
            PurePosixPath("xl") / target)
        name = sheet.get("name", "")
        index.sheets[name] = part
        index.states[name] = sheet.get("state", "visible")
    for defined in workbook.findall("m:definedNames/m:definedName", NS):
        if defined.get("localSheetId") is not None:
            continue
        split = split_reference(defined.text or "")
        if split:
            index.names[defined.get("name", "")] = split
    return index


# A formula cell: its opening tag, then its <f> element, first in the cell. The tag's
# attributes are matched possessively (no backtracking into them when the cell holds no
# formula, which was most of the scan) and searched for r="…" only in formula cells; a
# formula's text holds no raw "<" in well-formed XML.
_FORMULA_CELL = re.compile(rb'<c\b([^>]*+)>\s*+<f\b((?:[^>/]|/(?!>))*+)(?:/>|>([^<]*+)</f>)')
_SHARED_INDEX = re.compile(rb'\bsi="(\d+)"')
_SHARED = re.compile(rb'\bt="shared"')


_CELL = re.compile(rb'<c\b([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_COORD_ATTR = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb'<v>([^<]*)</v>')


_OTHER_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)")


def _unescape(text: str) -> str:
    """``html.unescape`` of a formula's XML text, without its cost when the text holds only
    the five XML entities (formulas quote their texts: ``&quot;`` is in most of them)."""
    if "&" not in text:
        return text
    if _OTHER_REFERENCE.search(text):
        return html.unescape(text)
    return (text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def sheet_error_cells(zf: Archive, part: str, data: bytes | None = None
                      ) -> dict[str, str]:
    """Coordinate → error code (``#DIV/0!``, ``#N/A``…) of every cell that holds an error
    value (``t="e"``). calamine reads those cells as empty: an error typed or pasted into
    an input cell would otherwise look like a value not yet typed (docs/security.md)."""
    data = read_part(zf, part) if data is None else data
    if b't="e"' not in data:
        return {}
    found: dict[str, str] = {}
    for cell in _CELL.finditer(data):
        attrs, inner = cell.group(1), cell.group(2) or b""
        coord, value = _COORD_ATTR.search(attrs), _VALUE.search(inner)
        if _ERROR_TYPE.search(attrs) and coord and value:
            found[coord.group(1).decode()] = html.unescape(value.group(1).decode("utf-8",
                                                                               "replace"))
    return found


#: Formula cells as found in a sheet part → (coordinate, formula text, shared index): the
#: same bytes recur in every workbook of one layout (a consolidation reads hundreds), so
#: each is decoded once per process. Bounded: cleared when full.
_FORMULA_MEMO: dict[tuple[bytes, bytes, bytes], tuple[str | None, str, bytes | None]] = {}
_FORMULA_MEMO_SIZE = 200_000


def _formula_cell(zf: Archive, part: str, cell: bytes, attrs: bytes, text: bytes
                  ) -> tuple[str | None, str, bytes | None]:
    found = _COORD_ATTR.search(cell)
    if found is None:                      # no reference: not a cell a reader places
        return None, "", None
    coord = found.group(1).decode()
    try:
        formula = "=" + _unescape(text.decode()) if text else ""
    except UnicodeDecodeError:
        raise UntrustedFileError(zf.filename or "", f"archivio .xlsx danneggiato: la "
                                                    f"formula della cella {coord} di {part} "
                                                    "non è testo UTF-8") from None
    shared = _SHARED_INDEX.search(attrs) if attrs and _SHARED.search(attrs) else None
    return coord, formula, shared.group(1) if shared else None


def sheet_formulas(zf: Archive, part: str, data: bytes | None = None) -> dict[str, str]:
    """Coordinate → formula text (with the leading ``=``) of every formula cell of a sheet.

    ``data`` is the part's content when the caller already inflated it.
    """
    data = read_part(zf, part) if data is None else data
    formulas: dict[str, str] = {}
    shared: dict[bytes, tuple[str, str]] = {}
    memo = _FORMULA_MEMO
    for found in _FORMULA_CELL.findall(data):
        cell = memo.get(found)
        if cell is None:
            cell = _formula_cell(zf, part, *found)
            if len(memo) >= _FORMULA_MEMO_SIZE:
                memo.clear()
            memo[found] = cell
        coord, formula, key = cell
        if coord is None:
            continue
        if key is not None:
            if formula:
                shared[key] = (coord, formula)
            elif key in shared:
                origin, master = shared[key]
                # openpyxl only for files with shared formulas: the command line starts
                # without it
                from openpyxl.formula.tokenizer import TokenizerError
                from openpyxl.formula.translate import Translator
                try:
                    formula = Translator(master, origin=origin).translate_formula(coord)
                except (TokenizerError, ValueError) as exc:
                    raise UntrustedFileError(zf.filename or "", f"formula condivisa illeggibile "
                                                                f"nella cella {coord} di {part} "
                                                                f"({exc})") from None
        if formula:
            formulas[coord] = formula
    return formulas
