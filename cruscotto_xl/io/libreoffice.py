"""Recalculate workbooks with headless LibreOffice and read back the computed values.

Files written by openpyxl carry formulas but no cached results, so any reader sees
``None`` (openpyxl ``data_only=True``) or nothing at all (calamine) for formula cells.
:func:`recalculate` asks LibreOffice to open each workbook, recompute every formula
and save a copy as ``.xlsx``; :func:`read_values` and :func:`cell_values` read the
copies. The copies are for reading values only: LibreOffice rewrites some formulas,
number formats and table metadata, so never ship them or compare their formulas.

How LibreOffice is driven (see the shared recipe, all points verified by tests):

* one ``soffice`` call converts many files (start-up costs ~1 s, each extra file
  ~0.1 s), so inputs are batched; LibreOffice names each output after the input's
  basename, therefore inputs whose names collide go to separate calls, each writing to
  its own subdirectory of ``outdir``;
* every call gets a fresh temporary user profile containing only a
  ``registrymodifications.xcu`` that forces recalculation on load (the default is
  "never recalculate", which would keep stale cached values) and that keeps
  concurrent calls from handing their work to each other over IPC;
* ``soffice`` exits with status 0 even when a file cannot be loaded, so success is
  judged only by the presence of each output file (stale outputs are removed first);
* the output directory must differ from every input's directory, otherwise an
  input would be overwritten by its own converted copy.

The module knows nothing about the project's workbooks: it is a plain utility.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..core.vocabulary import plain_number
from ..errors import UserError

__all__ = [
    "INSTALL_HINT",
    "RecalcError",
    "cell_values",
    "find_soffice",
    "read_values",
    "recalculate",
]

#: Italian instructions shown when LibreOffice cannot be found.
INSTALL_HINT = (
    "LibreOffice non è installato (comando `soffice` non trovato nel PATH): eseguire "
    "`apt-get install -y --no-install-recommends libreoffice-calc-nogui`"
)

#: Profile items forcing recalculation of OOXML and ODF files on load (0 = always).
RECALC_ITEMS = """\
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
"""


def profile_xcu(extra_items: str = "") -> str:
    """The ``registrymodifications.xcu`` of a recalculating profile (plus other items)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"{RECALC_ITEMS}{extra_items}</oor:items>\n")


#: Lines dropped from error messages: a harmless warning printed by every run, and the
#: "convert <input> -> <output> ..." report of each file that did succeed.
_NOISE = ("Warning: failed to launch javaldx", "convert ")

#: How many lines of soffice output to quote in an error message.
_TAIL_LINES = 20


class RecalcError(UserError, RuntimeError):
    """LibreOffice is missing, failed or did not produce some outputs.

    The message is in Italian and meant for the user. ``failed`` maps each input
    that has no output to the reason; ``outputs`` holds the inputs that were
    recalculated anyway (input → output), so a caller may still use them.
    """

    def __init__(
        self,
        message: str,
        *,
        failed: dict[Path, str] | None = None,
        outputs: dict[Path, Path] | None = None,
    ) -> None:
        super().__init__(message)
        self.failed: dict[Path, str] = dict(failed or {})
        self.outputs: dict[Path, Path] = dict(outputs or {})


