"""Render the documentation screenshots of the example workbook into ``docs/img/``.

- ``riepilogo.png``: the first page of the ``Riepilogo`` sheet;
- ``obiettivo.png``: one objective sheet with several indicators (``09.14`` by default).

Steps, all in a temporary directory:

1. load ``examples/piano-operativo-2023.yaml``, write its workbook, type the example's
   actuals into it as an office would (:func:`cruscotto_xl.services.filling.fill_workbook`) and
   recalculate a copy with LibreOffice (:func:`cruscotto_xl.io.libreoffice.recalculate`): the
   copy supplies the grades the pictures must show;
2. for each picture, save a variant of the *filled* workbook in which every other sheet is
   hidden (LibreOffice's PDF export skips hidden sheets), the page header and footer
   are empty (so the picture can be cropped to the sheet) and the sheet is fitted to one
   page wide. The variant is made from the
   filled workbook, not from the recalculated copy, because openpyxl drops cached values
   on save: LibreOffice computes the formulas while loading the variant instead, with a
   fresh profile that forces recalculation on load and formats numbers in Italian
   (``--locale``, "96,88%");
3. ``soffice --convert-to pdf`` (one call for both variants), then check the first page's
   text: it must be the target sheet and show the grades of the recalculated copy, with
   no error values;
4. ``pdftoppm`` renders the first page, cropped to the non-white area plus a small margin;
   when Pillow is installed (it is not a dependency of the package), the PNG is reduced
   to a 256-colour palette, which makes it about four times smaller.

Run from the repository root: ``python scripts/screenshots.py [--out docs/img]``.
Needs LibreOffice (``soffice``) and poppler (``pdftoppm``, ``pdftotext``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from babel.numbers import get_decimal_symbol  # noqa: E402
from openpyxl.worksheet.header_footer import HeaderFooter  # noqa: E402
from openpyxl.worksheet.properties import PageSetupProperties  # noqa: E402

try:  # optional: only used to shrink the PNG files
    from PIL import Image
except ImportError:  # pragma: no cover - depends on the environment
    Image = None

from cruscotto_xl.core.actuals import typed_from_plan  # noqa: E402
from cruscotto_xl.io.libreoffice import (  # noqa: E402
    INSTALL_HINT,
    RecalcError,
    find_soffice,
    profile_xcu,
    read_values,
    recalculate,
)
from cruscotto_xl.io.planfile import load_plan  # noqa: E402
from cruscotto_xl.services.filling import fill_workbook  # noqa: E402
from cruscotto_xl.workbook import write_workbook  # noqa: E402

EXAMPLE = ROOT / "examples" / "piano-operativo-2023.yaml"
DEFAULT_OUT = ROOT / "docs" / "img"
SUMMARY_SHEET = "Riepilogo"
DEFAULT_OBJECTIVE = "09.14"

#: Resolution of each picture. The objective sheet is ~20 columns wide and printed
#: fit-to-width, so it needs more pixels than the summary to stay legible.
DEFAULT_DPI = {"riepilogo": 110, "obiettivo": 220}

#: PNG files above this size get a warning (they live in the repository).
MAX_PNG_BYTES = 400_000

#: White margin kept around the cropped sheet, in pixels.
CROP_MARGIN = 12

#: Profile: recalculation on load (from cruscotto_xl.io.libreoffice) plus the locale LibreOffice
#: formats numbers with (``{locale}``: "96,88%" for it-IT, "96.88%" for en-US).
LOCALE_ITEM = """\
<item oor:path="/org.openoffice.Setup/L10N">\
<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
"""

#: Locale of the pictures: the workbooks are Italian.
DEFAULT_LOCALE = "it-IT"

#: Error values as LibreOffice prints them (English and Italian user interface); none may
#: appear in a picture.
ERROR_MARKERS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:",
                 "#NOME?", "#VALORE!", "#RIF!", "#N/D", "#NULLO!")


class ScreenshotError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass(frozen=True)
class Target:
    """One picture: which sheet, and what its first page must show."""

    tag: str  # file stem of the PNG and of the variant workbook
    sheet: str
    title: str  # text of A1, the first thing on the page
    grades: tuple[float, ...]  # grades (from the recalculated copy) that must be printed


def grade_value(value: object) -> float:
    """A grade read from the recalculated copy; anything but a number is an error."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScreenshotError(f"grado non numerico nella copia ricalcolata: {value!r}")
    return float(value)


def percent(value: float, locale: str) -> str:
    """A grade as the workbooks print it: number format ``0.00%`` in ``locale``."""
    decimal = get_decimal_symbol(locale.replace("-", "_"))
    return f"{value * 100:.2f}%".replace(".", decimal)


def build_workbook(work: Path) -> tuple[Path, Path]:
    """Write and fill the example workbook; return (filled source, recalculated copy)."""
    plan = load_plan(EXAMPLE)
    src = work / "src" / "cruscotto-esempio.xlsx"
    src.parent.mkdir(parents=True)
    write_workbook(plan, src)
    filled = fill_workbook(src, typed_from_plan(plan, plan.year))
    print(f"cartella di lavoro: {sum(1 for _ in plan.indicators())} indicatori, {filled} compilati")
    recalculated = recalculate([src], work / "recalc")[src]
    return src, recalculated


