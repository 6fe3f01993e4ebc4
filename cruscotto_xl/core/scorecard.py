"""Individual scorecards (docs/individual.md): a person's score, in Python and in Excel.

A person's score is the weighted mean of three kinds of parts, whose weights sum to 100:

- each **own objective**: the roll-up of its indicators with the usual rules (the
  person's objectives are the objectives of a one-area plan, :func:`person_plan`, graded
  by :func:`~cruscotto_xl.core.rollup.evaluate`);
- each **organisational component**: the grade of the ente, an area, an office or an
  objective (:func:`organisational_grade`, from :mod:`.structure` and the roll-up), read
  as a percentage actual and graded against the component's target
  (:func:`component_grade`);
- the **behaviour section**: the weighted mean of the evaluator's scores, 0–100 %
  (:func:`behaviour_grade`).

Like the roll-up, a part that is non valutabile drops out and the others' weights are
renormalized; the weight that was graded (*peso valutato*) is shown beside the score, so a
score resting on less than 100 points is visible (docs/individual.md, Score). Like
:mod:`.rules`, each computation sits beside its Excel formula.

Pure: reads only the plan and the values given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .model import (
    FINAL_PERIOD,
    Area,
    OrgComponent,
    Person,
    Plan,
    StrategicObjective,
)
from .rollup import NOTHING_GRADED, Node, effective_weights, evaluate, weighted_mean
from .rules import INVALID, Cells, Grade, GradeSpec, not_graded, rule_for
from .structure import area_of_office, find_area, unit_grade
from .targets import Kind, Target, TargetError, parse_target
from .tree import UNOWNED, ownership, plan_for_year, same_office

#: The one area of a person's workbook plan (its own objectives).
PERSON_AREA = "OI"
PERSON_AREA_TITLE = "Obiettivi individuali"

NO_ORG_GRADE = "grado organizzativo mancante"
BAD_COMPONENT_TARGET = "target della componente non utilizzabile"
UNKNOWN_REFERENCE = "struttura o obiettivo non trovato nel piano"
BEHAVIOURS_INCOMPLETE = "valutazione dei comportamenti incompleta"

PartKind = Literal["obiettivo", "componente", "comportamenti"]
OrgCell = float | str | None
"""What a component's «Grado organizzativo» cell holds: the grade, the reason it is non
valutabile (text), or nothing yet (None)."""


def find_person(plan: Plan, code: str) -> Person | None:
    """The person whose code is ``code`` (exactly as written in the plan)."""
    return next((p for p in plan.people if p.code == code), None)


def person_plan(plan: Plan, code: str, year: int | None = None) -> Plan:
    """What one person's workbook holds: their own objectives as the objectives of a
    one-area plan, the person alone in ``obiettivi_individuali``, and nothing else of the
    organisation (no structure, no offices, no other person, no other objective).

    Applied to its own result it gives the same plan, so a workbook's embedded plan part
    renders the same workbook again (integrity checks, ``ricalcola``). Objectives are
    graded by their own indicators whatever the plan's ``composizione_os``."""
    person = find_person(plan, code)
    if person is None:
        raise KeyError(code)
    objective_codes, indicator_codes = workbook_codes(person)
    objectives = [StrategicObjective(
        codice=objective_codes[oi], titolo=o.title, descrizione=o.description, peso=o.weight,
        indicatori=[ind if ind.code == indicator_codes[(oi, ii)] else
                    ind.model_copy(update={"code": indicator_codes[(oi, ii)]})
                    for ii, ind in enumerate(o.indicators)])
        for oi, o in enumerate(person.objectives)]
    area = Area(codice=PERSON_AREA, titolo=PERSON_AREA_TITLE, obiettivi=objectives)
    part = plan.model_copy(update={
        "areas": [area], "offices": [], "default_office": None, "removed": [],
        "structure": None, "people": [person],
        "policy": plan.policy.model_copy(update={"os_mix": "indicatori"})})
    return plan_for_year(part, year or plan.year)


