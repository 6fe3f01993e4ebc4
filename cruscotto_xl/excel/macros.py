"""The ribbon macros: Ricalcola, Valida, Aggiorna riepilogo, Consolida, Nuovo anno.

Each button of the add-in runs ``RunPython "import cruscotto_xl.excel.macros as m; m.x()"``;
the macro works on the workbook that was active (:meth:`XlwingsPort.caller`). All the work
is done by the core and the reader; the macro only moves data through a :class:`BookPort`
in bulk: every sheet is read once and written back as a few rectangles, never cell by
cell. Tests pass an :class:`~cruscotto_xl.excel.port.OpenpyxlPort` instead of Excel.

Messages for the user go to ``port.alert`` (a message box in Excel), in Italian.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

from ..core.history import HISTORY_HEADERS, measure_changes, value_changes
from ..core.plan_checks import validate_plan
from ..core.problems import Location, Problem
from ..core.vocabulary import (
    cell_number,
    counted,
    format_date,
    format_number,
    value_text,
    yes_no_text,
)
from ..errors import UserError, internal_message, record_internal_error
from ..returns.consolidate import consolidate as consolidate_folder
from ..returns.consolidate import graded_plan
from ..returns.read import Reading
from ..returns.refresh import RefreshError, refreshed_book
from ..returns.sign import RECONFIRM, ConfirmAgainError, signoff_values
from ..services.generate import write_new_year
from ..workbook import render_book
from ..workbook.book import Book
from ..workbook.cells import fit_height
from ..workbook.layout import (
    HISTORY_FIRST_ROW,
    INDICATOR_INDEX,
    INPUT_KEYS,
    MACRO_RESULTS_COLUMN,
    MACRO_RESULTS_HEADERS,
    MACRO_RESULTS_WIDTHS,
    MEASURE_INDEX,
    SHEET_CHECKS,
    SHEET_HISTORY,
    SHEET_MEASURES,
    SHEET_OFFICES,
    SHEET_SUMMARY,
    col_letter,
)
from ..workbook.sheets.checks import HEADER_ROW as CHECKS_HEADER_ROW
from ..workbook.sheets.offices import CHECK_WIDTHS, HISTORY_WIDTHS, OFFICE_HEADERS, OFFICE_WIDTHS
from ..workbook.styles import style_sheet
from .port import Block, BookPort, SheetData, XlwingsPort, cell_position, excel_value
from .reading import PortSource, read_port

TITLE = "Cruscotto"
MAX_LISTED = 12          # problems shown in the message box; all are on the Controlli sheet
TOLERANCE = 1e-9


class MacroError(UserError):
    """The macro cannot run on this workbook (the message says why, in Italian)."""




@dataclass
class MacroResult:
    """What a macro did: shown to the user, asserted by tests."""

    title: str
    message: str
    ok: bool = True
    problems: list[Problem] = field(default_factory=list)
    cells: int = 0                      # formula cells written
    mismatches: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _run(title: str, port: BookPort | None,
         work: Callable[[BookPort], MacroResult]) -> MacroResult:
    """Run a button's work and show its outcome in a message box (docs/errors.md): a user
    error with its problems; anything else as an internal error with its reference and the
    log file of its traceback, never as a fault of the workbook."""
    port = port if port is not None else XlwingsPort.caller()
    try:
        result = work(port)
    except UserError as exc:
        problems = list(getattr(exc, "problems", []) or [])
        result = MacroResult(title, _with_problems(str(exc), problems), False, problems)
    except Exception as exc:   # a bug: the button says so and where its traceback is
        incident = record_internal_error(exc, f"pulsante {title}")
        message = internal_message(incident, f"del pulsante {title}")
        if incident.log is None:
            message += "\n\n" + incident.traceback
        result = MacroResult(title, message[:1].upper() + message[1:], False)
    port.alert(result.message, f"{TITLE} — {title}")
    return result


def _with_problems(text: str, problems: list[Problem]) -> str:
    if not problems:
        return text
    lines = [f"• {p.location}: {p.message}" for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"… e altri {len(problems) - MAX_LISTED} (elenco completo nel foglio "
                     f"{SHEET_CHECKS})")
    return text + "\n\n" + "\n".join(lines)


# --------------------------------------------------------------------------- writing


def rectangles(coords: Iterable[str],
               free: Callable[[int, int], bool] | None = None) -> list[tuple[int, int, int, int]]:
    """Cells grouped into few full rectangles by a column sweep: (row, col, rows, cols).

    ``free(row, col)`` says a cell outside ``coords`` may be written too (it is empty and
    not an input), so a column's formula cells separated by empty cells make one run. Our
    formula cells sit in whole columns of tables: a sheet gives a handful of rectangles
    whatever its number of rows. 0-based.
    """
    by_col: dict[int, list[int]] = {}
    for coord in coords:
        r, c = cell_position(coord)
        by_col.setdefault(c, []).append(r)
    done: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], tuple[int, int]] = {}   # (r0, r1) -> (c0, c1)
    for c in sorted(by_col):
        rows = sorted(by_col[c])
        runs, start = [], rows[0]
        for prev, cur in pairwise(rows):
            if cur != prev + 1 and not (free and all(free(r, c) for r in range(prev + 1, cur))):
                runs.append((start, prev))
                start = cur
        runs.append((start, rows[-1]))
        if free:    # grow a run to the rows of the run on its left when the gap is free
            for i, (s, e) in enumerate(runs):
                for r0, r1 in (r for r, (_, c1) in open_runs.items() if c1 == c - 1):
                    if r0 <= s and e <= r1 and (r0, r1) != (s, e) and (r0, r1) not in runs \
                            and all(free(r, c) for r in (*range(r0, s), *range(e + 1, r1 + 1))):
                        runs[i] = (r0, r1)
                        break
        for run in list(open_runs):
            if run not in runs or open_runs[run][1] != c - 1:
                c0, c1 = open_runs.pop(run)
                done.append((run[0], c0, run[1] - run[0] + 1, c1 - c0 + 1))
        for run in runs:
            c0 = open_runs[run][0] if run in open_runs else c
            open_runs[run] = (c0, c)
    for (r0, r1), (c0, c1) in open_runs.items():
        done.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    return sorted(done)


def _coord(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def fit_block(port: BookPort, sheet: str, row: int, col: int, block: Block,
              widths: Sequence[float],
              beside: Callable[[int], float | None] | None = None) -> None:
    """Lay out a block of texts a macro wrote at (row, col) as the generator lays out the
    same sheet: its columns' widths, its texts wrapped, and each row the height its
    wrapped texts need (workbook/cells.py: the generator's own rule, so no text prints
    over the next row). ``beside(r)`` is the height that row ``r`` needs for cells left
    of the block, in the sheet's other columns."""
    port.column_widths(sheet, col, widths)
    if not block:
        return
    port.wrap_text(sheet, row, col, len(block), len(widths))
    heights = []
    for i, line in enumerate(block):
        mine, theirs = fit_height(line, widths), beside(row + i) if beside else None
        heights.append(max(mine or 0, theirs or 0) or None)
    port.row_heights(sheet, row, heights)


