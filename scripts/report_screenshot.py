"""Render the first page of the example's Relazione into ``docs/img/relazione.png``.

Steps, in a temporary directory: write the workbook of ``examples/piano-operativo-2023.yaml``,
type the example's actuals into it as an office would (:func:`cruscotto_xl.services.filling.
fill_workbook`), build the report (:func:`cruscotto_xl.services.report.build_report`, HTML and PDF),
check that page 1 shows the title and the ente's grade, and render page 1 with ``pdftoppm``
(the whole A4 page, reduced to a 256-colour palette by ``screenshots.render``).

Run from the repository root: ``python scripts/report_screenshot.py [--out docs/img]``.
Needs poppler (``pdftoppm``, ``pdftotext``) and the package's dependencies (WeasyPrint).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from screenshots import MAX_PNG_BYTES, ScreenshotError, render, tool  # noqa: E402

from cruscotto_xl.core.actuals import typed_from_plan  # noqa: E402
from cruscotto_xl.core.vocabulary import format_percent  # noqa: E402
from cruscotto_xl.io.planfile import load_plan  # noqa: E402
from cruscotto_xl.services.filling import fill_workbook  # noqa: E402
from cruscotto_xl.services.report import ReportError, build_report  # noqa: E402
from cruscotto_xl.workbook import write_workbook  # noqa: E402

EXAMPLE = ROOT / "examples" / "piano-operativo-2023.yaml"
DEFAULT_OUT = ROOT / "docs" / "img"
DEFAULT_DPI = 80


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="cartella del PNG (predefinita: docs/img)")
    parser.add_argument("--dpi", type=int, default=DEFAULT_DPI,
                        help=f"risoluzione (predefinita: {DEFAULT_DPI})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="relazione-") as tmp:
        work = Path(tmp)
        try:
            plan = load_plan(EXAMPLE)
            source = work / "cruscotto-esempio.xlsx"
            write_workbook(plan, source)
            fill_workbook(source, typed_from_plan(plan, plan.year))
            files = build_report(source, work / "relazione")
            assert files.pdf is not None
            text = subprocess.run([tool("pdftotext"), "-f", "1", "-l", "1", "-layout",
                                   str(files.pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout
            grade = format_percent(files.grade.value) if files.grade.value is not None else ""
            title = f"Relazione sulla performance {files.year}"
            if title not in text or grade not in text:
                raise ScreenshotError(f"la pagina 1 non mostra «{title}» e il grado {grade}")
            png = args.out / "relazione.png"
            w, h = render(files.pdf, png, args.dpi, crop=False)
        except (ScreenshotError, ReportError) as exc:
            print(f"errore: {exc}", file=sys.stderr)
            return 1
    size = png.stat().st_size
    print(f"{png}: {w}x{h} px, {size / 1000:.0f} KB, grado dell'ente {grade}")
    if size > MAX_PNG_BYTES:
        print(f"ATTENZIONE {png.name}: più di {MAX_PNG_BYTES // 1000} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
