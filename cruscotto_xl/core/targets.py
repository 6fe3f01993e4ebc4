"""Target grammar: parse Italian target texts into a typed :class:`Target` and back.

Plans of chambers, ministries, regions, universities and municipalities write the same few
kinds of target in many ways; docs/grammatica-target.md lists every accepted family with
examples and the choices made. In short:

* comparisons: ``>= 70,00 %``, ``≥1``, ``almeno l'80%``, ``non oltre 10 giorni``, a bare
  value that takes the indicator's polarity (``14``, ``n. 1``, ``€ 1.821.008,38``), with the
  noise of real cells (``ITP < -10``, ``>= 67%.``, ``26’``);
* deadlines: ``Entro 31-12-2023``, ``entro il 30.6.24``, ``entro il 30 giugno 2024``;
* deadlines relative to an event the office dates: ``entro 30 gg dalla richiesta``;
* milestones: ``Sì``, ``Realizzazione`` and ``Realizzazione: <deliverable>``;
* relative targets: a reference (the actual of year n-k or of a fixed year, a mean of
  years, the baseline, a named benchmark) with an optional change (``x < x-3``, ``>= valore
  2023``, ``incremento del 5% rispetto all'anno precedente``, ``> media``);
* monitoring only: ``n.d.``, ``Anno di rilevazione``, ``Baseline: misurazione``, empty.

``parse_target(format_target(t)) == t`` for every target. A text that is not understood
raises :class:`TargetError` with the nearest accepted forms; it never becomes 0.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from ..errors import UserError
from .vocabulary import (
    FORMULA_YES_WORDS,
    MISSING_WORDS,
    MONTH_PATTERN,
    MONTHS,
    UNIT_PATTERN,
    NumberError,
    canonical_unit,
    decimals_of,
    format_date,
    format_number,
    full_year,
    month_end,
    normalize_text,
    parse_date,
    parse_decimal_it,
)

Operator = Literal[">=", ">", "<=", "<", "="]
OPERATORS: tuple[Operator, ...] = (">=", ">", "<=", "<", "=")
CENTURY = 2000          # two-digit years of plans: ``31/12/24`` is 2024


class Kind(StrEnum):
    """What a target asks for; each kind has its own grading rule."""

    COMPARISON = "confronto"
    DEADLINE = "scadenza"
    EVENT_DEADLINE = "termine da evento"
    MILESTONE = "realizzazione"
    RELATIVE = "relativo"
    MONITORING = "monitoraggio"


class Polarity(StrEnum):
    """The indicator's direction (*verso*): which way is better."""

    INCREASING = "crescente"
    DECREASING = "decrescente"


class Source(StrEnum):
    """Where the reference value of a relative target comes from."""

    ACTUAL = "consuntivo"        # the actual of year n-lag, or of a fixed year (or their mean)
    BASELINE = "baseline"        # the indicator's baseline value
    BENCHMARK = "valore indicato"  # a named value (``media cluster``) the office types


class OffsetMode(StrEnum):
    """How a relative target's change applies to its reference R."""

    ADD = "somma"                # T = R + change (in the indicator's unit)
    MUL = "percentuale"          # T = R × (1 + change)


@dataclass(frozen=True)
class Reference:
    """The reference of a relative target.

    ``ACTUAL``: the mean of the actuals of ``span`` consecutive years ending at ``year``
    (a fixed year) or, without one, at the target's year minus ``lag`` (``x-1`` → lag 1).
    ``BENCHMARK``: ``name`` says which value the office types in the Riferimento cell.
    """

    source: Source
    lag: int = 0
    year: int | None = None
    span: int = 1
    name: str | None = None

    def years(self, target_year: int) -> list[int]:
        """The years whose actuals make the reference (empty unless ``ACTUAL``)."""
        if self.source is not Source.ACTUAL:
            return []
        end = self.year if self.year is not None else target_year - self.lag
        return list(range(end - self.span + 1, end + 1))

    @property
    def text(self) -> str:
        """The canonical Italian words (``anno precedente``, ``valore 2023``…)."""
        if self.source is Source.BASELINE:
            return "baseline"
        if self.source is Source.BENCHMARK:
            return self.name or ""
        if self.span > 1:
            if self.year is not None:
                return f"media {self.year - self.span + 1}-{self.year}"
            return f"media ultimi {self.span} anni"
        if self.year is not None:
            return f"valore {self.year}"
        return "anno precedente" if self.lag == 1 else f"anno n-{self.lag}"


PREVIOUS_YEAR = Reference(Source.ACTUAL, lag=1)


@dataclass(frozen=True)
class Offset:
    """The change a relative target asks for: signed ``value``.

    ``MUL``: a fraction of the reference (``+5 %`` → 0.05, unit ``%``). ``ADD``: in the
    indicator's unit (``+10``, ``-2 gg``); percentage points are fractions with unit
    ``p.p.`` (``+2 punti percentuali`` → 0.02).
    """

    mode: OffsetMode
    value: float
    unit: str | None = None
    decimals: int = 0


class TargetError(UserError, ValueError):
    """A target text that cannot be read. The message quotes the text, says why when it
    is known, and gives the nearest accepted forms."""

    def __init__(self, text: str, why: str = "", suggestions: tuple[str, ...] = ()) -> None:
        self.text = text
        self.why = why
        self.suggestions = suggestions
        detail = f": {why}" if why else ""
        hint = ("; forme accettate simili: " + ", ".join(f"«{s}»" for s in suggestions)
                if suggestions else "")
        super().__init__(f"target non riconosciuto «{text}»{detail}{hint}")