def find_sheet(names: list[str], prefix: str) -> str:
    """The only sheet whose name starts with ``prefix`` (e.g. ``09.14``)."""
    found = [n for n in names if n.startswith(prefix)]
    if len(found) != 1:
        raise ScreenshotError(f"fogli che iniziano con {prefix!r}: {found or 'nessuno'}")
    return found[0]


def column(rows: list[list[object]], header: str, header_row: int) -> int:
    """0-based index of ``header`` in row ``header_row`` (0-based)."""
    try:
        return rows[header_row].index(header)
    except (IndexError, ValueError):
        raise ScreenshotError(f"intestazione {header!r} non trovata") from None


def header_row(rows: list[list[object]], first: str) -> int:
    """0-based index of the first row whose column A reads ``first``."""
    for i, row in enumerate(rows):
        if row and row[0] == first:
            return i
    raise ScreenshotError(f"riga di intestazione {first!r} non trovata")


def targets(recalculated: Path, objective_prefix: str) -> list[Target]:
    """The two pictures, with the grades the recalculated copy holds for them."""
    values = read_values(recalculated)

    rows = values[SUMMARY_SHEET]
    head = header_row(rows, "Livello")
    grade = column(rows, "Grado", head)
    ente = next((r for r in rows[head + 1 :] if r[0] == "Ente"), None)
    if ente is None:
        raise ScreenshotError("riga 'Ente' assente nel Riepilogo")
    summary = Target("riepilogo", SUMMARY_SHEET, str(rows[0][0]), (grade_value(ente[grade]),))

    sheet = find_sheet(list(values), objective_prefix)
    rows = values[sheet]
    head = header_row(rows, "Codice")
    grade = column(rows, "Grado", head)
    code = column(rows, "Codice", head)
    grades = [grade_value(r[grade]) for r in rows[head + 1 :] if r[code]]
    total = [r[grade] for r in rows if "Grado obiettivo" in r]
    if len(grades) < 2 or len(total) != 1:
        raise ScreenshotError(f"{sheet!r}: {len(grades)} indicatori, {len(total)} totali")
    objective = Target("obiettivo", sheet, str(rows[0][0]), (*grades, grade_value(total[0])))
    return [summary, objective]


def write_variant(src: Path, target: Target, out: Path) -> None:
    """Save ``src`` with only ``target.sheet`` visible and no page header or footer."""
    wb = openpyxl.load_workbook(src)
    keep = wb[target.sheet]
    wb.active = wb.worksheets.index(keep)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is keep
        if ws is not keep:
            ws.sheet_state = "hidden"
            # LibreOffice exports print areas even of hidden sheets: drop them
            ws.print_area = None
    keep.HeaderFooter = HeaderFooter()
    # a picture of the whole sheet: one page wide, whatever the printout's scale
    # (a wide objective sheet prints at 80 % over several pages, docs/workbook.md)
    keep.print_title_cols = None
    keep.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    keep.page_setup.fitToWidth = 1
    keep.page_setup.fitToHeight = 0
    wb.save(out)


