"""Target grammar: every form of docs/grammatica-target.md, every TARGET text of the two
seeds, round trip. The corpus of other bodies' short targets is in test_target_corpus.py."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import DATA

from cruscotto_xl.core.targets import (
    PREVIOUS_YEAR,
    Kind,
    Offset,
    OffsetMode,
    Polarity,
    Reference,
    Source,
    Target,
    TargetError,
    format_target,
    parse_target,
)
from cruscotto_xl.core.vocabulary import NumberError, format_percent, parse_actual, parse_number

SEED_002 = DATA / "002_6a0ac35764cec512.txt"
SEED_003 = DATA / "003_fdfff813e4085a34.txt"


def C(op, value, unit=None, decimals=0):
    return Target(Kind.COMPARISON, op=op, value=value, unit=unit, decimals=decimals)


@pytest.mark.parametrize(("text", "expected"), [
    (">= 70,00 %", C(">=", 0.70, "%", 2)),
    (">=95,00 %", C(">=", 0.95, "%", 2)),
    ("≥1", C(">=", 1.0)),
    ("> 0 N.", C(">", 0.0, "N.")),
    ("<= 10 gg", C("<=", 10.0, "gg")),
    ("<= -10,00 gg", C("<=", -10.0, "gg", 2)),
    ("= 0,23 N.", C("=", 0.23, "N.", 2)),
    ("<= 5 %", C("<=", 0.05, "%")),
    ("≤ 1.234,5 €", C("<=", 1234.5, "€", 1)),
    ("=> 3 giorni", C(">=", 3.0, "gg")),
    (">= 1 h", C(">=", 1.0, "h")),
    ("0 N.", C("<=", 0.0, "N.")),       # bare 0, no polarity → <= 0
    ("14", C(">=", 14.0)),              # bare value → >= by default
    ("100%", C(">=", 1.0, "%")),
    ("Entro 31-12-2023", Target(Kind.DEADLINE, deadline=date(2023, 12, 31))),
    ("entro il 30/06/2024", Target(Kind.DEADLINE, deadline=date(2024, 6, 30))),
    ("31/12/2020", Target(Kind.DEADLINE, deadline=date(2020, 12, 31))),
    ("Sì", Target(Kind.MILESTONE)),
    ("Realizzazione", Target(Kind.MILESTONE)),
    ("SI/NO", Target(Kind.MILESTONE)),
    ("Anno di rilevazione", Target(Kind.MONITORING)),
    ("Monitoraggio", Target(Kind.MONITORING)),
    ("n.d.", Target(Kind.MONITORING)),
    ("", Target(Kind.MONITORING)),
    ("x < x-1", Target(Kind.RELATIVE, op="<", reference=PREVIOUS_YEAR)),
    ("<= anno precedente", Target(Kind.RELATIVE, op="<=", reference=PREVIOUS_YEAR)),
    ("> media", Target(Kind.RELATIVE, op=">", reference=Reference(Source.BENCHMARK,
                                                                 name="media"))),
    ("scostamento max 0,02 da media cluster",
     Target(Kind.RELATIVE, op="=", value=0.02, decimals=2,
            reference=Reference(Source.BENCHMARK, name="media cluster"))),
])
def test_design_forms(text, expected):
    assert parse_target(text) == expected


def test_bare_value_takes_the_polarity():
    assert parse_target("14", Polarity.DECREASING).op == "<="
    assert parse_target("0 N.", "crescente").op == ">="
    assert parse_target(">= 5", "decrescente").op == ">="   # an explicit operator wins


@pytest.mark.parametrize("text", ["abc", ">= 0.5", ">= 1.5 %", "Entro 31-02-2023", ">= ",
                                  "circa 5", "<= 10 gg entro giugno", "tra 70 % e 80 %"])
def test_unparseable_text_is_an_error_quoting_it(text):
    with pytest.raises(TargetError) as info:
        parse_target(text)
    assert f"«{text}»" in str(info.value)


@pytest.mark.parametrize(("text", "why", "suggested"), [
    ("Monitoragio", "", "Monitoraggio"),                       # a typo: the close spelling
    ("Realizazione", "", "Realizzazione"),
    ("incremento del 5%", "manca il valore di confronto",
     "incremento del 5% rispetto all'anno precedente"),
    ("mantenimento", "mantenimento di quale valore", "mantenimento del valore 2023"),
    ("entro il 30 giugno", "data senza anno", "Entro 31/12/2024"),   # no year to take
    ("Definizione di una proposta di regolamento", "",
     "Realizzazione: <descrizione del prodotto>"),
    ("90 % delle pratiche", "", "almeno l'80 %"),
    ("entro 10 giorni lavorativi dal ricevimento", "giorni lavorativi",
     "entro 14 gg dalla richiesta"),
    ("da definire", "target ancora da definire", "Monitoraggio"),
])
def test_errors_say_why_and_give_the_nearest_forms(text, why, suggested):
    with pytest.raises(TargetError) as info:
        parse_target(text)
    message = str(info.value)
    assert message.startswith(f"target non riconosciuto «{text}»")
    assert why in info.value.why
    assert suggested in info.value.suggestions and f"«{suggested}»" in message
    assert "\n" not in message                                 # one readable line


def test_numbers():
    assert parse_number("1.234,56") == 1234.56
    assert parse_number("97,87 %") == pytest.approx(0.9787)
    assert parse_number("-10,00") == -10.0
    assert parse_number("1.010") == 1010.0
    assert parse_number(3) == 3.0
    for bad in ("0.5", "1,2,3", "tre", ""):
        with pytest.raises(NumberError):
            parse_number(bad)
    assert format_percent(0.7) == "70,00 %"
    assert parse_actual("15/01/2024") == date(2024, 1, 15)
    assert parse_actual("n.d.") is None
    assert parse_actual("Sì") is True
    assert parse_actual("3,46 N.") == 3.46


# --- every TARGET text of the seeds -----------------------------------------------------

_WEIGHT = re.compile(r"^\d{1,3},\d{2}%[\t ]+\S")
_TAGS = re.compile(r"</?b>|\*\*")


def seed_002_targets() -> list[str]:
    """Indicator rows start with a weight; TARGET is the cell before the published grade."""
    out = []
    for line in SEED_002.read_text(encoding="utf-8").splitlines():
        if _WEIGHT.match(line):
            cells = [c.strip() for c in line.split("\t") if c.strip()]
            out.append(cells[-2])
    return out


def seed_003_targets() -> list[str]:
    """Indicator rows start with a weight; the targets are the cells after the name."""
    out = []
    for line in SEED_003.read_text(encoding="utf-8").splitlines():
        if _WEIGHT.match(line) and line.count("\t") >= 4:  # not "Peso su AS<tab>Risorse"
            cells = [_TAGS.sub("", c).strip() for c in line.split("\t")]
            first_is_weight_only = re.fullmatch(r"\d{1,3},\d{2}%", cells[0].strip()) is not None
            out.extend(cells[2:] if first_is_weight_only else cells[1:])
    return out


def test_seed_walkers_find_every_target():
    targets_002 = seed_002_targets()
    targets_003 = seed_003_targets()
    # Counted by hand in the files: 101 indicator rows in 002, 58 rows × 4 years in 003.
    assert len(targets_002) == 101
    assert len(targets_003) == 58 * 4
    assert ">= 70,00 %" in targets_002 and "Entro 31-03-2023" in targets_002
    assert "<= -10 N." in targets_003 and "≥1" in targets_003


@pytest.mark.parametrize("text", sorted(set(seed_002_targets()) | set(seed_003_targets())))
def test_every_seed_target_parses_and_round_trips(text):
    target = parse_target(text)
    assert parse_target(format_target(target)) == target
    if text:
        assert target.kind is not Kind.MONITORING


SEED_001 = DATA / "001_2f7775cd533185bf.txt"
SEED_004 = DATA / "004_b59b20b8390521e9.txt"
# Target-looking cells of the 2020 rolling cruscotto (001), found in its text with the lines
# joined (its cells break across lines): the spellings a reader sees in the document.
_CELL_001 = re.compile(
    r"Anno (?:di )?rilevazione|x < x-\d|anno n < anno n-1|ITP < -?\d+"
    r"|scostamento max [\d,]+ da media cluster|> a medio|> media cluster|> media|> Medio"
    r"|[<>]\s?\d+ mes[ei] da approvazione(?: decreto)?"
    r"|Entro 30\s?gg\.\s?dall'\S+(?: \S+){0,4}"
    r"|(?:≥|≤|>=|<=|<|>)\s?-?\d+(?:,\d+)?\s?(?:%|gg)?|\b\d{1,3}(?:,\d{1,2})?%|\b\d{2}/\d{2}/\d{4}\b")


def seed_001_cells() -> list[str]:
    text = re.sub(r"\s+", " ", SEED_001.read_text(encoding="utf-8"))
    return _CELL_001.findall(text)


def seed_004_cells() -> list[str]:
    """The PIRA's targets: operator, Italian number and unit, three years per indicator."""
    text = SEED_004.read_text(encoding="utf-8")
    return re.findall(r"(?:>=|<=|=|>|<) -?\d[\d.,]*(?: (?:%|N\.|gg|€))?", text)


