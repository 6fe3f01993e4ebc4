"""The plan model (docs/domain.md), as pydantic v2 models.

Attributes are English; the keys of a plan file are the Italian words a controller
uses (``peso``, ``obiettivi``, ``indicatori``), declared as aliases, so a plan file reads
like the plan and a validation error points at ``ambiti[0].obiettivi[3].indicatori[2].peso``.
Target texts are kept as written; :meth:`Indicator.target_for` parses them on demand, so
a bad target is a validation problem reported with all the others, not a load failure.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .targets import Kind, Polarity, Target, parse_target
from .vocabulary import (
    LARGEST_NUMBER,
    NumberError,
    format_number,
    normalize_text,
    parse_actual,
    parse_decimal_it,
    parse_number,
)

SCHEMA_VERSION = 1
FINAL_PERIOD = "31/12"


def _percent_points(value: Any) -> Any:
    """Weights are percent points: ``14,28%``, ``"14,28"`` and 14.28 all mean 14.28."""
    if isinstance(value, str):
        text = normalize_text(value).rstrip("%").strip()
        try:
            return float(parse_decimal_it(text))
        except NumberError as exc:
            raise ValueError(str(exc)) from exc
    return value


def _fraction(value: Any) -> Any:
    """Ratios (soglia, grado forzato) are fractions: ``60 %`` → 0.6; numbers pass through."""
    if isinstance(value, str):
        try:
            return parse_number(value)
        except NumberError as exc:
            raise ValueError(str(exc)) from exc
    return value


def _actual_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_actual(value)
        except NumberError as exc:
            raise ValueError(str(exc)) from exc
    return value


def _target_text(value: Any) -> Any:
    """YAML reads ``0`` as a number and ``100%`` as text: targets are always kept as text."""
    return "" if value is None else str(value)


Points = Annotated[float, BeforeValidator(_percent_points)]
Fraction = Annotated[float, BeforeValidator(_fraction)]
ActualValue = Annotated[bool | float | date | None, BeforeValidator(_actual_value)]
TargetText = Annotated[str, BeforeValidator(_target_text)]


class _Model(BaseModel):
    """Every model of a plan file: no NaN or ∞ anywhere (``allow_inf_nan``), and no number
    of 15 digits or more (:data:`~cruscotto_xl.core.vocabulary.LARGEST_NUMBER`): such a
    number passed ``valida`` and then broke the workbook writer (docs/security.md)."""

    model_config = ConfigDict(
        populate_by_name=True, extra="forbid", str_strip_whitespace=True,
        validate_assignment=True, allow_inf_nan=False,
    )

    @field_validator("*")
    @classmethod
    def _numbers_excel_can_hold(cls, value: Any) -> Any:
        for number in _floats(value):
            if abs(number) >= LARGEST_NUMBER:
                raise ValueError(f"numero di 15 cifre o più ({format_number(number)}): "
                                 "Excel ne conserva al massimo 15")
        return value


def _floats(value: Any) -> Iterator[float]:
    """The floats of a field's value, in its dictionaries and lists too (``riferimenti``)."""
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _floats(item)


class Band(_Model):
    """A valutazione band: grades at or above ``threshold`` get ``label``."""

    threshold: Fraction = Field(alias="da", ge=0, le=1)
    label: str = Field(alias="etichetta", min_length=1)


DEFAULT_BANDS = (
    Band(threshold=1.0, label="Raggiunto"),
    Band(threshold=0.6, label="Parzialmente raggiunto"),
    Band(threshold=0.0, label="Non raggiunto"),
)


class Policy(_Model):
    """Grading policy (the body's SMVP). Every option of docs/rules.md is here."""

    missing: Literal["non_valutabile", "zero"] = Field("non_valutabile", alias="dato_mancante")
    lower_is_better: Literal["rapporto", "lineare"] = Field("rapporto", alias="minore_migliore")
    red_flag_factor: float = Field(2.0, alias="fattore_soglia_rossa", gt=1)
    deadline_decay_days: int | None = Field(None, alias="giorni_decadimento_scadenza", gt=0)
    os_mix: Literal["automatico", "indicatori", "operativi", "misto"] = Field(
        "automatico", alias="composizione_os"
    )
    os_indicator_share: Points = Field(50.0, alias="quota_indicatori_os", ge=0, le=100)
    bands: list[Band] = Field(default_factory=lambda: list(DEFAULT_BANDS), alias="fasce")
    weight_tolerance: float = Field(0.05, alias="tolleranza_pesi", ge=0)

    @field_validator("bands")
    @classmethod
    def _bands_sorted(cls, bands: list[Band]) -> list[Band]:
        if not bands:
            raise ValueError("serve almeno una fascia di valutazione")
        ordered = sorted(bands, key=lambda b: b.threshold, reverse=True)
        if ordered[-1].threshold != 0:
            raise ValueError("l'ultima fascia deve partire da 0 (es. «Non raggiunto» da 0)")
        return ordered


