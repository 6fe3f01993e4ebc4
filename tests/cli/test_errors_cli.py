"""The error policy on the command line: user errors are one line; a bug of ours is an
«errore interno» with its log (never blamed on the user's file), and one file's bug does
not stop a run over many."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from support import EXAMPLES
from typer.testing import CliRunner

from cruscotto_xl.cli import generate, plan
from cruscotto_xl.cli.app import app
from cruscotto_xl.core.actuals import typed_from_plan
from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns import consolidate, read
from cruscotto_xl.returns.consolidate import INTERNAL_ERROR, RETURNED, WITH_PROBLEMS
from cruscotto_xl.returns.package import read_index
from cruscotto_xl.services.filling import fill_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.layout import SHEET_META

PLAN_FILE = EXAMPLES / "piano-operativo-2023.yaml"
LOG = re.compile(r"dettagli nel file (\S+\.log)")
runner = CliRunner()


def run(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    return " ".join(text.split())


def logged(text: str) -> str:
    """The log file an internal error message names, read (it must exist)."""
    found = LOG.search(text)
    assert found, text
    return Path(found[1]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> Path:
    """Three office workbooks as the offices send them back (values typed, not signed)."""
    plan_ = load_plan(PLAN_FILE)
    folder = tmp_path_factory.mktemp("ritorni")
    typed = typed_from_plan(plan_, 2023)
    for office, path in list(workbook_jobs(plan_, folder, per_office=True))[:3]:
        write_workbook(plan_, path, office=office)
        fill_workbook(path, typed)
    return folder


@pytest.fixture
def folder(returned, tmp_path) -> Path:
    copy = tmp_path / "ritorni"
    shutil.copytree(returned, copy)
    return copy


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.xlsx"))


@pytest.fixture(params=[KeyError, RuntimeError], ids=["KeyError", "RuntimeError"])
def bug_in_one_file(request, folder, monkeypatch) -> Path:
    """A bug of ours that shows up while reading one of the files (the second)."""
    victim = _files(folder)[1]
    original = read._read_objective

    def buggy(reading, *args, **kwargs):
        if reading.path.name == victim.name:
            raise request.param("bug di prova")
        return original(reading, *args, **kwargs)

    monkeypatch.setattr(read, "_read_objective", buggy)
    return victim


def _assert_internal(message: str, victim: Path) -> None:
    assert "errore interno" in message and f"nel leggere {victim.name}" in message
    for blame in ("danneggiato", "rifiutato", "illeggibile", "salvarlo di nuovo"):
        assert blame not in message
    log = logged(message)
    assert "Traceback (most recent call last)" in log and "bug di prova" in log
    assert "in buggy" in log and "Durante: nel leggere " in log and victim.name in log


def test_controlla_reports_a_bug_as_an_internal_error_and_reads_the_others(
        folder, bug_in_one_file):
    victim = bug_in_one_file
    result = run("controlla", folder, "--piano", PLAN_FILE, "--json")
    assert result.exit_code == 1, result.output
    problems = json.loads(result.output)
    about = {Path(p["location"].split(" › ")[0]).name for p in problems}
    mine = [p for p in problems if p["location"] == victim.name]
    assert len(mine) == 1 and mine[0]["severity"] == "errore"
    _assert_internal(mine[0]["message"], victim)
    others = [f.name for f in _files(folder) if f != victim]
    assert set(others) <= about        # read: each has its «non firmata» warning
    assert all(p["severity"] == "avviso" for p in problems if p["location"] != victim.name)


def test_controlla_prints_the_internal_error_with_its_log(folder, bug_in_one_file):
    result = run("controlla", folder, "--piano", PLAN_FILE)
    assert result.exit_code == 1
    assert "errore interno" in flat(result.output)
    assert "Traceback" not in result.output


def test_consolida_goes_on_after_a_bug_in_one_file(folder, bug_in_one_file, tmp_path):
    victim = bug_in_one_file
    master = tmp_path / "cruscotto.xlsx"
    result = run("consolida", folder, "--piano", PLAN_FILE, "--out", master, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    states = {s["file"]: s["stato"] for s in data["uffici"] if s["file"]}
    assert states[victim.name] == INTERNAL_ERROR
    assert all(states[f.name] in (RETURNED, WITH_PROBLEMS)
               for f in _files(folder) if f != victim)
    mine = [p for p in data["problemi"] if p["location"] == victim.name]
    assert len(mine) == 1
    _assert_internal(mine[0]["message"], victim)
    assert master.is_file()


def test_a_bug_in_a_worker_process_is_reported_the_same(folder, bug_in_one_file, tmp_path,
                                                       monkeypatch):
    """Many files are read by worker processes: the guard, and the log, work there too."""
    if multiprocessing.get_start_method() != "fork" or (os.cpu_count() or 1) < 2:
        pytest.skip("the workers must inherit the injected bug (fork, two cores at least)")
    monkeypatch.setattr(consolidate, "PARALLEL_FROM", 2)
    victim = bug_in_one_file
    result = run("consolida", folder, "--piano", PLAN_FILE, "--out", tmp_path / "m.xlsx",
                 "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert {s["file"]: s["stato"] for s in data["uffici"]}[victim.name] == INTERNAL_ERROR
    (mine,) = [p for p in data["problemi"] if p["location"] == victim.name]
    _assert_internal(mine["message"], victim)


def test_ricalcola_goes_on_after_a_bug_in_one_file(folder, bug_in_one_file):
    victim = bug_in_one_file
    result = run("ricalcola", *_files(folder), "--json")
    assert result.exit_code == 1, result.output
    rows = {Path(r["file"]).name: r for r in json.loads(result.output)}
    assert rows[victim.name]["esito"] == "errore interno"
    assert "nel ricalcolare" in rows[victim.name]["motivo"]
    assert "bug di prova" in logged(rows[victim.name]["motivo"])
    assert all(rows[f.name]["esito"] == "aggiornato" for f in _files(folder) if f != victim)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _broken_sheet(path: Path) -> None:
    """The hidden sheet's XML ends in the middle of a tag (a damaged download)."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
        sheet = read_index(zf).sheets[SHEET_META]
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("damage", [_truncated, _broken_sheet])
def test_a_damaged_file_is_still_the_offices_to_fix(folder, damage):
    victim = _files(folder)[0]
    damage(victim)
    result = run("controlla", folder, "--piano", PLAN_FILE, "--json")
    assert result.exit_code == 1
    mine = [p for p in json.loads(result.output) if p["location"] == victim.name]
    assert len(mine) == 1
    assert mine[0]["message"].startswith(f"file rifiutato: {victim.name}: ")
    assert "danneggiato" in mine[0]["message"] and "errore interno" not in mine[0]["message"]


