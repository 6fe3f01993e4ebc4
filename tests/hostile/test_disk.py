"""Group D of issue 15, causes 16–18 — disk full and read-only folders.

16a: a full disk or a read-only folder gives a traceback (consolida, genera, solleciti,
     audit, nuovo-anno — and relazione on a full disk). Correct: one line naming the file
     or folder and the reason, exit 1.
16b: a backup that fails half way stays as a truncated ``.bak``, which then counts toward
     the five backups kept. Correct: no truncated backup is left (or it is not counted).
16c: `genera` writes the workbook in place: an interruption (disk full here; a kill does
     the same) leaves a truncated ``.xlsx`` under the final name, which a re-run refuses
     as "already existing" without saying it is damaged.

The real faults come from a small tmpfs (mounted per test; needs root, skipped otherwise).
The monkeypatch tests at the end simulate ENOSPC/EROFS in-process (CliRunner, no root): they
patch only the standard library (`os.replace`, `os.open`/`io.open`), no module of the
product.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest
from support.hostile_d import (
    cell_value,
    describe,
    fill,
    is_workbook,
    make_returns,
    run,
    traceback_free,
    type_input,
)


@pytest.fixture
def returns(tmp_path):
    return make_returns(tmp_path)


def _mount(args: list[str]) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_fs(tmp_path):
    """``make(size, read_only=False)`` → a fresh tmpfs folder of ``size`` (e.g. "1m").
    Needs permission to mount (root in a container); skipped otherwise — the simulated
    tests at the end need no root."""
    mounted: list[Path] = []

    def make(size: str = "1m", read_only: bool = False) -> Path:
        point = tmp_path / f"fs{len(mounted)}"
        point.mkdir()
        if not _mount(["-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(point)]):
            pytest.skip("cannot mount a tmpfs here (not root?)")
        mounted.append(point)
        if read_only:
            assert _mount(["-o", "remount,ro", str(point)])
        return point

    yield make
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _commands(plan, folder, books, target):
    return {
        "consolida": ["consolida", folder, "--piano", plan, "--out", target / "m.xlsx"],
        "genera": ["genera", plan, "--out", target / "g", "--per-ufficio"],
        "solleciti": ["solleciti", folder, "--piano", plan, "--out", target / "s"],
        "audit": ["audit", plan, "--xlsx", target / "audit.xlsx"],
        "nuovo-anno": ["nuovo-anno", plan, "--anno", 2025, "--out", target / "n"],
        "relazione": ["relazione", books["Ufficio A"], "--out", target / "rel", "--no-pdf"],
    }


COMMANDS = ["consolida", "genera", "solleciti", "audit", "nuovo-anno", "relazione"]


# ------------------------------------------------------------------- 16a: tracebacks

@pytest.mark.parametrize("command", COMMANDS)
def test_full_disk_gives_one_line_not_a_traceback(returns, small_fs, command):
    plan, folder, books = returns
    full = small_fs("64k")
    fill(full, 0)
    if command == "solleciti":
        books["Ufficio B"].unlink()        # B did not return: its draft carries a workbook
    result = run(*_commands(plan, folder, books, full)[command])
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) <= 3, result.output


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "relazione"])
def test_read_only_folder_gives_one_line_not_a_traceback(returns, small_fs, command):
    plan, folder, books = returns
    ro = small_fs("1m", read_only=True)
    result = run(*_commands(plan, folder, books, ro)[command])
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1


# -------------------------------------------------------------- 16b: truncated backups

def test_failed_backup_leaves_no_truncated_bak_among_those_kept(returns, small_fs):
    plan, folder, books = returns
    disk = small_fs("1m")
    master = disk / "m.xlsx"
    for value in range(121, 127):          # 6 runs: the master and 5 good backups
        type_input(books["Ufficio A"], "K1", value)
        assert run("consolida", folder, "--piano", plan, "--out", master).exit_code == 0
    baks = sorted(disk.glob("m.xlsx.*.bak"))
    assert len(baks) == 5 and all(is_workbook(b) for b in baks)
    filler = fill(disk, int(1.5 * master.stat().st_size))   # room for the new master only
    type_input(books["Ufficio A"], "K1", 200)
    run("consolida", folder, "--piano", plan, "--out", master)
    filler.unlink()
    type_input(books["Ufficio A"], "K1", 201)
    assert run("consolida", folder, "--piano", plan, "--out", master).exit_code == 0
    assert cell_value(master, "K1") == 201
    kept = sorted(disk.glob("m.xlsx.*.bak"))
    damaged = [f"{b.name} ({b.stat().st_size} bytes)" for b in kept if not is_workbook(b)]
    assert not damaged, f"{len(kept)} backups kept, damaged: {damaged}"


# -------------------------------------------------- 16c: genera writes in place

def test_interrupted_genera_leaves_no_truncated_workbook(returns, small_fs):
    plan, _, _ = returns
    disk = small_fs("1m")
    filler = fill(disk, 12 * 1024)
    out = disk / "g"
    first = run("genera", plan, "--out", out)
    left = [f"{p.name} ({p.stat().st_size} bytes)" for p in out.glob("*.xlsx")
            if not is_workbook(p)]
    filler.unlink()
    again = run("genera", plan, "--out", out)
    assert not left, (f"after a failed genera ({describe(first)[:70]}): {left}; re-run: "
                      f"{describe(again).strip()[-160:]}")


def test_rerun_names_a_damaged_existing_workbook(returns, tmp_path):
    """What a kill during genera leaves (the first KB of the workbook under its final
    name): the re-run must say the file is damaged/incomplete (or regenerate it), not only
    that it exists."""
    plan, _, _ = returns
    out = tmp_path / "g"
    run("genera", plan, "--out", out)
    [book] = list(out.glob("*.xlsx"))
    book.write_bytes(book.read_bytes()[:1024])
    result = run("genera", plan, "--out", out)
    assert traceback_free(result), describe(result)
    text = " ".join(result.output.split())
    assert is_workbook(book) or any(w in text for w in ("danneggiat", "incomplet",
                                                        "troncat", "illeggibil")), text


# ------------------------------------------- simulated faults (no root needed): ENOSPC

def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_consolida_with_replace_failing_enospc_simulated(returns, tmp_path, monkeypatch):
    plan, folder, _ = returns
    master = tmp_path / "m.xlsx"
    assert run("consolida", folder, "--piano", plan, "--out", master).exit_code == 0
    before = master.read_bytes()
    monkeypatch.setattr(os, "replace", _enospc)
    result = run("consolida", folder, "--piano", plan, "--out", master)
    monkeypatch.undo()
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1 and master.read_bytes() == before


def _erofs(*args, **kwargs):
    raise OSError(errno.EROFS, os.strerror(errno.EROFS))


def test_genera_with_replace_failing_leaves_nothing_under_the_final_name(returns, tmp_path,
                                                                        monkeypatch):
    plan, _, _ = returns
    out = tmp_path / "g"
    monkeypatch.setattr(os, "replace", _enospc)
    result = run("genera", plan, "--out", out)
    monkeypatch.undo()
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1 and "disco pieno" in result.output, result.output
    assert not list(out.glob("*.xlsx")) and not list(out.glob(".*.tmp"))


def test_a_failed_backup_copy_leaves_no_backup(returns, tmp_path, monkeypatch):
    """The backup copy fails (simulated): no ``.bak`` and no temporary file is left,
    and the master is untouched."""
    import shutil
    plan, folder, _ = returns
    master = tmp_path / "m.xlsx"
    assert run("consolida", folder, "--piano", plan, "--out", master).exit_code == 0
    before = master.read_bytes()
    monkeypatch.setattr(shutil, "copy2", _enospc)
    result = run("consolida", folder, "--piano", plan, "--out", master)
    monkeypatch.undo()
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1 and master.read_bytes() == before
    assert not list(tmp_path.glob("*.bak")) and not list(tmp_path.glob(".*.tmp"))