def write_results(port: BookPort, book: Book, source: PortSource,
                  inputs: set[tuple[str, str]], sheets: set[str] | None = None) -> int:
    """Formulas and the values they must show, sheet by sheet, in few rectangles.

    Empty cells between formula cells (never an input cell) are written empty, which
    keeps a sheet to a handful of writes.
    """
    by_sheet: dict[str, list[str]] = {}
    for sheet, coord in book.formulas:
        if sheets is None or sheet in sheets:
            by_sheet.setdefault(sheet, []).append(coord)
    count = 0
    for sheet, coords in by_sheet.items():
        data = source.data(sheet)

        def free(r: int, c: int, data: SheetData = data, sheet: str = sheet) -> bool:
            coord = _coord(r, c)
            value = data.values[r][c] if r < len(data.values) and c < len(data.values[r]) \
                else ""
            return value in ("", None) and coord not in data.formulas \
                and (sheet, coord) not in inputs

        for r0, c0, nr, nc in rectangles(coords, free):
            cells = [[_coord(r0 + i, c0 + j) for j in range(nc)] for i in range(nr)]
            port.write_formulas(
                sheet, r0, c0,
                [[book.formulas.get((sheet, c), "") for c in line] for line in cells],
                [[excel_value(book.cached.get((sheet, c), "")) for c in line]
                 for line in cells])
            count += sum((sheet, c) in book.formulas for line in cells for c in line)
    return count