class Status(_Model):
    """Neutralized (excluded, weights renormalized) or forced (grade set by hand) for a year."""

    year: int = Field(alias="anno")
    kind: Literal["neutralizzato", "forzato"] = Field(alias="tipo")
    note: str = Field(alias="nota", min_length=1)
    reference: str | None = Field(None, alias="riferimento")
    grade: Fraction | None = Field(None, alias="grado", ge=0, le=1)


class Actual(_Model):
    """What an office reported for a year and period (*consuntivo*).

    Texts are kept exactly as typed: ``"Sì "`` is not ``"Sì"`` for the workbook's formula.
    """

    model_config = ConfigDict(**{**_Model.model_config, "str_strip_whitespace": False})

    year: int = Field(alias="anno")
    period: str = Field(FINAL_PERIOD, alias="periodo")
    value: ActualValue = Field(None, alias="valore")
    numerator: float | None = Field(None, alias="numeratore")
    denominator: float | None = Field(None, alias="denominatore")
    event_date: date | None = Field(None, alias="data_evento")
    """The date of the event a term runs from (``entro 30 gg dalla richiesta``)."""
    note: str | None = Field(None, alias="nota")
    published_grade: Fraction | None = Field(None, alias="grado_pubblicato")
    text: str | None = Field(None, alias="testo")
    """What an office typed in the value cell when it is not a value (graded as invalid,
    exactly as the workbook's formula sees it)."""
    office: str | None = Field(None, alias="ufficio")
    """The office that reported this value, for a transversal indicator (docs/transversal.md):
    each office keeps its own actual; the one without an office is the ente's."""

    @property
    def typed(self) -> bool | float | date | str | None:
        """The value as typed: the raw text when there is one, else the value."""
        return self.text if self.text is not None else self.value


Extra = dict[str, str]
"""Columns of an imported plan that the model has no field for, kept by their header
(``Risorse interventi economici``): shown in docs/tabella.md, written back by the export."""


class Baseline(_Model):
    """The value an indicator starts from (``baseline``), with the year it was measured."""

    value: float = Field(alias="valore")
    year: int | None = Field(None, alias="anno")


class Change(_Model):
    """A change-log entry of the *rolling annuale* (Inserito / Aggiornato / Eliminato)."""

    year: int = Field(alias="anno")
    action: Literal["Inserito", "Aggiornato", "Eliminato"] = Field(alias="azione")
    deliberation: str | None = Field(None, alias="delibera")
    when: date | None = Field(None, alias="data")
    note: str | None = Field(None, alias="nota")


TRANSVERSAL_RULES = ("media", "somma", "minimo", "massimo", "media_pesata")
"""How the ente value of a transversal indicator comes from its offices' values."""

ALL_OFFICES = "tutti"
"""``uffici: tutti`` — the indicator is reported by every office of the plan."""


def _office_list(value: Any) -> Any:
    """``uffici: tutti`` (one word, any case) is the list ``["tutti"]``: every office."""
    if isinstance(value, str) and normalize_text(value).casefold() == ALL_OFFICES:
        return [ALL_OFFICES]
    return value


class Transversal(_Model):
    """An indicator reported by several offices, each with its own value (docs/transversal.md).

    ``regola`` makes the ente value from the offices' values; ``media_pesata`` weighs each
    office by its fixed ``pesi`` (office → weight) or, without them, by its denominator
    (Σ numeratori / Σ denominatori).
    """

    rule: str = Field(alias="regola")
    weights: dict[str, Points] = Field(default_factory=dict, alias="pesi")

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        rule = re.sub(r"[\s_]+", "_", normalize_text(value).casefold())
        if rule not in TRANSVERSAL_RULES:
            raise ValueError(f"regola «{value}» sconosciuta per un indicatore trasversale: "
                             f"usare {', '.join(TRANSVERSAL_RULES[:-1])} o "
                             f"{TRANSVERSAL_RULES[-1]}")
        return rule

    @field_validator("weights")
    @classmethod
    def _weights_not_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for office, weight in value.items():
            if weight < 0:
                raise ValueError(f"peso negativo ({weight:g}) per l'ufficio «{office}»")
        return value


