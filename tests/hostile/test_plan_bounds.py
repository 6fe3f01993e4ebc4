"""Group D of issue 15, cause 11: the plan part carried in the hidden sheet is bounded by
what the workbook needs (its size before decoding and once inflated, and its indicators
against the workbook's rows), for ``consolida`` and ``ricalcola`` alike: such a file is
refused at once and the others are consolidated."""

from __future__ import annotations

import json
import resource
import subprocess
import time

import pytest
from support.hostile_d import (
    CRUSCOTTO,
    cell_value,
    describe,
    make_returns,
    oversized_plan_part,
    run,
    traceback_free,
)

from cruscotto_xl.workbook.layout import MAX_PLAN_BYTES, MAX_PLAN_TEXT, decode_plan, encode_plan


@pytest.mark.parametrize("megabytes", [8, 0.25])
def test_consolida_refuses_an_oversized_plan_part(tmp_path, megabytes):
    plan, folder, books = make_returns(tmp_path)
    oversized_plan_part(books["Ufficio A"], megabytes)
    start = time.perf_counter()
    result = run("consolida", folder, "--piano", plan, "--out", tmp_path / "m.xlsx", "--json")
    seconds = time.perf_counter() - start
    assert traceback_free(result), describe(result)
    data = json.loads(result.output)
    states = {s["file"]: s["stato"] for s in data["uffici"]}
    assert cell_value(tmp_path / "m.xlsx", "K3") == 12
    assert states.get(books["Ufficio A"].name) == "rifiutata", (states, seconds)
    assert seconds < 10


def test_ricalcola_refuses_an_oversized_plan_part_quickly(tmp_path):
    _, _, books = make_returns(tmp_path)
    oversized_plan_part(books["Ufficio A"], 8)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    start = time.perf_counter()
    try:
        done = subprocess.run([CRUSCOTTO, "ricalcola", str(books["Ufficio A"])],
                              capture_output=True, text=True, timeout=30, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        pytest.fail("ricalcola still running after 30 s")
    seconds = time.perf_counter() - start
    assert done.returncode == 1 and "rifiutato" in done.stdout + done.stderr and seconds < 10, \
        f"exit {done.returncode} after {seconds:.1f} s: {done.stdout[-300:]} {done.stderr[-300:]}"


def test_decode_refuses_too_much_text_before_decoding():
    chunks = ["A" * 30000] * (MAX_PLAN_TEXT // 30000 + 1)
    with pytest.raises(ValueError, match="troppo grandi"):
        decode_plan(chunks)


def test_decode_refuses_json_that_inflates_past_the_bound():
    chunks = encode_plan({"x": "a" * (MAX_PLAN_BYTES + 10)})
    assert sum(map(len, chunks)) < MAX_PLAN_TEXT         # small text, large JSON
    with pytest.raises(ValueError, match="espansi"):
        decode_plan(chunks)


def test_a_real_plan_part_still_decodes():
    data = {"ente": "E", "anno": 2024, "ambiti": [{"codice": "A", "testo": "é" * 100_000}]}
    assert decode_plan(encode_plan(data)) == data
