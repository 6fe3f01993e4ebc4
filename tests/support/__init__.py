"""Helpers shared by the tests: paths, plans and fakes (tests/ is on sys.path, see conftest)."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data"


def load_script(name: str) -> ModuleType:
    """A script of ``scripts/`` as a module (``load_script("gen_docs")``), for tests that
    check what it generates."""
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
