"""Individual scorecards from the text of a plan document (docs/importa-pira.md,
«Organisation and individual objectives»).

Plans and their annexes print one scorecard per person in two kinds of table:

- **dirigenti and Segretario Generale**: ``Peso | Azione | Indicatori | Target | Valore
  30/06 | SAL 30/06 | Peso``; a row is a weight, the action, its indicator and target and the
  weight again (``5 Lean Organization Stato di attuazione del Piano di Progetto al 31/12/2020
  100,00% 5``, or the same spread over lines). Rows that take an organisational grade
  («Stato di attuazione obiettivi di Ente (Indicatore sintetico performance organizzativa)»,
  «… di Area») become organisational components; a line of two equal numbers (``70 70``) is
  the total;
- **posizioni organizzative**: ``Obiettivo operativo | Indicatore | Target | Peso | Area |
  Albero | Produttività``; a row ends with the weight in percent and the columns after it
  (``100% 50% SG X X``).

Each scorecard has a title naming the person's role and structure: ``OBIETTIVI 2020 SG``,
``OBIETTIVI 2020 DIR AII``, ``RESPONSABILE PO SERVIZIO STAFF``, ``Obiettivi individuali del
Segretario Generale``, ``Scheda obiettivi dirigente Area Servizi …``. A document prints
titles either above their tables or at the foot of each page: the first table before any
title means titles close what precedes them.

The behaviour share is what the document states («Comportamenti organizzativi 30»), else
100 − the total of the scorecard, reported as an assumption. What cannot be read is
reported with its line, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ...core.model import (
    Behaviour,
    Indicator,
    OrgComponent,
    Person,
    PersonalObjective,
    Role,
    Structure,
)
from ...core.problems import Problem
from ...core.targets import TargetError, parse_target
from ...core.vocabulary import NumberError, format_number, parse_decimal_it
from ..common import at_line, at_lines
from .layout import Line
from .orgchart import match_office

_NUM = r"\d{1,3}(?:[.,]\d{1,2})?"
_TARGET = (r"(?:(?:>=|<=|[<>≥≤=])\s*)?\d[\d.]*(?:,\d+)?\s*%"
           r"|(?:entro\s+(?:il\s+)?)?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}"
           r"|(?:>=|<=|[<>≥≤])\s*\d[\d.]*(?:,\d+)?(?:\s*(?:gg|giorni|mesi|ore|€|euro)\.?)?")
_ROW_ONE_LINE = re.compile(rf"^(?P<w1>{_NUM})\s+(?P<body>.+?)\s+(?P<target>{_TARGET})\s+"
                           rf"(?P<w2>{_NUM})$", re.IGNORECASE)
_ROW_CLOSE = re.compile(rf"^(?P<body>.*?)\s*(?P<target>{_TARGET})?\s+(?P<w2>{_NUM})$|"
                        rf"^(?P<only>{_NUM})$", re.IGNORECASE)
_WEIGHT_ALONE = re.compile(rf"^(?P<w>{_NUM})$")
_WEIGHT_THEN_TEXT = re.compile(rf"^(?P<w>{_NUM})\s+(?P<rest>[A-ZÀ-Ù][^\d%]*\S.*)$")
_TOTAL = re.compile(rf"^(?P<a>{_NUM})\s*%?(?:\s+(?P<b>{_NUM})\s*%?)?$")
_PO_ROW = re.compile(rf"^(?P<body>.*?)\s*(?P<w>{_NUM})\s*%"
                     r"(?P<cols>(?:\s+(?:[A-Z]{1,4}|[IVX]{1,4}|S[iì]|No|x)){0,4})\s*$")
_TARGET_AT_END = re.compile(rf"(?P<target>{_TARGET})\s*$", re.IGNORECASE)
_HEADER_TAIL = re.compile(r"^(?:valore|sal|peso|grado|consuntivo|punteggio|note|"
                          r"\d{1,2}/\d{1,2}/\d{4})\b[\w\s/.%]*$", re.IGNORECASE)
_TITLE = re.compile(
    r"^(?:(?:scheda\s+(?:di\s+)?)?obiettivi(?:\s+individuali)?(?:\s+\d{4})?"
    r"(?:\s+(?:del(?:la|l'|l’)?|assegnati\s+al(?:la)?))?\s+(?P<who>.+)"
    r"|responsabile\s+(?P<po>p\.?\s?o\.?|posizione\s+organizzativa)\s+(?P<unit>.+))$",
    re.IGNORECASE)
_ROLE_WORDS: tuple[tuple[str, Role], ...] = (
    (r"\bsg\b|segretari[oa]\s+generale", "segretario_generale"),
    (r"\bdir\b|\bdirigente\b|\bdirettore\b", "dirigente"),
    (r"\bp\.?\s?o\.?\b|posizione\s+organizzativa|responsabile", "posizione_organizzativa"),
)
_COMPONENT = (
    ("area", re.compile(r"\b(?:obiettivi|performance)\s+(?:organizzativa\s+)?di\s+area\b|"
                        r"\bdell'area\b", re.IGNORECASE)),
    ("ufficio", re.compile(r"\b(?:obiettivi|performance)\s+(?:organizzativa\s+)?"
                           r"(?:di|del)\s+(?:servizio|ufficio|settore)\b", re.IGNORECASE)),
    ("ente", re.compile(r"\b(?:obiettivi|performance)\s+(?:organizzativa\s+)?di\s+ente\b|"
                        r"performance\s+organizzativa\b", re.IGNORECASE)),
)
_BEHAVIOUR = re.compile(rf"^comportament\w*(?:\s+organizzativ\w*)?\s*:?\s*(?P<w>{_NUM})\s*%?$",
                        re.IGNORECASE)
_INDICATOR_START = re.compile(
    r"\b(?:Stato di (?:attuazione|avanzamento)|Percentuale|Numero|N\.|N°|Grado|Tempo|Tempi|"
    r"Rispetto|Realizzazione|Indice|Rapporto|Tasso|Livello|Costo|Importo)\b")
_FURNITURE = re.compile(r"^\d{1,2}\.\s+\S|^(?:Imprese|Processi|Apprendimento|Economico|"
                        r"Capacità)\b")

TableKind = Literal["azione", "po"]


@dataclass
class _Card:
    """One scorecard being read: its title (if seen) and what its tables gave."""

    title: str | None = None
    title_line: int = 0
    first_line: int = 0
    objectives: list[PersonalObjective] = field(default_factory=list)
    components: list[OrgComponent] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    total: Decimal | None = None
    behaviour: Decimal | None = None
    loose: list[tuple[str, str, int]] = field(default_factory=list)
    """Indicators with a target read before the objective row they belong to."""

    @property
    def empty(self) -> bool:
        return not self.objectives and not self.components


@dataclass
class PeopleResult:
    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def is_table_header(text: str) -> TableKind | None:
    words = set(re.findall(r"[a-zà-ÿ]+", text.lower()))
    if "albero" in words or "produttività" in words or (
            {"obiettivo", "operativo", "peso", "target"} <= words):
        return "po"
    if {"peso", "target"} <= words and ({"azione", "azioni", "indicatori", "indicatore"}
                                        & words):
        return "azione"
    return None


def read_people(lines: Sequence[Line], year: int, structure: Structure | None,
                owners: Sequence[str]) -> PeopleResult:
    """The scorecards of an «individuale» section's lines."""
    reader = _Reader(lines, year)
    cards = reader.cards()
    result = PeopleResult(problems=reader.problems)
    used: set[str] = set()
    assumed: list[tuple[int, str]] = []
    for card in cards:
        person = _person(card, structure, owners, used, result.problems, assumed)
        if person is not None:
            result.people.append(person)
    if assumed:
        result.problems.append(at_lines(
            [line for line, _ in assumed],
            "peso dei comportamenti organizzativi non indicato dalla scheda, assunto come 100 "
            "meno la somma di obiettivi e componenti: " + ", ".join(t for _, t in assumed)
            + "; verificarlo", "avviso"))
    return result


