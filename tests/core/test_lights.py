"""core/lights: a light per band (first green, last red, yellow between), grey ungraded."""

from __future__ import annotations

from cruscotto_xl.core.lights import (
    NOT_GRADED_TEXT,
    legend,
    light_formulas,
    light_thresholds,
    traffic_light,
)
from cruscotto_xl.core.model import Band, Policy
from cruscotto_xl.core.rules import Grade


def _bands(*pairs: tuple[float, str]) -> list[Band]:
    return Policy(fasce=[{"da": t, "etichetta": label} for t, label in pairs]).bands


def test_default_bands_green_yellow_red():
    bands = Policy().bands
    assert light_thresholds(bands) == [("verde", 1.0), ("giallo", 0.6), ("rosso", 0.0)]
    assert [traffic_light(Grade(v), bands) for v in (1.0, 0.99, 0.6, 0.5999, 0.0)] == [
        "verde", "giallo", "giallo", "rosso", "rosso"]
    assert traffic_light(Grade(None, "dato mancante"), bands) == "grigio"
    assert [str(e) for e in legend(bands)] == [
        "grado ≥ 100,00 %: Raggiunto", "grado ≥ 60,00 %: Parzialmente raggiunto",
        "grado inferiore: Non raggiunto",
        "non valutabile (dato mancante, solo monitoraggio, neutralizzato)"]


def test_two_bands_have_no_yellow():
    bands = _bands((1, "Raggiunto"), (0, "Non raggiunto"))
    assert light_thresholds(bands) == [("verde", 1.0), ("rosso", 0.0)]
    assert light_formulas(bands, "B2") == [
        ("verde", "=AND(ISNUMBER(B2),B2>=1.0)"), ("rosso", "=ISNUMBER(B2)"),
        ("grigio", '=AND(NOT(ISNUMBER(B2)),B2<>"")')]
    assert [e.light for e in legend(bands)] == ["verde", "rosso", "grigio"]


def test_middle_bands_share_yellow_and_a_single_band_is_green():
    bands = _bands((1, "A"), (0.8, "B"), (0.5, "C"), (0, "D"))
    assert light_thresholds(bands) == [("verde", 1.0), ("giallo", 0.5), ("rosso", 0.0)]
    assert traffic_light(Grade(0.7), bands) == "giallo"
    assert traffic_light(Grade(0.4), bands) == "rosso"
    one = _bands((0, "Valutato"))
    assert traffic_light(Grade(0.2), one) == "verde"
    assert [str(e) for e in legend(one)] == ["grado ≥ 0,00 %: Valutato", NOT_GRADED_TEXT]
