"""The .xlam package: parts, ribbon ↔ VBA callbacks, VBA read back by oletools and
LibreOffice, reproducible bytes, and the ``addin build|install`` commands."""

from __future__ import annotations

import fnmatch
import inspect
import io
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import xlwings
from defusedxml import ElementTree
from oletools.olevba import VBA_Parser
from python_calamine import CalamineWorkbook
from support import ROOT
from typer.testing import CliRunner

import cruscotto_xl.excel.udfs as udfs
from cruscotto_xl.addin.package import (
    ADDIN_CONTENT_TYPE,
    CONFIG_SHEET,
    VBA_PROJECT_NAME,
    AddinBuildError,
    build_xlam,
    config_entries,
    modules,
    source_text,
    user_config_only,
    xlam_bytes,
)
from cruscotto_xl.addin.vbaproject import normalise_source
from cruscotto_xl.cli import addin as addin_cli
from cruscotto_xl.cli.addin import addin_app
from cruscotto_xl.io.libreoffice import INSTALL_HINT, _run_soffice, find_soffice

XLWINGS_DIR = Path(xlwings.__file__).parent
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
#: customUI namespace → the root relationship type Office expects with it.
RIBBON_SCHEMAS = {
    "http://schemas.microsoft.com/office/2006/01/customui":
        "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
    "http://schemas.microsoft.com/office/2009/07/customui":
        "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
}
BUTTONS = {"Ricalcola": "ricalcola", "Valida": "valida",
           "Aggiorna riepilogo": "aggiorna_riepilogo", "Consolida": "consolida",
           "Firma": "firma", "Nuovo anno": "nuovo_anno"}
runner = CliRunner()


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> Path:
    return build_xlam(tmp_path_factory.mktemp("addin") / "cruscotto.xlam")


@pytest.fixture(scope="module")
def parts(xlam) -> dict[str, bytes]:
    with zipfile.ZipFile(xlam) as package:
        assert package.testzip() is None
        return {name: package.read(name) for name in package.namelist()}


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    """Every module as the build stores it (the expected text of every read-back)."""
    return {m.name: normalise_source(m.name, m.kind, m.code) for m in modules()}


def relationships(xml: bytes) -> dict[str, tuple[str, str]]:
    return {r.get("Id"): (r.get("Type"), r.get("Target"))
            for r in ElementTree.fromstring(xml).iter(REL)}


def test_package_parts(parts):
    assert next(iter(parts)) == "[Content_Types].xml"
    for name in ["_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                 "xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/theme/theme1.xml",
                 "xl/vbaProject.bin", "docProps/core.xml", "docProps/app.xml",
                 "customUI/customUI14.xml"]:
        assert name in parts


def test_content_types_make_an_addin(parts):
    types = ElementTree.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT}Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CT}Default")}
    assert overrides["/xl/workbook.xml"] == ADDIN_CONTENT_TYPE
    assert "macroEnabled.main" not in "".join(v for k, v in overrides.items()
                                              if k != "/xl/workbook.xml")
    assert overrides.get("/xl/vbaProject.bin", defaults["bin"]) == (
        "application/vnd.ms-office.vbaProject")
    assert defaults["xml"] == "application/xml"            # covers the customUI part


def test_ribbon_relationship_matches_its_namespace(parts):
    root = relationships(parts["_rels/.rels"])
    ribbon = ElementTree.fromstring(parts["customUI/customUI14.xml"])
    namespace = ribbon.tag[1:].split("}")[0]
    assert namespace == "http://schemas.microsoft.com/office/2009/07/customui"
    assert (RIBBON_SCHEMAS[namespace], "customUI/customUI14.xml") in root.values()
    assert ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
            "officeDocument", "xl/workbook.xml") in root.values()
    assert ("http://schemas.microsoft.com/office/2006/relationships/vbaProject",
            "vbaProject.bin") in relationships(parts["xl/_rels/workbook.xml.rels"]).values()


