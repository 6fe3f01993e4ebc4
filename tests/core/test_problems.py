"""core/problems: a Location is structured, rendered for people as before, never parsed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.problems import Location, Problem, in_plan
from cruscotto_xl.excel.macros import _problem_cell
from cruscotto_xl.importers.common import at_line, at_lines, by_line


def test_rendering_is_the_text_people_read():
    assert str(Location()) == ""
    assert str(Location(lines=(4,))) == "riga 4"
    assert str(Location(lines=(12, 40, 41))) == "righe 12, 40, 41"
    assert str(Location(span=(3, 9))) == "righe 3–9"
    assert str(in_plan("ambiti[0].obiettivi[1].peso")) == "ambiti[0].obiettivi[1].peso"
    assert str(Location(file="ufficio.xlsx")) == "ufficio.xlsx"
    assert str(Location(file="ufficio.xlsx", sheet="Validazione")) == "ufficio.xlsx › Validazione"
    assert str(Location(file="u.xlsx", sheet="01 Servizi", cell="M7")) == "u.xlsx › 01 Servizi!M7"
    assert str(Location(office="Ufficio B")) == "Ufficio B"
    assert str(Location(lines=(7,)).in_file("consuntivi.csv")) == "consuntivi.csv, riga 7"
    assert str(in_plan("target.2024").in_file("piano.yaml")) == "piano.yaml, target.2024"
    problem = Problem(Location(lines=(4,)), "peso mancante", "avviso", "K1")
    assert str(problem) == "AVVISO riga 4 [K1]: peso mancante"
    assert problem.location == "riga 4"


def test_lines_are_read_from_the_fields():
    assert at_lines([41, 12, 40, 12], "x").where.lines == (12, 40, 41)
    assert at_lines([5], "x").where == Location(lines=(5,))
    problems = [at_line(30, "c"), Problem(Location(), "file"), Problem(Location(span=(8, 20)), "b"),
                at_lines([12, 3], "a")]
    assert [p.message for p in sorted(problems, key=by_line)] == ["file", "a", "b", "c"]


def test_cells_are_read_from_the_fields_whatever_the_names_hold():
    """A file or sheet whose name holds the rendering's own marks (« › », «!») is still
    located at its cell: nothing is split back out of the text."""
    odd = Problem(Location(file="uffici › a!.xlsx", sheet="01 A › B!", cell="M7"), "x")
    assert _problem_cell(odd) == ("01 A › B!", "M7")
    assert _problem_cell(Problem(Location(file="a.xlsx", sheet="Validazione"), "x")) is None
    assert _problem_cell(Problem(in_plan("ambiti[0]"), "x")) is None


def test_json_carries_the_structured_location(tmp_path):
    plan = tmp_path / "piano.yaml"
    plan.write_text("ente: E\nanno: 2024\nambiti:\n- codice: A\n  titolo: A\n  obiettivi:\n"
                    "  - codice: '01'\n    titolo: O\n    indicatori:\n"
                    "    - {codice: K1, nome: N, peso: 60, target: {2024: '>= 1'}}\n"
                    "    - {codice: K2, nome: M, peso: 30, target: {2024: '>= 1'}}\n",
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["valida", str(plan), "--json"])
    problems = json.loads(result.output)
    weights = next(p for p in problems if "somma dei pesi" in p["message"])
    assert weights["location"] == "ambiti[0].obiettivi[0].indicatori"
    assert weights["where"] == {"path": "ambiti[0].obiettivi[0].indicatori"}
    assert weights["severity"] == "errore"
