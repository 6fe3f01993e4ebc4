"""MS-OVBA compression (§2.4.1): how VBA source is stored inside ``vbaProject.bin``.

A CompressedContainer is a signature byte (1) and chunks of up to 4096 decompressed bytes;
each chunk is a 2-byte header and token sequences (a flag byte, then 8 literal bytes or
2-byte copy tokens whose offset/length bit split grows with the position in the chunk).
Matching follows §2.4.1.3.19.4 (the longest match, the nearest on ties) among the most
recent positions with the same first three bytes. A chunk that would not shrink below 4096
bytes would have to be stored raw, and Excel is reported to drop such modules: it raises.
"""

from __future__ import annotations

import struct

CHUNK = 4096
MAX_CANDIDATES = 256          # recent positions tried per match: bounded work per byte


class CompressionError(ValueError):
    """A chunk that MS-OVBA compression cannot make smaller than 4096 bytes."""


def _bit_count(position: int) -> int:
    """Offset bits of a copy token at ``position`` in the chunk (§2.4.1.3.19.1)."""
    return max(4, (position - 1).bit_length())


def compress(data: bytes) -> bytes:
    """A CompressedContainer holding ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _chunk(data[start:start + CHUNK])
    return bytes(out)


def _chunk(buf: bytes) -> bytes:
    n = len(buf)
    body = bytearray()
    heads: dict[bytes, list[int]] = {}
    indexed = 0
    d = 0
    while d < n:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if d >= n:
                break
            while indexed < d:               # positions before d are match candidates
                heads.setdefault(buf[indexed:indexed + 3], []).append(indexed)
                indexed += 1
            best_len = best_at = 0
            for c in reversed(heads.get(buf[d:d + 3], [])[-MAX_CANDIDATES:]):
                length = 0
                while d + length < n and buf[c + length] == buf[d + length]:
                    length += 1
                if length > best_len:
                    best_len, best_at = length, c
            if best_len >= 3:
                bits = _bit_count(d)
                length = min(best_len, (0xFFFF >> bits) + 3)
                body += struct.pack("<H", ((d - best_at - 1) << (16 - bits)) | (length - 3))
                flags |= 1 << bit
                d += length
            else:
                body.append(buf[d])
                d += 1
        body[flag_at] = flags
    if len(body) > CHUNK:
        raise CompressionError("un blocco di 4096 byte non si comprime: modulo VBA non valido")
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body


def decompress(container: bytes) -> bytes:
    """The inverse of :func:`compress` (§2.4.1.3.1), for tests and for reading back."""
    if not container or container[0] != 1:
        raise ValueError("firma del contenitore compresso non valida")
    out = bytearray()
    pos = 1
    while pos < len(container):
        header = struct.unpack_from("<H", container, pos)[0]
        size = (header & 0x0FFF) + 3
        end = pos + size
        pos += 2
        start = len(out)
        if not header & 0x8000:             # raw chunk
            out += container[pos:pos + CHUNK]
            pos += CHUNK
            continue
        while pos < end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if flags >> bit & 1:
                    token = struct.unpack_from("<H", container, pos)[0]
                    pos += 2
                    bits = _bit_count(len(out) - start)
                    offset = (token >> (16 - bits)) + 1
                    length = (token & (0xFFFF >> bits)) + 3
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(container[pos])
                    pos += 1
    return bytes(out)