def _same(shown: object, expected: object) -> bool:
    if isinstance(shown, date):          # a date-formatted cell: compare its serial
        shown = cell_number(shown)
    if shown is None:
        shown = ""
    if isinstance(expected, int | float) and isinstance(shown, int | float) \
            and not isinstance(shown, bool):
        return abs(float(shown) - float(expected)) <= TOLERANCE * max(1.0, abs(float(expected)))
    return shown == expected


def verify(source: PortSource, book: Book,
           sheets: set[str] | None = None) -> list[str]:
    """Cells where the host's computed value differs from the grading engine's."""
    by_sheet: dict[str, list[str]] = {}
    for sheet, coord in book.cached:
        if sheets is None or sheet in sheets:
            by_sheet.setdefault(sheet, []).append(coord)
    out = []
    for sheet, coords in by_sheet.items():
        source.forget(sheet)
        values = source.sheet(sheet)
        for coord in coords:
            r, c = cell_position(coord)
            shown = values[r][c] if r < len(values) and c < len(values[r]) else ""
            expected = book.cached[(sheet, coord)]
            if not _same(shown, expected):
                out.append(f"{sheet}!{coord}: Excel {value_text(shown)}, "
                           f"motore {value_text(expected)}")
    return out


def _recompute(port: BookPort, title: str, sheets: set[str] | None) -> MacroResult:
    reading, source = read_port(port)
    book = refreshed_book(reading)
    cells = write_results(port, book, source, _input_cells(reading), sheets)
    port.calculate()
    mismatches = verify(source, book, sheets)
    where = ("del riepilogo" if sheets else
             "in " + counted(len({s for s, _ in book.formulas}), "foglio", "fogli"))
    if mismatches:
        text = (f"{counted(cells, 'cella ricalcolata', 'celle ricalcolate')} {where}; "
                f"{counted(len(mismatches), 'valore di Excel diverso', 'valori di Excel diversi')}"
                " dal motore di calcolo:\n"
                + "\n".join(mismatches[:MAX_LISTED]))
    else:
        text = (f"{counted(cells, 'cella ricalcolata', 'celle ricalcolate')} {where}: "
                "valori uguali al "
                "motore di calcolo.")
    if reading.problems:
        said = counted(len(reading.problems), "segnalazione", "segnalazioni")
        text = _with_problems(text + f"\n{said} sui dati:",
                              reading.problems)
    return MacroResult(title, text, not mismatches, reading.problems, cells, mismatches)


def ricalcola(port: BookPort | None = None) -> MacroResult:
    """Recompute grades, Riepilogo and Controlli of the active workbook (button Ricalcola)."""
    return _run("Ricalcola", port, lambda p: _recompute(p, "Ricalcola", None))


def aggiorna_riepilogo(port: BookPort | None = None) -> MacroResult:
    """Recompute only the Riepilogo sheet (button Aggiorna riepilogo)."""
    return _run("Aggiorna riepilogo", port,
                lambda p: _recompute(p, "Aggiorna riepilogo", {SHEET_SUMMARY}))


# --------------------------------------------------------------------------- Valida


def _problem_cell(problem: Problem) -> tuple[str, str] | None:
    """(sheet, cell) of a problem located at a cell of a sheet, else None."""
    where = problem.where
    return (where.sheet, where.cell) if where.sheet and where.cell else None


def _input_cells(reading: Reading) -> set[tuple[str, str]]:
    """Every input cell of the workbook: the indicators' and the Misure sheet's."""
    return {(ind.sheet, ind.cells[k]) for ind in reading.indicators.values()
            for k in INPUT_KEYS} | {(m.sheet, m.cell) for m in reading.measures.values()}


