"""Audit of a plan's quality: what a controller or the OIV should look at before signing.

:func:`audit_plan` runs every check on a plan and returns the problems found, each with its
location in the plan file (``ambiti[0].obiettivi[2].obiettivi_operativi[1].indicatori[0]
.consuntivi[0]``), the indicator or objective code, an Italian message and a severity:

- the plan checks of :mod:`~cruscotto_xl.core.plan_checks`, reused as they are: structure,
  weights of every sibling group, duplicate codes, unparseable targets, relative targets without a
  reference, statuses without what they need;
- ambiguous targets: a bare value (``14``) with no *verso* to say which way is better (a bare
  ``0`` is not: "no more than zero" is its only sensible reading, docs/grammatica-target.md), an
  operator against the declared *verso*, a unit other than the indicator's (``>= 70`` for a
  percentage reads as 7.000 %), a deadline that falls before its target year;
- actuals inconsistent with their own measures, and implausible values — the decision of
  :func:`~cruscotto_xl.core.input_checks.input_check`, the same one the workbooks'
  ``Controlli`` sheet and ``controlla`` make (numerator/denominator vs the declared value,
  a percentage of parts above 100 %, a zero or negative denominator, a value of the wrong type);
- targets weaker than last year's actual (``>= 50 %`` after an actual of 70 % when higher
  is better);
- grades published by the source (:attr:`~cruscotto_xl.core.model.Actual.published_grade`)
  different from the grade our rules give to the same data.

``year`` narrows the checks that depend on time (actuals, published grades, targets against
last year) to one year; by default every year in the plan is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from .actuals import actual_number, indicator_actual
from .input_checks import (
    MSG_INVALID,
    MSG_MISMATCH,
    MSG_MISSING,
    MSG_NEGATIVE,
    MSG_NO_REFERENCE,
    MSG_PARTS,
    MSG_PERCENT,
    MSG_ZERO_DEN,
    OK,
    input_check,
    row_flags,
)
from .model import FINAL_PERIOD, Actual, Indicator, IndicatorSlot, Plan
from .plan_checks import (
    check_codes,
    check_eliminated,
    check_indicators,
    check_ownership,
    check_structure,
    check_weights,
)
from .problems import Problem, Severity, in_plan
from .rollup import grade_indicator
from .rules import gt, lt
from .targets import Kind, Polarity, Target, TargetError, format_target, parse_target
from .vocabulary import format_date, format_number, format_percent, yes_no_text

#: The checks, in the order a report shows them (Italian: they are column values).
STRUCTURE = "Struttura"
OWNERS = "Uffici responsabili"
WEIGHTS = "Pesi"
CODES = "Codici"
TARGETS = "Target"
ACTUALS = "Consuntivi e misure"
IMPLAUSIBLE = "Valori implausibili"
WEAKER = "Target rispetto all'anno precedente"
PUBLISHED = "Gradi pubblicati"
CHECKS = (STRUCTURE, OWNERS, WEIGHTS, CODES, TARGETS, ACTUALS, IMPLAUSIBLE, WEAKER, PUBLISHED)

_INCOMPLETE = "misure incomplete"

#: Published grades are rounded to two decimals of a percentage (``85,71%``): half of that.
PUBLISHED_TOLERANCE = 0.00005 + 1e-12


@dataclass(frozen=True)
class Finding:
    """A problem and the check that found it (the report groups by check)."""

    check: str
    problem: Problem


def audit_plan(plan: Plan, year: int | None = None) -> list[Problem]:
    """Every problem of ``plan`` (see the module docstring), errors first, in plan order."""
    return [f.problem for f in audit_findings(plan, year)]


def audit_findings(plan: Plan, year: int | None = None) -> list[Finding]:
    """:func:`audit_plan` with the check of each problem."""
    found = [Finding(STRUCTURE, p) for p in check_structure(plan) + check_eliminated(plan)]
    found += [Finding(OWNERS, p) for p in check_ownership(plan)]
    found += [Finding(WEIGHTS, p) for p in check_weights(plan)]
    found += [Finding(CODES, p) for p in check_codes(plan)]
    found += [Finding(TARGETS, p) for p in check_indicators(plan)]
    for slot in plan.indicators():
        if slot.indicator.removed_in(plan.year) is not None:
            continue  # eliminated: reported once by check_eliminated
        found += _ambiguous_targets(slot)
        found += _lone_equal_target(slot)
        found += _weaker_targets(plan, slot, year)
        for k, actual in enumerate(slot.indicator.actuals):
            if actual.office is not None:
                continue   # an office's own value of a transversal indicator: graded in the
                           # master's Trasversali sheet, not against the ente's grade here
            if year is None or actual.year == year:
                found += _actual_checks(plan, slot, k, actual)
    order = {name: n for n, name in enumerate(CHECKS)}
    return sorted(found, key=lambda f: (f.problem.severity != "errore", order[f.check]))


# --- targets ------------------------------------------------------------------------------

def _amount(value: float) -> str:
    """A number as a person writes it: ``12``, ``12,5``, ``0,25`` (at most 4 decimals)."""
    text = format_number(value, 4, grouping=False)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _shown_value(value: float, target: Target, unit: str | None) -> str:
    if target.is_percent or (target.unit is None and unit == "%"):
        return format_percent(value)
    return f"{_amount(value)} {target.unit}" if target.unit else _amount(value)


def _ambiguous_targets(slot: IndicatorSlot) -> list[Finding]:
    ind = slot.indicator
    found: list[Finding] = []

    def warn(year: int, message: str) -> None:
        found.append(Finding(TARGETS, Problem(in_plan(f"{slot.path}.target.{year}"), message,
                                              "avviso", ind.code)))

    for year, text in sorted(ind.targets.items()):
        try:
            up = parse_target(text, Polarity.INCREASING, year)
            down = parse_target(text, Polarity.DECREASING, year)
        except TargetError:
            continue  # reported by check_indicators
        target = parse_target(text, ind.polarity, year)
        bare = target.kind is Kind.COMPARISON and up.op != down.op
        if bare and ind.polarity is None and target.value != 0:
            warn(year, f"target «{text}» senza operatore e indicatore senza verso: letto come "
                       f"«{format_target(target)}»; indicare il verso (crescente/decrescente) "
                       f"o l'operatore")
        elif (target.kind is Kind.COMPARISON and not bare and ind.polarity is not None
              and target.family in ("ge", "le")
              and (target.family == "ge") != (ind.polarity is Polarity.INCREASING)):
            warn(year, f"target «{text}» in contrasto con il verso {ind.polarity.value} "
                       f"dell'indicatore: verificare quale dei due è giusto")
        if target.kind is Kind.COMPARISON and ind.unit:
            if ind.unit == "%" and target.unit is None and target.value is not None \
                    and abs(target.value) > 1:
                warn(year, f"target «{text}» senza «%» per un indicatore in percentuale: letto "
                           f"come {format_percent(target.value)}; scrivere «{text} %» se sono "
                           f"punti percentuali")
            elif target.unit is not None and target.unit != ind.unit:
                warn(year, f"target «{text}» in «{target.unit}» ma l'indicatore è in "
                           f"«{ind.unit}»")
        if (target.kind is Kind.DEADLINE and target.deadline is not None
                and target.deadline.year < year):
            warn(year, f"il target {year} «{text}» scade il {format_date(target.deadline)}, "
                       f"prima dell'anno {year}: verificare il piano")
    return found


#: How many targets with the same operator make a series in which a lone ``=`` stands out.
SERIES = 2


def _lone_equal_target(slot: IndicatorSlot) -> list[Finding]:
    """``>= 80 %``, ``= 85 %``, ``>= 90 %`` over the years: the lone ``=`` (graded 0 for
    anything but exactly 85 %) is probably a typo for ``>=``. Needs at least
    :data:`SERIES` other comparison targets, all with one same operator."""
    ind = slot.indicator
    ops: dict[int, tuple[str, Target]] = {}
    for year, text in ind.targets.items():
        try:
            target = parse_target(text, ind.polarity, year)
        except TargetError:
            continue
        if target.kind is Kind.COMPARISON and target.op is not None:
            ops[year] = (text, target)
    equal = [y for y, (_, t) in ops.items() if t.op == "="]
    others = {t.op for y, (_, t) in ops.items() if y not in equal}
    if len(equal) != 1 or len(ops) - 1 < SERIES or len(others) != 1:
        return []
    year = equal[0]
    op = others.pop()
    text, target = ops[year]
    years = ", ".join(f"{y} «{ops[y][0]}»" for y in sorted(ops) if y != year)
    fixed = format_target(replace(target, op=op))
    return [Finding(TARGETS, Problem(
        in_plan(f"{slot.path}.target.{year}"),
        f"target {year} «{text}» con «=» in una serie di target «{op}» ({years}): con «=» il "
        f"grado è 100 % solo per quel valore esatto, altrimenti 0; se si intende «{fixed}» "
        f"correggere il piano", "avviso", ind.code))]


def _weaker_targets(plan: Plan, slot: IndicatorSlot, year: int | None) -> list[Finding]:
    """A comparison target that last year's actual already beats asks for less than done."""
    ind = slot.indicator
    found: list[Finding] = []
    for target_year, text in sorted(ind.targets.items()):
        if year is not None and target_year != year:
            continue
        previous = actual_number(ind, target_year - 1, plan)
        try:
            target = parse_target(text, ind.polarity, target_year)
        except TargetError:
            continue
        if previous is None or target.kind is not Kind.COMPARISON or target.value is None:
            continue
        if target.unit is not None and ind.unit is not None and target.unit != ind.unit:
            continue  # not the same measure: nothing to compare
        weaker = (lt(target.value, previous) if target.family == "ge"
                  else gt(target.value, previous) if target.family == "le" else False)
        if weaker:
            better = "più alto" if target.family == "ge" else "più basso"
            found.append(Finding(WEAKER, Problem(
                in_plan(f"{slot.path}.target.{target_year}"),
                f"target {target_year} «{text}» meno sfidante del consuntivo {target_year - 1} "
                f"({_shown_value(previous, target, ind.unit)}), già {better}: verificare se è "
                f"voluto", "avviso", ind.code)))
    return found