class Indicator(_Model):
    code: str = Field(alias="codice", min_length=1)
    name: str = Field(alias="nome", min_length=1)
    description: str | None = Field(None, alias="descrizione")
    algorithm: str | None = Field(None, alias="algoritmo")
    numerator: str | None = Field(None, alias="numeratore")
    denominator: str | None = Field(None, alias="denominatore")
    formula: str | None = Field(None, alias="formula")
    """The actual as a formula over the plan's measure codes (``(ProvStrut - OnStrut) /
    ProvStrut``): grammar in core/formula.py, rules in docs/rules.md «Formule su misure»."""
    unit: str | None = Field(None, alias="unita")
    kind: str | None = Field(None, alias="tipologia")
    source: str | None = Field(None, alias="fonte")
    """Where the value comes from (data source: an archive, a survey, the accounts)."""
    baseline: Baseline | None = Field(None, alias="baseline")
    weight: Points | None = Field(None, alias="peso", ge=0, le=100)
    offices: Annotated[list[str], BeforeValidator(_office_list)] = Field(
        default_factory=list, alias="uffici")
    """Owner offices; ``tutti`` means every office of the plan (docs/transversal.md)."""
    transversal: Transversal | None = Field(None, alias="trasversale")
    polarity: Polarity | None = Field(None, alias="verso")
    targets: dict[int, TargetText] = Field(default_factory=dict, alias="target")
    period_targets: dict[int, dict[str, TargetText]] = Field(default_factory=dict,
                                                             alias="target_periodi")
    """Intermediate targets: year → period (``30/06``) → target text; else the annual one."""
    threshold: Fraction | None = Field(None, alias="soglia", ge=0, le=1)
    red_flag: float | None = Field(None, alias="soglia_rossa")
    tolerance: float | None = Field(None, alias="tolleranza", ge=0)
    references: dict[int, float | None] = Field(default_factory=dict, alias="riferimenti")
    actuals: list[Actual] = Field(default_factory=list, alias="consuntivi")
    statuses: list[Status] = Field(default_factory=list, alias="stati")
    changes: list[Change] = Field(default_factory=list, alias="modifiche")
    to_confirm: bool = Field(False, alias="da_confermare")
    """Imported from a sentence (a deliverable) and kept as a milestone that a person must
    confirm: listed by ``valida`` until the flag is removed."""
    extra: Extra = Field(default_factory=dict, alias="altri_campi")

    def target_text(self, year: int, period: str = FINAL_PERIOD) -> str:
        """The target text of ``year`` at ``period``: the intermediate one if given."""
        interim = self.period_targets.get(year, {}).get(period) \
            if period != FINAL_PERIOD else None
        return interim if interim else self.targets.get(year, "")

    def target_for(self, year: int, period: str = FINAL_PERIOD) -> Target:
        """The parsed target of ``year`` (no target that year means monitoring only); a
        date written without its year (``entro il 30 giugno``) is in ``year``."""
        return parse_target(self.target_text(year, period), self.polarity, year)

    def owes_actual(self, year: int, period: str = FINAL_PERIOD) -> bool:
        """Does the office owe a value (not eliminated, not monitoring only, not neutralized
        or forced)?"""
        return self.removed_in(year) is None and self.status_for(year) is None and \
            self.target_for(year, period).kind is not Kind.MONITORING

    def removed_in(self, year: int) -> Change | None:
        """The *Eliminato* entry of the indicator's own change log that takes it out of
        ``year`` (the latest Inserito/Eliminato entry of a year ≤ ``year``), or None.

        An eliminated indicator stays in the plan file with its history, but is out of that
        year's workbooks, weights and grades (docs/ownership.md). A later
        *Inserito* brings it back.
        """
        latest = None
        for change in self.changes:
            if change.year <= year and change.action != "Aggiornato" and (
                    latest is None or change.year >= latest.year):
                latest = change
        return latest if latest is not None and latest.action == "Eliminato" else None

    def actual_for(self, year: int, period: str = FINAL_PERIOD,
                   office: str | None = None) -> Actual | None:
        """The actual of ``year`` and ``period``: the ente's, or ``office``'s own value of a
        transversal indicator."""
        return next((a for a in self.actuals if a.year == year and a.period == period
                     and a.office == office), None)

    def office_actuals(self, year: int, period: str = FINAL_PERIOD) -> dict[str, Actual]:
        """Each office's own actual of a transversal indicator (office → actual)."""
        return {a.office: a for a in self.actuals
                if a.office is not None and a.year == year and a.period == period}

    def status_for(self, year: int) -> Status | None:
        return next((s for s in self.statuses if s.year == year), None)

