"""Problems found in a plan, all reported at once, each located by its path inside the
plan file (``ambiti[0].obiettivi[3].indicatori[2].peso``): :mod:`.problems` has the type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from .actuals import reference_for
from .contacts import EmailError, email_address
from .model import Indicator, Plan, points
from .plan_texts import check_texts
from .problems import Problem, in_plan
from .targets import Kind, TargetError, describe_reference, parse_target
from .tree import UNOWNED, plan_for_year, same_office, unowned_indicators, unowned_text
from .vocabulary import counted, format_number


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


def _weights_problem(group: str, label: str, weights: Sequence[float | None],
                     tolerance: float, subject: str) -> Problem | None:
    message = weights_message(weights, tolerance)
    return Problem(in_plan(group), f"{label}: {message}", subject=subject) if message else None


def _indicator_weights_problem(group: str, label: str, indicators: Sequence[Indicator],
                               year: int, tolerance: float, subject: str) -> Problem | None:
    """The weights of the indicators still active in ``year`` (docs/ownership.md).

    Without the eliminated ones the others must sum to 100; when they do not but the whole
    group did (the weights were not redistributed), it is a warning: the roll-up
    renormalizes over the active ones.
    """
    gone = [i for i in indicators if i.removed_in(year) is not None]
    if not gone:
        return _weights_problem(group, label, [i.weight for i in indicators], tolerance,
                                subject)
    active = [i.weight for i in indicators if i.removed_in(year) is None]
    message = weights_message(active, tolerance)
    if message is None:
        return None
    codes = ", ".join(i.code for i in gone)
    if weights_message([i.weight for i in indicators], tolerance) is None:
        return Problem(in_plan(group), f"{label}, senza gli indicatori eliminati ({codes}): "
                                       f"{message}; i gradi si calcolano rinormalizzando i pesi "
                                       f"degli indicatori attivi: ridistribuire i pesi con la "
                                       f"delibera", "avviso", subject)
    return Problem(in_plan(group), f"{label}, senza gli indicatori eliminati ({codes}): {message}",
                   subject=subject)


def check_weights(plan: Plan) -> list[Problem]:
    """Every sibling group's weights sum to 100 within the policy's tolerance."""
    tol = plan.policy.weight_tolerance
    found: list[Problem | None] = [
        _weights_problem("ambiti", "pesi degli ambiti", [a.weight for a in plan.areas], tol,
                         plan.entity)
    ]
    for ai, area in enumerate(plan.areas):
        path = f"ambiti[{ai}]"
        found.append(_weights_problem(f"{path}.obiettivi",
                                      f"pesi degli obiettivi strategici dell'ambito «{area.code}»",
                                      [o.weight for o in area.objectives], tol, area.code))
        for oi, os_ in enumerate(area.objectives):
            os_path = f"{path}.obiettivi[{oi}]"
            found.append(_indicator_weights_problem(
                f"{os_path}.indicatori", f"pesi degli indicatori dell'obiettivo «{os_.code}»",
                os_.indicators, plan.year, tol, os_.code))
            found.append(_weights_problem(
                f"{os_path}.obiettivi_operativi",
                f"pesi degli obiettivi operativi dell'obiettivo «{os_.code}»",
                [o.weight for o in os_.operational], tol, os_.code))
            for pi, oo in enumerate(os_.operational):
                found.append(_indicator_weights_problem(
                    f"{os_path}.obiettivi_operativi[{pi}].indicatori",
                    f"pesi degli indicatori dell'obiettivo «{oo.code}»",
                    oo.indicators, plan.year, tol, oo.code))
    return [p for p in found if p is not None]


def check_codes(plan: Plan) -> list[Problem]:
    """Codes identify rows in workbooks and reports: they must be unique in the plan."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ai, area in enumerate(plan.areas):
        seen[("ambito", area.code)].append(f"ambiti[{ai}]")
        for oi, os_ in enumerate(area.objectives):
            seen[("obiettivo", os_.code)].append(f"ambiti[{ai}].obiettivi[{oi}]")
            for pi, oo in enumerate(os_.operational):
                seen[("obiettivo", oo.code)].append(
                    f"ambiti[{ai}].obiettivi[{oi}].obiettivi_operativi[{pi}]")
    for slot in plan.indicators():
        seen[("indicatore", slot.indicator.code)].append(slot.path)
    for (kind, code), paths in seen.items():
        if len(paths) > 1:
            problems.append(Problem(in_plan(paths[1]), f"codice {kind} «{code}» ripetuto "
                                                       f"(anche in {paths[0]})", subject=code))
    return problems


def _unreadable(where: str, exc: TargetError, target_year: int, year: int,
                code: str) -> Problem:
    """An unreadable target: an error for the year being generated, a warning for the other
    years (it does not block this year's workbooks; it must be fixed before its own)."""
    if target_year == year:
        return Problem(in_plan(where), str(exc), subject=code)
    return Problem(in_plan(where), f"{exc} (target del {target_year}: non blocca le cartelle del "
                                   f"{year}; correggerlo prima di generare il {target_year})",
                   "avviso", code)


