"""Indicator dictionaries: algorithm texts that name their measures by code, and the plan's
measures gathered from them (docs/importa-pira.md, «Misure e formule»).

Real plans write an indicator's algorithm as its measures' codes, each followed by the
measure's name, with the operators between them::

    ( ProvStrut Proventi strutturali (Proventi correnti - …) - OnStrut Oneri strutturali
    (…) ) / ProvStrut Proventi strutturali (…)

:func:`read_algorithm` turns such a text into a formula over the codes (the grammar of
:mod:`cruscotto_xl.core.formula`) and the measures it names; :class:`MeasureBook` collects
the measures of every indicator, one per code. Nothing is guessed: a text that does not
have this shape gives a :class:`NotUnderstood` with the reason, and the importer keeps the
algorithm as written.

How the text is read:

- a *code* is a word shaped like an identifier — letters, digits and ``_`` (dots inside, as
  in ``EC27.a``) with an underscore, a digit or an inner capital (``N_ImprAtt``,
  ``ProvStrut``, ``T_medi_C1.1.1``); a plain word (``Numero``, ``CCIAA``, ``D.A``) is not;
- a code starts a measure only at the start, after an operator or after an opening bracket
  of the formula; the words after it, up to the next formula operator, are its name;
- inside a name, operators and brackets are the name's own (``Proventi correnti -
  Maggiorazione``, ``(TI+TD)``): an operator belongs to the formula only when a code (or an
  opening bracket and a code) follows it, or a number that ends the formula (``* 100``);
- a closing bracket closes the name's own bracket first, then the formula's; one that closes
  neither is kept in the name;
- codes written with ``-``, ``:`` or ``%`` (``Dip-Form``, ``M:RASLImprIscr``) cannot be
  written in a formula, where those are operators: they get ``_`` instead (``Dip_Form``),
  which the importer reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.formula import FormulaError, format_formula, parse_formula
from ..core.model import NamedMeasure
from ..core.vocabulary import normalize_text

#: Operators of a formula (the typographic ones too); ``x`` only before a number (``x 100``).
_OPERATORS = {"+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "×": "*", "·": "*",
              "/": "/", "÷": "/"}
_OPENING = "(["
_CLOSING = ")]"
_PEELED = set(_OPENING) | set(_CLOSING) | set(_OPERATORS)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_CODE_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_.:%\-]*[A-Za-z0-9]")
_CAMEL = re.compile(r"[a-z][A-Z]")
_NOT_IN_FORMULA = re.compile(r"_?[-:%]+_?")
#: Units a measure's name may end with, in brackets: ``Proventi (€)``, ``Consumi [kWh]``.
_UNITS = {"€": "€", "euro": "€", "%": "%", "gg": "gg", "giorni": "gg", "ore": "ore",
          "kwh": "kWh", "mq": "mq", "km": "km", "n.": "N.", "num.": "N."}
_TRAILING_UNIT = re.compile(r"\s*[(\[]\s*(?P<unit>[^()\[\]]{1,6}?)\s*[)\]]\s*$")


class NotUnderstood(ValueError):
    """An algorithm that is not a formula over measure codes; the message is Italian."""


@dataclass(frozen=True)
class _Token:
    kind: str           # open, close, op, number, word
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class NamedCode:
    """A measure as one algorithm names it."""

    code: str               # as usable in a formula
    written: str            # as the text writes it (``Dip-Form``)
    name: str               # "" when the text gives none
    unit: str | None = None


@dataclass(frozen=True)
class ReadAlgorithm:
    formula: str                    # canonical text (core/formula.py)
    measures: list[NamedCode]


def looks_like_code(word: str) -> bool:
    """Whether a word is shaped like a measure code rather than a word of a name."""
    if _CODE_SHAPE.fullmatch(word) is None:
        return False
    letters = re.sub(r"[^A-Za-z]", "", word)
    return ("_" in word or any(c.isdigit() for c in word) or _CAMEL.search(letters) is not None)


def formula_code(written: str) -> str:
    """The code as a formula can write it: ``-``, ``:`` and ``%`` become ``_``."""
    return _NOT_IN_FORMULA.sub("_", written)


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for chunk in re.finditer(r"\S+", text):
        word, start = chunk.group(), chunk.start()
        if word == ":":          # a lone colon is a division; glued («Pareto:») it is text
            out.append(_Token("op", "/", start, start + 1))
            continue
        front = 0
        while front < len(word) and word[front] in _PEELED:
            front += 1
        back = len(word)
        while back > front and word[back - 1] in _PEELED:
            back -= 1
        for i in range(front):
            out.append(_single(word[i], start + i))
        core = word[front:back]
        if core:
            kind = "number" if _NUMBER.fullmatch(core) else "word"
            out.append(_Token(kind, core, start + front, start + back))
        for i in range(back, len(word)):
            out.append(_single(word[i], start + i))
    return out


def _single(char: str, at: int) -> _Token:
    kind = "open" if char in _OPENING else "close" if char in _CLOSING else "op"
    return _Token(kind, char, at, at + 1)


def _is_code(token: _Token) -> bool:
    return token.kind == "word" and looks_like_code(token.text)


def _is_op(token: _Token) -> bool:
    return token.kind == "op"


def _number_text(text: str) -> str:
    return text.replace(".", "").replace(",", ".") if "," in text else text


class _Reader:
    """The scan over the tokens: states ``operand`` (a code, a number, «(» or a unary minus
    is due), ``name`` (the words after a code) and ``after`` (after a number or a formula's
    «)»: an operator or «)» is due)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.out: list[str] = []
        self.measures: list[NamedCode] = []
        self.depth = 0

    def fail(self, message: str) -> NotUnderstood:
        return NotUnderstood(message)

    def constant_follows(self, i: int) -> bool:
        """Whether token ``i`` is a number that ends the formula or is followed by an
        operator (after any closing brackets)."""
        if i >= len(self.tokens) or self.tokens[i].kind != "number":
            return False
        k = i + 1
        while k < len(self.tokens) and self.tokens[k].kind == "close":
            k += 1
        return k == len(self.tokens) or _is_op(self.tokens[k])

    def formula_operator(self, i: int) -> str | None:
        """The operator token ``i`` is for the formula (inside a name at its own depth 0),
        or None when it belongs to the name."""
        token = self.tokens[i]
        times = token.kind == "word" and token.text in ("x", "X")
        if not (_is_op(token) or times):
            return None
        if i == len(self.tokens) - 1 and not times:
            raise self.fail("l'algoritmo finisce con un operatore")
        j = i + 1
        while j < len(self.tokens) and self.tokens[j].kind == "open":
            j += 1
        if not times and j < len(self.tokens) and _is_code(self.tokens[j]):
            return "*" if token.text == "x" else _OPERATORS[token.text]
        if self.constant_follows(i + 1):
            return "*" if times else _OPERATORS[token.text]
        if j < len(self.tokens) and self.tokens[j].kind == "number" and not times:
            raise self.fail(f"dopo «{token.text}» viene il numero «{self.tokens[j].text}» "
                            "seguito da altre parole: non è chiaro se sia una costante della "
                            "formula o parte del nome di una misura")
        return None

    def read(self) -> ReadAlgorithm:
        tokens = self.tokens
        if not tokens:
            raise self.fail("algoritmo vuoto")
        state = "operand"
        name_from = name_depth = 0
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if state == "operand":
                if token.kind == "open":
                    self.out.append("(")
                    self.depth += 1
                elif _is_op(token) and _OPERATORS[token.text] == "-":
                    self.out.append("-")
                elif token.kind == "number":
                    self.out.append(_number_text(token.text))
                    state = "after"
                elif _is_code(token):
                    self.out.append(formula_code(token.text))
                    self.measures.append(NamedCode(formula_code(token.text), token.text, ""))
                    state, name_from, name_depth = "name", i + 1, 0
                else:
                    where = "all'inizio" if i == 0 else f"dopo «{tokens[i - 1].text}»"
                    raise self.fail(f"«{token.text}» {where} non è un codice di misura (come "
                                    "«N_ImprAtt» o «ProvStrut»), un numero o «(»")
                i += 1
                continue
            if state == "after":
                if token.kind == "close" and self.depth > 0:
                    self.out.append(")")
                    self.depth -= 1
                elif _is_op(token) or (token.kind == "word" and token.text in ("x", "X")
                                       and self.constant_follows(i + 1)):
                    self.out.append("*" if token.kind == "word" else _OPERATORS[token.text])
                    state = "operand"
                else:
                    raise self.fail(f"dopo «{tokens[i - 1].text}» viene «{token.text}»: atteso "
                                    "un operatore o «)»")
                i += 1
                continue
            # state == "name"
            if token.kind == "open":
                name_depth += 1
            elif token.kind == "close":
                if name_depth > 0:
                    name_depth -= 1
                elif self.depth > 0:
                    self.close_name(name_from, i)
                    self.out.append(")")
                    self.depth -= 1
                    state = "after"
            elif name_depth == 0 and (op := self.formula_operator(i)) is not None:
                self.close_name(name_from, i)
                self.out.append(op)
                state = "operand"
            i += 1
        if state == "name":
            self.close_name(name_from, len(tokens))
        elif state == "operand":
            raise self.fail("l'algoritmo finisce con un operatore")
        try:
            expr = parse_formula(" ".join(self.out))
        except FormulaError as exc:
            raise self.fail(f"la formula che ne risulta non si legge ({exc.reason})") from exc
        return ReadAlgorithm(format_formula(expr), self.measures)

    def close_name(self, start: int, end: int) -> None:
        """The name of the last measure: the source text of tokens ``start``..``end``."""
        last = self.measures[-1]
        if end <= start:
            return
        name = " ".join(self.text[self.tokens[start].start:self.tokens[end - 1].end].split())
        unit = None
        found = _TRAILING_UNIT.search(name)
        if found is not None and found["unit"].lower() in _UNITS:
            unit = _UNITS[found["unit"].lower()]
            name = name[:found.start()].rstrip()
        self.measures[-1] = NamedCode(last.code, last.written, name, unit)


