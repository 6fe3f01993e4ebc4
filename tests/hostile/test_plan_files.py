"""Group D of issue 15, plan files: YAML alias bombs and deep nesting (cause 13), the same
office twice in ``uffici`` (cause 23), ``nuovo-anno --anno`` out of range (cause 24), a
period that is not a date (cause 25), ``genera --anno`` for a year without targets
(cause 26). Every answer is one Italian line, never a traceback."""

from __future__ import annotations

import resource
import subprocess
import time

import pytest
from support.hostile_d import (
    CRUSCOTTO,
    describe,
    plan_data,
    run,
    traceback_free,
    write_plan,
)

MEMORY_LIMIT = 2 * 2**30
TIME_LIMIT = 20


def _bomb(n: int) -> str:
    """n^4 consuntivi through four levels of YAML aliases (n = 50: ~1 KB of text)."""
    more = lambda a: f", *{a}" * (n - 1)      # noqa: E731
    return ("ente: Camera\nanno: 2024\nuffici: [{nome: U, email: u@x.invalid}]\n"
            "ambiti: [&a {codice: A, titolo: T, obiettivi: [&o {codice: O, titolo: T, "
            "uffici: [U], indicatori: [&i {codice: K, nome: N, target: {2024: \">= 1\"}, "
            f"consuntivi: [&c {{anno: 2024, valore: 1}}{more('c')}]}}{more('i')}]}}"
            f"{more('o')}]}}{more('a')}]\n")


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def test_alias_bomb_is_refused_quickly(tmp_path):
    plan = tmp_path / "bomba.yaml"
    plan.write_text(_bomb(50))
    start = time.perf_counter()
    try:
        done = subprocess.run([CRUSCOTTO, "valida", str(plan)], capture_output=True,
                              text=True, timeout=TIME_LIMIT, preexec_fn=_limit)
    except subprocess.TimeoutExpired:
        pytest.fail(f"valida of a {plan.stat().st_size}-byte plan still running after "
                    f"{TIME_LIMIT} s")
    seconds = time.perf_counter() - start
    assert done.returncode == 1 and "Traceback" not in done.stderr, \
        f"exit {done.returncode} after {seconds:.1f} s: {done.stderr[-500:]}"
    assert "alias" in (done.stdout + done.stderr).lower()


def test_a_plain_yaml_anchor_is_refused_with_a_message(tmp_path):
    """Even one alias is refused: plan files never need them, and the refusal is the
    same whatever the expansion would cost."""
    plan = tmp_path / "ancora.yaml"
    plan.write_text("ente: &e Camera\nanno: 2024\nid: *e\nambiti: []\n")
    result = run("valida", plan)
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1 and "alias" in result.output.lower()


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize("depth", [100_000, 500])
def test_deep_nesting_is_refused_without_traceback(tmp_path, suffix, depth):
    nested = "[" * depth + "]" * depth
    plan = tmp_path / f"profondo{suffix}"
    if suffix == ".json":
        plan.write_text('{"ente": "Camera", "anno": 2024, "ambiti": ' + nested + "}")
    else:
        plan.write_text("ente: Camera\nanno: 2024\nambiti: " + nested + "\n")
    result = run("valida", plan)
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1
    assert "annidat" in result.output


@pytest.mark.parametrize("name", ["Ufficio A", "ufficio a", " Ufficio A "])
def test_valida_refuses_the_same_office_twice(tmp_path, name):
    d = plan_data()
    d["uffici"].append({"nome": name, "email": "altro@cciaa.invalid"})
    result = run("valida", write_plan(tmp_path, d))
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1, result.output
    assert "Ufficio A" in result.output


@pytest.mark.parametrize("year", [2101, 99999, 1899])
def test_nuovo_anno_out_of_range_year_is_one_line(tmp_path, year):
    plan = write_plan(tmp_path, plan_data())
    result = run("nuovo-anno", plan, "--anno", year, "--out", tmp_path / "nuovo")
    assert traceback_free(result), describe(result)
    assert result.exit_code in (1, 2)
    assert str(year) in result.output


@pytest.mark.parametrize("day", ["31/04", "30/02", "31/06", "29/02", "00/12", "15/13"])
def test_valida_refuses_a_period_that_is_not_a_date(tmp_path, day):
    """2024 is a leap year, but a period is a day of every year (29/02 is not)."""
    d = plan_data()
    d["periodi"] = [{"data": day, "nome": "intermedio"}, {"data": "31/12", "nome": "finale"}]
    result = run("valida", write_plan(tmp_path, d))
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1, result.output


def test_valida_keeps_real_periods(tmp_path):
    d = plan_data()
    d["periodi"] = [{"data": "30/06", "nome": "intermedio"}, {"data": "31/12", "nome": "finale"}]
    result = run("valida", write_plan(tmp_path, d))
    assert result.exit_code == 0, describe(result)


@pytest.mark.parametrize("year", [3000, 2025])
def test_genera_for_a_year_without_targets_is_refused(tmp_path, year):
    plan = write_plan(tmp_path, plan_data())
    out = tmp_path / "out"
    result = run("genera", plan, "--anno", year, "--out", out)
    assert traceback_free(result), describe(result)
    written = sorted(p.name for p in out.glob("*.xlsx")) if out.exists() else []
    assert result.exit_code in (1, 2) and not written, describe(result)
    assert str(year) in result.output


def test_genera_for_a_year_with_targets_names_the_file_for_that_year(tmp_path):
    d = plan_data()
    for ind in d["ambiti"][0]["obiettivi"][0]["indicatori"]:
        ind["target"]["2025"] = ind["target"]["2024"]
    plan = write_plan(tmp_path, d)
    out = tmp_path / "out"
    result = run("genera", plan, "--anno", 2025, "--out", out)
    assert result.exit_code == 0, describe(result)
    names = sorted(p.name for p in out.glob("*.xlsx"))
    assert names and all("2025" in n and "2024" not in n for n in names), names