def test_code_names_match_the_document_modules(parts):
    workbook = parts["xl/workbook.xml"].decode()
    assert re.search(r'<workbookPr codeName="ThisWorkbook"', workbook)
    assert '<workbookView visibility="hidden"' in workbook
    assert f'<sheet name="{CONFIG_SHEET}"' in workbook
    sheet_code = re.search(r'<sheetPr codeName="(\w+)"', parts["xl/worksheets/sheet1.xml"]
                           .decode())[1]
    assert [m.name for m in modules() if m.kind == "document"] == ["ThisWorkbook", sheet_code]


def test_config_sheet_lists_the_template_keys(xlam):
    book = CalamineWorkbook.from_path(str(xlam))
    assert book.sheet_names == [CONFIG_SHEET] == ["_cruscotto.conf"]   # inactive sheet
    rows = book.get_sheet_by_name(CONFIG_SHEET).to_python()
    assert [tuple(r) for r in rows] == list(
        config_entries(source_text("cruscotto.conf.template")).items())
    assert rows[0][0] == "INTERPRETER_WIN"


def ribbon_buttons() -> list[dict[str, str]]:
    ribbon = ElementTree.fromstring(source_text("customUI14.xml").encode())
    tabs = [e for e in ribbon.iter() if e.tag.endswith("}tab")]
    assert [t.get("label") for t in tabs] == ["Cruscotto"]
    return [dict(e.attrib) for e in ribbon.iter() if e.tag.endswith("}button")]


def vba_subs(code: str) -> dict[str, str]:
    """Sub name (upper case: VBA is case-insensitive) → its body."""
    return {m[1].upper(): m[3] for m in re.finditer(
        r"^(?:Public\s+)?Sub\s+(\w+)\s*\(([^)]*)\)\s*$(.*?)^End Sub", code, re.M | re.S | re.I)}


def test_ribbon_buttons_and_their_callbacks(sources):
    buttons = ribbon_buttons()
    assert [b["label"] for b in buttons] == list(BUTTONS)
    for button in buttons:
        assert button["size"] == "large" and button["imageMso"]
        assert button["screentip"] and len(button["supertip"]) > 40
        module, _, sub = button["onAction"].partition(".")
        assert module == "CruscottoRibbon"
        code = sources[module]
        assert re.search(rf"^Sub {sub}\(control As IRibbonControl\)\r$", code, re.M)
        body = vba_subs(code)[sub.upper()]
        calls = re.findall(r'RunPython "([^"]*)"', body)
        assert calls == [f"import cruscotto_xl.excel.macros as m; m.{BUTTONS[button['label']]}()"]


def test_every_onaction_exists_in_some_module(sources):
    subs = {(name, sub) for name, code in sources.items() for sub in vba_subs(code)}
    for button in ribbon_buttons():
        module, _, sub = button["onAction"].partition(".")
        assert (module, sub.upper()) in subs, button["onAction"]


def test_worksheet_functions_wrap_the_python_udfs(sources):
    functions = re.findall(
        r"^Public Function (\w+)\(([^)]*)\)\r\n(.*?)^End Function", sources["CRUSCOTTO"],
        re.M | re.S)
    assert [f[0] for f in functions] == ["GRADO", "TARGET", "PESI", "MEDIA_PESATA"]
    for name, params, body in functions:
        python = getattr(udfs, name.lower())
        signature = inspect.signature(python).parameters.values()
        args = [p.strip() for p in params.split(",")]
        assert [a.startswith("Optional ") for a in args] == [
            p.default is not inspect.Parameter.empty for p in signature]
        names = ", ".join(a.removeprefix("Optional ") for a in args)
        assert (f'{name} = XLPy.CallUDF("cruscotto_xl.excel.udfs", "{python.__name__}", '
                f"Array({names}), ActiveWorkbook, Application.Caller)") in body
        assert f"{name} = Err.Description" in body