def read_algorithm(text: str) -> ReadAlgorithm:
    """An algorithm written with measure codes (see the module docstring) → its formula and
    the measures it names; :class:`NotUnderstood` when it has not that shape."""
    return _Reader(normalize_text(text)).read()


def names_codes(text: str) -> bool:
    """Whether an algorithm text has a word shaped like a measure code (so a text that
    :func:`read_algorithm` cannot read is worth reporting, not plain prose)."""
    return any(_is_code(t) for t in _tokens(normalize_text(text)))


def same_name(a: str, b: str) -> bool:
    """Names compared without case, spacing and final punctuation."""
    def key(text: str) -> str:
        return " ".join(normalize_text(text).casefold().split()).rstrip(" .;:")
    return key(a) == key(b)


@dataclass
class MeasureBook:
    """The plan's measures, one per code, gathered from where they are defined (a table of
    measures, an indicator's algorithm): the first definition is kept; a different name
    for the same code is returned for the importer to report, with both places."""

    measures: dict[str, NamedMeasure] = field(default_factory=dict)
    named_at: dict[str, str] = field(default_factory=dict)    # code → where first named
    first_use: dict[str, str] = field(default_factory=dict)   # code → where first written
    written: dict[str, str] = field(default_factory=dict)     # code → as first written

    def conflicts(self, found: list[NamedCode]) -> list[str]:
        """Italian reasons why ``found`` cannot join the book (a code written two ways)."""
        out = []
        for item in found:
            seen = self.written.get(item.code)
            if seen is not None and seen != item.written:
                out.append(f"i codici «{seen}» ({self.first_use[item.code]}) e "
                           f"«{item.written}» diventano entrambi «{item.code}» in una formula")
        return out

    def add(self, found: list[NamedCode], where: str) -> list[str]:
        """Add the measures one algorithm names (``where`` names it in messages); returns
        the Italian descriptions of names that differ from the first ones (first kept)."""
        differing = []
        for item in found:
            self.written.setdefault(item.code, item.written)
            self.first_use.setdefault(item.code, where)
            if item.name:
                differing += self.define(NamedMeasure(codice=item.code, nome=item.name,
                                                      unita=item.unit), where)
        return differing

    def define(self, measure: NamedMeasure, where: str) -> list[str]:
        """Add one measure definition; returns what differs from an earlier one of the same
        code (the name, the unit, the office, the source: the first is kept, a field the
        first left empty is taken)."""
        self.written.setdefault(measure.code, measure.code)
        self.first_use.setdefault(measure.code, where)
        known = self.measures.get(measure.code)
        if known is None:
            self.measures[measure.code] = measure
            self.named_at[measure.code] = where
            return []
        differing = []
        if not same_name(known.name, measure.name):
            differing.append(f"misura «{measure.code}» chiamata «{known.name}» "
                             f"({self.named_at[measure.code]}) e «{measure.name}» ({where}): "
                             "vale il primo nome")
        for attr, label in (("unit", "unità"), ("office", "ufficio"), ("source", "fonte"),
                            ("description", "descrizione")):
            first, later = getattr(known, attr), getattr(measure, attr)
            if first is None and later is not None:
                setattr(known, attr, later)
            elif first is not None and later is not None and first != later:
                differing.append(f"misura «{measure.code}»: {label} «{first}» "
                                 f"({self.named_at[measure.code]}) e «{later}» ({where}): "
                                 "vale la prima")
        return differing

    def renamed(self) -> dict[str, str]:
        """Codes written in a way a formula cannot hold: as written → as in the formula."""
        return {w: c for c, w in self.written.items() if w != c}

