"""Any Unicode a person or a program can put in a plan or a cell (control characters,
emoji, right-to-left text, brackets, quotes, ``[/]``) goes through the writers unharmed
(issue 15, acceptance): every file written is well-formed XML, opens in openpyxl and reads
back equal — plan titles and office names through `genera`, a note typed by an office
through `consolida` into the master."""

from __future__ import annotations

import xml.parsers.expat
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.hostile_b import set_cell_xml
from support.hostile_c import set_inline_text

from cruscotto_xl.io.planfile import plan_from_data
from cruscotto_xl.returns.consolidate import consolidate, write_master
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.workbook import workbook_jobs, write_workbook
from cruscotto_xl.workbook.xmltext import ooxml_text

#: What a cell can hold (the plan check refuses the rest: NUL, U+FFFE/U+FFFF, lone
#: surrogates) — with the awkward characters made likely.
AWKWARD = "[/]\"'=+-@<>&\t\n\r\x0b\x0c\x01\x1f\u200f\u202e\u05d0\u0627🚀👩‍💻_x000B_"
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(AWKWARD),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff")),
    min_size=1, max_size=30).filter(lambda s: s.strip() != "")


def _well_formed(path: Path) -> list[str]:
    bad = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                parser = xml.parsers.expat.ParserCreate()
                try:
                    parser.Parse(zf.read(name), True)
                except xml.parsers.expat.ExpatError as exc:
                    bad.append(f"{name}: {exc}")
    return bad


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=texts, office=texts, note=texts)
def test_any_text_is_written_well_formed_and_reads_back_equal(tmp_path_factory, title,
                                                              office, note):
    tmp = tmp_path_factory.mktemp("u")
    plan = plan_from_data({
        "ente": "Ente di prova", "anno": 2024, "uffici": [{"nome": office}],
        "ambiti": [{"codice": "A1", "titolo": "Ambito", "obiettivi": [
            {"codice": "OS1", "titolo": title, "uffici": [office], "indicatori": [
                {"codice": "K1", "nome": "Pratiche", "target": {2024: ">= 10"}}]}]}]})
    stored_title, stored_office = plan.areas[0].objectives[0].title, plan.offices[0].name
    folder = tmp / "ritorni"
    folder.mkdir()
    paths = []
    for who, path in workbook_jobs(plan, folder, per_office=True):
        write_workbook(plan, path, office=who)
        paths.append(path)
    assert len(paths) == 1
    (path,) = paths
    assert _well_formed(path) == []
    openpyxl.load_workbook(path)                      # opens
    reading = read_workbook(path)
    assert reading.identity.office == stored_office
    assert reading.embedded_plan().areas[0].objectives[0].title == stored_title
    # typed the way Excel stores it (openpyxl itself refuses control characters)
    set_cell_xml(path, "K1", "12")
    set_inline_text(path, "K1", escape(ooxml_text(note)), header="Note")
    master = tmp / "m.xlsx"
    write_master(consolidate(folder, plan), master)
    assert _well_formed(master) == []
    openpyxl.load_workbook(master)
    held = read_workbook(master).held_plan()
    k1 = next(s.indicator for s in held.indicators() if s.indicator.code == "K1")
    assert k1.actual_for(2024).value == 12
    assert k1.actual_for(2024).note == note