# --- actuals ------------------------------------------------------------------------------

def _typed(actual: Actual, percent: bool = False) -> str:
    return _shown(actual.typed, percent)


def _shown(value: object, percent: bool = False) -> str:
    """An actual as a person reads it: ``97,87 %``, ``12,5``, ``16/03/2023``, ``Sì``."""
    if isinstance(value, bool):
        return yes_no_text(value)
    if isinstance(value, float):
        return format_percent(value) if percent else _amount(value)
    if value is None:
        return "vuoto"
    if isinstance(value, int):
        return _amount(float(value))
    return format_date(value) if isinstance(value, date) else f"«{value}»"


def _percent_or_number(value: float, percent: bool) -> str:
    return format_percent(value) if percent else format_number(value, 2)


def _actual_checks(plan: Plan, slot: IndicatorSlot, k: int, actual: Actual) -> list[Finding]:
    ind = slot.indicator
    path = f"{slot.path}.consuntivi[{k}]"
    when = actual.year if actual.period == "31/12" else f"{actual.period}/{actual.year}"
    target = _target_or_none(ind, actual.year, actual.period)
    measures = plan.measure_values(actual.year, actual.period)
    grade = grade_indicator(ind, actual.year, plan.policy, actual.period, plan=plan,
                            measures=measures)
    effective = indicator_actual(ind, actual, measures)
    unit = ind.unit or (target.unit if target else None)
    percent, at_most_100 = row_flags(unit, target.kind.value if target else None,
                                     target.value if target else None)
    outcome = input_check(grade.cell, percent, at_most_100, actual.typed, actual.numerator,
                          actual.denominator, effective)
    found: list[Finding] = []
    n, d = actual.numerator, actual.denominator
    if outcome == MSG_MISSING and (n is not None or d is not None):
        # No value because the measures do not give one: say why, not "missing".
        outcome = MSG_ZERO_DEN if n is not None and d == 0 else _INCOMPLETE
    messages: dict[str, tuple[str, Severity, str]] = {
        MSG_INVALID: (ACTUALS, "errore", f"consuntivo {when} {_typed(actual)} non valido per il "
                                         f"target «{ind.target_text(actual.year, actual.period)}»"),
        MSG_ZERO_DEN: (ACTUALS, "errore", f"consuntivo {when}: denominatore uguale a zero"),
        MSG_NEGATIVE: (ACTUALS, "errore", f"consuntivo {when}: numeratore o denominatore "
                                          f"negativo ({_num(n)} / {_num(d)})"),
        _INCOMPLETE: (ACTUALS, "errore", f"consuntivo {when}: numeratore o denominatore "
                                         f"mancante ({_num(n)} / {_num(d)})"),
        MSG_MISMATCH: (ACTUALS, "errore", f"consuntivo {when} {_typed(actual, percent)} diverso da "
                                          f"numeratore / denominatore = "
                                          f"{_shown_ratio(n, d, percent)}"),
        MSG_PARTS: (IMPLAUSIBLE, "avviso", f"consuntivo {when}: numeratore {_num(n)} maggiore "
                                           f"del denominatore {_num(d)}, una percentuale di parti "
                                           f"oltre 100 %: verificare il dato"),
        MSG_PERCENT: (IMPLAUSIBLE, "avviso",
                      f"consuntivo {when} {_shown(effective, True)} oltre 100 % per un "
                      f"indicatore in percentuale con target "
                      f"«{ind.target_text(actual.year, actual.period)}»: "
                      f"valore non plausibile, verificare il dato"),
        MSG_NO_REFERENCE: (ACTUALS, "avviso", f"consuntivo {when}: manca il valore di "
                                              f"riferimento del target relativo"),
    }
    skip = {OK, MSG_MISSING} | ({MSG_NO_REFERENCE} if actual.year == plan.year else set())
    if outcome not in skip:
        check, severity, message = messages[outcome]
        found.append(Finding(check, Problem(in_plan(path), message, severity, ind.code)))
    if actual.published_grade is not None:
        found += _published(path, ind, actual, when, grade.value, grade.reason, effective)
    return found


