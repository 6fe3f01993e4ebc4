"""Individual scorecards and the organisation chart read from a plan's text
(importers/pira/people.py, orgchart.py). Expected numbers come from simple regexes over the
seed text written here, not from the importer."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.core.structure import find_area
from cruscotto_xl.importers.pira.build import parse_pira
from cruscotto_xl.importers.pira.layout import text_lines
from cruscotto_xl.importers.pira.orgchart import match_office
from cruscotto_xl.importers.pira.people import read_people

SEED_001 = Path(__file__).parents[1] / "data" / "001_2f7775cd533185bf.txt"


@pytest.fixture(scope="module")
def text() -> str:
    return SEED_001.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan(text):
    return parse_pira(text).plan


def _w(person) -> Decimal:
    return sum((Decimal(repr(o.weight)) for o in person.objectives), Decimal(0)) + \
        sum((Decimal(repr(c.weight)) for c in person.components), Decimal(0))


def test_001_people_by_title(text, plan):
    sg_dir = re.findall(r"^OBIETTIVI \d{4} (SG|DIR A[IVX]+)\s*$", text, re.MULTILINE)
    po = re.findall(r"^RESPONSABILE PO (.+?)\s*$", text, re.MULTILINE)
    assert (len(sg_dir), len(po)) == (4, 7)
    roles = [p.role for p in plan.people]
    assert roles.count("segretario_generale") == sg_dir.count("SG") == 1
    assert roles.count("dirigente") == 3
    assert roles.count("posizione_organizzativa") == len(po)
    dirs = [p for p in plan.people if p.role == "dirigente"]
    assert [p.structure for p in dirs] == ["AREA I", "AREA II", "AREA III"]


def test_001_sg_and_dirigenti_weights_and_components(text, plan):
    totals = re.findall(r"^(\d+) \1\s*$", text, re.MULTILINE)           # «70 70»
    ente = re.findall(r"^80% (\d+)\s*$", text, re.MULTILINE)              # ente target, weight
    area_90 = re.findall(r"^90% (\d+)\s*$", text, re.MULTILINE)
    assert totals == ["70"] * 4 and ente == ["40", "10", "10", "10"] and area_90 == ["40"] * 3
    cards = [p for p in plan.people if p.role != "posizione_organizzativa"]
    for person, total in zip(cards, totals, strict=True):
        assert _w(person) == Decimal(total)
        assert person.behaviour_weight == 100 - int(total)
    assert [(c.weight, c.target) for p in cards for c in p.components
            if c.source == "ente"] == [(float(w), "80%") for w in ente]
    assert [(c.weight, c.target) for p in cards for c in p.components
            if c.source == "area"] == [(0.0, "")] + [(float(w), "90%") for w in area_90]
    # own objectives: every «… Piano di Progetto al 31/12/2020 100,00% N» row of the pages
    rows = re.findall(r"Stato di attuazione del Piano di Progetto al 31/12/2020 100,00% (\d+)",
                      text)
    own = [o for p in cards for o in p.objectives]
    assert [o.weight for o in own] == [float(w) for w in rows]
    assert all(o.indicators[0].targets == {2020: "100,00%"} for o in own)


#: a PO row: [target] weight% area X X, and the two dated phases of one objective
_PO_ROW = re.compile(r"^([^\n]*?)[ \t]*(\d+(?:,\d+)?)%[ \t]+(?:SG|I{1,3})[ \t]+X[ \t]+X[ \t]*$",
                     re.MULTILINE)
_PHASE = re.compile(r"(\d{2}/\d{2}/\d{4}) (\d+)%[ \t]*$", re.MULTILINE)


def test_001_po_weights_and_targets(text, plan):
    rows = _PO_ROW.findall(text)
    phases = _PHASE.findall(text)
    pos = [p for p in plan.people if p.role == "posizione_organizzativa"]
    weights = sorted(float(w.replace(",", ".")) for _, w in rows) + sorted(
        float(w) for _, w in phases)
    assert sorted(o.weight for p in pos for o in p.objectives) == sorted(weights)
    assert all(_w(p) == 100 for p in pos)
    targets = [t for t, _ in rows if t] + [t for t, _ in phases]
    imported = [t for p in pos for o in p.objectives for i in o.indicators
                for t in i.targets.values()]
    for target in targets:
        assert target in imported
        imported.remove(target)
    # merged cells: the newsletter objective takes the two indicators printed before it
    newsletter = next(o for p in pos for o in p.objectives if "Newsletter" in o.title)
    assert [i.targets[2020] for i in newsletter.indicators] == ["> 10", "3"]


def test_001_structure_and_valida(plan):
    assert [a.code for a in plan.structure.areas] == ["AREA I", "AREA II", "AREA III",
                                                       "AREA SEGRETERIA"]
    assert "S.Gestione Risorse Finanziarie e Patrimoni" in find_area(plan, "AREA I").offices
    errors = [p for p in validate_plan(plan) if p.severity == "errore"
              and ("obiettivi_individuali" in (p.where.path or "")
                   or "struttura" in (p.where.path or ""))]
    assert errors == []


@pytest.mark.parametrize("a, b, same", [
    ("Servizio Gestione RR.FF.PP.", "S.Gestione Risorse Finanziarie e Patrimoni", True),
    ("Servizi anagrafico certificativi", "S Anagrafico Certificativo", True),
    ("Servizio di Staff", "S. Staff", True),
    ("Ufficio Legale", "Legale", True),
    ("Servizio Promozione", "S.Regolazione Mercato Tutela Consumatore", False),
    ("Settore Bilancio", "Settore Personale", False),
])
def test_match_office(a, b, same):
    assert match_office(a, b) is same


# --- other bodies' scorecards (hand-written) ----------------------------------------------

HEADED = """\
Obiettivi individuali del Segretario Generale
Peso\tAzione\tIndicatori\tTarget\tPeso
20\tDigitalizzazione dei procedimenti\tPercentuale di pratiche telematiche\t>= 90%\t20
Performance organizzativa di Ente 30%
30\tRisultato della performance organizzativa di ente\t\t>= 80%\t30
Comportamenti organizzativi 50

