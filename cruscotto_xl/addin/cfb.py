"""A minimal compound-file (OLE, MS-CFB v3) writer: the container of ``vbaProject.bin``.

olefile reads compound files but cannot create one; this writes storages and streams
from a nested dict. Version 3 (512-byte sectors); streams under 4096 bytes live in the
mini stream (64-byte sectors) owned by the root entry; siblings form a balanced binary
tree whose nodes are all black, which §2.6.4 allows. Up to 109 FAT sectors (about 7 MB),
far beyond any VBA project.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI_SECTOR, MINI_CUTOFF = 512, 64, 4096
STORAGE, STREAM, ROOT = 1, 2, 5

Tree = dict[str, "bytes | Tree"]


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    kids: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN


def _order(name: str) -> tuple[int, str]:
    """Sibling order of §2.6.4: shorter names first, then case-insensitive comparison."""
    return len(name), name.upper()


def write_cfb(tree: Tree) -> bytes:
    """The compound file holding ``tree`` ({name: bytes for a stream, dict for a storage})."""
    entries = [_Entry("Root Entry", ROOT)]

    def add(items: Tree, parent: _Entry) -> None:
        for name, value in items.items():
            if len(name.encode("utf-16-le")) > 62:
                raise ValueError(f"nome troppo lungo nel contenitore OLE: {name}")
            entry = _Entry(name, STORAGE if isinstance(value, dict) else STREAM,
                           b"" if isinstance(value, dict) else bytes(value))
            entries.append(entry)
            parent.kids.append(len(entries) - 1)
            if isinstance(value, dict):
                add(value, entry)

    add(tree, entries[0])

    def balanced(ids: list[int]) -> int:
        if not ids:
            return NOSTREAM
        ids = sorted(ids, key=lambda i: _order(entries[i].name))
        mid = len(ids) // 2
        entries[ids[mid]].left = balanced(ids[:mid])
        entries[ids[mid]].right = balanced(ids[mid + 1:])
        return ids[mid]

    for entry in entries:
        entry.child = balanced(entry.kids)

    mini, minifat = bytearray(), []
    for entry in entries:
        if entry.kind == STREAM and len(entry.data) < MINI_CUTOFF:
            count = -(-len(entry.data) // MINI_SECTOR)
            entry.start = len(minifat) if count else ENDOFCHAIN
            minifat += [len(minifat) + k + 1 for k in range(count)]
            if count:
                minifat[-1] = ENDOFCHAIN
            mini += entry.data + b"\0" * (count * MINI_SECTOR - len(entry.data))
    entries[0].data = bytes(mini)          # the root entry owns the mini stream
    big = [e for e in entries if e.kind == ROOT or (e.kind == STREAM
                                                    and len(e.data) >= MINI_CUTOFF)]

    def sectors(size: int) -> int:
        return -(-size // SECTOR)

    n_dir = -(-len(entries) // 4)
    n_minifat = sectors(len(minifat) * 4)
    n_data = sum(sectors(len(e.data)) for e in big)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + n_minifat + n_data:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("progetto VBA troppo grande per il contenitore OLE")
    fat = [FATSECT] * n_fat

    def chain(count: int) -> int:
        if count == 0:
            return ENDOFCHAIN
        first = len(fat)
        fat.extend([*range(first + 1, first + count), ENDOFCHAIN])
        return first

    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat)
    for entry in big:
        entry.start = chain(sectors(len(entry.data)))
    fat += [FREESECT] * (n_fat * 128 - len(fat))

    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"),
                         b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, n_fat, dir_start,
                         0, MINI_CUTOFF, minifat_start, n_minifat, ENDOFCHAIN, 0)
    header += struct.pack("<109I", *range(n_fat), *([FREESECT] * (109 - n_fat)))

    directory = bytearray()
    for entry in entries:
        name = entry.name.encode("utf-16-le")
        start = 0 if entry.kind == STORAGE else entry.start
        directory += struct.pack("<64sHBBIII16sIQQIQ", name, len(name) + 2, entry.kind, 1,
                                 entry.left, entry.right, entry.child, b"\0" * 16, 0, 0, 0,
                                 start, len(entry.data))
    empty = b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM)
    directory += (empty + b"\0" * 48) * (n_dir * 4 - len(entries))

    def padded(data: bytes) -> bytes:
        return bytes(data) + b"\0" * (-len(data) % SECTOR)

    body = struct.pack(f"<{len(fat)}I", *fat) + padded(directory)
    if n_minifat:
        table = minifat + [FREESECT] * (n_minifat * 128 - len(minifat))
        body += struct.pack(f"<{len(table)}I", *table)
    for entry in big:
        body += padded(entry.data)
    return header + body