@dataclass(frozen=True)
class Target:
    """A parsed target.

    ``value`` is a fraction for percentages (70 % → 0.7). ``decimals`` is how many decimals
    the number was written with: it fixes the default tolerance of ``=`` and the text
    ``format_target`` writes. By kind:

    * relative: ``reference`` and an optional ``offset``; ``value`` is the allowed gap of
      ``scostamento max`` (op ``=``);
    * event deadline: ``value`` is the term (negative: before the event) in ``unit``
      (``gg``, ``settimane``, ``mesi``) from ``event`` (``dalla richiesta``), ``op`` is
      ``<=`` or ``<``;
    * milestone: ``text`` is the deliverable, when the plan described one.
    """

    kind: Kind
    op: Operator | None = None
    value: float | None = None
    unit: str | None = None
    decimals: int = 0
    deadline: date | None = None
    reference: Reference | None = None
    offset: Offset | None = None
    event: str | None = None
    text: str | None = None

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def family(self) -> Literal["ge", "le", "eq"] | None:
        """``>=``/``>`` are "higher is better", ``<=``/``<`` "lower is better"."""
        if self.op is None:
            return None
        return "ge" if self.op.startswith(">") else "le" if self.op.startswith("<") else "eq"

    @property
    def strict(self) -> bool:
        return self.op in (">", "<")

    def default_tolerance(self) -> float:
        """Half a unit of the last written decimal: ``= 0,23`` → 0.005, ``= 5,0 %`` → 0.0005."""
        half = Decimal(5).scaleb(-(self.decimals + 1))
        return float(half / 100) if self.is_percent else float(half)


# --- words ----------------------------------------------------------------------------

_OP_SYMBOLS = {
    "≥": ">=", "=>": ">=", ">=": ">=", "≤": "<=", "=<": "<=", "<=": "<=",
    ">": ">", "<": "<", "=": "=", "==": "=",
}
_SYMBOL = r"≥|≤|>=|=>|<=|=<|==|>|<|="

# Comparisons written in words, longest first so «non superiore» wins over «superiore».
_WORD_OPS: dict[str, Operator] = {}
for _op, _phrases in {
    ">=": ("maggiore o uguale", "maggiore/uguale", "maggiore uguale", "superiore o uguale",
           "uguale o superiore", "uguale o maggiore", "pari o superiore", "pari o maggiore",
           "non inferiore", "non minore", "non meno di", "almeno", "come minimo", "minimo",
           "min.", "min", "valore minimo", "soglia minima", "non al di sotto"),
    ">": ("maggiore", "superiore", "più di", "oltre", "sopra", "al di sopra"),
    "<=": ("minore o uguale", "minore/uguale", "minore uguale", "inferiore o uguale",
           "uguale o inferiore", "uguale o minore", "pari o inferiore", "pari o minore",
           "non superiore", "non maggiore", "non oltre", "non più di", "al massimo",
           "massimo", "max.", "max", "fino a", "valore massimo", "soglia massima",
           "non al di sopra", "entro"),
    "<": ("minore", "inferiore", "meno di", "sotto", "al di sotto"),
    "=": ("pari", "uguale", "esattamente"),
}.items():
    for _phrase in _phrases:
        _WORD_OPS[_phrase] = _op  # type: ignore[assignment]
_WORD_OP_RE = "|".join(re.escape(p) for p in sorted(_WORD_OPS, key=len, reverse=True))
# Articles and prepositions between an operator and its operand: «non inferiore all'80%».
_ARTICLES = (r"(?:(?:a|ad|al|allo|alla|ai|agli|alle|di|de|del|dello|della|dei|degli|delle|"
             r"il|lo|la|i|gli|le)\s+|(?:all|dell|l|d)'\s*)*")
_TAILS: dict[str, Operator] = {
    "o più": ">=", "o superiore": ">=", "o maggiore": ">=", "e oltre": ">=", "o oltre": ">=",
    "almeno": ">=", "minimo": ">=", "come minimo": ">=",
    "o meno": "<=", "o inferiore": "<=", "o minore": "<=", "al massimo": "<=",
    "massimo": "<=", "max": "<=",
}
_TAIL_RE = "|".join(re.escape(p) for p in sorted(_TAILS, key=len, reverse=True))
_TIME_UNITS = {"gg", "gg lavorativi", "h", "min", "mesi", "settimane", "anni"}

_NUM = r"[+-]?\s?\d[\d.,]*"
_UNIT_PREFIX = r"n\.|n°|nº|nr\.|nr|num\.|numero|€|euro|eur"
_UNIT = rf"(?:giorni|gg\.?)\s+lavorativi|punti\s+percentuali|{UNIT_PATTERN}"
_VALUE = (rf"(?:(?P<pre>{_UNIT_PREFIX})\s*)?(?P<num>{_NUM})\s*(?P<unit>{_UNIT})?"
          rf"(?:\s+(?P<tail>{_TAIL_RE}))?")
_VALUE_RE = re.compile(rf"^{_VALUE}$", re.IGNORECASE)

_MONITORING_WORDS = {
    *MISSING_WORDS, "monitoraggio", "solo monitoraggio", "in monitoraggio", "da monitorare",
    "rilevazione", "da rilevare", "rilevazione dati", "rilevazione del dato", "non valutabile",
    "non applicabile", "non previsto", "non prevista", "nessun target", "non rilevabile",
    "indicatore di contesto", "contesto", "solo rilevazione",
}
_MONITORING_RE = re.compile(
    r"^(?:anno\s+(?:di\s+)?(?:rilevazione|misurazione|monitoraggio|base)(?:\s+(?:della\s+)?"
    r"baseline)?"
    r"|monitoraggio\s+(?:annuale|semestrale|trimestrale|continuo)"
    r"|(?:rilevazione|misurazione|definizione|calcolo|individuazione)\s+(?:della\s+|del\s+"
    r"valore\s+(?:di\s+)?)?(?:baseline|base\s?line)"
    r"|(?:baseline|base\s?line)(?:\s*[:\-]?\s*(?:misurazione|rilevazione|da\s+rilevare|"
    r"da\s+misurare|da\s+definire|anno\s+di\s+rilevazione|in\s+rilevazione|\d{4}))?)$",
    re.IGNORECASE)
_UNDEFINED_RE = re.compile(r"^(?:target\s+)?(?:da\s+(?:definire|stabilire|determinare|"
                           r"quantificare)|in\s+(?:corso\s+di\s+)?definizione|tbd|t\.b\.d)$",
                           re.IGNORECASE)
_MILESTONE_WORDS = {
    *FORMULA_YES_WORDS, "si/no", "sì/no", "sí/no", "si / no", "sì / no", "realizzazione",
    "realizzato", "realizzata", "fatto", "completato", "completata", "attuato", "attuata",
    "realizzato/non realizzato", "on/off",
}
_DELIVERABLE_RE = re.compile(r"^realizzazione\s*:\s*(?P<text>\S.*)$", re.IGNORECASE)
MILESTONE_PREFIX = "Realizzazione: "


