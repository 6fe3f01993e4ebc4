"""The hidden ``_cruscotto`` sheet: identity of the workbook and registry of its sheets.

Plan id, year, period, office, template version and the hash of the locked cells let the
reader refuse a workbook of another plan or year and detect changed targets and formulas;
the registry table maps each objective code to its sheet, table and grade name.
"""

from __future__ import annotations

import hashlib
import json

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.model import Plan
from ...io.planfile import plan_to_data
from ..book import Book
from ..cells import write_text
from ..layout import (
    NAME_ENTITY,
    NAME_HASH,
    NAME_OFFICE,
    NAME_PERIOD,
    NAME_PERSON,
    NAME_PLAN_DATA,
    NAME_PLAN_DIGEST,
    NAME_PLAN_ID,
    NAME_VERSION,
    NAME_YEAR,
    REGISTRY_HEADERS,
    SHEET_META,
    TABLE_REGISTRY,
    TEMPLATE_VERSION,
    col_letter,
    encode_plan,
    locked_hash,
    quote_sheet,
)


def plan_digest(plan: Plan) -> str:
    """sha256 of a plan part without its inputs: which version of the plan made a file.

    Consolidation compares it with the current plan's, cheaply, for every returned file.
    Actuals, references and measure values are what offices type (a master carries
    them), so they are left out: only what the controller decides identifies the plan's version.
    """
    data = plan_to_data(plan)
    for measure in data.get("misure", []):
        measure.pop("valori", None)        # typed by offices, like actuals
    for area in data.get("ambiti", []):
        for os_ in area.get("obiettivi", []):
            for ind in _all_indicators(os_):
                ind.pop("consuntivi", None)
                ind.pop("riferimenti", None)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _all_indicators(os_: dict) -> list[dict]:
    return [*os_.get("indicatori", []),
            *(i for oo in os_.get("obiettivi_operativi", []) for i in oo.get("indicatori", []))]


def write_meta(wb: Workbook, ws: Worksheet, book: Book) -> str:
    """Write identity and registry; returns the tamper hash it stored."""
    digest = locked_hash(book.locked)
    entries = [
        (NAME_PLAN_ID, "Piano", book.plan.id),
        (NAME_ENTITY, "Ente", book.plan.entity),
        (NAME_YEAR, "Anno", book.year),
        (NAME_PERIOD, "Periodo", book.period),
        (NAME_OFFICE, "Ufficio", book.office or ""),
        (NAME_VERSION, "Versione modello", TEMPLATE_VERSION),
        (NAME_HASH, "Impronta dati bloccati", digest),
        (NAME_PLAN_DIGEST, "Impronta del piano", plan_digest(book.plan)),
    ]
    if book.person:     # an individual scorecard (docs/individual.md)
        entries.append((NAME_PERSON, "Persona", book.person))
    for r, (name, label, value) in enumerate(entries):
        ws.write_string(r, 0, label)
        if isinstance(value, int):
            ws.write_number(r, 1, value)
        else:
            write_text(ws, book.styles, r, 1, str(value), "plain")
        wb.define_name(name, f"={quote_sheet(SHEET_META)}!$B${r + 1}")
    top = len(entries) + 1
    for k, sheet in enumerate(book.sheets, top + 1):
        values = (sheet.objective.code, sheet.level, sheet.name, sheet.table, sheet.grade_name)
        for c, value in enumerate(values):
            write_text(ws, book.styles, k, c, value, "plain")
        wb.define_name(sheet.grade_name, f"={quote_sheet(sheet.name)}!{sheet.grade_cell()}")
    ws.add_table(top, 0, top + max(len(book.sheets), 1), len(REGISTRY_HEADERS) - 1, {
        "name": TABLE_REGISTRY, "autofilter": False,
        "columns": [{"header": h} for h in REGISTRY_HEADERS]})
    # The plan part itself, so that `ricalcola` needs nothing but the workbook.
    chunks = encode_plan(plan_to_data(book.plan))
    data_col = len(REGISTRY_HEADERS) + 1
    for k, chunk in enumerate(chunks):
        ws.write_string(k, data_col, chunk)
    letter = col_letter(data_col)
    wb.define_name(NAME_PLAN_DATA,
                   f"={quote_sheet(SHEET_META)}!${letter}$1:${letter}${len(chunks)}")
    ws.set_column(0, 4, 24)
    ws.protect(book.password or "")
    ws.hide()
    return digest