class OperationalObjective(_Model):
    code: str = Field(alias="codice", min_length=1)
    title: str = Field(alias="titolo", min_length=1)
    description: str | None = Field(None, alias="descrizione")
    weight: Points | None = Field(None, alias="peso", ge=0, le=100)
    resources: float | None = Field(None, alias="risorse")
    offices: list[str] = Field(default_factory=list, alias="uffici")
    indicators: list[Indicator] = Field(default_factory=list, alias="indicatori")
    extra: Extra = Field(default_factory=dict, alias="altri_campi")


class StrategicObjective(_Model):
    code: str = Field(alias="codice", min_length=1)
    title: str = Field(alias="titolo", min_length=1)
    description: str | None = Field(None, alias="descrizione")
    weight: Points | None = Field(None, alias="peso", ge=0, le=100)
    resources: float | None = Field(None, alias="risorse")
    bsc: str | None = Field(None, alias="prospettiva_bsc")
    mission: str | None = Field(None, alias="missione")
    mission_code: str | None = Field(None, alias="codice_missione")
    programme: str | None = Field(None, alias="programma")
    programme_code: str | None = Field(None, alias="codice_programma")
    offices: list[str] = Field(default_factory=list, alias="uffici")
    indicators: list[Indicator] = Field(default_factory=list, alias="indicatori")
    operational: list[OperationalObjective] = Field(
        default_factory=list, alias="obiettivi_operativi"
    )
    extra: Extra = Field(default_factory=dict, alias="altri_campi")


class Area(_Model):
    """*Ambito / area strategica*."""

    code: str = Field(alias="codice", min_length=1)
    title: str = Field(alias="titolo", min_length=1)
    description: str | None = Field(None, alias="descrizione")
    weight: Points | None = Field(None, alias="peso", ge=0, le=100)
    bsc: str | None = Field(None, alias="prospettiva_bsc")
    objectives: list[StrategicObjective] = Field(default_factory=list, alias="obiettivi")
    extra: Extra = Field(default_factory=dict, alias="altri_campi")


class RemovedIndicator(_Model):
    """An indicator deleted by a yearly revision, kept with its change log (*Eliminato*)."""

    code: str = Field(alias="codice", min_length=1)
    name: str = Field(alias="nome", min_length=1)
    objective: str = Field(alias="obiettivo", min_length=1)
    changes: list[Change] = Field(default_factory=list, alias="modifiche")
    last: Indicator | None = Field(None, alias="ultimo_stato")
    """The indicator as it was when eliminated (targets, offices, actuals): nothing of a
    plan's history is lost with the elimination."""


class MeasureActual(_Model):
    """The value of a named measure for a year and period, as typed once in a workbook's
    ``Misure`` sheet (docs/domain.md «Misure»).

    A text that is not a number is kept as typed (``testo``) and makes every formula over
    the measure «valore non valido», exactly as the workbook's formula sees the cell.
    """

    model_config = ConfigDict(**{**_Model.model_config, "str_strip_whitespace": False})

    year: int = Field(alias="anno")
    period: str = Field(FINAL_PERIOD, alias="periodo")
    value: float | None = Field(None, alias="valore")
    text: str | None = Field(None, alias="testo")
    office: str | None = Field(None, alias="ufficio")
    """The office whose workbook the value came from (set by the consolidation)."""

    @property
    def typed(self) -> float | str | None:
        """The value as typed: the raw text when there is one, else the number."""
        return self.text if self.text is not None else self.value