def check_indicators(plan: Plan, year: int | None = None) -> list[Problem]:
    """Targets that do not parse, statuses without what they need, missing references,
    targets imported from a sentence that a person must still confirm."""
    year = year or plan.year
    problems: list[Problem] = []
    for slot in plan.indicators():
        ind = slot.indicator
        if ind.removed_in(year) is not None:
            continue  # out of this year's plan (see check_eliminated)
        for target_year, text in sorted(ind.targets.items()):
            try:
                target = parse_target(text, ind.polarity, target_year)
            except TargetError as exc:
                problems.append(_unreadable(f"{slot.path}.target.{target_year}", exc,
                                            target_year, year, ind.code))
                continue
            if target_year != year:
                continue
            if target.kind is Kind.RELATIVE and reference_for(ind, year, target) is None:
                problems.append(Problem(
                    in_plan(f"{slot.path}.riferimenti.{year}"),
                    f"target relativo «{text}» senza valore di riferimento per il {year} "
                    f"({describe_reference(target, year)}): l'ufficio dovrà indicarlo, "
                    f"altrimenti l'indicatore non è valutabile", "avviso", ind.code))
            red_flag = ind.red_flag
            if (red_flag is not None and target.kind is Kind.COMPARISON
                    and target.family == "le" and target.value is not None
                    and red_flag <= target.value):
                problems.append(Problem(in_plan(f"{slot.path}.soglia_rossa"),
                                        f"la soglia rossa {red_flag} deve superare il target "
                                        f"{target.value}", subject=ind.code))
        for target_year, by_period in sorted(ind.period_targets.items()):
            for period, text in by_period.items():
                where = f"{slot.path}.target_periodi.{target_year}.{period}"
                if period not in plan.period_dates[:-1]:
                    periods = ", ".join(plan.period_dates[:-1])
                    problems.append(Problem(in_plan(where), f"«{period}» non è un periodo "
                                                            f"intermedio del piano ({periods})",
                                            subject=ind.code))
                try:
                    parse_target(text, ind.polarity, target_year)
                except TargetError as exc:
                    problems.append(_unreadable(where, exc, target_year, year, ind.code))
        if ind.to_confirm:
            shown = ind.targets.get(year) or next(iter(ind.targets.values()), "")
            problems.append(Problem(in_plan(f"{slot.path}.da_confermare"),
                                    f"target importato da una frase e valutato come "
                                    f"realizzazione (Sì/No): «{shown}»; verificarlo e togliere "
                                    f"«da_confermare» dal piano", "avviso", ind.code))
        if year not in ind.targets:
            problems.append(Problem(in_plan(f"{slot.path}.target"),
                                    f"nessun target per il {year}: solo monitoraggio",
                                    "avviso", ind.code))
        for si, status in enumerate(ind.statuses):
            if status.kind == "forzato" and status.grade is None:
                problems.append(Problem(in_plan(f"{slot.path}.stati[{si}].grado"),
                                        "indicatore forzato senza grado", subject=ind.code))
            if status.kind == "forzato" and not status.reference:
                problems.append(Problem(in_plan(f"{slot.path}.stati[{si}].riferimento"),
                                        "grado forzato senza riferimento (delibera o verbale OIV)",
                                        "avviso", ind.code))
    return problems


