"""Italian numbers, percentages, dates and yes/no values.

Real plans write numbers the Italian way (``1.234,56``, ``97,87 %``) and dates as
``31-12-2023`` or ``31/12/2023``. Babel does the separator work (strict mode, so an
ambiguous ``0.5`` is an error instead of silently becoming 5); this module adds units,
percentages, dates and the lenient reading of what an office types into a cell.
Percent values are fractions (``70 %`` → 0.70), as Excel stores them.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from ..errors import UserError

LOCALE = "it_IT"

#: Canonical unit → accepted spellings (lower case, compared after stripping spaces).
UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "%": ("%",),
    "N.": ("n.", "n", "nr.", "nr", "num.", "numero", "n°"),
    "gg": ("gg", "gg.", "giorni", "giorno", "g"),
    "gg lavorativi": ("gg lavorativi", "gg. lavorativi", "giorni lavorativi"),
    "h": ("h", "ore", "ora"),
    "min": ("min", "min.", "minuti", "minuto"),
    "mesi": ("mesi", "mese"),
    "€": ("€", "euro", "eur"),
    "p.p.": ("p.p.", "p.p", "pp", "pp.", "punti percentuali"),
}
#: A unit is ``%`` or a short word starting with a letter, ``°`` or ``€`` (never ``/``: a date;
#: never an exponent: ``1e999`` is not 1 of the unit «e999»).
UNIT_PATTERN = r"%|(?![eE][+-]?\d)[A-Za-zÀ-ÿ°€][^\s]{0,11}"
_UNIT_LOOKUP = {alias: canon for canon, aliases in UNIT_ALIASES.items() for alias in aliases}

_MINUSES = "\u2212\u2013\u2014"  # minus sign, en dash, em dash typed for "-"
_SPACES = "\u00a0\u202f\u2009"

EXCEL_EPOCH = date(1899, 12, 30)


class NumberError(UserError, ValueError):
    """A text that is not an Italian number (the message quotes it)."""


def normalize_text(text: str) -> str:
    """Unify the look-alike characters people paste from Word and PDF."""
    for ch in _SPACES:
        text = text.replace(ch, " ")
    for ch in _MINUSES:
        text = text.replace(ch, "-")
    return re.sub(r"\s+", " ", text).strip()


def canonical_unit(token: str | None) -> str | None:
    """``giorni`` → ``gg``, ``n`` → ``N.``; an unknown word is kept as written."""
    if token is None:
        return None
    token = token.strip()
    if not token:
        return None
    return _UNIT_LOOKUP.get(token.lower(), token)


def parse_decimal_it(text: str) -> Decimal:
    """Parse an Italian number (``1.234,56``, ``-10,00``) exactly, as a Decimal."""
    clean = normalize_text(text).replace(" ", "")
    if clean.startswith("+"):
        clean = clean[1:]
    if not re.fullmatch(r"-?[0-9][0-9.,]*", clean):
        raise NumberError(f"«{text}» non è un numero")
    try:
        value = parse_decimal(clean, locale=LOCALE, strict=True)
    except NumberFormatError as exc:
        raise NumberError(
            f"«{text}» non è un numero scritto all'italiana (virgola per i decimali, "
            f"punto per le migliaia, es. 1.234,56)"
        ) from exc
    _bounded(float(value), text)
    return value


def decimals_of(number_text: str) -> int:
    """How many decimals a number was written with (``0,23`` → 2)."""
    clean = normalize_text(number_text).replace(" ", "")
    return len(clean.split(",", 1)[1]) if "," in clean else 0


_NUMBER_WITH_UNIT = re.compile(
    r"^(?P<num>[+-]?\s*[0-9][0-9.,]*)\s*(?P<unit>" + UNIT_PATTERN + r")?$"
)


def parse_number(text: str | float | int) -> float:
    """An Italian number, optionally with a unit: ``1.234,5`` → 1234.5, ``97,87 %`` → 0.9787.

    Numbers pass through. Anything else raises :class:`NumberError`; nothing becomes 0.
    """
    if isinstance(text, bool):
        raise NumberError(f"«{text}» non è un numero")
    if isinstance(text, int | float):
        return _bounded(float(text), text)
    return parse_quantity(text)[0]


LARGEST_NUMBER = 1e15
"""No number of a plan or of a typed text reaches it: Excel keeps 15 significant digits,
so a larger number (or NaN, ∞) is a typing error or a hostile file, never a measure."""


def _bounded(value: float, shown: object) -> float:
    if not math.isfinite(value) or abs(value) >= LARGEST_NUMBER:
        raise NumberError(f"«{shown}» non è un numero utilizzabile: al massimo 15 cifre "
                          "(Excel non ne conserva di più)")
    return value


def parse_quantity(text: str) -> tuple[float, str | None, int]:
    """``97,87 %`` → (0.9787, '%', 2); ``5,16 gg`` → (5.16, 'gg', 2)."""
    clean = normalize_text(text)
    match = _NUMBER_WITH_UNIT.match(clean)
    if not match:
        raise NumberError(f"«{text}» non è un numero")
    number = match["num"].replace(" ", "")
    unit = canonical_unit(match["unit"])
    dec = parse_decimal_it(number)
    decimals = decimals_of(number)
    if unit == "%":
        return float(dec / 100), unit, decimals
    return float(dec), unit, decimals


SCIENTIFIC_FROM = Decimal("1e15")
"""From here on a number is shown as Excel shows it in a cell, ``1,00E+30``: Excel keeps 15
significant digits, so the digits written out beyond them would be noise."""


def format_number(value: float | Decimal, decimals: int = 2, grouping: bool = True) -> str:
    """Italian text for a number with a fixed number of decimals: 1234.5 → ``1.234,50``.

    Any number has a text: 1E+30 → ``1,00E+30`` (as Excel shows it), and the values no
    cell can hold (NaN, ±∞) read as such, so a message about a strange value never fails.
    """
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    if exact.is_nan():
        return "NaN"
    if exact.is_infinite():
        return "-∞" if exact < 0 else "∞"
    if abs(exact) >= SCIENTIFIC_FROM:
        mantissa, exponent = f"{exact:.{decimals}E}".split("E")
        return f"{mantissa.replace('.', ',')}E{int(exponent):+03d}"
    exact = exact.quantize(Decimal(1).scaleb(-decimals))
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals else "")
    return format_decimal(exact, format=pattern, locale=LOCALE, decimal_quantization=True)


def plain_number(value: float, decimals: int = 6) -> str:
    """An Italian number with the decimals it needs (up to ``decimals``), as messages
    print a value: 105, 4,5, 1.234,5 (never ``4.5``)."""
    text = format_number(value, decimals)
    return text.rstrip("0").rstrip(",") if "," in text and "E" not in text else text


def exact_number(value: float) -> str:
    """Every significant digit (a change in the 7th decimal is a change), Italian comma:
    what a message comparing two values prints."""
    return f"{value:.15g}".replace(".", ",")


def value_text(value: object) -> str:
    """A cell's value in a message: a number with :func:`exact_number`, anything else as
    Python writes it (``'n.v.'``, ``None``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return exact_number(value)
    return repr(value)


def format_percent(fraction: float, decimals: int = 2) -> str:
    """0.7 → ``70,00 %`` (the value is a fraction, the text shows percent points)."""
    points = Decimal(repr(float(fraction))) * 100
    return f"{format_number(points, decimals)} %"


_DATE_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")

#: Italian month names and their usual abbreviations → month number.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
        ("gennaio", "gen"), ("febbraio", "feb"), ("marzo", "mar"), ("aprile", "apr"),
        ("maggio", "mag"), ("giugno", "giu"), ("luglio", "lug"), ("agosto", "ago"),
        ("settembre", "set", "sett"), ("ottobre", "ott"), ("novembre", "nov"),
        ("dicembre", "dic")), 1):
    for _name in _names:
        MONTHS[_name] = _number
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
_WORDS_DATE_RE = re.compile(
    rf"^(\d{{1,2}}|primo)\s*[°º]?\s+({MONTH_PATTERN})\.?\s+(\d{{4}})$", re.IGNORECASE)


