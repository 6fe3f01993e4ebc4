"""cruscotto_xl: performance plans → Excel workbooks → grades → consolidated cruscotto.

The public API is small on purpose; everything else is an implementation detail. Its
names are imported on first use (PEP 562), so starting the ``cruscotto`` command
imports only what the command needs, after its Ctrl+C handler is in place
(:mod:`cruscotto_xl.cli.entry`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.model import Plan, Policy
    from .core.plan_checks import validate_plan
    from .core.problems import Problem
    from .core.rollup import Node, evaluate
    from .core.rules import Grade, grade, valutazione
    from .core.targets import (
        Kind,
        Polarity,
        Target,
        TargetError,
        deliverable_or_error,
        format_target,
        parse_target,
    )
    from .core.vocabulary import parse_number
    from .io.planfile import PlanFileError, load_plan, save_plan

if TYPE_CHECKING:
    from pathlib import Path

    import pandas

__version__ = "0.1.0"

_PUBLIC = {
    ".core.model": ("Plan", "Policy"),
    ".core.plan_checks": ("validate_plan",),
    ".core.problems": ("Problem",),
    ".core.rollup": ("Node", "evaluate"),
    ".core.rules": ("Grade", "grade", "valutazione"),
    ".core.targets": ("Kind", "Polarity", "Target", "TargetError", "deliverable_or_error",
                      "format_target", "parse_target"),
    ".core.vocabulary": ("parse_number",),
    ".io.planfile": ("PlanFileError", "load_plan", "save_plan"),
}
_WHERE = {name: module for module, names in _PUBLIC.items() for name in names}


def frame(source: Plan | Path | str, livello: str = "indicatori") -> pandas.DataFrame:
    """The year's data of a workbook, a master or a plan as a pandas DataFrame: one row per
    indicator and period (``livello="tutti"`` adds the objective, ambito and ente rows);
    columns and types in docs/export.md. pandas is imported only here."""
    from .returns.table import export_table, to_frame

    return to_frame(export_table(source, livello))


__all__ = [
    "Grade", "Kind", "Node", "Plan", "PlanFileError", "Polarity", "Policy", "Problem",
    "Target", "TargetError", "deliverable_or_error", "evaluate", "format_target", "frame", "grade",
    "load_plan",
    "parse_number", "parse_target", "save_plan", "validate_plan", "valutazione",
]
assert sorted(__all__) == sorted([*_WHERE, "frame"])


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