def test_every_target_cell_of_seeds_001_and_004_parses():
    cells_001, cells_004 = seed_001_cells(), seed_004_cells()
    assert len(cells_001) == 405 and len(cells_004) == 91    # as the regexes count them
    for text in cells_001 + cells_004:
        target = parse_target(text, None, 2020)
        assert parse_target(format_target(target)) == target
    kinds = {t: parse_target(t, None, 2020) for t in cells_001}
    assert kinds["< 1 mese da approvazione decreto"] == Target(
        Kind.EVENT_DEADLINE, op="<", value=1.0, unit="mesi", event="da approvazione decreto")
    assert kinds["x < x-4"] == Target(Kind.RELATIVE, op="<",
                                      reference=Reference(Source.ACTUAL, lag=4))
    assert kinds["ITP < -10"] == Target(Kind.COMPARISON, op="<", value=-10.0)
    assert kinds["Anno rilevazione"] == Target(Kind.MONITORING)
    assert kinds["anno n < anno n-1"].reference == PREVIOUS_YEAR
    assert kinds["Entro 30 gg. dall'assegnazione di risorse umane aggiuntive"].event == \
        "dall'assegnazione di risorse umane aggiuntive"


# --- round trip property ----------------------------------------------------------------

units = st.sampled_from([None, "%", "N.", "gg", "h", "€", "mesi", "gg lavorativi", "imprese"])
BENCHMARKS = ["media", "media cluster", "media nazionale", "valore regionale", "medio"]
EVENTS = ["dalla richiesta", "dal ricevimento della domanda", "da approvazione decreto",
          "dall'approvazione del bilancio", "dallo svolgimento della prova",
          "successivi alla segnalazione", "a partire dalla notifica"]