class _Reader:
    def __init__(self, lines: Sequence[Line], year: int) -> None:
        self.lines = list(lines)
        self.year = year
        self.problems: list[Problem] = []

    def cards(self) -> list[_Card]:
        titles = [k for k, ln in enumerate(self.lines) if _title_of(ln.text)]
        tables = [k for k, ln in enumerate(self.lines) if is_table_header(ln.text)]
        if not tables:
            return []
        footer = not titles or tables[0] < titles[0]
        cards: list[_Card] = [_Card()]
        kind: TableKind | None = None
        pending: list[Line] = []
        open_row: tuple[Decimal, int] | None = None
        in_header = False
        dropped: list[int] = []
        for k, ln in enumerate(self.lines):
            text = ln.text.strip()
            card = cards[-1]
            if k in titles:
                if footer:
                    card.title, card.title_line = text, ln.no
                    cards.append(_Card())
                else:
                    if not card.empty or card.title:
                        cards.append(_Card())
                    cards[-1].title, cards[-1].title_line = text, ln.no
                dropped += _unused(pending)
                pending, open_row, kind = [], None, kind
                continue
            if header := is_table_header(text):
                kind, in_header, pending, open_row = header, True, [], None
                card.first_line = card.first_line or ln.no
                continue
            if in_header and _HEADER_TAIL.match(text):
                continue
            in_header = False
            if kind is None:
                continue
            if m := _BEHAVIOUR.match(text):
                card.behaviour = _decimal(m["w"])
                continue
            if kind == "azione":
                open_row, pending = self._azione(card, ln, text, pending, open_row, dropped)
            else:
                pending = self._po(card, ln, text, pending, dropped)
        dropped += _unused(pending)
        if dropped:
            self.problems.append(at_lines(
                dropped, f"{len(dropped)} righe delle schede individuali non attribuite a un "
                         f"obiettivo (testo stampato lontano dalla sua riga): controllarle e "
                         f"completare le schede nel piano", "avviso"))
        return [c for c in cards if not c.empty or c.title]

    # -- Peso | Azione | Indicatori | Target | … | Peso ---------------------------------------

    def _azione(self, card: _Card, ln: Line, text: str, pending: list[Line],
                open_row: tuple[Decimal, int] | None, dropped: list[int]
                ) -> tuple[tuple[Decimal, int] | None, list[Line]]:
        if open_row is None:
            m = _ROW_ONE_LINE.match(text)
            if m and _decimal(m["w1"]) == _decimal(m["w2"]):
                self._azione_row(card, _decimal(m["w1"]), [], m["body"], m["target"], ln.no)
                return None, []
            if m := _WEIGHT_ALONE.match(text):
                dropped += _unused(pending)
                return (_decimal(m["w"]), ln.no), []
            if (m := _WEIGHT_THEN_TEXT.match(text)) and not _TOTAL.match(text):
                dropped += _unused(pending)              # a row wrapped after its first words
                rest = Line(ln.no, (m["rest"],))
                return (_decimal(m["w"]), ln.no), [rest]
            if (m := _TOTAL.match(text)) and m["b"] and _decimal(m["a"]) == _decimal(m["b"]):
                card.total = _decimal(m["a"])
                dropped += _unused(pending)
                return None, []
            return None, [*pending, ln]
        weight, first = open_row
        m = _ROW_CLOSE.match(text)
        if m and _decimal(m["w2"] or m["only"]) == weight:
            body = m["body"] or ""
            self._azione_row(card, weight, pending, body, m["target"], first)
            return None, []
        return open_row, [*pending, ln]

    def _azione_row(self, card: _Card, weight: Decimal, before: list[Line], body: str,
                    target: str | None, line: int) -> None:
        paragraphs = _paragraphs(before)
        text = " ".join([*paragraphs, body]).strip()
        for source, pattern in _COMPONENT:
            if pattern.search(text):
                card.components.append(OrgComponent(
                    nome=_short(text), grado_di=source, peso=float(weight),
                    target=target or ""))
                return
        if paragraphs and body:
            title, indicator = " ".join(paragraphs), body
        else:
            title, indicator = _split_action(text)
        objective = self._objective(card, weight, title)
        objective.indicators = [self._indicator(objective, indicator or title, target, line)]

    # -- Obiettivo operativo | Indicatore | Target | Peso | Area | Albero | Produttività -----

    def _po(self, card: _Card, ln: Line, text: str, pending: list[Line],
            dropped: list[int]) -> list[Line]:
        """A PO row ends with its weight and the columns after it. The cells before it are
        read from the paragraphs above: a text followed by a target is an indicator; the
        last texts left are the objective and its indicator. Merged cells (an objective
        with several indicators) print their title and weight after the indicators, so
        indicators found before a row that has its own target wait for the next row
        without one (docs/importa-pira.md)."""
        m = _PO_ROW.match(text)
        if not (m and (m["body"] or m["cols"])):
            if (t := _TOTAL.match(text)) and not t["b"] and "%" in text and \
                    _decimal(t["a"]) in (Decimal(100), _weights(card)):
                card.total = _decimal(t["a"])
                return pending
            return [*pending, ln]
        body, target = m["body"].strip(), None
        if t := _TARGET_AT_END.search(body):
            target, body = t["target"], body[:t.start()].strip()
        paragraphs = [*_paragraphs(pending, furniture=False), *([body] if body else [])]
        if target is not None and paragraphs:      # the row's own indicator, kept whole
            items = [*_items(paragraphs[:-1], self.year), ("text", paragraphs[-1])]
        else:
            items = _items(paragraphs, self.year)
        texts: list[str] = []
        for kind, value in items:
            if kind == "target" and texts:
                card.loose.append((texts.pop(), value, ln.no))
            elif kind == "text":
                texts.append(value)
        if target is None and texts and card.loose == [] and (
                found := _target_suffix(texts[-1], self.year)):
            texts[-1], target = found
        cols = m["cols"].split()
        if cols and cols[0].upper() not in {"X", "SI", "SÌ"}:
            card.areas.append(cols[0])
        title = " ".join(texts[:-1] if target is not None and len(texts) >= 2 else texts)
        if not title:
            title = f"Obiettivo {len(card.objectives) + 1} (titolo non leggibile)"
            self.problems.append(at_line(ln.no, f"riga di scheda individuale con peso {m['w']}% "
                                                f"senza un titolo leggibile: importata come "
                                                f"«{title}», completarne il titolo nel piano",
                                         "avviso"))
        objective = self._objective(card, _decimal(m["w"]), title,
                                    albero="X" in {c.upper() for c in cols[1:2]},
                                    produttivita="X" in {c.upper() for c in cols[2:3]})
        if target is not None:
            objective.indicators = [self._indicator(objective, texts[-1] if texts else title,
                                                    target, ln.no)]
        elif card.loose:
            for name, tgt, at in card.loose:        # one by one: each gets its own code
                objective.indicators = [*objective.indicators,
                                        self._indicator(objective, name, tgt, at)]
            card.loose = []
        else:
            objective.indicators = [self._indicator(objective, title, None, ln.no)]
        return []

    # -- shared --------------------------------------------------------------------------

    def _objective(self, card: _Card, weight: Decimal, title: str, *,
                   albero: bool = False, produttivita: bool = False) -> PersonalObjective:
        extra = {}
        if albero:
            extra["Albero"] = "X"
        if produttivita:
            extra["Produttività"] = "X"
        objective = PersonalObjective(codice=str(len(card.objectives) + 1),
                                      titolo=_short(title) or "(senza titolo)",
                                      peso=float(weight), altri_campi=extra)
        card.objectives.append(objective)
        return objective

    def _indicator(self, objective: PersonalObjective, name: str, target: str | None,
                   line: int) -> Indicator:
        code = f"{objective.code}.{len(objective.indicators) + 1}"
        targets: dict[int, str] = {}
        if target:
            try:
                parse_target(target, None, self.year)
                targets[self.year] = target
            except TargetError as exc:
                self.problems.append(at_line(line, f"target «{target}» non leggibile ({exc}): "
                                                   f"indicatore importato senza target",
                                             "avviso"))
        else:
            self.problems.append(at_line(line, f"«{_short(name)}»: target non trovato nella "
                                               f"riga; indicarlo nel piano", "avviso"))
        return Indicator(codice=code, nome=_short(name) or objective.title, target=targets)


