"""Transversal indicators in the pure core (docs/transversal.md): the plan fields, the
ente value of each rule (expected values worked out by hand), and the plan checks."""

from __future__ import annotations

import copy
import math

import pytest

from cruscotto_xl.core.model import Actual
from cruscotto_xl.core.plan_checks import check_transversal, validate_plan
from cruscotto_xl.core.transversal import (
    ente_of,
    ente_value,
    ente_value_formula,
    office_number,
    with_office_actuals,
)
from cruscotto_xl.io.planfile import PlanFileError, plan_from_data, plan_to_data

PLAN = {
    "ente": "Comune di prova", "anno": 2025,
    "uffici": [{"nome": "Servizi sociali"}, {"nome": "Tributi"}, {"nome": "Anagrafe"}],
    "ambiti": [{"codice": "A", "titolo": "Ambito", "obiettivi": [
        {"codice": "OS1", "titolo": "Trasparenza", "indicatori": [
            {"codice": "T1", "nome": "Tempo medio di risposta", "uffici": "Tutti",
             "target": {2025: "<= 30 gg"}, "trasversale": {"regola": "Media pesata",
                                                        "pesi": {"Servizi sociali": 3,
                                                                 "Tributi": 1,
                                                                 "Anagrafe": 1}}},
        ]}]}],
}


def _plan(**changes: object):
    data = copy.deepcopy(PLAN)
    data["ambiti"][0]["obiettivi"][0]["indicatori"][0].update(changes)
    return plan_from_data(data, "<prova>")


def test_uffici_tutti_means_every_office_of_the_plan():
    plan = _plan()
    slot = next(plan.indicators())
    assert slot.indicator.offices == ["tutti"]
    assert plan.owners(slot) == ["Servizi sociali", "Tributi", "Anagrafe"]
    assert slot.indicator.transversal.rule == "media_pesata"     # «Media pesata» normalized


def test_plan_file_round_trip_keeps_the_rule_and_weights():
    plan = _plan()
    again = plan_from_data(plan_to_data(plan), "<rilettura>")
    assert again == plan


def test_unknown_rule_is_refused_with_the_accepted_ones():
    with pytest.raises(PlanFileError) as info:
        _plan(trasversale={"regola": "mediana"})
    text = str(info.value)
    assert "trasversale.regola" in text and "«mediana»" in text and "media_pesata" in text


@pytest.mark.parametrize(("rule", "values", "weights", "expected"), [
    ("media", [10.0, None, 40.0], [], 25.0),
    ("somma", [10.0, None, 40.0], [], 50.0),
    ("minimo", [10.0, -2.5, 40.0], [], -2.5),
    ("massimo", [10.0, -2.5, 40.0], [], 40.0),
    ("media_pesata", [10.0, 20.0, None], [3.0, 1.0, 5.0], (30 + 20) / 4),
    ("media_pesata", [0.5, 0.9], [200.0, 50.0], (100 + 45) / 250),   # Σnum/Σden
    ("media", [None, None], [], None),
    ("somma", [], [], None),
    ("media_pesata", [10.0, None], [0.0, 4.0], None),                  # no weight left
    ("media_pesata", [10.0, 20.0], [None, 2.0], 20.0),                 # no weight: left out
])
def test_ente_value_by_hand(rule, values, weights, expected):
    got = ente_value(rule, values, weights or [None] * len(values))
    if expected is None:
        assert got is None
    else:
        assert math.isclose(got, expected, rel_tol=1e-15)


def test_formula_of_each_rule_reads_the_block_ranges():
    assert ente_value_formula("media", "V", "W", "P") == 'IF(COUNT(V)=0,"",SUM(V)/COUNT(V))'
    assert ente_value_formula("minimo", "V", "W", "P") == 'IF(COUNT(V)=0,"",MIN(V))'
    assert ente_value_formula("media_pesata", "V", "W", "P") == \
        'IF(SUM(W)=0,"",SUM(P)/SUM(W))'


