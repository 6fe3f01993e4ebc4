"""E-mail addresses of offices and senders: exactly one mailbox, or a reason why not.

A plan's ``email`` field and ``solleciti --mittente`` end up in the headers of the
reminder drafts; an address list (``a, b``), a stray ``>`` or a line break would add
other recipients or headers (docs/security.md). So an address is one ``local@domain``:
an ASCII local part (most mail servers accept nothing else), a domain of labels that may
be international (``cciaà.it``, written in its ASCII ``xn--`` form for the header).
"""

from __future__ import annotations

import re

_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")


class EmailError(ValueError):
    """Not one e-mail address; the message says why, in Italian."""


def email_address(text: str) -> str:
    """``text`` as one mailbox ``local@domain`` for an e-mail header (an international
    domain in its ASCII form), or :class:`EmailError`."""
    if any(ch in text for ch in "\r\n\t\v\f") or any(ord(ch) < 32 for ch in text):
        raise EmailError(f"«{' '.join(text.split())}» contiene un a capo o un carattere di "
                         "controllo: scrivere un solo indirizzo")
    address = text.strip()
    if any(sep in address for sep in (",", ";", " ", "<", ">", '"')):
        raise EmailError(f"«{address}» non è un solo indirizzo: scriverne uno (nome@dominio), "
                         "senza nomi, virgole o punti e virgola")
    local, at, domain = address.rpartition("@")
    if not at or not local or "@" in local:
        raise EmailError(f"«{address}» non è un indirizzo e-mail (nome@dominio)")
    if not local.isascii() or not _LOCAL.fullmatch(local):
        raise EmailError(f"«{address}»: la parte prima di @ ammette solo lettere senza "
                         "accenti, cifre e . _ - + (molti server non accettano altro)")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise EmailError(f"«{address}»: dominio «{domain}» non valido")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise EmailError(f"«{address}»: dominio «{domain}» non valido") from None
    return f"{local}@{ascii_domain}"


def header_text(text: str) -> str:
    """A name for an e-mail header or a file: line breaks and control characters become
    spaces (an office name pasted from a cell with Alt+Enter)."""
    return " ".join("".join(" " if ord(ch) < 32 or ch == "\x7f" else ch for ch in text).split())