def _person(card: _Card, structure: Structure | None, owners: Sequence[str], used: set[str],
            problems: list[Problem], assumed: list[tuple[int, str]]) -> Person | None:
    where = card.title_line or card.first_line
    if card.title is None:
        problems.append(at_line(where, "scheda individuale senza titolo (di chi è?): non "
                                       "importata; aggiungerla al piano a mano", "avviso"))
        return None
    if card.empty:
        problems.append(at_line(where, f"«{card.title}»: scheda senza obiettivi leggibili, "
                                       f"non importata", "avviso"))
        return None
    role, unit = _role_and_unit(card.title)
    own = sum((Decimal(repr(o.weight)) for o in card.objectives), Decimal(0)) + sum(
        (Decimal(repr(c.weight)) for c in card.components), Decimal(0))
    if card.behaviour is not None:
        behaviour = card.behaviour
    else:
        behaviour = max(Decimal(100) - own, Decimal(0))
        if behaviour:
            assumed.append((where, f"«{card.title}» {format_number(behaviour, 2)}"))
    if card.total is not None and card.total not in (own, Decimal(100)):
        problems.append(at_line(where, f"«{card.title}»: il totale stampato "
                                       f"({format_number(card.total, 2)}) non è la somma dei "
                                       f"pesi letti ({format_number(own, 2)}): controllare la "
                                       f"scheda", "avviso"))
    for component in card.components:
        if component.weight == 0:
            problems.append(at_line(where, f"«{card.title}»: la componente «{component.name}» "
                                           f"ha peso 0 (tenuta come scritta)", "avviso"))
    code = _unique(_code_of(card.title, role), used)
    structure_ref = _structure_of(role, unit, card.areas, structure, owners)
    if structure_ref is None and role != "segretario_generale":
        problems.append(at_line(where, f"«{card.title}»: struttura «{unit}» non trovata tra "
                                       f"le aree e gli uffici del piano: indicarla nella "
                                       f"scheda", "avviso"))
    components = [c.model_copy(update={"reference": None}) for c in card.components]
    return Person(codice=code, nome=_display_name(role, unit, structure_ref), ruolo=role,
                  struttura=structure_ref,
                  obiettivi=card.objectives, componenti_organizzative=components,
                  peso_comportamenti=float(behaviour),
                  comportamenti=[] if not behaviour else [Behaviour(
                      nome="Comportamenti organizzativi")],
                  altri_campi={"Titolo della scheda": card.title})


