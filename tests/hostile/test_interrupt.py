"""Group D of issue 15, cause 27: Ctrl+C at any moment (also during the imports of the
first second) is one Italian line and exit 130, never a traceback."""

from __future__ import annotations

import signal
import subprocess
import time

from support.hostile_d import CRUSCOTTO, plan_data, write_plan


def test_ctrl_c_at_any_moment_prints_one_line(tmp_path):
    plan = write_plan(tmp_path, plan_data())
    seen = []
    for delay in (0.2, 0.3, 0.4, 0.6, 0.9, 1.2):
        proc = subprocess.Popen([CRUSCOTTO, "genera", str(plan), "--out", str(tmp_path / "o"),
                                 "--sovrascrivi"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        if proc.returncode == 0:          # finished before the signal: nothing to see
            continue
        if proc.returncode == -signal.SIGINT and not err.strip():
            # the signal came before the interpreter ran any code (a loaded machine can
            # take that long to start): the process ends silently, no traceback either
            continue
        if "Traceback" in err or proc.returncode != 130 or "Ctrl+C" not in err:
            seen.append(f"{delay} s: exit {proc.returncode}, {err.strip()[-300:]}")
    assert not seen, f"after Ctrl+C: {seen}"


def test_the_command_line_stays_importable_for_tests():
    from cruscotto_xl.cli.app import app
    assert app.registered_commands