class NamedMeasure(_Model):
    """A plan-level measure (*misura*) with a code that indicators' formulas use
    (``N_ImprAtt`` «Numero imprese attive al 31/12»): typed once, shared by several
    indicators (docs/domain.md «Misure»)."""

    code: str = Field(alias="codice", min_length=1)
    name: str = Field(alias="nome", min_length=1)
    unit: str | None = Field(None, alias="unita")
    office: str | None = Field(None, alias="ufficio")
    """The office that owns the measure (types it)."""
    source: str | None = Field(None, alias="fonte")
    description: str | None = Field(None, alias="descrizione")
    values: list[MeasureActual] = Field(default_factory=list, alias="valori")
    """The values typed for each year and period (one per year and period)."""

    def value_for(self, year: int, period: str = FINAL_PERIOD) -> MeasureActual | None:
        return next((v for v in self.values if v.year == year and v.period == period), None)


class Office(_Model):
    name: str = Field(alias="nome", min_length=1)
    email: str | None = Field(None, alias="email")
    head: str | None = Field(None, alias="responsabile")


class OrgArea(_Model):
    """An organisational area (docs/structure.md): the offices (*servizi*) it groups and the
    dirigente who leads it. Not the plan's strategic *ambito* (:class:`Area`)."""

    code: str = Field(alias="codice", min_length=1)
    name: str = Field(alias="nome", min_length=1)
    head: str | None = Field(None, alias="dirigente")
    email: str | None = Field(None, alias="email")
    offices: list[str] = Field(default_factory=list, alias="uffici")
    """Office names as the indicators' ``uffici`` write them (details in the plan's
    ``uffici``: responsabile, e-mail)."""


class Structure(_Model):
    """The organisation chart the plan is graded by: areas of offices. Optional: without
    it offices work as single units (docs/structure.md)."""

    areas: list[OrgArea] = Field(default_factory=list, alias="aree")


ROLES = ("segretario_generale", "dirigente", "posizione_organizzativa", "dipendente")
Role = Literal["segretario_generale", "dirigente", "posizione_organizzativa", "dipendente"]
ORG_SOURCES = ("ente", "area", "ufficio", "obiettivo")


class OrgComponent(_Model):
    """A share of a person's score that takes an organisational grade (docs/individual.md):
    the ente's, an area's, an office's or a strategic/operational objective's.

    The grade is read as a percentage actual and graded against ``target`` with the usual
    rules (``>= 80%``: a grade of 72 % gives 0,9); no target means the grade itself."""

    name: str = Field(alias="nome", min_length=1)
    source: Literal["ente", "area", "ufficio", "obiettivo"] = Field(alias="grado_di")
    reference: str | None = Field(None, alias="riferimento")
    """Area code, office name or objective code; for ``area`` and ``ufficio`` the person's
    own structure when omitted; unused for ``ente``."""
    weight: Points = Field(alias="peso", ge=0, le=100)
    target: TargetText = Field("", alias="target")


class Behaviour(_Model):
    """An item of the behaviour section the evaluator grades (*comportamenti organizzativi*)."""

    name: str = Field(alias="nome", min_length=1)
    weight: Points | None = Field(None, alias="peso", ge=0, le=100)
    """Share of the behaviour section (siblings weigh the same when none is given)."""
    description: str | None = Field(None, alias="descrizione")


class PersonalObjective(_Model):
    """One objective of a person's scorecard (*azione*): weighted, with indicators and
    targets like the plan's; ``collegamento`` names the plan objective it serves (the
    «Albero» of a scorecard), if any."""

    code: str = Field(alias="codice", min_length=1)
    title: str = Field(alias="titolo", min_length=1)
    description: str | None = Field(None, alias="descrizione")
    weight: Points = Field(alias="peso", ge=0, le=100)
    link: str | None = Field(None, alias="collegamento")
    indicators: list[Indicator] = Field(default_factory=list, alias="indicatori")
    extra: Extra = Field(default_factory=dict, alias="altri_campi")


