"""While a consolidation reads its files, the plan (and all else alive) is out of the
cyclic collector's sight (returns/consolidate.py ``_long_lived_out_of_gc``): with 20,000
indicators, every collection the files' new objects trigger walked it, a third of the
parent's CPU for 1,000 files. Afterwards the collector sees everything again, and a
caller's own frozen state is never undone."""

from __future__ import annotations

import gc

import pytest

from cruscotto_xl.core.tree import known_offices
from cruscotto_xl.returns.consolidate import consolidate
from cruscotto_xl.workbook import write_workbook


@pytest.fixture(scope="module")
def returns(operational_plan, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ritorni")
    for i, office in enumerate(known_offices(operational_plan)[:2]):
        write_workbook(operational_plan, folder / f"ufficio{i}.xlsx", office=office)
    return folder


def test_the_plan_is_frozen_while_reading_and_thawed_after(operational_plan, returns):
    assert gc.get_freeze_count() == 0
    seen: list[int] = []
    result = consolidate(returns, operational_plan,
                         progress=lambda path: seen.append(gc.get_freeze_count()))
    assert result.files == 2
    assert len(seen) == 2 and all(count > 0 for count in seen)
    assert gc.get_freeze_count() == 0


def test_a_callers_frozen_state_is_left_alone(operational_plan, returns):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        consolidate(returns, operational_plan)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