def test_vba_sources_in_the_repository_are_ascii():
    for path in (ROOT / "addin").glob("*.bas"):
        path.read_bytes().decode("ascii")


def test_olevba_reads_back_every_module(xlam, sources):
    parser = VBA_Parser(str(xlam), relaxed=False)
    try:
        found = {stream.split("/")[-1]: (filename, code)
                 for _, stream, filename, code in parser.extract_macros()}
        assert not parser.detect_vba_stomping()
    finally:
        parser.close()
    assert set(found) == set(sources)
    for module in modules():
        filename, code = found[module.name]
        assert code == sources[module.name], module.name
        assert filename == module.name + (".bas" if module.kind == "std" else ".cls")


def test_xlwings_module_is_the_installed_one_renamed(sources):
    installed = (XLWINGS_DIR / "xlwings_custom_addin.bas").read_text("cp1252")
    ours = sources["xlwings"].replace("\r\n", "\n")
    assert 'Public Const PROJECT_NAME As String = "cruscotto"' in ours
    signature = ('Function GetConfig(configKey As String, Optional default As String = "", '
                 'Optional source As String = ')
    expected = installed.replace("\r\n", "\n").replace(
        'PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "cruscotto"').replace(
        signature + '"")', signature + '"user")').replace(
        '"ADD_WORKBOOK_TO_PYTHONPATH", "true"', '"ADD_WORKBOOK_TO_PYTHONPATH", "false"')
    assert ours == expected + ("" if installed.endswith("\n") else "\n")


def test_class_and_document_modules_equal_what_excel_stored(sources):
    # xlwings' quickstart add-in was saved by Excel from the same Dictionary.cls: its VBE
    # text is what our .cls normalisation must produce (VBE re-cases Err as err).
    parser = VBA_Parser(str(XLWINGS_DIR / "quickstart_addin_ribbon.xlam"), relaxed=False)
    try:
        excel = {s.split("/")[-1]: c.replace("\r\n", "\n")
                 for _, s, _, c in parser.extract_macros()}
    finally:
        parser.close()
    assert sources["Dictionary"].replace("\r\n", "\n").lower() == excel["Dictionary"].lower()
    assert sources["ThisWorkbook"].replace("\r\n", "\n") == excel["ThisWorkbook"]
    assert sources["Foglio1"].replace("\r\n", "\n") == excel["Sheet2"].replace(
        '"Sheet2"', '"Foglio1"')


@pytest.fixture(scope="module")
def libreoffice_ods(xlam, tmp_path_factory) -> zipfile.ZipFile:
    soffice = find_soffice()
    if soffice is None:
        pytest.fail(INSTALL_HINT)
    out = tmp_path_factory.mktemp("lo")
    _run_soffice(soffice, [xlam], out, 120, convert_to="ods",
                 infilter="Calc MS Excel 2007 VBA XML")
    ods = out / "cruscotto.ods"
    assert ods.is_file(), "LibreOffice did not load the add-in"   # the exit code says nothing
    return zipfile.ZipFile(ods)


def test_libreoffice_imports_every_module(libreoffice_ods, sources):
    kinds = {"std": "normal", "class": "class", "document": "document"}
    for module in modules():
        name = f"Basic/{VBA_PROJECT_NAME}/{module.name}.xml"
        assert name in libreoffice_ods.namelist(), name
        xml = ElementTree.fromstring(libreoffice_ods.read(name))
        assert xml.get("{http://openoffice.org/2000/script}moduleType") == kinds[module.kind]
        lines = xml.text.split("\n")
        while lines[0].startswith(("Rem Attribute VBA_ModuleType=", "Option VBASupport 1",
                                   "Option ClassModule")):
            lines.pop(0)
        expected = [line for line in sources[module.name].split("\r\n")
                    if not line.startswith("Attribute ")]
        assert "\n".join(lines).strip("\n") == "\n".join(expected).strip("\n"), module.name
    assert CONFIG_SHEET in libreoffice_ods.read("content.xml").decode()