def _display_name(role: Role, unit: str, structure: str | None) -> str:
    """What to call a person the document names only by role: «Segretario Generale»,
    «Dirigente AREA II», «Responsabile PO Servizio Staff» (the name is added in the plan)."""
    if role == "segretario_generale":
        return "Segretario Generale"
    where = structure if role == "dirigente" and structure else unit
    label = {"dirigente": "Dirigente", "posizione_organizzativa": "Responsabile PO",
             "dipendente": "Dipendente"}[role]
    if where and where.isupper() and role == "posizione_organizzativa":
        where = where.capitalize()
    return f"{label} {where}".strip()


def _title_of(text: str) -> bool:
    m = _TITLE.match(text.strip())
    if not m:
        return False
    who = m["who"] or m["unit"] or ""
    return len(text) <= 120 and any(re.search(p, text, re.IGNORECASE) for p, _ in _ROLE_WORDS) \
        and bool(who.strip())


def _role_and_unit(title: str) -> tuple[Role, str]:
    m = _TITLE.match(title.strip())
    who = (m["who"] or m["unit"] or "").strip() if m else title
    for pattern, role in _ROLE_WORDS:
        if re.search(pattern, title, re.IGNORECASE):
            unit = re.sub(pattern, " ", who, flags=re.IGNORECASE) if role != \
                "posizione_organizzativa" else who
            return role, " ".join(unit.split()).strip(" -–:")
    return "dipendente", who


