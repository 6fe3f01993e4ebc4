"""The command line: exit codes, Italian output, the issue's acceptance examples."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cruscotto_xl.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize(("target", "actual", "shown"), [
    ("<= -10,00 gg", "-5", "50,00 %"),
    ("Entro 31-12-2023", "15/01/2024", "0,00 %"),
    (">= 70,00 %", "63 %", "90,00 %"),
])
def test_grade_examples_of_the_issue(target, actual, shown):
    for command in ("grade", "grado"):
        result = run(command, "--target", target, "--actual", actual)
        assert result.exit_code == 0, result.output
        assert shown in result.output
        assert "Regola" in result.output


def test_grade_json_and_italian_option():
    result = run("grado", "--target", ">= 70,00 %", "--consuntivo", "63 %", "--json")
    assert result.exit_code == 0
    assert '"grado": 0.9' in result.output
    assert '"valutazione": "Parzialmente raggiunto"' in result.output


def test_grade_bad_target_is_one_line_and_exit_1():
    result = run("grado", "--target", "settanta", "--actual", "3")
    assert result.exit_code == 1
    assert "target non riconosciuto «settanta»" in result.output
    assert "Traceback" not in result.output


def test_wrong_usage_exits_2():
    assert run("grado", "--bogus").exit_code == 2


@pytest.mark.parametrize("name", ["piano-strategico-2024.yaml", "piano-operativo-2023.yaml"])
def test_validate_examples(name):
    for command in ("validate", "valida"):
        result = run(command, str(EXAMPLES / name))
        assert result.exit_code == 0, result.output
        assert "piano valido" in result.output


def test_validate_30_30_30_fails_naming_group_and_sum(tmp_path):
    indicators = [{"codice": f"K{i}", "nome": f"Indicatore {i}", "peso": 30,
                   "target": {2024: ">= 1"}} for i in (1, 2, 3)]
    objective = {"codice": "OS1", "titolo": "Obiettivo", "indicatori": indicators}
    plan = {"ente": "Ente", "anno": 2024,
            "ambiti": [{"codice": "A1", "titolo": "Ambito", "obiettivi": [objective]}]}
    path = tmp_path / "piano.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    result = run("validate", str(path), "--json")
    assert result.exit_code == 1
    assert "«OS1»" in result.output and "90,00" in result.output


def test_validate_missing_file_exit_1():
    result = run("valida", "non-esiste.yaml")
    assert result.exit_code == 1
    assert "file non trovato" in result.output


def test_addin_build_is_a_subcommand_of_cruscotto(tmp_path):
    out = tmp_path / "cruscotto.xlam"
    result = runner.invoke(app, ["addin", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