def check_structure(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    if not plan.areas:
        problems.append(Problem(in_plan("ambiti"), "il piano non ha ambiti strategici"))
    for ai, area in enumerate(plan.areas):
        if not area.objectives:
            problems.append(Problem(in_plan(f"ambiti[{ai}].obiettivi"), "ambito senza obiettivi",
                                    "avviso", area.code))
        for oi, os_ in enumerate(area.objectives):
            if not os_.indicators and not os_.operational:
                problems.append(Problem(in_plan(f"ambiti[{ai}].obiettivi[{oi}]"),
                                        "obiettivo senza indicatori né obiettivi operativi",
                                        "avviso", os_.code))
            for pi, oo in enumerate(os_.operational):
                if not oo.indicators:
                    problems.append(Problem(
                        in_plan(f"ambiti[{ai}].obiettivi[{oi}].obiettivi_operativi[{pi}]"),
                        "obiettivo operativo senza indicatori", "avviso", oo.code))
    return problems


#: The warning of each indicator without an owner office (grouped by :func:`grouped`).
UNOWNED_MESSAGE = (f"indicatore senza ufficio responsabile (né suo, né del suo obiettivo, né "
                   f"un ufficio predefinito del piano): va nella cartella «{UNOWNED}»")
_SHOWN_CODES = 40


def check_ownership(plan: Plan) -> list[Problem]:
    """Indicators of the plan year without an owner office (one warning each: they go to the
    «Senza ufficio» workbook), and a real office with that very name (an error: the two
    would share one workbook). See docs/ownership.md."""
    view = plan_for_year(plan, plan.year)
    unowned = unowned_indicators(view)
    problems = [Problem(in_plan(slot.path), UNOWNED_MESSAGE, "avviso", slot.indicator.code)
                for slot in unowned]
    if unowned:
        named = {o.name for o in plan.offices} | {
            o for slot in view.indicators() for o in plan.owners(slot)}
        for name in sorted(n for n in named if same_office(n, UNOWNED)):
            problems.insert(0, Problem(in_plan("uffici"),
                                       f"un ufficio del piano si chiama «{name}», come la "
                                       f"cartella degli indicatori senza ufficio "
                                       f"({len(unowned)}): rinominarlo, o indicare gli uffici "
                                       f"di quegli indicatori o un ufficio_predefinito",
                                       subject=name))
    for k, office in enumerate(plan.offices):
        first = next(i for i, o in enumerate(plan.offices) if same_office(o.name, office.name))
        if first < k:
            problems.append(Problem(
                in_plan(f"uffici[{k}]"),
                f"l'ufficio «{office.name}» è già in uffici[{first}] "
                f"(«{plan.offices[first].name}»): ogni ufficio va elencato una volta sola, "
                f"con una sola e-mail; togliere la voce ripetuta", subject=office.name))
        if office.email is not None:
            try:
                email_address(office.email)
            except EmailError as exc:
                problems.append(Problem(in_plan(f"uffici[{k}].email"), f"e-mail dell'ufficio "
                                        f"«{office.name}»: {exc}", subject=office.name))
    default = plan.default_office
    if default and plan.offices and not any(same_office(o.name, default)
                                            for o in plan.offices):
        problems.append(Problem(in_plan("ufficio_predefinito"),
                                f"l'ufficio predefinito «{default}» non è tra gli uffici del "
                                f"piano: nessuna e-mail per i suoi solleciti", "avviso",
                                default))
    return problems


def check_eliminated(plan: Plan) -> list[Problem]:
    """Indicators eliminated in their own change log but still in the plan's tree: out of
    this year's workbooks, weights and grades; the controller should know."""
    problems: list[Problem] = []
    for slot in plan.indicators():
        ind = slot.indicator
        change = ind.removed_in(plan.year)
        if change is None:
            continue
        k = ind.changes.index(change)
        by = f" ({change.deliberation})" if change.deliberation else " (delibera non indicata)"
        still = f"; ha ancora il target {plan.year} «{ind.targets[plan.year]}»" \
            if ind.targets.get(plan.year) else ""
        problems.append(Problem(
            in_plan(f"{slot.path}.modifiche[{k}]"),
            f"indicatore «{ind.name}» eliminato nel {change.year}{by} ma ancora nel piano"
            f"{still}: escluso da cartelle, pesi e gradi dal {change.year}; toglierlo dal "
            f"piano (resta nello storico degli indicatori eliminati) o correggere la modifica",
            "avviso", ind.code))
    return problems


def grouped(problems: Sequence[Problem]) -> list[Problem]:
    """``problems`` with the per-indicator «senza ufficio» warnings as one line listing
    their codes (what a person reads; ``--json`` keeps one line each)."""
    unowned = [p for p in problems if p.message == UNOWNED_MESSAGE]
    if not unowned:
        return list(problems)
    codes = [p.subject for p in unowned]
    shown = ", ".join(codes[:_SHOWN_CODES]) + (
        f" … e altri {len(codes) - _SHOWN_CODES}" if len(codes) > _SHOWN_CODES else "")
    line = Problem(in_plan("uffici"), f"{unowned_text(len(codes))} ({shown}): "
                                      f"nella cartella «{UNOWNED}» (genera --per-ufficio); "
                                      f"indicarne gli uffici nel piano, o un ufficio_predefinito",
                   "avviso")
    at = problems.index(unowned[0])
    rest = [p for p in problems if p.message != UNOWNED_MESSAGE]
    return [*rest[:at], line, *rest[at:]]


def check_year(plan: Plan, year: int | None) -> list[Problem]:
    """Workbooks of another year than the plan's need targets for that year: without any,
    every indicator would be monitoring only, which nobody asked for."""
    if year is None or year == plan.year:
        return []
    if any(slot.indicator.targets.get(year) for slot in plan.indicators()):
        return []
    known = sorted({y for slot in plan.indicators() for y, t in slot.indicator.targets.items()
                    if t})
    shown = ", ".join(str(y) for y in known) or "nessuno"
    return [Problem(in_plan("anno"),
                    f"il piano {plan.year} non ha target per l'anno {year} (anni con target: "
                    f"{shown}): scegliere uno di quegli anni, o preparare il piano {year} con "
                    f"«cruscotto nuovo-anno»")]


def validate_plan(plan: Plan, year: int | None = None) -> list[Problem]:
    """All the problems of a plan at once, errors first, in plan order. ``year`` is the
    year whose workbooks are wanted (the plan's by default): only its unreadable targets are
    errors."""
    problems = (check_texts(plan) + check_structure(plan) + check_weights(plan)
                + check_codes(plan)
                + check_indicators(plan, year) + check_ownership(plan)
                + check_eliminated(plan) + check_year(plan, year))
    return sorted(problems, key=lambda p: p.severity != "errore")
