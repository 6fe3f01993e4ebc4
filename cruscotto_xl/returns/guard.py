"""The guard in front of every parser: workbooks that come back by e-mail are untrusted.

Before openpyxl or calamine sees a file it must be a zip (not a renamed text or an old
``.xls``), not macro-enabled, of bounded size once inflated (no zip bomb), with no XML
``DOCTYPE``/``ENTITY`` (no XXE or entity expansion), and with sheet dimensions not far
beyond what the plan needs. Every part is inflated by the guard itself from the
archive's bytes, at most one chunk at a time and never past the size the zip directory
declares (its CRC checked too), and searched to its end for DOCTYPE/ENTITY in its own
encoding, so a hostile 5 KB file cannot exhaust memory. A refusal is an
:class:`UntrustedFileError` with an Italian message that names the file.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

try:  # ISA-L inflates about twice as fast as zlib (benchmarks/bench_consolida.py)
    from isal import isal_zlib as inflate_library
except ImportError:  # pragma: no cover - a platform without its wheel: the same API
    import zlib as inflate_library  # type: ignore[no-redef]

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
        raise _too_big(path, size, limits)
    with path.open("rb") as f:
        magic = f.read(4)
        if magic == OLE_MAGIC:
            raise UntrustedFileError(path, "formato .xls o file protetto da password: salvarlo "
                                           "come .xlsx senza password")
        if magic != ZIP_MAGIC:
            raise UntrustedFileError(path, "non è una cartella di lavoro .xlsx (è un file di "
                                           "testo o di altro tipo rinominato)")
        try:
            with zipfile.ZipFile(f) as zf:
                infos = _checked_directory(path, zf, limits)
                # the directory is sane: the compressed bytes (at most max_file_bytes) are
                # read once, and each part is inflated from them in bounded chunks
                f.seek(0)
                data = f.read(limits.max_file_bytes + 1)
                if len(data) > limits.max_file_bytes:       # it grew since stat
                    raise _too_big(path, len(data), limits)
                return _check_members(path, zf, infos, memoryview(data), limits)
        except (zipfile.BadZipFile, zlib.error, inflate_library.error, EOFError) as exc:
            raise UntrustedFileError(path, f"archivio .xlsx danneggiato ({exc})") from None


def _too_big(path: Path, size: int, limits: Limits) -> UntrustedFileError:
    return UntrustedFileError(path, f"file troppo grande ({format_number(size / 2**20, 1)} MB, "
                                    f"limite {plain_number(limits.max_file_bytes / 2**20, 0)}"
                                    " MB)")


def _checked_directory(path: Path, zf: zipfile.ZipFile, limits: Limits
                       ) -> list[zipfile.ZipInfo]:
    """The zip directory's refusals: nothing is inflated before they pass (a bomb is known
    by its declared sizes)."""
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
    return infos


def _check_members(path: Path, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                   data: memoryview, limits: Limits) -> dict[str, bytes]:
    sheets: dict[str, bytes] = {}
    kept = 0
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        # each part is inflated once, and every chunk of it searched for declarations; a
        # part of one chunk (every part of a generated workbook) without the generators
        chunks: Iterator[bytes]
        if info.file_size < CHUNK and info.compress_type in _INFLATABLE:
            first, chunks = _small_part(path, data, info), iter(())
        else:
            chunks = _scanned(path, info.filename, inflated(path, zf, data, info))
            first = next(chunks, b"")
        if info.filename == "[Content_Types].xml" and any(t in first[:HEAD_BYTES]
                                                          for t in MACRO_TYPES):
            raise UntrustedFileError(path, "cartella con macro (.xlsm): non accettata; "
                                           "salvarla come .xlsx")
        if not is_sheet:
            rest = list(chunks) if info.filename in KEEP_PARTS else deque(chunks, maxlen=0)
            if info.filename in KEEP_PARTS:
                sheets[info.filename] = b"".join([first, *rest]) if rest else first
            continue
        if m := _DIMENSION.search(first, 0, HEAD_BYTES):
            _check_dimension(path, info.filename, m.group(1).decode(), limits)
        part = _check_cells(path, info, first, chunks, limits,
                            keep=kept + info.file_size <= KEEP_SHEET_BYTES)
        if part is not None:
            sheets[info.filename] = part
            kept += len(part)
    return sheets


_LOCAL_HEADER = struct.Struct("<4s22xHH")      # signature … name length, extra length
_INFLATABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _raw(path: Path, data: memoryview, info: zipfile.ZipInfo) -> memoryview:
    """A part's compressed bytes, found through its local header."""
    offset = info.header_offset
    header = bytes(data[offset:offset + _LOCAL_HEADER.size])
    if len(header) < _LOCAL_HEADER.size or header[:4] != ZIP_MAGIC:
        raise UntrustedFileError(path, f"archivio .xlsx danneggiato: intestazione della parte "
                                       f"{info.filename} non valida")
    _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    begin = offset + _LOCAL_HEADER.size + name_length + extra_length
    raw = data[begin:begin + info.compress_size]
    if len(raw) < info.compress_size:
        raise UntrustedFileError(path, f"archivio .xlsx danneggiato: la parte {info.filename} "
                                       "è troncata")
    return raw


