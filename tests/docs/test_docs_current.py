"""docs/ says what the code does: the generated tables are current, every docs/ page the
code cites exists, and nothing cites a document that is not in the repository."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from support import ROOT, load_script

from cruscotto_xl.core import rules
from cruscotto_xl.workbook import layout

gen_docs = load_script("gen_docs")

#: Where the project's own text lives (code, tests, scripts, docs, the add-in's sources).
SOURCES = ("cruscotto_xl", "tests", "scripts", "benchmarks", "addin", "docs")
TEXT_SUFFIXES = {".py", ".md", ".bas", ".xml", ".sh", ".yaml", ".template"}


def _texts() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in SOURCES:
        files += [p for p in (ROOT / folder).rglob("*")
                  if p.is_file() and p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts]
    return files


@pytest.mark.parametrize("doc", list(gen_docs.BLOCKS), ids=lambda p: p.name)
def test_generated_blocks_are_current(doc):
    stale = gen_docs.stale_blocks(doc)
    assert stale == [], (f"{doc.name}: blocks {stale} differ from the code: run "
                         f"`python scripts/gen_docs.py` and commit the result")


def test_a_changed_rule_makes_the_rules_doc_stale(monkeypatch):
    """The check can fail: a rule's formula changed without regenerating is caught."""
    ge = rules.RULES["ge"]
    changed = dataclasses.replace(ge, formula=lambda a, t, spec, c: f"IF({a}>{t},1,0)")
    monkeypatch.setitem(rules.RULES, "ge", changed)
    assert gen_docs.stale_blocks(gen_docs.RULES_DOC) == ["rules-table", "grade-cells"]


def test_a_renamed_column_makes_the_workbook_doc_stale(monkeypatch):
    columns = list(layout.INDICATOR_COLUMNS)
    columns[0] = dataclasses.replace(columns[0], header="Codice KPI")
    monkeypatch.setattr(layout, "INDICATOR_COLUMNS", tuple(columns))
    assert "indicator-columns" in gen_docs.stale_blocks(gen_docs.WORKBOOK_DOC)


def test_a_policy_option_without_its_explanation_stops_the_generator(monkeypatch):
    monkeypatch.delitem(gen_docs.POLICY_MEANING, "os_mix")
    with pytest.raises(gen_docs.DocsError, match=r"Policy\.os_mix"):
        gen_docs.policy_table()


def test_a_rule_without_an_example_stops_the_generator(monkeypatch):
    monkeypatch.setitem(rules.RULES, "nuova", rules.RULES["eq"])
    with pytest.raises(gen_docs.DocsError, match="nuova"):
        gen_docs.rules_table()


def test_every_docs_page_cited_exists():
    cited: dict[str, str] = {}
    for path in _texts():
        if path.name == "research-addin.md":
            continue         # research notes: they cite other projects' docs/ files
        for m in re.finditer(r"\bdocs/([\w.-]+\.md)", path.read_text(encoding="utf-8")):
            cited.setdefault(m.group(1), str(path.relative_to(ROOT)))
    missing = {page: where for page, where in cited.items()
               if not (ROOT / "docs" / page).is_file()}
    assert missing == {}
    # the pages this part of the work is about are cited from the code
    assert {"rules.md", "workbook.md", "security.md", "grammatica-target.md"} <= set(cited)


def test_links_between_docs_pages_resolve():
    broken = []
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if not (page.parent / target).is_file():
                broken.append((page.name, target))
    assert broken == []


def test_nothing_cites_the_outside_design_document():
    """Comments cite docs/ pages a maintainer has; the design document stays outside."""
    word = "DES" + "IGN"          # not written whole, or this file would cite it
    pattern = re.compile(rf"\b{word}\b")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in _texts()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert found == []