class Person(_Model):
    """A person with an individual scorecard (docs/individual.md): own objectives, shares
    of organisational grades and a behaviour section, whose weights sum to 100."""

    code: str = Field(alias="codice", min_length=1)
    name: str = Field(alias="nome", min_length=1)
    role: Role = Field(alias="ruolo")
    structure: str | None = Field(None, alias="struttura")
    """The area code or office name the person leads or belongs to."""
    evaluator: str | None = Field(None, alias="valutatore")
    email: str | None = Field(None, alias="email")
    objectives: list[PersonalObjective] = Field(default_factory=list, alias="obiettivi")
    components: list[OrgComponent] = Field(default_factory=list,
                                           alias="componenti_organizzative")
    behaviour_weight: Points = Field(0.0, alias="peso_comportamenti", ge=0, le=100)
    behaviours: list[Behaviour] = Field(default_factory=list, alias="comportamenti")
    extra: Extra = Field(default_factory=dict, alias="altri_campi")

    def weights_total(self) -> Decimal:
        """Objectives + organisational components + behaviour section: must be 100."""
        return sum((points(w) for w in (*(o.weight for o in self.objectives),
                                        *(c.weight for c in self.components),
                                        self.behaviour_weight)), Decimal(0))


PERIOD_PATTERN = re.compile(r"^(0[1-9]|[12]\d|3[01])/(0[1-9]|1[0-2])$")