def full_year(digits: str, century: int | None) -> int | None:
    """A year as written: four digits, or two digits in ``century`` (``24`` → 2024)."""
    if len(digits) == 4:
        return int(digits)
    return century + int(digits) if century is not None else None


def parse_date(text: str | date, *, century: int | None = None) -> date:
    """``31-12-2023``, ``31/12/2023``, ``31.12.2023``, ``30 giugno 2024`` or ISO
    ``2023-12-31`` → date.

    Two-digit years (``31/12/24``) are read only when ``century`` is given (plans are
    written in one century: target texts pass 2000); an office's typed value is not.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    clean = normalize_text(text)
    year: int | None
    if m := _DATE_RE.match(clean):
        day, month, year = int(m[1]), int(m[2]), full_year(m[3], century)
    elif m := _ISO_DATE_RE.match(clean):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _WORDS_DATE_RE.match(clean):
        day = 1 if m[1].lower() == "primo" else int(m[1])
        month, year = MONTHS[m[2].lower()], int(m[3])
    else:
        year = None
    if year is None:
        raise NumberError(f"«{text}» non è una data (scrivere gg/mm/aaaa, es. 31/12/2024)")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise NumberError(f"«{text}» non è una data valida") from exc


def month_end(year: int, month: int) -> date:
    """The last day of a month (``2024, 2`` → 29/02/2024)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def edate(start: date, months: int) -> date:
    """The same day ``months`` later (or earlier), as Excel's EDATE computes it: the day is
    kept when the target month has it, else the month's last day (31/01 + 1 → 29/02)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def format_date(value: date) -> str:
    """date → ``31/12/2023`` (the Italian ``gg/mm/aaaa``)."""
    return value.strftime("%d/%m/%Y")


#: What starts a formula when a spreadsheet reads a cell: a text starting with one of these
#: is written as text (Excel's quote prefix in a workbook, a leading ``'`` in a CSV file).
FORMULA_INJECTION_PREFIXES = ("=", "+", "-", "@")
#: In a CSV file a tab or a carriage return at the start also lets a formula through.
CSV_INJECTION_PREFIXES = (*FORMULA_INJECTION_PREFIXES, "\t", "\r")


def csv_safe_text(text: str) -> str:
    """A text cell of a CSV file that no spreadsheet opens as a formula: a text starting
    with ``= + - @``, a tab or a carriage return gets a leading ``'`` (docs/security.md).
    A text that already starts with apostrophes before such a character gets one more, so
    :func:`csv_unquoted_text` gives every text back exactly."""
    return f"'{text}" if text.lstrip("'").startswith(CSV_INJECTION_PREFIXES) else text


def csv_unquoted_text(text: str) -> str:
    """The inverse of :func:`csv_safe_text`: a CSV cell read back as the text it was."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(
        CSV_INJECTION_PREFIXES) else text


