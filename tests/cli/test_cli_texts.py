"""click's own words are Italian: the help of the app and of every command, and the usage
errors (missing argument, unknown option or command, bad value, extra argument)."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app

#: click's and typer's English sentences and words (typer 0.29, vendored click).
ENGLISH = ("Usage:", "[OPTIONS]", "COMMAND [ARGS]", "Options", "Arguments", "Commands",
           "Error", "Missing argument", "Missing option", "Missing parameter",
           "No such option", "No such command", "Invalid value", "Try '", "for help",
           "Show this message and exit", "[required]", "[default:", "Did you mean",
           "Got unexpected extra", "requires an argument", "is not a valid",
           "is not one of", "Input should be", "Value error", "Possible options",
           "Aborted", "<bool>", "<int>", "<str>", "<path>", "<float>", "<list[")

runner = CliRunner()


def _group_paths(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every visible command path of the app (groups too)."""
    paths = [prefix]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if command.hidden:
            continue
        if hasattr(command, "commands"):
            paths += _group_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


PATHS = _group_paths(typer.main.get_command(app))


def _english_in(text: str) -> list[str]:
    """The English phrases in ``text`` (a whole word: «Errore» is not «Error»)."""
    return [phrase for phrase in ENGLISH
            if re.search(rf"(?<![A-Za-z]){re.escape(phrase)}(?![a-z])", text)]


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.output


def test_the_app_has_the_commands_this_test_walks():
    assert len(PATHS) >= 20 and ("importa", "pira") in PATHS and ("addin", "build") in PATHS


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "cruscotto")
def test_help_is_italian(path):
    text = _run(*path, "--help")
    assert not _english_in(text), (path, _english_in(text))
    assert "Uso: cruscotto" in text and "[OPZIONI]" in text
    assert "Opzioni" in text and "Mostra questo aiuto ed esce." in text
    if path in ((), ("importa",), ("addin",)):
        assert "Comandi" in text and "COMANDO [ARGOMENTI]..." in text


def test_required_marks_are_italian():
    text = _run("genera", "--help")
    assert "Argomenti" in text and "[obbligatorio]" in text


@pytest.mark.parametrize(("args", "italian"), [
    (("valida",), "argomento mancante: PIANO"),
    (("esporta", "x.xlsx"), "opzione mancante: --uscita"),
    (("valida", "--boh", "x.yaml"), "opzione sconosciuta: --boh"),
    (("grado", "--target", "1", "--anno", "duemila"),
     "valore non valido per --anno: serve un numero intero"),
    (("grado", "--target", "1", "--verso", "su"),
     "valore non valido per --verso: «su» non è tra i valori ammessi"),
    (("grado", "--target"), "l'opzione --target richiede un valore"),
    (("valida", "a.yaml", "b.yaml"), "argomenti in più, non previsti dal comando: b.yaml"),
    (("vallida",), "comando sconosciuto: vallida (forse: valida)"),
    (("importa", "boh"), "comando sconosciuto: boh"),
    (("importa", "pira"), "argomento mancante: FILE"),
])
def test_usage_errors_are_italian(args, italian):
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert not _english_in(result.output), _english_in(result.output)
    flat = re.sub(r"\s*│\s*", " ", result.output)
    assert italian in flat
    assert "Errore" in result.output and "Per l'aiuto: cruscotto" in result.output
    assert "Uso: cruscotto" in result.output


def test_english_alias_is_accepted_and_hidden(tmp_path):
    """``--year`` is read as ``--anno`` by every command, and no help shows it."""
    by_alias = runner.invoke(app, ["grado", "--target", ">= 70 %", "--actual", "80 %",
                                   "--year", "2024", "--json"])
    by_name = runner.invoke(app, ["grado", "--target", ">= 70 %", "--consuntivo", "80 %",
                                  "--anno", "2024", "--json"])
    assert by_alias.exit_code == by_name.exit_code == 0
    assert by_alias.output == by_name.output
    for path in PATHS:
        text = _run(*path, "--help")
        assert not re.search(r"--(plan|year|out|dir|overwrite|per-office|master|actual|"
                             r"no-pdf|period)\b", text), path
    wrong = runner.invoke(app, ["grado", "--target", "1", "--year", "x"])
    assert "valore non valido per --anno" in wrong.output
