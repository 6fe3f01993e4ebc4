"""``valida`` checks of the organisation chart and of the individual scorecards
(docs/structure.md, docs/individual.md). Pure: reads only the plan."""

from __future__ import annotations

from decimal import Decimal

from .model import Person, Plan
from .problems import Problem, in_plan
from .rollup import weights_message
from .scorecard import component_target, workbook_codes
from .structure import area_of_office, areas, find_area
from .targets import TargetError, parse_target
from .tree import UNOWNED, ownership, plan_for_year, same_office
from .vocabulary import format_number


def check_organisation(plan: Plan) -> list[Problem]:
    """Areas with one code each, every office in at most one area, areas naming offices
    the plan knows, and the owner offices that no area lists."""
    if plan.structure is None:
        return []
    problems: list[Problem] = []
    known = [o for o in ownership(plan_for_year(plan, plan.year)).offices if o != UNOWNED]
    seen_codes: dict[str, int] = {}
    seen_offices: dict[str, str] = {}
    for ai, area in enumerate(areas(plan)):
        where = f"struttura.aree[{ai}]"
        key = area.code.casefold()
        if key in seen_codes:
            problems.append(Problem(in_plan(f"{where}.codice"),
                                    f"codice di area «{area.code}» ripetuto (anche in "
                                    f"struttura.aree[{seen_codes[key]}]): ogni area ha il suo",
                                    subject=area.code))
        seen_codes.setdefault(key, ai)
        if not area.offices:
            problems.append(Problem(in_plan(f"{where}.uffici"),
                                    f"area «{area.name}» senza uffici: il suo grado non è "
                                    f"calcolabile", "avviso", area.code))
        for ki, office in enumerate(area.offices):
            folded = " ".join(office.split()).casefold()
            if folded in seen_offices and seen_offices[folded] != area.code:
                problems.append(Problem(
                    in_plan(f"{where}.uffici[{ki}]"),
                    f"l'ufficio «{office}» è sia nell'area «{seen_offices[folded]}» sia "
                    f"nell'area «{area.code}»: un ufficio appartiene a una sola area",
                    subject=area.code))
            seen_offices.setdefault(folded, area.code)
            if not any(same_office(office, k) for k in known):
                problems.append(Problem(
                    in_plan(f"{where}.uffici[{ki}]"),
                    f"l'ufficio «{office}» dell'area «{area.code}» non è responsabile di "
                    f"alcun indicatore del {plan.year}: controllarne il nome", "avviso",
                    area.code))
    outside = [o for o in known if area_of_office(plan, o) is None]
    if outside:
        problems.append(Problem(in_plan("struttura.aree"),
                                "uffici in nessuna area (il loro grado non entra in quello di "
                                "un'area): " + ", ".join(f"«{o}»" for o in outside), "avviso"))
    return problems


