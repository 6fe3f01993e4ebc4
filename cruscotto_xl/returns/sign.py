"""``firma``: the office head's sign-off stored in the workbook, with its fingerprint.

Only the five cells of the ``Validazione`` sheet change (found through their defined
names); every other byte of the file is copied as it was, as ``ricalcola`` does. The
previous file is kept in :data:`~cruscotto_xl.io.atomic.BACKUP_FOLDER` beside it, out of
the folder's own files, so ``consolida`` of the folder reads each office once. The file
is re-read after writing and must read back as signed, or nothing is replaced.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.contacts import header_text
from ..core.signoff import CHANGED, SIGNED, Signature
from ..core.vocabulary import FORMULA_INJECTION_PREFIXES, YES, excel_serial, format_date
from ..io.atomic import BACKUP_FOLDER, KEEP_BACKUPS, replace_with_backup
from ..workbook.layout import (
    NAME_SIGN_CONFIRM,
    NAME_SIGN_DATE,
    NAME_SIGN_PRINT,
    NAME_SIGNER,
    NAME_SIGNER_ROLE,
    SIGNOFF_NAMES,
)
from .package import read_index
from .read import Reading, read_workbook
from .refresh import RefreshError, lock_files, patch_cells, rewrite_sheets


class ConfirmAgainError(RefreshError):
    """The data changed after signing: the head must confirm them again."""


#: What the Firma button clears when the data changed after signing: the office confirms
#: again (and the new signature gets a new date).
RECONFIRM = {NAME_SIGN_DATE: "", NAME_SIGN_CONFIRM: "", NAME_SIGN_PRINT: ""}


@dataclass(frozen=True)
class SignResult:
    path: Path
    signature: Signature
    backup: Path | None


def sign_workbook(path: Path | str, *, signer: str | None = None, role: str | None = None,
                  when: date | None = None, confirm: bool = False,
                  keep_backups: int = KEEP_BACKUPS) -> SignResult:
    """Sign ``path`` with the fields given, or else those typed in its Validazione sheet.

    Raises :class:`RefreshError` (file untouched) when a field is missing, the file is
    open, has no Validazione sheet or its locked cells were changed.
    """
    path = Path(path)
    if locks := lock_files(path):
        raise RefreshError(f"{path.name} è aperto in Excel o LibreOffice (c'è il file "
                           f"{locks[0].name}): chiuderlo e riprovare")
    reading = read_workbook(path)
    signature, values = signoff_values(reading, signer=signer, role=role, when=when,
                                       confirm=confirm)
    with zipfile.ZipFile(path) as zf:
        names = read_index(zf).names
    updates: dict[str, dict[str, object]] = {}
    for name, value in values.items():
        sheet, ref = names[name]
        updates.setdefault(sheet, {})[ref.split(":")[0].replace("$", "")] = \
            excel_serial(value) if isinstance(value, date) else value
    tmp, cells = rewrite_sheets(path, updates, patch_cells)
    if cells != len(SIGNOFF_NAMES):
        if tmp:
            tmp.unlink(missing_ok=True)
        raise RefreshError(f"{path.name}: celle del foglio Validazione mancanti o non "
                           "modificabili: rigenerare la cartella")
    if tmp is None:                       # signed already, with exactly these values
        return SignResult(path, signature, None)
    check = read_workbook(tmp)
    if check.signature_state() != SIGNED:
        tmp.unlink(missing_ok=True)
        raise RefreshError(f"{path.name}: la firma scritta non si rilegge: file non modificato")
    return SignResult(path, signature, replace_with_backup(tmp, path, keep_backups,
                                                           path.parent / BACKUP_FOLDER))


def signoff_values(reading: Reading, *, signer: str | None = None, role: str | None = None,
                   when: date | None = None, confirm: bool = False
                   ) -> tuple[Signature, dict[str, object]]:
    """The signature to store in a workbook (given fields, else those it holds) and the
    value of each Validazione cell by defined name; the file or the open book (button
    Firma) writes them. Raises :class:`RefreshError` when it cannot be signed."""
    name = reading.path.name
    found = reading.signature
    if found is None:
        raise RefreshError(f"{name}: la cartella non ha il foglio Validazione "
                           "(è la cartella principale o va rigenerata)")
    if not reading.hash_matches:
        raise RefreshError(f"{name}: dati bloccati modificati (target, pesi o formule): "
                           "firma non apposta; verificare con «cruscotto controlla»")
    if reading.signature_state() == CHANGED:
        signed = f"{found.signer}, {format_date(found.when)}" if found.when else found.signer
        if not confirm:
            raise ConfirmAgainError(
                f"{name}: dati modificati dopo la firma ({signed}): per firmare di nuovo "
                "il responsabile deve confermarli (--conferma, oppure di nuovo «Sì» in "
                "«Confermo i dati» e il pulsante Firma)")
        when = when or date.today()            # a new confirmation, not the old one
    # a name on one line (Alt+Enter in the cell, CR/LF in an option), never a formula
    signer = header_text(signer or "") or header_text(found.signer or "")
    role = header_text(role or "") or header_text(found.role or "")
    when = when or found.when or date.today()
    if not signer:
        raise RefreshError(f"{name}: manca il nome del responsabile (--responsabile, "
                           "oppure il foglio Validazione)")
    for what, text in (("il nome del responsabile (--responsabile)", signer),
                       ("il ruolo (--ruolo)", role)):
        if text.startswith(FORMULA_INJECTION_PREFIXES):
            raise RefreshError(f"{name}: {what} «{text}» inizia con {text[0]}: Excel lo "
                               "leggerebbe come una formula; scriverlo senza quel carattere")
    if not (confirm or found.confirmed):
        raise RefreshError(f"{name}: manca la conferma dei dati («Confermo i dati: Sì» "
                           "nel foglio Validazione, oppure --conferma)")
    signature = Signature(signer, role, when, True,
                          reading.inputs_fingerprint(Signature(signer, role, when)))
    return signature, {NAME_SIGNER: signer, NAME_SIGNER_ROLE: role or "", NAME_SIGN_DATE: when,
                       NAME_SIGN_CONFIRM: YES, NAME_SIGN_PRINT: signature.fingerprint}