def _target_or_none(ind: Indicator, year: int, period: str = FINAL_PERIOD) -> Target | None:
    try:
        return ind.target_for(year, period)
    except TargetError:
        return None


def _num(value: float | None) -> str:
    return "—" if value is None else _amount(value)


def _shown_ratio(n: float | None, d: float | None, percent: bool) -> str:
    if n is None or not d:
        return "—"
    return _percent_or_number(n / d, percent)


def _published(path: str, ind: Indicator, actual: Actual, when: object, ours: float | None,
               reason: str | None, effective: object) -> list[Finding]:
    published = actual.published_grade
    assert published is not None
    target = ind.target_text(actual.year, actual.period)
    shown = _shown(effective, ind.unit == "%")
    if ours is None:
        message = (f"grado pubblicato {format_percent(published)} per il {when}, ma con questi "
                   f"dati l'indicatore non è valutabile ({reason})")
    elif abs(ours - published) > PUBLISHED_TOLERANCE:
        message = (f"grado pubblicato {format_percent(published)} diverso dal grado calcolato "
                   f"{format_percent(ours)} (consuntivo {when} {shown}, target «{target}»)")
    else:
        return []
    return [Finding(PUBLISHED, Problem(in_plan(path), message, "errore", ind.code))]


__all__ = ["CHECKS", "Finding", "audit_findings", "audit_plan"]
