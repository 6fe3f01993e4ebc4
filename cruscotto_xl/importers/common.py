"""What every importer shares: the result type, reading the source, small text helpers.

An importer turns a text export into a :class:`~cruscotto_xl.core.model.Plan` and a list of
:class:`~cruscotto_xl.core.problems.Problem`. Every problem found in the source is located as
``riga N`` (the 1-based line number in the file), so the controller can open the export and
find the line. Nothing in the source is dropped silently: a line the importer does not
understand, a target it cannot read, a cell it had to ignore are all problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.model import Plan
from ..core.problems import Location, Problem, Severity, has_errors
from ..core.targets import Kind, Polarity, Target, TargetError, parse_target
from ..core.vocabulary import NumberError, normalize_text, parse_decimal_it
from ..errors import UserError

#: The names some exports use for a body, and the body's official name.
KNOWN_ENTITIES = {
    "maremma e tirreno": "Camera di Commercio della Maremma e del Tirreno",
}


@dataclass
class ImportResult:
    """A plan read from an export, with the problems found on the way."""

    plan: Plan
    problems: list[Problem] = field(default_factory=list)
    source: Path | None = None

    @property
    def has_errors(self) -> bool:
        return has_errors(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "errore"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "avviso"]


class ImportFailed(UserError):
    """The source cannot give a plan at all (unreadable file, no year, no objectives)."""

    def __init__(self, source: Path | str, problems: list[Problem]) -> None:
        self.source = Path(source)
        self.problems = problems
        super().__init__("\n".join(f"{self.source}: {p}" for p in problems))


def at_line(lineno: int, message: str, severity: Severity = "errore",
            subject: str = "") -> Problem:
    """A problem located at a line of the source file (``riga N``, 1-based)."""
    return Problem(Location(lines=(lineno,)), message, severity, subject)


def at_lines(linenos: list[int], message: str, severity: Severity = "errore",
             subject: str = "") -> Problem:
    """One problem about several lines (``righe 12, 40, 41``): a kind of problem is
    reported once, with every line it concerns."""
    lines = sorted(set(linenos))
    if len(lines) == 1:
        return at_line(lines[0], message, severity, subject)
    return Problem(Location(lines=tuple(lines)), message, severity, subject)


def by_line(problem: Problem) -> int:
    """Sort key: problems in the order of the source lines (file-level ones first)."""
    return problem.where.first_line


def read_lines(path: Path | str) -> tuple[list[str], list[Problem]]:
    """The lines of a text export (UTF-8, or Windows-1252 with a warning)."""
    text, problems = read_text(path)
    return text.splitlines(), problems


def read_text(path: Path | str) -> tuple[str, list[Problem]]:
    """The text of an export (UTF-8 with or without BOM, or Windows-1252 with a warning)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(path, [Problem(Location(), "file non trovato")]) from None
    except OSError as exc:
        raise ImportFailed(path, [Problem(Location(), f"impossibile leggere il file "
                                                      f"({exc.strerror})")]) from None
    problems: list[Problem] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        problems.append(Problem(Location(), "il file non è UTF-8: letto come Windows-1252 "
                                    "(controllare le lettere accentate)", "avviso"))
    return text, problems


_MARKUP = re.compile(r"</?(?:b|strong|i|em|u)\s*>|\*\*", re.IGNORECASE)


def strip_markup(text: str) -> str:
    """Drop the bold/italic markup of markdown and HTML exports (``**``, ``<b>``)."""
    return _MARKUP.sub("", text)


def cells_of(line: str) -> list[str]:
    """The tab-separated cells of a line, each trimmed (empty cells kept)."""
    return [normalize_text(c) for c in line.split("\t")]


def filled(cells: list[str]) -> list[str]:
    return [c for c in cells if c]


def is_rule_line(cells: list[str]) -> bool:
    """A markdown underline (``-----``, ``====``): layout, no data."""
    content = filled(cells)
    return bool(content) and all(re.fullmatch(r"-{2,}|={2,}", c) for c in content)


WEIGHT_RE = r"[+-]?\d{1,3}(?:[.,]\d+)?\s*%"


def parse_points(text: str) -> float:
    """A weight in percent points: ``14,28%`` → 14.28 (raises NumberError)."""
    clean = normalize_text(text)
    if clean.endswith("%"):
        clean = clean[:-1].strip()
    return float(parse_decimal_it(clean))


def parse_weight(text: str) -> float:
    """A weight between 0 and 100 percent points (raises NumberError otherwise)."""
    value = parse_points(text)
    if not 0 <= value <= 100:
        raise NumberError(f"«{text}» non è un peso tra 0 e 100")
    return value


def entity_name(text: str) -> str:
    """The official name of the body an export calls ``text``."""
    clean = normalize_text(text)
    known = KNOWN_ENTITIES.get(clean.lower())
    if known:
        return known
    if clean.lower().startswith(("camera di commercio", "c.c.i.a.a", "cciaa")):
        return clean
    return f"Camera di Commercio {clean}"




def polarity_of(text: str, target: Target) -> Polarity | None:
    """The indicator's direction as the target's written operator says it.

    ``<=``/``<`` → decreasing, ``>=``/``>``/``=`` → increasing, in symbols or in words
    (``almeno``, ``non oltre``); a bare value, a deadline or any other kind of target says
    nothing (None). The operator is written when the text reads the same whatever the
    indicator's direction.
    """
    if target.kind is not Kind.COMPARISON:
        return None
    try:
        up = parse_target(text, Polarity.INCREASING)
        down = parse_target(text, Polarity.DECREASING)
    except TargetError:
        return None
    if up.op != down.op:
        return None   # a bare value: its operator comes from the direction
    return Polarity.DECREASING if target.family == "le" else Polarity.INCREASING


def check_target(text: str, year: int, lineno: int, subject: str,
                 polarity: Polarity | None = None) -> tuple[Target | None, list[Problem]]:
    """Parse a target text as the plan will; report what does not parse or looks wrong."""
    try:
        target = parse_target(text, polarity, year)   # a date without year: that year's
    except TargetError as exc:
        return None, [at_line(lineno, f"target {year}: {exc}", subject=subject)]
    problems = []
    if target.kind is Kind.DEADLINE and target.deadline and target.deadline.year < year:
        problems.append(at_line(
            lineno, f"il target {year} «{text}» scade prima dell'anno {year}: "
                    f"verificare il piano (importato come scritto)", "avviso", subject))
    return target, problems


def number_or_problem(parse, text: str, lineno: int, what: str,
                      subject: str = "") -> tuple[object | None, list[Problem]]:
    """Run a number parser; a failure becomes a problem that quotes the text."""
    try:
        return parse(text), []
    except NumberError as exc:
        return None, [at_line(lineno, f"{what}: {exc}", subject=subject)]
