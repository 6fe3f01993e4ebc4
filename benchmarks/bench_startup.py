"""Benchmark: how long the command line takes to start, against a bare Python.

Every command pays the import of ``cruscotto_xl.cli.app`` before doing anything. The
baseline is ``python -c pass`` in the same interpreter, measured alternately with the
probe in the same run (these machines are noisy: absolute times mean little). A second
line measures ``typer`` + ``rich`` alone: what a command line of this kind cannot avoid.

    python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PROBES = {
    "python -c pass": "pass",
    "typer + rich": "import typer, rich.console, rich.table, rich.progress",
    "cruscotto_xl.cli.app": "import cruscotto_xl.cli.app",
}


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {name: [] for name in PROBES}
    for _ in range(runs):
        for name, code in PROBES.items():      # alternate: a burst of load hits all
            times[name].append(_time(code))
    base = statistics.median(times["python -c pass"])
    print(f"median of {runs} runs; ratio = probe / python -c pass")
    print(f"{'probe':<24}{'median s':>10}{'ratio':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<24}{median:>10.3f}{median / base:>8.1f}")


if __name__ == "__main__":
    main()
