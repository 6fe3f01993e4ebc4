"""Hostile files (docs/security.md, the issue's acceptance).

"A 10 MB zip that inflates to > 1 GB, a sheet declaring dimension ``A1:XFD1048576``, a
``<!DOCTYPE`` with entities, a renamed ``.txt``, a ``.xlsm``: each refused with a clear
message; memory stays bounded; consolidation of the remaining files completes."

Every hostile file is built here from a real office workbook of the example plan. The zip
bomb is honest: a real worksheet part padded with > 1 GB of whitespace (still well-formed
XML), streamed through deflate so that neither RAM nor disk ever holds the gigabyte.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from support import ROOT
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import typed_from_plan
from cruscotto_xl.core.tree import plan_for_office
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns.consolidate import MISSING, REFUSED, RETURNED, consolidate, write_master
from cruscotto_xl.returns.guard import UntrustedFileError, check_package
from cruscotto_xl.returns.package import read_index
from cruscotto_xl.returns.read import NotOurWorkbookError, read_workbook
from cruscotto_xl.returns.refresh import refresh_workbook
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook

PLAN_FILE = ROOT / "examples" / "piano-operativo-2023.yaml"
YEAR = 2023
MISSING_OFFICE = "Comunicazione"   # did not return its workbook; its hostile copies are refused

MB = 2**20
GB = 10**9
BOMB_CHUNK = 16 * MB
BOMB_CHUNKS = 64                  # 64 × 16 MiB = 1 GiB of whitespace > 1 GB
BOMB_LEVEL = 1                    # deflate level: 2× faster than 9; ~4.5 MB instead of ~1 MB
MEMORY_BUDGET = 50 * MB           # growth of the peak RSS while refusing one hostile file


# --------------------------------------------------------------------------- helpers


def rewrite(src: Path, dst: Path, replace: dict[str, bytes | Callable[[bytes], bytes]] | None
            = None, add: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
            level: int | None = None) -> Path:
    """Copy the package ``src`` to ``dst`` part by part, replacing, adding or dropping parts."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED,
                                                      compresslevel=level) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            change = replace.get(info.filename)
            if change is not None:
                data = change(data) if callable(change) else change
            zout.writestr(info.filename, data)
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def sheet_part(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return read_index(zf).sheets[sheet]


def _status_kb(field: str) -> int:
    """A memory figure of this process from /proc (bytes); 0 where there is no /proc."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False when not permitted."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Peak:
    rss_growth: int      # peak RSS during the call minus RSS before it (bytes)
    python_peak: int     # tracemalloc peak of Python allocations during the call (bytes)
    exact: bool          # False: VmHWM could not be reset, growth is over the previous peak
                         # (and 0 without /proc: then only the tracemalloc figure counts)


def measure(call: Callable[[], object]) -> Peak:
    """Peak memory of ``call`` (its exceptions are swallowed: callers assert on them)."""
    exact = _reset_peak_rss()
    before = _status_kb("VmRSS") if exact else _status_kb("VmHWM")
    tracemalloc.start()
    try:
        call()
    except Exception:
        pass
    finally:
        _, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return Peak(max(0, _status_kb("VmHWM") - before), python_peak, exact)


def refusal(path: Path) -> Exception:
    """The exception ``read_workbook`` raises for ``path`` (fails if it reads it)."""
    with pytest.raises((UntrustedFileError, NotOurWorkbookError)) as info:
        read_workbook(path)
    return info.value


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def plan():
    return load_plan(PLAN_FILE)


@pytest.fixture(scope="session")
def office_books(plan, tmp_path_factory) -> dict[str, Path]:
    """The 8 office workbooks of the example, filled with the plan's 2023 actuals."""
    folder = tmp_path_factory.mktemp("generate")
    typed = typed_from_plan(plan, YEAR)
    books = {}
    for office, path in workbook_jobs(plan, folder, per_office=True):
        assert office is not None
        write_workbook(plan, path, office=office)
        fill_workbook(path, typed)
        books[office] = path
    return books


@pytest.fixture(scope="session")
def source(office_books) -> Path:
    """The workbook every hostile file is made from (the office that did not return)."""
    return office_books[MISSING_OFFICE]


@dataclass
class Bomb:
    path: Path
    compressed: int      # size of the .xlsx on disk
    inflated: int        # sum of the declared sizes of its parts
    part: str
    seconds: float


def _padded_sheet(data: bytes, out: zipfile.ZipFile, name: str) -> None:
    """Write ``data`` with > 1 GB of whitespace inside ``<sheetData>``, 16 MiB at a time."""
    head, sep, tail = data.partition(b"<sheetData>")
    assert sep, "worksheet part without <sheetData>"
    chunk = b" " * BOMB_CHUNK
    with out.open(name, "w") as f:   # < 2 GiB: no zip64 needed, a plain zip every tool reads
        f.write(head + sep)
        for _ in range(BOMB_CHUNKS):
            f.write(chunk)
        f.write(tail)


@pytest.fixture(scope="session")
def bomb(source, tmp_path_factory) -> Bomb:
    """A valid-looking office workbook whose ``Riepilogo`` sheet inflates to > 1 GB."""
    path = tmp_path_factory.mktemp("bomb") / "bomba.xlsx"
    part = sheet_part(source, "Riepilogo")
    start = time.perf_counter()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED, compresslevel=BOMB_LEVEL) as zout:
        for info in zin.infolist():
            if info.filename == part:
                _padded_sheet(zin.read(info), zout, part)
            else:
                zout.writestr(info.filename, zin.read(info))
    seconds = time.perf_counter() - start
    with zipfile.ZipFile(path) as zf:
        inflated = sum(i.file_size for i in zf.infolist())
    return Bomb(path, path.stat().st_size, inflated, part, seconds)


