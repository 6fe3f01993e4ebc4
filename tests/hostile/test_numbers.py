"""Numbers no cell should hold, in returned workbooks and in plans (issue 15, causes 2, 3,
4, 15): NaN and ±∞ cells, numbers of 15 digits or more, Excel error values typed in an
input cell, and such numbers in plan fields. Each is an invalid value reported at its
place; nothing crashes, nothing becomes 0, a master's value is never erased by one."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from support.hostile_b import cell_value, set_cell_xml
from support.hostile_c import (
    describe,
    generate,
    input_cell,
    plan_data,
    run,
    traceback_free,
    type_input,
    write_plan,
)
from support.hostile_d import make_returns

from cruscotto_xl import evaluate, load_plan
from cruscotto_xl.core.vocabulary import format_number, format_percent


@pytest.fixture
def returns(tmp_path):
    """The small plan and its two office workbooks, K1=120, K2=8 (A), K3=12 (B)."""
    return make_returns(tmp_path)


def _problems(result) -> list[dict]:
    data = json.loads(result.output)
    return data["problemi"] if isinstance(data, dict) else data


def _at(problems: list[dict], sheet: str, cell: str) -> list[dict]:
    return [p for p in problems if p["where"].get("sheet") == sheet
            and p["where"].get("cell") == cell]


def _errors(problems: list[dict]) -> list[str]:
    """The errors' messages (a cell without a usable value is also «consuntivo mancante»,
    a warning)."""
    return [p["message"] for p in problems if p["severity"] == "errore"]


NON_FINITE = ["NaN", "1e999", "-1e999", "INF"]


@pytest.mark.parametrize("stored", NON_FINITE)
def test_a_non_finite_cell_is_an_invalid_value_and_the_master_is_written(returns, tmp_path,
                                                                        stored):
    plan, folder, books = returns
    sheet, coord = input_cell(books["Ufficio A"], "K1")
    set_cell_xml(books["Ufficio A"], "K1", stored)
    master = tmp_path / "m.xlsx"
    result = run("consolida", folder, "--piano", plan, "--out", master, "--json")
    assert traceback_free(result), describe(result)
    assert master.exists() and cell_value(master, "K3") == 12      # the good office's value
    shown = {"NaN": "NaN", "1e999": "∞", "-1e999": "-∞", "INF": "∞"}[stored]
    assert _errors(_at(_problems(result), sheet, coord)) == [
        f"«{shown}» non è un numero: valore ignorato"]
    checked = run("controlla", folder, "--piano", plan, "--json")
    assert checked.exit_code == 1
    assert len(_errors(_at(_problems(checked), sheet, coord))) == 1


@pytest.mark.parametrize("stored", ["1E+30", "1E+308", "5E+28", "1E+15"])
def test_a_number_of_15_digits_or_more_is_invalid_at_its_cell(tmp_path, stored):
    """K3 is reported by both offices; A's absurd value is refused at its cell, so B's 12
    is the master's (and no message ever fails to print such a number)."""
    d = plan_data()
    d["ambiti"][0]["obiettivi"][1]["uffici"] = ["Ufficio A", "Ufficio B"]
    plan = write_plan(tmp_path, d)
    books = generate(plan, tmp_path / "ritorni")
    type_input(books["Ufficio B"], "K3", 12)
    sheet, coord = input_cell(books["Ufficio A"], "K3")
    set_cell_xml(books["Ufficio A"], "K3", stored)
    master = tmp_path / "m.xlsx"
    result = run("consolida", tmp_path / "ritorni", "--piano", plan, "--out", master, "--json")
    assert traceback_free(result), describe(result)
    (message,) = _errors(_at(_problems(result), sheet, coord))
    assert "15 cifre" in message
    assert cell_value(master, "K3") == 12
    reminders = run("solleciti", tmp_path / "ritorni", "--piano", plan, "--out", tmp_path / "s")
    assert traceback_free(reminders), describe(reminders)
    report = run("relazione", master, "--out", tmp_path / "rel", "--no-pdf")
    assert traceback_free(report), describe(report)


def test_a_quotient_beyond_a_cell_is_invalid_never_inf(returns, tmp_path):
    """numerator 1E+14 / denominator 1E-300: Excel gives #NUM!; the master never holds inf."""
    plan, folder, books = returns
    type_input(books["Ufficio A"], "K1", None)
    set_cell_xml(books["Ufficio A"], "K1", "1E+14", header="Valore numeratore")
    set_cell_xml(books["Ufficio A"], "K1", "1E-300", header="Valore denominatore")
    master = tmp_path / "m.xlsx"
    result = run("consolida", folder, "--piano", plan, "--out", master)
    assert traceback_free(result), describe(result)
    with zipfile.ZipFile(master) as zf:
        bad = [(n, m.group(0)) for n in zf.namelist() if n.endswith(".xml")
               for m in re.finditer(rb"<v>[^<]*(?:inf|nan)[^<]*</v>", zf.read(n), re.I)]
    assert not bad, bad


