"""The command line: exit codes, Italian output, the issue's acceptance examples."""

from __future__ import annotations

import pytest
import yaml
from support import EXAMPLES
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app

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


@pytest.mark.parametrize("word", ["x", "fatto", "vero", "realizzato", "s"])
def test_grade_reads_yes_only_in_the_words_the_formula_accepts(word):
    """The workbook's milestone formula says «valore non valido» for these words (LibreOffice,
    tests/truth): the CLI must not grade them 100 %."""
    result = run("grado", "--target", "Sì", "--consuntivo", word)
    assert result.exit_code == 1
    assert f"«{word}» non è un numero, una data o Sì/No" in result.output
    assert "100,00 %" not in result.output
    accepted = run("grado", "--target", "Sì", "--consuntivo", "SÌ")
    assert accepted.exit_code == 0 and "100,00 %" in accepted.output


def test_grade_bad_target_is_one_line_and_exit_1():
    result = run("grado", "--target", "settanta", "--actual", "3")
    assert result.exit_code == 1
    assert "target non riconosciuto «settanta»" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("args", "shown"), [
    (("--target", "entro 30 gg dalla richiesta", "--data-evento", "15/01/2024",
      "--consuntivo", "14/02/2024"), ("100,00 %", "Scadenza calcolata", "14/02/2024")),
    (("--target", "entro 1 mese dalla richiesta", "--data-evento", "31/01/2024",
      "--consuntivo", "01/03/2024"), ("0,00 %", "29/02/2024")),
    (("--target", "entro 30 gg dalla richiesta", "--consuntivo", "14/02/2024"),
     ("data evento mancante",)),
    (("--target", "incremento del 5% rispetto all'anno precedente", "--riferimento", "1.000",
      "--consuntivo", "840"), ("80,00 %", "Target calcolato", "1.050")),
    (("--target", "mantenimento del valore 2023", "--verso", "decrescente",
      "--riferimento", "12", "--consuntivo", "15"), ("80,00 %", "<= valore 2023")),
    (("--target", "almeno l'80%", "--consuntivo", "72 %"), ("90,00 %",)),
    (("--target", "ITP < -10", "--consuntivo", "-12"), ("100,00 %",)),
    (("--target", "entro il 30 giugno", "--anno", "2024", "--consuntivo", "01/07/2024"),
     ("0,00 %", "Entro 30/06/2024")),
])
def test_grade_of_the_new_forms(args, shown):
    result = run("grado", *args)
    assert result.exit_code == 0, result.output
    for text in shown:
        assert text in result.output, (text, result.output)


def test_grade_json_of_a_term_from_an_event():
    result = run("grado", "--target", "< 2 mesi da approvazione decreto", "--data-evento",
                 "31/12/2024", "--consuntivo", "28/02/2025", "--json")
    assert result.exit_code == 0
    assert '"target_calcolato": "2025-02-27"' in result.output and '"grado": 0.0' in result.output


def test_a_later_years_unreadable_target_does_not_block_genera(tmp_path):
    indicator = {"codice": "K1", "nome": "Proposta di regolamento", "peso": 100,
                 "target": {2024: ">= 1", 2025: "Definizione di una proposta di regolamento"}}
    plan = {"ente": "Ente", "anno": 2024, "ambiti": [{"codice": "A1", "titolo": "Ambito",
            "obiettivi": [{"codice": "OS1", "titolo": "Obiettivo", "indicatori": [indicator]}]}]}
    path = tmp_path / "piano.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    result = run("genera", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 1
    valida = run("valida", str(path))
    assert valida.exit_code == 0 and "non blocca le cartelle del 2024" in valida.output
    later = run("genera", str(path), "--out", str(tmp_path / "dopo"), "--anno", "2025")
    assert later.exit_code == 1 and "piano non generato" in later.output


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