EVENTS_BEFORE = ["prima della seduta", "prima dell'evento", "prima di Natale"]
DELIVERABLES = ["Definizione di una proposta di regolamento", "Nuovo portale dei servizi",
                "Adozione del piano triennale di formazione"]


@st.composite
def written_number(draw, unit):
    """A value as a plan could write it: mantissa and decimals, % stored as a fraction."""
    decimals = draw(st.integers(0, 4))
    mantissa = draw(st.integers(-10**11, 10**11))
    exact = Decimal(mantissa).scaleb(-decimals)
    return float(exact / 100 if unit in ("%", "p.p.") else exact), decimals


@st.composite
def references(draw):
    source = draw(st.sampled_from(list(Source)))
    if source is Source.BENCHMARK:
        return Reference(source, name=draw(st.sampled_from(BENCHMARKS)))
    if source is Source.BASELINE:
        return Reference(source)
    span = draw(st.sampled_from([1, 1, 2, 3, 5]))
    if draw(st.booleans()):
        return Reference(source, year=draw(st.integers(1990, 2099)), span=span)
    return Reference(source, lag=1 if span > 1 else draw(st.integers(1, 30)), span=span)


@st.composite
def offsets(draw):
    mode = draw(st.sampled_from(list(OffsetMode)))
    unit = "%" if mode is OffsetMode.MUL else draw(st.sampled_from([None, "p.p.", "N.", "gg",
                                                                     "€", "imprese"]))
    value, decimals = draw(written_number(unit))
    return Offset(mode, value, unit, decimals)


@st.composite
def targets(draw):
    kind = draw(st.sampled_from(list(Kind)))
    if kind is Kind.COMPARISON:
        unit = draw(units)
        value, decimals = draw(written_number(unit))
        return Target(kind, op=draw(st.sampled_from([">=", ">", "<=", "<", "="])), value=value,
                      unit=unit, decimals=decimals)
    if kind is Kind.DEADLINE:
        return Target(kind, deadline=draw(st.dates(date(1990, 1, 1), date(2099, 12, 31))))
    if kind is Kind.EVENT_DEADLINE:
        n = draw(st.integers(0, 400))
        before = draw(st.booleans()) and n > 0
        event = draw(st.sampled_from(EVENTS_BEFORE if before else EVENTS))
        return Target(kind, op=draw(st.sampled_from(["<=", "<"])),
                      value=float(-n if before else n),
                      unit=draw(st.sampled_from(["gg", "settimane", "mesi"])), event=event)
    if kind is Kind.RELATIVE:
        reference = draw(references())
        if draw(st.booleans()):
            unit = draw(st.sampled_from([None, "%"]))
            value, decimals = draw(written_number(unit))
            return Target(kind, op="=", value=abs(value), unit=unit, decimals=decimals,
                          reference=reference)
        offset = draw(st.none() | offsets())
        return Target(kind, op=draw(st.sampled_from([">=", ">", "<=", "<", "="])),
                      reference=reference, offset=offset)
    if kind is Kind.MILESTONE:
        return Target(kind, text=draw(st.none() | st.sampled_from(DELIVERABLES)))
    return Target(kind)


@given(targets())
def test_round_trip(target):
    assert parse_target(format_target(target)) == target


@given(targets(), st.sampled_from([None, *Polarity]), st.none() | st.integers(2000, 2100))
def test_round_trip_whatever_the_context(target, polarity, year):
    """Canonical texts carry their operator and year: polarity and year change nothing."""
    assert parse_target(format_target(target), polarity, year) == target
