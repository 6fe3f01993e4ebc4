"""The main job of the README (`cruscotto demo`) on the bundled examples."""

from __future__ import annotations

import pytest
from support import EXAMPLES
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.io.libreoffice import find_soffice
from cruscotto_xl.returns.read import read_workbook


def test_demo_generates_fills_recalculates_and_agrees(tmp_path):
    if find_soffice() is None:
        pytest.fail("LibreOffice non è installato: eseguire `bash scripts/setup.sh`")
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--esempi",
                                      str(EXAMPLES)])
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Cartelle generate: 18" in text
    assert "Gradi calcolati da LibreOffice = motore Python: sì" in text
    assert text.count("Monitoraggio al 30/06 (valori di esempio") == 2
    # the year-end workbooks carry the 30/06 values, locked and in the tamper hash
    book = next((tmp_path / "cartelle").glob("*2024__*.xlsx"))       # an office's, 2024
    reading = read_workbook(book)
    assert reading.identity.period == "31/12" and reading.hash_matches
    embedded = reading.embedded_plan()
    assert all(s.indicator.actual_for(2024, "30/06") is not None
               for s in embedded.indicators())
