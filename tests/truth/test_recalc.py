"""Tests for cruscotto_xl.io.libreoffice: headless LibreOffice recalculation and reading values.

The workbooks are written by openpyxl, so they carry no cached values: every value
asserted below was computed by LibreOffice. When LibreOffice is missing these tests
FAIL (CI installs it); they never skip.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName

from cruscotto_xl.io.libreoffice import (
    RecalcError,
    _group_by_output_name,
    cell_values,
    find_soffice,
    read_values,
    recalculate,
)


def _calcoli(path: Path) -> Path:
    """IF/ISNUMBER/SUM/ROUND/ABS, a division by zero, a quoted cross-sheet reference."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Dati"
    ws["A1"] = 10
    ws["A2"] = "testo"
    ws["A3"] = -3.14159
    ws["B1"] = '=IF(ISNUMBER(A1),"numero","altro")'
    ws["B2"] = '=IF(ISNUMBER(A2),"numero","altro")'
    ws["B3"] = "=SUM(A1,A3)"
    ws["B4"] = "=ROUND(ABS(A3),2)"
    ws["B5"] = "=1/0"
    ws["C1"] = "='Dell''Anno'!A1*2"
    ws["C2"] = "=SUM('Dell''Anno'!A1:A2)"
    anno = wb.create_sheet("Dell'Anno")
    anno["A1"] = 21
    anno["A2"] = 4
    anno["C3"] = "=Dati!A1+1"  # leading empty rows/columns: read_values starts at A1
    wb.save(path)
    return path


