"""Benchmark: how long ``write_workbook`` takes, against a bare XlsxWriter write of the same cells.

Run from the repository root::

    python benchmarks/bench_generate.py            # best of 3 runs per plan
    python benchmarks/bench_generate.py --quick    # one run per plan

For two deterministic synthetic plans (60 OS / 300 KPI and 600 OS / 3,000 KPI, validated
with ``validate_plan``) it times ``write_workbook(plan, path)`` and a BASELINE: the generated
workbook is read once (openpyxl read-only for formulas and constants, calamine for the
formulas' cached values) to collect every non-empty cell, then a plain
``xlsxwriter.Workbook`` (XlsxWriter defaults) writes those same values to the same sheet
names and cells with ``write_string`` / ``write_number`` / ``write_datetime`` /
``write_formula`` only: no formats (so no formatted blank cells), tables, validations,
conditional formats, charts, defined names or protection. The ratio ours / baseline is the
overhead of everything the generator does beyond putting the values in the file (grading
the plan in Python, formats, tables, validation, conditional formats, the tamper hash).
Target: ≤ 1.5. Runs of ours and of the baseline are interleaved; best of 3 (1 with --quick).

Peak memory is how far the process RSS high-water mark rises above the RSS before the
first timed ``write_workbook`` run (Linux: /proc/self/clear_refs resets the mark), so no
tracing slows the timed runs; "n/a" where /proc is not available.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmark the working tree, installed or not
    sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import xlsxwriter  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from cruscotto_xl.core.model import Plan  # noqa: E402
from cruscotto_xl.core.plan_checks import validate_plan  # noqa: E402
from cruscotto_xl.core.problems import has_errors  # noqa: E402
from cruscotto_xl.io.planfile import plan_from_data  # noqa: E402
from cruscotto_xl.workbook import _Workbook, write_workbook  # noqa: E402

TARGET_RATIO = 1.5
YEAR = 2024
OFFICES = ("Registro Imprese", "Promozione e Sviluppo", "Regolazione del Mercato",
           "Segreteria Generale", "Risorse Umane", "Contabilità e Provveditorato")

# --- synthetic plans ---------------------------------------------------------------------

# (target text, verso, unit, actual met, actual missed); the six target kinds of the brief.
TARGETS: tuple[tuple[str, str | None, str | None, Any, Any], ...] = (
    (">= 70,00 %", "crescente", "%", 0.8125, 0.62),
    ("<= 10 gg", "decrescente", "gg", 8.0, 12.5),
    ("<= -10 N.", "decrescente", "N.", -12.0, -5.0),
    (f"Entro 31-12-{YEAR}", None, None, f"{YEAR}-10-15", f"{YEAR + 1}-01-10"),
    ("Sì", None, None, "Sì", "No"),
    ("= 0,23 N.", None, "N.", 0.23, 0.25),
)


def _weights(n: int) -> list[float]:
    """``n`` weights with two decimals summing to exactly 100 (the last takes the rest)."""
    base = 10000 // n
    cents = [base] * (n - 1) + [10000 - base * (n - 1)]
    return [c / 100 for c in cents]


def _indicator(code: str, k: int, weight: float) -> dict[str, Any]:
    text, verso, unit, met, missed = TARGETS[k % len(TARGETS)]
    ind: dict[str, Any] = {
        "codice": code,
        "nome": f"Indicatore {code}: misura sintetica n. {k} dell'attività dell'ufficio",
        "algoritmo": f"N. pratiche evase {code} / N. pratiche ricevute",
        "peso": weight,
        "target": {YEAR: text},
    }
    if verso:
        ind["verso"] = verso
    if unit:
        ind["unita"] = unit
    if text.endswith("%"):
        ind["numeratore"] = "N. pratiche evase"
        ind["denominatore"] = "N. pratiche ricevute"
    if k % 3 != 2:  # two indicators out of three have an actual, met or missed
        actual: dict[str, Any] = {"anno": YEAR, "valore": met if k % 2 == 0 else missed}
        if text.endswith("%") and k % 2 == 0:
            actual.update(numeratore=65.0, denominatore=80.0)
        if k % 5 == 0:
            actual["nota"] = "Dato rilevato dal sistema gestionale"
        ind["consuntivi"] = [actual]
    return ind


def _indicators(prefix: str, n: int, start: int) -> list[dict[str, Any]]:
    return [_indicator(f"{prefix}_{j + 1:02d}", start + j, w)
            for j, w in enumerate(_weights(n))]


def synthetic_plan_data(n_os: int, kpi_per_os: int = 5, n_areas: int = 4) -> dict[str, Any]:
    """A plan of ``n_os`` OS with ``kpi_per_os`` indicators each, spread over the areas.

    The OS own their indicators in four patterns, in turn: all directly; through one OO;
    through two OO; two directly and the rest through one OO (mixed OS).
    """
    areas = []
    os_counter = 0
    k = 0  # running indicator number: cycles the target kinds
    per_area = [n_os // n_areas + (1 if a < n_os % n_areas else 0) for a in range(n_areas)]
    for a, (n, area_weight) in enumerate(zip(per_area, _weights(n_areas), strict=True), 1):
        objectives = []
        for os_weight in _weights(n):
            os_counter += 1
            code = f"{os_counter:03d}"
            os_: dict[str, Any] = {
                "codice": code,
                "titolo": f"OS {code} Miglioramento dei servizi dell'ambito {a}",
                "peso": os_weight,
                "uffici": [OFFICES[os_counter % len(OFFICES)]],
            }
            pattern = os_counter % 4
            if pattern == 0:
                os_["indicatori"] = _indicators(code, kpi_per_os, k)
            elif pattern == 1:
                os_["obiettivi_operativi"] = [
                    {"codice": f"{code}.01", "titolo": f"OO {code}.01 Azione unica",
                     "peso": 100.0, "indicatori": _indicators(f"{code}.01", kpi_per_os, k)}]
            elif pattern == 2:
                first = kpi_per_os // 2
                os_["obiettivi_operativi"] = [
                    {"codice": f"{code}.01", "titolo": f"OO {code}.01 Prima azione",
                     "peso": 60.0, "indicatori": _indicators(f"{code}.01", first, k)},
                    {"codice": f"{code}.02", "titolo": f"OO {code}.02 Seconda azione",
                     "peso": 40.0,
                     "indicatori": _indicators(f"{code}.02", kpi_per_os - first, k + first)},
                ]
            else:
                direct = min(2, kpi_per_os - 1)
                os_["indicatori"] = _indicators(code, direct, k)
                os_["obiettivi_operativi"] = [
                    {"codice": f"{code}.01", "titolo": f"OO {code}.01 Azione collegata",
                     "peso": 100.0, "uffici": [OFFICES[(os_counter + 1) % len(OFFICES)]],
                     "indicatori": _indicators(f"{code}.01", kpi_per_os - direct, k + direct)}]
            k += kpi_per_os
            objectives.append(os_)
        areas.append({"codice": f"A{a}", "titolo": f"Ambito strategico {a}",
                      "peso": area_weight, "obiettivi": objectives})
    return {
        "ente": "Camera di Commercio Sintetica",
        "anno": YEAR,
        "titolo": f"Piano sintetico {n_os} OS",
        "uffici": [{"nome": o} for o in OFFICES],
        "ambiti": areas,
    }


def synthetic_plan(n_os: int) -> Plan:
    plan = plan_from_data(synthetic_plan_data(n_os), f"<sintetico {n_os} OS>")
    problems = validate_plan(plan)
    if has_errors(problems):
        raise SystemExit("synthetic plan invalid:\n" + "\n".join(map(str, problems[:20])))
    return plan


# --- baseline ------------------------------------------------------------------------------

Cell = tuple[int, int, str, Any, Any]  # row, col, kind, value, cached value (formulas)


def collect_cells(path: Path) -> list[tuple[str, list[Cell]]]:
    """Every non-empty cell of every sheet of ``path``, as (sheet name, cells).

    openpyxl (read-only) gives the formulas as text and the typed constants; calamine gives
    the cached values of the formulas, so the baseline writes the same ``<v>`` too.
    """
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    cached = CalamineWorkbook.from_path(str(path))
    sheets = []
    for ws in formulas.worksheets:
        grid = cached.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
        cells: list[Cell] = []
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if v is None:
                    continue
                r, c = cell.row - 1, cell.column - 1
                if cell.data_type == "f":
                    cells.append((r, c, "f", str(v), _cached_value(grid, r, c)))
                elif isinstance(v, bool):
                    cells.append((r, c, "b", v, None))
                elif isinstance(v, datetime | date | dtime):
                    cells.append((r, c, "d", v, None))
                elif isinstance(v, int | float):
                    cells.append((r, c, "n", v, None))
                else:
                    cells.append((r, c, "s", str(v), None))
        sheets.append((ws.title, cells))
    formulas.close()
    return sheets


def _cached_value(grid: list[list[Any]], r: int, c: int) -> Any:
    """A formula's cached value as XlsxWriter takes it: a number or a text."""
    try:
        v = grid[r][c]
    except IndexError:
        return ""
    return v if isinstance(v, int | float) else str(v)


