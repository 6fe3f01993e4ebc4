"""``solleciti``: one e-mail draft (``.eml``) per office that still owes something.

An office gets a draft when it never returned its workbook (the empty workbook is
attached), when values are missing, or when its workbook is unsigned, was changed after
signing or has errors (locked cells changed, wrong plan). The text lists exactly what is
missing: sheet, cell, indicator and period. Nothing is sent: the controller opens the
drafts in a mail client (``X-Unsent: 1`` makes Outlook open them as drafts).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from pathlib import Path

from ..core.contacts import EmailError, email_address, header_text
from ..core.model import Plan
from ..core.problems import Problem
from ..core.signoff import SIGNED, STATE_MESSAGES
from ..core.tree import UNOWNED, known_offices, plan_for_year
from ..core.vocabulary import format_date, format_number, of_entity
from ..io.atomic import write_atomically
from ..returns.consolidate import MISSING, REFUSED, Consolidation
from ..returns.owed import MissingValue
from ..workbook import render_book, workbook_jobs
from ..workbook.layout import SHEET_SIGNOFF, safe_file_stem
from .generate import OutputExistsError

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass
class Reminder:
    """What one office is asked for."""

    office: str
    email: str | None
    head: str | None
    missing: list[MissingValue] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)       # signature, errors, refusals
    attachment: tuple[str, bytes] | None = None            # (file name, workbook)
    path: Path | None = None


def reminders(result: Consolidation, plan: Plan) -> list[Reminder]:
    """The offices to remind, in plan order, with what each one owes."""
    contacts = {o.name: o for o in plan.offices}
    statuses = {s.office: s for s in result.statuses}
    names = dict(workbook_jobs(plan, Path(), per_office=True, year=result.year,
                               period=result.period))
    out: list[Reminder] = []
    for office in known_offices(plan_for_year(plan, result.year)):
        contact = contacts.get(office)
        reminder = Reminder(office, contact.email if contact else None,
                            contact.head if contact else None)
        status = statuses.get(office)
        if status is None or status.state in (MISSING, REFUSED):
            buffer = io.BytesIO()
            book = render_book(plan, buffer, year=result.year, office=office,
                               period=result.period)
            reminder.missing = [
                MissingValue(sheet.name, row.cell("actual"), row.indicator.code,
                             row.indicator.name, result.period)
                for sheet in book.sheets for row in sheet.rows
                if row.indicator.owes_actual(result.year, result.period)]
            name = names[office].name if office in names else \
                f"{safe_file_stem(office)}.xlsx"
            reminder.attachment = (name, buffer.getvalue())
            if status is None or status.state == MISSING:
                reminder.issues.append("la cartella non è stata restituita")
            else:
                why = "; ".join(p.message for p in _file_problems(result, status.file))
                reminder.issues.append(
                    f"la cartella restituita ({status.file}) è stata rifiutata"
                    + (f" ({why})" if why else "") + ": in allegato una copia nuova da "
                    "compilare")
        else:
            reminder.missing = list(result.missing.get(office, []))
            if status.signoff and status.signoff != SIGNED:
                reminder.issues.append(STATE_MESSAGES[status.signoff])
            reminder.issues += [   # the signature is said above, once
                p.message for p in _file_problems(result, status.file)
                if p.severity == "errore" and p.where.sheet != SHEET_SIGNOFF]
        if reminder.missing or reminder.issues:
            out.append(reminder)
    return out


def _file_problems(result: Consolidation, file: str) -> list[Problem]:
    """The consolidation problems found in one returned file."""
    return [p for p in result.problems if file and p.where.file == file]


def compose(reminder: Reminder, plan: Plan, year: int, period: str,
            sender: str | None = None) -> EmailMessage:
    """The draft as an e-mail message (Italian text, template attached when needed)."""
    msg = EmailMessage()
    msg["Subject"] = (f"Sollecito: dati del monitoraggio al {period}/{year} — "
                      f"{header_text(reminder.office)}")
    if reminder.email:
        try:               # valida reports a bad address; the draft is still written
            to = email_address(reminder.email)
        except EmailError:
            to = None
        if to is not None:
            msg["To"] = formataddr((header_text(reminder.head or reminder.office), to))
    if sender:
        msg["From"] = sender_header(sender)
    msg["X-Unsent"] = "1"
    lines = [f"Gentile {reminder.head or 'Responsabile'},", "",
             f"per il monitoraggio al {period}/{year} del piano della performance "
             f"{of_entity(plan.entity)} risulta ancora da completare la cartella dell'ufficio "
             f"«{reminder.office}».", ""]
    if reminder.office == UNOWNED and reminder.email is None:
        lines[2:3] = [f"per il monitoraggio al {period}/{year} del piano della performance "
                      f"{of_entity(plan.entity)} risulta ancora da completare la cartella "
                      f"«{UNOWNED}»: "
                      "gli indicatori per cui il piano non indica un ufficio responsabile. "
                      "Compilarla, oppure inoltrarla a chi ne risponde e indicare nel piano "
                      "gli uffici (o un ufficio predefinito) per i prossimi monitoraggi."]
    for issue in reminder.issues:
        lines.append(f"- {issue[0].upper()}{issue[1:]}.")
    if reminder.missing:
        if reminder.issues:
            lines.append("")
        lines.append(f"Mancano questi valori ({format_number(len(reminder.missing), 0)}):")
        for m in reminder.missing:
            lines.append(f"- foglio «{m.sheet}», cella {m.cell}: indicatore {m.code} "
                         f"«{m.name}», {m.what} al {m.period}")
    due = format_date(plan.deadline_for(period, year))
    lines += ["", f"Scadenza per la restituzione: {due}.", ""]
    if reminder.attachment:
        lines.append(f"In allegato la cartella Excel da compilare ({reminder.attachment[0]}): "
                     "inserire i valori nelle celle gialle, compilare il foglio Validazione e "
                     "restituirla senza rinominarla.")
    else:
        lines.append("Vi chiediamo di completare la cartella, confermare i dati nel foglio "
                     "Validazione e restituirla senza rinominarla.")
    lines += ["", "Grazie per la collaborazione.", "", "Controllo di gestione"]
    msg.set_content("\n".join(lines))
    if reminder.attachment:
        name, data = reminder.attachment
        msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
    return msg


def reminder_path(out_dir: Path, office: str) -> Path:
    return out_dir / f"sollecito_{safe_file_stem(office)}.eml"


def reminder_paths(out_dir: Path, offices: list[str]) -> dict[str, Path]:
    """One draft file per office, distinct even for names that differ only by punctuation
    or case (``Ragioneria, Provveditorato`` / ``Ragioneria Provveditorato``): those get a
    short fingerprint of their exact name, so no draft replaces another."""
    stems: dict[str, list[str]] = {}
    for office in offices:
        stems.setdefault(safe_file_stem(office).casefold(), []).append(office)
    paths = {}
    for office in offices:
        path = reminder_path(out_dir, office)
        if len(stems[safe_file_stem(office).casefold()]) > 1:
            mark = hashlib.sha256(office.encode()).hexdigest()[:6]
            path = path.with_name(f"{path.stem}_{mark}.eml")
        paths[office] = path
    return paths


def sender_header(sender: str) -> str:
    """``--mittente`` as a From header: one address, optionally with a name
    (``Controllo di gestione <cdg@ente.it>``); :class:`EmailError` otherwise."""
    if any(ord(ch) < 32 for ch in sender):
        raise EmailError("contiene un a capo o un carattere di controllo: scrivere un solo "
                         "indirizzo")
    name, address = parseaddr(sender)
    if not address or (not name and sender.strip() != address):
        address = sender.strip()
    return formataddr((header_text(name), email_address(address))) if name else \
        email_address(address)



def write_reminders(result: Consolidation, plan: Plan, out_dir: Path, *,
                    overwrite: bool = False, sender: str | None = None) -> list[Reminder]:
    """Write one ``.eml`` per office to remind; refuses to replace drafts unless asked."""
    todo = reminders(result, plan)
    if sender:
        sender_header(sender)             # refused before anything is written
    paths = reminder_paths(out_dir, [r.office for r in todo])
    for r in todo:
        r.path = paths[r.office]
    existing = [r.path for r in todo if r.path is not None and r.path.exists()]
    if existing and not overwrite:
        raise OutputExistsError(existing)
    out_dir.mkdir(parents=True, exist_ok=True)
    for r in todo:
        assert r.path is not None
        message = compose(r, plan, result.year, result.period, sender)
        write_atomically(r.path, lambda tmp, m=message: tmp.write_bytes(bytes(m)), keep=0)
    return todo
