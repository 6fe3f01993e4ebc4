"""Shared fixtures. ``tests/`` is on ``sys.path`` (this file's folder), so test modules
import their helpers as ``support.…`` whichever room folder they live in."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import EXAMPLES

from cruscotto_xl.core.model import Plan
from cruscotto_xl.errors import LOG_DIR_ENV, set_debug
from cruscotto_xl.io.libreoffice import INSTALL_HINT, find_soffice
from cruscotto_xl.io.planfile import load_plan


@pytest.fixture(autouse=True)
def _internal_error_logs(tmp_path_factory, monkeypatch):
    """Internal errors met by a test are logged in a temporary folder, never in the
    user's; ``--debug`` does not outlive the test that set it."""
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path_factory.getbasetemp() / "registro"))
    yield
    set_debug(False)


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


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice's ``soffice``: the tests that recalculate need it (scripts/setup.sh
    installs it), so its absence fails them with the install hint, never skips them."""
    found = find_soffice()
    if found is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return found
