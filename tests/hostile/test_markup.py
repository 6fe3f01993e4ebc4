"""Outside texts are printed as they are, never read as rich markup (issue 15, cause 1):
a ``[/]`` in an office name stopped commands with a MarkupError after their files were
written, and ``[…]`` vanished from messages. Every command that prints plan texts, file
names, options or typed values is run with bracketed texts in each of them."""

from __future__ import annotations

import pytest
from support.hostile_c import describe, generate, plan_data, run, type_input, write_plan

ODD = ["Ufficio [/]A", "Ufficio [bold]A", "Ufficio [red]A[/red]"]


def _ok(result, *codes: int) -> None:
    """Ended on its own (not a crash, not an internal error: exit 3)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        describe(result)
    assert result.exit_code in (codes or (0,)), describe(result)


def _plan_with_office(tmp_path, name):
    d = plan_data()
    d["uffici"][0]["nome"] = name
    d["ambiti"][0]["obiettivi"][0]["uffici"] = [name]
    d["ambiti"][0]["obiettivi"][0]["titolo"] = f"Servizi {name}"
    return write_plan(tmp_path, d)


@pytest.mark.parametrize("name", ODD)
def test_an_office_name_with_brackets_through_every_command(tmp_path, name):
    plan = _plan_with_office(tmp_path, name)
    result = run("genera", plan, "--out", tmp_path / "ritorni", "--per-ufficio")
    _ok(result)
    assert name in result.output
    books = sorted((tmp_path / "ritorni").glob("*.xlsx"))
    assert len(books) == 2
    master = tmp_path / "m.xlsx"
    result = run("consolida", tmp_path / "ritorni", "--piano", plan, "--out", master)
    _ok(result, 0, 1)
    assert name in result.output
    result = run("controlla", tmp_path / "ritorni", "--piano", plan)
    _ok(result, 0, 1)
    result = run("solleciti", tmp_path / "ritorni", "--piano", plan, "--out", tmp_path / "s")
    _ok(result, 0, 1)
    assert name in result.output
    result = run("relazione", master, "--out", tmp_path / "rel", "--no-pdf")
    _ok(result, 0, 1)
    result = run("esporta", master, "--out", tmp_path / "dati.csv")
    _ok(result)
    result = run("grado", "--target", ">= 10", "--consuntivo", "[/]")
    _ok(result, 0, 1, 2)


def test_a_plan_file_name_with_brackets(tmp_path):
    plan = write_plan(tmp_path, plan_data(), name="piano [bozza].json")
    result = run("valida", plan)
    _ok(result)
    assert "piano [bozza].json" in result.output, result.output
    result = run("audit", plan)
    _ok(result, 0, 1)
    assert "piano [bozza].json" in result.output, result.output


def test_an_output_folder_with_a_closing_tag(tmp_path):
    plan = write_plan(tmp_path, plan_data())
    out = tmp_path / "uscita[" / "]2024"          # the folder path contains "[/]"
    result = run("genera", plan, "--out", out)
    _ok(result)
    result = run("nuovo-anno", plan, "--anno", "2025", "--out", tmp_path / "nuovo[/]")
    _ok(result)


def test_bracketed_text_typed_by_an_office_is_shown_in_the_problem(tmp_path):
    plan = write_plan(tmp_path, plan_data())
    books = generate(plan, tmp_path / "ritorni")
    type_input(books["Ufficio A"], "K1", "[nota] cento")
    result = run("controlla", tmp_path / "ritorni", "--piano", plan)
    _ok(result, 0, 1)
    assert "«[nota] cento»" in result.output, result.output