class Period(_Model):
    """A monitoring date of the year (*monitoraggio*): ``30/06`` intermedio, ``31/12`` finale."""

    date: str = Field(alias="data")
    label: str = Field(alias="nome", min_length=1)
    deadline: str | None = Field(None, alias="scadenza")
    """When the offices return this period's workbooks, gg/mm: the first such day after
    the period's date (``31/07`` for ``30/06``; ``31/01`` for ``31/12`` is in the next
    year). See :meth:`Plan.deadline_for`."""

    @field_validator("date", "deadline")
    @classmethod
    def _day_month(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not PERIOD_PATTERN.match(value):
            raise ValueError(f"«{value}» non è una data gg/mm (es. 30/06)")
        day, month = (int(part) for part in value.split("/"))
        if day > monthrange(2001, month)[1]:       # a day of every year: 29/02 is not
            raise ValueError(f"«{value}» non è un giorno dell'anno: il mese {month:02d} ha "
                             f"{monthrange(2001, month)[1]} giorni")
        return value

    @property
    def key(self) -> tuple[int, int]:
        """Sort key: (month, day)."""
        day, month = self.date.split("/")
        return int(month), int(day)


def default_periods() -> list[Period]:
    return [Period(data="30/06", nome="intermedio"), Period(data=FINAL_PERIOD, nome="finale")]


class Plan(_Model):
    schema_version: int = Field(SCHEMA_VERSION, alias="versione_schema")
    id: str = Field("", alias="id")
    entity: str = Field(alias="ente", min_length=1)
    year: int = Field(alias="anno", ge=2000, le=2100)
    target_years: list[int] = Field(default_factory=list, alias="anni_target")
    title: str | None = Field(None, alias="titolo")
    deliberation: str | None = Field(None, alias="delibera")
    deadline: date | None = Field(None, alias="scadenza_compilazione")
    policy: Policy = Field(default_factory=Policy, alias="politica")
    offices: list[Office] = Field(default_factory=list, alias="uffici")
    default_office: str | None = Field(None, alias="ufficio_predefinito")
    """Owner of the indicators that name no office (else they go to «Senza ufficio»)."""
    areas: list[Area] = Field(default_factory=list, alias="ambiti")
    removed: list[RemovedIndicator] = Field(default_factory=list, alias="indicatori_eliminati")
    periods: list[Period] = Field(default_factory=default_periods, alias="periodi")
    measures: list[NamedMeasure] = Field(default_factory=list, alias="misure")
    structure: Structure | None = Field(None, alias="struttura")
    people: list[Person] = Field(default_factory=list, alias="obiettivi_individuali")
    """Individual scorecards: personal data, kept out of office workbooks and the relazione
    (docs/individual.md)."""

    @field_validator("periods")
    @classmethod
    def _periods(cls, value: list[Period]) -> list[Period]:
        dates = [p.date for p in value]
        if len(set(dates)) != len(dates):
            raise ValueError("periodi ripetuti: " + ", ".join(dates))
        ordered = sorted(value, key=lambda p: p.key)
        if not ordered or ordered[-1].date != FINAL_PERIOD:
            raise ValueError(f"l'ultimo periodo di monitoraggio deve essere il {FINAL_PERIOD}")
        return ordered

    def model_post_init(self, __context: Any) -> None:
        if not self.id:
            slug = re.sub(r"[^a-z0-9]+", "-", self.entity.lower()).strip("-")
            object.__setattr__(self, "id", f"{slug}-{self.year}")
        if not self.target_years:
            object.__setattr__(self, "target_years", [self.year])

    def measure_values(self, year: int, period: str = FINAL_PERIOD
                       ) -> dict[str, float | str | None]:
        """The typed values of the plan's measures at ``year``/``period``, by code (a
        measure with no value is absent: its formulas give «dato mancante»)."""
        out: dict[str, float | str | None] = {}
        for measure in self.measures:
            found = measure.value_for(year, period)
            if found is not None and found.typed is not None:
                out.setdefault(measure.code, found.typed)
        return out

    @property
    def period_dates(self) -> list[str]:
        """The monitoring dates in order, the year end last."""
        return [p.date for p in self.periods]

    def period_label(self, period: str) -> str:
        return next((p.label for p in self.periods if p.date == period), period)

    def deadline_for(self, period: str, year: int) -> date:
        """The day the workbooks of ``period`` of ``year`` are due back (docs/domain.md):
        the period's own ``scadenza``; for the year end, else, the plan's
        ``scadenza_compilazione``; otherwise the last day of the month after the period
        (30/06 → 31/07, 31/12 → 31/01 of the next year)."""
        day, month = (int(part) for part in period.split("/"))
        own = next((p.deadline for p in self.periods if p.date == period), None)
        if own is not None:
            due_day, due_month = (int(part) for part in own.split("/"))
            due_year = year if (due_month, due_day) > (month, day) else year + 1
            return date(due_year, due_month, min(due_day, monthrange(due_year, due_month)[1]))
        if period == FINAL_PERIOD and self.deadline is not None:
            return self.deadline
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        return date(next_year, next_month, monthrange(next_year, next_month)[1])

    def indicators(self) -> Iterator[IndicatorSlot]:
        """Every indicator with its place in the tree and its path in the plan file."""
        for ai, area in enumerate(self.areas):
            for oi, os_ in enumerate(area.objectives):
                os_path = f"ambiti[{ai}].obiettivi[{oi}]"
                for ii, ind in enumerate(os_.indicators):
                    yield IndicatorSlot(area, os_, None, ind, f"{os_path}.indicatori[{ii}]")
                for pi, oo in enumerate(os_.operational):
                    oo_path = f"{os_path}.obiettivi_operativi[{pi}]"
                    for ii, ind in enumerate(oo.indicators):
                        yield IndicatorSlot(area, os_, oo, ind, f"{oo_path}.indicatori[{ii}]")

    def owners(self, slot: IndicatorSlot) -> list[str]:
        """An indicator's offices: its own, else its OO's, else its OS's, else the plan's
        ``ufficio_predefinito``; none at all puts it in the «Senza ufficio» workbook
        (:mod:`cruscotto_xl.core.tree`)."""
        return self.owners_of(slot.indicator, slot.oo, slot.os)

    def owners_of(self, indicator: Indicator, oo: OperationalObjective | None,
                  os_: StrategicObjective) -> list[str]:
        """:meth:`owners` of an indicator under ``oo`` (or directly under ``os_``), for a
        walk that needs no slot (the ownership index of 20,000 indicators)."""
        for candidate in (indicator.offices, oo.offices if oo else [], os_.offices):
            if candidate == [ALL_OFFICES]:      # «uffici: tutti» (docs/transversal.md)
                return [o.name for o in self.offices]
            if candidate:
                return list(candidate)
        return [self.default_office] if self.default_office else []



@dataclass(frozen=True)
class IndicatorSlot:
    """An indicator and its ancestors; ``path`` is its location in the plan file."""

    area: Area
    os: StrategicObjective
    oo: OperationalObjective | None
    indicator: Indicator
    path: str

    @property
    def owner(self) -> StrategicObjective | OperationalObjective:
        """The objective that owns the indicator (its sheet in the workbook)."""
        return self.oo if self.oo is not None else self.os


def points(value: float) -> Decimal:
    """Weights compared as decimals, so 14,28 + 14,29 + … sums without float noise."""
    return Decimal(repr(float(value)))