def run_soffice(inputs: list[Path], outdir: Path, locale: str,
                timeout: float = 300) -> list[Path]:
    """Convert ``inputs`` to PDF in one soffice call with a fresh recalculating profile."""
    soffice = find_soffice()
    if soffice is None:
        raise ScreenshotError(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    outputs = [outdir / f"{p.stem}.pdf" for p in inputs]
    for out in outputs:
        out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        xcu = profile_xcu(LOCALE_ITEM.format(locale=locale))
        (user / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(outdir),
               *(str(p) for p in inputs)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace",
                                env={**os.environ, "LC_ALL": "C.UTF-8"},
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ScreenshotError(f"soffice non ha terminato entro {timeout:g} s") from None
    missing = [p for p in outputs if not p.is_file()]
    if missing:  # soffice exits with 0 even when it fails
        raise ScreenshotError(f"soffice non ha prodotto {missing}:\n{stdout}\n{stderr}")
    return outputs


def tool(name: str) -> str:
    """Path of a poppler tool, or a clear error."""
    found = shutil.which(name)
    if found is None:
        raise ScreenshotError(f"{name} non trovato: apt-get install -y poppler-utils")
    return found


def check_pdf(pdf: Path, target: Target, locale: str) -> None:
    """The first page shows the target sheet, its computed grades and no error value."""
    text = subprocess.run([tool("pdftotext"), "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    # The title may be cut by the page width: compare its beginning only.
    if not first.startswith(target.title[:40]):
        raise ScreenshotError(f"{pdf.name}: la pagina 1 inizia con {first!r}, "
                              f"atteso il foglio {target.sheet!r} ({target.title!r})")
    expected = Counter(percent(g, locale) for g in target.grades)
    for shown, times in expected.items():
        if text.count(shown) < times:
            raise ScreenshotError(f"{pdf.name}: il grado {shown} compare nella pagina 1 "
                                  f"{text.count(shown)} volte invece di {times}")
    errors = [m for m in ERROR_MARKERS if m in text]
    if errors:
        raise ScreenshotError(f"{pdf.name}: valori di errore nella pagina 1: {errors}")
    if "###" in text:
        print(f"ATTENZIONE {pdf.name}: '###' nella pagina 1 (colonna troppo stretta)")


def content_box(pdf: Path, dpi: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the non-white area of page 1 at ``dpi``, plus a margin."""
    ppm = subprocess.run([tool("pdftoppm"), "-gray", "-r", str(dpi), "-f", "1", "-l", "1",
                          "-singlefile", str(pdf)], capture_output=True, check=True).stdout
    # Binary PGM: "P5", width, height, maxval (whitespace separated), then one byte a pixel.
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while ppm[pos : pos + 1].isspace():
            pos += 1
        end = pos
        while end < len(ppm) and not ppm[end : end + 1].isspace():
            end += 1
        fields.append(ppm[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P5" or fields[3] != b"255":
        raise ScreenshotError(f"formato inatteso da pdftoppm: {fields}")
    width, height = int(fields[1]), int(fields[2])
    white = b"\xff"
    top = bottom = None
    left, right = width, 0
    for y in range(height):
        row = ppm[pos + y * width : pos + (y + 1) * width]
        stripped = row.lstrip(white)
        if not stripped:
            continue
        top = y if top is None else top
        bottom = y
        left = min(left, width - len(stripped))
        right = max(right, len(row.rstrip(white)))
    if top is None or bottom is None:
        raise ScreenshotError(f"{pdf.name}: la pagina 1 è vuota")
    x0, y0 = max(left - CROP_MARGIN, 0), max(top - CROP_MARGIN, 0)
    x1, y1 = min(right + CROP_MARGIN, width), min(bottom + 1 + CROP_MARGIN, height)
    return x0, y0, x1 - x0, y1 - y0


def render(pdf: Path, png: Path, dpi: int, *, crop: bool) -> tuple[int, int]:
    """Render page 1 of ``pdf`` to ``png`` (cropped to its content); return its size."""
    cmd = [tool("pdftoppm"), "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile"]
    if crop:
        x, y, w, h = content_box(pdf, dpi)
        cmd += ["-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)]
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([*cmd, str(pdf), str(png.with_suffix(""))], check=True)
    if not png.is_file():
        raise ScreenshotError(f"pdftoppm non ha prodotto {png}")
    if Image is not None:
        with Image.open(png) as im:
            palette = im.convert("RGB").quantize(256)
        palette.save(png, optimize=True)
    data = png.read_bytes()
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="cartella dei PNG (predefinita: docs/img)")
    parser.add_argument("--objective", default=DEFAULT_OBJECTIVE,
                        help="inizio del nome del foglio obiettivo (predefinito: 09.14)")
    parser.add_argument("--dpi", type=int, default=None,
                        help="risoluzione di entrambe le immagini (predefinite: "
                             + ", ".join(f"{k} {v}" for k, v in DEFAULT_DPI.items()) + ")")
    parser.add_argument("--locale", default=DEFAULT_LOCALE,
                        help="lingua dei numeri nelle immagini (predefinita: it-IT)")
    parser.add_argument("--no-crop", action="store_true", help="pagina intera, senza ritaglio")
    parser.add_argument("--keep", type=Path, default=None,
                        help="conserva in questa cartella (nuova o vuota) i file intermedi "
                             "(xlsx, pdf) invece di cancellarli")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        work = args.keep or Path(tmp)
        try:
            if args.keep and args.keep.exists() and any(args.keep.iterdir()):
                raise ScreenshotError(f"--keep {args.keep}: la cartella non è vuota")
            work.mkdir(parents=True, exist_ok=True)
            src, recalculated = build_workbook(work)
            wanted = targets(recalculated, args.objective)
            variants = work / "variants"
            variants.mkdir()
            for target in wanted:
                write_variant(src, target, variants / f"{target.tag}.xlsx")
            pdfs = run_soffice([variants / f"{t.tag}.xlsx" for t in wanted], work / "pdf",
                               args.locale)
            for target, pdf in zip(wanted, pdfs, strict=True):
                check_pdf(pdf, target, args.locale)
                png = args.out / f"{target.tag}.png"
                dpi = args.dpi or DEFAULT_DPI[target.tag]
                w, h = render(pdf, png, dpi, crop=not args.no_crop)
                size = png.stat().st_size
                print(f"{png}: {w}x{h} px, {size / 1000:.0f} KB, foglio {target.sheet!r}, "
                      f"gradi {', '.join(percent(g, args.locale) for g in target.grades)}")
                if size > MAX_PNG_BYTES:
                    print(f"ATTENZIONE {png.name}: più di {MAX_PNG_BYTES // 1000} KB")
        except (ScreenshotError, RecalcError) as exc:
            print(f"errore: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