def _unique(code: str, used: set[str]) -> str:
    """``code``, or ``code (2)``, ``code (3)``… when it is taken already."""
    new, n = code, 2
    while new in used:
        new, n = f"{code} ({n})", n + 1
    used.add(new)
    return new


def workbook_codes(person: Person) -> tuple[list[str], dict[tuple[int, int], str]]:
    """The codes the person's workbook gives their objectives and indicators: as written,
    except that a code used twice gets ``(2)``, ``(3)``… (the workbook finds each value by
    its code; ``valida`` warns of every such renaming, core/structure_checks.py)."""
    used: set[str] = set()
    objectives = [_unique(o.code, used) for o in person.objectives]
    used = set()
    indicators = {(oi, ii): _unique(ind.code, used)
                  for oi, o in enumerate(person.objectives)
                  for ii, ind in enumerate(o.indicators)}
    return objectives, indicators


# --- organisational grades --------------------------------------------------------------

@dataclass(frozen=True)
class OrgSource:
    """Which organisational grade a component takes, resolved against the plan."""

    source: str                     # ente | area | ufficio | obiettivo
    code: str                       # area code, office name or objective code ("" for ente)
    label: str                      # as shown to people
    offices: tuple[str, ...] = ()


def component_source(plan: Plan, person: Person, comp: OrgComponent) -> OrgSource | None:
    """The unit ``comp`` names (its ``riferimento``, else the person's structure), or None
    when the plan has no such area, office or objective."""
    ref = comp.reference or ("" if comp.source in ("ente", "obiettivo") else person.structure)
    if comp.source == "ente":
        return OrgSource("ente", "", plan.entity)
    if not ref:
        return None
    if comp.source == "area":       # an area code or name, or the area of an office
        area = find_area(plan, ref) or area_of_office(plan, ref)
        return OrgSource("area", area.code, area.name, tuple(area.offices)) if area else None
    if comp.source == "ufficio":    # an owner office, or one of the plan's list
        names = [*ownership(plan_for_year(plan, plan.year)).offices,
                 *(o.name for o in plan.offices)]
        office = next((o for o in names if o != UNOWNED and same_office(o, ref)), None)
        return OrgSource("ufficio", office, office, (office,)) if office else None
    for area in plan.areas:
        for os_ in area.objectives:
            if os_.code == ref:
                return OrgSource("obiettivo", os_.code, f"{os_.code} {os_.title}")
            for oo in os_.operational:
                if oo.code == ref:
                    return OrgSource("obiettivo", oo.code, f"{oo.code} {oo.title}")
    return None


def organisational_grade(plan: Plan, person: Person, comp: OrgComponent,
                         year: int | None = None, period: str = FINAL_PERIOD,
                         root: Node | None = None) -> Grade:
    """The grade ``comp`` takes from ``plan`` and its actuals (a consolidated master's):
    the ente's roll-up, an area's or office's (:func:`~cruscotto_xl.core.structure.unit_grade`)
    or an objective's node. ``root`` is ``evaluate(plan, year, period)`` when the caller
    has it already."""
    year = year or plan.year
    found = component_source(plan, person, comp)
    if found is None:
        return not_graded(UNKNOWN_REFERENCE)
    if found.source in ("area", "ufficio"):
        return unit_grade(plan, "area" if found.source == "area" else "ufficio", found.code,
                          found.label, found.offices, year, period).grade
    root = root or evaluate(plan_for_year(plan, year), year, period)
    if found.source == "ente":
        return root.grade
    node = next((n for n in root.walk() if n.level in ("os", "oo") and n.code == found.code),
                None)
    return node.grade if node is not None else not_graded(UNKNOWN_REFERENCE)


def org_cell(grade: Grade) -> OrgCell:
    """What the «Grado organizzativo» cell shows for ``grade``: the number, or why not."""
    return grade.value if grade.value is not None else (grade.reason or NOTHING_GRADED)