def report_on_checks(port: BookPort, source: PortSource, reading: Reading, heading: str,
                     problems: list[Problem]) -> None:
    """List ``problems`` beside the Controlli table and colour their input cells.

    The previous list (of an earlier Valida or Consolida) is overwritten in the same single
    write, and the cells it had coloured get back the input colour first.
    """
    colors = style_sheet()["colori"]
    values = source.sheet(SHEET_CHECKS)
    col, top = MACRO_RESULTS_COLUMN, CHECKS_HEADER_ROW
    old: list[tuple[str, str]] = []
    r = top + 1
    while r < len(values) and col + 2 < len(values[r]) and values[r][col] not in ("", None):
        old.append((str(values[r][col + 1]), str(values[r][col + 2])))
        r += 1
    inputs = _input_cells(reading)
    rows: list[list[object]] = []
    marked: dict[str, dict[str, list[str]]] = {}
    for p in problems:
        cell = _problem_cell(p)
        sheet, coord = cell if cell and cell in inputs else ("", "")
        rows.append([p.severity, sheet, coord, p.subject, p.message])
        if sheet:
            color = colors["rosso"] if p.severity == "errore" else colors["giallo"]
            marked.setdefault(sheet, {}).setdefault(color, []).append(coord)
    width = len(MACRO_RESULTS_HEADERS)
    block: list[list[object]] = [
        [f"{heading} — {datetime.now():%d/%m/%Y %H:%M}"] + [""] * (width - 1),
        [counted(len(problems), "segnalazione", "segnalazioni")] + [""] * (width - 1),
        [""] * width,
        list(MACRO_RESULTS_HEADERS),
        *rows,
    ]
    block += [[""] * width for _ in range(max(0, len(old) - len(rows)))]
    port.write_values(SHEET_CHECKS, top - 3, col, block)
    tables = source.table_bounds(SHEET_CHECKS)

    def beside(r: int) -> float | None:
        """The height the tables left of the list need at row ``r`` (their cells wrap)."""
        line = values[r] if r < len(values) else []
        texts = [line[c] if c < len(line) and any(r0 <= r <= r1 and c0 <= c <= c1
                                                  for r0, c0, r1, c1 in tables) else None
                 for c in range(len(CHECK_WIDTHS))]
        return fit_height(texts, CHECK_WIDTHS)

    fit_block(port, SHEET_CHECKS, top, col, block[3:], MACRO_RESULTS_WIDTHS, beside)
    source.forget(SHEET_CHECKS)
    restore: dict[str, list[str]] = {}
    for sheet, coord in old:
        if (sheet, coord) in inputs:
            restore.setdefault(sheet, []).append(coord)
    for sheet, coords in restore.items():
        port.fill(sheet, coords, colors["input"])
    for sheet, by_color in marked.items():
        for color, coords in by_color.items():
            port.fill(sheet, coords, color)


def _validate(port: BookPort) -> MacroResult:
    reading, source = read_port(port)
    problems = list(reading.problems)
    embedded = Location(file=reading.path.name, sheet="piano")
    # A person's scorecard embeds only their part (docs/individual.md), checked with the
    # whole plan by `genera --individuali`: its areas and weights are not a plan's.
    if not reading.identity.person:
        problems += [Problem(embedded, p.message, p.severity, p.subject)
                     for p in validate_plan(reading.embedded_plan())]
    try:
        refreshed_book(reading)
    except RefreshError as exc:        # locked cells changed: listed, not refused
        problems += exc.problems or [Problem(Location(file=reading.path.name), str(exc))]
    report_on_checks(port, source, reading, "Esito di Valida", problems)
    errors = sum(p.severity == "errore" for p in problems)
    if not problems:
        text = "Nessun problema: pesi, valori inseriti e dati bloccati sono in ordine."
    else:
        text = _with_problems(f"{counted(errors, 'errore', 'errori')} e "
                              f"{counted(len(problems) - errors, 'avviso', 'avvisi')} (elenco nel "
                              f"foglio {SHEET_CHECKS}, celle evidenziate):", problems)
    return MacroResult("Valida", text, errors == 0, problems)


def valida(port: BookPort | None = None) -> MacroResult:
    """Check weights, inputs and locked cells; list them in Controlli (button Valida)."""
    return _run("Valida", port, _validate)


# --------------------------------------------------------------------------- Consolida


def write_inputs(port: BookPort, book: Book) -> None:
    """The input columns of every objective table, one rectangle per sheet."""
    cols = [INDICATOR_INDEX[k] for k in INPUT_KEYS]
    if cols != list(range(cols[0], cols[0] + len(cols))):
        raise AssertionError("input columns must be contiguous")   # layout contract
    for sheet in book.sheets:
        if not sheet.rows:
            continue
        block = [[_input_value(getattr(row, key)) for key in INPUT_KEYS] for row in sheet.rows]
        port.write_values(sheet.name, sheet.rows[0].row, cols[0], block)
    if book.measures:           # the Misure sheet's value column (workbook/sheets/measures.py)
        port.write_values(SHEET_MEASURES, book.measures[0].row, MEASURE_INDEX["value"],
                          [[_input_value(m.value)] for m in book.measures])