def write_baseline(sheets: list[tuple[str, list[Cell]]], path: Path, tuned: bool = False) -> None:
    """The same cells with a bare XlsxWriter: no formats, tables, validation or names.

    ``tuned`` gives the baseline the two settings the generator uses (in-memory parts and
    no dynamic-array formula pass), to show what is left once both sides are equal.
    """
    cls = _Workbook if tuned else xlsxwriter.Workbook
    wb = cls(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                         "strings_to_numbers": False, "in_memory": tuned})
    for name, cells in sheets:
        ws = wb.add_worksheet(name)
        for r, c, kind, value, cached in cells:
            if kind == "f":
                ws.write_formula(r, c, value, None, "" if cached is None else cached)
            elif kind == "s":
                ws.write_string(r, c, value)
            elif kind == "n":
                ws.write_number(r, c, value)
            elif kind == "d":
                ws.write_datetime(r, c, value)
            else:
                ws.write_boolean(r, c, value)
    wb.close()


# --- measuring -----------------------------------------------------------------------------

def _status_kib(field: str) -> int | None:
    """A ``VmRSS``/``VmHWM`` line of /proc/self/status, in KiB (None off Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the process's RSS high-water mark (Linux >= 4.0: ``5`` > clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        return False
    return True


def timed(fn: Callable[[], object], *, peak: bool = False) -> tuple[float, int | None]:
    """Wall time of one call and, with ``peak``, how far the process RSS high-water mark
    rose above the RSS before it (bytes; None where /proc is not available)."""
    gc.collect()
    measure = peak and _reset_peak_rss()
    before = _status_kib("VmRSS") if measure else None
    t0 = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t0
    high = _status_kib("VmHWM") if measure else None
    rise = (high - before) * 1024 if before is not None and high is not None else None
    return seconds, rise


@dataclass
class Result:
    label: str
    sheets: int
    cells: int
    ours: float
    baseline: float
    tuned: float
    file_size: int
    baseline_size: int
    peak: int | None

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline


def bench(n_os: int, runs: int, tmp: Path) -> Result:
    """Best of ``runs`` for ours and the baseline, runs interleaved so that a burst of load
    on a shared machine hits both; the first run of ours also measures its peak memory."""
    plan = synthetic_plan(n_os)
    n_kpi = sum(1 for _ in plan.indicators())
    ours_path = tmp / f"ours-{n_os}.xlsx"
    base_path = tmp / f"baseline-{n_os}.xlsx"
    first, peak = timed(lambda: write_workbook(plan, ours_path), peak=True)
    ours_times = [first]
    sheets = collect_cells(ours_path)  # the baseline writes what ours wrote
    base_times = []
    tuned_times = []
    for i in range(runs):
        if i:
            ours_times.append(timed(lambda: write_workbook(plan, ours_path))[0])
        base_times.append(timed(lambda: write_baseline(sheets, base_path))[0])
        tuned_times.append(timed(lambda: write_baseline(sheets, base_path, tuned=True))[0])
    print(f"[{n_os} OS: ours {', '.join(f'{t:.2f}' for t in ours_times)} s; baseline "
          f"{', '.join(f'{t:.2f}' for t in base_times)} s]", file=sys.stderr)
    return Result(f"{n_os} OS / {n_kpi:,} KPI", len(sheets), sum(len(c) for _, c in sheets),
                  min(ours_times), min(base_times), min(tuned_times), ours_path.stat().st_size,
                  base_path.stat().st_size, peak)


def print_table(results: list[Result], runs: int) -> None:
    head = ("plan", "sheets", "cells", "ours s", "baseline s", "ratio", "tuned s",
            "ratio tuned", "file KiB", "baseline KiB", "ours peak MiB")
    rows = [(r.label, str(r.sheets), f"{r.cells:,}", f"{r.ours:.3f}", f"{r.baseline:.3f}",
             f"{r.ratio:.2f}", f"{r.tuned:.3f}", f"{r.ours / r.tuned:.2f}",
             f"{r.file_size / 1024:,.0f}", f"{r.baseline_size / 1024:,.0f}",
             "n/a" if r.peak is None else f"{r.peak / 2**20:.1f}") for r in results]
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=True)]
    print(f"\nwrite_workbook vs bare XlsxWriter (best of {runs} run(s); ours peak = rise of "
          "the process RSS high-water mark during its first run)")
    for line in (head, tuple("-" * w for w in widths), *rows):
        print("  ".join(x.rjust(w) if i else x.ljust(w)
                        for i, (x, w) in enumerate(zip(line, widths, strict=True))))
    for r in results:
        verdict = "met" if r.ratio <= TARGET_RATIO else "NOT met"
        print(f"{r.label}: ratio {r.ratio:.2f} -> target <= {TARGET_RATIO} {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per plan instead of 3")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else 3
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-cruscotto-") as tmp:
        for n_os in (60, 600):
            results.append(bench(n_os, runs, Path(tmp)))
    print_table(results, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