def excel_serial(value: date) -> int:
    """A date as Excel stores it (days since 1899-12-30)."""
    return (value - EXCEL_EPOCH).days


def cell_number(value: object) -> float | None:
    """A cell value as a formula sees it: numbers, and dates or times as Excel serials."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return (value - datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, date):
        return float(excel_serial(value))
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second
                + value.microsecond / 1e6) / 86400
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return None


def from_excel_serial(serial: float) -> date:
    """Excel's day number → date (the inverse of :func:`excel_serial`)."""
    return EXCEL_EPOCH + timedelta(days=int(serial))


# --- yes/no and «missing»: one set of words each --------------------------------------

YES, NO = "Sì", "No"
"""The two answers the generator writes in a milestone's cell and its validation list offers."""

FORMULA_YES_WORDS = ("sì", "si", "sí")
FORMULA_NO_WORDS = ("no",)
"""What the milestone grade formula accepts (docs/grammatica-target.md): spreadsheets compare
text without regard to case and trim nothing, so ``SÌ`` is Sì and ``"Sì "`` is no answer.
An actual is Sì or No only in these words, in the engine as in the workbook."""

YES_WORDS = frozenset({*FORMULA_YES_WORDS, "s", "x", "yes", "true", "vero", "1"})
NO_WORDS = frozenset({*FORMULA_NO_WORDS, "n", "false", "falso", "0"})
"""Every way a table or a form writes yes or no in a flag (``da confermare``, «Confermo i
dati»): the formula's words and a few more. Never used for an actual."""

MISSING_WORDS = frozenset({
    "", "n.d.", "n.d", "nd", "n/d", "n. d", "n.a.", "n.a", "na", "n/a", "n.v", "nv",
    "-", "--", "---", "/", "non disponibile",
})
"""Texts that mean "no value yet" (compared in lower case, spaces normalized), never 0: an
actual typed so is missing, a target written so is monitoring only. The workbook's formulas
treat only the empty cell as missing; the reader reads these leniently."""


def yes_no_text(value: bool) -> str:
    """A flag or a milestone's answer as the workbooks write it: ``Sì`` or ``No``."""
    return YES if value else NO


