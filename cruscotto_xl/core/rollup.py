"""Weighted roll-up indicator → OO → OS → ambito → ente (docs/rules.md, Roll-up).

An objective's grade is Σ wᵢgᵢ / Σ wᵢ over its *graded* children: a child that is non
valutabile (missing, monitoring, neutralized) drops out and the others' weights are
renormalized. When no weight is given in a sibling group all siblings weigh the same
(100/n). Like :mod:`rules`, the Python roll-up and its Excel formula sit side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .actuals import indicator_actual, reference_for
from .formula import MeasureValue
from .model import FINAL_PERIOD, Indicator, Plan, Policy, StrategicObjective, points
from .rules import Grade, GradeSpec, grade_spec, not_graded
from .vocabulary import counted, format_number

NOTHING_GRADED = "nessun elemento valutabile"

Level = Literal["ente", "ambito", "os", "oo", "indicatore"]


@dataclass
class Node:
    """A graded element of the plan tree with the weight it had among its siblings."""

    level: Level
    code: str
    title: str
    weight: float
    grade: Grade
    path: str = ""
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, level: Level, code: str) -> Node:
        for node in self.walk():
            if node.level == level and node.code == code:
                return node
        raise KeyError(f"{level} {code}")


def effective_weights(weights: Sequence[float | None]) -> list[float]:
    """Explicit weights as given; a group with no weights at all weighs 100/n each."""
    if weights and all(w is None for w in weights):
        return [100 / len(weights)] * len(weights)
    return [0.0 if w is None else float(w) for w in weights]


def weights_message(weights: Sequence[float | None], tolerance: float = 0.05) -> str | None:
    """Why a sibling group's weights are wrong, or None (no weights at all is fine)."""
    if not weights or all(w is None for w in weights):
        return None  # no weights at all: siblings weigh the same
    missing = sum(w is None for w in weights)
    if missing:
        return (f"{counted(missing, 'peso mancante', 'pesi mancanti')} su {len(weights)} "
                "(indicare tutti i pesi o nessuno)")
    total = sum((points(w) for w in weights if w is not None), Decimal(0))
    if abs(total - 100) > Decimal(repr(tolerance)):
        return (f"la somma dei pesi è {format_number(total, 2)} "
                f"(deve essere 100 ± {format_number(tolerance, 2)})")
    return None


def weighted_mean(items: Sequence[tuple[float, Grade]]) -> Grade:
    """Σ wᵢgᵢ / Σ wᵢ over graded items; nothing graded (or zero weight) → non valutabile."""
    num = 0.0
    den = 0.0
    for w, g in items:
        if g.value is not None:
            num += w * g.value
            den += w
    if den == 0:
        return not_graded(NOTHING_GRADED, "media pesata: nessun elemento valutabile")
    return Grade(num / den, None, "media pesata sui soli elementi valutabili")


def weighted_mean_formula(weight_used: str, contribution: str) -> str:
    """:func:`weighted_mean` over two helper ranges of a sheet.

    Per row: ``weight_used = IF(ISNUMBER(g), w, 0)`` and ``contribution = IF(ISNUMBER(g),
    w*g, 0)`` (see :func:`weight_used_formula`); the mean is their sums' ratio.
    """
    return (f'=IF(SUM({weight_used})=0,"{NOTHING_GRADED}",'
            f"SUM({contribution})/SUM({weight_used}))")


def grouped_mean_formula(weight_used: str, contribution: str, parents: str, key: int) -> str:
    """:func:`weighted_mean` of the rows of a summary whose parent column equals ``key``.

    Keys are plain numbers (a row's position in the summary), never codes: a SUMIFS
    criterion built from a text would read ``* ? ~`` as wildcards, ``<``/``=`` as operators
    and ignore case, so codes such as ``A*`` and ``AB`` or ``a1`` and ``A1`` would mix
    (docs/rules.md, Roll-up). A number criterion matches exactly.
    """
    if isinstance(key, bool) or not isinstance(key, int):
        raise TypeError(f"roll-up key must be an int, not {key!r}")
    den = f"SUMIFS({weight_used},{parents},{key})"
    return (f'IF({den}=0,"{NOTHING_GRADED}",'
            f"SUMIFS({contribution},{parents},{key})/{den})")


def weight_used_formula(weight: str, grade: str) -> str:
    return f"=IF(ISNUMBER({grade}),{weight},0)"


def contribution_formula(weight: str, grade: str) -> str:
    return f"=IF(ISNUMBER({grade}),{weight}*{grade},0)"


# --- the plan tree ---------------------------------------------------------------------

def indicator_spec(ind: Indicator, year: int, policy: Policy,
                   period: str = FINAL_PERIOD) -> GradeSpec:
    """Everything the plan fixes for grading ``ind`` in ``year`` at ``period``."""
    status = ind.status_for(year)
    return GradeSpec.from_target(
        ind.target_for(year, period),
        policy,
        threshold=ind.threshold,
        red_flag=ind.red_flag,
        tolerance=ind.tolerance,
        status=status.kind if status else None,
        forced=status.grade if status else None,
    )