def _structure_of(role: Role, unit: str, areas_seen: list[str], structure: Structure | None,
                  owners: Sequence[str]) -> str | None:
    """The area code or office a scorecard's title names (``DIR AII`` → ``AREA II``,
    ``SERVIZIO STAFF`` → the office ``S.Staff``), else the area its rows name."""
    candidates = [unit] if unit else (["SG"] if role == "segretario_generale" else [])
    if role == "posizione_organizzativa":
        office = next((o for o in owners if unit and match_office(unit, o)), None)
        if office:
            return office
        candidates = list(dict.fromkeys(areas_seen))
    if structure is None:
        return None
    for candidate in candidates:
        found = [a.code for a in structure.areas if _same_area(candidate, a.code)]
        if len(found) == 1:
            return found[0]
    return None


def _area_key(text: str) -> str:
    words = re.findall(r"[A-Za-zÀ-ÿ]+|\d+", text.upper())
    words = [w for w in words if w not in {"AREA", "DIR", "DIRIGENTE", "DELL", "DELLA", "DI"}]
    key = "".join(words)
    if len(words) == 1 and re.fullmatch(r"A[IVX]+", key):
        key = key[1:]                       # AII → II
    return key


def _same_area(a: str, b: str) -> bool:
    """``AII`` ~ ``AREA II``, ``I`` ~ ``AREA I``, ``SG`` ~ ``AREA SEGRETERIA``."""
    ka, kb = _area_key(a), _area_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    if re.fullmatch(r"[IVX]+|\d+", ka) or re.fullmatch(r"[IVX]+|\d+", kb):
        return False
    short, long_ = sorted((ka, kb), key=len)
    it = iter(long_)
    return short[0] == long_[0] and all(c in it for c in short)


