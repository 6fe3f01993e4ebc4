"""Traffic lights: grade → band (valutazione) → colour, in one place.

The policy's bands (``fasce``, highest first, the last from 0) give a grade its
valutazione (:func:`~cruscotto_xl.core.rules.valutazione`); each band has a light: the
first is green, the last red, every band in between yellow. A grade that is not a number
(not graded, neutralized) is grey. With the default bands that is green at 100 %, yellow
from 60 %, red below; with two bands (``Raggiunto`` from 100 %, ``Non raggiunto`` from 0)
there is no yellow at all.

Used by the workbooks' conditional formats (:func:`light_formulas`, the formula twin of
:func:`traffic_light`), by the legends of the Istruzioni sheet and of the report
(:func:`legend`), and by the report's dots and bars (:func:`traffic_light`). The lights are
named as the colours of ``workbook_templates/stile.yaml`` (``verde`` and ``verde_testo``…).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .model import Band
from .rules import Grade, band_index
from .vocabulary import format_percent

Light = Literal["verde", "giallo", "rosso", "grigio"]
GREEN: Light = "verde"
YELLOW: Light = "giallo"
RED: Light = "rosso"
GREY: Light = "grigio"
LIGHTS: tuple[Light, ...] = (GREEN, YELLOW, RED, GREY)

NOT_GRADED_TEXT = "non valutabile (dato mancante, solo monitoraggio, neutralizzato)"


def band_light(index: int, count: int) -> Light:
    """The light of the ``index``-th of ``count`` bands: first green, last red, else yellow."""
    if index == 0:
        return GREEN
    return RED if index == count - 1 else YELLOW


def traffic_light(grade: Grade, bands: Sequence[Band]) -> Light:
    """The colour of a grade: its band's light, grey when it is not a number."""
    if grade.value is None:
        return GREY
    return band_light(band_index(grade.value, bands), len(bands))


def light_thresholds(bands: Sequence[Band]) -> list[tuple[Light, float]]:
    """Each coloured light with the lowest grade that gets it, green first (the order a
    spreadsheet tests its conditional formats, stopping at the first that holds)."""
    out: list[tuple[Light, float]] = []
    for i, band in enumerate(bands):
        light = band_light(i, len(bands))
        if out and out[-1][0] == light:
            out[-1] = (light, band.threshold)
        else:
            out.append((light, band.threshold))
    return out


def light_formulas(bands: Sequence[Band], cell: str) -> list[tuple[Light, str]]:
    """:func:`traffic_light` as conditional-format formulas over ``cell`` (relative to the
    top-left cell of the range), in the order they are tested: the last coloured light
    takes every remaining number, grey any other non-empty value."""
    lights = light_thresholds(bands)
    rules = [(light, f"=AND(ISNUMBER({cell}),{cell}>={threshold!r})")
             for light, threshold in lights[:-1]]
    rules.append((lights[-1][0], f"=ISNUMBER({cell})"))
    rules.append((GREY, f'=AND(NOT(ISNUMBER({cell})),{cell}<>"")'))
    return rules


@dataclass(frozen=True)
class LegendEntry:
    light: Light
    condition: str            # «grado ≥ 60,00 %», «grado inferiore», or why not graded
    label: str | None = None  # the band's valutazione (None for grey)

    def __str__(self) -> str:
        return f"{self.condition}: {self.label}" if self.label else self.condition


def legend(bands: Sequence[Band]) -> list[LegendEntry]:
    """One line per band with its light, then grey: what every legend shows."""
    entries = []
    for i, band in enumerate(bands):
        last = i == len(bands) - 1 and i > 0
        condition = "grado inferiore" if last else f"grado ≥ {format_percent(band.threshold)}"
        entries.append(LegendEntry(band_light(i, len(bands)), condition, band.label))
    entries.append(LegendEntry(GREY, NOT_GRADED_TEXT))
    return entries


__all__ = [
    "GREEN", "GREY", "LIGHTS", "RED", "YELLOW", "LegendEntry", "Light", "band_light",
    "legend", "light_formulas", "light_thresholds", "traffic_light",
]