def grade_indicator(ind: Indicator, year: int, policy: Policy,
                    period: str = FINAL_PERIOD, with_actuals: bool = True,
                    plan: Plan | None = None,
                    measures: Mapping[str, MeasureValue] | None = None) -> Grade:
    """One indicator's grade; ``plan`` gives a formula indicator its measures (those of
    ``year``/``period`` unless ``measures`` are given) and earlier years' references."""
    actual = ind.actual_for(year, period) if with_actuals else None
    if measures is None and with_actuals and plan is not None and ind.formula is not None:
        measures = plan.measure_values(year, period)
    value = indicator_actual(ind, actual, measures if with_actuals else None)
    spec = indicator_spec(ind, year, policy, period)
    return grade_spec(value, spec, reference_for(ind, year, spec.target, plan),
                      actual.event_date if actual else None)


def _indicator_nodes(indicators: list[Indicator], year: int, plan: Plan,
                     path: str, period: str, with_actuals: bool,
                     measures: Mapping[str, MeasureValue]) -> list[Node]:
    """The graded indicators of one objective; those eliminated by ``year`` are left out
    (their siblings' weights renormalize, as for any child not graded)."""
    active = [(k, ind) for k, ind in enumerate(indicators) if ind.removed_in(year) is None]
    weights = effective_weights([ind.weight for _, ind in active])
    return [
        Node("indicatore", ind.code, ind.name, w,
             grade_indicator(ind, year, plan.policy, period, with_actuals, plan, measures),
             f"{path}.indicatori[{k}]")
        for (k, ind), w in zip(active, weights, strict=True)
    ]


def _combine(children: list[Node]) -> Grade:
    return weighted_mean([(c.weight, c.grade) for c in children])


def _os_grade(os_: StrategicObjective, own: list[Node], oos: list[Node], policy: Policy) -> Grade:
    mix = resolved_os_mix(policy, bool(own), bool(oos))
    if mix == "indicatori":
        return _combine(own)
    if mix == "operativi":
        return _combine(oos)
    share = policy.os_indicator_share
    return weighted_mean([(share, _combine(own)), (100 - share, _combine(oos))])


def resolved_os_mix(policy: Policy, has_own: bool, has_operational: bool) -> str:
    """``automatico`` resolved: own indicators, OO children, or a mix when it has both."""
    mix = policy.os_mix
    if mix == "automatico":
        mix = "misto" if has_own and has_operational else ("indicatori" if has_own else "operativi")
    if mix == "misto" and policy.os_indicator_share in (0, 100):  # one side weighs nothing
        mix = "indicatori" if policy.os_indicator_share == 100 else "operativi"
    return mix


def os_grade_formula(policy: Policy, has_own: bool, has_operational: bool, own: str,
                     children: str) -> str:
    """The formula twin of :func:`_os_grade` over two cells: own-indicator and OO grades."""
    mix = resolved_os_mix(policy, has_own, has_operational)
    if mix == "indicatori":
        return f"={own}" if has_own else f'="{NOTHING_GRADED}"'
    if mix == "operativi":
        return f"={children}" if has_operational else f'="{NOTHING_GRADED}"'
    s = policy.os_indicator_share
    r = 100 - s
    return (f"=IF(AND(ISNUMBER({own}),ISNUMBER({children})),({s!r}*{own}+{r!r}*{children})"
            f"/({s!r}+{r!r}),IF(ISNUMBER({own}),{s!r}*{own}/{s!r},IF(ISNUMBER({children}),"
            f'{r!r}*{children}/{r!r},"{NOTHING_GRADED}")))')


def evaluate(plan: Plan, year: int | None = None, period: str = FINAL_PERIOD,
             with_actuals: bool = True) -> Node:
    """Grade every indicator and roll up to the ente. Pure: reads only the plan.

    ``with_actuals=False`` grades the empty template: no actual of ``year``/``period``
    (last year's actuals still serve as references of relative targets).
    """
    year = year or plan.year
    policy = plan.policy
    measures = plan.measure_values(year, period) if with_actuals else {}
    area_nodes: list[Node] = []
    area_weights = effective_weights([a.weight for a in plan.areas])
    for ai, (area, aw) in enumerate(zip(plan.areas, area_weights, strict=True)):
        os_nodes: list[Node] = []
        os_weights = effective_weights([o.weight for o in area.objectives])
        for oi, (os_, ow) in enumerate(zip(area.objectives, os_weights, strict=True)):
            os_path = f"ambiti[{ai}].obiettivi[{oi}]"
            own = _indicator_nodes(os_.indicators, year, plan, os_path, period, with_actuals,
                                   measures)
            oo_nodes: list[Node] = []
            oo_weights = effective_weights([o.weight for o in os_.operational])
            for pi, (oo, pw) in enumerate(zip(os_.operational, oo_weights, strict=True)):
                oo_path = f"{os_path}.obiettivi_operativi[{pi}]"
                inds = _indicator_nodes(oo.indicators, year, plan, oo_path, period,
                                        with_actuals, measures)
                oo_nodes.append(Node("oo", oo.code, oo.title, pw, _combine(inds), oo_path, inds))
            os_nodes.append(Node("os", os_.code, os_.title, ow,
                                 _os_grade(os_, own, oo_nodes, policy), os_path, own + oo_nodes))
        area_nodes.append(Node("ambito", area.code, area.title, aw, _combine(os_nodes),
                               f"ambiti[{ai}]", os_nodes))
    return Node("ente", plan.id, plan.entity, 100.0, _combine(area_nodes), "", area_nodes)
