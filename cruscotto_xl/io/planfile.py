"""Plan files: load and save a :class:`~cruscotto_xl.core.model.Plan` as YAML or JSON.

A bad file never gives a traceback: :class:`PlanFileError` names the file and, for each
problem, the path inside it (``ambiti[0].obiettivi[3].indicatori[2].peso``), the code of
the element when there is one, and an Italian message. All problems come at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..core.model import Plan
from ..core.rollover import ChangeSet
from ..errors import UserError

PLAN_SUFFIXES = (".yaml", ".yml", ".json")

#: How deep lists and tables may nest in a plan or change file. A real plan nests about
#: eight levels (ambiti → obiettivi → indicatori → target …); the bound keeps a hostile
#: file from exhausting the stack of the parser or of the validation (docs/security.md).
MAX_NESTING = 50

_TOO_DEEP = (f"strutture annidate troppo in profondità (più di {MAX_NESTING} livelli): "
             "un piano non ne ha bisogno; controllare parentesi e rientri del file")
_ALIAS = ("il file usa alias YAML («&nome» / «*nome»): non ammessi nei piani, perché "
          "un file piccolo potrebbe espandersi a milioni di voci; scrivere i valori per esteso")


class _NestingError(Exception):
    """Raised inside the parser when the nesting bound is passed."""


class _AliasError(Exception):
    """Raised inside the parser on an alias or an anchor."""


class _PlanYamlLoader(yaml.SafeLoader):
    """The safe loader without anchors/aliases (no alias bombs) and with bounded nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _AliasError
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise _AliasError
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _NestingError
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _too_deep(data: Any) -> bool:
    """True when ``data`` nests more than :data:`MAX_NESTING` levels (no recursion)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def _parse_json(text: str) -> Any:
    # The nesting is counted on the brackets first, so the decoder never recurses deeply.
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                raise _NestingError
        elif char in "]}":
            depth -= 1
    return json.loads(text)

_MESSAGES = {
    "missing": "campo obbligatorio mancante",
    "extra_forbidden": "campo sconosciuto (controllare il nome)",
    "float_parsing": "deve essere un numero",
    "float_type": "deve essere un numero",
    "finite_number": "deve essere un numero finito (non NaN né infinito)",
    "int_parsing": "deve essere un numero intero",
    "int_type": "deve essere un numero intero",
    "int_from_float": "deve essere un numero intero",
    "string_type": "deve essere un testo",
    "string_too_short": "non può essere vuoto",
    "bool_parsing": "deve essere sì o no",
    "date_parsing": "deve essere una data (gg/mm/aaaa)",
    "date_from_datetime_parsing": "deve essere una data (gg/mm/aaaa)",
    "date_type": "deve essere una data (gg/mm/aaaa)",
    "list_type": "deve essere un elenco",
    "dict_type": "deve essere una tabella di voci (chiave: valore)",
    "model_type": "deve essere una tabella di voci (chiave: valore)",
    "model_attributes_type": "deve essere una tabella di voci (chiave: valore)",
    "greater_than_equal": "deve essere almeno {ge}",
    "greater_than": "deve essere maggiore di {gt}",
    "less_than_equal": "deve essere al massimo {le}",
    "less_than": "deve essere minore di {lt}",
    "literal_error": "valore non ammesso (ammessi: {expected})",
    "enum": "valore non ammesso (ammessi: {expected})",
}


class PlanFileError(UserError):
    """A plan file that cannot be read; ``problems`` lists ``(location, message)`` pairs."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]) -> None:
        self.path = Path(path)
        self.problems = problems
        lines = [f"{self.path}: {loc}: {msg}" if loc else f"{self.path}: {msg}"
                 for loc, msg in problems]
        super().__init__("\n".join(lines))