def find_soffice() -> str | None:
    """Return the path of ``soffice`` (or ``libreoffice``) found in ``PATH``, else None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _output_name(path: Path) -> str:
    """Name LibreOffice gives the ``.xlsx`` conversion of ``path``."""
    return f"{path.stem}.xlsx"


def _group_by_output_name(paths: Sequence[Path]) -> list[list[Path]]:
    """Split ``paths`` into as few groups as possible with distinct output names.

    Names are compared case-insensitively so that the grouping is also safe on
    case-insensitive file systems. Order is preserved inside each group.
    """
    groups: list[list[Path]] = []
    names: list[set[str]] = []
    for path in paths:
        key = _output_name(path).casefold()
        for group, used in zip(groups, names, strict=True):
            if key not in used:
                group.append(path)
                used.add(key)
                break
        else:
            groups.append([path])
            names.append({key})
    return groups


def _group_dir(outdir: Path, index: int) -> Path:
    """Output directory of the ``index``-th group: ``outdir``, then ``outdir/dup1``, …"""
    return outdir if index == 0 else outdir / f"dup{index}"


def _tail(*texts: str) -> str:
    """Last lines of soffice's stdout and stderr, without known noise."""
    lines = [
        line
        for text in texts
        for line in text.splitlines()
        if line.strip() and not line.startswith(_NOISE)
    ]
    return "\n".join(lines[-_TAIL_LINES:])


def _run_soffice(
    soffice: str, inputs: Sequence[Path], outdir: Path, timeout: float,
    *, convert_to: str = "xlsx", infilter: str | None = None,
) -> tuple[str, str]:
    """Convert ``inputs`` to ``convert_to`` (``.xlsx``) in ``outdir`` with one soffice call.

    ``infilter`` names the import filter when LibreOffice cannot detect the type (an
    ``.xlam`` needs "Calc MS Excel 2007 VBA XML"). Returns (stdout, stderr). The whole
    process group is killed on timeout, since ``soffice`` is a shell script that starts
    ``oosplash`` and ``soffice.bin``.
    """
    with tempfile.TemporaryDirectory(prefix="recalc-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(profile_xcu(), encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            convert_to,
            "--outdir",
            str(outdir),
            *(str(p) for p in inputs),
        ]
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise RecalcError(f"Impossibile avviare LibreOffice ({soffice}): {exc}") from exc
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
            names = ", ".join(str(p) for p in inputs)
            raise RecalcError(
                f"LibreOffice non ha terminato entro {plain_number(timeout)} s il ricalcolo "
                f"di: {names}\n"
                f"{_tail(stdout, stderr)}"
            ) from exc
        return stdout, stderr


def recalculate(paths: Sequence[Path], outdir: Path, *, timeout: float = 300) -> dict[Path, Path]:
    """Recalculate every workbook in ``paths`` with headless LibreOffice.

    Each input is opened, fully recalculated and saved as ``.xlsx`` under
    ``outdir``, named after the input (``a/b/Piano.xlsm`` → ``outdir/Piano.xlsx``).
    Inputs are converted in as few ``soffice`` calls as possible: one call per
    group of inputs with distinct names. The first group writes to ``outdir``, the
    k-th further group to ``outdir/dup<k>`` (only when names collide). Existing
    files at the output paths are replaced. ``outdir`` is created if needed.

    ``timeout`` (seconds) applies to each ``soffice`` call.

    Returns a mapping from each input path, as given, to its output path.

    Raises:
        ValueError: ``outdir`` (or a ``dup`` subdirectory) is an input's directory.
        RecalcError: LibreOffice is not installed, timed out, or did not produce
            the output of some inputs. All groups are still processed first; the
            error names every failed input, quotes the end of soffice's output and
            carries the successful results in ``RecalcError.outputs``.
    """
    inputs = [Path(p) for p in paths]
    if not inputs:
        return {}
    outdir = Path(outdir)

    # Identical files given twice (maybe spelled differently) are converted once.
    by_resolved: dict[Path, list[Path]] = {}
    for path in inputs:
        by_resolved.setdefault(path.resolve(), []).append(path)
    unique = list(by_resolved)

    groups = _group_by_output_name(unique)
    out_dirs = [_group_dir(outdir, i) for i in range(len(groups))]
    input_dirs = {p.parent for p in unique}
    for out_dir in out_dirs:
        if out_dir.resolve() in input_dirs:
            raise ValueError(
                f"La cartella di output {out_dir} contiene dei file da ricalcolare: "
                "LibreOffice li sovrascriverebbe. Usare un'altra cartella."
            )

    soffice = find_soffice()
    if soffice is None:
        raise RecalcError(INSTALL_HINT)

    failed: dict[Path, str] = {}
    produced: dict[Path, Path] = {}
    tails: list[str] = []
    for group, out_dir in zip(groups, out_dirs, strict=True):
        out_dir.mkdir(parents=True, exist_ok=True)
        todo: list[Path] = []
        for path in group:
            target = out_dir / _output_name(path)
            target.unlink(missing_ok=True)  # so that a stale copy never passes as output
            if not path.is_file():
                failed[path] = "file non trovato"
            elif path.stat().st_size == 0:
                failed[path] = "file vuoto, non è una cartella di lavoro"
            else:
                todo.append(path)
        if not todo:
            continue
        stdout, stderr = _run_soffice(soffice, todo, out_dir, timeout)
        missing = False
        for path in todo:
            target = out_dir / _output_name(path)
            if target.is_file():
                produced[path] = target
            else:
                failed[path] = "LibreOffice non è riuscito ad aprirlo o a salvarlo"
                missing = True
        if missing:
            tails.append(_tail(stdout, stderr))

    outputs = {
        orig: produced[res]
        for res, origs in by_resolved.items()
        if res in produced
        for orig in origs
    }
    if failed:
        lines = [
            f"LibreOffice non ha prodotto il ricalcolo di {len(failed)} file su {len(unique)}:"
        ]
        for res, reason in failed.items():
            for orig in by_resolved[res]:
                lines.append(f"  - {orig}: {reason}")
        output = "\n".join(t for t in tails if t)
        if output:
            lines.append("Output di LibreOffice (ultime righe):")
            lines.append(output)
        failed_orig = {orig: reason for res, reason in failed.items() for orig in by_resolved[res]}
        raise RecalcError("\n".join(lines), failed=failed_orig, outputs=outputs)
    return outputs


