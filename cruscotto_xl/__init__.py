"""cruscotto_xl: performance plans → Excel workbooks → grades → consolidated cruscotto.

The public API is small on purpose; everything else is an implementation detail.
"""

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

__version__ = "0.1.0"

__all__ = [
    "Grade", "Kind", "Node", "Plan", "PlanFileError", "Polarity", "Policy", "Problem",
    "Target", "TargetError", "deliverable_or_error", "evaluate", "format_target", "grade",
    "load_plan",
    "parse_number", "parse_target", "save_plan", "validate_plan", "valutazione",
]