def test_office_number_is_the_effective_actual_and_never_a_text():
    assert office_number(Actual(anno=2025, numeratore=3, denominatore=4)) == 0.75
    assert office_number(Actual(anno=2025, valore=12)) == 12.0
    assert office_number(Actual(anno=2025, testo="circa 10")) is None
    assert office_number(Actual(anno=2025, valore=True)) is None
    assert office_number(Actual(anno=2025, numeratore=3, denominatore=0)) is None


def test_with_office_actuals_sets_the_ente_value_and_says_who_is_missing():
    plan = _plan()
    given = {"T1": {"Servizi sociali": Actual(anno=2025, valore=20),
                    "Tributi": Actual(anno=2025, valore=40)}}
    out = with_office_actuals(plan, given, 2025)
    ind = next(out.indicators()).indicator
    ente = ind.actual_for(2025)
    assert ente.office is None and ente.value == (3 * 20 + 1 * 40) / 4
    assert "2 uffici su 3" in ente.note and "Anagrafe" in ente.note
    assert ind.actual_for(2025, office="Tributi").value == 40
    assert ente_of(ind, plan.owners(next(out.indicators())), 2025).missing == ("Anagrafe",)
    # the input plan is untouched
    assert next(plan.indicators()).indicator.actuals == []


def _messages(plan) -> list[tuple[str, str, str]]:
    return [(p.severity, str(p.location), p.message) for p in check_transversal(plan)]


def test_checks_weights_of_unknown_and_missing_offices():
    found = _messages(_plan(trasversale={"regola": "media_pesata",
                                         "pesi": {"Tributi": 1, "Ragioneria": 2}}))
    assert any(s == "errore" and "«Ragioneria»" in m and m.startswith("peso per")
               for s, _, m in found)
    assert any(s == "errore" and "Servizi sociali, Anagrafe" in m for s, _, m in found)


def test_checks_one_office_is_a_warning():
    found = _messages(_plan(uffici=["Tributi"], trasversale={"regola": "media"}))
    assert [(s, m.split(" (")[0]) for s, _, m in found] == [
        ("avviso", "indicatore trasversale con un solo ufficio")]


def test_checks_non_numeric_targets_and_weights_without_denominator():
    found = _messages(_plan(target={2025: "Entro 30/06/2025"},
                            trasversale={"regola": "media_pesata"}))
    assert any("denominatore" in m for s, _, m in found if s == "errore")
    assert any("scadenza" in m for s, _, m in found if s == "errore")
    assert _messages(_plan(trasversale={"regola": "media_pesata"}, denominatore="pratiche",
                           target={2025: "<= 30 gg"})) == []


def test_checks_pesi_ignored_by_other_rules_and_tutti_without_rule():
    found = _messages(_plan(trasversale={"regola": "somma", "pesi": {"Tributi": 1}}))
    assert [s for s, _, m in found if "non li usa" in m] == ["avviso"]
    plain = _plan(trasversale=None)
    messages = [p.message for p in validate_plan(plain)]
    assert any("«uffici: tutti» senza «trasversale»" in m for m in messages)


def test_tutti_without_offices_in_the_plan_is_an_error():
    data = copy.deepcopy(PLAN)
    data["uffici"] = []
    found = _messages(plan_from_data(data, "<prova>"))
    assert any(s == "errore" and "il piano non elenca uffici" in m for s, _, m in found)


def test_an_eliminated_indicator_of_every_office_is_in_every_office_s_log():
    from cruscotto_xl.core.tree import removed_for_office

    data = copy.deepcopy(PLAN)
    last = data["ambiti"][0]["obiettivi"][0]["indicatori"][0]
    data["indicatori_eliminati"] = [{"codice": "T0", "nome": "Vecchio", "obiettivo": "OS1",
                                     "ultimo_stato": {**last, "codice": "T0"}}]
    plan = plan_from_data(data, "<prova>")
    assert [[r.code for r in removed_for_office(plan, o.name)] for o in plan.offices] == \
        [["T0"]] * 3


def test_the_table_export_refuses_a_plan_it_would_lose_the_rule_of(tmp_path):
    from cruscotto_xl.importers.tabella.export import TableExportError, export_table

    with pytest.raises(TableExportError, match=r"indicatori\[0\]\.trasversale"):
        export_table(_plan(), tmp_path / "piano.csv")
