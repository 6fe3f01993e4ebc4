"""Group D of issue 15, cause 6 — two `consolida` on one master at once; a master open in
Excel/LibreOffice."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from support.hostile_d import (
    CRUSCOTTO,
    cell_value,
    describe,
    generate,
    make_returns,
    plan_data,
    run,
    type_input,
    write_plan,
)

BIG_OFFICE_OBJECTIVES = 30       # 300 indicators of a third office: rendering the master
                                 # takes ~1 s, the window in which the two runs overlap


def _history(master) -> list[tuple]:
    ws = openpyxl.load_workbook(master)["Storico valori"]
    return [tuple(c.value for c in row[1:6]) for row in ws.iter_rows(min_row=4)
            if row[2].value]


@pytest.fixture
def two_folders(tmp_path):
    d = plan_data()
    d["uffici"].append({"nome": "Ufficio C", "email": "c@cciaa.invalid"})
    d["ambiti"].append({"codice": "A2", "titolo": "Altro", "obiettivi": [
        {"codice": f"OSC{i}", "titolo": f"Obiettivo {i}", "uffici": ["Ufficio C"],
         "indicatori": [{"codice": f"C{i}_{j}", "nome": f"Indicatore {j}",
                         "target": {"2024": ">= 10"}} for j in range(10)]}
        for i in range(BIG_OFFICE_OBJECTIVES)]})
    plan = write_plan(tmp_path, d)
    books = generate(plan, tmp_path / "ritorni")
    type_input(books["Ufficio A"], "K1", 120)
    type_input(books["Ufficio A"], "K2", 8)
    type_input(books["Ufficio B"], "K3", 12)
    (books["Ufficio C"]).unlink()
    master = tmp_path / "cruscotto.xlsx"
    first = run("consolida", tmp_path / "ritorni", "--piano", plan, "--out", master)
    assert master.exists(), describe(first)
    fa, fb = tmp_path / "da_A", tmp_path / "da_B"
    fa.mkdir()
    fb.mkdir()
    shutil.copy(books["Ufficio A"], fa)
    shutil.copy(books["Ufficio B"], fb)
    type_input(fa / books["Ufficio A"].name, "K1", 130)     # A resends K1 = 130
    type_input(fb / books["Ufficio B"].name, "K3", 15)      # B resends K3 = 15
    return plan, master, fa, fb


def test_two_concurrent_consolida_lose_nothing(two_folders, tmp_path):
    plan, master, fa, fb = two_folders
    start = master.read_bytes()
    for attempt in range(3):
        master.write_bytes(start)
        for bak in tmp_path.glob("cruscotto.xlsx.*.bak"):
            bak.unlink()
        procs = [subprocess.Popen([CRUSCOTTO, "consolida", str(f), "--piano", str(plan),
                                   "--out", str(master)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for f in (fa, fb)]
        outs = [p.communicate(timeout=300) for p in procs]
        wrote = ["Cartella principale scritta" in out for out, _ in outs]
        k1, k3 = cell_value(master, "K1"), cell_value(master, "K3")
        history = _history(master)
        lost = []
        if wrote[0] and (k1 != 130 or ("Ufficio A", "K1", "31/12", "120", "130") not in history):
            lost.append(f"A's K1=130 (master K1={k1})")
        if wrote[1] and (k3 != 15 or ("Ufficio B", "K3", "31/12", "12", "15") not in history):
            lost.append(f"B's K3=15 (master K3={k3})")
        assert not lost, (f"attempt {attempt + 1}: runs that wrote the master: {wrote} "
                          f"(exit {[p.returncode for p in procs]}); lost: "
                          f"{lost}; history rows: {history[-2:]}")


@pytest.mark.parametrize("lock", ["~$cruscotto.xlsx", ".~lock.cruscotto.xlsx#"])
def test_consolida_refuses_a_master_open_in_excel_or_libreoffice(tmp_path, lock):
    plan, folder, books = make_returns(tmp_path)
    master = tmp_path / "cruscotto.xlsx"
    assert run("consolida", folder, "--piano", plan, "--out", master).exit_code == 0
    before = master.read_bytes()
    (tmp_path / lock).write_text("owner")
    type_input(books["Ufficio A"], "K1", 130)
    result = run("consolida", folder, "--piano", plan, "--out", master)
    assert result.exit_code == 1 and master.read_bytes() == before, \
        f"exit {result.exit_code}; master rewritten: {master.read_bytes() != before}"