def formula_yes_no(value: object) -> bool | None:
    """A milestone's actual exactly as the grade formula reads it: True for Sì/Si/Sí, False
    for No (any case, nothing around them), None for anything else. A bool is the engine's
    own answer (a plan file's ``valore: true``) and passes."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.lower()
        return True if word in FORMULA_YES_WORDS else False if word in FORMULA_NO_WORDS else None
    return None


def parse_yes_no(text: str | bool) -> bool:
    """A milestone's answer typed as text: the formula's words, spaces around ignored."""
    answer = formula_yes_no(text if isinstance(text, bool) else normalize_text(str(text)))
    if answer is None:
        raise NumberError(f"«{text}» non è Sì o No")
    return answer


def parse_flag(text: str | bool) -> bool:
    """A yes/no flag of a table or a form (:data:`YES_WORDS`, :data:`NO_WORDS`)."""
    if isinstance(text, bool):
        return text
    word = normalize_text(str(text)).lower().rstrip(".")
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise NumberError(f"«{text}» non è Sì o No")


def is_missing_text(text: str) -> bool:
    """``n.d.``, ``-`` and blanks mean "no value yet", never 0."""
    return normalize_text(text).lower() in MISSING_WORDS


Actual = float | date | bool


def parse_actual(value: object) -> Actual | None:
    """Leniently read a value an office typed: number, Italian number text, date or Sì/No
    (only in the words the milestone formula accepts: :data:`FORMULA_YES_WORDS`).

    Returns None for missing values (empty, ``n.d.``). Raises :class:`NumberError`
    with the text quoted when the value means nothing.
    """
    if value is None:
        return None
    if isinstance(value, bool | date):
        return value.date() if isinstance(value, datetime) else value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Decimal):
        return float(value)
    text = str(value)
    if is_missing_text(text):
        return None
    for parser in (parse_number, parse_date, parse_yes_no):
        try:
            return parser(text)
        except NumberError:
            continue
    raise NumberError(f"«{text}» non è un numero, una data o Sì/No")


def counted(n: int, singular: str, plural: str) -> str:
    """A count and its noun agreed in number: ``counted(1, "avviso", "avvisi")`` →
    «1 avviso», 2 → «2 avvisi», 1234 → «1.234 avvisi». The words may carry the verb
    too: ``counted(n, "file esiste già", "file esistono già")``."""
    return f"{format_number(n, 0)} {singular if n == 1 else plural}"


#: The first word of a body's name (lower case, without accents) → «di» joined to the
#: article that word takes. Words not listed get :func:`of_entity`'s neutral form.
ENTITY_ARTICLES: dict[str, str] = {
    **dict.fromkeys(("comune", "ministero", "consiglio", "consorzio", "dipartimento",
                     "politecnico", "parco", "segretariato", "tribunale", "museo",
                     "collegio", "conservatorio", "corpo", "commissario", "garante",
                     "teatro", "centro", "libero", "nucleo", "comando"), "del "),
    **dict.fromkeys(("camera", "regione", "provincia", "citta", "giunta", "presidenza",
                     "corte", "fondazione", "societa", "direzione", "scuola", "soprintendenza",
                     "prefettura", "questura", "comunita", "unione", "cciaa"), "della "),
    **dict.fromkeys(("universita", "agenzia", "azienda", "autorita", "accademia",
                     "amministrazione", "avvocatura", "istituto", "ente", "ordine",
                     "ufficio", "ospedale", "osservatorio", "archivio", "ateneo", "area",
                     "asl", "asp", "ats", "arpa", "inps", "inail", "istat", "aci", "ice",
                     "enea", "inaf", "infn"), "dell'"),
}


def of_entity(name: str) -> str:
    """«di» and the article for a public body's name, as in «il piano della performance
    …»: «del Comune di Lucca», «della Camera di Commercio di Lucca», «dell'Università di
    Pisa». A name whose first word is not in :data:`ENTITY_ARTICLES` (or that already
    starts with an article) is not guessed: «dell'ente «X»»."""
    text = " ".join(name.split())
    first = re.split(r"[\s'’.,;:()«»\"-]+", text, maxsplit=1)[0]
    key = "".join(c for c in unicodedata.normalize("NFKD", first.lower())
                  if not unicodedata.combining(c))
    article = ENTITY_ARTICLES.get(key)
    if article is None or not text:
        return f"dell'ente «{text}»"
    return f"{article}{text}"