def format_loc(loc: tuple[int | str, ...]) -> str:
    """('ambiti', 0, 'peso') → ``ambiti[0].peso``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _subject(data: Any, loc: tuple[int | str, ...]) -> str:
    """The ``codice`` of the innermost object on the path, to help find it in the file."""
    code = ""
    node = data
    for part in loc:
        if isinstance(node, dict):
            code = str(node["codice"]) if isinstance(node.get("codice"), str | int) else ""
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return code


def error_message(error: dict[str, Any]) -> str:
    """An Italian message for one pydantic error."""
    template = _MESSAGES.get(error["type"])
    ctx = {k: v.replace("' or '", "' o '") if isinstance(v, str) else v
           for k, v in (error.get("ctx") or {}).items()}     # pydantic lists in English
    if template:
        try:
            text = template.format(**ctx)
        except (KeyError, IndexError):
            text = template
    else:
        text = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] not in ("missing", "extra_forbidden") and "input" in error:
        shown = error["input"]
        if not isinstance(shown, dict | list):
            text += f" (trovato {shown!r})"
    return text


def file_problems(data: Any, exc: ValidationError) -> list[tuple[str, str]]:
    """Each pydantic error as (path in the file with the element's code, Italian message)."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        subject = _subject(data, loc)
        where = format_loc(loc) + (f" (codice {subject})" if subject else "")
        problems.append((where, error_message(dict(err))))
    return problems


def plan_from_data(data: Any, source: Path | str = "<piano>") -> Plan:
    """Validate already-parsed data; errors become a :class:`PlanFileError`."""
    if not isinstance(data, dict):
        raise PlanFileError(source, [("", "il file non contiene un piano (attesa una tabella "
                                             "con ente, anno, ambiti)")])
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(source, file_problems(data, exc)) from None


def read_plan_data(path: Path) -> Any:
    """Parse the file as YAML or JSON (by suffix), with Italian errors."""
    if path.suffix.lower() not in PLAN_SUFFIXES:
        raise PlanFileError(path, [("", "formato non supportato: usare .yaml, .yml o .json")])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanFileError(path, [("", "file non trovato")]) from None
    except UnicodeDecodeError:
        raise PlanFileError(path, [("", "il file non è testo UTF-8")]) from None
    except OSError as exc:
        raise PlanFileError(path, [("", f"impossibile leggere il file ({exc.strerror})")]) from None
    try:
        if path.suffix.lower() == ".json":
            data = _parse_json(text)
        else:
            loader = _PlanYamlLoader(text)
            try:
                data = loader.get_single_data()
            finally:
                loader.dispose()
    except (_NestingError, RecursionError):
        raise PlanFileError(path, [("", _TOO_DEEP)]) from None
    except _AliasError:
        raise PlanFileError(path, [("", _ALIAS)]) from None
    except json.JSONDecodeError as exc:
        raise PlanFileError(path, [(f"riga {exc.lineno}, colonna {exc.colno}",
                                    f"JSON non valido: {exc.msg}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"riga {mark.line + 1}, colonna {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanFileError(path, [(where, f"YAML non valido: {problem}")]) from None
    if _too_deep(data):
        raise PlanFileError(path, [("", _TOO_DEEP)])
    return data


def load_plan(path: Path | str) -> Plan:
    """Load a plan file (YAML or JSON)."""
    path = Path(path)
    return plan_from_data(read_plan_data(path), path)


_LEAVES = (str, int, float, bool, type(None))


def _year_keys(data: Any) -> Any:
    """JSON turns the year keys of ``target``/``riferimenti`` into text; give them back.

    (The plan digest of every returned file goes through here: leaves are not recursed
    into.)"""
    if isinstance(data, dict):
        return {int(k) if isinstance(k, str) and k.isdigit() else k:
                v if type(v) in _LEAVES else _year_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [v if type(v) in _LEAVES else _year_keys(v) for v in data]
    return data


def plan_to_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data with the Italian keys of the file format."""
    return _year_keys(plan.model_dump(mode="json", by_alias=True, exclude_none=True,
                                      exclude_defaults=True))


def save_plan(plan: Plan, path: Path | str) -> Path:
    """Write the plan as YAML or JSON (by suffix). Dates are written as ISO text."""
    path = Path(path)
    data = plan_to_data(plan)
    # Required fields with a default value still belong in the file.
    data = {"ente": plan.entity, "anno": plan.year, "id": plan.id, **data}
    if path.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif path.suffix.lower() in (".yaml", ".yml"):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    else:
        raise PlanFileError(path, [("", "formato non supportato: usare .yaml, .yml o .json")])
    path.write_text(text, encoding="utf-8")
    return path


def load_changes(path: Path | str) -> ChangeSet:
    """Read a change file of the yearly revision (YAML or JSON), errors in Italian.

    Its entries are checked with the indicator's own field types (``verso``, ``peso``,
    ``uffici``…, see :data:`~cruscotto_xl.core.rollover.CHANGED_FIELDS`), so an entry
    holds nothing a plan could not.
    """
    path = Path(path)
    data = read_plan_data(path)
    if not isinstance(data, dict):
        raise PlanFileError(path, [("", "il file non contiene modifiche (attesa una tabella "
                                        "con delibera, data, modifiche)")])
    try:
        return ChangeSet.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(path, file_problems(data, exc)) from None
