"""Yearly rollover (rolling annuale): targets move, codes stay, every change is logged."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from python_calamine import CalamineWorkbook
from support import EXAMPLES
from support.periods_plan import two_period_plan
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import reference_for
from cruscotto_xl.core.model import Actual, Baseline, Indicator
from cruscotto_xl.core.rollover import (
    CHANGED_FIELDS,
    ChangeSet,
    IndicatorChange,
    RolloverError,
    change_log,
    roll_over,
)
from cruscotto_xl.core.targets import Polarity
from cruscotto_xl.io.planfile import PlanFileError, load_changes, load_plan

runner = CliRunner()


@pytest.fixture
def plan():
    return load_plan(EXAMPLES / "piano-strategico-2024.yaml")


def test_codes_stay_targets_move_and_each_change_is_logged(plan):
    rolled = roll_over(plan, 2025, when=date(2025, 1, 30))
    new = rolled.plan
    assert new.year == 2025 and new.id.endswith("-2025") and new.target_years == [2025, 2026, 2027]
    old = {s.indicator.code: s.indicator for s in plan.indicators()}
    assert [s.indicator.code for s in new.indicators()] == list(old)
    expected_changed = [c for c, i in old.items()
                        if 2025 in i.targets and i.targets[2025] != i.targets[2024]]
    assert sorted(rolled.changed) == sorted(expected_changed) and len(expected_changed) == 19
    for slot in new.indicators():
        ind = slot.indicator
        before = old[ind.code]
        assert ind.targets[2025] == before.targets.get(2025, before.targets.get(2024, ""))
        entries = [c for c in ind.changes if c.year == 2025]
        if ind.code in expected_changed:
            assert len(entries) == 1 and entries[0].action == "Aggiornato"
            assert before.targets[2025] in entries[0].note
            assert entries[0].when == date(2025, 1, 30)
        else:
            assert entries == []
    assert plan.year == 2024 and not any(s.indicator.changes for s in plan.indicators())


def test_last_years_actual_becomes_the_reference(plan):
    ind = next(plan.indicators()).indicator
    ind.targets[2025] = "x < x-1"
    ind.actuals.append(Actual(anno=2024, valore=17.0))
    new = roll_over(plan, 2025).plan
    moved = next(s.indicator for s in new.indicators() if s.indicator.code == ind.code)
    assert moved.references[2025] == 17.0
    assert reference_for(moved, 2025) == 17.0


@pytest.mark.parametrize(("target", "expected"), [
    ("x < x-1", 17.0),                        # this year's actual
    ("x < x-3", 11.0),                        # the actual of 2022, three years before 2025
    (">= valore 2023", 13.0),                 # a fixed year
    ("incremento del 5% rispetto al 2023", 13.0),   # the reference, not the target (13 × 1.05)
    (">= media triennio", (17.0 + 13.0 + 11.0) / 3),   # 2022-2024
    (">= baseline + 10", 4.0),
    ("> media cluster", None),                # a benchmark: the office types it
    (">= 20 N.", None),                       # not relative: no reference
])
def test_rollover_takes_the_year_the_target_names(plan, target, expected):
    ind = next(plan.indicators()).indicator
    ind.targets[2025] = target
    ind.baseline = Baseline(valore=4.0, anno=2020)
    ind.actuals += [Actual(anno=2022, valore=11.0), Actual(anno=2023, valore=13.0),
                    Actual(anno=2024, valore=17.0)]
    new = roll_over(plan, 2025).plan
    moved = next(s.indicator for s in new.indicators() if s.indicator.code == ind.code)
    assert moved.references.get(2025) == expected
    assert reference_for(moved, 2025) == expected


def test_a_missing_year_gives_no_reference(plan):
    """x-3 of 2025 is 2022: without that actual there is no reference (never 0)."""
    ind = next(plan.indicators()).indicator
    ind.targets[2025] = "x < x-3"
    ind.actuals += [Actual(anno=2023, valore=13.0), Actual(anno=2024, valore=17.0)]
    moved = next(s.indicator for s in roll_over(plan, 2025).plan.indicators()
                 if s.indicator.code == ind.code)
    assert 2025 not in moved.references and reference_for(moved, 2025) is None


def test_a_dated_intermediate_target_without_year_moves_with_the_year(plan):
    ind = next(plan.indicators()).indicator
    ind.targets[2025] = ind.targets[2024]      # unchanged: its intermediate targets move on
    ind.period_targets = {2024: {"30/06": "entro il 30 giugno", "31/03": "Entro 31-03-2024"}}
    moved = next(s.indicator for s in roll_over(plan, 2025).plan.indicators()
                 if s.indicator.code == ind.code)
    assert moved.period_targets[2025] == {"30/06": "entro il 30 giugno"}
    assert moved.target_for(2025, "30/06").deadline == date(2025, 6, 30)


def test_change_file_inserts_updates_and_deletes(plan):
    codes = [s.indicator.code for s in plan.indicators()]
    first = next(plan.indicators())
    changes = ChangeSet.model_validate({
        "delibera": "Delibera di Giunta n. 7", "data": "2025-01-30",
        "modifiche": [
            {"codice": codes[0], "azione": "Aggiornato", "target": ">= 90 N.", "peso": 40,
             "nota": "obiettivo più sfidante"},
            {"codice": codes[1], "azione": "Eliminato", "nota": "non più misurabile"},
            {"codice": "NUOVO_1", "azione": "Inserito", "obiettivo": first.owner.code,
             "nome": "Pratiche evase in 5 giorni", "target": ">= 80,00 %", "unita": "%"},
        ]})
    rolled = roll_over(plan, 2025, changes)
    new = rolled.plan
    by_code = {s.indicator.code: s.indicator for s in new.indicators()}
    assert codes[1] not in by_code and "NUOVO_1" in by_code
    updated = by_code[codes[0]]
    assert updated.targets[2025] == ">= 90 N." and float(updated.weight) == 40
    (entry,) = updated.changes
    assert entry.action == "Aggiornato" and entry.deliberation == "Delibera di Giunta n. 7"
    assert "target" in entry.note and "obiettivo più sfidante" in entry.note
    (removed,) = new.removed
    assert removed.code == codes[1] and removed.changes[-1].action == "Eliminato"
    assert by_code["NUOVO_1"].changes[0].action == "Inserito"
    log = change_log(new)
    assert {(c.action, code) for c, code, _, _ in log} >= {
        ("Aggiornato", codes[0]), ("Eliminato", codes[1]), ("Inserito", "NUOVO_1")}
    assert sorted(rolled.logged) == sorted([codes[0], codes[1], "NUOVO_1"])


@pytest.mark.parametrize(("entry", "message"), [
    ({"codice": "NON_ESISTE", "azione": "Aggiornato", "target": ">= 1"}, "non presente"),
    ({"codice": "X", "azione": "Inserito", "obiettivo": "99.99", "nome": "n"}, "non trovato"),
    ({"codice": "{first}", "azione": "Aggiornato", "target": "boh"}, "non valido"),
    ({"codice": "{first}", "azione": "Aggiornato"}, "nulla da aggiornare"),
])
def test_bad_change_entries_are_refused_with_their_number(plan, entry, message):
    first = next(plan.indicators()).indicator.code
    entry = {k: (v.format(first=first) if isinstance(v, str) else v) for k, v in entry.items()}
    with pytest.raises(RolloverError, match=message) as info:
        roll_over(plan, 2025, ChangeSet.model_validate({"modifiche": [entry]}))
    assert "modifica 1" in str(info.value)


def test_the_new_year_must_follow(plan):
    with pytest.raises(RolloverError, match="successivo"):
        roll_over(plan, 2024)


def test_a_malformed_change_file_names_the_field(tmp_path):
    path = tmp_path / "modifiche.yaml"
    path.write_text(yaml.safe_dump({"modifiche": [{"codice": "A", "azione": "Cambiato"}]}))
    with pytest.raises(PlanFileError, match="modifiche"):
        load_changes(path)


def _change_file(tmp_path, entry: dict) -> object:
    path = tmp_path / "delibera.yaml"
    path.write_text(yaml.safe_dump({"delibera": "Delibera n. 3", "modifiche": [entry]},
                                   allow_unicode=True), encoding="utf-8")
    return path


def test_a_change_with_an_unknown_direction_is_an_italian_error(plan, tmp_path):
    first = next(plan.indicators()).indicator.code
    changes = _change_file(tmp_path, {"codice": first, "azione": "Aggiornato", "verso": "boh"})
    result = runner.invoke(app, ["nuovo-anno", str(EXAMPLES / "piano-strategico-2024.yaml"),
                                 "--anno", "2025", "--modifiche", str(changes),
                                 "--out", str(tmp_path / "2025")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert " ".join(result.output.split()) == (
        f"Errore: {changes}: modifiche[0].verso (codice {first}): valore non ammesso "
        "(ammessi: 'crescente' o 'decrescente') (trovato 'boh')")
    assert not (tmp_path / "2025").exists()


def test_change_entries_take_what_a_plan_takes(tmp_path):
    """Weights written the Italian way and numeric targets, as in a plan file."""
    changes = load_changes(_change_file(tmp_path, {
        "codice": "A", "azione": "Aggiornato", "peso": "14,28 %", "target": 95,
        "verso": "decrescente", "uffici": ["Ragioneria"]}))
    (entry,) = changes.changes
    assert entry.weight == pytest.approx(14.28) and entry.target == "95"
    assert entry.polarity is Polarity.DECREASING and entry.offices == ["Ragioneria"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("peso", 140, "peso: deve essere al massimo 100"),
    ("uffici", "Ragioneria", "uffici: deve essere un elenco"),
    ("nome", "", "nome: non può essere vuoto"),
    ("verso", "su", "verso: valore non ammesso"),
])
def test_change_entries_are_refused_as_a_plan_would_be(tmp_path, field, value, message):
    path = _change_file(tmp_path, {"codice": "A1", "azione": "Aggiornato", field: value})
    with pytest.raises(PlanFileError) as info:
        load_changes(path)
    assert f"modifiche[0].{field.split()[0]} (codice A1)" in str(info.value)
    assert message.split(": ", 1)[1] in str(info.value)


def test_every_field_a_change_sets_is_the_indicators_own():
    for name in CHANGED_FIELDS:
        change = IndicatorChange.model_fields[name]
        if name == "target":
            assert change.alias == "target"
            continue
        own = Indicator.model_fields[name]
        assert change.alias == own.alias and change.metadata == own.metadata
        assert change.annotation == own.annotation | None


def test_cli_writes_the_plan_and_the_workbooks_with_the_change_log(plan, tmp_path):
    first = next(plan.indicators()).indicator.code
    changes = tmp_path / "delibera.yaml"
    changes.write_text(yaml.safe_dump({
        "delibera": "Delibera n. 3", "data": "2025-02-01",
        "modifiche": [{"codice": first, "azione": "Aggiornato", "target": ">= 30 N."}]},
        allow_unicode=True), encoding="utf-8")
    out = tmp_path / "2025"
    args = ["nuovo-anno", str(EXAMPLES / "piano-strategico-2024.yaml"), "--anno", "2025",
            "--modifiche", str(changes), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (plan_file,) = out.glob("*.yaml")
    new = load_plan(plan_file)
    assert new.year == 2025
    (book,) = out.glob("*.xlsx")
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Istruzioni").to_python()
    text = "\n".join(" ".join(map(str, r)) for r in rows)
    assert "Modifiche al piano" in text and f"Aggiornato — {first}" in text
    assert "Delibera n. 3" in text
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "esist" in again.output.lower()


def test_intermediate_targets_follow_an_unchanged_annual_target():
    plan = two_period_plan()
    new = roll_over(plan, 2025).plan
    by_code = {s.indicator.code: s.indicator for s in new.indicators()}
    assert by_code["K1"].period_targets[2025] == {"30/06": ">= 40"}
    assert by_code["K1"].target_text(2025, "30/06") == ">= 40"
    # a dated intermediate target belongs to its year: the new year uses the annual one
    assert 2025 not in by_code["K3"].period_targets
    assert by_code["K3"].target_text(2025, "30/06") == "Entro 31-12-2024"
    # next to a new annual target the undated intermediate ones roll too, flagged
    changed = plan.model_copy(deep=True)
    k1 = next(s.indicator for s in changed.indicators() if s.indicator.code == "K1")
    k1.targets[2025] = ">= 120"
    result = roll_over(changed, 2025)
    rolled = {s.indicator.code: s.indicator for s in result.plan.indicators()}
    assert rolled["K1"].target_text(2025, "30/06") == ">= 40"
    assert rolled["K1"].target_text(2025, "31/12") == ">= 120"
    (flag,) = [w for w in result.warnings if w.subject == "K1"]
    assert flag.severity == "avviso" and "30/06: «>= 40»" in flag.message
    assert flag.where.path == "ambiti[0].obiettivi[0].indicatori[0].target_periodi"
    assert [w.subject for w in roll_over(plan, 2025).warnings] == []


def test_the_target_window_moves_and_a_missing_last_year_is_flagged(plan):
    """2023–2026 of a 2024 plan becomes 2025–2027 (the years ahead keep their number);
    every indicator without a 2027 target is a warning at
    its place in the plan file."""
    assert plan.target_years == [2023, 2024, 2025, 2026]
    one = next(plan.indicators()).indicator
    one.targets[2027] = ">= 1"
    result = roll_over(plan, 2025)
    assert result.plan.target_years == [2025, 2026, 2027]
    codes = [s.indicator.code for s in plan.indicators()]
    flagged = [w.subject for w in result.warnings]
    assert flagged == [c for c in codes if c != one.code]
    first = result.warnings[0]
    assert "nessun target per il 2027" in first.message and first.severity == "avviso"
    assert first.where.path.endswith(".target")
    single = plan.model_copy(update={"target_years": [2024]})
    assert roll_over(single, 2025).plan.target_years == [2025]
    assert roll_over(single, 2025).warnings == []