def _input_value(value: object) -> object:
    """An input as the generator writes it: a milestone as «Sì»/«No», never TRUE/FALSE
    (which the grade formula reads as an invalid value)."""
    if isinstance(value, bool):
        return yes_no_text(value)
    return excel_value(value)


def _consolidate(port: BookPort, folder: Path | None) -> MacroResult:
    reading, source = read_port(port)
    ident = reading.identity
    if ident.office:
        raise MacroError(f"{reading.path.name} è la cartella dell'ufficio «{ident.office}»: "
                         "Consolida va eseguito sulla cartella principale del piano")
    if ident.person:
        raise MacroError(f"{reading.path.name} è una scheda individuale: Consolida va "
                         "eseguito sulla cartella principale del piano")
    refreshed_book(reading)             # refuses a workbook whose locked cells changed
    if reading.office_actuals or any(s.indicator.transversal is not None
                                     for s in reading.embedded_plan().indicators()):
        # the button writes the open book's own cells, not the Trasversali block: the
        # offices' own values would be lost (docs/transversal.md)
        raise MacroError("il piano ha indicatori trasversali: consolidare con il comando "
                         "«cruscotto consolida» (il pulsante Consolida non aggiorna il "
                         "foglio Trasversali); niente è stato modificato")
    folder = folder or port.ask_folder("Cartella con le cartelle degli uffici")
    if folder is None:
        return MacroResult("Consolida", "Nessuna cartella scelta: niente è stato modificato.")
    if not folder.is_dir():
        raise MacroError(f"la cartella {folder} non esiste")
    plan = reading.embedded_plan()
    exclude = {port.path} if port.path else set()
    result = consolidate_folder(folder, plan, year=ident.year, period=ident.period,
                                exclude=exclude)
    before = reading.held_plan()
    graded = graded_plan(result, before)
    now = datetime.now().replace(microsecond=0)
    changes = [*value_changes(before, graded, ident.year, ident.period, result.sources, now),
               *measure_changes(before, graded, ident.year, ident.period,
                                result.measure_sources, now)]
    book = render_book(graded, year=ident.year, period=ident.period, with_actuals=True)
    write_inputs(port, book)
    cells = write_results(port, book, source, _input_cells(reading))
    width = len(OFFICE_HEADERS)
    port.add_sheet(SHEET_OFFICES)
    statuses = [[s.office, s.state, s.file, s.modified or "", s.missing_values, s.problems,
                 s.signoff] for s in result.statuses]
    previous = source.sheet(SHEET_OFFICES)      # an earlier Consolida's rows, to clear
    block = [[f"Stato degli uffici — {plan.entity} {ident.year}"] + [""] * (width - 1),
             [""] * width, list(OFFICE_HEADERS), *statuses]
    block += [[""] * width for _ in range(max(0, len(previous) - len(block)))]
    port.write_values(SHEET_OFFICES, 0, 0, block)
    fit_block(port, SHEET_OFFICES, 2, 0, block[2:], OFFICE_WIDTHS)
    _append_history(port, source, f"Storico dei valori — {plan.entity} {ident.year}",
                    [r.cells() for r in changes])
    port.calculate()
    mismatches = verify(source, book)
    report_on_checks(port, source, reading, f"Esito di Consolida ({folder})", result.problems)
    returned = sum(s.state != "mancante" for s in result.statuses)
    text = (f"{counted(result.files, 'file letto', 'file letti')} nella cartella {folder}; "
            f"{counted(returned, 'ufficio', 'uffici')} su {format_number(len(result.statuses), 0)}"
            f" con una cartella; {counted(cells, 'cella ricalcolata', 'celle ricalcolate')}. "
            f"Stato nel foglio {SHEET_OFFICES}.")
    if mismatches:
        text += ("\n" + counted(len(mismatches), "valore di Excel diverso",
                                 "valori di Excel diversi") + " dal motore di calcolo.")
    text = _with_problems(text, result.problems)
    return MacroResult("Consolida", text, not mismatches, result.problems, cells, mismatches)


