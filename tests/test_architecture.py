"""The package's rooms and the direction of their arrows, read from the source with ast.

Every import of every module counts: at the top, inside functions (lazy imports) and
under ``TYPE_CHECKING``. Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and
``a.b``; those implicit parent imports are not arrows (every module would otherwise
depend on the package's public API).

Rooms and what each may import (besides itself and third-party libraries)::

    room       may import                        what it is
    errors     —                                 user errors vs bugs (a leaf: every room
                                                 raises UserError, the interfaces log bugs)
    core       errors                            pure domain, no I/O
    io         core                              plan files, atomic replace, LibreOffice
    workbook   core, io                          the XlsxWriter generator
    returns    core, io, workbook                reader, patcher, consolidation
    importers  core, io, workbook, returns       plans from texts and tables (the table
                                                 export writes through workbook/cells,
                                                 the .xlsx reader uses returns/guard)
    services   core, io, workbook, returns,      generate, reminders, report, demo
               importers
    addin      core, io                          the .xlam builder
    excel      all but cli                       xlwings port, UDFs, buttons
    cli        all but excel                     the command line
    (package)  core, io, returns                 cruscotto_xl/__init__: the public API
                                                 (``frame`` reads a workbook, lazily)

So the arrows point one way: core ← io ← workbook ← returns ← importers ← services ←
cli / excel (addin beside them on io), and cli and excel never import each other.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from support import ROOT

PACKAGE = "cruscotto_xl"
SOURCE = ROOT / PACKAGE
PACKAGE_ROOM = "(package)"

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "core": {"errors"},
    "io": {"errors", "core"},
    "workbook": {"errors", "core", "io"},
    "returns": {"errors", "core", "io", "workbook"},
    "importers": {"errors", "core", "io", "workbook", "returns"},
    "services": {"errors", "core", "io", "workbook", "returns", "importers"},
    "addin": {"errors", "core", "io"},
    "excel": {"errors", "core", "io", "workbook", "returns", "importers", "services", "addin"},
    "cli": {"errors", "core", "io", "workbook", "returns", "importers", "services", "addin"},
    PACKAGE_ROOM: {"errors", "core", "io", "returns"},
}

#: What core/ may not import: spreadsheet, command-line, chart and PDF libraries, and the
#: standard modules that do I/O (core takes texts and values, and returns them).
CORE_FORBIDDEN = {
    "xlsxwriter", "openpyxl", "python_calamine", "typer", "rich", "click", "xlwings",
    "matplotlib", "weasyprint", "defusedxml", "PIL",
    "os", "pathlib", "shutil", "subprocess", "tempfile", "zipfile", "socket", "urllib",
    "http", "io",
}



def _modules() -> dict[str, tuple[Path, bool]]:
    """Module name → (file, is a package's __init__)."""
    out = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_package)
    return out


MODULES = _modules()


def _imports(name: str) -> list[tuple[str, int, bool]]:
    """(imported name, line, relative?) for every import statement of a module."""
    path, is_package = MODULES[name]
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, False) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno, bool(node.level)))
            found += [(f"{module}.{alias.name}", node.lineno, bool(node.level))
                      for alias in node.names]
    return found


def _own_module(imported: str) -> str | None:
    """The package module an imported name lives in (``a.b.C`` → ``a.b``), or None."""
    while imported and imported not in MODULES:
        imported = imported.rpartition(".")[0]
    return imported or None


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for imported, _, _ in _imports(name):
            target = _own_module(imported)
            if target is not None and target != name:
                edges[name].add(target)
    return edges


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else PACKAGE_ROOM


def _cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan), plus modules
    that import themselves."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1 or v in edges[v]:
                found.append(component)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_lazy_and_type_checking_imports():
    """The reader of the source is not blind: known imports inside functions and under
    TYPE_CHECKING are arrows of the graph."""
    edges = _graph()
    assert "cruscotto_xl.excel.port" in MODULES
    lazy = [imported for imported, _, _ in _imports("cruscotto_xl.excel.port")]
    assert "openpyxl" in lazy and "xlwings" in lazy          # both inside functions
    assert "cruscotto_xl.core.model" in edges["cruscotto_xl.workbook.book"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_core_imports_no_io_no_ui_and_no_other_room():
    bad = []
    for name in MODULES:
        if _room(name) != "core":
            continue
        for imported, line, relative in _imports(name):
            top = imported.split(".")[0]
            own = _own_module(imported) if relative or top == PACKAGE else None
            if (not relative and top in CORE_FORBIDDEN) or (
                    own is not None and _room(own) not in ("core", *ALLOWED["core"])):
                bad.append(f"{name}:{line} importa {imported}")
    assert not bad, "\n".join(bad)


def test_every_module_is_in_a_known_room():
    assert {_room(name) for name in MODULES} <= set(ALLOWED)


def test_arrows_point_the_allowed_way():
    bad = defaultdict(list)
    for name, targets in _graph().items():
        for target in targets:
            a, b = _room(name), _room(target)
            if a != b and b not in ALLOWED[a]:
                bad[(a, b)].append(f"{name} → {target}")
    assert not bad, "\n".join(f"{a} → {b}: {', '.join(v)}" for (a, b), v in bad.items())


def test_the_package_has_no_import_cycle():
    cycles = [sorted(c) for c in _cycles(_graph())]
    assert not cycles, f"cicli di import: {cycles}"


def test_text_is_made_safe_in_one_place():
    """Whether a text gets Excel's quote prefix (stays text when edited) is decided by
    workbook/cells.py alone: no other module asks the styles for a quoted format; the
    characters that start a formula are listed once, in core/vocabulary.py (shared with
    the CSV writers' ``csv_safe_text``)."""
    askers, lists = [], []
    for name, (path, _) in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and any(
                    k.arg == "quote" for k in node.keywords) and node.func.attr == "get":
                askers.append(name)
            if isinstance(node, ast.Tuple) and {"=", "+", "-", "@"} <= {
                    e.value for e in node.elts if isinstance(e, ast.Constant)}:
                lists.append(name)
    assert askers == ["cruscotto_xl.workbook.cells"]
    assert lists == ["cruscotto_xl.core.vocabulary"]      # FORMULA_INJECTION_PREFIXES
