"""The Relazione as a Word document (python-docx), from the same model as the HTML.

The Relazione is edited in Word before the Giunta approves it, so the DOCX is plain and
editable: built-in heading styles, real tables (header row repeated on each page), the
charts as pictures, traffic lights as cell shading. Every text is a plain run (python-docx
escapes it for XML); characters XML cannot hold are dropped, never interpreted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell

from ..core.lights import Light
from ..workbook.styles import style_sheet
from .report_model import (
    Block,
    Cell,
    Document,
    Figure,
    Heading,
    Kpis,
    Pair,
    Paragraph,
    Run,
    Table,
)

#: Characters XML 1.0 cannot carry (a workbook's text may hold them): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DOT = "●"
_PAGE_WIDTH_CM = 18.0


def _plain(value: str) -> str:
    return _NOT_XML.sub("", value)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper()[:6])


def _shade(cell: _Cell, hex_colour: str) -> None:
    """Background of a table cell (w:shd); the colour comes from our style sheet."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_colour.lstrip("#").upper()[:6])
    cell._tc.get_or_add_tcPr().append(shd)


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


class _Writer:
    def __init__(self) -> None:
        self.doc: DocxDocument = new_document()
        self.colors: dict[str, str] = style_sheet()["colori"]
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(1.5))
        section.top_margin = section.bottom_margin = Cm(1.8)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(9)  # type: ignore[attr-defined]
        normal.font.name = style_sheet()["font"]["nome"]  # type: ignore[attr-defined]

    def runs(self, paragraph: object, runs: Iterable[Run], *, size: float | None = None) -> None:
        for run in runs:
            light: Light | None = run.dot or run.badge
            if light:
                dot = paragraph.add_run(_DOT + " ")  # type: ignore[attr-defined]
                dot.font.color.rgb = _rgb(self.colors[f"{light}_testo"])
                if size:
                    dot.font.size = Pt(size)
            piece = paragraph.add_run(_plain(run.text))  # type: ignore[attr-defined]
            piece.bold = run.bold or bool(run.badge)
            if run.badge:
                piece.font.color.rgb = _rgb(self.colors[f"{run.badge}_testo"])
            if size:
                piece.font.size = Pt(size)

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            self.runs(self.doc.add_heading("", level=min(block.level, 4)), block.runs)
        elif isinstance(block, Paragraph):
            para = self.doc.add_paragraph()
            size = {"note": 8.0, "meta": 8.0, "entity": 12.0, "sub": 11.0}.get(block.style)
            self.runs(para, block.runs, size=size)
            if block.style == "entity":
                for run in para.runs:
                    run.bold = True
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.doc.add_picture(io.BytesIO(block.png), width=Cm(_PAGE_WIDTH_CM * 0.95))
            caption = self.doc.add_paragraph(_plain(block.alt))
            caption.runs[0].font.size = Pt(7.5)
            caption.runs[0].italic = True
        elif isinstance(block, Kpis):
            table = self.doc.add_table(rows=1, cols=len(block.items))
            table.style = "Table Grid"
            for cell, kpi in zip(table.rows[0].cells, block.items, strict=True):
                cell.paragraphs[0].add_run(_plain(kpi.label)).font.size = Pt(8)
                big = cell.add_paragraph()
                self.runs(big, (Run(kpi.value, bold=True, dot=kpi.dot),), size=16)
                cell.add_paragraph().add_run(_plain(kpi.sub)).font.size = Pt(8)
                if kpi.light:
                    _shade(cell, self.colors[kpi.light])
            self.doc.add_paragraph()
        elif isinstance(block, Pair):
            for inner in (*block.left, *block.right):
                self.block(inner)

    def table(self, table: Table) -> None:
        out = self.doc.add_table(rows=1, cols=len(table.headers))
        out.style = "Table Grid"
        out.alignment = WD_TABLE_ALIGNMENT.CENTER
        head = out.rows[0]
        _repeat_header(head)
        for cell, (title, numeric) in zip(head.cells, table.headers, strict=True):
            run = cell.paragraphs[0].add_run(_plain(title))
            run.bold = True
            run.font.size = Pt(7.5)
            run.font.color.rgb = _rgb(self.colors["intestazione_testo"])
            _shade(cell, self.colors["intestazione"])
            if numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for row in table.rows:
            cells = out.add_row().cells
            for cell, value in zip(cells, row.cells, strict=True):
                self.cell(cell, value, bold=row.style in ("ambito", "ente"))
        if table.widths:
            total = sum(table.widths)
            for column, width in zip(out.columns, table.widths, strict=True):
                for cell in column.cells:
                    cell.width = Cm(_PAGE_WIDTH_CM * width / total)
        self.doc.add_paragraph()

    def cell(self, cell: _Cell, value: Cell, *, bold: bool) -> None:
        para = cell.paragraphs[0]
        if value.light:
            dot = para.add_run(_DOT + " ")
            dot.font.color.rgb = _rgb(self.colors[f"{value.light}_testo"])
            dot.font.size = Pt(7.5)
            if value.numeric:
                _shade(cell, self.colors[value.light])
        run = para.add_run(_plain(value.text))
        run.font.size = Pt(7.5)
        run.bold = bold or value.style == "errore"
        if value.style in ("errore", "avviso"):
            colour = "rosso_testo" if value.style == "errore" else "giallo_testo"
            run.font.color.rgb = _rgb(self.colors[colour])
        if value.small:
            small = cell.add_paragraph().add_run(_plain(value.small))
            small.font.size = Pt(6.5)
        if value.numeric:
            for p in cell.paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def render_docx(document: Document) -> bytes:
    """The report as a .docx file's bytes: cover, then each section (numbered as in HTML)."""
    writer = _Writer()
    writer.doc.core_properties.title = _plain(document.title)[:255]
    for block in document.cover:
        writer.block(block)
    for n, section in enumerate(document.sections, 1):
        writer.doc.add_heading(_plain(f"{n}. {section.title}"), level=2)
        for block in section.blocks:
            writer.block(block)
    buf = io.BytesIO()
    writer.doc.save(buf)
    return buf.getvalue()
