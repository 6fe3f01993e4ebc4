"""Every rule of docs/rules.md at and around its boundaries, expected values written by hand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cruscotto_xl.core.model import Band, Policy
from cruscotto_xl.core.rules import grade, valutazione
from cruscotto_xl.core.targets import Kind, Target, parse_target


def g(actual, target_text, policy=None, **kw):
    return grade(actual, parse_target(target_text), policy, **kw)


def value(actual, target_text, policy=None, **kw):
    result = g(actual, target_text, policy, **kw)
    assert result.graded, result
    return result.value


# --- ">=" / ">" -------------------------------------------------------------------------

@pytest.mark.parametrize(("actual", "expected"), [
    (0.70, 1.0),                  # A = T
    (0.71, 1.0),                  # just above
    (0.699, 0.9985714285714286),  # just below: A/T
    (0.63, 0.9),                  # the example: 63 % of 70 %
    (0.35, 0.5),
    (0.0, 0.0),                   # A = 0
    (-0.1, 0.0),                  # A < 0 → 0
    (1.5, 1.0),
])
def test_higher_positive_target(actual, expected):
    assert value(actual, ">= 70,00 %") == pytest.approx(expected, abs=1e-12)


def test_strict_greater_with_positive_target_follows_the_table():
    # docs/rules.md groups ">=" and ">" when T > 0: A ≥ T → 1.
    assert value(5, "> 5 N.") == 1.0
    assert value(4, "> 5 N.") == pytest.approx(0.8)


@pytest.mark.parametrize(("text", "actual", "expected"), [
    (">= 0", 0, 1.0), (">= 0", 0.5, 1.0), (">= 0", -1, 0.0), (">= 0", -0.0001, 0.0),
    ("> 0 N.", 0, 0.0), ("> 0 N.", 1, 1.0), ("> 0 N.", 0.001, 1.0), ("> 0 N.", -1, 0.0),
])
def test_higher_zero_target(text, actual, expected):
    assert value(actual, text) == expected


@pytest.mark.parametrize(("actual", "expected"), [
    (-0.099, 1.0),    # A = T
    (-0.098, 1.0),    # just above
    (0.0, 1.0),       # A = 0 ≥ T
    (0.05, 1.0),
    (-0.198, 0.5),    # A < T → T/A
    (-0.1, 0.99),     # just below
    (-0.99, 0.1),
])
def test_higher_negative_target(actual, expected):
    assert value(actual, ">= -9,90 %") == pytest.approx(expected, abs=1e-12)


# --- "<=" / "<" -------------------------------------------------------------------------

@pytest.mark.parametrize(("actual", "expected"), [
    (10, 1.0),                   # A = T
    (9.99, 1.0),                 # just below
    (10.5, 0.9523809523809523),  # just above: T/A
    (20, 0.5),
    (40, 0.25),
    (0, 1.0),
    (-5, 1.0),                   # A < 0 ≤ T
])
def test_lower_positive_target(actual, expected):
    assert value(actual, "<= 10 gg") == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("actual", "expected"), [
    (10, 1.0), (12, 0.8), (15, 0.5), (19, 0.1), (20, 0.0), (25, 0.0), (5, 1.0),
])
def test_lower_linear_to_red_flag(actual, expected):
    policy = Policy(lower_is_better="lineare")  # red flag R = 2 × T = 20
    assert value(actual, "<= 10 gg", policy) == pytest.approx(expected, abs=1e-12)


def test_lower_linear_with_explicit_red_flag():
    policy = Policy(lower_is_better="lineare")
    assert value(13, "<= 10 gg", policy, red_flag=16) == pytest.approx(0.5)


@pytest.mark.parametrize(("text", "actual", "expected"), [
    ("<= 0 N.", 0, 1.0), ("<= 0 N.", 1, 0.0), ("<= 0 N.", -1, 1.0), ("<= 0 N.", 0.001, 0.0),
    ("0 N.", 0, 1.0), ("0 N.", 2, 0.0),  # bare 0 without polarity means <= 0
    ("< 0", 0, 0.0), ("< 0", -0.5, 1.0), ("< 0", 1, 0.0),
])
def test_lower_zero_target(text, actual, expected):
    assert value(actual, text) == expected


@pytest.mark.parametrize(("actual", "expected"), [
    (-10, 1.0),    # A = T
    (-10.01, 1.0), # just below
    (-12, 1.0),
    (-9.99, 0.999),  # just above: A/T
    (-5, 0.5),     # the example
    (-1, 0.1),
    (0, 0.0),      # A ≥ 0 → 0
    (3, 0.0),
])
def test_lower_negative_target(actual, expected):
    assert value(actual, "<= -10,00 gg") == pytest.approx(expected, abs=1e-12)


# --- "=" --------------------------------------------------------------------------------

@pytest.mark.parametrize(("actual", "expected"), [
    (0.23, 1.0), (0.234, 1.0), (0.226, 1.0),
    (0.235, 1.0), (0.225, 1.0),   # exactly half a unit of the last decimal away
    (0.2351, 0.0), (0.2249, 0.0), (0.24, 0.0), (0.0, 0.0),
])
def test_equal_default_tolerance(actual, expected):
    assert value(actual, "= 0,23 N.") == expected


def test_equal_percent_tolerance_and_explicit_tolerance():
    assert value(0.0505, "= 5,0 %") == 1.0    # tolerance 0,05 points = 0.0005
    assert value(0.0506, "= 5,0 %") == 0.0
    assert value(0.26, "= 0,23 N.", tolerance=0.03) == 1.0


# --- deadlines, milestones --------------------------------------------------------------

@pytest.mark.parametrize(("actual", "expected"), [
    (date(2023, 12, 31), 1.0), (date(2023, 12, 30), 1.0), (date(2023, 3, 16), 1.0),
    (date(2024, 1, 1), 0.0), (date(2024, 1, 15), 0.0),
])
def test_deadline(actual, expected):
    assert value(actual, "Entro 31-12-2023") == expected


@pytest.mark.parametrize(("actual", "expected"), [
    (date(2023, 12, 31), 1.0), (date(2024, 1, 15), 0.5), (date(2024, 1, 24), 0.2),
    (date(2024, 1, 30), 0.0), (date(2024, 3, 1), 0.0),
])
def test_deadline_linear_decay(actual, expected):
    policy = Policy(deadline_decay_days=30)
    assert value(actual, "Entro 31-12-2023", policy) == pytest.approx(expected, abs=1e-12)


def test_deadline_accepts_excel_serial():
    assert value(45291, "Entro 31-12-2023") == 1.0   # 45291 = 31/12/2023
    assert value(45292, "Entro 31-12-2023") == 0.0


@pytest.mark.parametrize(("actual", "expected"), [
    ("Sì", 1.0), ("si", 1.0), ("SI", 1.0), (True, 1.0), ("No", 0.0), ("NO", 0.0), (False, 0.0),
])
def test_milestone(actual, expected):
    assert value(actual, "Sì") == expected


def test_milestone_rejects_other_values():
    assert g("forse", "Sì").reason == "valore non valido"
    assert g(1.0, "Realizzazione").reason == "valore non valido"


# --- relative ---------------------------------------------------------------------------

def test_relative_to_previous_year():
    assert value(8, "x < x-1", reference=10) == 1.0
    assert value(20, "x < x-1", reference=10) == 0.5
    assert value(12, ">= anno precedente", reference=10) == 1.0
    assert value(5, ">= anno precedente", reference=10) == 0.5
    assert g(5, "x < x-1").reason == "riferimento mancante"


def test_relative_gap_from_benchmark():
    text = "scostamento max 0,02 da media cluster"
    assert value(0.51, text, reference=0.5) == 1.0
    assert value(0.48, text, reference=0.5) == 1.0
    assert value(0.53, text, reference=0.5) == 0.0
    assert g(0.5, text).reason == "riferimento mancante"


@pytest.mark.parametrize(("text", "reference", "actual", "expected"), [
    # T = R × (1 + p): 100 × 1,05 = 105
    ("incremento del 5% rispetto all'anno precedente", 100, 105, 1.0),
    ("incremento del 5% rispetto all'anno precedente", 100, 84, 0.8),
    ("incremento del 5% rispetto all'anno precedente", 0, 0, 1.0),    # T = 0: holds
    ("incremento del 5% rispetto all'anno precedente", 0, -1, 0.0),
    # T = R × (1 − p) = 45, lower is better: T/A
    ("riduzione del 10% rispetto al 2022", 50, 45, 1.0),
    ("riduzione del 10% rispetto al 2022", 50, 60, 0.75),
    # T = R + 10 = 30
    ("+10 rispetto alla baseline", 20, 24, 0.8),
    # T = R + 2 percentage points = 0,52
    (">= baseline + 2 punti percentuali", 0.5, 0.39, 0.75),
    # T = R − 2 gg = 10
    ("<= valore 2023 - 2 gg", 12, 12.5, 0.8),
    # R − 0,3 cancels out as a spreadsheet computes it: T = 0 exactly, so A = 0 holds
    ("<= anno precedente - 0,3", 0.30000000000000004, 0.0, 1.0),
    # no change: T = R
    ("x < x-3", 10, 8, 1.0), ("> media cluster", 2, 1, 0.5),
])
def test_relative_with_a_change(text, reference, actual, expected):
    assert value(actual, text, reference=reference) == pytest.approx(expected, abs=1e-12)


def test_relative_equal_without_gap_is_exact():
    assert value(7.5, "= valore 2023", reference=7.5) == 1.0
    assert value(7.5001, "= valore 2023", reference=7.5) == 0.0


# --- deadlines from an event ------------------------------------------------------------

@pytest.mark.parametrize(("text", "event", "done", "expected"), [
    ("entro 30 gg dalla richiesta", date(2024, 1, 15), date(2024, 2, 14), 1.0),
    ("entro 30 gg dalla richiesta", date(2024, 1, 15), date(2024, 2, 15), 0.0),
    ("entro 30 gg dalla richiesta", date(2024, 1, 15), date(2023, 12, 1), 1.0),
    # months as Excel's EDATE: the same day, or the month's last day
    ("entro 1 mese dalla richiesta", date(2024, 1, 31), date(2024, 2, 29), 1.0),
    ("entro 1 mese dalla richiesta", date(2024, 1, 31), date(2024, 3, 1), 0.0),
    ("entro 1 mese dalla richiesta", date(2023, 1, 31), date(2023, 2, 28), 1.0),
    ("entro 1 mese dalla richiesta", date(2023, 1, 31), date(2023, 3, 1), 0.0),
    ("entro 1 mese dalla richiesta", date(2024, 3, 31), date(2024, 4, 30), 1.0),
    ("entro 6 mesi dallo svolgimento della prova", date(2024, 8, 31), date(2025, 2, 28), 1.0),
    ("entro 6 mesi dallo svolgimento della prova", date(2024, 8, 31), date(2025, 3, 1), 0.0),
    # strict: «< 2 mesi» is by the day before 31/12 + 2 months = 28/02
    ("< 2 mesi da approvazione decreto", date(2024, 12, 31), date(2025, 2, 27), 1.0),
    ("< 2 mesi da approvazione decreto", date(2024, 12, 31), date(2025, 2, 28), 0.0),
    ("entro 2 settimane dalla richiesta", date(2024, 5, 1), date(2024, 5, 15), 1.0),
    ("entro 2 settimane dalla richiesta", date(2024, 5, 1), date(2024, 5, 16), 0.0),
    ("almeno 15 giorni prima della seduta", date(2024, 6, 30), date(2024, 6, 15), 1.0),
    ("almeno 15 giorni prima della seduta", date(2024, 6, 30), date(2024, 6, 16), 0.0),
])
def test_deadline_from_an_event(text, event, done, expected):
    assert value(done, text, event=event) == expected


def test_deadline_from_an_event_needs_the_event_date():
    text = "entro 30 gg dalla richiesta"
    assert g(date(2024, 2, 1), text).reason == "data evento mancante"
    assert g(date(2024, 2, 1), text, event="ieri").reason == "data evento mancante"
    assert g(None, text, event=date(2024, 1, 1)).reason == "dato mancante"
    assert g("presto", text, event=date(2024, 1, 1)).reason == "valore non valido"
    late = date(2024, 2, 24)        # 10 days after 14/02, with 30 days of decay
    assert value(late, text, Policy(deadline_decay_days=30), event=date(2024, 1, 15)) == \
        pytest.approx(1 - 10 / 30)


def test_edate_twin_at_month_ends():
    from cruscotto_xl.core.vocabulary import edate
    assert edate(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert edate(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert edate(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert edate(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert edate(date(2024, 5, 15), -17) == date(2022, 12, 15)
    assert edate(date(2024, 2, 29), 12) == date(2025, 2, 28)


# --- monitoring, missing, invalid, soglia, status ---------------------------------------

def test_monitoring_is_not_graded():
    for text in ("Monitoraggio", "Anno di rilevazione", "n.d.", ""):
        result = g(5, text)
        assert not result.graded and result.reason == "solo monitoraggio"


def test_missing_actual():
    for text in (">= 70,00 %", "<= 10 gg", "Entro 31-12-2023", "Sì", "x < x-1"):
        assert g(None, text).reason == "dato mancante"
        assert value(None, text, Policy(missing="zero")) == 0.0


def test_text_actual_in_number_rule_is_invalid():
    assert g("tanti", ">= 3 N.").reason == "valore non valido"
    assert g(date(2024, 1, 1), ">= 3 N.").reason == "valore non valido"


@pytest.mark.parametrize(("actual", "expected"), [(40, 0.0), (49.9, 0.0), (50, 0.5), (60, 0.6),
                                                  (100, 1.0)])
def test_threshold(actual, expected):
    assert value(actual, ">= 100 N.", threshold=0.5) == pytest.approx(expected)


def test_neutralized_and_forced():
    assert g(10, ">= 5", status="neutralizzato").reason == "neutralizzato"
    assert value(1, ">= 5", status="forzato", forced=0.8) == 0.8
    assert value(None, ">= 5", status="forzato", forced=1.0) == 1.0
    assert g(1, ">= 5", status="forzato").reason == "grado forzato mancante"


# --- valutazione ------------------------------------------------------------------------

@pytest.mark.parametrize(("actual", "expected"), [
    (100, "Raggiunto"), (99.99, "Parzialmente raggiunto"), (60, "Parzialmente raggiunto"),
    (59.99, "Non raggiunto"), (0, "Non raggiunto"),
])
def test_valutazione_bands(actual, expected):
    assert valutazione(g(actual, ">= 100 N.")) == expected


def test_valutazione_not_graded_and_custom_bands():
    assert valutazione(g(None, ">= 1")) == "Non valutabile (dato mancante)"
    assert valutazione(g(1, ">= 1", status="neutralizzato")) == "Neutralizzato"
    bands = Policy(bands=[Band(threshold=0, label="Basso"),
                          Band(threshold=0.9, label="Alto")]).bands
    assert valutazione(g(95, ">= 100"), bands) == "Alto"
    assert valutazione(g(80, ">= 100"), bands) == "Basso"


# --- properties -------------------------------------------------------------------------

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
comparison_ops = st.sampled_from([">=", ">", "<=", "<", "="])


@st.composite
def comparison_targets(draw):
    op = draw(comparison_ops)
    t = draw(st.one_of(st.just(0.0), finite))
    return Target(Kind.COMPARISON, op=op, value=t, decimals=draw(st.integers(0, 4)))


policies = st.sampled_from([Policy(), Policy(lower_is_better="lineare"),
                            Policy(missing="zero")])


@given(comparison_targets(), finite, policies, st.one_of(st.none(),
                                                         st.floats(0, 1, allow_nan=False)))
def test_grade_is_between_zero_and_one(target, actual, policy, threshold):
    result = grade(actual, target, policy, threshold=threshold)
    assert result.value is not None
    assert 0.0 <= result.value <= 1.0


@given(comparison_targets(), finite, finite, policies)
def test_monotonic_in_the_actual(target, a1, a2, policy):
    lo, hi = min(a1, a2), max(a1, a2)
    g_lo = grade(lo, target, policy).value
    g_hi = grade(hi, target, policy).value
    if target.op in (">=", ">"):
        assert g_lo <= g_hi
    elif target.op in ("<=", "<"):
        assert g_lo >= g_hi


@given(comparison_targets(), policies)
def test_actual_equal_to_target_gives_one(target, policy):
    assume(not (target.strict and target.value == 0))  # "> 0" with A = 0 is 0 by the table
    assert grade(target.value, target, policy).value == 1.0