# --- numbers and units ------------------------------------------------------------------

def _number(text: str, original: str) -> tuple[Decimal, int]:
    clean = text.replace(" ", "")
    try:
        return parse_decimal_it(clean), decimals_of(clean)
    except NumberError as exc:
        raise TargetError(original, str(exc)) from exc


def _unit(token: str | None) -> str | None:
    return None if token is None else canonical_unit(re.sub(r"\s+", " ", token))


def _value(m: re.Match[str], original: str) -> tuple[float, str | None, int]:
    """(value, unit, decimals) of a ``_VALUE`` match; percentages become fractions."""
    number, decimals = _number(m["num"], original)
    before, after = _unit(m["pre"]), _unit(m["unit"])
    if before == "N." and after:
        before = None                   # «N° 3 bandi»: the noun says what is counted
    if before and after and before != after:
        raise TargetError(original, f"due unità diverse ({before} e {after})")
    unit = before or after
    if unit == "%":
        number = number / 100
    return float(number), unit, decimals


def _bare_operator(value: float, polarity: Polarity | None) -> Operator:
    if polarity is Polarity.DECREASING:
        return "<="
    if polarity is None and value == 0:
        return "<="  # "0 N." of e.g. "Assenza di segnalazioni" means "no more than zero"
    return ">="


# --- cleaning ---------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "′": "'"})
_QUOTES = "\"“”«»„″"


def _clean(text: str) -> str:
    """The text without the noise of real cells: typographic marks, wrapping quotes or
    brackets, bullets, trailing punctuation and a stray mark after a number (``26’``)."""
    s = normalize_text(text).translate(_APOSTROPHES)
    for _ in range(3):
        before = s
        s = s.strip(_QUOTES + " ")
        s = re.sub(r"^[•▪·*]\s*", "", s)
        s = re.sub(r"[\s.;,:!]+$", "", s)
        s = re.sub(r"(?<=\d)\s*'+$", "", s)
        if s.startswith("(") and s.endswith(")") and s.count("(") == 1:
            s = s[1:-1].strip()
        if s == before:
            break
    return s


# --- dates ------------------------------------------------------------------------------

_DEADLINE_PREFIX = (
    r"(?:(?:da\s+(?:realizzare|completare|concludere)|realizzazione|completamento|"
    r"conclusione|approvazione|adozione|pubblicazione)\s+)?"
    r"(?P<pre>entro\s+e\s+non\s+oltre|non\s+oltre|entro|scadenza|termine|data|al)?"
    r"(?:\s*:)?\s*(?:(?:il|la\s+data\s+del|del|fine|la\s+fine\s+del|l')\s*)?")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "primo": 1, "secondo": 2, "terzo": 3,
          "quarto": 4, "1°": 1, "2°": 2, "3°": 3, "4°": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DATE_FORMS = re.compile(
    rf"^{_DEADLINE_PREFIX}(?:"
    rf"(?P<num>\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:\d{{4}}|\d{{2}}))"
    rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<words>(?:\d{{1,2}}|primo)\s*[°º]?\s+(?:{MONTH_PATTERN})\.?\s+\d{{4}})"
    rf"|(?P<dm>\d{{1,2}})[-/.](?P<mm>\d{{1,2}})"
    rf"|(?P<dw>\d{{1,2}}|primo)\s*[°º]?\s+(?P<mw>{MONTH_PATTERN})\.?"
    rf"|(?:mese\s+di\s+)?(?P<month>{MONTH_PATTERN})\.?(?:\s+(?P<my>\d{{4}}))?"
    rf"|(?P<part>i|ii|iii|iv|primo|secondo|terzo|quarto|[1-4]°?)\s+(?P<per>semestre|trimestre)"
    rf"(?:\s+(?:del(?:l'anno)?\s+)?(?P<py>\d{{4}}))?"
    rf"|(?:(?:l')?anno|fine\s+anno|l'esercizio|esercizio)(?:\s+(?P<ay>\d{{4}}))?"
    rf"|(?P<year>\d{{4}})"
    rf")$", re.IGNORECASE)


def _deadline(s: str, original: str, year: int | None) -> Target | None:
    """A date, with or without ``entro``; dates without a year take the target's year."""
    m = _DATE_FORMS.match(s)
    if m is None:
        return None
    prefixed = m["pre"] is not None

    def need_year(what: str) -> int:
        if year is None:
            raise TargetError(original, f"{what} senza anno: indicare l'anno (es. «Entro "
                                        f"31/12/2024»)", ("Entro 31/12/2024",))
        return year

    def at(y: int, mo: int, d: int) -> Target:
        try:
            return Target(Kind.DEADLINE, deadline=date(y, mo, d))
        except ValueError:
            raise TargetError(original, f"{d}/{mo}/{y} non è una data valida") from None

    try:
        if m["num"] or m["iso"] or m["words"]:
            return Target(Kind.DEADLINE,
                          deadline=parse_date(m["num"] or m["iso"] or m["words"], century=CENTURY))
    except NumberError as exc:
        raise TargetError(original, str(exc)) from None
    if m["dm"]:
        if not prefixed:
            return None                        # a bare «10/12» is not surely a date
        return at(need_year("data"), int(m["mm"]), int(m["dm"]))
    if m["dw"]:
        day = 1 if m["dw"].lower() == "primo" else int(m["dw"])
        return at(need_year("data"), MONTHS[m["mw"].lower()], day)
    if m["month"]:
        if not (m["my"] or prefixed):
            return None                        # «mar» alone is not surely March
        y = int(m["my"]) if m["my"] else need_year("mese")
        return Target(Kind.DEADLINE, deadline=month_end(y, MONTHS[m["month"].lower()]))
    if m["per"]:
        y = int(m["py"]) if m["py"] else need_year("periodo")
        part = _ROMAN[m["part"].lower()]
        months = 6 if m["per"].lower() == "semestre" else 3
        if part * months > 12:
            raise TargetError(original, f"non esiste il {m['part']} {m['per']}")
        return Target(Kind.DEADLINE, deadline=month_end(y, part * months))
    if m["year"]:
        if not prefixed:
            return None                        # a bare «2024» is a number
        return Target(Kind.DEADLINE, deadline=date(int(m["year"]), 12, 31))
    if not prefixed:
        return None
    y = int(m["ay"]) if m["ay"] else need_year("anno")
    return Target(Kind.DEADLINE, deadline=date(y, 12, 31))


