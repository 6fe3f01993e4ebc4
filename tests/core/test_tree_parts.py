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


def test_parts_of_a_plan_with_scorecards_share_one_ownership_index():
    """``plan_part`` drops the scorecards (personal data) from every part: that copy is
    made once per plan, so the ownership index is not rebuilt for each office's part."""
    from cruscotto_xl.core.tree import _ownership_cached, plan_part

    data = _plan(30).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["obiettivi_individuali"] = [{
        "codice": "PO-1", "nome": "Maria Rossi", "ruolo": "posizione_organizzativa",
        "struttura": "Ufficio 1", "componenti_organizzative": [
            {"nome": "Performance di ente", "grado_di": "ente", "peso": 100}]}]
    plan = plan_from_data(data)
    assert plan.people
    parts = [plan_part(plan, f"Ufficio {i}", 2024) for i in range(30)]
    before = _ownership_cached.cache_info().misses
    parts += [plan_part(plan, f"Ufficio {i}", 2024) for i in range(30)]
    assert _ownership_cached.cache_info().misses == before
    assert all(not p.people for p in parts)
    assert [s.indicator.code for s in parts[3].indicators()] == ["I3"]
