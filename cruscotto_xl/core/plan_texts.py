"""Texts of a plan that a workbook cannot carry unchanged (docs/security.md).

Every text of a plan ends up in a cell, and the tamper hash of a workbook remembers it: a
text Excel cannot hold whole would be cut or changed on writing, and then every untouched
workbook would look tampered when it comes back. Such texts are refused here, each at its
plan path, so `valida` and `genera` name them:

- more than 32,767 characters (Excel's limit for a cell, counted in UTF-16 units as Excel
  counts them: an emoji counts 2);
- a character XML 1.0 cannot carry even escaped, or that has no formula: U+0000, U+FFFE,
  U+FFFF and unpaired surrogates.

Other control characters (U+000B from Word) are fine: the writers escape them
(``workbook/xmltext.py``, ``core/rules.formula_text``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel

from .model import Plan
from .problems import Problem, in_plan

CELL_MAX_UNITS = 32_767
_FORBIDDEN = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")


def _utf16_units(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _texts(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every text of a plan model with its plan path (aliases: the plan file's words)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            key = info.alias or name
            yield from _texts(getattr(value, name), f"{path}.{key}" if path else key)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _texts(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}"
            if isinstance(key, str):
                yield where, key
            yield from _texts(item, where)


def text_problem(path: str, text: str) -> Problem | None:
    """Why the text at ``path`` cannot go into a workbook unchanged, or None."""
    units = _utf16_units(text)
    if units > CELL_MAX_UNITS:
        return Problem(in_plan(path), f"testo di {units:,} caratteri".replace(",", ".")
                       + f": una cella di Excel ne contiene al massimo "
                       f"{CELL_MAX_UNITS:,}".replace(",", ".")
                       + f" (inizia con «{text[:40]}…»): accorciarlo nel piano")
    bad = _FORBIDDEN.search(text)
    if bad:
        return Problem(in_plan(path), f"carattere non ammesso U+{ord(bad.group(0)):04X} in "
                                      f"posizione {bad.start() + 1} del testo: Excel non lo "
                                      f"può contenere; toglierlo dal piano")
    return None


def check_texts(plan: Plan) -> list[Problem]:
    """The texts of ``plan`` that a workbook cannot carry unchanged, each at its path."""
    found = (text_problem(path, text) for path, text in _texts(plan, ""))
    return [p for p in found if p is not None]


__all__ = ["CELL_MAX_UNITS", "check_texts", "text_problem"]
