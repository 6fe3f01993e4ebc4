"""Problems found in a plan, each with its location, all reported at once.

A :class:`Problem` carries the path inside the plan file (``ambiti[0].obiettivi[3].
indicatori[2].peso``), the code of the element, an Italian message and a severity.
Later layers (workbook reader, consolidation) reuse the same type with a sheet/cell
location, so every command prints problems the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .model import Plan, points
from .numbers import format_number
from .targets import Kind, TargetError, describe_reference, parse_target

Severity = Literal["errore", "avviso"]


@dataclass(frozen=True)
class Problem:
    location: str
    message: str
    severity: Severity = "errore"
    subject: str = ""

    def __str__(self) -> str:
        subject = f" [{self.subject}]" if self.subject else ""
        return f"{self.severity.upper()} {self.location}{subject}: {self.message}"


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == "errore" for p in problems)


def weights_message(weights: Sequence[float | None], tolerance: float = 0.05) -> str | None:
    """Why a sibling group's weights are wrong, or None (no weights at all is fine)."""
    if not weights or all(w is None for w in weights):
        return None  # no weights at all: siblings weigh the same
    missing = sum(w is None for w in weights)
    if missing:
        return f"{missing} pesi mancanti su {len(weights)} (indicare tutti i pesi o nessuno)"
    total = sum((points(w) for w in weights if w is not None), Decimal(0))
    if abs(total - 100) > Decimal(repr(tolerance)):
        return (f"la somma dei pesi è {format_number(total, 2)} "
                f"(deve essere 100 ± {format_number(tolerance, 2)})")
    return None


def _weights_problem(group: str, label: str, weights: Sequence[float | None],
                     tolerance: float, subject: str) -> Problem | None:
    message = weights_message(weights, tolerance)
    return Problem(group, f"{label}: {message}", subject=subject) if message else None


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
            found.append(_weights_problem(f"{os_path}.indicatori",
                                          f"pesi degli indicatori dell'obiettivo «{os_.code}»",
                                          [i.weight for i in os_.indicators], tol, os_.code))
            found.append(_weights_problem(
                f"{os_path}.obiettivi_operativi",
                f"pesi degli obiettivi operativi dell'obiettivo «{os_.code}»",
                [o.weight for o in os_.operational], tol, os_.code))
            for pi, oo in enumerate(os_.operational):
                found.append(_weights_problem(
                    f"{os_path}.obiettivi_operativi[{pi}].indicatori",
                    f"pesi degli indicatori dell'obiettivo «{oo.code}»",
                    [i.weight for i in oo.indicators], tol, oo.code))
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
            problems.append(Problem(paths[1], f"codice {kind} «{code}» ripetuto "
                                              f"(anche in {paths[0]})", subject=code))
    return problems


def _unreadable(where: str, exc: TargetError, target_year: int, year: int,
                code: str) -> Problem:
    """An unreadable target: an error for the year being generated, a warning for the other
    years (it does not block this year's workbooks; it must be fixed before its own)."""
    if target_year == year:
        return Problem(where, str(exc), subject=code)
    return Problem(where, f"{exc} (target del {target_year}: non blocca le cartelle del "
                          f"{year}; correggerlo prima di generare il {target_year})",
                   "avviso", code)


def check_indicators(plan: Plan, year: int | None = None) -> list[Problem]:
    """Targets that do not parse, statuses without what they need, missing references,
    targets imported from a sentence that a person must still confirm."""
    year = year or plan.year
    problems: list[Problem] = []
    for slot in plan.indicators():
        ind = slot.indicator
        for target_year, text in sorted(ind.targets.items()):
            try:
                target = parse_target(text, ind.polarity, target_year)
            except TargetError as exc:
                problems.append(_unreadable(f"{slot.path}.target.{target_year}", exc,
                                            target_year, year, ind.code))
                continue
            if target_year != year:
                continue
            if target.kind is Kind.RELATIVE and ind.reference_for(year, target) is None:
                problems.append(Problem(
                    f"{slot.path}.riferimenti.{year}",
                    f"target relativo «{text}» senza valore di riferimento per il {year} "
                    f"({describe_reference(target, year)}): l'ufficio dovrà indicarlo, "
                    f"altrimenti l'indicatore non è valutabile", "avviso", ind.code))
            red_flag = ind.red_flag
            if (red_flag is not None and target.kind is Kind.COMPARISON
                    and target.family == "le" and target.value is not None
                    and red_flag <= target.value):
                problems.append(Problem(f"{slot.path}.soglia_rossa",
                                        f"la soglia rossa {red_flag} deve superare il target "
                                        f"{target.value}", subject=ind.code))
        for target_year, by_period in sorted(ind.period_targets.items()):
            for period, text in by_period.items():
                where = f"{slot.path}.target_periodi.{target_year}.{period}"
                if period not in plan.period_dates[:-1]:
                    problems.append(Problem(where, f"«{period}» non è un periodo intermedio del "
                                                   f"piano ({', '.join(plan.period_dates[:-1])})",
                                            subject=ind.code))
                try:
                    parse_target(text, ind.polarity, target_year)
                except TargetError as exc:
                    problems.append(_unreadable(where, exc, target_year, year, ind.code))
        if ind.to_confirm:
            shown = ind.targets.get(year) or next(iter(ind.targets.values()), "")
            problems.append(Problem(f"{slot.path}.da_confermare",
                                    f"target importato da una frase e valutato come "
                                    f"realizzazione (Sì/No): «{shown}»; verificarlo e togliere "
                                    f"«da_confermare» dal piano", "avviso", ind.code))
        if year not in ind.targets:
            problems.append(Problem(f"{slot.path}.target",
                                    f"nessun target per il {year}: solo monitoraggio",
                                    "avviso", ind.code))
        for si, status in enumerate(ind.statuses):
            if status.kind == "forzato" and status.grade is None:
                problems.append(Problem(f"{slot.path}.stati[{si}].grado",
                                        "indicatore forzato senza grado", subject=ind.code))
            if status.kind == "forzato" and not status.reference:
                problems.append(Problem(f"{slot.path}.stati[{si}].riferimento",
                                        "grado forzato senza riferimento (delibera o verbale OIV)",
                                        "avviso", ind.code))
    return problems


def check_structure(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    if not plan.areas:
        problems.append(Problem("ambiti", "il piano non ha ambiti strategici"))
    for ai, area in enumerate(plan.areas):
        if not area.objectives:
            problems.append(Problem(f"ambiti[{ai}].obiettivi", "ambito senza obiettivi",
                                    "avviso", area.code))
        for oi, os_ in enumerate(area.objectives):
            if not os_.indicators and not os_.operational:
                problems.append(Problem(f"ambiti[{ai}].obiettivi[{oi}]",
                                        "obiettivo senza indicatori né obiettivi operativi",
                                        "avviso", os_.code))
            for pi, oo in enumerate(os_.operational):
                if not oo.indicators:
                    problems.append(Problem(
                        f"ambiti[{ai}].obiettivi[{oi}].obiettivi_operativi[{pi}]",
                        "obiettivo operativo senza indicatori", "avviso", oo.code))
    return problems


def validate_plan(plan: Plan, year: int | None = None) -> list[Problem]:
    """All the problems of a plan at once, errors first, in plan order. ``year`` is the
    year whose workbooks are wanted (the plan's by default): only its unreadable targets are
    errors."""
    problems = (check_structure(plan) + check_weights(plan) + check_codes(plan)
                + check_indicators(plan, year))
    return sorted(problems, key=lambda p: p.severity != "errore")