# --- a component's grade ----------------------------------------------------------------

def component_target(comp: OrgComponent) -> Target | None:
    """The component's target if it is a comparison (``>= 80%``); None when empty.
    Raises :class:`~cruscotto_xl.core.targets.TargetError` for anything else."""
    if not comp.target.strip():
        return None
    target = parse_target(comp.target)
    if target.kind is not Kind.COMPARISON or target.value is None:
        raise TargetError(comp.target, "una componente organizzativa vuole un confronto con "
                                       "il grado in percentuale (es. >= 80%)")
    return target


def _component_spec(comp: OrgComponent, plan: Plan) -> tuple[Target | None, GradeSpec | None]:
    target = component_target(comp)
    if target is None:
        return None, None
    return target, GradeSpec.from_target(target, plan.policy)


def component_grade(cell: OrgCell, comp: OrgComponent, plan: Plan) -> Grade:
    """The grade of a component from its organisational grade cell (the twin of
    :func:`component_grade_formula`): empty → non valutabile, a reason → that reason, a
    number → graded against the target (the number itself without a target)."""
    try:
        target, spec = _component_spec(comp, plan)
    except TargetError:
        return not_graded(BAD_COMPONENT_TARGET)
    if cell is None or cell == "":
        return not_graded(NO_ORG_GRADE)
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return not_graded(str(cell))
    if target is None or spec is None:
        return Grade(float(cell), None, "grado organizzativo, senza target")
    rule = rule_for(spec)
    assert rule is not None and target.value is not None
    return Grade(rule.compute(float(cell), target.value, spec), None, rule.name)


def component_grade_formula(cell: str, comp: OrgComponent, plan: Plan) -> str:
    """:func:`component_grade` over the «Grado organizzativo» cell ``cell``."""
    try:
        target, spec = _component_spec(comp, plan)
    except TargetError:
        return f'="{BAD_COMPONENT_TARGET}"'
    if target is None or spec is None:
        graded = cell
    else:
        rule = rule_for(spec)
        assert rule is not None and target.value is not None
        t = repr(target.value)
        cells = Cells(actual=cell, target=t, status="", forced="",
                      tolerance=repr(spec.tolerance), red_flag=repr(spec.red_flag))
        graded = rule.formula(cell, t, spec, cells)
    return f'=IF(ISNUMBER({cell}),{graded},IF({cell}="","{NO_ORG_GRADE}",{cell}))'


# --- the behaviour section --------------------------------------------------------------

def behaviour_items(person: Person) -> list[tuple[str, str | None, float]]:
    """(name, description, weight) of each cell the evaluator scores: the listed
    behaviours (equal weights when none is given), or one overall score."""
    if not person.behaviours:
        return [("Valutazione complessiva dei comportamenti", None, 100.0)]
    weights = effective_weights([b.weight for b in person.behaviours])
    return [(b.name, b.description, w) for b, w in zip(person.behaviours, weights, strict=True)]


def behaviour_grade(scores: Sequence[object], weights: Sequence[float]) -> Grade:
    """Σ wᵢsᵢ / Σ wᵢ of the evaluator's scores (fractions: 80 % is 0.8). Every score is
    needed: one missing leaves the section non valutabile; a score that is not a number
    in [0, 1] is an invalid value (the twin of :func:`behaviour_grade_formula`)."""
    if not scores or any(s is None or s == "" for s in scores):
        return not_graded(BEHAVIOURS_INCOMPLETE)
    numbers = [float(s) for s in scores
               if isinstance(s, int | float) and not isinstance(s, bool)]
    if len(numbers) < len(scores) or min(numbers) < 0 or max(numbers) > 1:
        return not_graded(INVALID)
    total = sum(weights)
    if total == 0:
        return not_graded(NOTHING_GRADED)
    return Grade(sum(w * s for w, s in zip(weights, numbers, strict=True)) / total, None,
                 "media pesata delle valutazioni dei comportamenti")


