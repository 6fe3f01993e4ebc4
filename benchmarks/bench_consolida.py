"""Benchmark: how long ``consolidate`` takes, against a bare python-calamine read of the files.

Run from the repository root::

    python benchmarks/bench_consolida.py             # best of 3 runs per size
    python benchmarks/bench_consolida.py --quick     # one run per size
    python benchmarks/bench_consolida.py --profile   # cProfile the largest size in any case
    python benchmarks/bench_consolida.py --no-profile --sizes 100   # ~10 s once cached

For N = 100 and N = 1,000 offices it builds a deterministic synthetic plan (validated with
``validate_plan``) in which each office owns one OS (``uffici: [office]``) of 4 OO × 5
indicators, i.e. 20 indicators per office, with the target kinds of ``bench_generate.py``
(``>= 70,00 %``, ``<= 10 gg``, ``<= -10 N.``, ``Entro 31-12-2024``, ``Sì``, ``= 0,23 N.``).
SETUP, not timed: one workbook per office (``write_workbook(plan, path, office=office)``)
filled with ``fill_workbook(path, sample_typed(plan, year))``, on all cores. The folder is
cached in the system temp dir, keyed by the plan and the template version, and checked
(identity and integrity of the first and last file) before it is reused; ``--regenerate``
forces a new one.

Timed: ``consolidate(folder, plan)`` and a BASELINE, the bare read of the same files with
python-calamine: ``CalamineWorkbook.from_path(p)``, ``to_python()`` of every sheet, then
``close()``, file by file. The ratio consolidate / baseline is the cost of everything
``consolidate`` does beyond getting the cells out of the files (the untrusted-file guard,
the defined names, tables and formula texts, lenient values and checks, the tamper hash,
the per-office plan parts, the merge). Target: ≤ 3. Runs of the two are interleaved; best
of 3 (1 with --quick), but a measurement is not repeated once one run of it took over
``LONG_RUN`` s (20): its noise is small beside it, and the full run stays near 5 minutes.
``write_master(result, out)`` is timed separately, with the same rule. Before timing,
every file is read once so both sides find it in the page cache.

Where the time goes: consolidate reads on every core, in worker processes that timers
in this process cannot see; so, after the timed runs, one more run on one core (in this
process, not timed for the ratio) has the functions it calls wrapped with timers
(``read_workbook`` and, inside it, ``check_package``, ``read_index``, ``sheet_formulas``;
``identity_problems``, ``plan_part``, ``integrity_problems``, ``signoff_check``,
``owed_value``, ``_merge``), about a dozen calls per file at a microsecond each. The
package code is not changed.

Peak memory is how far the process RSS high-water mark rises above the RSS before the
first timed ``consolidate`` run (Linux: /proc/self/clear_refs resets the mark); "n/a" where
/proc is not available. When the ratio of the largest size is above the target (or with
``--profile``) one more run is profiled with cProfile, printed by cumulative and by
internal time and saved beside the cached folder (``consolidate.prof``); that run is on
one core too, for the same reason.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import hashlib
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmark the working tree, installed or not
    sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the helpers of bench_generate.py, imported as a module
    sys.path.insert(0, str(HERE))

from bench_generate import YEAR, _indicator, _weights, timed  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

import cruscotto_xl.returns.consolidate as consolidate_module  # noqa: E402
import cruscotto_xl.returns.read as read_module  # noqa: E402
from cruscotto_xl.core.model import FINAL_PERIOD, Plan  # noqa: E402
from cruscotto_xl.core.plan_checks import validate_plan  # noqa: E402
from cruscotto_xl.core.problems import has_errors  # noqa: E402
from cruscotto_xl.io.planfile import plan_from_data  # noqa: E402
from cruscotto_xl.returns.consolidate import (  # noqa: E402
    RETURNED,
    Consolidation,
    consolidate,
    write_master,
)
from cruscotto_xl.returns.integrity import identity_problems, integrity_problems  # noqa: E402
from cruscotto_xl.returns.read import read_workbook  # noqa: E402
from cruscotto_xl.services.filling import fill_workbook, sample_typed  # noqa: E402
from cruscotto_xl.workbook import workbook_jobs, write_workbook  # noqa: E402
from cruscotto_xl.workbook.layout import TEMPLATE_VERSION  # noqa: E402

TARGET_RATIO = 3.0
LONG_RUN = 20.0  # s: a run this long is not repeated (its noise is small beside it)
SIZES = (100, 1000)
OO_PER_OFFICE = 4
KPI_PER_OO = 5
N_AREAS = 4
DEPARTMENTS = ("Registro Imprese", "Promozione", "Regolazione del Mercato",
               "Segreteria", "Risorse Umane", "Contabilità")

# --- synthetic plan --------------------------------------------------------------------------


def office_name(i: int) -> str:
    return f"Ufficio {i:04d} {DEPARTMENTS[i % len(DEPARTMENTS)]}"


def synthetic_plan_data(n_offices: int) -> dict[str, Any]:
    """``n_offices`` OS, one per office, each of 4 OO × 5 indicators, over 4 areas."""
    offices = [office_name(i) for i in range(1, n_offices + 1)]
    per_area = [n_offices // N_AREAS + (1 if a < n_offices % N_AREAS else 0)
                for a in range(N_AREAS)]
    areas = []
    os_counter = 0
    k = 0  # running indicator number: cycles the target kinds
    for a, (n, area_weight) in enumerate(zip(per_area, _weights(N_AREAS), strict=True), 1):
        objectives = []
        for os_weight in _weights(n):
            os_counter += 1
            code = f"{os_counter:04d}"
            operational = []
            for j, oo_weight in enumerate(_weights(OO_PER_OFFICE), 1):
                oo_code = f"{code}.{j:02d}"
                indicators = [_indicator(f"{oo_code}_{m + 1:02d}", k + m, w)
                              for m, w in enumerate(_weights(KPI_PER_OO))]
                k += KPI_PER_OO
                operational.append({"codice": oo_code, "titolo": f"OO {oo_code} Azione {j}",
                                    "peso": oo_weight, "indicatori": indicators})
            objectives.append({
                "codice": code,
                "titolo": f"OS {code} Miglioramento dei servizi dell'ambito {a}",
                "peso": os_weight,
                "uffici": [offices[os_counter - 1]],
                "obiettivi_operativi": operational,
            })
        areas.append({"codice": f"A{a}", "titolo": f"Ambito strategico {a}",
                      "peso": area_weight, "obiettivi": objectives})
    return {
        "ente": "Camera di Commercio Sintetica",
        "anno": YEAR,
        "titolo": f"Piano sintetico {n_offices} uffici",
        "uffici": [{"nome": o} for o in offices],
        "ambiti": areas,
    }


def synthetic_plan(n_offices: int) -> Plan:
    plan = plan_from_data(synthetic_plan_data(n_offices), f"<sintetico {n_offices} uffici>")
    problems = validate_plan(plan)
    if has_errors(problems):
        raise SystemExit("synthetic plan invalid:\n" + "\n".join(map(str, problems[:20])))
    return plan


# --- setup: the office workbooks, generated once and cached ----------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(n_offices: int) -> None:
    """Each worker builds the (deterministic) plan itself: no 20,000-indicator pickles."""
    plan = plan_from_data(synthetic_plan_data(n_offices), "<sintetico>")
    _WORKER.update(plan=plan, typed=sample_typed(plan, plan.year))


def _make_office_workbook(job: tuple[str, Path]) -> int:
    office, path = job
    write_workbook(_WORKER["plan"], path, office=office)
    return fill_workbook(path, _WORKER["typed"])


def cache_dir(n_offices: int) -> Path:
    data = json.dumps(synthetic_plan_data(n_offices), ensure_ascii=False, sort_keys=True)
    key = hashlib.sha256(f"{data}|{TEMPLATE_VERSION}".encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"bench-cruscotto-consolida-{n_offices}-{key}"


def _cache_ok(folder: Path, plan: Plan, n_offices: int) -> bool:
    marker = folder / "complete.json"
    files = sorted((folder / "uffici").glob("*.xlsx")) if marker.exists() else []
    if len(files) != n_offices:
        return False
    for path in (files[0], files[-1]):  # made by this working tree's writer and plan?
        try:
            reading = read_workbook(path)
        except Exception:
            return False
        if (identity_problems(reading, plan, plan.year, FINAL_PERIOD)
                or integrity_problems(reading, plan)):
            return False
    return True


def office_folder(plan: Plan, n_offices: int, regenerate: bool) -> tuple[Path, float | None]:
    """The folder of filled office workbooks, and how long generating it took (None: cached)."""
    folder = cache_dir(n_offices)
    if not regenerate and _cache_ok(folder, plan, n_offices):
        return folder / "uffici", None
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "uffici").mkdir(parents=True)
    jobs = [(office, path) for office, path in
            workbook_jobs(plan, folder / "uffici", per_office=True)]
    print(f"[{n_offices} uffici: generating and filling {len(jobs):,} workbooks in "
          f"{folder} ...]", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, initializer=_init_worker,
                             initargs=(n_offices,)) as pool:
        filled = list(pool.map(_make_office_workbook, jobs, chunksize=8))
    seconds = time.perf_counter() - t0
    expected = OO_PER_OFFICE * KPI_PER_OO
    if any(f != expected for f in filled):
        raise SystemExit(f"fill_workbook filled {Counter(filled)} indicators, not {expected}")
    (folder / "complete.json").write_text(json.dumps({"files": len(jobs), "seconds": seconds}))
    return folder / "uffici", seconds


# --- baseline ----------------------------------------------------------------------------------


def baseline_read(files: list[Path]) -> int:
    """The bare read: every sheet of every file with python-calamine, each book closed."""
    cells = 0
    for path in files:
        book = CalamineWorkbook.from_path(str(path))
        try:
            for name in book.sheet_names:
                cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
        finally:
            book.close()
    return cells


def warm_page_cache(files: list[Path]) -> int:
    return sum(len(p.read_bytes()) for p in files)


# --- where the time goes: the functions consolidate calls, wrapped with timers ---------------

# (module or class, attribute, label); indented labels run inside the one above them.
PHASES: tuple[tuple[Any, str, str], ...] = (
    (consolidate_module, "read_workbook", "read_workbook"),
    (read_module, "check_package", "  of which check_package (guard)"),
    (read_module, "read_index", "  of which read_index (defined names)"),
    (read_module, "sheet_formulas", "  of which sheet_formulas (formula texts)"),
    (consolidate_module, "identity_problems", "identity_problems"),
    (consolidate_module, "plan_part", "plan_part (each office's part)"),
    (consolidate_module, "integrity_problems", "integrity_problems (hash, plan digest)"),
    (consolidate_module, "signoff_check", "signoff_check (sign-off fingerprint)"),
    (consolidate_module, "owed_value", "owed_value (values still owed)"),
    (consolidate_module, "_merge", "_merge"),
)


@contextmanager
def one_core() -> Iterator[None]:
    """consolidate in this process only: worker processes' time is invisible to the timers
    and to cProfile, so the split and the profile come from a run of their own."""
    saved = consolidate_module.PARALLEL_FROM
    consolidate_module.PARALLEL_FROM = sys.maxsize
    try:
        yield
    finally:
        consolidate_module.PARALLEL_FROM = saved


@contextmanager
def phase_timers() -> Iterator[dict[str, list[float]]]:
    """Wrap the phases' functions for the duration of the block: label → [calls, seconds]."""
    totals: dict[str, list[float]] = {label: [0, 0.0] for _, _, label in PHASES}
    saved = []

    def wrap(fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed_fn(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label][0] += 1
                totals[label][1] += time.perf_counter() - t0
        return timed_fn

    for owner, attr, label in PHASES:
        original = (owner.__dict__ if isinstance(owner, type) else vars(owner)).get(attr)
        if original is None:  # renamed in the working tree: that row stays at zero
            continue
        saved.append((owner, attr, original))
        setattr(owner, attr, wrap(original, label))
    try:
        yield totals
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Result:
    offices: int
    files: int
    indicators: int
    consolidate: float
    baseline: float
    master: float
    consolidate_runs: int
    master_runs: int
    peak: int | None
    generation: float | None
    master_size: int
    breakdown: tuple[float, dict[str, list[float]]]
    cpu_consolidate: float | None = None
    cpu_baseline: float | None = None

    @property
    def ratio(self) -> float:
        return self.consolidate / self.baseline

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu_consolidate is None or not self.cpu_baseline:
            return None
        return self.cpu_consolidate / self.cpu_baseline


def cpu_seconds() -> float | None:
    """CPU time of this process and of its ended children (consolidate's worker processes
    end with each call), or None where ``resource`` is not available (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _cpu_timed(fn: Callable[[], object], cpu: list[float], **kwargs: Any
               ) -> tuple[float, int | None]:
    before = cpu_seconds()
    out = timed(fn, **kwargs)
    after = cpu_seconds()
    if before is not None and after is not None:
        cpu.append(after - before)
    return out


def _check(result: Consolidation, n_offices: int) -> None:
    """The run merged what was typed: every office returned, no error, every indicator."""
    states = Counter(s.state for s in result.statuses)
    errors = [p for p in result.problems if p.severity == "errore"]
    n_kpi = n_offices * OO_PER_OFFICE * KPI_PER_OO
    if states != {RETURNED: n_offices} or errors or len(result.typed) != n_kpi:
        shown = "\n".join(map(str, errors[:10]))
        raise SystemExit(f"unexpected consolidation: {dict(states)}, {len(errors)} errors, "
                         f"{len(result.typed)} values of {n_kpi}\n{shown}")


def bench(n_offices: int, runs: int, tmp: Path, regenerate: bool, master: bool = True
          ) -> tuple[Result, Plan, Path]:
    """Best of ``runs``, consolidate and baseline interleaved; a measurement stops repeating
    once one run of it took over LONG_RUN s. The first consolidate run measures the peak."""
    plan = synthetic_plan(n_offices)
    folder, generation = office_folder(plan, n_offices, regenerate)
    files = sorted(folder.glob("*.xlsx"))
    warm_page_cache(files)
    out = tmp / f"master-{n_offices}.xlsx"
    holder: list[Consolidation] = []
    cons_times: list[float] = []
    base_times: list[float] = []
    master_times: list[float] = []
    cons_cpu: list[float] = []
    base_cpu: list[float] = []
    peak = None
    for i in range(runs):
        if not cons_times or max(cons_times) <= LONG_RUN:
            holder.clear()
            seconds, rise = _cpu_timed(lambda: holder.append(consolidate(folder, plan)),
                                       cons_cpu, peak=i == 0)
            if i == 0:
                peak = rise
                _check(holder[0], n_offices)
            cons_times.append(seconds)
        base_times.append(_cpu_timed(lambda: baseline_read(files), base_cpu)[0])
    result = holder[0]
    with one_core(), phase_timers() as phases:      # the split: one more run, on one core
        split = timed(lambda: consolidate(folder, plan))[0]
    for _ in range(runs if master else 0):
        if master_times and max(master_times) > LONG_RUN:
            break
        out.unlink(missing_ok=True)  # no backup of the previous run's master
        master_times.append(timed(lambda: write_master(result, out))[0])
    print(f"[{n_offices} uffici: consolidate {', '.join(f'{t:.2f}' for t in cons_times)} s; "
          f"baseline {', '.join(f'{t:.2f}' for t in base_times)} s; write_master "
          f"{', '.join(f'{t:.2f}' for t in master_times)} s]", file=sys.stderr, flush=True)
    return (Result(n_offices, result.files, sum(1 for _ in plan.indicators()),
                   min(cons_times), min(base_times), min(master_times, default=0.0),
                   len(cons_times), len(master_times), peak, generation,
                   out.stat().st_size if master_times else 0, (split, phases),
                   min(cons_cpu, default=None), min(base_cpu, default=None)), plan, folder)


def profile(folder: Path, plan: Plan, top: int = 20) -> str:
    """cProfile of one run, kept beside the cached folder for ``python -m pstats``."""
    profiler = cProfile.Profile()
    with one_core():
        profiler.runcall(consolidate, folder, plan)
    dump = folder.parent / "consolidate.prof"
    profiler.dump_stats(dump)
    out = io.StringIO(f"(saved to {dump})\n")
    out.seek(0, io.SEEK_END)
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    for key in ("cumulative", "tottime"):
        out.write(f"\n--- top {top} by {key} ---\n")
        stats.sort_stats(key).print_stats(top)
    return out.getvalue()


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=True)]
    for line in (head, tuple("-" * w for w in widths), *rows):
        print("  ".join(x.rjust(w) if i else x.ljust(w)
                        for i, (x, w) in enumerate(zip(line, widths, strict=True))))


def print_results(results: list[Result], runs: int) -> None:
    print(f"\nconsolidate vs bare python-calamine read (best of {runs} run(s), runs over "
          f"{LONG_RUN:g} s not repeated; peak = rise of the process RSS high-water mark during "
          "the first consolidate run; setup = generating and filling the workbooks)")
    head = ("offices", "files", "indicators", "runs", "consolidate s", "baseline s", "ratio",
            "cpu ratio", "ms/file", "base ms/file", "write_master s", "master KiB", "peak MiB",
            "setup s")
    rows = [(f"{r.offices:,}", f"{r.files:,}", f"{r.indicators:,}",
             f"{r.consolidate_runs}/{r.master_runs}", f"{r.consolidate:.3f}",
             f"{r.baseline:.3f}", f"{r.ratio:.2f}",
             "n/a" if r.cpu_ratio is None else f"{r.cpu_ratio:.2f}",
             f"{1000 * r.consolidate / r.files:.1f}",
             f"{1000 * r.baseline / r.files:.2f}",
             f"{r.master:.3f}" if r.master_runs else "n/a",
             f"{r.master_size / 1024:,.0f}" if r.master_runs else "n/a",
             "n/a" if r.peak is None else f"{r.peak / 2**20:.1f}",
             "cached" if r.generation is None else f"{r.generation:.1f}") for r in results]
    _table(head, rows)
    print("(runs = consolidate runs / write_master runs; cpu ratio = CPU seconds of consolidate, "
          "its worker processes included, over the baseline's, best run of each: the work "
          "done, whatever the load of the machine and the number of cores)")
    for r in results:
        total, totals = r.breakdown
        print(f"\nwhere consolidate's time goes, {r.offices:,} offices (one more run on one "
              f"core, in this process, so that the timers see it: {total:.3f} s; indented "
              "rows run inside the row above)")
        top = sum(s for (_, _, label), (_, s) in zip(PHASES, totals.values(), strict=True)
                  if not label.startswith(" "))
        body = [(label, f"{int(calls):,}", f"{s:.3f}", f"{1000 * s / r.files:.2f}",
                 f"{100 * s / total:.0f} %") for label, (calls, s) in totals.items()]
        rest = total - top
        body.append(("rest (the per-file report, listing, statuses)", "", f"{rest:.3f}",
                     f"{1000 * rest / r.files:.2f}", f"{100 * rest / total:.0f} %"))
        _table(("phase", "calls", "s", "ms/file", "share"), body)
    print()
    for r in results:
        verdict = "met" if r.ratio <= TARGET_RATIO else "NOT met"
        print(f"{r.offices:,} offices: ratio {r.ratio:.2f} -> target <= {TARGET_RATIO:g} "
              f"{verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per size instead of 3")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=list(SIZES), help="numbers of offices (default 100,1000)")
    parser.add_argument("--regenerate", action="store_true",
                        help="regenerate the cached office workbooks")
    parser.add_argument("--no-master", action="store_true",
                        help="do not time write_master (minutes at 1,000 offices)")
    profiling = parser.add_mutually_exclusive_group()
    profiling.add_argument("--profile", action="store_true",
                           help="cProfile the largest size even if the target is met")
    profiling.add_argument("--no-profile", action="store_true",
                           help="no cProfile even if the target is not met")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else 3
    results = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-cruscotto-") as tmp:
        last: tuple[Plan, Path] | None = None
        for n in sorted(args.sizes):
            result, plan, folder = bench(n, runs, Path(tmp), args.regenerate,
                                         master=not args.no_master)
            results.append(result)
            last = (plan, folder)
        print_results(results, runs)
        if last and not args.no_profile and (args.profile or results[-1].ratio > TARGET_RATIO):
            print(f"\ncProfile of consolidate, {results[-1].offices:,} offices:")
            print(profile(last[1], last[0]))
    print(f"[total {time.perf_counter() - started:.0f} s]", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
