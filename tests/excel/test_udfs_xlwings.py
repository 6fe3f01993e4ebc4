"""Worksheet functions registered and called through xlwings' own Windows code path.

On Linux ``xw.func`` is a no-op, so the plain tests in test_udfs.py cannot see what xlwings
does with the type hints. Here the Windows-only modules xlwings imports (pythoncom,
pywintypes, win32com, the COM server loop) are stubbed minimally, xlwings' real
``xlwings.udfs`` (xlfunc/xlarg/xlret, hint extraction, call_udf) is imported, our module is
loaded with those decorators, and each function is called the way the UDF server calls it:
values converted in by ``conversion.read``, the call, the result converted out by
``conversion.write``. The value cleaning is xlwings' own ``_xlwindows.Engine``, compiled from
the installed source without its pywin32 imports.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import importlib.util
import inspect
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_type_hints

import pytest
import xlwings
from xlwings import conversion
from xlwings.main import Engine

UDF_MODULE = "cruscotto_xl.excel.udfs"
MISSING = -2147352572  # DISP_E_PARAMNOTFOUND: what VBA passes for an omitted Optional argument


def _module(name: str, **attrs: object) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def _windows_engine() -> object:
    """xlwings' own ``_xlwindows.Engine`` (value cleaning) without its pywin32 imports."""
    source = Path(xlwings.__file__).with_name("_xlwindows.py").read_text("utf-8")
    wanted = {"cell_errors", "_com_time_to_datetime", "_datetime_to_com_time",
              "_clean_value_data_element", "Engine"}
    nodes = [n for n in ast.parse(source).body
             if (isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name in wanted)
             or (isinstance(n, ast.Assign) and any(getattr(t, "id", None) in wanted
                                                    for t in n.targets))]
    found = {getattr(n, "name", None) or n.targets[0].id for n in nodes}  # type: ignore[attr-defined]
    assert found == wanted, "xlwings' _xlwindows.py changed: update this test"
    utc = types.SimpleNamespace(utc=lambda: dt.UTC)
    namespace: dict[str, Any] = {
        "dt": dt, "pd": None, "np": None, "time_types": (dt.date, dt.datetime),
        "win32timezone": types.SimpleNamespace(TimeZoneInfo=utc)}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), "_xlwindows.py", "exec"), namespace)
    return namespace["Engine"]()


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, types.ModuleType]]:
    """(xlwings.udfs, our UDF module decorated as on Windows)."""
    class ComError(Exception):
        pass
    win32com_client = _module("win32com.client", Dispatch=lambda *a, **k: None)
    for name, module in {
            "pythoncom": _module("pythoncom", CoInitialize=lambda: None, IID_IDispatch=None),
            "pywintypes": _module("pywintypes", com_error=ComError, TimeType=dt.datetime),
            "win32com": _module("win32com", client=win32com_client),
            "win32com.client": win32com_client,
            "xlwings.com_server": _module("xlwings.com_server", loop=None)}.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(xlwings, "_xlwindows", _module(
        "xlwings._xlwindows", Range=lambda xl: types.SimpleNamespace(xl=xl),
        is_range_instance=lambda value: False, BOOK_CALLER=None), raising=False)
    monkeypatch.setitem(xlwings.engines.engines_by_name, "excel",
                        Engine(impl=_windows_engine()))
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    xl_udfs = importlib.import_module("xlwings.udfs")
    # xlwings/__init__.py on Windows: `from .udfs import xlfunc as func, xlarg as arg, ...`
    monkeypatch.setattr(xlwings, "func", xl_udfs.xlfunc)
    monkeypatch.setattr(xlwings, "arg", xl_udfs.xlarg)
    monkeypatch.setattr(xlwings, "ret", xl_udfs.xlret)
    spec = importlib.util.find_spec(UDF_MODULE)
    assert spec is not None and spec.loader is not None
    ours = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, UDF_MODULE, ours)  # call_udf imports it by name
    spec.loader.exec_module(ours)
    yield xl_udfs, ours
    sys.modules.pop("xlwings.udfs", None)  # the stubbed import must not outlive the test
    vars(xlwings).pop("udfs", None)


def _registered(module: types.ModuleType) -> dict[str, Any]:
    return {name: f for name, f in vars(module).items()
            if inspect.isfunction(f) and hasattr(f, "__xlfunc__")}


def test_every_hint_is_an_xlwings_converter(windows: tuple[Any, types.ModuleType]) -> None:
    xl_udfs, ours = windows
    functions = _registered(ours)
    assert set(functions) == {"grado", "target", "pesi", "media_pesata"}
    for name, f in functions.items():
        info = f.__xlfunc__
        assert info["category"] == "Cruscotto"
        for hint_name, hint in get_type_hints(f, include_extras=True).items():
            top, _ = xl_udfs.extract_type_and_annotations(hint)
            assert top in conversion.accessors, f"{name}: {hint_name} -> {top!r}"
        for opts in [a["options"] for a in info["args"]] + [info["ret"]["options"]]:
            assert opts.get("convert") in conversion.accessors, (name, opts)


def test_argument_docs_reach_the_registration(windows: tuple[Any, types.ModuleType]) -> None:
    _, ours = windows
    args = {a["name"]: a for a in ours.grado.__xlfunc__["args"]}
    assert list(args) == ["consuntivo", "target", "politica", "riferimento", "data_evento"]
    assert [name for name, a in args.items() if "optional" in a] == [
        "politica", "riferimento", "data_evento"]
    assert args["consuntivo"]["doc"].startswith("Valore rilevato")


@pytest.mark.parametrize(("func", "args", "expected"), [
    ("pesi", (((50.0,), (None,), ("50",)),), [["OK"]]),                 # a 3x1 range
    ("pesi", (((50.0,), (40.0,)),), None),                             # a message, not OK
    ("grado", (0.8, ">= 70,00 %", MISSING, MISSING, MISSING), [[1.0]]),  # Optionals omitted
    ("grado", (None, ">= 1", "dato_mancante=zero", MISSING, MISSING), [[0.0]]),
    ("grado", ("n.d.", ">= 1", MISSING, MISSING, MISSING), [["dato mancante"]]),
    ("grado", (105.0, "incremento del 5% rispetto all'anno precedente", MISSING, 100.0,
               MISSING), [[1.0]]),
    ("target", (">= 70,00 %",), [["confronto", ">=", 0.7, "%"]]),
    ("target", ("Entro 31-12-2024",),
     [["scadenza", "", dt.datetime(2024, 12, 31, tzinfo=dt.UTC), ""]]),
    ("target", ("boh",), "Errore: target non riconosciuto «boh»"),  # a text starting so
    ("media_pesata", (((50.0,), (30.0,), (20.0,)), ((1.0,), (0.5,), ("dato mancante",))),
     [[0.8125]]),
])
def test_called_as_the_udf_server_calls_them(windows: tuple[Any, types.ModuleType], func: str,
                                             args: tuple[Any, ...], expected: Any) -> None:
    xl_udfs, _ = windows
    result = xl_udfs.call_udf(UDF_MODULE, func, args)
    if expected is None or isinstance(expected, str):
        assert len(result) == 1 and len(result[0]) == 1
        assert isinstance(result[0][0], str) and result[0][0] != "OK"
        assert expected is None or result[0][0].startswith(expected)
    else:
        assert result == expected