# --- deadlines from an event ----------------------------------------------------------

_EVENT_RE = re.compile(
    r"^(?:(?P<sym><=|=<|≤|<)\s*|(?P<w>entro\s+e\s+non\s+oltre|entro(?:\s+(?:i|il|un\s+massimo"
    r"\s+di))?|non\s+oltre(?:\s+(?:i|il))?|non\s+più\s+di|al\s+massimo|massimo|max\.?|fino\s+a|"
    r"meno\s+di|tempo\s+(?:massimo|max\.?)(?:\s+di)?|almeno|nei|in)\s+)?"
    r"(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>giorni|giorno|gg\.?|g\.|mesi|mese|settimane|settimana|"
    r"sett\.|ore|ora|h|minuti|min\.?)"
    r"(?P<qual>\s+(?:lavorativ[io]|lav\.|solari|naturali(?:\s+e\s+consecutivi)?|di\s+calendario"
    r"|consecutivi))*\s*"
    r"(?P<event>(?:dal|dalla|dallo|dai|dagli|dalle|da|a\s+partire\s+da\S*|a\s+decorrere\s+da\S*|"
    r"successiv[io]\s+(?:a|al|alla|allo|ai|agli|alle|all')|prima\s+(?:di|del|della|dello|dei|"
    r"degli|delle|dell'))(?:\s+|(?<='))\S.*|dall'\s*\S.*)$",
    re.IGNORECASE)
_EVENT_UNITS = {"giorni": "gg", "giorno": "gg", "gg": "gg", "gg.": "gg", "g.": "gg",
                "mesi": "mesi", "mese": "mesi", "settimane": "settimane",
                "settimana": "settimane", "sett.": "settimane"}


def _event_deadline(s: str, original: str) -> Target | None:
    """``entro 30 gg dalla richiesta``: completion ≤ the event's date + the term."""
    m = _EVENT_RE.match(s)
    if m is None:
        return None
    word = re.sub(r"\s+", " ", (m["w"] or "").lower())
    unit = m["unit"].lower()
    event = m["event"].strip()
    before = event.lower().startswith("prima")
    if unit in ("ore", "ora", "h", "minuti", "min", "min."):
        raise TargetError(original, "un termine in ore o minuti da un evento non si confronta "
                                    "con date: misurare il tempo con un indicatore numerico",
                          ("<= 48 h", "entro 2 gg dalla segnalazione"))
    if "lav" in (m["qual"] or "").lower():
        raise TargetError(original, "i giorni lavorativi dipendono dal calendario delle "
                                    "festività: indicare il termine in giorni di calendario, "
                                    "oppure misurare i giorni con un indicatore numerico",
                          ("entro 14 gg dalla richiesta", "<= 10 gg lavorativi"))
    if word == "almeno" and not before:
        raise TargetError(original, "un termine minimo dopo un evento non è una scadenza",
                          ("entro 30 gg dalla richiesta",))
    if "," in m["n"] or "." in m["n"]:
        raise TargetError(original, "il termine deve essere un numero intero di giorni, "
                                    "settimane o mesi", ("entro 45 gg dalla richiesta",))
    n = int(m["n"])
    op: Operator = "<" if (m["sym"] == "<" or word == "meno di") else "<="
    return Target(Kind.EVENT_DEADLINE, op=op, value=float(-n if before else n),
                  unit=_EVENT_UNITS[unit], event=event)


# --- relative targets -------------------------------------------------------------------

_NOUN = r"(?:valore|valori|consuntivo|dato|dati|risultato|risultati|livello|livelli|target)"
_OF = r"(?:\s+(?:del|dello|della|dei|degli|delle|al|registrat[oi]\s+nel|raggiunt[oi]\s+nel|di)" \
      r"\s+|\s+(?:dell|nell)'\s*|\s+)"
_SPANS = {"biennio": 2, "triennio": 3, "quadriennio": 4, "quinquennio": 5}
_COUNTS = {"due": 2, "tre": 3, "quattro": 4, "cinque": 5}
_REF_FORMS = (
    ("prev", re.compile(rf"^(?:{_NOUN}{_OF})?(?:(?:l')?anno(?:\s+(?:accademico|solare))?|"
                        r"(?:l')?a\.\s?a\.|esercizio|annualità)\s+(?:precedente|prec\.?|scorso)",
                        re.IGNORECASE)),
    ("lag", re.compile(rf"^(?:{_NOUN}{_OF})?(?:(?:l')?anno\s+)?\(?\s*[xnt]\s*-\s*(?P<k>\d{{1,2}})"
                       r"\s*\)?(?![\d.,%])", re.IGNORECASE)),
    ("mean", re.compile(
        r"^(?:(?:il\s+)?valore\s+)?media\s+(?:(?:del|dell'|degli)\s*)?(?:"
        r"(?P<span>biennio|triennio|quadriennio|quinquennio)(?:\s+precedente)?"
        r"(?:\s+(?P<a>\d{4})\s*-\s*(?P<b>\d{4}))?"
        r"|ultimi\s+(?P<n>\d|due|tre|quattro|cinque)\s+anni"
        r"|(?:anni\s+)?(?P<a2>\d{4})\s*-\s*(?P<b2>\d{4}))", re.IGNORECASE)),
    ("year", re.compile(rf"^(?:{_NOUN}{_OF}(?:(?:l')?anno\s+)?|(?:l')?anno\s+|(?:{_NOUN}\s+)?"
                        r"al\s+31[-/.]12[-/.])(?P<y>(?:19|20)\d{2})(?![\d.,%])", re.IGNORECASE)),
    ("base", re.compile(rf"^(?:{_NOUN}{_OF})?(?:baseline|base\s?line|base|linea\s+di\s+base|"
                        r"valore\s+iniziale)\b", re.IGNORECASE)),
)
_BARE_YEAR = re.compile(r"^(?P<y>(?:19|20)\d{2})(?![\d.,%])")
_BENCHMARK = re.compile(r"^[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' .\-]*$")
_OFFSET = re.compile(rf"^(?P<sign>[+-])\s*(?P<num>\d[\d.,]*)\s*(?P<unit>%|p\.?\s?p\.?|punti"
                     rf"(?:\s+percentuali)?|{UNIT_PATTERN})?$", re.IGNORECASE)
