"""The office's sign-off (*validazione*): who confirmed the data, and a fingerprint of them.

The head of an office types name, role and date and answers «Confermo i dati»; signing
(``cruscotto firma``) stores a fingerprint: sha256 of every input as found in the file
(per indicator code: reference, numerator, denominator, actual, note) and of the three
signature fields. Consolidation recomputes it: a different fingerprint means the data or
the signature changed after signing, which is flagged, never refused. It is a seal
against late edits, not a cryptographic signature: anyone with the tool can sign again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from .vocabulary import NumberError, parse_flag

UNSIGNED = "non firmata"
NOT_CONFIRMED = "dati non confermati"
NO_FINGERPRINT = "firmata senza impronta"
CHANGED = "modificata dopo la firma"
SIGNED = "firmata"

@dataclass(frozen=True)
class Signature:
    """The Validazione block as found in a workbook."""

    signer: str | None = None
    role: str | None = None
    when: date | None = None
    confirmed: bool = False
    fingerprint: str | None = None

    @property
    def is_signed(self) -> bool:
        return bool(self.signer) and self.confirmed


def confirmed(value: object) -> bool:
    """«Confermo i dati»: Sì (or an Excel TRUE, an x: any yes of
    :data:`~cruscotto_xl.core.vocabulary.YES_WORDS`) confirms; anything else does not."""
    if isinstance(value, bool):
        return value
    try:
        return isinstance(value, str) and parse_flag(value)
    except NumberError:
        return False


def _text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, int | float):
        return f"{float(value):.15g}"
    return str(value)


def fingerprint(inputs: Mapping[str, Mapping[str, object]], signer: str | None,
                role: str | None, when: date | None) -> str:
    """sha256 of the inputs (indicator code → input key → cell value) and the signature."""
    digest = hashlib.sha256()
    for code in sorted(inputs):
        for key in sorted(inputs[code]):
            digest.update(f"{code}\x1f{key}\x1f{_text(inputs[code][key])}\x1e".encode())
    digest.update(f"{signer or ''}\x1f{role or ''}\x1f{_text(when)}".encode())
    return digest.hexdigest()


def signature_state(signature: Signature | None, current: str) -> str:
    """One of UNSIGNED, NOT_CONFIRMED, NO_FINGERPRINT, CHANGED, SIGNED.

    ``current`` is the fingerprint of what the file holds now.
    """
    if signature is None or not signature.signer:
        return UNSIGNED
    if not signature.confirmed:
        return NOT_CONFIRMED
    if not signature.fingerprint:
        return NO_FINGERPRINT
    return SIGNED if signature.fingerprint == current else CHANGED


STATE_MESSAGES = {
    UNSIGNED: ("cartella non firmata: il responsabile deve compilare il foglio Validazione "
               "e firmare (pulsante Firma o «cruscotto firma»)"),
    NOT_CONFIRMED: "firma senza «Confermo i dati: Sì»: i dati non sono confermati",
    NO_FINGERPRINT: ("firma scritta a mano senza impronta dei dati: firmare con il "
                     "pulsante Firma o «cruscotto firma» perché le modifiche successive "
                     "siano riconoscibili"),
    CHANGED: ("dati o firma modificati dopo la firma: chiedere all'ufficio di verificarli "
              "e firmare di nuovo"),
}