def _append_history(port: BookPort, source: PortSource, title: str,
                    rows: list[tuple[object, ...]]) -> None:
    """Add this Consolida's value changes below the rows the ``Storico valori`` sheet has."""
    port.add_sheet(SHEET_HISTORY)
    width = len(HISTORY_HEADERS)
    kept = [list(r[:width]) + [""] * (width - len(r[:width]))
            for r in source.sheet(SHEET_HISTORY)[HISTORY_FIRST_ROW:]
            if any(v not in (None, "") for v in r)]
    block = [[title] + [""] * (width - 1), [""] * width, list(HISTORY_HEADERS), *kept,
             *[[excel_value(v) for v in r] for r in rows]]
    port.write_values(SHEET_HISTORY, 0, 0, block)
    fit_block(port, SHEET_HISTORY, 2, 0, block[2:], HISTORY_WIDTHS)


def consolida(port: BookPort | None = None, folder: Path | str | None = None) -> MacroResult:
    """Fill the active master workbook from a folder of office workbooks (button Consolida)."""
    return _run("Consolida", port,
                lambda p: _consolidate(p, Path(folder) if folder is not None else None))


# --------------------------------------------------------------------------- Nuovo anno


def _new_year(port: BookPort, out_dir: Path | None, per_office: bool) -> MacroResult:
    reading, _ = read_port(port)
    ident = reading.identity
    if ident.office:
        raise MacroError(f"{reading.path.name} è la cartella dell'ufficio «{ident.office}»: "
                         "Nuovo anno va eseguito sulla cartella principale del piano")
    plan = reading.held_plan()
    year = ident.year + 1
    base = port.path.parent if port.path else Path.cwd()
    new = write_new_year(plan, year, out_dir or base / f"cruscotto-{year}",
                         per_office=per_office)
    if not new.written:
        raise MacroError(_with_problems(f"piano {year} con errori: nessun file scritto",
                                        [p for p in new.problems if p.severity == "errore"]))
    generated = new.generated
    text = (f"Piano {year} scritto in {new.plan_path} ("
            f"{counted(len(new.rollover.changed), 'indicatore', 'indicatori')} "
            f"con target aggiornato, registrati nello storico delle modifiche); "
            f"{counted(len(generated), 'cartella', 'cartelle')} per il periodo {new.period} "
            f"generate in "
            f"{new.plan_path.parent}.")
    warnings = [p for p in new.problems if p.severity != "errore"]
    if warnings:
        lines = [f"• {p.subject}: {p.message}" for p in warnings[:MAX_LISTED]]
        if len(warnings) > MAX_LISTED:
            lines.append("… e " + counted(len(warnings) - MAX_LISTED, "altro avviso",
                                          "altri avvisi"))
        text += "\n\nDa verificare nel nuovo piano:\n" + "\n".join(lines)
    return MacroResult("Nuovo anno", text, True, [], 0, [],
                       [new.plan_path, *(g.path for g in generated)])


def nuovo_anno(port: BookPort | None = None, out_dir: Path | str | None = None,
               per_office: bool = True) -> MacroResult:
    """Next year's plan and templates from the active plan workbook (button Nuovo anno)."""
    return _run("Nuovo anno", port, lambda p: _new_year(
        p, Path(out_dir) if out_dir is not None else None, per_office))


# --------------------------------------------------------------------------- Firma


def _sign(port: BookPort) -> MacroResult:
    reading, _ = read_port(port)
    names = port.defined_names()

    def write(values: dict[str, object]) -> None:
        for name, value in values.items():
            sheet, ref = names[name]
            row, col = cell_position(ref.split(":")[0])
            port.write_values(sheet, row, col, [[excel_value(value)]])

    try:
        signature, values = signoff_values(reading)
    except ConfirmAgainError as exc:
        write(RECONFIRM)
        raise MacroError(f"{exc}. La conferma precedente è stata annullata: verificare i "
                         "valori, scegliere di nuovo «Sì» in «Confermo i dati» e premere "
                         "Firma.") from None
    write(values)
    role = f" ({signature.role})" if signature.role else ""
    when = format_date(signature.when) if signature.when else ""
    return MacroResult("Firma", f"Dati confermati da {signature.signer}{role} il {when}. "
                                "Salvare la cartella e restituirla: una modifica successiva "
                                "sarà segnalata al consolidamento.")


def firma(port: BookPort | None = None) -> MacroResult:
    """Seal the office's confirmation typed in the Validazione sheet (button Firma)."""
    return _run("Firma", port, _sign)


__all__ = ["MacroError", "MacroResult", "aggiorna_riepilogo", "consolida", "firma",
           "nuovo_anno", "rectangles", "ricalcola", "valida"]
