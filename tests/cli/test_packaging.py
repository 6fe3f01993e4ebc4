"""The distribution ships every subpackage (the list in pyproject.toml is explicit)."""

from __future__ import annotations

import tomllib

from support import ROOT


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "cruscotto_xl").rglob("__init__.py")}
    found.add("cruscotto_xl.workbook_templates")
    assert found <= listed, f"missing from pyproject.toml: {sorted(found - listed)}"
