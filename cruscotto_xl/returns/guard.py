"""The guard in front of every parser: workbooks that come back by e-mail are untrusted.

Before openpyxl or calamine sees a file it must be a zip (not a renamed text or an old
``.xls``), not macro-enabled, of bounded size once inflated (no zip bomb), with no XML
``DOCTYPE``/``ENTITY`` (no XXE or entity expansion), and with sheet dimensions not far
beyond what the plan needs. Every part is read in bounded chunks (the DOCTYPE/ENTITY
search reads it to its end, in its own encoding), so a hostile 5 KB file cannot
exhaust memory. A refusal is an :class:`UntrustedFileError`
with an Italian message that names the file.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import ParseError

from ..core.vocabulary import format_number, plain_number
from ..errors import UserError
from ..workbook.layout import col_index, range_bounds

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam", ".xlsb"}
MACRO_TYPES = (b"macroEnabled", b"vbaProject")
HEAD_BYTES = 4096
CHUNK = 2**20


@dataclass(frozen=True)
class Limits:
    """What an office workbook may be. The defaults are far above any real one."""

    max_file_bytes: int = 30 * 2**20
    max_members: int = 5000
    max_total_bytes: int = 200 * 2**20     # inflated size of all parts
    max_part_bytes: int = 100 * 2**20
    max_ratio: float = 200.0               # inflated / compressed, for parts over 1 MB
    max_rows: int = 20000                  # declared sheet dimension
    max_cols: int = 200


class UntrustedFileError(UserError):
    """A file refused before parsing."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


_SEPARATORS = re.compile(r"[/\\]")
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


KEEP_SHEET_BYTES = 64 * 2**20
#: The small parts the reader needs besides the worksheets (sheet names, defined names).
KEEP_PARTS = frozenset({"xl/workbook.xml", "xl/_rels/workbook.xml.rels"})

#: What openpyxl raises on a damaged file that passed the guard (an unparsable or truncated
#: XML part, a part the archive lacks, an attribute of the wrong kind, an unknown
#: encoding), found by loading hundreds of corrupted copies of a generated workbook. Only
#: an openpyxl call may be guarded with it: around our own code it would hide our bugs.
OPENPYXL_ERRORS = (ParseError, LookupError, ValueError, TypeError, AttributeError,
                   zipfile.BadZipFile, zlib.error, EOFError)