def _scadenze(path: Path) -> Path:
    """Date comparisons against a defined name, a date difference, a constant name."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Scadenze"
    ws["A1"] = dt.date(2024, 3, 31)
    ws["A2"] = dt.date(2024, 3, 15)
    ws["A3"] = dt.date(2024, 4, 2)
    wb.defined_names["Scadenza"] = DefinedName("Scadenza", attr_text="Scadenze!$A$1")
    wb.defined_names["Soglia"] = DefinedName("Soglia", attr_text="0.6")
    ws["B2"] = '=IF(A2<=Scadenza,"in tempo","in ritardo")'
    ws["B3"] = '=IF(A3<=Scadenza,"in tempo","in ritardo")'
    ws["C3"] = "=A3-Scadenza"
    ws["C3"].number_format = "0"
    ws["D1"] = "=IF(0.7>=Soglia,1,0)"
    ws["D2"] = "=IF(0.5>=Soglia,1,0)"
    wb.save(path)
    return path


def _totali(path: Path, base: float = 5) -> Path:
    """A defined name pointing to a cell, used in another formula."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Totali"
    ws["A1"] = base
    ws["A2"] = 7
    ws["A3"] = "=SUM(A1:A2)"
    wb.defined_names["Totale"] = DefinedName("Totale", attr_text="Totali!$A$3")
    ws["B1"] = "=Totale*2"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def three(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Three workbooks recalculated in one soffice call."""
    src = tmp_path_factory.mktemp("src")
    out = tmp_path_factory.mktemp("out")
    inputs = [
        _calcoli(src / "calcoli.xlsx"),
        _scadenze(src / "scadenze.xlsx"),
        _totali(src / "totali.xlsx"),
    ]
    return recalculate(inputs, out)


def _by_name(result: dict[Path, Path], name: str) -> Path:
    (path,) = (out for src, out in result.items() if src.name == name)
    return path


def test_outputs_named_after_inputs_in_outdir(three: dict[Path, Path]) -> None:
    assert len(three) == 3
    for src, out in three.items():
        assert out.name == src.name
        assert out.is_file()
        assert out.parent != src.parent
    assert len({out.parent for out in three.values()}) == 1  # one group, one call


def test_functions_and_cross_sheet_reference(three: dict[Path, Path]) -> None:
    values = cell_values(_by_name(three, "calcoli.xlsx"), "Dati")
    assert values["B1"] == "numero"
    assert values["B2"] == "altro"
    assert values["B3"] == pytest.approx(6.85841, abs=1e-12)
    assert values["B4"] == 3.14
    assert values["C1"] == 42
    assert values["C2"] == 25


def test_error_cell_reads_as_error_string(three: dict[Path, Path]) -> None:
    assert cell_values(_by_name(three, "calcoli.xlsx"), "Dati")["B5"] == "#DIV/0!"


def test_read_values_is_anchored_at_a1(three: dict[Path, Path]) -> None:
    sheets = read_values(_by_name(three, "calcoli.xlsx"))
    assert list(sheets) == ["Dati", "Dell'Anno"]
    assert sheets["Dell'Anno"] == [
        [21, None, None],
        [4, None, None],
        [None, None, 11],
    ]
    assert sheets["Dati"][4][1] == "#DIV/0!"
    with pytest.raises(KeyError, match="Manca"):
        cell_values(_by_name(three, "calcoli.xlsx"), "Manca")


def test_dates_and_defined_names(three: dict[Path, Path]) -> None:
    values = cell_values(_by_name(three, "scadenze.xlsx"), "Scadenze")
    assert values["A1"] == dt.datetime(2024, 3, 31)
    assert values["B2"] == "in tempo"
    assert values["B3"] == "in ritardo"
    assert values["C3"] == 2
    assert values["D1"] == 1
    assert values["D2"] == 0
    assert cell_values(_by_name(three, "totali.xlsx"), "Totali") == {
        "A1": 5,
        "A2": 7,
        "A3": 12,
        "B1": 24,
    }


def test_not_a_workbook_is_named_and_others_still_come_out(soffice: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    bad = src / "non_e_excel.xlsx"
    bad.write_text("questo non è un file Excel\n1,2,3\n", encoding="utf-8")
    missing = src / "assente.xlsx"
    good1 = _totali(src / "uno.xlsx", base=1)
    good2 = _totali(src / "due.xlsx", base=2)
    out = tmp_path / "out"
    (out).mkdir()
    (out / "non_e_excel.xlsx").write_bytes(b"stale")  # must not pass for an output

    with pytest.raises(RecalcError) as info:
        recalculate([good1, bad, missing, good2], out)

    err = info.value
    message = str(err)
    assert str(bad) in message
    assert str(missing) in message
    assert str(good1) not in message
    assert set(err.failed) == {bad, missing}
    assert set(err.outputs) == {good1, good2}
    assert not (out / "non_e_excel.xlsx").exists()
    assert cell_values(out / "uno.xlsx", "Totali")["B1"] == 16
    assert cell_values(out / "due.xlsx", "Totali")["B1"] == 18


def test_same_basename_in_two_dirs(soffice: str, tmp_path: Path) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    first = _totali(a / "stesso.xlsx", base=1)
    second = _totali(b / "stesso.xlsx", base=100)
    other = _totali(b / "altro.xlsx", base=3)
    out = tmp_path / "out"

    result = recalculate([first, second, other], out)

    assert set(result) == {first, second, other}
    assert result[first] != result[second]
    assert result[first].parent == out and result[other].parent == out
    assert cell_values(result[first], "Totali")["B1"] == 16
    assert cell_values(result[second], "Totali")["B1"] == 214
    assert cell_values(result[other], "Totali")["B1"] == 20


def test_outdir_equal_to_an_input_dir_is_refused(tmp_path: Path) -> None:
    wb_path = _totali(tmp_path / "uno.xlsx")
    before = wb_path.read_bytes()
    with pytest.raises(ValueError, match="cartella di output"):
        recalculate([wb_path], tmp_path)
    with pytest.raises(ValueError, match="cartella di output"):
        recalculate([wb_path], tmp_path / "x" / "..")
    assert wb_path.read_bytes() == before
    assert load_workbook(wb_path)["Totali"]["B1"].value == "=Totale*2"


def test_missing_soffice_raises_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "vuota"))
    assert find_soffice() is None
    with pytest.raises(RecalcError, match="apt-get install"):
        recalculate([_totali(tmp_path / "uno.xlsx")], tmp_path / "out")


def test_empty_input_list_does_nothing(tmp_path: Path) -> None:
    assert recalculate([], tmp_path / "out") == {}
    assert not (tmp_path / "out").exists()


def test_grouping_keeps_output_names_distinct() -> None:
    paths = [
        Path("a/x.xlsx"),
        Path("b/x.xlsx"),
        Path("a/y.xlsx"),
        Path("c/X.xlsm"),  # same output name x.xlsx (case-insensitive)
        Path("a/z.xlsx"),
    ]
    assert _group_by_output_name(paths) == [
        [Path("a/x.xlsx"), Path("a/y.xlsx"), Path("a/z.xlsx")],
        [Path("b/x.xlsx")],
        [Path("c/X.xlsm")],
    ]