_NAMED = re.compile(r"^(?:media|valore|benchmark|standard|dato|livello|soglia)\b",
                    re.IGNORECASE)


def _reference(s: str, original: str, bare_year: bool = False) -> tuple[Reference, str] | None:
    """A reference at the start of ``s`` and what follows it."""
    for name, pattern in _REF_FORMS:
        m = pattern.match(s)
        if m is None:
            continue
        rest = s[m.end():].strip()
        if name == "prev":
            return PREVIOUS_YEAR, rest
        if name == "lag":
            k = int(m["k"])
            if not 1 <= k <= 30:
                raise TargetError(original, f"«x-{k}»: gli anni indietro vanno da 1 a 30")
            return Reference(Source.ACTUAL, lag=k), rest
        if name == "year":
            return Reference(Source.ACTUAL, year=int(m["y"])), rest
        if name == "base":
            return Reference(Source.BASELINE), rest
        if m["span"] or m["n"]:
            span = _SPANS[m["span"].lower()] if m["span"] else _COUNTS.get(
                m["n"].lower(), 0) or int(m["n"])
            first, last = m["a"], m["b"]
        else:
            first, last = m["a2"], m["b2"]
            span = int(last) - int(first) + 1
        if first and last and int(last) - int(first) + 1 != span:
            raise TargetError(original, f"il periodo {first}-{last} non è di {span} anni")
        if not 2 <= span <= 10:
            raise TargetError(original, "la media va fatta su 2-10 anni consecutivi")
        return Reference(Source.ACTUAL, lag=0 if last else 1,
                         year=int(last) if last else None, span=span), rest
    if bare_year and (m := _BARE_YEAR.match(s)):
        return Reference(Source.ACTUAL, year=int(m["y"])), s[m.end():].strip()
    return None


def _offset(text: str, original: str) -> Offset | None:
    m = _OFFSET.match(text)
    if m is None:
        return None
    number, decimals = _number(m["num"], original)
    sign = -1 if m["sign"] == "-" else 1
    written = re.sub(r"\s+", " ", m["unit"] or "").replace(". ", ".")      # «p. p.» → «p.p.»
    unit = "p.p." if written.lower() == "punti" else _unit(written or None)
    if unit == "%":
        return Offset(OffsetMode.MUL, sign * float(number / 100), "%", decimals)
    if unit == "p.p.":
        return Offset(OffsetMode.ADD, sign * float(number / 100), "p.p.", decimals)
    return Offset(OffsetMode.ADD, sign * float(number), unit, decimals)


def _relative_operand(op: Operator, s: str, original: str, *, any_name: bool
                      ) -> Target | None:
    """``op`` followed by a reference and an optional change (``anno precedente + 5 %``).

    A named benchmark (``> media cluster``) follows a symbol; after words («superiore
    alla …») only a name that says it is a value (``media``, ``valore``…) is one.
    """
    found = _reference(s, original)
    if found is None:
        m = re.match(r"^(?P<name>.+?)(?:\s*(?P<rest>[+-]\s*\d.*))?$", s)
        name = m["name"] if m else ""
        if not ((any_name or _NAMED.match(name)) and _BENCHMARK.match(name) and not re.search(
                r"\b(?:giorni|gg|mesi|anni|ore|n|nr|numero|euro|eur)\b", name, re.IGNORECASE)):
            return None
        found = (Reference(Source.BENCHMARK, name=name.lower().strip(" .-")),
                 (m["rest"] or "") if m else "")
    reference, rest = found
    if not rest:
        return Target(Kind.RELATIVE, op=op, reference=reference)
    offset = _offset(rest, original)
    if offset is None:
        return None
    return Target(Kind.RELATIVE, op=op, reference=reference, offset=offset)


_UP = r"incremento|aumento|crescita|innalzamento|aumentare|incrementare"
_DOWN = (r"riduzione|diminuzione|decremento|calo|contrazione|abbattimento|ridurre|"
         r"diminuire")
_BETTER = r"miglioramento|migliorare"
_COMPARED = (r"(?:rispetto\s+(?:all'|(?:allo|alla|alle|agli|ai|al|ad|a)\b)|sull'|"
             r"(?:sullo|sulla|sulle|sugli|sui|sul|su)\b|in\s+(?:più|meno)\s+rispetto\s+"
             r"(?:all'|(?:alla|al|a)\b)|nei\s+confronti\s+(?:dell'|(?:della|del)\b))\s*")
_CHANGE_RE = re.compile(
    rf"^(?:(?:un|una)\s+)?(?P<dir>{_UP}|{_DOWN}|{_BETTER})\s+(?:(?:di\s+)?(?:almeno|minimo|"
    rf"non\s+inferiore\s+a(?:l|ll')?)\s+)?(?:del|dello|della|dei|di|pari\s+al?|dell')?\s*"
    rf"(?:(?:il|l')\s*)?(?P<num>\d[\d.,]*)\s*(?P<unit>%|p\.?\s?p\.?|punti(?:\s+percentuali)?|"
    rf"{UNIT_PATTERN})?(?:\s+(?P<comp>{_COMPARED}.*))?$", re.IGNORECASE)
_SIGNED_RE = re.compile(rf"^(?P<sign>[+-])\s*(?P<num>\d[\d.,]*)\s*(?P<unit>%|p\.?\s?p\.?|punti"
                        rf"(?:\s+percentuali)?|{UNIT_PATTERN})?\s+(?P<comp>{_COMPARED}.*)$",
                        re.IGNORECASE)
_TREND_RE = re.compile(rf"^(?:in\s+)?(?P<dir>{_UP}|{_DOWN}|{_BETTER})(?:\s+(?P<comp>{_COMPARED}"
                       r".*))?$", re.IGNORECASE)
