"""Shared fixtures. ``tests/`` is on ``sys.path`` (this file's folder), so test modules
import their helpers as ``support.…`` whichever room folder they live in."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import EXAMPLES

from cruscotto_xl.core.model import Plan
from cruscotto_xl.io.planfile import load_plan


@pytest.fixture(scope="session")
def operational_plan() -> Plan:
    """The operational example (seed 002 with its real 2023 actuals)."""
    return load_plan(EXAMPLES / "piano-operativo-2023.yaml")


@pytest.fixture(scope="session")
def strategic_plan() -> Plan:
    """The strategic example (seed 003, targets 2023–2026, no actuals)."""
    return load_plan(EXAMPLES / "piano-strategico-2024.yaml")


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