def _code_of(title: str, role: Role) -> str:
    m = _TITLE.match(title.strip())
    who = (m["who"] or m["unit"] or title) if m else title
    prefix = {"segretario_generale": "SG", "dirigente": "DIR", "posizione_organizzativa": "PO",
              "dipendente": "P"}[role]
    words = re.findall(r"[A-Za-zÀ-ÿ0-9]+", who.upper())
    words = [w for w in words if w not in {"SG", "DIR", "PO", "P", "O", "SEGRETARIO", "GENERALE",
                                           "DIRIGENTE", "SERVIZIO", "SERVIZI", "DI", "E",
                                           "DEL", "DELLA"}]
    tail = "".join(w[:4] for w in words[:3])
    return f"{prefix}-{tail}" if tail else prefix


def _unique(code: str, used: set[str]) -> str:
    candidate, n = code, 2
    while candidate.casefold() in used:
        candidate, n = f"{code}-{n}", n + 1
    used.add(candidate.casefold())
    return candidate


_CHANGE_NOTE = re.compile(r"^(?:Aggiornat|Inserit|Eliminat|Modificat)\w*\s+(?:in\s+sede|con|"
                          r"piano)", re.IGNORECASE)


def _paragraphs(lines: Sequence[Line], furniture: bool = True) -> list[str]:
    """Lines joined into paragraphs at blank lines (gaps in the source numbering); a
    paragraph starting in lower case continues the one before (a cell wrapped across a
    blank line); change-log notes («Aggiornato in sede di rolling …») are left out."""
    out: list[list[str]] = []
    last = None
    skipping = False
    for ln in lines:
        text = ln.text.strip()
        if not furniture:                  # page furniture out, with its wrapped lines
            if _FURNITURE.match(text) or (skipping and text[:1].islower()):
                skipping, last = True, None
                continue
            skipping = False
        if last is None or (ln.no - last > 1 and not _continues(out[-1], text)):
            out.append([])
        out[-1].append(text)
        last = ln.no
    return [" ".join(p) for p in out if p and not _CHANGE_NOTE.match(p[0])
            and (furniture or not _FURNITURE.match(p[0]))]


