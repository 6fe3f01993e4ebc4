"""The organisation chart a plan document shows: which services belong to which area.

Operational plans print, for each row, the services involved and their area
(«Servizi interni coinvolti … Area»: ``Servizio Gestione RR.FF.PP. … AREA I``). Read as text,
the row's cells are scattered, but the area cell is a line of its own (or the end of one:
``30/06/2020 AREA I``) right after the service cell. This module collects those pairs
(docs/importa-pira.md, «Organisation and individual objectives»):

- an **area** is ``AREA <roman numeral or word>`` at the end of a line, or a cell whose
  column the header calls «Area»;
- its **services** are the office-like text (``Servizio …``, ``Servizi …``, ``Ufficio …``,
  ``Settore …``, ``U.O. …``, ``Staff …``) of the lines just before it, up to a blank line;
- each service is matched to the offices the plan's indicators name
  (:func:`match_office`: ``Servizio Gestione RR.FF.PP.`` is ``S.Gestione Risorse
  Finanziarie e Patrimoni``); a service that matches none is kept as written and reported.

Nothing is guessed silently: a service seen under two areas goes to the area where it is
seen most and the other is reported.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...core.model import OrgArea, Structure
from ...core.problems import Problem
from ...core.vocabulary import normalize_text
from ..common import at_lines
from .layout import Line

_AREA_AT_END = re.compile(r"(?:^|\s)(?P<area>AREA\s+(?:[IVX]{1,5}|\d{1,2}|[A-ZÀ-Ù][A-ZÀ-Ù'’]+"
                          r"(?:\s+[A-ZÀ-Ù][A-ZÀ-Ù'’]+)?))\s*$")
_OFFICE_START = re.compile(r"\b(?:Servizi[oa]?|Ufficio|Uffici|Settore|U\.\s?O\.?|Unità|Staff)\b",
                           re.IGNORECASE)
_STOPWORDS = frozenset({"s", "servizio", "servizi", "sevizio", "ufficio", "uffici", "settore",
                        "u", "o", "uo", "unita", "unità", "di", "e", "ed", "del", "della",
                        "dei", "degli", "delle", "al", "alla", "per", "la", "il", "lo", "le",
                        "gli", "area", "operativa", "organizzativa"})


@dataclass
class OrgChart:
    """The areas found (code → services as written, in order) and the problems."""

    areas: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def structure(self, owners: Sequence[str]) -> Structure | None:
        """The plan's ``struttura``: each service replaced by the owner offices it matches
        (all their spellings), or kept as written when it matches none."""
        if not self.areas:
            return None
        out: list[OrgArea] = []
        for code, services in self.areas.items():
            offices: list[str] = []
            for service in services:
                matched = [o for o in owners if match_office(service, o)]
                offices += matched or [service]
            out.append(OrgArea(codice=code, nome=code, uffici=list(dict.fromkeys(offices))))
        return Structure(aree=out)


def read_orgchart(lines: Sequence[Line], owners: Sequence[str]) -> OrgChart:
    """Areas and their services from the lines of an operational plan section."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    where: dict[tuple[str, str], list[int]] = defaultdict(list)
    spelling: dict[str, str] = {}
    for k, line in enumerate(lines):
        m = _AREA_AT_END.search(line.text)
        if not m:
            continue
        area = " ".join(m["area"].split()).upper()
        service = _service_before(lines, k, line.text[:m.start()].strip())
        if service is None:
            continue
        key = _key(service)
        spelling.setdefault(key, service)
        seen[key][area] += 1
        where[(key, area)].append(line.no)
    chart = OrgChart()
    for key, areas in seen.items():
        (area, _), *others = areas.most_common()
        chart.areas.setdefault(area, []).append(spelling[key])
        for other, _ in others:
            chart.problems.append(at_lines(
                where[(key, other)],
                f"il servizio «{spelling[key]}» compare anche sotto «{other}»: assegnato a "
                f"«{area}», dove compare più spesso; correggere struttura.aree se è "
                f"sbagliato", "avviso"))
    chart.areas = dict(sorted(chart.areas.items(), key=lambda kv: _area_order(kv[0])))
    for area, services in chart.areas.items():
        for service in services:
            if not any(match_office(service, o) for o in owners):
                lines_of = where[(_key(service), area)]
                chart.problems.append(at_lines(
                    lines_of, f"il servizio «{service}» di «{area}» non corrisponde a nessun "
                              f"ufficio responsabile degli indicatori: tenuto come scritto "
                              f"nella struttura (il grado dell'area non lo comprende finché "
                              f"il nome non coincide)", "avviso"))
    return chart


def _service_before(lines: Sequence[Line], k: int, same_line: str) -> str | None:
    """The office-like text just before an area cell: on its own line, or on the lines
    above it up to a blank line (a gap in the source line numbers)."""
    if same_line and (m := _OFFICE_START.search(same_line)):
        return _clean(same_line[m.start():])
    block: list[str] = []
    j = k - 1
    while j >= 0 and lines[j + 1].no - lines[j].no <= (1 if block else 2) and len(block) < 4:
        block.insert(0, lines[j].text)
        j -= 1
    for j in range(len(block) - 1, -1, -1):     # the lowest line naming an office …
        if m := _OFFICE_START.search(block[j]):   # … from its first office word
            return _clean(" ".join([block[j][m.start():], *block[j + 1:]]))
    return None


def _clean(text: str) -> str:
    text = normalize_text(text).strip(" ,;:-")
    return " ".join(text.split())


def _area_order(code: str) -> tuple[int, str]:
    """AREA I, II, III… in numeral order, named areas after."""
    tail = code.split(maxsplit=1)[-1]
    value = _roman(tail) or (int(tail) if tail.isdigit() else None)
    return (value, "") if value is not None else (1000, code)


def _roman(text: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10}
    if not text or any(c not in values for c in text):
        return None
    total = 0
    for a, b in zip(text, [*text[1:], None], strict=True):
        total += -values[a] if b is not None and values[b] > values[a] else values[a]
    return total


def _key(text: str) -> str:
    return " ".join(_stems(text))


def _stems(text: str) -> list[str]:
    """Words that tell offices apart: stop words (servizio, di, e…) out, each word cut to
    five letters (anagrafico/anagrafici), doubled-letter abbreviations kept as initials
    (``RR.FF.PP.`` → r, f, p)."""
    words = re.findall(r"[a-zà-ÿ]+", normalize_text(text).lower())
    out = []
    for word in words:
        if word in _STOPWORDS:
            continue
        if len(word) == 2 and word[0] == word[1]:
            out.append(word[0])
        else:
            out.append(word[:5])
    return out


def match_office(service: str, office: str) -> bool:
    """Whether a service as an operational table writes it and an owner office as the
    indicator tables write it are the same office: every significant word of the shorter
    name is in the longer one, in order, a one-letter abbreviation matching a word's
    initial (``Gestione RR.FF.PP.`` ~ ``Gestione Risorse Finanziarie e Patrimoni``)."""
    a, b = _stems(service), _stems(office)
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    i = 0
    for word in short:
        while i < len(long_) and not _same_word(word, long_[i]):
            i += 1
        if i == len(long_):
            return False
        i += 1
    return True


def _same_word(a: str, b: str) -> bool:
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b
