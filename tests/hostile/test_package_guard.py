"""Group D of issue 15, cause 22: the DOCTYPE/ENTITY guard reads whole parts (in bounded
chunks), in UTF-8 and UTF-16, so a declaration after a long prolog is still refused."""

from __future__ import annotations

import json
import os

import pytest
from support.hostile_d import describe, make_returns, rewrite_zip, run, sheet_part, traceback_free


def _entities() -> str:
    return '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">'
        for a, b in zip("abcdefgh", "bcdefghi", strict=True))


def _late_doctype(data: bytes) -> bytes:
    """A billion-laughs DOCTYPE after a 5 KB comment in the prolog (still well-formed)."""
    end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
    doctype = b"<!-- " + b"x" * 5000 + b" -->" + f"<!DOCTYPE root [{_entities()}]>".encode()
    return data[:end] + doctype + data[end:]


def _very_late_doctype(data: bytes) -> bytes:
    """The same after 3 MB of comment (random hex: no «zip bomb» ratio): past the first
    chunk of a sheet (1 MB) too."""
    end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
    doctype = b"<!-- " + os.urandom(3 * 2**19).hex().encode() + b" -->" + \
        f"<!DOCTYPE root [{_entities()}]>".encode()
    return data[:end] + doctype + data[end:]


def _utf16(data: bytes) -> bytes:
    """The part re-encoded in UTF-16 (with BOM), with a late DOCTYPE."""
    text = _late_doctype(data).decode("utf-8")
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    return text.encode("utf-16")


def _utf16_be_no_bom(data: bytes) -> bytes:
    text = _late_doctype(data).decode("utf-8")
    return text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1).encode("utf-16-be")


def _consolidate(plan, folder, out):
    result = run("consolida", folder, "--piano", plan, "--out", out, "--json")
    assert traceback_free(result), describe(result)
    return json.loads(result.output)


@pytest.mark.parametrize("change", [_late_doctype, _very_late_doctype, _utf16,
                                    _utf16_be_no_bom])
@pytest.mark.parametrize("part", ["sheet:_cruscotto", "sheet:Riepilogo", "xl/styles.xml",
                                  "xl/tables/table1.xml", "docProps/core.xml"])
def test_doctype_anywhere_in_a_part_is_refused(tmp_path, part, change):
    plan, folder, books = make_returns(tmp_path)
    book = books["Ufficio A"]
    name = sheet_part(book, part[6:]) if part.startswith("sheet:") else part
    rewrite_zip(book, {name: change})
    data = _consolidate(plan, folder, tmp_path / "m.xlsx")
    state = {s["file"]: s["stato"] for s in data["uffici"]}.get(book.name)
    said = [p["message"] for p in data["problemi"] if p["location"].startswith(book.name)
            and "DOCTYPE" in p["message"]]
    assert state == "rifiutata" and said, f"{name}: state {state!r}, DOCTYPE messages {said}"
    others = {s["file"]: s["stato"] for s in data["uffici"]}
    assert others[books["Ufficio B"].name] != "rifiutata"


def test_a_utf16_part_without_declarations_is_not_refused_for_its_encoding(tmp_path):
    plan, folder, books = make_returns(tmp_path)
    book = books["Ufficio A"]

    def utf16(data: bytes) -> bytes:
        return data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"',
                                            1).encode("utf-16")

    rewrite_zip(book, {"xl/styles.xml": utf16})
    data = _consolidate(plan, folder, tmp_path / "m.xlsx")
    said = [p["message"] for p in data["problemi"] if "DOCTYPE" in p["message"]
            or "codifica" in p["message"]]
    assert not said, said