def _items(paragraphs: Sequence[str], year: int) -> list[tuple[str, str]]:
    """Paragraphs as ("text", …) and ("target", …): a paragraph that is a target, or a bare
    number, is a target; a text ending with one is both."""
    out: list[tuple[str, str]] = []
    for paragraph in paragraphs:
        head = re.split(r"\bentro\b", paragraph, maxsplit=1, flags=re.IGNORECASE)[0]
        if re.fullmatch(r"\d[\d.]*(?:,\d+)?", paragraph) or (
                _is_target(paragraph, year) and not re.search(r"[a-zà-ÿ]{4,}", head.lower())):
            out.append(("target", paragraph))
        elif (found := _target_suffix(paragraph, year)) and found[0]:
            out += [("text", found[0]), ("target", found[1])]
        else:
            out.append(("text", paragraph))
    return out


_JOINING = frozenset({"di", "del", "della", "dei", "degli", "delle", "dello", "e", "ed", "per",
                      "a", "al", "alla", "ai", "alle", "con", "in", "nel", "nella", "nei", "sul",
                      "sulla", "da", "dal", "dalla", "tra", "fra", "il", "la", "lo", "le", "gli",
                      "un", "una", "-", "–"})


def _continues(before: list[str], text: str) -> bool:
    """Whether a line after a blank line goes on with the paragraph above (a cell wrapped
    across a blank line): it starts in lower case, or the paragraph above ends on a
    joining word (``nell'ambito del`` / ``Servizio di competenza``)."""
    if not before or not text or not before[-1].split():
        return False
    return text[:1].islower() or before[-1].split()[-1].lower() in _JOINING


def _unused(lines: Sequence[Line]) -> list[int]:
    """The line numbers of text left over, page furniture and change-log notes aside."""
    out: list[int] = []
    group: list[Line] = []
    for ln in [*lines, None]:
        if ln is not None and group and (ln.no - group[-1].no <= 1 or _continues(
                [" ".join(g.text for g in group)], ln.text.strip())):
            group.append(ln)
            continue
        if group and not _CHANGE_NOTE.match(group[0].text.strip()) and \
                not _FURNITURE.match(group[0].text.strip()):
            out += [g.no for g in group]
        group = [ln] if ln is not None else []
    return out


def _weights(card: _Card) -> Decimal:
    return sum((Decimal(repr(o.weight)) for o in card.objectives), Decimal(0))


def _target_suffix(text: str, year: int) -> tuple[str, str] | None:
    """``Pianificazione delle attività Entro 30 gg dall'aggiornamento …`` → the text before
    and the longest readable target that ends the paragraph."""
    for m in re.finditer(r"(?:^|\s)(?=(?:entro|>=|<=|[<>≥≤]|\d))", text, re.IGNORECASE):
        tail = text[m.end():].strip()
        words_before = text[:m.start()].split()
        if words_before and words_before[-1].lower() in _JOINING:
            continue                         # «annuale del 20%» is not a target
        if tail and _is_target(tail, year):
            return text[:m.start()].strip(), tail
    return None


def _split_action(text: str) -> tuple[str, str]:
    """``Lean Organization Stato di attuazione del Piano …`` → action and indicator, at the
    first word an indicator usually starts with; the whole text is both otherwise."""
    m = _INDICATOR_START.search(text)
    if m and m.start() > 0:
        return text[:m.start()].strip(), text[m.start():].strip()
    return text, text


def _is_target(text: str, year: int) -> bool:
    if not re.search(r"\d", text) or len(text) > 120:
        return False
    try:
        parse_target(text, None, year)
    except TargetError:
        return False
    return True


def _short(text: str) -> str:
    return " ".join(text.split())[:300]


def _decimal(text: str) -> Decimal:
    try:
        return parse_decimal_it(text.replace(".", ",") if text.count(".") == 1 and "," not in
                                text else text)
    except NumberError:
        return Decimal(-1)