_KEEP_RE = re.compile(
    rf"^(?:mantenimento|mantenere|conferma|confermare|stabilità|invarianza)(?:\s+(?:del|dello|"
    rf"della|dei|degli|delle|il|lo|la|i|gli|le)\s+{_NOUN}(?:\s+(?:raggiunt[oi]|registrat[oi]|"
    rf"attual[ei]))?)?(?:(?:\s+(?:del|dello|della|dei|degli|delle|di|nel|al|raggiunt[oi]\s+nel|"
    rf"registrat[oi]\s+nel)\s+|\s+(?:dell|nell)'\s*|\s+{_COMPARED}|\s+)(?P<ref>\S.*))?$",
    re.IGNORECASE)
_COMPARED_RE = re.compile(rf"^{_COMPARED}", re.IGNORECASE)


def _direction(word: str, polarity: Polarity | None) -> int:
    word = word.lower()
    if re.fullmatch(_UP, word):
        return 1
    if re.fullmatch(_DOWN, word):
        return -1
    return -1 if polarity is Polarity.DECREASING else 1


def _compared_reference(text: str | None, original: str, example: str) -> Reference:
    """The reference after «rispetto a …»; without it the change has no base: refused."""
    if not text:
        raise TargetError(original, "manca il valore di confronto («rispetto a …»)",
                          (example, "incremento del 5 % rispetto all'anno precedente",
                           "riduzione del 10 % rispetto al 2023"))
    rest = _COMPARED_RE.sub("", text, count=1).strip()
    found = _reference(rest, original, bare_year=True)
    if found is None or found[1]:
        raise TargetError(original, f"valore di confronto «{rest}» non riconosciuto",
                          ("rispetto all'anno precedente", "rispetto al 2023",
                           "rispetto alla baseline", "rispetto alla media del triennio"))
    return found[0]


def _relative_words(s: str, original: str, polarity: Polarity | None) -> Target | None:
    if m := (_CHANGE_RE.match(s) or _SIGNED_RE.match(s)):
        groups = m.groupdict()
        sign = _direction(groups["dir"], polarity) if groups.get("dir") else (
            -1 if groups["sign"] == "-" else 1)
        magnitude = _offset(f"+{m['num']}{(m['unit'] or '')}", original)
        assert magnitude is not None
        ref = _compared_reference(m["comp"], original,
                                  f"{'incremento' if sign > 0 else 'riduzione'} del "
                                  f"{m['num']}{m['unit'] or ''} rispetto all'anno precedente")
        offset = Offset(magnitude.mode, sign * magnitude.value, magnitude.unit,
                        magnitude.decimals)
        return Target(Kind.RELATIVE, op=">=" if sign > 0 else "<=", reference=ref,
                      offset=offset)
    if m := _TREND_RE.match(s):
        sign = _direction(m["dir"], polarity)
        ref = _compared_reference(m["comp"], original, f"in {m['dir'].lower()} rispetto "
                                                       f"all'anno precedente")
        return Target(Kind.RELATIVE, op=">" if sign > 0 else "<", reference=ref)
    if m := _KEEP_RE.match(s):
        if not m["ref"]:
            raise TargetError(original, "mantenimento di quale valore? indicarlo",
                              ("mantenimento del valore dell'anno precedente",
                               "mantenimento del valore 2023", ">= 90 %"))
        rest = _COMPARED_RE.sub("", m["ref"], count=1).strip()
        found = _reference(rest, original, bare_year=True)
        if found is None or found[1]:
            raise TargetError(original, f"mantenimento: valore «{rest}» non riconosciuto",
                              ("mantenimento del valore dell'anno precedente",
                               "mantenimento del valore 2023"))
        op: Operator = "<=" if polarity is Polarity.DECREASING else ">="
        return Target(Kind.RELATIVE, op=op, reference=found[0])
    return None


_GAP_RE = re.compile(
    rf"^scostamento\s+(?:max\.?|massimo|non\s+superiore\s+a(?:l|ll')?|entro(?:\s+il)?|"
    rf"fino\s+a(?:l|ll')?)\s*(?P<num>\d[\d.,]*)\s*(?P<unit>{UNIT_PATTERN})?\s+"
    rf"(?:dall'|(?:dalla|dallo|dal|da)\s|rispetto\s+(?:all'|(?:alla|al|a)\s))\s*"
    rf"(?P<ref>\S.*)$",
    re.IGNORECASE)


def _gap(s: str, original: str) -> Target | None:
    m = _GAP_RE.match(s)
    if m is None:
        return None
    number, decimals = _number(m["num"], original)
    unit = _unit(m["unit"])
    value = float(number / 100) if unit == "%" else float(number)
    target = _relative_operand("=", m["ref"].strip(), original, any_name=True)
    if target is None or target.offset is not None:
        return None
    return Target(Kind.RELATIVE, op="=", value=value, unit=unit, decimals=decimals,
                  reference=target.reference)


# --- comparisons ------------------------------------------------------------------------

_OPERATOR_RE = re.compile(
    rf"^(?:(?P<sym>{_SYMBOL})|(?P<word>{_WORD_OP_RE})(?=[\s\d'(+\-€]|$))\s*{_ARTICLES}"
    rf"(?P<rest>.*)$", re.IGNORECASE)


def _operator_target(s: str, original: str, polarity: Polarity | None) -> Target | None:
    """An operator (symbol or words) and its operand: a value or a reference."""
    m = _OPERATOR_RE.match(s)
    if m is None:
        return None
    word = (m["word"] or "").lower()
    op = _OP_SYMBOLS[m["sym"]] if m["sym"] else _WORD_OPS[word]
    rest = m["rest"].strip()
    if not rest:
        raise TargetError(original, "manca il valore dopo l'operatore", (">= 70 %", "<= 10 gg"))
    if value := _VALUE_RE.match(rest):
        if value["tail"]:
            return None
        number, unit, decimals = _value(value, original)
        if word == "entro" and unit not in _TIME_UNITS:
            return None
        return Target(Kind.COMPARISON, op=op, value=number, unit=unit, decimals=decimals)
    if word == "entro":
        return None
    return _relative_operand(op, rest, original, any_name=bool(m["sym"]))