ERRORS = ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NUM!", "#NAME?", "#NULL!"]


@pytest.mark.parametrize("code", ERRORS)
def test_an_error_value_is_invalid_and_keeps_the_masters_value(returns, tmp_path, code):
    plan, folder, books = returns
    master = tmp_path / "m.xlsx"
    first = run("consolida", folder, "--piano", plan, "--out", master)
    assert first.exit_code == 0 and cell_value(master, "K1") == 120, describe(first)
    sheet, coord = input_cell(books["Ufficio A"], "K1")
    set_cell_xml(books["Ufficio A"], "K1", code, attrs=' t="e"')
    result = run("consolida", folder, "--piano", plan, "--out", master, "--json")
    assert traceback_free(result), describe(result)
    (message,) = _errors(_at(_problems(result), sheet, coord))
    assert message == f"«{code}» non è un numero: valore ignorato"
    assert cell_value(master, "K1") == 120


def _ind(d: dict) -> dict:
    return d["ambiti"][0]["obiettivi"][0]["indicatori"][0]


def _variant(name: str) -> dict:
    d = plan_data()
    nan, inf = float("nan"), float("inf")
    changes = {
        "target-400-digits": lambda: _ind(d).update(target={"2024": ">= 1" + "0" * 400}),
        "target-1e999": lambda: _ind(d).update(target={"2024": ">= 1e999"}),
        "riferimento-nan": lambda: _ind(d).update(riferimenti={"2024": nan}),
        "baseline-inf": lambda: _ind(d).update(baseline={"valore": inf, "anno": 2023}),
        "consuntivo-nan": lambda: _ind(d).update(consuntivi=[{"anno": 2024, "valore": nan}]),
        "consuntivo-inf": lambda: _ind(d).update(consuntivi=[{"anno": 2024, "valore": inf}]),
        "consuntivo-1e30": lambda: _ind(d).update(consuntivi=[{"anno": 2024, "valore": 1e30}]),
        "tolleranza-inf": lambda: _ind(d).update(tolleranza=inf),
        "soglia-rossa-nan": lambda: _ind(d).update(soglia_rossa=nan),
        "risorse-inf": lambda: d["ambiti"][0]["obiettivi"][0].update(risorse=inf),
        "risorse-1e20": lambda: d["ambiti"][0]["obiettivi"][0].update(risorse=1e20),
    }
    changes[name]()
    return d


VARIANTS = ["target-400-digits", "target-1e999", "riferimento-nan", "baseline-inf",
            "consuntivo-nan", "consuntivo-inf", "consuntivo-1e30", "tolleranza-inf",
            "soglia-rossa-nan", "risorse-inf", "risorse-1e20"]


@pytest.mark.parametrize("name", VARIANTS)
def test_plan_numbers_no_cell_can_hold_are_refused_by_every_command(tmp_path, name):
    """valida refuses them with one line per field (exit 1); genera, nuovo-anno and audit
    refuse the plan the same way instead of crashing."""
    plan = write_plan(tmp_path, _variant(name))
    for args in (["valida", plan], ["genera", plan, "--out", tmp_path / "out"],
                 ["nuovo-anno", plan, "--anno", 2025, "--out", tmp_path / "nuovo"],
                 ["audit", plan]):
        result = run(*args)
        assert traceback_free(result), (args[0], describe(result))
        assert result.exit_code == 1, (args[0], result.output[-400:])
    assert not (tmp_path / "out").exists() and not (tmp_path / "nuovo").exists()


def test_valid_large_numbers_still_pass(tmp_path):
    d = plan_data()
    _ind(d)["target"] = {"2024": ">= 999.999.999.999,99"}
    d["ambiti"][0]["obiettivi"][0]["risorse"] = 123456789012.5
    result = run("valida", write_plan(tmp_path, d))
    assert result.exit_code == 0, result.output
    grade = next(n for n in evaluate(load_plan(write_plan(tmp_path, d))).walk()
                 if n.code == "K1").grade
    assert grade.value is None          # no actual yet: not valutabile, never 0


def test_the_italian_formatter_has_a_text_for_every_number():
    assert format_number(1e30) == "1,00E+30"
    assert format_number(-5e28, 0) == "-5E+28"
    assert format_number(1e15) == "1,00E+15"
    assert format_number(999_999_999_999_999.0) == "999.999.999.999.999,00"
    assert format_number(float("nan")) == "NaN"
    assert format_number(float("inf")) == "∞" and format_number(float("-inf")) == "-∞"
    assert format_percent(1e30) == "1,00E+32 %"