def behaviour_grade_formula(scores: str, weights: str) -> str:
    """:func:`behaviour_grade` over the score range and the weight range."""
    return (f'=IF(COUNTBLANK({scores})>0,"{BEHAVIOURS_INCOMPLETE}",'
            f'IF(COUNT({scores})<ROWS({scores}),"{INVALID}",'
            f'IF(OR(MIN({scores})<0,MAX({scores})>1),"{INVALID}",'
            f'IF(SUM({weights})=0,"{NOTHING_GRADED}",'
            f"SUMPRODUCT({weights},{scores})/SUM({weights})))))")


# --- the score --------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """One line of a scorecard: an own objective, a component or the behaviour section."""

    kind: PartKind
    code: str
    name: str
    weight: float
    grade: Grade
    org: OrgCell = None             # a component's organisational grade cell


@dataclass(frozen=True)
class Scorecard:
    person: Person
    parts: list[Part]
    score: Grade
    """Σ wᵢgᵢ / Σ wᵢ over the graded parts (a fraction: 0.875 is 87,5 punti su 100)."""

    @property
    def weight_graded(self) -> float:
        """The points of the parts that were graded (100 when nothing is missing)."""
        return sum(p.weight for p in self.parts if p.grade.graded)

    @property
    def missing(self) -> list[Part]:
        return [p for p in self.parts if not p.grade.graded]


def score_parts(parts: Sequence[Part]) -> Grade:
    """The score: the roll-up's weighted mean over the graded parts
    (:func:`~cruscotto_xl.core.rollup.weighted_mean`; its formula is
    :func:`~cruscotto_xl.core.rollup.weighted_mean_formula`)."""
    return weighted_mean([(p.weight, p.grade) for p in parts])


def scorecard(part: Plan, org: Mapping[int, OrgCell], behaviours: Sequence[object],
              year: int | None = None, period: str = FINAL_PERIOD,
              with_actuals: bool = True) -> Scorecard:
    """The score of the person of ``part`` (a :func:`person_plan`, with the actuals typed
    in their workbook): ``org`` holds the organisational grade of each component (by
    position), ``behaviours`` the evaluator's scores (by position of
    :func:`behaviour_items`)."""
    person = part.people[0]
    year = year or part.year
    root = evaluate(part, year, period, with_actuals=with_actuals)
    nodes = root.children[0].children      # the one area's objectives, in the person's order
    parts = [Part("obiettivo", node.code, o.title, o.weight, node.grade)
             for o, node in zip(person.objectives, nodes, strict=True)]
    for k, comp in enumerate(person.components):
        cell = org.get(k)
        parts.append(Part("componente", str(k + 1), comp.name, comp.weight,
                          component_grade(cell, comp, part), cell))
    if person.behaviour_weight or person.behaviours:
        weights = [w for _, _, w in behaviour_items(person)]
        scores = [behaviours[k] if k < len(behaviours) else None for k in range(len(weights))]
        parts.append(Part("comportamenti", "", "Comportamenti organizzativi",
                          person.behaviour_weight, behaviour_grade(scores, weights)))
    return Scorecard(person, parts, score_parts(parts))


__all__ = [
    "BAD_COMPONENT_TARGET", "BEHAVIOURS_INCOMPLETE", "NO_ORG_GRADE", "PERSON_AREA",
    "PERSON_AREA_TITLE", "UNKNOWN_REFERENCE", "OrgCell", "OrgSource", "Part", "Scorecard",
    "behaviour_grade", "behaviour_grade_formula", "behaviour_items", "component_grade",
    "component_grade_formula", "component_source", "component_target", "find_person",
    "org_cell", "organisational_grade", "person_plan", "score_parts", "scorecard",
    "workbook_codes",
]