@dataclass(frozen=True)
class Hostile:
    error: type[Exception]
    words: tuple[str, ...]       # what the message must say (besides the file name)


def _billion_laughs(data: bytes) -> bytes:
    entities = ['<!ENTITY a "aaaaaaaaaa">'] + [
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi",
                                                                  strict=True)]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>".encode()
    laugh = b'<row r="10000"><c r="A10000" t="inlineStr"><is><t>&i;</t></is></c></row>'
    return doctype + data.replace(b"</sheetData>", laugh + b"</sheetData>")


def _xxe(data: bytes) -> bytes:
    return (b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + data.replace(b"<workbookPr", b"<!-- &xxe; --><workbookPr", 1))


def _whole_sheet(data: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data, count=1)


def _macro_types(data: bytes) -> bytes:
    return data.replace(b"spreadsheetml.sheet.main+xml",
                        b"ms-excel.sheet.macroEnabled.main+xml")


#: file name → what reading it must raise and say
HOSTILE: dict[str, Hostile] = {
    "bomba.xlsx": Hostile(UntrustedFileError, ("si espande a 1.024 MB", "rifiutato")),
    "bomba-rapporto.xlsx": Hostile(UntrustedFileError, ("rapporto di compressione anomalo",
                                                        "zip bomb")),
    "bomba-totale.xlsx": Hostile(UntrustedFileError, ("l'archivio si espande a 210 MB",
                                                     "zip bomb")),
    "dimensione.xlsx": Hostile(UntrustedFileError, ("A1:XFD1048576", "molto oltre",
                                                   "rifiutato")),
    "entita.xlsx": Hostile(UntrustedFileError, ("DOCTYPE/ENTITY", "XXE", "rifiutato")),
    "xxe.xlsx": Hostile(UntrustedFileError, ("xl/workbook.xml", "DOCTYPE/ENTITY", "XXE")),
    "appunti.xlsx": Hostile(UntrustedFileError, ("non è una cartella di lavoro .xlsx",
                                                "file di testo")),
    "vecchio.xls": Hostile(UntrustedFileError, ("formato .xls",)),
    "vecchio-rinominato.xlsx": Hostile(UntrustedFileError, ("formato .xls",)),
    "macro.xlsm": Hostile(UntrustedFileError, ("macro", ".xlsm", "non accettato")),
    "vba.xlsx": Hostile(UntrustedFileError, ("macro VBA", "non accettato")),
    "tipo-macro.xlsx": Hostile(UntrustedFileError, ("macro", ".xlsm", "non accettata")),
    "percorso.xlsx": Hostile(UntrustedFileError, ("percorso non ammesso", "../../evil.xml")),
    "troncato.xlsx": Hostile(UntrustedFileError, ("archivio .xlsx danneggiato",)),
    "altro.xlsx": Hostile(NotOurWorkbookError, ("non è una cartella generata da cruscotto_xl",
                                               "_cruscotto")),
}

