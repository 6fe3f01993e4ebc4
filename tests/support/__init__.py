"""Helpers shared by the tests: paths, plans and fakes (tests/ is on sys.path, see conftest)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data"