Scheda obiettivi dirigente Area Finanziaria
Peso\tAzione\tIndicatori\tTarget\tPeso
40\tRiduzione tempi di pagamento\tTempo medio di pagamento delle fatture\t<= 30 gg\t40
30\tObiettivi di area\tGrado di raggiungimento della performance di area\t>= 85%\t30
Comportamenti organizzativi 30
"""


def test_titles_above_tables_and_stated_behaviour():
    result = read_people(text_lines(HEADED), 2025, None, [])
    sg, dirigente = result.people
    assert sg.role == "segretario_generale" and dirigente.role == "dirigente"
    assert [(o.title, o.weight, o.indicators[0].targets) for o in sg.objectives] == [
        ("Digitalizzazione dei procedimenti", 20.0, {2025: ">= 90%"})]
    assert [(c.source, c.weight, c.target) for c in sg.components] == [("ente", 30.0, ">= 80%")]
    assert sg.behaviour_weight == 50 and sg.weights_total() == 100
    assert [(c.source, c.weight, c.target) for c in dirigente.components] == [
        ("area", 30.0, ">= 85%")]
    assert dirigente.objectives[0].indicators[0].targets == {2025: "<= 30 gg"}
    assert dirigente.behaviour_weight == 30
    assert not any("assunto" in p.message for p in result.problems)


def test_a_text_without_scorecards_gives_nothing():
    lines = text_lines("Obiettivo strategico 1\nIndicatore\tTarget 2025\nTempo medio\t<= 30\n")
    result = read_people(lines, 2025, None, [])
    assert result.people == [] and result.problems == []


# --- the same scorecards from other extractions of seed 001 -------------------------------

def _signature(plan):
    return [(p.role, p.structure, sorted(o.weight for o in p.objectives),
             [(c.source, c.weight, c.target) for c in p.components], p.behaviour_weight)
            for p in plan.people]


def _targets(plan):
    return sorted(t for p in plan.people for o in p.objectives for i in o.indicators
                  for t in i.targets.values())


#: Extractions that keep each row on its lines and the blank lines between cells: the same
#: weights and targets. Without blank lines (plain pdftotext, HTML paragraphs, a re-wrap at
#: 60 columns, targets printed first) multi-line target cells can no longer be told from
#: the text around them: the same people, weights and components, some targets missing (each
#: reported). Not covered: a re-wrap at 45 columns (it splits «70 70» and weight rows) and
#: headings moved after the rows (the variant moves «5 Lean Organization …» rows too).
_SAME_TARGETS = ("senza markup", "pdftotext -layout", "markdown |", "windows",
                 "intestazioni di pagina", "intestazione della tabella ripetuta")
_SAME_WEIGHTS = ("pdftotext", "html", "righe a 60", "target prima del nome",
                 "intestazioni di pagina, pdftotext")


@pytest.mark.parametrize("variant", _SAME_TARGETS + _SAME_WEIGHTS)
def test_001_other_extractions_give_the_same_scorecards(variant, text, plan):
    from test_pira import VARIANTS  # the extraction variants of the pira tests

    other = parse_pira(VARIANTS[variant](text)).plan
    assert _signature(other) == _signature(plan)
    if variant in _SAME_TARGETS:
        assert _targets(other) == _targets(plan)


def test_001_codes_unique_and_names_readable(plan):
    for person in plan.people:
        codes = [i.code for o in person.objectives for i in o.indicators]
        assert len(codes) == len(set(codes)), person.code
    names = [p.name for p in plan.people]
    assert names[:4] == ["Segretario Generale", "Dirigente AREA I", "Dirigente AREA II",
                         "Dirigente AREA III"]
    assert "Responsabile PO Servizio staff" in names
    assert all(p.extra["Titolo della scheda"] for p in plan.people)