@pytest.fixture
def bug_in_valida(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug di prova")

    monkeypatch.setattr(plan, "validate_plan", broken)


def test_a_bug_in_a_command_is_an_internal_error_with_its_log(bug_in_valida):
    result = run("valida", PLAN_FILE)
    assert result.exit_code == 3
    text = flat(result.output)
    assert text.startswith("Errore interno (rif. ") and "non è un problema dei dati" in text
    assert "Con --debug il dettaglio è mostrato qui." in text
    assert "Traceback" not in result.output
    log = logged(result.output)
    assert "RuntimeError: bug di prova" in log and "in broken" in log


def test_debug_shows_the_traceback(bug_in_valida):
    result = run("--debug", "valida", PLAN_FILE)
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.output
    assert "RuntimeError: bug di prova" in result.output
    assert "bug di prova" in logged(result.output)


def test_a_user_error_is_one_line_with_exit_1(tmp_path):
    result = run("valida", tmp_path / "nessuno.yaml")
    assert result.exit_code == 1
    assert result.output.startswith("Errore: ") and result.output.count("\n") == 1
    assert "interno" not in result.output


def test_an_error_line_is_printed_literally(tmp_path):
    odd = tmp_path / "[bold]piano[/].yaml"
    result = run("valida", odd)
    assert result.exit_code == 1
    assert f"Errore: {odd}: file non trovato" in result.output


def test_a_folder_the_system_refuses_is_a_user_error(tmp_path):
    blocker = tmp_path / "un-file"
    blocker.write_text("x")
    result = run("genera", PLAN_FILE, "--out", blocker / "cartelle")
    assert result.exit_code == 1, result.output
    assert result.output.strip().startswith(f"Errore: {blocker / 'cartelle'}: impossibile usare")
    assert "interno" not in result.output


def test_options_that_exclude_each_other_are_wrong_usage(tmp_path):
    result = run("genera", PLAN_FILE, EXAMPLES / "piano-strategico-2024.yaml", "--out",
                 tmp_path, "--consolidato", tmp_path / "cruscotto.xlsx")
    assert result.exit_code == 2
    assert "--consolidato vale per un solo piano alla volta" in result.output


def test_demo_finds_the_bundled_examples():
    assert generate.EXAMPLES_DIR == EXAMPLES
    assert sorted(generate.EXAMPLES_DIR.glob("*.yaml"))
