"""Known vocabularies of performance plans, used to read and repair extracted text.

- :data:`MISSIONS`: the missions and programmes of the budget classification of D.M.
  27/03/2013 that chambers of commerce use (see :data:`MISSIONS_SOURCE`), with the short
  forms the plans print; :func:`match_mission` / :func:`match_programme` find an entry in
  text whose words were split, hyphenated or abbreviated by a PDF extraction.
- :data:`INDICATOR_KINDS`: the usual *tipologie* of indicators.
- :data:`DESCRIPTION_VERBS`: how the description of an indicator usually starts.
- :func:`office_like`: whether a short text looks like the name of an office.

Matching compares *keys*: lower case, no accents, letters and digits only, so
``Competitivit à e sviluppo delle im- prese`` and ``Competitività e sviluppo delle imprese``
have the same key; a near miss (one word dropped or abbreviated) is accepted above a
similarity ratio of :data:`SIMILARITY`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

MISSIONS_SOURCE = (
    "D.M. 27 marzo 2013 (Ministero dell'economia e delle finanze), classificazione della spesa "
    "per missioni e programmi delle amministrazioni in contabilità civilistica; missioni e "
    "programmi attribuiti alle camere di commercio dalla nota del Ministero dello sviluppo "
    "economico n. 148123 del 12 settembre 2013. Le forme brevi sono quelle stampate nei piani "
    "delle camere (PIRA, cruscotti strategici)."
)

SIMILARITY = 0.88


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mission:
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    programmes: tuple[Programme, ...] = field(default_factory=tuple)


MISSIONS: tuple[Mission, ...] = (
    Mission("011", "Competitività e sviluppo delle imprese",
            ("Competitività e sviluppo imprese", "Competitività delle imprese"),
            (Programme("005", "Promozione e attuazione di politiche di sviluppo, competitività e "
                              "innovazione, di responsabilità sociale d'impresa e movimento "
                              "cooperativo",
                       ("Politiche di sviluppo, competitività e innovazione, di RSI e movimento "
                        "cooperativo",)),)),
    Mission("012", "Regolazione dei mercati", (),
            (Programme("004", "Vigilanza sui mercati e sui prodotti, promozione della "
                              "concorrenza e tutela dei consumatori",
                       ("Vigilanza e tutela dei consumatori",)),)),
    Mission("016", "Commercio internazionale ed internazionalizzazione del sistema produttivo",
            ("Commercio internazionale e internazionalizzazione del sistema produttivo",),
            (Programme("005", "Sostegno all'internazionalizzazione delle imprese e promozione "
                              "del made in Italy",
                       ("Internazionalizzazione e Made in Italy",)),)),
    Mission("032", "Servizi istituzionali e generali delle amministrazioni pubbliche",
            ("Servizi istituzionali e generali delle PA",
             "Servizi istituzionali e generali delle Amministrazioni pubbliche"),
            (Programme("002", "Indirizzo politico"),
             Programme("003", "Servizi e affari generali per le amministrazioni di competenza"))),
    Mission("033", "Fondi da ripartire", (),
            (Programme("001", "Fondi da assegnare"),
             Programme("002", "Fondi di riserva e speciali"))),
    Mission("090", "Servizi per conto terzi e partite di giro", (),
            (Programme("001", "Servizi per conto terzi e partite di giro"),)),
    Mission("091", "Debiti da finanziamento dell'amministrazione", (),
            (Programme("001", "Debiti da finanziamento dell'amministrazione"),)),
)

INDICATOR_KINDS: tuple[str, ...] = (
    "Efficacia", "Efficienza", "Volume", "Quantità", "Qualità", "Salute economica",
    "Salute finanziaria", "Salute organizzativa", "Salute relazionale", "Economicità",
    "Impatto", "Outcome", "Output", "Stato delle risorse", "Tempestività", "Customer satisfaction",
)

DESCRIPTION_VERBS: tuple[str, ...] = (
    "Misura", "Indica", "Esprime", "Rileva", "Rappresenta", "Descrive", "Calcola", "Valuta",
    "Verifica", "Monitora", "Quantifica", "Evidenzia", "Individua", "Definisce", "Considera",
    "Permette", "Consente", "Fornisce", "Mostra", "Determina",
)

_OFFICE_START = re.compile(
    r"^(?:S\.|S\s|Serv\.|Servizi?o?\b|Sevizio\b|Ufficio\b|Uff\.|U\.?O\.?\b|Unità\b|Area\b|"
    r"Settore\b|Direzione\b|Segreteria\b|Staff\b|Az\.|Azienda\b|Dirigente\b|Responsabile\b|"
    r"Struttura\b|Legale\b|Provveditorato\b|Ragioneria\b|Personale\b|Trasversale\b|"
    r"Segretario\b|Dipartimento\b|Centro\b|Sportello\b|Organismo\b)",
    re.IGNORECASE,
)


def office_like(text: str) -> bool:
    """Does ``text`` start like the name of an office (``S.Staff``, ``Ufficio Metrico``)?"""
    return bool(_OFFICE_START.match(text.strip()))


def key(text: str) -> str:
    """Letters and digits only, lower case, no accents: what vocabulary matching compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]", "", plain)


def _best(text: str, entries: list[tuple[str, object]]) -> object | None:
    wanted = key(text)
    if not wanted:
        return None
    best, score = None, 0.0
    for name, entry in entries:
        candidate = key(name)
        if candidate == wanted:
            return entry
        ratio = SequenceMatcher(None, wanted, candidate).ratio()
        if ratio > score:
            best, score = entry, ratio
    return best if score >= SIMILARITY else None


def _names(item: Mission | Programme) -> list[str]:
    return [item.name, *item.aliases]


def mission_by_code(code: str) -> Mission | None:
    code = code.strip().zfill(3)
    return next((m for m in MISSIONS if m.code == code), None)


def match_mission(text: str) -> Mission | None:
    """The mission whose name (or a short form) ``text`` is, words repaired; else None."""
    return _best(text, [(n, m) for m in MISSIONS for n in _names(m)])  # type: ignore[return-value]


def match_programme(text: str, mission: Mission | None = None) -> tuple[Mission, Programme] | None:
    """The programme ``text`` names (inside ``mission`` when known), with its mission."""
    missions = [mission] if mission else list(MISSIONS)
    found = _best(text, [(n, (m, p)) for m in missions for p in m.programmes
                         for n in _names(p)])
    return found  # type: ignore[return-value]


def match_kind(text: str) -> str | None:
    """The indicator *tipologia* ``text`` names, as the vocabulary spells it."""
    wanted = key(text)
    return next((k for k in INDICATOR_KINDS if key(k) == wanted), None)
