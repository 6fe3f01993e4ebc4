"""The measures of a flat table and the indicators' formulas over them (docs/tabella.md,
«Misure e formule»): a table of measures (a sheet «Misure», or a block below the indicators
whose header has «Codice misura»), the «Misure», «Codice misura» and «Misura» cells of an
indicator row, and its «Formula» cell."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from ...core.formula import FormulaError, format_formula, measures_of, parse_formula
from ...core.model import NamedMeasure
from ...core.problems import Location, Problem, Severity
from ...io.planfile import error_message
from ...workbook.layout import col_letter
from ..measures import MeasureBook, NotUnderstood, looks_like_code, names_codes, read_algorithm
from .cells import Cell, _blank, _text
from .columns import measure_columns

#: One measure written in a cell: ``N_ImprAtt Numero imprese attive``, ``N_ImprAtt: …``,
#: ``N_ImprAtt = …``, ``N_ImprAtt - …``.
_DEFINITION = re.compile(r"^(?P<code>[^\s=]+?)\s*(?:=|:\s|\s[-–]\s|\s)\s*(?P<name>\S.*)$")
_ITEMS = re.compile(r"\s*(?:\n|;)\s*")


class TableMeasures:
    """Collects the measures of one table (first definition kept, a different name for the
    same code is an error naming both rows) and reads the formulas."""

    def __init__(self, source: Path, sheet: str | None, problems: list[Problem]) -> None:
        self.source = source
        self.sheet = sheet
        self.problems = problems
        self.book = MeasureBook()

    def _where(self, lineno: int, sheet: str | None) -> str:
        return f"foglio «{sheet}», riga {lineno}" if sheet and sheet != self.sheet \
            else f"riga {lineno}"

    def _problem(self, lineno: int, message: str, sheet: str | None = None, cell: str = "",
                 severity: Severity = "errore", subject: str = "") -> None:
        self.problems.append(Problem(Location(file=self.source.name, sheet=sheet or "",
                                              cell=cell, lines=(lineno,)),
                                     message, severity, subject))

    def define(self, lineno: int, data: dict[str, str | None], sheet: str | None = None
               ) -> None:
        """One measure definition of row ``lineno`` (code, name, unit, office, source,
        description); what cannot be a measure is reported."""
        code, name = data.get("code") or "", data.get("name") or ""
        if not code:
            self._problem(lineno, f"misura «{name}» senza codice: non importata (i codici "
                                  "servono alle formule)", sheet)
            return
        if not name:
            self._problem(lineno, f"misura «{code}» senza nome: non importata; scrivere il "
                                  "nome nella colonna «Misura»", sheet, subject=code)
            return
        try:
            measure = NamedMeasure.model_validate(
                {key: value for key, value in data.items() if value})
        except ValidationError as exc:
            error = exc.errors()[0]
            self._problem(lineno, f"misura «{code}»: {error_message(dict(error))}", sheet,
                          subject=code)
            return
        for message in self.book.define(measure, self._where(lineno, sheet)):
            self._problem(lineno, message + ": correggere la tabella", sheet, subject=code)

    def read_table(self, rows: list[tuple[int, list[Cell]]], at: int,
                   sheet: str | None = None) -> None:
        """A table of measures: ``rows[at]`` is its header (:func:`measure_columns`)."""
        columns = measure_columns(rows[at][1], sheet)
        assert columns is not None
        for lineno, cells in rows[at + 1:]:
            def get(key: str, cells: list[Cell] = cells) -> str | None:
                i = columns.get(key)
                return _text(cells[i]) or None if i is not None and i < len(cells) else None

            if all(_blank(c) for c in cells):
                continue
            name = get("name") or (get("description") if "name" not in columns else None)
            self.define(lineno, {"code": get("code"), "name": name, "unit": get("unit"),
                                 "office": get("office"), "source": get("source"),
                                 "description": get("description")
                                 if "name" in columns else None}, sheet)

    def cells_of_row(self, lineno: int, measures: str, code: str, name: str,
                     subject: str) -> None:
        """The «Misure» cell (``CODE Name; CODE Name``) and the «Codice misura» and
        «Misura» cells of an indicator row."""
        for item in (i for i in _ITEMS.split(measures) if i):
            found = _DEFINITION.match(item)
            if found is None:
                self._problem(lineno, f"colonna «Misure»: «{item}» non è «codice nome della "
                                      "misura» (es. «N_ImprAtt Numero imprese attive»): non "
                                      "importata", subject=subject)
                continue
            self.define(lineno, {"code": found["code"], "name": found["name"].strip()})
        if code or name:
            self.define(lineno, {"code": code, "name": name})

    def formula(self, text: str, lineno: int, column: int, header: str, subject: str
                ) -> str | None:
        """The formula of a «Formula» cell, canonical (core/formula.py); codes followed by
        their names (``ProvStrut Proventi strutturali / …``) define those measures too.
        None when it cannot be read (an error with the cell, the text and the position)."""
        cell = f"{col_letter(column)}{lineno}"
        error = None
        try:
            expr = parse_formula(text)
        except FormulaError as exc:
            error = exc
        else:
            if any(looks_like_code(c) or c in self.book.measures for c in measures_of(expr)):
                return format_formula(expr)
        if not names_codes(text) and not any(word in self.book.measures
                                             for word in re.findall(r"[\w.]+", text)):
            # «Pratiche evase / Pratiche ricevute»: words, not measure codes
            self._problem(lineno, f"colonna «{header}» (cella {cell}): «{text}» non usa codici "
                                  "di misura (come «N_ImprAtt») né misure della tabella: non è "
                                  "una formula sulle misure, tenuta come algoritmo (testo)",
                          self.sheet, cell, "avviso", subject)
            return None
        try:
            found = read_algorithm(text)
        except NotUnderstood as exc:
            reason = error if error is not None else f"formula «{text}»: {exc}"
            self._problem(lineno, f"colonna «{header}» (cella {cell}): {reason}: scrivere la "
                                  "formula con codici di misura, numeri, + - × ÷ e parentesi",
                          self.sheet, cell, subject=subject)
            return None
        for message in self.book.add(found.measures, self._where(lineno, None)):
            self._problem(lineno, message + ": correggere la tabella", subject=subject)
        for item in found.measures:
            if item.written != item.code:
                self._problem(lineno, f"colonna «{header}»: codice di misura «{item.written}» "
                                      f"letto come «{item.code}» («-», «:» e «%» in una formula "
                                      "sono operatori)", severity="avviso", subject=subject)
        return found.formula

    def measures(self) -> list[NamedMeasure]:
        return list(self.book.measures.values())
