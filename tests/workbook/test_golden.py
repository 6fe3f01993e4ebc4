"""Golden workbooks: an office workbook and a consolidated master, regenerated from the small
fixed plan of tests/data/golden/ and compared part by part with the committed files
(XlsxWriter-style comparison, tests/support/xlsx_compare.py).

When a difference is intended, run ``python scripts/update_golden.py`` and commit the files
with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import ROOT, load_script
from support.xlsx_compare import first_difference, parts, xml_elements

from cruscotto_xl.io.planfile import load_plan
from cruscotto_xl.returns.integrity import check_workbook

update_golden = load_script("update_golden")
GOLDEN = update_golden.GOLDEN


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict[str, Path]:
    return update_golden.build(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", update_golden.FILES)
def test_golden_workbook_is_reproduced(fresh, name):
    difference = first_difference(fresh[name], GOLDEN / name)
    assert difference is None, (
        f"{name} differs from tests/data/golden/{name}: {difference}. If the change is "
        f"intended, run `python scripts/update_golden.py` and commit the files")


def test_golden_files_are_what_they_say(fresh):
    """The committed files are an office workbook and a master of the golden plan, and the
    reader finds nothing wrong in them (the values typed as the script says)."""
    plan = load_plan(update_golden.PLAN)
    office, problems = check_workbook(GOLDEN / "ufficio.xlsx", plan)
    assert office is not None and office.identity.office == "Servizi alle imprese"
    assert sorted(office.indicators) == ["K1", "K2", "K3", "K4"]
    assert [p.message for p in problems if p.severity == "errore"] == []
    # Against the plan it carries: the master holds the references the offices typed (K5),
    # which its plan digest includes, so against piano.yaml it would read as «generata da una
    # versione precedente del piano» (a false alarm of `controlla` on masters, left as it is).
    master, problems = check_workbook(GOLDEN / "principale.xlsx")
    assert master is not None and master.is_master and master.identity.office is None
    assert problems == []
    typed = master.typed()
    assert (typed["K1"].numerator, typed["K1"].denominator) == (460.0, 500.0)
    assert typed["K2"].actual is None and typed["K6"].actual is None   # empty, and «fatto»
    assert typed["K8"].actual == 4.5
    assert [row[2] for row in master.history] == ["K1", "K3", "K4", "K8", "K5", "K7"]


def _rewrite(path: Path, part: str, old: bytes, new: bytes) -> None:
    """Replace bytes inside one part of a zip, as an edit by hand would."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info)) for info in zf.infolist()]
    assert any(info.filename == part and old in data for info, data in items)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, data.replace(old, new) if info.filename == part else data)


def test_a_changed_cell_is_reported_at_its_part_and_element(tmp_path):
    """The comparison can fail, and says where: a target text changed in the shared strings."""
    changed = tmp_path / "ufficio.xlsx"
    shutil.copy(GOLDEN / "ufficio.xlsx", changed)
    _rewrite(changed, "xl/sharedStrings.xml", b"&lt;= 10 gg", b"&lt;= 12 gg")
    difference = first_difference(changed, GOLDEN / "ufficio.xlsx")
    assert difference is not None
    assert difference.startswith("xl/sharedStrings.xml, element ")
    assert "got '<t>&lt;= 12 gg</t>', expected '<t>&lt;= 10 gg</t>'" in difference


def test_a_missing_part_is_reported(tmp_path):
    smaller = tmp_path / "ufficio.xlsx"
    with zipfile.ZipFile(GOLDEN / "ufficio.xlsx") as src, \
            zipfile.ZipFile(smaller, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "docProps/app.xml":
                dst.writestr(info, src.read(info))
    assert first_difference(smaller, GOLDEN / "ufficio.xlsx") == (
        "parts differ: only in ufficio.xlsx: []; only in ufficio.xlsx: ['docProps/app.xml']")


def test_relationships_compare_as_sets_and_plan_data_decoded():
    elements = xml_elements('<a>\r\n  <b x="1"/>\n<c>text</c></a>')
    assert elements == ["<a>", '<b x="1"/>', "<c>text</c>", "</a>"]
    found = parts(GOLDEN / "principale.xlsx")
    rels = found["xl/_rels/workbook.xml.rels"]
    assert rels == sorted(rels)
    plan_strings = [e for e in found["xl/sharedStrings.xml"] if e.startswith("<t>piano:")]
    assert len(plan_strings) == 1 and '"id": "prova-golden-2024"' in plan_strings[0]


def test_generation_does_not_depend_on_the_hash_seed(tmp_path):
    """Two processes with different string hashing write the same bytes (no set order leaks
    into the files)."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        code = ("import sys; sys.path.insert(0, 'tests'); from support import load_script; "
                f"load_script('update_golden').build(__import__('pathlib').Path({str(out)!r}))")
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        outputs.append({name: (out / name).read_bytes() for name in update_golden.FILES})
    assert outputs[0] == outputs[1]
