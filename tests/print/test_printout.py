"""Every sheet kind printed through LibreOffice to PDF is readable: no two text lines
overlap (a wrapped text in a row without its height prints over the next row) and no
text is smaller than 7 points (a sheet fitted to one page wide at a tiny scale).

The PDF's text positions are read with pdfplumber, independently of the writer.
"""

from __future__ import annotations

import shutil
import subprocess
from copy import deepcopy
from pathlib import Path

import pytest
from support.history_plan import HISTORY_PLAN
from support.periods_plan import office_workbooks, set_input

from cruscotto_xl.io.planfile import load_plan, plan_from_data
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.workbook import write_workbook

pdfplumber = pytest.importorskip("pdfplumber")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MIN_FONT = 7.0
DESCRIPTION = ("Numero dei certificati anagrafici rilasciati dal portale del Comune "
               "nell'anno solare, esclusi quelli annullati. ") * 3
NOTE = "Nota lunga dell'ufficio che spiega il dato con molte parole e un rimando. " * 3


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice non installato")
    work = tmp_path_factory.mktemp("stampa")
    plan = load_plan(EXAMPLES / "piano-operativo-2023.yaml")   # two periods: Riepilogo 30-06
    paths = office_workbooks(plan, work / "ritorni", "31/12")
    office = next(iter(paths.values()))
    for code in list(read_workbook(office).indicators)[:3]:
        set_input(office, code, "note", NOTE)           # Storico valori gets long texts
    master = work / "cruscotto.xlsx"
    write_master(consolidate(work / "ritorni", plan), master)  # missing offices: problems
    copy = work / "ufficio.xlsx"
    shutil.copy(office, copy)
    # a plan with earlier years, three target years and long dictionary texts
    data = deepcopy(HISTORY_PLAN)
    data["ambiti"][0]["obiettivi"][0]["indicatori"][0]["descrizione"] = DESCRIPTION
    years = work / "storico.xlsx"
    write_workbook(plan_from_data(data), years)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir",
                    str(work / "pdf"), str(copy), str(master), str(years)],
                   check=True, capture_output=True, timeout=600)
    return {"ufficio": work / "pdf" / "ufficio.pdf", "master": work / "pdf" / "cruscotto.pdf",
            "storico": work / "pdf" / "storico.pdf"}


def _lines(page) -> list[dict]:
    return [ln for ln in page.extract_text_lines(return_chars=True) if ln["text"].strip()]


def _overlaps(page) -> list[tuple[str, str]]:
    """Pairs of text lines on different baselines whose boxes intersect."""
    lines = _lines(page)
    found = []
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if abs(a["top"] - b["top"]) < 1:
                continue                  # one line, two cells side by side
            if (a["x0"] < b["x1"] - 0.5 and b["x0"] < a["x1"] - 0.5
                    and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1):
                found.append((a["text"][:40], b["text"][:40]))
    return found


def _sheet_kinds(doc) -> set[str]:
    return {word for page in doc.pages for word in (
        "Istruzioni", "Regole di calcolo", "Riepilogo", "Controlli dei dati", "Validazione",
        "Stato degli uffici", "Storico dei valori", "Problemi del consolidamento",
        "Obiettivo operativo") if word in (page.extract_text() or "")}


@pytest.mark.parametrize("which", ["ufficio", "master", "storico"])
def test_every_printed_page_is_readable(pdfs, which):
    with pdfplumber.open(pdfs[which]) as doc:
        small, overlapping = [], []
        for n, page in enumerate(doc.pages, 1):
            sizes = [c["size"] for c in page.chars if c["text"].strip()]
            if sizes and min(sizes) < MIN_FONT:
                small.append((n, round(min(sizes), 1)))
            if pairs := _overlaps(page):
                overlapping.append((n, pairs[:2]))
        kinds = _sheet_kinds(doc)
    if which == "storico":       # an OS with its own indicators, no operational objective
        assert "Regole di calcolo" in kinds and "Validazione" in kinds
    else:
        assert "Regole di calcolo" in kinds and "Obiettivo operativo" in kinds
    if which == "master":
        assert {"Stato degli uffici", "Storico dei valori",
                "Problemi del consolidamento"} <= kinds
    elif which == "ufficio":
        assert "Validazione" in kinds
    assert small == [], f"testo sotto {MIN_FONT} pt: {small[:10]}"
    assert overlapping == [], f"righe sovrapposte: {overlapping[:10]}"


def test_the_years_and_the_dictionary_are_printed(pdfs):
    """The dictionary block is in the print area: the earlier years' actuals (1234,5 and
    87 % as the cell formats show them, in LibreOffice's locale), the targets of 2025 and
    2026, the baseline and its year, tipologia and source are on paper."""
    with pdfplumber.open(pdfs["storico"]) as doc:
        text = " ".join(page.extract_text() or "" for page in doc.pages)
    assert "1.234,50" in text or "1,234.50" in text
    assert "87,00%" in text or "87.00%" in text
    for shown in ("Baseline", "Consuntivo", "2022", "2023", ">= 1.750", "Target 2026", "2021",
                  "Gestionale anagrafe", "Efficienza", "Descrizione"):
        assert shown in text, shown