def _bare_value(s: str, original: str, polarity: Polarity | None) -> Target | None:
    m = _VALUE_RE.match(s)
    if m is None:
        return None
    number, unit, decimals = _value(m, original)
    op = _TAILS[m["tail"].lower()] if m["tail"] else _bare_operator(number, polarity)
    return Target(Kind.COMPARISON, op=op, value=number, unit=unit, decimals=decimals)


_LABEL_RE = re.compile(rf"^(?P<label>[A-Za-zÀ-ÿ°º'._/()\- ]*[A-Za-zÀ-ÿ°º.)])\s*"
                       rf"(?P<rest>(?:{_SYMBOL}).*)$")
_COLON_LABEL_RE = re.compile(r"^(?P<label>[A-Za-zÀ-ÿ°º'._/()\- ]{2,40}):\s*(?P<rest>\S.*)$")
# «Baseline: 45 %» or «Valore 2023: 12» give a value that is not the target: never stripped.
_NOT_A_TARGET_LABEL = re.compile(r"base|riferiment|consuntiv|attual|partenza|storic|rilevat|"
                                 r"iniziale|^dato|media|benchmark|anno", re.IGNORECASE)


# --- the parser -------------------------------------------------------------------------

def parse_target(text: str | None, polarity: Polarity | str | None = None,
                 year: int | None = None) -> Target:
    """Parse an Italian target text.

    ``polarity`` decides the operator of a bare value and of «mantenimento»; ``year`` is
    the target's year, for dates written without one (``entro il 30 giugno``).
    """
    return _parse_cached(text, polarity, year)


@lru_cache(maxsize=8192)
def _parse_cached(text: str | None, polarity: Polarity | str | None, year: int | None
                  ) -> Target:
    # Targets are immutable and plans repeat the same texts: parse each text once.
    original = "" if text is None else str(text)
    pol = Polarity(polarity) if polarity else None
    s = _clean(original)
    found = _parse_clean(s, original, pol, year)
    if found is None and (m := _COLON_LABEL_RE.match(s)) \
            and not _NOT_A_TARGET_LABEL.search(m["label"]):
        found = _parse_clean(m["rest"], original, pol, year)
    if found is None and (m := _LABEL_RE.match(s)):
        label = m["label"].strip()
        if not re.fullmatch(_WORD_OP_RE, label, re.IGNORECASE) and not (
                _NOT_A_TARGET_LABEL.search(label) and not re.fullmatch(
                    r"(?:valore\s+)?(?:anno\s+)?[xnt]", label, re.IGNORECASE)):
            found = _operator_target(m["rest"], original, pol)
    if found is None:
        m = _COLON_LABEL_RE.match(s)
        if m and re.search(r"base|partenza|iniziale", m["label"], re.IGNORECASE):
            raise TargetError(original, "è il valore di partenza, non il target: indicarlo come "
                                        "baseline dell'indicatore e scrivere il target",
                              ("Baseline: misurazione", ">= baseline + 10", "Monitoraggio"))
        raise TargetError(original, "", suggest(original))
    return found


def _parse_clean(s: str, original: str, pol: Polarity | None, year: int | None
                 ) -> Target | None:
    low = s.lower()
    if low in _MONITORING_WORDS or _MONITORING_RE.match(s):
        return Target(Kind.MONITORING)
    if _UNDEFINED_RE.match(s):
        raise TargetError(original, "target ancora da definire: indicare il target, oppure "
                                    "«Monitoraggio» se l'indicatore va solo rilevato",
                          ("Monitoraggio", ">= 70 %"))
    if low in _MILESTONE_WORDS:
        return Target(Kind.MILESTONE)
    if m := _DELIVERABLE_RE.match(s):
        return Target(Kind.MILESTONE, text=m["text"].strip())
    for step in (lambda: _event_deadline(s, original),
                 lambda: _deadline(s, original, year),
                 lambda: _gap(s, original),
                 lambda: _relative_words(s, original, pol),
                 lambda: _operator_target(s, original, pol),
                 lambda: _bare_value(s, original, pol)):
        if (found := step()) is not None:
            return found
    return None


# --- suggestions ------------------------------------------------------------------------

EXAMPLES: dict[str, tuple[str, ...]] = {
    "confronto": (">= 70,00 %", "<= 10 gg", "= 0,23 N.", "almeno 3", "non superiore a 30 gg",
                  "almeno l'80 %"),
    "scadenza": ("Entro 31/12/2024", "entro il 30 giugno 2024", "entro dicembre 2024"),
    "evento": ("entro 30 gg dalla richiesta", "< 2 mesi dall'approvazione del decreto"),
    "realizzazione": ("Sì", "Realizzazione: <descrizione del prodotto>"),
    "relativo": ("x < x-1", "<= anno precedente", ">= valore 2023",
                 "incremento del 5 % rispetto all'anno precedente",
                 "riduzione del 10 % rispetto al 2022", ">= baseline + 10", "> media",
                 "mantenimento del valore 2023", "scostamento max 0,02 da media cluster"),
    "monitoraggio": ("Monitoraggio", "Anno di rilevazione", "n.d."),
}
_ALL_EXAMPLES = [e for family in EXAMPLES.values() for e in family]
_VOCABULARY = ["monitoraggio", "realizzazione", "realizzato", "anno di rilevazione",
               "entro", "almeno", "massimo", "baseline", "mantenimento", "incremento",
               "riduzione", "scostamento", "anno precedente"]


