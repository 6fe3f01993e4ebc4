"""Deliberations and change-log notes of a plan's *rolling annuale*, read from text.

- :func:`find_date` reads an Italian date written with digits (``21.07.2020``,
  ``2/12/2019``) or with the month's name (``2 Dicembre 2019``, ``31 gennaio 2019``).
- :func:`change_note` reads a note such as «Aggiornato in sede di rolling annuale con
  deliberazione della Giunta n. 129 del 2 Dicembre 2019» (the three actions *Inserito*,
  *Aggiornato*, *Eliminato*; the act's number may be missing, as in «della Giunta n. del 31
  gennaio 2019»; «Eliminato in sede di rolling annuale 2018» has a year and no act).
- :func:`deliberation` finds the act that approves a plan: «All. 2.1 D GC n.92 del
  21.07.2020», «approvato con deliberazione della Giunta n. 12 del 30/01/2024».
- :func:`plan_year_of` is the plan year an act dated ``when`` is about (docs/importa-pira.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..core.vocabulary import normalize_text

MONTHS = {
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
}
_MONTH = "|".join(MONTHS)
_DATE_WORDS = re.compile(rf"\b(?P<d>\d{{1,2}})(?:°|º)?\s+(?P<m>{_MONTH})\s+(?P<y>(?:19|20)\d\d)\b",
                         re.IGNORECASE)
_DATE_DIGITS = re.compile(r"\b(?P<d>\d{1,2})\s?[./-]\s?(?P<m>\d{1,2})\s?[./-]\s?"
                          r"(?P<y>(?:19|20)\d\d)\b")

#: The month from which an approving act is about the following year: budgets and plans are
#: approved in the autumn for the next year, rolling revisions during the year itself.
NEXT_YEAR_FROM_MONTH = 10


def find_date(text: str) -> tuple[date, re.Match[str]] | None:
    """The first Italian date in ``text`` and where it is."""
    found = []
    for rx, words in ((_DATE_WORDS, True), (_DATE_DIGITS, False)):
        for m in rx.finditer(text):
            month = MONTHS[m["m"].lower()] if words else int(m["m"])
            try:
                found.append((m.start(), date(int(m["y"]), month, int(m["d"])), m))
            except ValueError:
                continue
            break
    if not found:
        return None
    _, when, m = min(found, key=lambda f: f[0])
    return when, m


def plan_year_of(when: date) -> int:
    """The plan year an act of ``when`` approves or revises (October–December: the next)."""
    return when.year + 1 if when.month >= NEXT_YEAR_FROM_MONTH else when.year


CHANGE_START = re.compile(r"^\(?\s*(?P<action>Inserit[oa]|Aggiornat[oa]|Eliminat[oa])\b",
                          re.IGNORECASE)
_ACT = re.compile(
    r"(?P<act>(?:deliberazione|delibera|determinazione|determina|decreto|provvedimento)"
    r"(?:\s+(?:della|del|di)\s+(?:Giunta|Consiglio|Commissario|Presidente|Segretario|Direttore)"
    r"(?:\s+(?:camerale|regionale|comunale|generale))?)?"
    r"(?:\s+n\.?\s*°?\s*(?P<number>\d+(?:/\d+)?)?)?)",
    re.IGNORECASE,
)
_BARE_YEAR = re.compile(r"\b(?P<y>(?:19|20)\d\d)\s*$")
_FOOTNOTE = re.compile(r"\(\s*(?P<n>\d{1,3})\s*\)\s*$")


@dataclass(frozen=True)
class ChangeNote:
    """A change-log note: what happened, by which act, when, for which plan year."""

    action: str                 # Inserito / Aggiornato / Eliminato
    text: str                   # the note as written (one line)
    deliberation: str | None    # "deliberazione della Giunta n. 129"
    when: date | None
    year: int | None            # the plan year the change is about
    footnote: str | None = None  # "(1)": a reference to a footnote of the document


def note_complete(text: str) -> bool:
    """Has a note read so far reached its end (a date, or the year of the revision)?"""
    clean = _FOOTNOTE.sub("", normalize_text(text)).strip()
    return bool(find_date(clean) or _BARE_YEAR.search(clean))


_NOTE_WORDS = {
    "in", "sede", "di", "rolling", "annuale", "con", "deliberazione", "delibera", "della",
    "del", "dal", "giunta", "consiglio", "camerale", "n.", "n", "n°", "piano", "progetto",
    "commissario", "presidente", "determinazione", "decreto", "e", "il", *MONTHS,
}


def note_continues(line: str) -> bool:
    """Can ``line`` continue a change-log note (only the words such notes are made of)?"""
    words = normalize_text(line).lower().split()
    return bool(words) and all(
        w in _NOTE_WORDS or re.fullmatch(r"n\.?\d+|\d{1,4}[.,]?|\(\d{1,3}\)|[\d./-]+", w)
        for w in words)


def change_note(text: str) -> ChangeNote | None:
    """Read a change-log note; None when ``text`` does not start like one."""
    clean = normalize_text(text)
    m = CHANGE_START.match(clean)
    if not m:
        return None
    action = m["action"].capitalize()
    action = action[:-1] + "o"   # Inserita → Inserito (the model's words)
    footnote = None
    if f := _FOOTNOTE.search(clean):
        footnote = f"({f['n']})"
    deliberation = None
    if act := _ACT.search(clean):
        deliberation = re.sub(r"\s+n\.?\s*°?$", "", normalize_text(act["act"]))
    found = find_date(clean)
    when = found[0] if found else None
    year = plan_year_of(when) if when else None
    if year is None and (y := _BARE_YEAR.search(_FOOTNOTE.sub("", clean).strip())):
        year = int(y["y"])
    return ChangeNote(action, clean, deliberation, when, year, footnote)


_APPROVAL = re.compile(
    r"(?P<act>(?:\b(?:D|Del|Delib|Delibera|Deliberazione|Decreto|Determina|Determinazione)\.?"
    r"\s*(?:di\s+|della\s+|del\s+)?(?:G\.?\s?C\.?|C\.?\s?C\.?|G\.?\s?R\.?|G\.?\s?M\.?|"
    r"C\.?\s?d\.?\s?A\.?|Giunta|Consiglio|Commissario|Presidente)"
    r"(?:\s+(?:camerale|regionale|comunale))?\b)(?:\s*n\.?\s*°?\s*\d+(?:/\d+)?)?\s*"
    r"(?:del|in data|,)?\s*)",
    re.IGNORECASE,
)


def deliberation(text: str) -> tuple[str, date] | None:
    """The approving act named in ``text`` (as written, from the act's name to its date)."""
    clean = normalize_text(text)
    for m in _APPROVAL.finditer(clean):
        rest = clean[m.end():]
        found = find_date(rest)
        if found and found[1].start() == 0:
            return normalize_text(clean[m.start():m.end() + found[1].end()]), found[0]
    return None
