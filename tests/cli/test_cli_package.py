"""The cli/ package: modules that do not import each other in a circle, every command under
the one error policy, every English alias declared in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import typer
from support import ROOT

from cruscotto_xl.cli.app import app
from cruscotto_xl.cli.options import COMMAND_ALIASES, OPTIONS

CLI = ROOT / "cruscotto_xl" / "cli"


def _cli_imports(path: Path) -> set[str]:
    """The cli modules ``path`` imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "cruscotto_xl.cli."):
            found.add(node.module.split(".")[2])
    return found


def test_cli_modules_import_each_other_without_a_cycle():
    graph = {p.stem: _cli_imports(p) for p in CLI.glob("*.py") if p.stem != "__init__"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' → '.join((*path, module))}"
        if module in done:
            return
        for other in graph.get(module, ()):
            visit(other, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
    # Only the console script's entry (cli/entry.py, the Ctrl+C handler) sits above the app.
    assert all("app" not in imports for module, imports in graph.items()
               if module not in ("app", "entry"))
    assert "entry" not in {i for imports in graph.values() for i in imports}


def _commands(group: object, prefix: str = "") -> dict[str, object]:
    found = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


COMMANDS = _commands(typer.main.get_command(app))


def _wrappers(func: object) -> list[object]:
    """``func`` and every function it wraps (typer's wrapper, the policy's, the command)."""
    chain = [func]
    while hasattr(chain[-1], "__wrapped__"):
        chain.append(chain[-1].__wrapped__)  # type: ignore[attr-defined]
    return chain


def test_every_command_runs_under_the_error_policy():
    unguarded = [name for name, command in COMMANDS.items()
                 if not any(f.__code__.co_qualname == "guarded.<locals>.wrapper"  # type: ignore[attr-defined]
                            for f in _wrappers(command.callback))]
    assert not unguarded


def test_command_aliases_are_hidden_and_do_the_same():
    for name, alias in COMMAND_ALIASES.items():
        assert not COMMANDS[name].hidden and COMMANDS[alias].hidden
        assert _wrappers(COMMANDS[alias].callback)[-1] is _wrappers(COMMANDS[name].callback)[-1]


def test_every_option_is_spelled_once_from_the_one_table():
    """Each option is declared with one Italian spelling, a key of the table; its English
    aliases live only in the table (hidden from the help, accepted by every command)."""
    used = set()
    for name, command in COMMANDS.items():
        for param in command.params:
            if param.param_type_name != "option":
                continue
            assert len(param.opts) == 1 and not param.secondary_opts, (name, param.opts)
            assert param.opts[0] in OPTIONS, (name, param.opts[0])
            used.add(param.opts[0])
    for param in typer.main.get_command(app).params:   # the global --debug
        used.add(param.opts[0])
    assert used == set(OPTIONS)
    spellings = [s for name, aliases in OPTIONS.items() for s in (name, *aliases)]
    assert len(spellings) == len(set(spellings))