def check_people(plan: Plan) -> list[Problem]:
    """Every scorecard: a code of its own, weights summing to 100, a structure and
    organisational components that exist, readable targets."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for pi, person in enumerate(plan.people):
        where = f"obiettivi_individuali[{pi}]"
        key = person.code.casefold()
        if key in seen:
            problems.append(Problem(in_plan(f"{where}.codice"),
                                    f"codice «{person.code}» ripetuto (anche in "
                                    f"obiettivi_individuali[{seen[key]}]): ogni scheda "
                                    f"individuale ha il suo", subject=person.code))
        seen.setdefault(key, pi)
        problems += _person_problems(plan, person, where)
    return problems


def _person_problems(plan: Plan, person: Person, where: str) -> list[Problem]:
    problems: list[Problem] = []
    code = person.code
    tolerance = Decimal(repr(plan.policy.weight_tolerance))
    total = person.weights_total()
    if abs(total - 100) > tolerance:
        problems.append(Problem(
            in_plan(where), f"scheda di «{person.name}»: obiettivi, componenti organizzative "
                            f"e comportamenti pesano {format_number(total, 2)} in tutto "
                            f"(devono fare 100)", subject=code))
    if person.structure and find_area(plan, person.structure) is None and not _is_office(
            plan, person.structure):
        problems.append(Problem(in_plan(f"{where}.struttura"),
                                f"struttura «{person.structure}» sconosciuta: indicare il "
                                f"codice di un'area di struttura.aree o il nome di un ufficio",
                                subject=code))
    for ci, component in enumerate(person.components):
        at = f"{where}.componenti_organizzative[{ci}]"
        message = _component_problem(plan, person, component.source, component.reference)
        if message:
            problems.append(Problem(in_plan(at), f"«{component.name}»: {message}",
                                    subject=code))
        if component.target:
            try:
                parse_target(component.target, None, plan.year)
                component_target(component)     # a comparison: the grade is a percentage
            except TargetError as exc:
                problems.append(Problem(in_plan(f"{at}.target"), str(exc), subject=code))
    objective_codes, indicator_codes = workbook_codes(person)
    for oi, objective in enumerate(person.objectives):
        at = f"{where}.obiettivi[{oi}]"
        if objective_codes[oi] != objective.code:
            problems.append(Problem(in_plan(f"{at}.codice"), _renamed(
                "obiettivo", objective.code, objective_codes[oi], person.name), "avviso", code))
        for ii, indicator in enumerate(objective.indicators):
            if indicator_codes[(oi, ii)] != indicator.code:
                problems.append(Problem(in_plan(f"{at}.indicatori[{ii}].codice"), _renamed(
                    "indicatore", indicator.code, indicator_codes[(oi, ii)], person.name),
                    "avviso", code))
        if not objective.indicators:
            problems.append(Problem(in_plan(at), f"obiettivo «{objective.title}» senza "
                                                 f"indicatori: non è valutabile", "avviso",
                                    code))
        for ii, indicator in enumerate(objective.indicators):
            for year, text in sorted(indicator.targets.items()):
                try:
                    parse_target(text, indicator.polarity, year)
                except TargetError as exc:
                    problems.append(Problem(in_plan(f"{at}.indicatori[{ii}].target.{year}"),
                                            str(exc), subject=code))
    if person.behaviours and not person.behaviour_weight:
        problems.append(Problem(in_plan(f"{where}.peso_comportamenti"),
                                "comportamenti elencati ma peso_comportamenti è 0: non "
                                "contano nel punteggio", "avviso", code))
    message = weights_message([b.weight for b in person.behaviours],
                              plan.policy.weight_tolerance)
    if message:
        problems.append(Problem(in_plan(f"{where}.comportamenti"), f"comportamenti: {message}",
                                subject=code))
    return problems


def _renamed(kind: str, code: str, new: str, name: str) -> str:
    return (f"codice {kind} «{code}» ripetuto nella scheda di «{name}»: nella cartella "
            f"Excel diventa «{new}» (ogni {kind} vi ha un codice suo); correggere il piano "
            f"se è un errore")


def _is_office(plan: Plan, name: str) -> bool:
    offices = [*ownership(plan).offices, *(o.name for o in plan.offices)]
    return any(same_office(name, o) for o in offices if o != UNOWNED)


def _component_problem(plan: Plan, person: Person, source: str,
                       reference: str | None) -> str | None:
    """Why an organisational component names nothing gradable, or None."""
    if source == "ente":
        return None
    target = reference or person.structure
    if not target:
        return (f"grado di {source} senza riferimento e persona senza struttura: indicare "
                f"riferimento o struttura")
    if source == "area":       # an area, or the area of the office named
        return None if find_area(plan, target) or area_of_office(plan, target) else (
            f"area «{target}» sconosciuta (aree: "
            + (", ".join(a.code for a in areas(plan)) or "nessuna, manca struttura.aree") + ")")
    if source == "ufficio":
        return None if _is_office(plan, target) else f"ufficio «{target}» sconosciuto"
    codes = {slot.os.code for slot in plan.indicators()} | {
        slot.oo.code for slot in plan.indicators() if slot.oo is not None}
    return None if target in codes else f"obiettivo «{target}» non presente nel piano"