def _small_part(path: Path, data: memoryview, info: zipfile.ZipInfo) -> bytes:
    """A part declared shorter than one chunk, inflated at once (at most one byte past its
    declared size, which refuses it) and searched for declarations: what
    :func:`inflated` and :func:`_scanned` do, without their per-chunk machinery."""
    raw = _raw(path, data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        part, complete = bytes(raw), True
    else:
        inflater = inflate_library.decompressobj(-zlib.MAX_WBITS)
        part = inflater.decompress(raw, info.file_size + 1)
        complete = inflater.eof
    if len(part) > info.file_size:
        raise _past_declared(path, info)
    if not complete or len(part) != info.file_size or \
            inflate_library.crc32(part) != info.CRC:
        raise _bad_crc(path, info)
    if part:
        doctype, entity = _MARKERS[_encoding(path, info.filename, part[:4])]
        if doctype in part or entity in part:
            raise _declaration(path, info.filename)
    return part


def _past_declared(path: Path, info: zipfile.ZipInfo) -> UntrustedFileError:
    return UntrustedFileError(path, f"la parte {info.filename} si espande oltre la "
                                    "dimensione dichiarata: possibile «zip bomb», rifiutato")


def _bad_crc(path: Path, info: zipfile.ZipInfo) -> UntrustedFileError:
    return UntrustedFileError(path, f"archivio .xlsx danneggiato: la parte {info.filename} "
                                    "non corrisponde al suo controllo (CRC)")


def _declaration(path: Path, name: str) -> UntrustedFileError:
    return UntrustedFileError(path, f"la parte {name} dichiara DOCTYPE/ENTITY "
                                    "(possibile attacco XXE): rifiutato")


def inflated(path: Path, zf: zipfile.ZipFile, data: memoryview, info: zipfile.ZipInfo
             ) -> Iterator[bytes]:
    """A part's bytes in chunks of at most :data:`CHUNK`, inflated from the archive's bytes
    with zlib (zipfile's per-part machinery cost more than the inflating), checked against
    the size and CRC the directory declares: a part that inflates past its declared size
    is refused at that chunk, so a lying directory cannot exhaust memory."""
    if info.compress_type not in _INFLATABLE:
        with zf.open(info) as part:       # bzip2/lzma: zipfile inflates and checks them
            while chunk := part.read(CHUNK):
                yield chunk
        return
    raw = _raw(path, data, info)
    size = crc = 0
    inflater = (inflate_library.decompressobj(-zlib.MAX_WBITS) if info.compress_type
                else None)
    pending: bytes | memoryview = raw
    while pending if inflater is None else not inflater.eof:
        if inflater is None:                    # stored
            chunk, pending = bytes(pending[:CHUNK]), pending[CHUNK:]
        else:
            chunk = inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
        if not chunk:
            break
        size += len(chunk)
        if size > info.file_size:
            raise _past_declared(path, info)
        crc = inflate_library.crc32(chunk, crc)
        yield chunk
    if (inflater is not None and not inflater.eof) or size != info.file_size \
            or crc != info.CRC:
        raise _bad_crc(path, info)


_DECLARATIONS = ("<!DOCTYPE", "<!ENTITY")
_MARKERS = {encoding: tuple(m.encode(encoding) for m in _DECLARATIONS)
            for encoding in ("utf-8", "utf-16-le", "utf-16-be")}
_OVERLAP = max(len(m) for markers in _MARKERS.values() for m in markers)


def _encoding(path: Path, name: str, head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or head[:4] in (
            b"<\0\0\0", b"\0\0\0<"):
        raise UntrustedFileError(path, f"la parte {name} è in una codifica "
                                       "non ammessa (UTF-32): archivio rifiutato")
    if head.startswith(codecs.BOM_UTF16_LE) or head[:2] == b"<\0":
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE) or head[:2] == b"\0<":
        return "utf-16-be"
    return "utf-8"


def _scanned(path: Path, name: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks of a part, each searched (with an overlap for a marker split between
    two) for a ``DOCTYPE`` or ``ENTITY`` declaration in the part's own encoding (OOXML
    parts are UTF-8 or UTF-16; UTF-32 and other byte orders are refused). A declaration
    anywhere (after a long comment too) refuses the file: see docs/security.md."""
    markers: tuple[bytes, ...] = ()
    tail = b""
    for chunk in chunks:
        if not markers:
            markers = _MARKERS[_encoding(path, name, chunk[:4])]
        data = tail + chunk if tail else chunk
        if markers[0] in data or markers[1] in data:
            raise _declaration(path, name)
        tail = data[-_OVERLAP:]
        yield chunk


def _check_dimension(path: Path, part: str, ref: str, limits: Limits) -> None:
    try:
        _, _, max_col, max_row = range_bounds(ref if ":" in ref else f"{ref}:{ref}")
    except ValueError:
        raise UntrustedFileError(path, f"il foglio {part} dichiara un'area non valida ({ref}): "
                                       "archivio .xlsx danneggiato") from None
    if (max_row or 0) > limits.max_rows or (max_col or 0) > limits.max_cols:
        raise UntrustedFileError(path, f"il foglio {part} dichiara l'area {ref}, molto oltre "
                                       f"quella del piano: rifiutato")


#: Any ``r`` attribute, however written (either quote, spaces around ``=``, a namespace
#: prefix, after attributes whose values hold ``>``): its first 3 letters and up to 10
#: digits (more already names a column or row past any limit, and keeps ``int`` off a
#: hostile 5,000-digit number). It also meets attributes that merely end in ``r``
#: (``header="0.3"``) and text; they only add small or empty numbers, and a reference
#: the parsers place is never missed. One pass finds rows and columns both.
_REFERENCE = re.compile(rb'r\s*=\s*["\']([A-Z]{0,3})([0-9]{0,10})')
#: A ``<row>`` or ``<c>`` start tag without an ``r`` attribute: parsers place it after the
#: previous one, so such tags widen the grid without naming where (attribute values are
#: skipped whole, ``>`` inside them included).
_UNPLACED = re.compile(rb'<(?:\w+:)?(?:c|row)(?:\s+(?!r\s*=)[\w:.-]+\s*=\s*'
                       rb'(?:"[^"]*"|\'[^\']*\'))*\s*/?>')


def _check_cells(path: Path, info: zipfile.ZipInfo, first: bytes, rest: Iterator[bytes],
                 limits: Limits, keep: bool) -> bytes | None:
    """Where the cells really are: a cell far away makes readers allocate the whole grid.

    The declared dimension can lie; the part is scanned in 1 MB chunks (bounded memory)
    for the row and column of every ``r`` reference: beyond ``max_rows`` or ``max_cols``
    the file is refused. Row and cell tags without a reference are placed by the parsers
    one after another, each widening the grid by at most one: counted (``U``), the grid
    they could make, ``(rows + U) × (columns + U)``, must stay within ``max_rows ×
    max_cols`` cells. A part of one chunk is counted only when its ``<`` alone could
    break that bound (the count costs more than the rest of the scan; generated sheets
    never need it). Distinct values are collected first, so the Python work is per
    distinct row or column, not per cell.
    """
    max_row = max_col = unplaced = 0
    tail = b""
    kept: list[bytes] = []
    whole = len(first) < CHUNK               # the part is this one chunk
    chunk: bytes | None = first
    while chunk:
        if keep:
            kept.append(chunk)
        data = tail + chunk if tail else chunk
        cut = data.rfind(b"<")            # a tag split by the chunk ends in the next one
        body, tail = (data[:cut], data[cut:]) if cut > 0 and not whole else (data, b"")
        found = _REFERENCE.findall(body)
        if found:                         # (letters, digits) pairs, split at C speed
            letters, numbers = (set(group) - {b""} for group in zip(*found, strict=True))
            if numbers:
                max_row = max(max_row, max(map(int, numbers)))
            if letters:
                widest = max(letters, key=lambda b: (len(b), b))
                max_col = max(max_col, col_index(widest.decode()))
        if not whole:
            unplaced += len(_UNPLACED.findall(body))
        chunk = next(rest, None)
    if tail:
        unplaced += len(_UNPLACED.findall(tail))
    if whole and _grid(max_row, max_col, first.count(b"<")) > limits.max_rows * limits.max_cols:
        unplaced = len(_UNPLACED.findall(first))
    if max_row > limits.max_rows or max_col > limits.max_cols:
        raise UntrustedFileError(path, f"il foglio {info.filename} ha celle fino alla riga "
                                       f"{max_row}, colonna {max_col}: molto oltre "
                                       "quella del piano, rifiutato")
    if unplaced and _grid(max_row, max_col, unplaced) > limits.max_rows * limits.max_cols:
        raise UntrustedFileError(path, f"il foglio {info.filename} ha {plain_number(unplaced, 0)} "
                                       "righe o celle senza riferimento (attributo r): molto "
                                       "oltre quella del piano, rifiutato")
    return b"".join(kept) if keep else None


def _grid(rows: int, cols: int, unplaced: int) -> int:
    return (rows + unplaced) * (cols + unplaced)