def suggest(text: str) -> tuple[str, ...]:
    """The accepted forms nearest to ``text``: close spellings first, then the examples of
    the family the text almost is (a date, words around a number, a sentence…)."""
    low = _clean(text).lower()
    close = difflib.get_close_matches(low, [e.lower() for e in _ALL_EXAMPLES] + _VOCABULARY,
                                      n=2, cutoff=0.75)
    by_lower = {e.lower(): e for e in _ALL_EXAMPLES}
    out = list(dict.fromkeys(by_lower.get(c, c.capitalize()) for c in close))
    has_number = bool(re.search(r"\d", low))
    if re.search(r"rispetto|preceden|\bx\s*-|\bn\s*-\s*\d|baseline|\bmedia\b|increment|"
                 r"riduzi|aument|diminu|manten", low):
        family = "relativo"
    elif has_number and re.search(r"\b(?:giorni|gg|mesi|settiman\w*)\b.*\bda", low):
        family = "evento"
    elif re.search(rf"\d{{1,2}}[-/.]\d{{1,2}}|\b(?:{MONTH_PATTERN})\b|\bentro\b|scadenz", low):
        family = "scadenza"
    elif has_number:
        family = "confronto"
    elif len(re.findall(r"[a-zà-ù]{3,}", low)) >= 2:
        family = "realizzazione"
    else:
        family = "generale"
    if family == "generale":
        pool: tuple[str, ...] = (">= 70,00 %", "Entro 31/12/2024", "Sì", "Monitoraggio")
    else:
        pool = EXAMPLES[family]
        if family == "realizzazione":
            pool = (*pool, "Monitoraggio")
    def likeness(example: str) -> float:
        return difflib.SequenceMatcher(None, low, example.lower()).ratio()

    for example in sorted(pool, key=likeness, reverse=True):   # the family's closest first
        if example not in out:
            out.append(example)
    return tuple(out[:4])


# --- deliverables -----------------------------------------------------------------------

_ACTION_NOUN = re.compile(r"^[a-zà-ù]{3,}(?:zione|zioni|sione|sioni|mento|menti|tura|ture|"
                          r"aggio|aggi)$")
_DELIVERABLE_NOUNS = {
    "avvio", "report", "reportistica", "relazione", "piano", "documento", "proposta",
    "regolamento", "progetto", "bando", "bandi", "convenzione", "accordo", "protocollo",
    "manuale", "linee", "carta", "sistema", "portale", "piattaforma", "procedura",
    "procedure", "evento", "eventi", "campagna", "catalogo", "banca", "database", "sito",
    "newsletter", "questionario", "indagine", "studio", "analisi", "rapporto", "nuovo",
    "nuova", "nuovi", "nuove", "attività", "stipula", "gara", "mappa", "modulistica",
    "sportello", "servizio", "servizi", "percorso", "corso", "ciclo", "rete",
}


def deliverable_or_error(text: str) -> str:
    """The milestone form (``Realizzazione: <text>``) of a sentence that describes a
    deliverable (``Definizione di una proposta di regolamento``), for importers, which
    then mark the indicator ``da_confermare``. Anything else raises :class:`TargetError`:
    a readable target (use it as it is), a date or a comparison hidden in words (write it
    as a deadline or comparison), or text that names no deliverable.
    """
    original = str(text)
    s = _clean(original)
    try:
        parsed = parse_target(original)
    except TargetError as exc:
        error = exc
    else:
        raise TargetError(original, f"è già un target valido ({parsed.kind.value}): usarlo "
                                    "così com'è")
    low = s.lower()
    words = re.findall(r"[a-zà-ù]+", low)
    first = words[0] if words else ""
    if re.search(rf"[<>=≥≤%]|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}|\b(?:{MONTH_PATTERN})\s+\d{{4}}",
                 low):
        raise TargetError(original, "la frase contiene una data o un confronto: scriverlo "
                                    "come scadenza o confronto", suggest(original))
    if len([w for w in words if len(w) >= 2]) < 2 or not (
            _ACTION_NOUN.match(first) or first in _DELIVERABLE_NOUNS):
        raise error
    return MILESTONE_PREFIX + s


# --- formatting -------------------------------------------------------------------------

def _format_value(value: float, unit: str | None, decimals: int) -> str:
    if unit in ("%", "p.p."):
        points = Decimal(repr(value)) * 100
        return f"{format_number(points, decimals)} {unit}"
    text = format_number(value, decimals)
    return f"{text} {unit}" if unit else text


def _format_offset(offset: Offset) -> str:
    sign = "-" if offset.value < 0 else "+"
    return f"{sign} {_format_value(abs(offset.value), offset.unit, offset.decimals)}"


_EVENT_UNIT_TEXT = {"gg": ("gg", "gg"), "mesi": ("mese", "mesi"),
                    "settimane": ("settimana", "settimane")}


def format_target(target: Target) -> str:
    """The canonical Italian text of a target; ``parse_target`` reads it back equal."""
    match target.kind:
        case Kind.MONITORING:
            return "Monitoraggio"
        case Kind.MILESTONE:
            return MILESTONE_PREFIX + target.text if target.text else "Sì"
        case Kind.DEADLINE:
            assert target.deadline is not None
            return f"Entro {format_date(target.deadline)}"
        case Kind.EVENT_DEADLINE:
            assert target.value is not None and target.event and target.unit
            count = abs(int(target.value))
            unit = _EVENT_UNIT_TEXT[target.unit][count != 1]
            n = f"{count} {unit} {target.event}"
            return f"< {n}" if target.op == "<" else f"entro {n}"
        case Kind.RELATIVE:
            assert target.reference is not None
            ref = target.reference.text
            if target.value is not None:
                gap = _format_value(target.value, target.unit, target.decimals)
                return f"scostamento max {gap} da {ref}"
            change = f" {_format_offset(target.offset)}" if target.offset else ""
            return f"{target.op} {ref}{change}"
        case Kind.COMPARISON:
            assert target.value is not None
            return f"{target.op} {_format_value(target.value, target.unit, target.decimals)}"
    raise AssertionError(target.kind)


def describe_reference(target: Target, year: int) -> str:
    """What the Riferimento cell of ``target`` holds in ``year``, in Italian."""
    ref = target.reference
    if ref is None:
        return ""
    if ref.source is Source.BASELINE:
        return "il valore di baseline"
    if ref.source is Source.BENCHMARK:
        return f"il valore «{ref.name}»"
    years = ref.years(year)
    if len(years) == 1:
        return f"il consuntivo {years[0]}"
    return f"la media dei consuntivi {years[0]}-{years[-1]}"


__all__ = [
    "CENTURY", "EXAMPLES", "MILESTONE_PREFIX", "OPERATORS", "PREVIOUS_YEAR", "Kind", "Offset",
    "OffsetMode", "Operator", "Polarity", "Reference", "Source", "Target", "TargetError",
    "deliverable_or_error", "describe_reference", "format_target", "full_year",
    "parse_target", "suggest",
]
