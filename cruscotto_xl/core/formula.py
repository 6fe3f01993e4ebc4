"""Formulas over named measures: ``(ProvStrut - OnStrut) / ProvStrut``, ``Dip_Form /
(Unit_Stab + N_Dir)``.

Real plans define an indicator by measures that have codes and are shared by several
indicators; the indicator's actual is a formula over them (docs/rules.md, «Formule su
misure»). This module is the small safe grammar of those formulas — numbers, measure codes,
``+ - * /`` (and the typographic ``− – × · ÷``), unary minus and parentheses, parsed by
recursive descent, never by ``eval`` — and its two evaluations, kept next to each other so
that they cannot drift: :func:`evaluate` in Python and :func:`excel_formula` for the
workbook's cell. Both give the same three outcomes:

- a measure not typed (empty) → the actual is missing (``None`` / ``""``): «dato mancante»;
- a measure that is not a number, or a division by zero → :data:`INVALID_ACTUAL`, which
  grades as «valore non valido» (a zero denominator is a typed value that makes the
  indicator meaningless, so the office must look at it; it is not "not yet typed");
- otherwise the number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from .vocabulary import excel_serial

INVALID_ACTUAL = "valore non valido"
"""The effective actual of a formula that cannot be computed from typed measures."""


class FormulaError(ValueError):
    """A formula that is not understood; the message says where, in Italian."""

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.text, self.position, self.reason = text, position, reason
        shown = text[:position] + "⟨" + text[position:position + 1] + "⟩" + \
            text[position + 1:] if position < len(text) else text + "⟨⟩"
        super().__init__(f"formula «{text}»: {reason} (posizione {position + 1}: {shown})")


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Measure:
    code: str


@dataclass(frozen=True)
class Negative:
    operand: Expr


@dataclass(frozen=True)
class Operation:
    op: str                 # one of + - * /
    left: Expr
    right: Expr


Expr = Number | Measure | Negative | Operation

CODE_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*"
"""A measure code as the grammar reads it: the tokenizer and :func:`is_measure_code` share it."""

_OPERATORS = {"+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "×": "*", "·": "*",
              "/": "/", "÷": "/", ":": "/"}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:[.,]\d+)?%?)
  | (?P<code>""" + CODE_PATTERN + r""")
  | (?P<op>[-+−–*×·/÷:])
  | (?P<open>[(\[])
  | (?P<close>[)\]])
""", re.VERBOSE)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    at = 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None:
            raise FormulaError(text, at, f"carattere «{text[at]}» non ammesso (ammessi: codici "
                                         "di misura, numeri, + - × ÷ e parentesi)")
        kind = found.lastgroup
        assert kind is not None
        if kind != "space":
            out.append(_Token(kind, found.group(), at))
        at = found.end()
    return out


