"""Importers: the Integra seed export comes out whole, what does not fit is reported, and
the committed examples equal a fresh import (the PIRA importer: tests/test_pira.py)."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from support import DATA, ROOT

from cruscotto_xl.core.model import Plan, points
from cruscotto_xl.core.plan_checks import validate_plan
from cruscotto_xl.core.problems import has_errors
from cruscotto_xl.core.targets import Kind, Polarity, parse_target
from cruscotto_xl.core.tree import known_offices
from cruscotto_xl.importers import (
    ImportFailed,
    import_integra,
    parse_integra,
)
from cruscotto_xl.io.planfile import load_plan

INTEGRA = DATA / "002_6a0ac35764cec512.txt"


@pytest.fixture(scope="module")
def integra():
    return import_integra(INTEGRA)


def _first_cells(path: Path) -> list[str]:
    """The first filled cell of every line (independent of the importer)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        if cells:
            out.append(cells[0])
    return out


def _objectives(plan: Plan):
    return [os_ for area in plan.areas for os_ in area.objectives]


# --- Integra (002) ----------------------------------------------------------------------

def test_integra_counts_match_the_file(integra):
    first = _first_cells(INTEGRA)
    n_os = sum(bool(re.fullmatch(r"\d{2} - .+", c)) for c in first)
    n_oo = sum(bool(re.fullmatch(r"\d{2}\.\d{2} - .+", c)) for c in first)
    n_ind = sum(bool(re.fullmatch(r"\d{1,3},\d{2}%", c)) for c in first)
    assert (n_os, n_oo, n_ind) == (14, 83, 101)

    plan = integra.plan
    objectives = _objectives(plan)
    assert len(objectives) == n_os
    assert sum(len(os_.operational) for os_ in objectives) == n_oo
    assert len(list(plan.indicators())) == n_ind
    assert [os_.code for os_ in objectives] == [f"{n:02d}" for n in range(1, 15)]


def test_integra_plan_header_and_tree(integra):
    plan = integra.plan
    assert plan.entity == "Camera di Commercio della Maremma e del Tirreno"
    assert plan.year == 2023
    assert plan.target_years == [2023]
    assert [(a.code, a.title, a.bsc) for a in plan.areas] == [
        ("011", "Utenti, imprese e territorio", "Utenti-imprese-territorio"),
        ("032", "Processi interni", "Processi interni"),
        ("012", "Apprendimento, crescita e innovazione", None),
        ("016", "Economico - Finanziaria", "Economico-finanziaria"),
    ]
    # Weights of objectives and ambiti are not in the export: equal weights.
    assert all(a.weight is None for a in plan.areas)
    for os_ in _objectives(plan):
        assert os_.weight is None
        assert all(oo.weight is None for oo in os_.operational)
        assert all(oo.code.startswith(os_.code + ".") for oo in os_.operational)
    # The only thing the importer had to say: ambito 012 has no BSC row of its own.
    assert [(p.location, p.severity, p.subject) for p in integra.problems] == [
        ("riga 199", "avviso", "012")]


def test_integra_indicator_weights_sum_to_100_per_oo(integra):
    for os_ in _objectives(integra.plan):
        for oo in os_.operational:
            assert oo.indicators, oo.code
            total = sum((points(i.weight) for i in oo.indicators), Decimal(0))
            assert abs(total - 100) <= Decimal("0.05"), (oo.code, total)


def test_integra_indicator_codes_numbered_per_oo(integra):
    for slot in integra.plan.indicators():
        assert slot.oo is not None
        n = slot.oo.indicators.index(slot.indicator) + 1
        assert slot.indicator.code == f"{slot.oo.code}_{n:02d}"
    codes = Counter(slot.oo.code for slot in integra.plan.indicators())
    assert codes["07.01"] == 5 and codes["09.14"] == 6 and codes["09.19"] == 3


def _indicator(plan: Plan, code: str):
    return next(s.indicator for s in plan.indicators() if s.indicator.code == code)


