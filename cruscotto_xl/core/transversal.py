"""Transversal indicators (docs/transversal.md): one indicator, a value per office, and the
ente value made from them by the indicator's rule — twice, side by side, in Python and as
the Excel formula the master workbook writes over its per-office block.

Each office's value is its *effective actual* (typed, or numerator / denominator, as in
:func:`~cruscotto_xl.core.rules.effective_actual`). An office with no number (nothing
typed, or a text that is not a value) is left out of the rule — in both engines — and
counted as missing; with no office value at all the ente value is missing too (graded
*dato mancante*, never 0).

=============  ==========================================  ==================================
rule           Python                                      formula (H: values, J/K: helpers)
=============  ==========================================  ==================================
media          Σ v / n                                     IF(COUNT(H)=0,"",SUM(H)/COUNT(H))
somma          Σ v                                         IF(COUNT(H)=0,"",SUM(H))
minimo         min v                                       IF(COUNT(H)=0,"",MIN(H))
massimo        max v                                       IF(COUNT(H)=0,"",MAX(H))
media_pesata   Σ wᵢvᵢ / Σ wᵢ over offices with v and w     IF(SUM(J)=0,"",SUM(K)/SUM(J))
=============  ==========================================  ==================================

For ``media_pesata`` the weight ``w`` of an office is its fixed weight of the plan
(``trasversale.pesi``) or, without them, its denominator: then Σ wᵢvᵢ / Σ wᵢ is
Σ numeratori / Σ denominatori. Column J is the weight used (``w`` when the office has
both a value and a weight, else 0), column K the product (``v·w``, else 0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .actuals import reference_for
from .model import FINAL_PERIOD, Actual, Indicator, IndicatorSlot, Plan
from .rollup import indicator_spec
from .rules import Grade, approx_eq, effective_actual, grade_spec
from .targets import TargetError

MEAN, SUM, MIN, MAX, WEIGHTED = "media", "somma", "minimo", "massimo", "media_pesata"

#: How each rule reads in a sentence (the master, the messages, docs/transversal.md).
RULE_TEXT = {
    MEAN: "media dei valori degli uffici",
    SUM: "somma dei valori degli uffici",
    MIN: "minimo dei valori degli uffici",
    MAX: "massimo dei valori degli uffici",
    WEIGHTED: "media pesata dei valori degli uffici",
}


def rule_text(ind: Indicator) -> str:
    """The rule of a transversal indicator in words (with what weighs, for media_pesata)."""
    assert ind.transversal is not None
    rule = ind.transversal.rule
    if rule != WEIGHTED:
        return RULE_TEXT[rule]
    how = "pesi fissi del piano" if ind.transversal.weights else \
        "pesi: i denominatori (Σ numeratori / Σ denominatori)"
    return f"{RULE_TEXT[rule]} ({how})"


def office_number(actual: Actual | None) -> float | None:
    """An office's value as the rule uses it: its effective actual when it is a number."""
    if actual is None:
        return None
    value = effective_actual(actual.typed, actual.numerator, actual.denominator)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def office_weight(ind: Indicator, office: str, actual: Actual | None) -> float | None:
    """The weight of ``office`` for ``media_pesata``: its fixed weight, or its denominator."""
    assert ind.transversal is not None
    if ind.transversal.weights:
        return ind.transversal.weights.get(office)
    return actual.denominator if actual is not None else None


def ente_value(rule: str, values: Sequence[float | None],
               weights: Sequence[float | None] = ()) -> float | None:
    """The ente value by ``rule`` from the offices' values (None: that office is missing);
    None when no office has a value (or, for media_pesata, no weight is left)."""
    numbers = [v for v in values if v is not None]
    if rule == WEIGHTED:
        pairs = [(v, w) for v, w in zip(values, weights, strict=True)
                 if v is not None and w is not None]
        total = math.fsum(w for _, w in pairs)
        if approx_eq(total, 0.0):
            return None
        return math.fsum(v * w for v, w in pairs) / total
    if not numbers:
        return None
    if rule == MEAN:
        return math.fsum(numbers) / len(numbers)
    if rule == SUM:
        return math.fsum(numbers)
    if rule == MIN:
        return min(numbers)
    if rule == MAX:
        return max(numbers)
    raise ValueError(f"regola trasversale sconosciuta: {rule}")