def test_build_is_deterministic(xlam):
    again = xlam_bytes()
    assert again == xlam.read_bytes()
    with zipfile.ZipFile(io.BytesIO(again)) as package:
        assert {info.date_time for info in package.infolist()} == {(2024, 1, 1, 0, 0, 0)}


def test_wheel_ships_every_addin_source():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"]["cruscotto_xl.addin_sources"] == "addin"
    patterns = setuptools["package-data"]["cruscotto_xl.addin_sources"]
    for path in (ROOT / "addin").iterdir():
        if path.suffix != ".py" and path.name != ".gitattributes":
            assert any(fnmatch.fnmatch(path.name, p) for p in patterns), path.name


# ------------------------------------------------------------------------------ CLI


def invoke(*args: str):
    return runner.invoke(addin_app, list(args), catch_exceptions=False)


def test_cli_build(tmp_path, xlam):
    out = tmp_path / "sub" / "mio.xlam"
    result = invoke("build", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == xlam.read_bytes()
    assert f"Componente aggiuntivo scritto: {out}" in result.output


def test_cli_build_error_is_one_italian_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("build", "--out", str(blocker / "cruscotto.xlam"))
    assert result.exit_code == 1
    assert result.output.startswith("Errore: impossibile scrivere")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_cli_install_on_linux(tmp_path, monkeypatch):
    monkeypatch.setattr(addin_cli, "_platform", lambda: "linux")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    result = invoke("install")
    assert result.exit_code == 1 and "--cartella" in result.output
    result = invoke("install", "--dir", str(tmp_path / "dest"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dest" / "cruscotto.xlam").is_file()
    assert "XLSTART" in result.output and "INTERPRETER_WIN" in result.output
    assert not (tmp_path / "home").exists()               # no configuration written


def windows(tmp_path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.setattr(addin_cli, "_platform", lambda: "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "utente"))
    return (tmp_path / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART",
            tmp_path / "utente" / ".cruscotto" / "cruscotto.conf")


def test_cli_install_on_windows(tmp_path, monkeypatch, xlam):
    xlstart, conf = windows(tmp_path, monkeypatch)
    result = invoke("install")
    assert result.exit_code == 0, result.output
    assert (xlstart / "cruscotto.xlam").read_bytes() == xlam.read_bytes()
    entries = config_entries(conf.read_text())
    assert entries["INTERPRETER_WIN"] == sys.executable
    assert entries["ADD_WORKBOOK_TO_PYTHONPATH"] == "False"
    assert conf.read_bytes().endswith(b'"\r\n')
    assert "Riavviare Excel" in result.output


def test_cli_install_keeps_the_users_other_settings(tmp_path, monkeypatch):
    _, conf = windows(tmp_path, monkeypatch)
    conf.parent.mkdir(parents=True)
    conf.write_text('"INTERPRETER_WIN","C:\\vecchio\\python.exe"\r\n"PYTHONPATH","C:\\mio"\r\n')
    assert invoke("install").exit_code == 0
    assert config_entries(conf.read_text()) == {"INTERPRETER_WIN": sys.executable,
                                                "PYTHONPATH": "C:\\mio"}


def test_cli_install_on_windows_when_xlstart_is_not_writable(tmp_path, monkeypatch):
    xlstart, _ = windows(tmp_path, monkeypatch)
    xlstart.parent.mkdir(parents=True)
    xlstart.write_text("not a folder")
    result = invoke("install")
    assert result.exit_code == 1 and result.output.startswith("Errore: ")
    assert "Traceback" not in result.output


def test_cli_install_on_macos(tmp_path, monkeypatch):
    monkeypatch.setattr(addin_cli, "_platform", lambda: "darwin")
    monkeypatch.setenv("HOME", str(tmp_path))
    result = invoke("install")
    assert result.exit_code == 1 and "Excel per Mac non trovato" in result.output
    container = tmp_path / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
    container.mkdir(parents=True)
    result = invoke("install")
    assert result.exit_code == 0, result.output
    assert (container / "cruscotto.xlam").is_file()
    assert config_entries((container / "cruscotto.conf").read_text())["INTERPRETER_MAC"] == (
        sys.executable)
    assert "xlwings runpython install" in result.output


def test_every_imagemso_is_an_excel_control():
    """addin/imagemso_excel.txt: Microsoft's Excel control ids (source and licence in its
    header), present in Office 2016, Office 2019 and Microsoft 365."""
    lines = (ROOT / "addin" / "imagemso_excel.txt").read_text("utf-8").splitlines()
    assert lines[0].startswith("# Excel control ids") and "MIT" in lines[0]
    assert lines[1].startswith("# MIT License. Copyright (c) Microsoft Corporation.")
    known = {line for line in lines if not line.startswith("#")}
    assert len(known) > 1000 and all(re.fullmatch(r"\w+", name) for name in known)
    assert {"ImportExcel", "ReviewAcceptChange", "CalendarInsert"}.isdisjoint(known)
    xml = source_text("customUI14.xml")
    used = re.findall(r'imageMso="([^"]*)"', xml)
    assert len(used) == len(BUTTONS)
    assert [name for name in used if name not in known] == []


def _procedure(code: str, name: str) -> str:
    match = re.search(rf"^(?:Private |Public )?(Function|Sub) {name}\b.*?^End \1", code,
                      re.M | re.S)
    assert match, name
    return match[0]


def test_xlwings_reads_only_the_user_configuration(sources):
    """The build patches xlwings' module: GetConfig's default source is the user's file, and
    the active workbook's folder is not put on sys.path (addin/README.md)."""
    code = sources["xlwings"]
    signature = re.findall(r"^Function GetConfig\(.*$", code, re.M)
    assert signature == ['Function GetConfig(configKey As String, Optional default As String = "",'
                         ' Optional source As String = "user") As Variant\r']
    assert code.count('GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "false")') == 2
    assert '"ADD_WORKBOOK_TO_PYTHONPATH", "true"' not in code
    for procedure in ("XLPyCommand", "XLPyLoadDLL"):
        calls = re.findall(r"GetConfig\(([^()]*)\)", _procedure(code, procedure))
        assert calls and all(call.count(",") <= 1 for call in calls), procedure


def test_an_unknown_xlwings_module_fails_the_build():
    with pytest.raises(AddinBuildError, match="compare 0 volte invece di 1"):
        user_config_only("Function GetConfig(configKey As String) As Variant\n")
    text = (XLWINGS_DIR / "xlwings_custom_addin.bas").read_text("cp1252").replace("\r\n", "\n")
    doubled = text + text
    with pytest.raises(AddinBuildError, match="compare 2 volte invece di 1"):
        user_config_only(doubled)


def test_workbook_folder_check_uses_xlwings_helpers_under_on_error(sources):
    body = _procedure(sources["CruscottoRibbon"], "CartellaAttiva")
    assert "On Error GoTo percorso" in body and "\r\npercorso:\r\n" in body
    assert "Dir(" not in body
    for helper in ("GetFullName", "GetDirectoryConfigFilePath", "FileExists"):
        assert f"xlwings.{helper}(" in body
        assert re.search(rf"^Function {helper}\(", sources["xlwings"], re.M)
    assert "OneDrive o SharePoint" in body


def test_worksheet_functions_say_they_are_windows_only_on_a_mac(sources):
    functions = re.findall(r"^Public Function (\w+)\([^)]*\)\r\n(.*?)^End Function",
                           sources["CRUSCOTTO"], re.M | re.S)
    assert len(functions) == 4
    for name, body in functions:
        head = body.split("\r\n")[:4]
        assert head[0] == "#If Mac Then"
        assert head[1].startswith(f'    {name} = "Le funzioni del Cruscotto') and \
            "solo in Excel per Windows" in head[1]
        assert head[2:4] == ["    Exit Function", "#End If"]
