"""The command line speaks correct Italian: counted nouns agree («1 avviso»), numbers have a
decimal comma, a body's name takes its article; problem tables lead with office and code;
``firma`` keeps its copies out of the returns folder; each period's deadline."""

from __future__ import annotations

import copy
import email
import re
from datetime import date
from email import policy
from pathlib import Path

import pytest
from support.periods_plan import FINAL, PLAN_DATA, office_workbooks, two_period_plan
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.core.vocabulary import counted, of_entity, plain_number
from cruscotto_xl.io.atomic import BACKUP_FOLDER
from cruscotto_xl.io.planfile import PlanFileError, plan_from_data, save_plan
from cruscotto_xl.returns.consolidate import consolidate
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.returns.sign import sign_workbook

runner = CliRunner()

#: The plural nouns (and plural verbs) the messages use after a count.
PLURALS = ("avvisi", "errori", "indicatori", "file esistono", "file letti", "celle",
           "valori", "uffici", "cartelle", "target aggiornati", "target riportati",
           "modifiche", "dati mancanti", "segnalazioni", "rilievi", "righe", "obiettivi",
           "differenze", "pesi", "fogli", "ambiti", "valutati", "indicatori controllati")
#: A number written with a decimal point (Italian thousands «1.024» excepted).
DECIMAL_POINT = re.compile(r"(?<![\d.])\d+\.(?!\d{3}(?!\d))\d+")


def _run(*args: object) -> str:
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.output


def _wrong_italian(text: str) -> list[str]:
    flat = " ".join(text.replace("│", " ").split())
    found = [m.group(0) for p in PLURALS for m in re.finditer(rf"(?<![\d.,]){'1'} {p}\b", flat)]
    return found + DECIMAL_POINT.findall(flat)


# --- the helpers, against hand-written expectations -------------------------------------

def test_counted_agrees_noun_and_verb():
    assert counted(1, "avviso", "avvisi") == "1 avviso"
    assert counted(2, "avviso", "avvisi") == "2 avvisi"
    assert counted(0, "avviso", "avvisi") == "0 avvisi"
    assert counted(1, "file esiste già", "file esistono già") == "1 file esiste già"
    assert counted(2, "file esiste già", "file esistono già") == "2 file esistono già"
    assert counted(1234, "indicatore", "indicatori") == "1.234 indicatori"


def test_plain_number_has_a_decimal_comma():
    assert plain_number(4.5) == "4,5"
    assert plain_number(0.785) == "0,785"
    assert plain_number(105) == "105"
    assert plain_number(1234.5) == "1.234,5"


@pytest.mark.parametrize(("name", "said"), [
    ("Camera di Commercio di Lucca", "della Camera di Commercio di Lucca"),
    ("CCIAA di Lucca", "della CCIAA di Lucca"),
    ("Comune di Milano", "del Comune di Milano"),
    ("Regione Toscana", "della Regione Toscana"),
    ("Provincia di Pisa", "della Provincia di Pisa"),
    ("Città metropolitana di Torino", "della Città metropolitana di Torino"),
    ("Università degli Studi di Pisa", "dell'Università degli Studi di Pisa"),
    ("universita di Siena", "dell'universita di Siena"),
    ("Agenzia delle Entrate", "dell'Agenzia delle Entrate"),
    ("Azienda USL Toscana centro", "dell'Azienda USL Toscana centro"),
    ("Ministero della Salute", "del Ministero della Salute"),
    ("Istituto Nazionale di Statistica", "dell'Istituto Nazionale di Statistica"),
    ("INPS", "dell'INPS"),
    ("Unioncamere", "dell'ente «Unioncamere»"),
    ("La Camera di prova", "dell'ente «La Camera di prova»"),
    ("  Comune   di  Lucca ", "del Comune di Lucca"),
])
def test_the_article_of_a_body_is_chosen_or_not_guessed(name, said):
    assert of_entity(name) == said


# --- deadlines of each period -----------------------------------------------------------

