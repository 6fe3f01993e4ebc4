"""Target runs: where the per-year targets of a table row are in a line of plain text.

A PDF extraction without columns prints a row of an indicator table as one string:
``Tempo medio di lavorazione delle pratiche RI <6 <6 5 5 5 S Anagrafico`` is a name, five
targets and an owner. :func:`find_run` finds the *last run* of target-like tokens that is
followed only by a few words (an owner office, a tipologia and a unit) and returns the text
before it (the name), the tokens and the text after it. The tokens are only *cut* here: the
target grammar (:func:`~cruscotto_xl.core.targets.parse_target`) reads them later and reports
what it cannot read; the text of each token is kept as written.

Token shapes (see docs/importa-pira.md): comparisons with an operator and an optional label
before it (``>= 13 N.``, ``≥1``, ``ITP < -10``, ``> a medio``), comparisons in words
(``almeno 3``, ``non inferiore all'80%``), bare values (``5``, ``100%``, ``1,45``, ``€
1.000``), deadlines (``31/12/2021``, ``Entro 31-12-2023``), relative targets (``x < x-1``,
``anno n < anno n-1``, ``> media cluster``, ``scostamento max 0,02 da media cluster``),
monitoring (``Anno di rilevazione``) and milestones (``SI``).

A bare value is *weak*: it is left in the name when the word before it binds it to the
text (``entro 5 gg``, ``DPCM 22/09/2014``, ``DFP 3.3``); a four-digit year alone is never a
target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OP = r"(?:≥|≤|>=|=>|<=|=<|==|>|<|=)"
_NUM = r"[+-]?\s?\d+(?:[.,]\d+)*"
_UNIT = (r"(?:%|N\.|N°|N(?=\s|$)|n\.(?=\s|$)|gg\.?|giorni|ore|h(?=\s|$)|mesi|€|euro|punti|"
         r"pt\.?|min\.?|minuti|kWh)")
_END = r"(?=\s|$)"

_STRONG = [
    rf"(?i:scostamento\s+(?:max|massimo)\.?\s+{_NUM}\s*{_UNIT}?\s+da(?:lla|l)?\s+media"
    rf"(?:\s+cluster)?)",
    rf"(?i:x\s*{_OP}\s*x\s*-\s*\d+)",
    rf"(?i:anno\s+n\s*{_OP}\s*anno\s+n\s*-\s*\d+)",
    rf"{_OP}\s*(?i:(?:a\s+)?(?:medi[oa](?:\s+cluster)?|anno\s+precedente|valore\s+\d{{4}}))",
    r"(?i:entro\s+(?:il\s+)?)\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})",
    r"(?i:anno\s+(?:di\s+)?rilevazione|monitoraggio|n\.\s?d\.?)",
    r"S[iì]|SÌ|SI|SI/NO|Sì/No",
    rf"(?:[A-Z][A-Za-z°]{{0,5}}\s*)?{_OP}\s*(?:a\s+)?{_NUM}\s*{_UNIT}?\.?",
    rf"(?i:maggiore\s+o\s+uguale|minore\s+o\s+uguale|non\s+inferiore|non\s+superiore|"
    rf"superiore|inferiore)(?i:\s+a(?:l(?:l[a'’]?)?)?)\s*{_NUM}\s*{_UNIT}?\.?",
    rf"(?i:almeno|non\s+oltre|max|massimo|minimo)(?i:\s+(?:il|l[’']))?\s*{_NUM}\s*{_UNIT}?\.?",
    rf"€\s*{_NUM}",
]
_WEAK = [
    r"\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})",
    rf"[+-]?\d+(?:[.,]\d+)*\s*{_UNIT}?\.?",
]
_TOKEN = re.compile("|".join(f"(?P<s{i}>{p}){_END}" for i, p in enumerate(_STRONG)) + "|"
                    + "|".join(f"(?P<w{i}>{p}){_END}" for i, p in enumerate(_WEAK)))
_YEAR = re.compile(r"(?:19|20)\d\d")
_WORDS_ONLY = re.compile(r"^[^\d<>=≥≤]*$")
_BINDING = {
    "entro", "di", "a", "al", "allo", "alla", "ai", "agli", "alle", "del", "dello", "della",
    "dei", "degli", "delle", "da", "dal", "dalla", "dai", "su", "sul", "sulla", "per", "in",
    "nel", "nella", "nei", "con", "tra", "fra", "oltre", "ogni", "anno", "anni", "max", "n.",
    "n", "nr.", "art.", "artt.", "comma", "dm", "d.m.", "dpcm", "dpr", "d.lgs", "d.lgs.", "l.",
    "legge", "decreto", "scala", "e", "o", "ed", "od", "il", "lo",
    "la", "i", "gli", "le", "un", "una", "uno", "ultimi", "primi", "circa", "previsto",
    "prevista", "n°", "nº", "cap.", "par.", "pag.", "punto", "livello", "fascia", "tipo",
}
_LABEL = re.compile(r"^([A-Z][A-Za-z°]{0,5})\s*(?=≥|≤|>|<|=)")
_REFERENCE_WORD = re.compile(r"(?:^|['’])(?:art|artt|n|nr|comma|cap|par|pag|punto)\.?$",
                             re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.]{1,7}$")


@dataclass(frozen=True)
class Run:
    """A run of target tokens inside a text: ``text[start:end]`` holds ``tokens``."""

    prefix: str
    tokens: tuple[str, ...]
    suffix: str
    starts: tuple[int, ...]
    start: int
    end: int


def _tokens(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, strong) of every token, scanning word starts left to right."""
    out: list[tuple[int, int, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace() or (i > 0 and not text[i - 1].isspace()):
            i += 1
            continue
        m = _TOKEN.match(text, i)
        if m and m.end() > i:
            strong = any(m[f"s{k}"] for k in range(len(_STRONG)))
            body = m[0].strip()
            if strong or not _YEAR.fullmatch(body):
                out.append((i, m.end(), strong))
                i = m.end()
                continue
        i += 1
    return out


def _binding_word(prefix: str) -> bool:
    words = prefix.split()
    if not words:
        return False
    last = words[-1]
    return last.lower() in _BINDING or bool(_ACRONYM.match(last)) or \
        last.endswith(("/", "-")) or bool(_REFERENCE_WORD.search(last))


def find_run(text: str, *, max_suffix_words: int = 6, max_tokens: int | None = None
             ) -> Run | None:
    """The last run of target tokens of ``text`` followed by at most a few plain words."""
    tokens = _tokens(text)
    if not tokens:
        return None
    runs: list[list[tuple[int, int, bool]]] = []
    for tok in tokens:
        if runs and not text[runs[-1][-1][1]:tok[0]].strip():
            runs[-1].append(tok)
        else:
            runs.append([tok])
    run = runs[-1]
    suffix = text[run[-1][1]:].strip()
    if suffix and (len(suffix.split()) > max_suffix_words or not _WORDS_ONLY.match(suffix)):
        return None
    # Weak leading tokens bound to the words before them belong to the text.
    while run and not run[0][2] and _binding_word(text[:run[0][0]]):
        run = run[1:]
    while max_tokens is not None and len(run) > max_tokens and not run[0][2]:
        run = run[1:]
    if not run:
        return None
    # A label before the first operator («RI <6 <6 5») is part of the name unless every
    # token repeats it («ITP < -10 ITP < -15»).
    first = text[run[0][0]:run[0][1]]
    label = _LABEL.match(first)
    if label and (len(run) == 1 or not all(text[s:e].startswith(label[1])
                                           for s, e, _ in run[1:])):
        run[0] = (run[0][0] + label.end(), run[0][1], run[0][2])
    return Run(
        prefix=text[:run[0][0]].strip(),
        tokens=tuple(text[s:e].strip() for s, e, _ in run),
        suffix=suffix,
        starts=tuple(s for s, _, _ in run),
        start=run[0][0],
        end=run[-1][1],
    )
