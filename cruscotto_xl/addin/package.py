"""The ``cruscotto.xlam`` add-in: an OOXML package built from the text sources in ``addin/``.

XlsxWriter writes an ordinary macro-enabled workbook (styles, theme, document properties,
the inactive configuration sheet, ``vbaProject.bin`` and the code names that tie the
workbook and its sheet to their document modules); the package is then patched into an
add-in: the workbook part gets the add-in content type, its window is hidden, and the
ribbon (``customUI/customUI14.xml``) is added with its root relationship. The parts are
rewritten in a fixed order with fixed timestamps, so two builds give identical bytes.

The VBA project joins our modules (``CruscottoRibbon``, ``CRUSCOTTO``) with xlwings'
standalone module and its ``Dictionary`` class, read from the *installed* xlwings (the BSD
part): the VBA then calls the DLL of exactly the xlwings version the user's Python has,
which is why the add-in is built on the user's machine.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from importlib import metadata, resources, util
from pathlib import Path

import xlsxwriter

from ..core.vocabulary import counted
from ..errors import UserError
from ..io.atomic import write_atomically
from .vbaproject import Kind, Module, VBASourceError, build_vba_project, document_module

#: xlwings' PROJECT_NAME: names the config sheet and files (``cruscotto.conf``).
ADDIN_NAME = "cruscotto"
#: The VBA project's name; not "CRUSCOTTO", which qualifies the worksheet functions.
VBA_PROJECT_NAME = "CruscottoXL"
#: Fixed project GUID: with the fixed encryption seed, builds are reproducible.
VBA_PROJECT_ID = "{6F1C2A5E-3B8D-4E07-9A41-C52D7E0B9F13}"
#: xlwings reads ``cruscotto.conf``; the leading "_" keeps the sheet inactive, so the user
#: file written by ``cruscotto addin install`` decides (the sheet only lists the keys).
CONFIG_SHEET = f"_{ADDIN_NAME}.conf"
WORKBOOK_MODULE, SHEET_MODULE = "ThisWorkbook", "Foglio1"

RIBBON_SOURCE = "customUI14.xml"
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
#: The relationship type that goes with the 2009/07 namespace (Office 2010 and later).
RIBBON_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
MACRO_WORKBOOK_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CONFIG_TEMPLATE = "cruscotto.conf.template"

#: Our modules, from ``addin/`` (file, kind).
OWN_MODULES: tuple[tuple[str, Kind], ...] = (("CRUSCOTTO.bas", "std"),
                                             ("CruscottoRibbon.bas", "std"))
#: xlwings' standalone module and the class it uses on Mac, inside the xlwings package.
XLWINGS_MODULE = "xlwings_custom_addin.bas"
XLWINGS_DICTIONARY = "addin/Dictionary.cls"
_PROJECT_NAME_LINE = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"]*"', re.M)
#: xlwings' GetConfig reads a key from, in order: a ``cruscotto.conf`` sheet of the active
#: workbook, a ``cruscotto.conf`` file beside it, the user's own file. A received workbook
#: must not choose the interpreter the worksheet functions and buttons start, so the build
#: makes "user" the default source (only the user's file, then the default) and stops
#: xlwings prepending the active workbook's folder to ``sys.path`` (addin/README.md).
#: Each pattern must match exactly as often as in the xlwings versions checked (0.37.8).
_USER_ONLY_PATCHES: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (re.compile(r'^(Function GetConfig\(configKey As String, Optional default As String = "", '
                r'Optional source As String = )""(\) As Variant)$', re.M), r'\1"user"\2', 1),
    (re.compile(r'GetConfig\("ADD_WORKBOOK_TO_PYTHONPATH", "true"\)'),
     'GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "false")', 2),
)

_FIXED_TIME = datetime(2024, 1, 1)
_CONFIG_LINE = re.compile(r'"([^"]*)","([^"]*)"')


class AddinBuildError(UserError, RuntimeError):
    """The add-in cannot be built (the message is Italian, for the user)."""


def source_text(name: str) -> str:
    """One of the add-in's text sources (``addin/`` in the repository, in the wheel as
    ``cruscotto_xl.addin_sources``)."""
    return resources.files("cruscotto_xl.addin_sources").joinpath(name).read_text("utf-8")


def xlwings_version() -> str:
    """The installed xlwings' version, read without importing xlwings: importing it (and the
    matplotlib it imports) costs more than half a second, which every command would pay."""
    return metadata.version("xlwings")


def xlwings_folder() -> Path:
    """The installed xlwings package's folder (its VBA sources), found without importing it."""
    spec = util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise AddinBuildError("xlwings non è installato in questo Python: installarlo "
                              "(pip install xlwings) e ripetere")
    return Path(spec.origin).parent


def _xlwings_file(relative: str) -> str:
    path = xlwings_folder() / relative
    try:
        return path.read_text("cp1252")
    except OSError as exc:
        raise AddinBuildError(f"file di xlwings {xlwings_version()} non trovato: {path} "
                              f"({exc.strerror}); reinstallare xlwings") from None