def _plan_with(**changes: object):
    data = copy.deepcopy(PLAN_DATA)
    data.update(changes)
    return plan_from_data(data, "<prova>")


def test_each_period_has_its_own_deadline():
    plain = _plan_with()
    assert plain.deadline_for("30/06", 2024) == date(2024, 7, 31)
    assert plain.deadline_for("31/12", 2024) == date(2025, 1, 31)
    final_only = _plan_with(scadenza_compilazione="2025-02-15")
    assert final_only.deadline_for("31/12", 2024) == date(2025, 2, 15)
    assert final_only.deadline_for("30/06", 2024) == date(2024, 7, 31)
    own = _plan_with(periodi=[{"data": "30/06", "nome": "intermedio", "scadenza": "15/07"},
                              {"data": "31/12", "nome": "finale", "scadenza": "20/01"}],
                     scadenza_compilazione="2025-02-15")
    assert own.deadline_for("30/06", 2024) == date(2024, 7, 15)
    assert own.deadline_for("31/12", 2024) == date(2025, 1, 20)


def test_a_period_deadline_is_a_day_of_the_year():
    with pytest.raises(PlanFileError, match=r"periodi\[0\]\.scadenza: «31/02»"):
        _plan_with(periodi=[{"data": "30/06", "nome": "intermedio", "scadenza": "31/02"},
                            {"data": "31/12", "nome": "finale"}])


def _instructions_text(path: Path) -> str:
    import openpyxl
    ws = openpyxl.load_workbook(path)["Istruzioni"]
    return " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)


def test_the_30_06_workbook_and_reminder_carry_the_30_06_deadline(tmp_path):
    data = copy.deepcopy(PLAN_DATA)
    data["scadenza_compilazione"] = "2025-02-15"
    plan = plan_from_data(data, "<prova>")
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    folder = tmp_path / "ritorni"
    paths = office_workbooks(plan, folder, "30/06", skip=("Ufficio C",))
    text = _instructions_text(paths["Ufficio A"])
    assert "entro il 31/07/2024" in text and "15/02/2025" not in text
    out = tmp_path / "solleciti"
    result = runner.invoke(app, ["solleciti", str(folder), "--piano", str(plan_file),
                                 "--periodo", "30/06", "--uscita", str(out)])
    assert result.exit_code == 0, result.output
    body = email.message_from_bytes((out / "sollecito_Ufficio_C.eml").read_bytes(),
                                    policy=policy.default).get_body(("plain",)).get_content()
    assert "Scadenza per la restituzione: 31/07/2024." in body
    final = office_workbooks(plan, tmp_path / "fine", "31/12")
    assert "entro il 15/02/2025" in _instructions_text(final["Ufficio A"])


# --- firma keeps its copies out of the returns folder ------------------------------------

def test_consolida_after_firma_reads_each_office_once(tmp_path):
    plan = two_period_plan()
    folder = tmp_path / "ritorni"
    paths = office_workbooks(plan, folder, "31/12", FINAL)
    first = sign_workbook(paths["Ufficio A"], signer="Anna Neri", confirm=True)
    second = sign_workbook(paths["Ufficio A"], signer="Anna Bruni", confirm=True)
    assert first.backup is not None and second.backup is not None
    assert first.backup.parent == second.backup.parent == folder / BACKUP_FOLDER
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(
        p.name for p in paths.values())
    result = consolidate(folder, plan)
    assert result.files == len(paths) == 3
    assert sorted(s.office for s in result.statuses) == ["Ufficio A", "Ufficio B", "Ufficio C"]
    assert not [p for p in result.problems if "più" in p.message or "due" in p.message]
    out = _run("firma", paths["Ufficio B"], "--responsabile", "Bruno Verdi", "--conferma")
    assert "firmata" in out
    assert len([p for p in folder.iterdir() if p.is_file()]) == 3
    assert len(list((folder / BACKUP_FOLDER).glob("*.bak"))) == 3


# --- problem tables and the words of the commands ---------------------------------------

