"""Helpers of the hostile-input tests of group C (what the tool writes into workbooks:
roll-up formulas, sheet names, control characters, texts Excel cannot hold).

Everything goes through the ``cruscotto`` CLI (typer's CliRunner on the app) and public
file formats: plan files (JSON), the generated .xlsx (sheets, Excel tables by their header
row, defined names) and the raw XML parts of the package.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.parsers.expat
import zipfile
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app

OFFICES = {"Ufficio A": "a@cciaa.invalid", "Ufficio B": "b@cciaa.invalid"}

BASE_PLAN = {
    "ente": "Camera di prova", "anno": 2024, "id": "prova-2024",
    "uffici": [{"nome": n, "email": m, "responsabile": f"Responsabile {n[-1]}"}
               for n, m in OFFICES.items()],
    "ambiti": [{"codice": "A1", "titolo": "Competitività", "obiettivi": [
        {"codice": "OS1", "titolo": "Servizi alle imprese", "peso": 60,
         "uffici": ["Ufficio A"], "indicatori": [
             {"codice": "K1", "nome": "Pratiche evase", "peso": 50,
              "target": {"2024": ">= 100"}},
             {"codice": "K2", "nome": "Tempi medi", "peso": 50, "unita": "gg",
              "target": {"2024": "<= 10 gg"}}]},
        {"codice": "OS2", "titolo": "Promozione", "peso": 40, "uffici": ["Ufficio B"],
         "indicatori": [
             {"codice": "K3", "nome": "Eventi organizzati", "target": {"2024": ">= 10"}}]},
    ]}],
}


def plan_data() -> dict:
    """A fresh copy of the small two-office plan (to be changed by a test)."""
    return deepcopy(BASE_PLAN)


def write_plan(folder: Path, data: object, name: str = "piano.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        import yaml
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    return path


def run(*args: object, input: str | None = None):
    """``cruscotto ARGS`` in this process; exceptions are kept in ``result.exception``."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def traceback_free(result) -> bool:
    """True when the command ended through its own exit (no uncaught exception)."""
    return result.exception is None or isinstance(result.exception, SystemExit)


def describe(result) -> str:
    """What a failing assertion shows: the exception's last line, or the output."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"{type(result.exception).__name__}: {result.exception}"
    return f"exit {result.exit_code}: {result.output[-2000:]}"


def _named_cell(wb, name: str):
    sheet, coord = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][coord.replace("$", "").split(":")[0]]


def office_of(path: Path) -> str:
    return _named_cell(openpyxl.load_workbook(path), "crx_ufficio").value or ""


def generate(plan: Path, out: Path, *extra: object, per_office: bool = True) -> dict[str, Path]:
    """``cruscotto genera`` → {office (from the hidden sheet's crx_ufficio): path}."""
    args = ["genera", plan, "--out", out, *extra]
    if per_office:
        args.append("--per-ufficio")
    result = run(*args)
    assert result.exit_code == 0 and traceback_free(result), describe(result)
    return {office_of(p): p for p in sorted(out.glob("*.xlsx"))}


def input_cell(path: Path, code: str, header: str = "Consuntivo") -> tuple[str, str]:
    """(sheet, coordinate) of column ``header`` in the row of ``code`` of an indicator
    table ``crx_ind_*`` (found by the tables and their header row: the workbook contract)."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if not table.name.startswith("crx_ind_"):
                continue
            c0, r0, c1, r1 = range_boundaries(table.ref)
            headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
            col = c0 + headers.index(header)
            for r in range(r0 + 1, r1 + 1):
                if ws.cell(r, c0).value == code:
                    return ws.title, ws.cell(r, col).coordinate
    raise AssertionError(f"{code} not found in {path.name}")


def type_input(path: Path, code: str, value: object, header: str = "Consuntivo") -> None:
    """Type ``value`` into an input cell with openpyxl and save, as a user's program would."""
    sheet, coord = input_cell(path, code, header)
    wb = openpyxl.load_workbook(path)
    wb[sheet][coord] = value
    wb.save(path)


def sheet_part(path: Path, sheet: str) -> str:
    """Zip part name of worksheet ``sheet`` (workbook.xml and its relationships)."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = None
    for m in re.finditer(r"<sheet\b[^>]*>", book):
        tag = m.group(0)
        name = re.search(r'name="([^"]*)"', tag).group(1)
        name = (name.replace("&apos;", "'").replace("&quot;", '"').replace("&lt;", "<")
                .replace("&gt;", ">").replace("&amp;", "&"))
        if name == sheet:
            rid = re.search(r'r:id="([^"]*)"', tag).group(1)
    assert rid, sheet
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        if f'Id="{rid}"' in tag:
            target = re.search(r'Target="([^"]*)"', tag).group(1)
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise AssertionError(rid)


def rewrite_zip(path: Path, replace: dict[str, Callable[[bytes], bytes]]) -> None:
    """Rewrite parts of the package ``path`` in place (byte-level edits)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in replace:
                data = replace[info.filename](data)
            zo.writestr(info.filename, data)
    shutil.move(tmp, path)


def replace_cell(path: Path, code: str, header: str, cell_xml: str) -> None:
    """Replace the whole ``<c>`` element of column ``header`` of indicator ``code`` with
    ``cell_xml`` (``{coord}`` in it is the cell's coordinate), in the sheet XML itself:
    what Excel or another program may store there, beyond what openpyxl can write."""
    sheet, coord = input_cell(path, code, header)
    cell = cell_xml.format(coord=coord).encode()

    def edit(data: bytes) -> bytes:
        new, n = re.subn(rb'<c r="' + coord.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)',
                         lambda m: cell, data, count=1, flags=re.S)
        assert n == 1, coord
        return new
    rewrite_zip(path, {sheet_part(path, sheet): edit})


def set_inline_text(path: Path, code: str, xml_text: str, header: str = "Consuntivo") -> None:
    """Put the inline string ``xml_text`` (``_x000B_`` escapes kept as written) into the
    input cell of ``code``: what Excel stores for a text pasted from Word."""
    replace_cell(path, code, header,
                 '<c r="{coord}" t="inlineStr"><is><t>' + xml_text.replace("{", "{{")
                 .replace("}", "}}") + "</t></is></c>")


def not_well_formed(path: Path) -> list[str]:
    """Parts of ``path`` that are not well-formed XML (expat: Excel's parser is as strict)."""
    bad = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            parser = xml.parsers.expat.ParserCreate()
            try:
                parser.Parse(zf.read(name), True)
            except xml.parsers.expat.ExpatError as exc:
                bad.append(f"{name}: {exc}")
    return bad


def sheet_names_in(path: Path) -> list[str]:
    """The sheet names of ``path`` as workbook.xml declares them (unescaped by expat)."""
    names: list[str] = []
    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = (
        lambda tag, attrs: names.append(attrs["name"]) if tag == "sheet" else None)
    with zipfile.ZipFile(path) as zf:
        parser.Parse(zf.read("xl/workbook.xml"), True)
    return names