def read_values(path: Path) -> dict[str, list[list[object]]]:
    """Read every worksheet of a recalculated workbook as a 2-D list of values.

    Each sheet becomes the rectangle from A1 to its last non-empty row and column
    (an empty sheet gives ``[]``); ``rows[r][c]`` is the cell in row ``r + 1`` and
    column ``c + 1``. Values come from openpyxl with ``data_only=True``, so formula
    cells hold the results cached by LibreOffice and error cells read as strings
    such as ``'#N/A'`` or ``'#DIV/0!'`` (calamine would return ``''`` for them).
    Numbers keep openpyxl's types (``30`` stays an int), dates are date/datetime.
    """
    from openpyxl import load_workbook  # here, not at the top: commands start without it

    wb = load_workbook(Path(path), read_only=True, data_only=True)
    try:
        result: dict[str, list[list[object]]] = {}
        for ws in wb.worksheets:
            ws.reset_dimensions()  # do not trust the file's <dimension> element
            rows = [list(row) for row in ws.iter_rows(values_only=True)]
            height = 0
            width = 0
            for r, row in enumerate(rows, start=1):
                last = max((c for c, v in enumerate(row, start=1) if v is not None), default=0)
                if last:
                    height = r
                    width = max(width, last)
            result[ws.title] = [(row + [None] * width)[:width] for row in rows[:height]]
        return result
    finally:
        wb.close()


def cell_values(path: Path, sheet: str) -> dict[str, object]:
    """Map "A1"-style coordinates to the values of one sheet, skipping empty cells.

    Raises KeyError (with the available sheet names) if ``sheet`` does not exist.
    """
    from openpyxl.utils import get_column_letter

    sheets = read_values(path)
    if sheet not in sheets:
        raise KeyError(f"Foglio {sheet!r} assente in {path}; fogli presenti: {list(sheets)}")
    return {
        f"{get_column_letter(c)}{r}": value
        for r, row in enumerate(sheets[sheet], start=1)
        for c, value in enumerate(row, start=1)
        if value is not None
    }
