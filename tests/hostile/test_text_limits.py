"""Issue 15, cause 21: texts Excel cannot hold are refused by `valida` and `genera`.

A cell holds at most 32,767 characters, and U+FFFE, U+FFFF and lone surrogates are not XML
characters: such texts passed `valida`, were cut or escaped on writing, and then every
untouched workbook looked tampered (or was not well-formed). They are refused with the
plan path of the text.
"""

from __future__ import annotations

import json

import pytest
from support.hostile_c import describe, generate, plan_data, run, traceback_free, write_plan


def _variant(name: str) -> dict:
    d = plan_data()
    ind = d["ambiti"][0]["obiettivi"][0]["indicatori"][0]
    if name == "algoritmo-40000":
        ind["algoritmo"] = "a" * 40_000
    elif name == "nome-32768":
        ind["nome"] = "x" * 32_768
    elif name == "nome-U+FFFF":
        ind["nome"] = "Pratiche \uffff evase"
    elif name == "nome-U+FFFE":
        ind["nome"] = "Pratiche \ufffe evase"
    elif name == "titolo-U+FFFF":
        d["ambiti"][0]["obiettivi"][0]["titolo"] = "Servizi \uffff alle imprese"
    elif name == "ente-surrogate":
        d["ente"] = "Camera \ud800 di prova"
    elif name == "ufficio-U+FFFE":
        d["uffici"][1]["responsabile"] = "Anna \ufffe Neri"
    return d


PATHS = {
    "algoritmo-40000": "ambiti[0].obiettivi[0].indicatori[0].algoritmo",
    "nome-32768": "ambiti[0].obiettivi[0].indicatori[0].nome",
    "nome-U+FFFF": "ambiti[0].obiettivi[0].indicatori[0].nome",
    "nome-U+FFFE": "ambiti[0].obiettivi[0].indicatori[0].nome",
    "titolo-U+FFFF": "ambiti[0].obiettivi[0].titolo",
    "ente-surrogate": "ente",
    "ufficio-U+FFFE": "uffici[1].responsabile",
}


def _write(folder, data):
    """JSON with \\u escapes, so that a lone surrogate can be written at all."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "piano.json"
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="ascii")
    return path


@pytest.mark.parametrize("name", list(PATHS))
def test_valida_and_genera_refuse_texts_excel_cannot_hold(tmp_path, name):
    plan = _write(tmp_path, _variant(name))
    result = run("valida", plan, "--json")
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1, describe(result)
    if result.output.lstrip().startswith("["):
        errors = [p for p in json.loads(result.output) if p["severity"] == "errore"]
        assert [p["where"].get("path") for p in errors] == [PATHS[name]], errors
    else:                       # refused while loading: one line naming the field
        assert f"{PATHS[name]}:" in result.output, result.output
    result = run("genera", plan, "--out", tmp_path / "out")
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1, describe(result)
    assert not list(tmp_path.glob("out/*.xlsx"))


def test_a_text_of_exactly_32767_characters_round_trips(tmp_path):
    """The limit itself is accepted, written whole and an untouched return is clean."""
    d = plan_data()
    d["ambiti"][0]["obiettivi"][0]["indicatori"][0]["algoritmo"] = "a" * 32_767
    plan = write_plan(tmp_path, d)
    assert run("valida", plan).exit_code == 0
    generate(plan, tmp_path / "ritorni")
    result = run("consolida", tmp_path / "ritorni", "--piano", plan,
                 "--out", tmp_path / "m.xlsx", "--json")
    assert traceback_free(result), describe(result)
    errors = [p for p in json.loads(result.output)["problemi"] if p["severity"] == "errore"]
    assert not errors, errors
