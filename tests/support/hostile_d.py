"""Helpers of group D's hostile-input tests (issue 15: returned files, concurrency, disks,
plan files). Everything goes through the `cruscotto` CLI (typer's CliRunner on
`cruscotto_xl.cli.app`, or a subprocess of the installed console script) and public file
formats: plan files (JSON/YAML), the generated .xlsx (sheets, Excel tables by their header
row, defined names), the .eml drafts. No internal module is imported here except
`cruscotto_xl.cli.app`, the CLI's entry point.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app

VENV_BIN = Path(sys.executable).parent
CRUSCOTTO = str(VENV_BIN / "cruscotto")

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
    """`cruscotto ARGS` in this process; exceptions are kept in ``result.exception``."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def run_process(*args: object, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    """`cruscotto ARGS` in a separate process (console script of the venv)."""
    return subprocess.run([CRUSCOTTO, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, **kw)


def traceback_free(result) -> bool:
    """True when the command ended through its own exit (no uncaught exception)."""
    return result.exception is None or isinstance(result.exception, SystemExit)


def describe(result) -> str:
    """What a failing assertion shows: the exception's last line, or the output."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"{type(result.exception).__name__}: {result.exception}"
    return f"exit {result.exit_code}: {result.output[-2000:]}"


def generate(plan: Path, out: Path, *extra: object, per_office: bool = True) -> dict[str, Path]:
    """`cruscotto genera` → {office (from the hidden sheet's crx_ufficio): path}."""
    args = ["genera", plan, "--out", out, *extra]
    if per_office:
        args.append("--per-ufficio")
    result = run(*args)
    assert result.exit_code == 0 and traceback_free(result), describe(result)
    return {office_of(p): p for p in sorted(out.glob("*.xlsx"))}


def _named_cell(wb, name: str):
    dn = wb.defined_names[name]
    sheet, coord = next(iter(dn.destinations))
    return wb[sheet][coord.replace("$", "").split(":")[0]]


def office_of(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return _named_cell(wb, "crx_ufficio").value or ""


def input_cell(path: Path, code: str, header: str = "Consuntivo") -> tuple[str, str]:
    """(sheet, coordinate) of column ``header`` in the indicator table row of ``code``
    (found by the Excel tables crx_ind_* and their header row: the workbook contract)."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if not table.name.startswith("crx_ind_"):
                continue
            (c0, r0, c1, r1) = openpyxl.utils.cell.range_boundaries(table.ref)
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


def cell_value(path: Path, code: str, header: str = "Consuntivo") -> object:
    sheet, coord = input_cell(path, code, header)
    return openpyxl.load_workbook(path)[sheet][coord].value


def sheet_part(path: Path, sheet: str) -> str:
    """Zip part name of worksheet ``sheet`` (workbook.xml + its relationships)."""
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


def set_cell_xml(path: Path, code: str, xml_value: str, header: str = "Consuntivo",
                 attrs: str = "", inline: bool = False) -> None:
    """Put a raw ``<c r=…{attrs}><v>{xml_value}</v></c>`` into the input cell of ``code``:
    what Excel or another program may store there (NaN, 1e999, an error value…); with
    ``inline``, the text ``xml_value`` as an inline string (``_x000B_`` escapes kept)."""
    sheet, coord = input_cell(path, code, header)
    part = sheet_part(path, sheet)
    cell = (f'<c r="{coord}" t="inlineStr"><is><t>{xml_value}</t></is></c>' if inline
            else f'<c r="{coord}"{attrs}><v>{xml_value}</v></c>').encode()

    def edit(data: bytes) -> bytes:
        new, n = re.subn(rb'<c r="' + coord.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)',
                         lambda m: cell, data, count=1, flags=re.S)
        assert n == 1, coord
        return new
    rewrite_zip(path, {part: edit})


def well_formed(path: Path) -> list[str]:
    """Parts of ``path`` that are not well-formed XML (expat, as Excel's parser is strict)."""
    import xml.parsers.expat
    bad = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not (name.endswith(".xml") or name.endswith(".rels")):
                continue
            parser = xml.parsers.expat.ParserCreate()
            try:
                parser.Parse(zf.read(name), True)
            except xml.parsers.expat.ExpatError as exc:
                bad.append(f"{name}: {exc}")
    return bad


def make_returns(tmp_path):
    """The small plan and its two office workbooks, K1=120, K2=8, K3=12 typed.
    Returns (plan_path, folder, {office: path})."""
    plan = write_plan(tmp_path, plan_data())
    folder = tmp_path / "ritorni"
    books = generate(plan, folder)
    type_input(books["Ufficio A"], "K1", 120)
    type_input(books["Ufficio A"], "K2", 8)
    type_input(books["Ufficio B"], "K3", 12)
    return plan, folder, books


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` so that about ``leave`` bytes stay free."""
    import os
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    filler = folder / "riempitivo.bin"
    filler.write_bytes(b"\0" * max(0, free - leave))
    return filler


def is_workbook(path: Path) -> bool:
    """A complete .xlsx: a zip whose members all inflate (CRC checked)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None and "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


# ------------------------------------------------------------ hidden plan part (cause 11)

def oversized_plan_part(path: Path, megabytes: float) -> int:
    """Replace the plan part of the hidden sheet (defined name crx_dati_piano, zlib + base64
    in chunks of ≤ 30,000 characters) with a valid plan of ``megabytes`` of JSON (the
    same objective repeated), and change one locked cell so the readers decode it.
    Returns the size of the encoded text."""
    import base64
    import zlib
    d = plan_data()
    obj = d["ambiti"][0]["obiettivi"][0]
    unit = len(json.dumps(obj, separators=(",", ":")))
    d["ambiti"][0]["obiettivi"] = [obj] * int(megabytes * 2**20 // unit)
    raw = json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode()
    text = base64.b64encode(zlib.compress(raw, 9)).decode()
    chunks = [text[i:i + 30000] for i in range(0, len(text), 30000)]
    sheet_t, target = input_cell(path, "K1", "Target")
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names["crx_dati_piano"].destinations))
    col = re.match(r"\$?([A-Z]+)", ref).group(1)
    for i, chunk in enumerate(chunks, 1):
        wb[sheet][f"{col}{i}"] = chunk
    wb.defined_names["crx_dati_piano"].attr_text = f"'{sheet}'!${col}$1:${col}${len(chunks)}"
    wb[sheet_t][target] = ">= 1"          # a locked cell changed: the plan part is decoded
    wb.save(path)
    return len(text)