def test_controlla_lists_owed_values_with_the_office_shown_literally(tmp_path):
    data = copy.deepcopy(PLAN_DATA)
    odd = "[bold]x[/]"
    data["uffici"][1]["nome"] = odd
    data["ambiti"][0]["obiettivi"][1]["uffici"] = [odd]
    plan = plan_from_data(data, "<prova>")
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    folder = tmp_path / "ritorni"
    office_workbooks(plan, folder, "31/12")          # nothing typed: every value owed
    result = runner.invoke(app, ["controlla", str(folder), "--piano", str(plan_file)],
                           env={"COLUMNS": "200"})
    out = result.output
    assert "Ufficio o file" in out.splitlines()[2] or "Ufficio o file" in out
    rows = [line for line in out.splitlines() if "consuntivo mancante al 31/12" in line]
    # the plan has 6 indicators owed at 31/12 (K1…K6 in PLAN_DATA), none typed
    assert len(rows) == 6
    assert sum(odd in line for line in rows) == 2          # K4, K5: the office shown as typed
    assert all(re.search(r"│ K\d ", line) for line in rows)
    header = next(line for line in out.splitlines() if "Codice" in line)
    assert header.index("Ufficio o file") < header.index("Codice") < header.index("Gravità")


def _warning_plan(tmp_path: Path, empty_areas: int) -> Path:
    data = copy.deepcopy(PLAN_DATA)
    data["ambiti"] += [{"codice": f"Z{i}", "titolo": "Vuoto", "obiettivi": []}
                       for i in range(empty_areas)]
    return save_plan(plan_from_data(data, "<prova>"), tmp_path / f"piano-{empty_areas}.yaml")


def test_valida_counts_warnings_in_italian(tmp_path):
    one = _run("valida", _warning_plan(tmp_path, 1))
    two = _run("valida", _warning_plan(tmp_path, 2))
    assert "6 indicatori, 1 avviso)" in " ".join(one.split())
    assert "6 indicatori, 2 avvisi)" in " ".join(two.split())
    assert not _wrong_italian(one + two)


def test_genera_counts_existing_files_in_italian(tmp_path):
    plan_file = save_plan(two_period_plan(), tmp_path / "piano.yaml")
    out = tmp_path / "cartelle"
    first = _run("genera", plan_file, "--uscita", out, "--per-ufficio")
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 3
    files[0].unlink()
    two = _run("genera", plan_file, "--uscita", out, "--per-ufficio")
    files[1].unlink()
    one = _run("genera", plan_file, "--uscita", out, "--per-ufficio")
    assert "2 file esistono già" in " ".join(two.split())
    assert "1 file esiste già" in " ".join(one.split())
    assert not _wrong_italian(first + one + two)


def test_the_returns_commands_speak_correct_italian(tmp_path):
    plan = two_period_plan()
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    folder = tmp_path / "ritorni"
    paths = office_workbooks(plan, folder, "31/12", FINAL, skip=("Ufficio C",))
    reading = read_workbook(paths["Ufficio B"])
    import openpyxl
    wb = openpyxl.load_workbook(paths["Ufficio B"])
    found = reading.indicators["K5"]
    wb[found.sheet][found.cells["actual"]] = "4,5"          # a number typed as text
    wb.save(paths["Ufficio B"])
    outputs = [
        _run("controlla", folder, "--piano", plan_file),
        _run("consolida", folder, "--piano", plan_file, "--uscita", tmp_path / "m.xlsx"),
        _run("solleciti", folder, "--piano", plan_file, "--uscita", tmp_path / "s"),
        _run("grado", "--target", ">= 70 %", "--consuntivo", "78,5 %"),
        _run("grado", "--target", "x >= x-1 + 5 %", "--riferimento", "0,785",
             "--consuntivo", "0,9"),
    ]
    text = "\n".join(outputs)
    assert "letto come numero 4,5" in " ".join(text.replace("│", " ").split())
    assert "2 file letti" in " ".join(text.split())
    assert not _wrong_italian(text), _wrong_italian(text)