OLE_HEADER = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)


def _build_hostile(name: str, src: Path, bomb: Bomb, folder: Path) -> Path:
    out = folder / name
    meta, summary = sheet_part(src, "_cruscotto"), sheet_part(src, "Riepilogo")
    if name == "bomba.xlsx":
        shutil.copyfile(bomb.path, out)
    elif name == "bomba-rapporto.xlsx":           # one 50 MiB part: under the part limit
        rewrite(src, out, {summary: lambda d: d.replace(
            b"<sheetData>", b"<sheetData>" + b" " * (50 * MB), 1)})
    elif name == "bomba-totale.xlsx":             # 210 parts of 1 MiB: each under every limit
        rewrite(src, out, add={f"customXml/item{i}.xml": b" " * MB for i in range(210)},
                level=1)
    elif name == "dimensione.xlsx":
        rewrite(src, out, {summary: _whole_sheet})
    elif name == "entita.xlsx":
        rewrite(src, out, {meta: _billion_laughs})
    elif name == "xxe.xlsx":
        rewrite(src, out, {"xl/workbook.xml": _xxe})
    elif name == "appunti.xlsx":
        out.write_text("Consuntivi 2023 dell'ufficio Comunicazione: vedi allegato.\n",
                       encoding="utf-8")
    elif name in ("vecchio.xls", "vecchio-rinominato.xlsx"):
        out.write_bytes(OLE_HEADER + bytes(4096))
    elif name == "macro.xlsm":
        shutil.copyfile(src, out)
    elif name == "vba.xlsx":
        rewrite(src, out, add={"xl/vbaProject.bin": OLE_HEADER})
    elif name == "tipo-macro.xlsx":
        rewrite(src, out, {"[Content_Types].xml": _macro_types})
    elif name == "percorso.xlsx":
        rewrite(src, out, add={"../../evil.xml": b"<x/>"})
    elif name == "troncato.xlsx":
        out.write_bytes(src.read_bytes()[:1000])
    elif name == "altro.xlsx":
        wb = openpyxl.Workbook()
        wb.active["A1"] = "Consuntivi 2023"
        wb.active["B2"] = 97.5
        wb.save(out)
    else:  # pragma: no cover
        raise AssertionError(name)
    return out