def test_integra_ratio_indicator(integra):
    ind = _indicator(integra.plan, "01.01_01")
    assert ind.name == "n atti depositati in modalità telematica/n° atti depositati (arbitrato)"
    assert ind.algorithm == "n atti depositati in modalità telematica / n° atti depositati"
    assert ind.numerator == "n atti depositati in modalità telematica"
    assert ind.denominator == "n° atti depositati"
    assert ind.weight == 100.0
    assert ind.unit == "%"
    assert ind.polarity is Polarity.INCREASING
    assert ind.targets == {2023: ">= 70,00 %"}
    actual = ind.actual_for(2023)
    assert actual is not None
    assert actual.numerator == 46 and actual.denominator == 47
    assert actual.value == pytest.approx(0.9787)
    assert actual.published_grade == 1.0


def test_integra_thousands_in_measures(integra):
    actual = _indicator(integra.plan, "10.11_01").actual_for(2023)
    assert (actual.numerator, actual.denominator) == (112, 11879)
    assert actual.value == pytest.approx(0.0094)


def test_integra_zero_actual_with_published_grade(integra):
    oo = next(oo for os_ in _objectives(integra.plan) for oo in os_.operational
              if oo.code == "13.02")
    assert len(oo.indicators) == 1
    actual = oo.indicators[0].actual_for(2023)
    assert actual.value == 0.0
    assert actual.published_grade == 1.0


def test_integra_deadline_and_single_value_indicators(integra):
    deadline = _indicator(integra.plan, "02.02_01")
    assert deadline.targets == {2023: "Entro 31-03-2023"}
    assert deadline.unit is None and deadline.polarity is None
    assert deadline.numerator is None and deadline.denominator is None
    assert deadline.actual_for(2023).value == date(2023, 3, 16)

    count = _indicator(integra.plan, "02.04_01")
    assert count.unit == "N." and count.actual_for(2023).value == 25.0
    assert count.actual_for(2023).numerator is None

    days = _indicator(integra.plan, "09.14_04")
    assert days.weight == 7.9 and days.unit == "gg"
    assert days.polarity is Polarity.DECREASING

    # "(n. interventi / n. richieste)" described in the algorithm, but one value reported.
    described = _indicator(integra.plan, "10.06_01")
    assert described.numerator is None and described.denominator is None


# --- both ----------------------------------------------------------------------------------

def test_every_target_parses_and_plan_validates(integra):
    result = integra
    n = 0
    for slot in result.plan.indicators():
        for text in slot.indicator.targets.values():
            target = parse_target(text, slot.indicator.polarity)
            assert target.kind is not Kind.MONITORING, (slot.indicator.code, text)
            n += 1
    assert n > 0
    assert not has_errors(validate_plan(result.plan))


# --- the committed examples -----------------------------------------------------------------

def _build_examples_module():
    spec = importlib.util.spec_from_file_location("build_examples",
                                                  ROOT / "scripts" / "build_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_examples_equal_a_fresh_import(tmp_path):
    module = _build_examples_module()
    assert module.build(tmp_path, echo=lambda *_: None)
    for name in ("piano-strategico-2024.yaml", "piano-operativo-2023.yaml"):
        committed = ROOT / "examples" / name
        fresh = tmp_path / name
        assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
            f"{committed} is stale: run python scripts/build_examples.py")
        plan = load_plan(committed)
        assert not has_errors(validate_plan(plan))
        offices = {o.name for o in plan.offices}
        assert 5 <= len(offices) <= 8
        assert all(o.email for o in plan.offices)
        assert set(known_offices(plan)) == offices
        assert all(os_.offices for os_ in _objectives(plan))
        assert any(len(s.indicator.offices) == 2 for s in plan.indicators())


# --- what does not fit is reported, with its line -----------------------------------------

