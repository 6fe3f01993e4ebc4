"""Texts as a spreadsheet file stores them: every writer of sheet XML goes through here.

xlsxwriter escapes the texts of cells (shared strings) itself, but not the cached value of
a formula; ``ricalcola`` and ``firma`` patch sheet XML directly. A control character
pasted from Word (U+000B) written raw makes the part not well-formed and Excel calls the
whole file damaged (docs/security.md).
"""

from __future__ import annotations

import re

# Characters XML 1.0 cannot hold (controls but tab, LF, CR; U+FFFE, U+FFFF; surrogates),
# and a literal ``_xHHHH_`` that a reader would otherwise take for an escape.
_LITERAL_ESCAPE = re.compile("(_x[0-9A-Fa-f]{4}_)")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def ooxml_text(text: str) -> str:
    """``text`` as a spreadsheet file stores a string (OOXML ``ST_Xstring``), the way Excel
    writes it: a character XML cannot hold becomes ``_xHHHH_`` (U+000B → ``_x000B_``) and
    a literal ``_xHHHH_`` gets its underscore escaped (``_x005F_xHHHH_``), so any text is
    well-formed XML and reads back equal. XML escaping (``&``, ``<``) still follows.
    """
    if "_x" not in text and not _NOT_XML.search(text):
        return text
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


__all__ = ["ooxml_text"]