@pytest.fixture(scope="session")
def hostile_dir(source, bomb, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name in HOSTILE:
        _build_hostile(name, source, bomb, folder)
    return folder


@pytest.fixture(scope="session")
def returns(office_books, hostile_dir, tmp_path_factory) -> Path:
    """What came back by e-mail: every office but one, plus every hostile file and a note."""
    folder = tmp_path_factory.mktemp("ritorni")
    for office, path in office_books.items():
        if office != MISSING_OFFICE:
            shutil.copy2(path, folder / path.name)
    for path in hostile_dir.iterdir():
        shutil.copy2(path, folder / path.name)
    (folder / "leggimi.txt").write_text("Ecco i file.\n", encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- the files


def test_the_bomb_is_a_10_mb_zip_that_inflates_to_more_than_1_gb(bomb):
    assert bomb.compressed <= 10 * MB
    assert bomb.inflated > GB
    with zipfile.ZipFile(bomb.path) as zf:
        info = zf.getinfo(bomb.part)
        assert info.file_size > GB
        assert info.file_size / info.compress_size > 200
        # the rest of the package is the genuine workbook: only the size gives it away
        assert {"[Content_Types].xml", "xl/workbook.xml"} <= set(zf.namelist())
    print(f"\nbomba: {bomb.compressed / MB:.2f} MB → {bomb.inflated / MB:.0f} MiB "
          f"({bomb.inflated / GB:.2f} GB), costruita in {bomb.seconds:.1f} s")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_is_refused_with_a_clear_italian_message(hostile_dir, name):
    path = hostile_dir / name
    expected = HOSTILE[name]
    exc = refusal(path)
    assert type(exc) is expected.error
    message = str(exc)
    assert message.startswith(f"{name}: "), message
    for word in expected.words:
        assert word in message, message
    assert str(hostile_dir) not in message         # the name, not the full path
    if expected.error is UntrustedFileError:
        assert isinstance(exc, UntrustedFileError)
        assert exc.path == path
        with pytest.raises(UntrustedFileError):   # refused by the guard, before any parser
            check_package(path)
    else:
        check_package(path)                       # safe, just not ours


@pytest.mark.parametrize("name", list(HOSTILE))
def test_memory_stays_bounded_while_refusing(hostile_dir, name):
    peak = measure(lambda: read_workbook(hostile_dir / name))
    assert peak.rss_growth < MEMORY_BUDGET, peak
    assert peak.python_peak < MEMORY_BUDGET, peak


def test_refusing_the_bomb_is_fast_and_reads_nothing_of_it(bomb):
    start = time.perf_counter()
    peak = measure(lambda: read_workbook(bomb.path))
    seconds = time.perf_counter() - start
    with pytest.raises(UntrustedFileError, match=r"si espande a 1\.024 MB"):
        read_workbook(bomb.path)
    assert seconds < 1.0
    assert peak.rss_growth < 10 * MB, peak
    assert peak.python_peak < 1 * MB, peak
    print(f"\nbomba rifiutata in {seconds * 1000:.0f} ms; picco RSS +{peak.rss_growth / MB:.1f} "
          f"MiB (azzerato: {peak.exact}), picco Python {peak.python_peak / 1024:.0f} KiB")


def test_a_valid_office_workbook_passes_the_guard(source):
    check_package(source)
    assert read_workbook(source).identity.office == MISSING_OFFICE


# --------------------------------------------------------------------------- consolidation


def test_consolidation_of_the_remaining_files_completes(plan, returns, office_books, tmp_path):
    start = time.perf_counter()
    result = None

    def run():
        nonlocal result
        result = consolidate(returns, plan)

    peak = measure(run)
    seconds = time.perf_counter() - start
    assert result is not None
    by_location: dict[str, list[str]] = {}
    for p in result.problems:
        by_location.setdefault(p.location, []).append(p.message)

    # every hostile file: refused, named, with the reason of its refusal
    refused = {s.file for s in result.statuses if s.state == REFUSED}
    for name, expected in HOSTILE.items():
        messages = by_location.get(name, [])
        assert any(m.startswith(f"file rifiutato: {name}: ") and expected.words[0] in m
                   for m in messages), (name, messages)
        assert next(p for p in result.problems if p.location == name).severity == "errore"
        assert name in refused
    assert result.files == len(HOSTILE) + len(office_books) - 1
    assert "file ignorato" in by_location["leggimi.txt"][0]

    # the valid offices are merged, with the values they typed
    present = [o for o in office_books if o != MISSING_OFFICE]
    states = {s.office: s.state for s in result.statuses}
    assert {o: states.get(o) for o in present} == dict.fromkeys(present, RETURNED)
    expected = typed_from_plan(plan, YEAR)
    merged = 0
    for office in present:
        for slot in plan_for_office(plan, office).indicators():
            code = slot.indicator.code
            if code in expected and expected[code].actual is not None:
                assert result.typed[code].actual == expected[code].actual, code
                merged += 1
    assert merged > 0

    # the office whose only files were hostile is reported as missing
    assert states[MISSING_OFFICE] == MISSING
    assert "l'ufficio non ha restituito la cartella" in by_location[MISSING_OFFICE]

    # the master is written and is itself a workbook the reader accepts
    master = tmp_path / "cruscotto.xlsx"
    write_master(result, master)
    reading = read_workbook(master)
    assert reading.identity.office is None
    assert reading.identity.year == YEAR

    assert seconds < 20
    assert peak.rss_growth < 300 * MB, peak
    print(f"\nconsolidamento di {result.files} file in {seconds:.1f} s; picco RSS "
          f"+{peak.rss_growth / MB:.0f} MiB, picco Python {peak.python_peak / MB:.0f} MiB")


def test_cli_consolida_names_every_refused_file(plan, returns, tmp_path):
    out = tmp_path / "cruscotto.xlsx"
    result = CliRunner().invoke(app, ["consolida", str(returns), "--piano", str(PLAN_FILE),
                                      "--out", str(out), "--json"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)     # a clean exit, not a crash
    assert "Traceback" not in result.output
    for name in HOSTILE:
        assert f"file rifiutato: {name}: " in result.output, name
    master = read_workbook(out)          # the master is written all the same, from the rest
    assert master.is_master and master.identity.office is None
    assert (master.identity.plan_id, master.identity.year) == (plan.id, YEAR)


def test_cli_consolida_table_output(returns, tmp_path):
    out = tmp_path / "cruscotto.xlsx"
    result = CliRunner().invoke(app, ["consolida", str(returns), "--piano", str(PLAN_FILE),
                                      "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    flat = re.sub(r"\s+", "", result.output)           # the table may wrap long cells
    for name in HOSTILE:
        assert name in flat, name
    assert "rifiutata" in result.output and "mancante" in result.output


def test_cli_controlla_refuses_each_hostile_file(hostile_dir):
    paths = [str(hostile_dir / name) for name in HOSTILE]
    result = CliRunner().invoke(app, ["controlla", *paths, "--json"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for name in HOSTILE:
        assert f"file rifiutato: {name}: " in result.output, name


# --------------------------------------------------------------------------- ricalcola


@pytest.mark.parametrize("name", list(HOSTILE))
def test_refresh_refuses_and_leaves_the_file_untouched(hostile_dir, tmp_path, name):
    folder = tmp_path / "cartella"
    folder.mkdir()
    path = folder / name
    shutil.copy2(hostile_dir / name, path)
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises((UntrustedFileError, NotOurWorkbookError), match=re.escape(name)):
        refresh_workbook(path)
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in folder.iterdir()) == [name]     # no temp file, no .bak


# ------------------------------------------------------------- past the head scan
#
# Files that pass the cheap head checks: a cell far beyond the declared dimension (calamine
# would allocate the whole grid and abort the process) and damaged packages that only the
# parsers notice. Each must be refused with a clear message naming the file.


FAR_CELL = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'

CONSOLIDATE_IN_CHILD = """
import sys
from pathlib import Path
try:                       # a runaway allocation must fail, not eat the machine's memory
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))
except (ImportError, ValueError, OSError):
    pass
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns.consolidate import consolidate
result = consolidate(Path(sys.argv[1]), load_plan(sys.argv[2]))
for p in result.problems:
    print(p.location, "|", p.message)
print("CONSOLIDATO", result.files)
"""


def test_a_far_away_cell_is_refused_and_does_not_kill_the_process(office_books, tmp_path):
    folder = tmp_path / "ritorni"
    folder.mkdir()
    src = office_books[MISSING_OFFICE]
    rewrite(src, folder / "cella-lontana.xlsx",
            {sheet_part(src, "_cruscotto"): lambda d: d.replace(b"</sheetData>", FAR_CELL)})
    other = next(p for o, p in office_books.items() if o != MISSING_OFFICE)
    shutil.copy2(other, folder / other.name)
    child = subprocess.run([sys.executable, "-c", CONSOLIDATE_IN_CHILD, str(folder),
                            str(PLAN_FILE)], capture_output=True, text=True, timeout=120,
                           cwd=ROOT, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert child.returncode == 0, (child.returncode, child.stderr[-500:])
    assert "CONSOLIDATO 2" in child.stdout
    assert "cella-lontana.xlsx | file rifiutato: cella-lontana.xlsx: " in child.stdout


def _late_doctype(data: bytes) -> bytes:
    """A DOCTYPE after 5 KB of comment: valid XML, past the guard's 4 KB head scan."""
    return (b"<!--" + b"x" * 5000 + b"-->"
            + b'<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa">]>' + data)


def _utf16_doctype(data: bytes) -> bytes:
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]>'
    return (text + data.decode("utf-8")).encode("utf-16")


def _corrupt_member(src: Path, out: Path) -> None:
    """Flip a byte inside the deflate data of xl/workbook.xml."""
    rewrite(src, out)
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo("xl/workbook.xml")
    data[info.header_offset + 30 + len(info.filename) + 40] ^= 0xFF
    out.write_bytes(bytes(data))


def _lying_size(src: Path, out: Path) -> None:
    """A sheet part that declares 8000 bytes and inflates to 2 MiB (both headers patched)."""
    part = sheet_part(src, "_cruscotto")
    rewrite(src, out, {part: lambda d: d.replace(b"<sheetData>", b"<sheetData>" + b" " * (
        2 * MB), 1)})
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, 8000)
    name = part.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + length]) == name:
            struct.pack_into("<I", data, at + 24, 8000)
        at = data.find(b"PK\x01\x02", at + 4)
    out.write_bytes(bytes(data))


DAMAGED: dict[str, Callable[[Path, Path], object]] = {
    "doctype-tardivo.xlsx": lambda s, o: rewrite(s, o, {"xl/workbook.xml": _late_doctype}),
    "doctype-utf16.xlsx": lambda s, o: rewrite(s, o, {"xl/workbook.xml": _utf16_doctype}),
    "membro-corrotto.xlsx": _corrupt_member,
    "senza-relazioni.xlsx": lambda s, o: rewrite(s, o, drop=("xl/_rels/workbook.xml.rels",)),
    "workbook-rotto.xlsx": lambda s, o: rewrite(s, o, {"xl/workbook.xml": b"<workbook"}),
    "dimensione-mentita.xlsx": _lying_size,
}


@pytest.fixture(scope="session")
def damaged_dir(source, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("danneggiati")
    for name, build in DAMAGED.items():
        build(source, folder / name)
    return folder


@pytest.mark.parametrize("name", list(DAMAGED))
def test_damaged_package_is_refused_with_a_clear_message(damaged_dir, name):
    exc = refusal(damaged_dir / name)
    assert str(exc).startswith(f"{name}: ")


def test_consolidation_survives_damaged_packages(plan, office_books, damaged_dir, tmp_path):
    """Damaged packages are refused one by one; the other files are still consolidated."""
    folder = tmp_path / "ritorni"
    folder.mkdir()
    for path in damaged_dir.iterdir():
        shutil.copy2(path, folder / path.name)
    other = next(p for o, p in office_books.items() if o != MISSING_OFFICE)
    shutil.copy2(other, folder / other.name)
    result = consolidate(folder, plan)
    states = {s.file: s.state for s in result.statuses}
    for name in DAMAGED:
        assert states[name] == REFUSED, name
        assert any(p.location == name and p.severity == "errore" for p in result.problems)
    assert states[other.name] == RETURNED
    write_master(result, tmp_path / "cruscotto.xlsx")


def test_cli_controlla_on_a_late_doctype_is_one_clean_line(damaged_dir):
    result = CliRunner().invoke(app, ["controlla", str(damaged_dir / "doctype-tardivo.xlsx")])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert "doctype-tardivo.xlsx" in result.output