SYNTHETIC_INTEGRA = """\
Obiettivi operativi con indicatori - Maremma e Tirreno dicembre 2023

GRUPPO\tAMBITO STRATEGICO\tOBBIETTIVO STRATEGICO\tOBBIETTIVO OPERATIVO\tPESO
Maremma e Tirreno\t\t\t
BSC1 - Utenti-imprese-territorio\t\t
011 - Utenti, imprese e territorio\t\t
01 - Semplificazione\t\t
01.01 - Primo operativo\t\t\t100,00%\t
100,00%\t\tIndicatore uno\tA / B\t\t3 N. / 4 N.\t75,00 %\t>= 70,00 %\t100,00%\t\t
Questa riga non appartiene a niente\tné questa cella
01.02 - Secondo operativo\t\t100,00%
100,00%\tIndicatore due\tAlgoritmo due\t5 gg\t5 gg\tpiù o meno 5\t100,00%
"""


def test_integra_line_that_fits_nowhere_is_reported(tmp_path):
    source = tmp_path / "integra.txt"
    source.write_text(SYNTHETIC_INTEGRA, encoding="utf-8")
    result = import_integra(source)
    errors = [(p.location, p.subject) for p in result.errors]
    assert ("riga 10", "") in errors
    assert any("Questa riga non appartiene" in p.message for p in result.errors)
    # A target that does not parse is an error on its line, and is kept as written.
    assert ("riga 12", "01.02_01") in errors
    assert _indicator(result.plan, "01.02_01").targets == {2023: "più o meno 5"}
    # The rest is imported.
    one = _indicator(result.plan, "01.01_01")
    assert (one.numerator, one.denominator) == ("A", "B")
    assert one.actual_for(2023).numerator == 3
    assert len(list(result.plan.indicators())) == 2


def test_integra_indicator_outside_an_objective_is_reported():
    lines = ["Obiettivi operativi con indicatori - Ente 2023", "Ente", "011 - Ambito",
             "100,00%\tNome\tAlg\t1 N.\t1 N.\t>= 1 N.\t100,00%"]
    result = parse_integra(lines)
    assert [p.location for p in result.errors] == ["riga 4"]
    assert result.plan.entity == "Camera di Commercio Ente"


def test_missing_file_is_an_import_failure(tmp_path):
    with pytest.raises(ImportFailed, match="file non trovato"):
        import_integra(tmp_path / "nessuno.txt")


def test_integra_oo_grade_is_checked_against_its_indicators():
    lines = ["Obiettivi operativi con indicatori - Ente 2023", "Ente", "BSC1 - Utenti",
             "011 - Ambito", "01 - Obiettivo", "01.01 - Operativo\t80,00%",
             "50,00%\tUno\tAlg\t1 N.\t1 N.\t>= 1 N.\t100,00%",
             "50,00%\tDue\tAlg\t1 N.\t1 N.\t>= 2 N.\t50,00%"]
    result = parse_integra(lines)
    assert [(p.location, p.severity, p.subject) for p in result.problems] == [
        ("riga 6", "avviso", "01.01")]
    assert "75,00 %" in result.problems[0].message


def test_weight_out_of_range_is_reported_not_a_crash():
    lines = ["Obiettivi operativi con indicatori - Ente 2023", "Ente", "BSC1 - Utenti",
             "011 - Ambito", "01 - Obiettivo", "01.01 - Operativo",
             "150,00%\tUno\tAlg\t1 N.\t1 N.\t>= 1 N.\t100,00%"]
    result = parse_integra(lines)
    assert [(p.location, p.subject) for p in result.errors] == [("riga 7", "01.01_01")]
    assert _indicator(result.plan, "01.01_01").weight is None


def test_polarity_from_operators_in_words():
    from cruscotto_xl.core.targets import Polarity, parse_target
    from cruscotto_xl.importers.common import polarity_of

    cases = {"almeno l'80%": Polarity.INCREASING, "non oltre 10 giorni": Polarity.DECREASING,
             "max 30 gg": Polarity.DECREASING, ">= 5": Polarity.INCREASING,
             "<= 3 gg": Polarity.DECREASING, "15": None, "Entro 31/12/2024": None}
    for text, expected in cases.items():
        assert polarity_of(text, parse_target(text)) is expected, text