def modules() -> list[Module]:
    """Every module of the add-in's VBA project, in project order."""
    standalone, count = _PROJECT_NAME_LINE.subn(rf'\1"{ADDIN_NAME}"',
                                                _xlwings_file(XLWINGS_MODULE))
    if count != 1:
        raise AddinBuildError(f"{XLWINGS_MODULE} di xlwings {xlwings_version()} non ha la "
                              "costante PROJECT_NAME: versione di xlwings non supportata")
    standalone = user_config_only(standalone)
    return [document_module(WORKBOOK_MODULE, workbook=True),
            document_module(SHEET_MODULE, workbook=False),
            *(Module(name.removesuffix(".bas"), kind, source_text(name))
              for name, kind in OWN_MODULES),
            Module("xlwings", "std", standalone),
            Module("Dictionary", "class", _xlwings_file(XLWINGS_DICTIONARY))]


def user_config_only(standalone: str) -> str:
    """xlwings' standalone module reading its configuration only from the user's own file."""
    for pattern, replacement, expected in _USER_ONLY_PATCHES:
        standalone, count = pattern.subn(replacement, standalone)
        if count != expected:
            raise AddinBuildError(
                f"{XLWINGS_MODULE} di xlwings {xlwings_version()}: il testo da modificare "
                f"«{pattern.pattern}» compare {counted(count, 'volta', 'volte')} invece di "
                f"{expected}: versione di "
                "xlwings non supportata, usare la 0.37.8")
    return standalone


def config_entries(text: str) -> dict[str, str]:
    """The ``"KEY","VALUE"`` lines of an xlwings configuration file, in order."""
    entries: dict[str, str] = {}
    for line in text.splitlines():
        match = _CONFIG_LINE.fullmatch(line.strip())
        if match:
            entries[match[1]] = match[2]
    return entries


def _base_workbook(vba_project: bytes) -> bytes:
    """The macro-enabled workbook XlsxWriter writes: config sheet, code names, VBA."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": "Cruscotto della performance", "author": "cruscotto-xl",
                         "comments": f"Componente aggiuntivo (xlwings {xlwings_version()})",
                         "created": _FIXED_TIME})
    book.set_vba_name(WORKBOOK_MODULE)
    sheet = book.add_worksheet(CONFIG_SHEET)
    sheet.set_vba_name(SHEET_MODULE)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 60)
    for row, (key, value) in enumerate(config_entries(source_text(CONFIG_TEMPLATE)).items()):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    book.add_vba_project(io.BytesIO(vba_project), is_stream=True)  # type: ignore[arg-type]
    book.close()
    return out.getvalue()


def _patched(xml: bytes, old: str, new: str, part: str) -> bytes:
    text = xml.decode("utf-8")
    if text.count(old) != 1:
        raise AddinBuildError(f"parte {part} scritta da XlsxWriter in un formato inatteso")
    return text.replace(old, new).encode("utf-8")


def xlam_bytes() -> bytes:
    """The add-in package, byte-identical for the same sources and xlwings version."""
    try:
        vba = build_vba_project(VBA_PROJECT_NAME, modules(), VBA_PROJECT_ID)
    except VBASourceError as exc:
        raise AddinBuildError(f"sorgenti VBA non validi: {exc}") from None
    with zipfile.ZipFile(io.BytesIO(_base_workbook(vba))) as base:
        parts = {info.filename: base.read(info) for info in base.infolist()}
    parts["[Content_Types].xml"] = _patched(
        parts["[Content_Types].xml"], MACRO_WORKBOOK_CONTENT_TYPE, ADDIN_CONTENT_TYPE,
        "[Content_Types].xml")
    parts["_rels/.rels"] = _patched(
        parts["_rels/.rels"], "</Relationships>",
        f'<Relationship Id="rIdCruscottoRibbon" Type="{RIBBON_RELATIONSHIP}" '
        f'Target="{RIBBON_PART}"/></Relationships>', "_rels/.rels")
    parts["xl/workbook.xml"] = _patched(parts["xl/workbook.xml"], "<workbookView ",
                                        '<workbookView visibility="hidden" ', "xl/workbook.xml")
    parts[RIBBON_PART] = source_text(RIBBON_SOURCE).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in ["[Content_Types].xml", *(n for n in parts if n != "[Content_Types].xml")]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0           # the same bytes on every OS
            info.external_attr = 0
            package.writestr(info, parts[name], compresslevel=6)
    return out.getvalue()


def build_xlam(out_path: Path) -> Path:
    """Write the add-in to ``out_path`` (atomically, no backup); returns the path."""
    out_path = Path(out_path)
    data = xlam_bytes()
    try:
        write_atomically(out_path, lambda tmp: tmp.write_bytes(data), keep=0)
    except PermissionError:
        raise AddinBuildError(f"impossibile scrivere {out_path}: file in uso o cartella non "
                              "scrivibile (se Excel è aperto, chiuderlo e riprovare)") from None
    except OSError as exc:
        raise AddinBuildError(f"impossibile scrivere {out_path}: {exc.strerror or exc}") from None
    return out_path
