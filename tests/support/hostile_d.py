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
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

from support.hostile_b import cell_value
from support.hostile_c import (
    describe,
    generate,
    input_cell,
    plan_data,
    rewrite_zip,
    run,
    sheet_part,
    traceback_free,
    type_input,
    write_plan,
)

VENV_BIN = Path(sys.executable).parent
CRUSCOTTO = str(VENV_BIN / "cruscotto")

__all__ = ["CRUSCOTTO", "cell_value", "describe", "fill", "generate", "is_workbook",
           "make_returns", "oversized_plan_part", "plan_data", "rewrite_zip", "run",
           "run_process", "sheet_part", "traceback_free", "type_input", "write_plan"]


def run_process(*args: object, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    """`cruscotto ARGS` in a separate process (console script of the venv)."""
    return subprocess.run([CRUSCOTTO, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, **kw)


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
