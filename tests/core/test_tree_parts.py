"""An office's part of the plan (core/tree.py ``plan_for_offices``) is built from the
objectives that office owns, never by walking the whole plan: consolidation asks one
part per returned file, and a walk of 20,000 indicators per file made 1,000 files take
minutes (benchmarks/bench_consolida.py). Counted, not timed."""

from __future__ import annotations

from cruscotto_xl.core.model import Plan
from cruscotto_xl.core.tree import ownership, plan_for_office
from cruscotto_xl.io.planfile import plan_from_data


def _plan(n_offices: int) -> Plan:
    offices = [f"Ufficio {i}" for i in range(n_offices)]
    return plan_from_data({
        "ente": "Comune di Prova", "anno": 2024,
        "uffici": [{"nome": o} for o in offices],
        "misure": [{"codice": f"M{i}", "nome": f"Misura {i}"} for i in range(n_offices)]
                  + [{"codice": "Comune", "nome": "Misura di tutti"}],
        "ambiti": [{"codice": "1", "titolo": "Ambito", "obiettivi": [
            {"codice": f"1.{i}", "titolo": f"Obiettivo {i}", "uffici": [o], "indicatori": [
                {"codice": f"I{i}", "nome": "Quota", "target": {2024: ">= 1"},
                 "formula": f"M{i} / Comune"}]}
            for i, o in enumerate(offices)]}],
    })


def test_a_part_walks_only_its_own_objectives(monkeypatch):
    plan = _plan(50)
    ownership(plan)                          # the index is built once per plan, first
    walks: list[int] = []
    real = Plan.indicators

    def counting(self):
        if self is plan:
            walks.append(1)
        return real(self)

    monkeypatch.setattr(Plan, "indicators", counting)
    part = plan_for_office(plan, "Ufficio 7")
    monkeypatch.undo()
    assert walks == []
    assert [s.indicator.code for s in part.indicators()] == ["I7"]
    # and it still carries exactly the measures its formulas use
    assert [m.code for m in part.measures] == ["M7", "Comune"]