def check_package(path: Path | str, limits: Limits | None = None) -> dict[str, bytes]:
    """Refuse a hostile or foreign file; when it looks sane, return the parts the reader
    needs: part name → inflated bytes.

    The guard inflates every worksheet anyway to find where its cells are, and scans the
    workbook part and its relationships; the reader reuses those bytes (worksheets up to
    64 MB in all) instead of opening the archive and inflating them again.
    """
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise UntrustedFileError(path, "file non trovato")
    if path.suffix.lower() in MACRO_SUFFIXES:
        raise UntrustedFileError(path, f"file con macro o binario ({path.suffix}): non accettato; "
                                       "salvarlo come «Cartella di lavoro di Excel (.xlsx)»")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise UntrustedFileError(path, f"file troppo grande ({format_number(size / 2**20, 1)} MB, "
                                       f"limite {plain_number(limits.max_file_bytes / 2**20, 0)}"
                                       " MB)")
    with path.open("rb") as f:
        magic = f.read(4)
    if magic == OLE_MAGIC:
        raise UntrustedFileError(path, "formato .xls o file protetto da password: salvarlo "
                                       "come .xlsx senza password")
    if magic != ZIP_MAGIC:
        raise UntrustedFileError(path, "non è una cartella di lavoro .xlsx (è un file di testo "
                                       "o di altro tipo rinominato)")
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_members(path, zf, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise UntrustedFileError(path, f"archivio .xlsx danneggiato ({exc})") from None


def _check_members(path: Path, zf: zipfile.ZipFile, limits: Limits) -> dict[str, bytes]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise UntrustedFileError(path, f"troppe parti nell'archivio ({len(infos)})")
    total = 0
    names = set()
    for info in infos:
        name = info.filename
        names.add(name)
        if name.startswith(("/", "\\")) or ".." in _SEPARATORS.split(name):
            raise UntrustedFileError(path, f"percorso non ammesso nell'archivio: {name}")
        if info.flag_bits & 0x1:
            raise UntrustedFileError(path, "archivio cifrato: salvarlo senza password")
        total += info.file_size
        if info.file_size > limits.max_part_bytes:
            size = plain_number(info.file_size / 2**20, 0)
            raise UntrustedFileError(path, f"la parte {name} si espande a "
                                           f"{size} MB: possibile «zip "
                                           "bomb», rifiutato")
        if info.file_size > 2**20 and info.file_size > limits.max_ratio * max(
                info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise UntrustedFileError(path, f"la parte {name} ha un rapporto di compressione "
                                           f"anomalo ({ratio}:1): possibile «zip bomb»")
    if total > limits.max_total_bytes:
        size, limit = (plain_number(total / 2**20, 0),
                       plain_number(limits.max_total_bytes / 2**20, 0))
        raise UntrustedFileError(path, f"l'archivio si espande a {size} MB "
                                       f"(limite {limit} MB): possibile "
                                       "«zip bomb»")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UntrustedFileError(path, "non è una cartella di lavoro Excel (.xlsx)")
    if "xl/vbaProject.bin" in names:
        raise UntrustedFileError(path, "contiene macro VBA: non accettato; salvarlo come .xlsx")
    sheets: dict[str, bytes] = {}
    kept = 0
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        with zf.open(info) as raw:        # each part is opened, and inflated, once
            part = _DeclarationScanner(path, info.filename, raw)
            first = part.read(CHUNK)          # shorter than CHUNK: the whole part
            head = first[:HEAD_BYTES]
            if info.filename == "[Content_Types].xml" and any(t in head for t in MACRO_TYPES):
                raise UntrustedFileError(path, "cartella con macro (.xlsm): non accettata; "
                                               "salvarla come .xlsx")
            if not is_sheet:
                kept_part = [first] if info.filename in KEEP_PARTS else None
                chunk = first
                # the whole part is scanned, in chunks (a read returns fewer bytes than it
                # asked for only at the part's end)
                while len(chunk) == CHUNK and (chunk := part.read(CHUNK)):
                    if kept_part is not None:
                        kept_part.append(chunk)
                if kept_part is not None:
                    sheets[info.filename] = b"".join(kept_part)
                continue
            if m := _DIMENSION.search(head):
                _check_dimension(path, info.filename, m.group(1).decode(), limits)
            data = _check_cells(path, info, part, first, limits,
                                keep=kept + info.file_size <= KEEP_SHEET_BYTES)
        if data is not None:
            sheets[info.filename] = data
            kept += len(data)
    return sheets


_DECLARATIONS = ("<!DOCTYPE", "<!ENTITY")
_MARKERS = {encoding: tuple(m.encode(encoding) for m in _DECLARATIONS)
            for encoding in ("utf-8", "utf-16-le", "utf-16-be")}


class _DeclarationScanner:
    """A part read through this is searched, chunk by chunk and to its end, for a
    ``DOCTYPE`` or ``ENTITY`` declaration, in the part's own encoding (OOXML parts are
    UTF-8 or UTF-16; UTF-32 and other byte orders are refused). A declaration anywhere
    (after a long comment too) refuses the file: see docs/security.md."""

    def __init__(self, path: Path, name: str, part: IO[bytes]) -> None:
        self.path, self.name, self.part = path, name, part
        self.markers: tuple[bytes, ...] = ()
        self.tail = b""

    def _encoding(self, head: bytes) -> str:
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or head[:4] in (
                b"<\0\0\0", b"\0\0\0<"):
            raise UntrustedFileError(self.path, f"la parte {self.name} è in una codifica "
                                                "non ammessa (UTF-32): archivio rifiutato")
        if head.startswith(codecs.BOM_UTF16_LE) or head[:2] == b"<\0":
            return "utf-16-le"
        if head.startswith(codecs.BOM_UTF16_BE) or head[:2] == b"\0<":
            return "utf-16-be"
        return "utf-8"

    def read(self, size: int) -> bytes:
        chunk = self.part.read(size)
        if not self.markers:
            if not chunk:
                return chunk
            encoding = self._encoding(chunk[:4])
            self.markers = _MARKERS[encoding]
        data = self.tail + chunk
        if any(m in data for m in self.markers):
            raise UntrustedFileError(self.path, f"la parte {self.name} dichiara DOCTYPE/ENTITY "
                                                "(possibile attacco XXE): rifiutato")
        self.tail = data[-max(map(len, self.markers)):]
        return chunk


def _check_dimension(path: Path, part: str, ref: str, limits: Limits) -> None:
    try:
        _, _, max_col, max_row = range_bounds(ref if ":" in ref else f"{ref}:{ref}")
    except ValueError:
        raise UntrustedFileError(path, f"il foglio {part} dichiara un'area non valida ({ref}): "
                                       "archivio .xlsx danneggiato") from None
    if (max_row or 0) > limits.max_rows or (max_col or 0) > limits.max_cols:
        raise UntrustedFileError(path, f"il foglio {part} dichiara l'area {ref}, molto oltre "
                                       f"quella del piano: rifiutato")


#: The reference of a ``<row>`` or ``<c>`` (any namespace prefix): its first 3 letters and
#: up to 10 digits after them (more already names a column or row past any limit, and
#: keeps ``int`` off a hostile 5,000-digit number). One pass finds rows and columns both.
_REFERENCE = re.compile(rb'<(?:\w+:)?(?:row|c)\b[^>]*?\br="([A-Z]{0,3})([0-9]{0,10})')


def _check_cells(path: Path, info: zipfile.ZipInfo, part: _DeclarationScanner, first: bytes,
                 limits: Limits, keep: bool) -> bytes | None:
    """Where the cells really are: a cell far away makes readers allocate the whole grid.

    The declared dimension can lie; the part is scanned in 1 MB chunks (bounded memory)
    for the row and column of every ``<row>`` and ``<c>``, and rows without a number are
    counted. Distinct values are collected first, so the Python work is per distinct
    row or column, not per cell.
    """
    max_row = max_col = rows = 0
    tail = b""
    kept: list[bytes] = []
    chunk = first
    while chunk:
        if keep:
            kept.append(chunk)
        data = tail + chunk
        cut = data.rfind(b"<")            # a tag split by the chunk ends in the next one
        body, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
        rows += body.count(b"<row") + body.count(b":row")
        found = _REFERENCE.findall(body)
        letters: set[bytes] = set()
        numbers: set[bytes] = set()
        if found:                         # (letters, digits) pairs, split at C speed
            letters, numbers = (set(group) - {b""} for group in zip(*found, strict=True))
        if numbers:
            max_row = max(max_row, max(map(int, numbers)))
        if letters:
            widest = max(letters, key=lambda b: (len(b), b))
            max_col = max(max_col, col_index(widest.decode()))
        chunk = part.read(CHUNK) if len(chunk) == CHUNK else b""   # short: the part's end
    if max(max_row, rows) > limits.max_rows or max_col > limits.max_cols:
        raise UntrustedFileError(path, f"il foglio {info.filename} ha celle fino alla riga "
                                       f"{max(max_row, rows)}, colonna {max_col}: molto oltre "
                                       "quella del piano, rifiutato")
    return b"".join(kept) if keep else None