def ente_value_formula(rule: str, values: str, used_weights: str, products: str) -> str:
    """:func:`ente_value` as a formula over the per-office ranges (values, weight used,
    product), e.g. ``Trasversali!$H$4:$H$6``; ``""`` (empty) when nothing is left."""
    if rule == WEIGHTED:
        return f'IF(SUM({used_weights})=0,"",SUM({products})/SUM({used_weights}))'
    inner = {MEAN: f"SUM({values})/COUNT({values})", SUM: f"SUM({values})",
             MIN: f"MIN({values})", MAX: f"MAX({values})"}[rule]
    return f'IF(COUNT({values})=0,"",{inner})'


def used_weight_formula(value: str, weight: str) -> str:
    """Column J of an office row: the weight it brings, 0 without a value or a weight."""
    return f"IF(AND(ISNUMBER({value}),ISNUMBER({weight})),{weight},0)"


def product_formula(value: str, weight: str) -> str:
    """Column K of an office row: value × weight, 0 without a value or a weight."""
    return f"IF(AND(ISNUMBER({value}),ISNUMBER({weight})),{value}*{weight},0)"


# --- the ente value of an indicator in a plan ------------------------------------------

@dataclass(frozen=True)
class EnteValue:
    """The ente value of a transversal indicator, and which offices made it."""

    value: float | None
    offices: tuple[str, ...]           # the reporting offices, in plan order
    missing: tuple[str, ...]           # those without a usable value (left out)

    def note(self, ind: Indicator) -> str:
        """What the master says next to the value (Italian)."""
        used = len(self.offices) - len(self.missing)
        text = f"Valore dell'ente: {rule_text(ind)}, {used} uffici su {len(self.offices)}"
        if self.missing:
            text += f"; senza valore: {', '.join(self.missing)}"
        return text


def ente_of(ind: Indicator, offices: Sequence[str], year: int,
            period: str = FINAL_PERIOD) -> EnteValue:
    """The ente value of ``ind`` from its offices' own actuals of ``year`` / ``period``."""
    assert ind.transversal is not None
    own = ind.office_actuals(year, period)
    values = [office_number(own.get(o)) for o in offices]
    weights = [office_weight(ind, o, own.get(o)) for o in offices]
    missing = tuple(o for o, v in zip(offices, values, strict=True) if v is None)
    return EnteValue(ente_value(ind.transversal.rule, values, weights), tuple(offices), missing)


def office_grade(ind: Indicator, plan: Plan, office: str, year: int,
                 period: str = FINAL_PERIOD) -> Grade | None:
    """The office's own grade: the indicator's rule applied to the office's value (the
    master's «Grado dell'ufficio»); None when the target cannot be read (valida says why)."""
    actual = ind.actual_for(year, period, office)
    try:
        spec = indicator_spec(ind, year, plan.policy, period)
    except TargetError:
        return None
    typed = effective_actual(actual.typed, actual.numerator, actual.denominator) \
        if actual else None
    return grade_spec(typed, spec, reference_for(ind, year, spec.target))


def transversal_slots(plan: Plan) -> list[tuple[IndicatorSlot, list[str]]]:
    """The transversal indicators of ``plan`` with their reporting offices, in plan order."""
    return [(slot, plan.owners(slot)) for slot in plan.indicators()
            if slot.indicator.transversal is not None]


def with_office_actuals(plan: Plan, by_office: Mapping[str, Mapping[str, Actual]],
                        year: int, period: str = FINAL_PERIOD) -> Plan:
    """A copy of ``plan`` whose transversal indicators have, for ``year`` / ``period``,
    the offices' own actuals of ``by_office`` (code → office → actual; an indicator not
    there keeps the ones it has) and the ente actual computed from them by the rule, with a
    note naming the rule and the offices without a value."""
    data = plan.model_copy(deep=True)
    for slot, offices in transversal_slots(data):
        ind = slot.indicator
        given = by_office.get(ind.code)
        others = [a for a in ind.actuals if (a.year, a.period) != (year, period)]
        own = list(ind.office_actuals(year, period).values()) if given is None else [
            a.model_copy(update={"office": office, "year": year, "period": period})
            for office, a in given.items()]
        ind.actuals = [*others, *own]
        if not own:
            continue              # nothing reported by any office: no ente value either
        ente = ente_of(ind, offices, year, period)
        ind.actuals = [*ind.actuals, Actual(year=year, period=period, value=ente.value,
                                            note=ente.note(ind))]
    return data


__all__ = [
    "MAX", "MEAN", "MIN", "RULE_TEXT", "SUM", "WEIGHTED", "EnteValue", "ente_of",
    "ente_value", "ente_value_formula", "office_grade", "office_number", "office_weight",
    "product_formula", "rule_text", "transversal_slots", "used_weight_formula",
    "with_office_actuals",
]
