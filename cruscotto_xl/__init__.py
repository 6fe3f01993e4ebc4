"""cruscotto_xl: performance plans → Excel workbooks → grades → consolidated cruscotto.

The public API is small on purpose; everything else is an implementation detail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