class _Parser:
    """expr := term (("+"|"-") term)* ; term := unary (("*"|"/") unary)* ;
    unary := "-" unary | atom ; atom := number | code | "(" expr ")"."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _operator(self, allowed: str) -> str | None:
        token = self._peek()
        if token is not None and token.kind == "op" and _OPERATORS[token.text] in allowed:
            self.at += 1
            return _OPERATORS[token.text]
        return None

    def parse(self) -> Expr:
        if not self.tokens:
            raise FormulaError(self.text, 0, "formula vuota")
        expr = self._expr()
        token = self._peek()
        if token is not None:
            raise FormulaError(self.text, token.position, f"«{token.text}» in più: manca un "
                                                          "operatore o una parentesi")
        return expr

    def _expr(self) -> Expr:
        expr = self._term()
        while (op := self._operator("+-")) is not None:
            expr = Operation(op, expr, self._term())
        return expr

    def _term(self) -> Expr:
        expr = self._unary()
        while (op := self._operator("*/")) is not None:
            expr = Operation(op, expr, self._unary())
        return expr

    def _unary(self) -> Expr:
        if self._operator("-") is not None:
            return Negative(self._unary())
        return self._atom()

    def _atom(self) -> Expr:
        token = self._peek()
        if token is None:
            raise FormulaError(self.text, len(self.text), "la formula finisce a metà")
        self.at += 1
        if token.kind == "number":
            percent = token.text.endswith("%")
            value = float(token.text.rstrip("%").replace(",", "."))
            return Number(value / 100 if percent else value)
        if token.kind == "code":
            return Measure(token.text)
        if token.kind == "open":
            inner = self._expr()
            close = self._peek()
            if close is None or close.kind != "close":
                raise FormulaError(self.text, close.position if close else len(self.text),
                                   "parentesi aperta e mai chiusa")
            self.at += 1
            return inner
        raise FormulaError(self.text, token.position, f"«{token.text}» al posto di un codice "
                                                      "di misura, di un numero o di «(»")


_CODE = re.compile(CODE_PATTERN)


def is_measure_code(code: str) -> bool:
    """Whether ``code`` can be written in a formula as one measure (the grammar's code)."""
    return _CODE.fullmatch(code) is not None


@lru_cache(maxsize=4096)
def parse_formula(text: str) -> Expr:
    """The formula's tree; :class:`FormulaError` names the position of what is wrong.
    (Trees are immutable, so a plan's formulas are parsed once however often they are
    graded.)"""
    return _Parser(text).parse()


def formula_value(text: str, values: Mapping[str, MeasureValue]) -> float | str | None:
    """The actual of a formula indicator over the typed measure values of one year and
    period (:func:`evaluate`); a formula that cannot be read is :data:`INVALID_ACTUAL`
    (``valida`` reports it; it never grades as a number or as missing)."""
    try:
        expr = parse_formula(text)
    except FormulaError:
        return INVALID_ACTUAL
    return evaluate(expr, values)


def measures_of(expr: Expr) -> list[str]:
    """The measure codes a formula uses, in order of first appearance."""
    return list(dict.fromkeys(_walk_codes(expr)))


def _walk_codes(expr: Expr) -> Iterator[str]:
    if isinstance(expr, Measure):
        yield expr.code
    elif isinstance(expr, Negative):
        yield from _walk_codes(expr.operand)
    elif isinstance(expr, Operation):
        yield from _walk_codes(expr.left)
        yield from _walk_codes(expr.right)


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def format_formula(expr: Expr) -> str:
    """The canonical text of a formula (``(A - B) / A``): what the plan file stores."""
    return _render(expr, lambda code: code, _number_text, 0)


def _number_text(value: float) -> str:
    return (f"{value:.15g}").replace(".", ",")


def _render(expr: Expr, ref: object, number: object, parent: int, right: bool = False) -> str:
    assert callable(ref) and callable(number)
    if isinstance(expr, Number):
        return str(number(expr.value))
    if isinstance(expr, Measure):
        return str(ref(expr.code))
    if isinstance(expr, Negative):
        return "-" + _render(expr.operand, ref, number, 3)
    level = _PRECEDENCE[expr.op]
    text = (f"{_render(expr.left, ref, number, level)} {expr.op} "
            f"{_render(expr.right, ref, number, level, right=True)}")
    # a right operand of - or / at the same level keeps its parentheses: a - (b - c)
    return f"({text})" if level < parent or (right and level == parent) else text


# --- the two evaluations ------------------------------------------------------------------

MeasureValue = float | int | bool | date | str | None


def evaluate(expr: Expr, values: Mapping[str, MeasureValue]) -> float | str | None:
    """The formula over typed measure values: ``None`` when one is empty (dato mancante),
    :data:`INVALID_ACTUAL` when one is not a number or a division is by zero, else the
    number — what :func:`excel_formula` gives in the workbook."""
    numbers: dict[str, float] = {}
    invalid = False
    for code in measures_of(expr):
        value = values.get(code)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            numbers[code] = float(excel_serial(value))   # a date cell is a number in Excel
        elif isinstance(value, int | float) and not isinstance(value, bool):
            numbers[code] = float(value)
        else:
            invalid = True
    if invalid:
        return INVALID_ACTUAL
    try:
        result = _compute(expr, numbers)
    except (ZeroDivisionError, OverflowError):
        return INVALID_ACTUAL
    # beyond what a cell holds (Excel's #NUM!, caught by the formula's IFERROR), never ∞
    return result if math.isfinite(result) else INVALID_ACTUAL


def _compute(expr: Expr, numbers: Mapping[str, float]) -> float:
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Measure):
        return numbers[expr.code]
    if isinstance(expr, Negative):
        return -_compute(expr.operand, numbers)
    left, right = _compute(expr.left, numbers), _compute(expr.right, numbers)
    if expr.op == "+":
        return left + right
    if expr.op == "-":
        return left - right
    if expr.op == "*":
        return left * right
    return left / right          # ZeroDivisionError is the caller's «valore non valido»


def excel_formula(expr: Expr, cells: Mapping[str, str]) -> str:
    """The native formula (without ``=``) of :func:`evaluate` over the measures' cells
    (``cells``: measure code → absolute reference such as ``Misure!$E$5``)."""
    refs = [cells[code] for code in measures_of(expr)]
    body = _render(expr, lambda code: cells[code], _excel_number, 0)
    if not refs:
        return body
    empty = ",".join(f'{r}=""' for r in refs)
    numeric = ",".join(f"ISNUMBER({r})" for r in refs)
    return (f'IF(OR({empty}),"",IF(AND({numeric}),IFERROR({body},"{INVALID_ACTUAL}"),'
            f'"{INVALID_ACTUAL}"))')


def _excel_number(value: float) -> str:
    return f"{value:.15g}"
