"""Regenerate the parts of docs/ that the code defines: the grading rules and formulas
(docs/rules.md, from cruscotto_xl/core/rules.py, rollup.py, input_checks.py and the policy
model), the workbook's columns, names, tables and sheets (docs/workbook.md, from
cruscotto_xl/workbook/layout.py and a workbook rendered in memory) and the keys of a plan
file (docs/domain.md, from the plan model, cruscotto_xl/core/model.py).

    python scripts/gen_docs.py            # rewrite the generated blocks
    python scripts/gen_docs.py --check    # exit 1, naming the block, when one is stale

Each generated block sits between two markers; the text around them is written by hand
and kept as it is:

    <!-- BEGIN GENERATED rules-table (scripts/gen_docs.py) -->
    ...
    <!-- END GENERATED rules-table -->

tests/docs/test_docs_current.py fails when a committed block differs from a fresh one, so
a rule, column or name changed without regenerating is caught. A rule, policy option,
reason, defined name or table added to the code without its line of explanation below
makes this script stop with the name to explain.
"""

from __future__ import annotations

import argparse
import io
import sys
import types
import typing
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from defusedxml import ElementTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cruscotto_xl.core import input_checks, model, rollup, rules, transversal  # noqa: E402
from cruscotto_xl.core.model import DEFAULT_BANDS, Policy  # noqa: E402
from cruscotto_xl.core.targets import parse_target  # noqa: E402
from cruscotto_xl.io.planfile import load_plan  # noqa: E402
from cruscotto_xl.workbook import layout, render_book  # noqa: E402

RULES_DOC = ROOT / "docs" / "rules.md"
WORKBOOK_DOC = ROOT / "docs" / "workbook.md"
DOMAIN_DOC = ROOT / "docs" / "domain.md"
#: The small fixed plan of the golden workbooks: the rendered names and tables come from it.
SAMPLE_PLAN = ROOT / "tests" / "data" / "golden" / "piano.yaml"

BEGIN = "<!-- BEGIN GENERATED {name} (scripts/gen_docs.py) -->"
END = "<!-- END GENERATED {name} -->"


class DocsError(Exception):
    """A docs file without its markers, or a name in the code that the script cannot explain."""


def _code(text: str) -> str:
    """Inline code in a table cell (``|`` escaped)."""
    return "`" + text.replace("|", "\\|") + "`"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- docs/rules.md -----------------------------------------------------------------------

#: Symbolic cell names used in the formulas below, with the column each stands for.
CELLS = rules.Cells(actual="A", target="T", status="S", forced="F", reference="R",
                    tolerance="TOL", red_flag="RF", threshold="SG", deadline="D", event="E")
CELL_COLUMNS = {"A": "effective", "T": "target", "S": "status", "F": "forced",
                "R": "reference", "TOL": "tolerance", "RF": "red_flag", "SG": "threshold",
                "D": "deadline", "E": "event_date", "V": "actual", "N": "numerator",
                "DEN": "denominator", "G": "grade"}

#: (target text, policy options, indicator options): one example per rule of RULES.
RULE_EXAMPLES: tuple[tuple[str, dict, dict], ...] = (
    (">= 70 %", {}, {}),
    ("> 0", {}, {}),
    ("<= 10 gg", {}, {}),
    ("< 0", {}, {}),
    ("<= 10 gg", {"minore_migliore": "lineare"}, {}),
    ("= 0,23", {}, {}),
    ("Entro 31/12/2024", {}, {}),
    ("Entro 31/12/2024", {"giorni_decadimento_scadenza": 30}, {}),
)

#: (target text, policy options, indicator options, what it shows): the grade cell's whole
#: formula for each kind of target and option.
GRADE_EXAMPLES: tuple[tuple[str, dict, dict, str], ...] = (
    (">= 70 %", {}, {}, "comparison"),
    (">= 70 %", {}, {"threshold": 0.5}, "comparison with a «soglia» of 50 %"),
    (">= 70 %", {"dato_mancante": "zero"}, {}, "policy `dato_mancante: zero`"),
    ("<= 10 gg", {"minore_migliore": "lineare"}, {},
     "lower is better, policy `minore_migliore: lineare` (RF = 2 × T by default)"),
    ("= 0,23", {}, {}, "equality (TOL = half a unit of the last written decimal: 0,005)"),
    ("Entro 31/12/2024", {}, {}, "deadline"),
    ("Entro 31/12/2024", {"giorni_decadimento_scadenza": 30}, {},
     "deadline, policy `giorni_decadimento_scadenza: 30`"),
    ("entro 30 gg dalla richiesta", {}, {}, "term from an event, in days"),
    ("entro 2 mesi dalla richiesta", {}, {}, "term from an event, in months (EDATE)"),
    ("Sì", {}, {}, "milestone"),
    ("x < x-1", {}, {}, "relative: the reference R is the target"),
    (">= anno precedente + 5 %", {}, {}, "relative with a percentage change"),
    (">= baseline + 10", {}, {}, "relative with an added change"),
    ("scostamento max 0,02 da media cluster", {}, {}, "relative with a gap (TOL = 0,02)"),
    ("Monitoraggio", {}, {}, "monitoring only"),
)

POLICY_MEANING = {
    "missing": "a missing actual: not graded («dato mancante»), or 0",
    "lower_is_better": "`<=`/`<` with T > 0 and A > T: T/A (`rapporto`), or linear to the "
                       "red flag RF: (RF − A)/(RF − T), clamped to [0, 1] (`lineare`)",
    "red_flag_factor": "RF = factor × T when the indicator gives no `soglia_rossa` "
                       "(policy `lineare` only)",
    "deadline_decay_days": "late deadlines lose 1/N per day late instead of grading 0",
    "os_mix": "an OS's grade: its own indicators, its OO children, both mixed "
              "(`misto`), or whichever it has (`automatico`)",
    "os_indicator_share": "in a mix, the share of the OS's own indicators (points)",
    "bands": "the valutazione bands, highest first; the last starts at 0",
    "weight_tolerance": "how far from 100 sibling weights may sum (a validation error beyond)",
}

REASON_MEANING = {
    "NEUTRALIZED": "status *neutralizzato*: excluded, the siblings' weights renormalize",
    "FORCED_MISSING": "status *forzato* without its grade",
    "MONITORING": "the target is monitoring only",
    "MISSING": "no actual (policy `dato_mancante: non_valutabile`)",
    "INVALID": "the actual is not a number, a date or Sì/No as the target needs",
    "NO_REFERENCE": "a relative target without its reference value",
    "NO_EVENT": "a term from an event without the event's date",
}


def _policy(options: dict) -> Policy:
    return Policy.model_validate(options)


def _spec(text: str, policy: dict, indicator: dict) -> rules.GradeSpec:
    return rules.GradeSpec.from_target(parse_target(text, year=2024), _policy(policy),
                                       **indicator)


def _rule_key(rule: rules.Rule) -> str:
    return next(k for k, r in rules.RULES.items() if r is rule)


def _options(policy: dict, indicator: dict) -> str:
    parts = [f"`{k}: {v}`" for k, v in policy.items()]
    parts += [f"`soglia: {v}`" for v in indicator.values()]
    return ", ".join(parts) or "—"


def rules_table() -> str:
    rows = []
    covered = set()
    for text, policy, indicator in RULE_EXAMPLES:
        spec = _spec(text, policy, indicator)
        rule = rules.rule_for(spec)
        assert rule is not None
        key = _rule_key(rule)
        covered.add(key)
        t = CELLS.deadline if spec.target.kind.value == "scadenza" else CELLS.target
        rows.append((f"`{key}`", _code(text), _options(policy, indicator), rule.name,
                     f"`{rule.compute.__name__}`", _code(rule.formula("A", t, spec, CELLS))))
    missing = set(rules.RULES) - covered
    if missing:
        raise DocsError(f"rules without an example in RULE_EXAMPLES: {sorted(missing)}")
    return _table(("rule", "target", "options", "name (shown by `cruscotto grado`)", "Python",
                   "Excel formula"), rows)


def cells_legend() -> str:
    headers = {c.key: c.header for c in layout.INDICATOR_COLUMNS}
    rows = [(f"`{name}`", f"«{headers[key]}»") for name, key in CELL_COLUMNS.items()]
    return _table(("in the formulas", "column of the indicator table"), rows)


def grade_cells() -> str:
    out = []
    for text, policy, indicator, what in GRADE_EXAMPLES:
        spec = _spec(text, policy, indicator)
        rule = rules.rule_for(spec)
        name = f" — rule `{_rule_key(rule)}`" if rule is not None else ""
        out.append(f"**`{text}`** — {what}{name}\n\n```\n{rules.grade_formula(spec, CELLS)}\n```")
    return "\n\n".join(out)


def reasons() -> str:
    rows = []
    for name, value in vars(rules).items():
        if not (name.isupper() and isinstance(value, str)) or name == "NOT_GRADED_PREFIX":
            continue
        if name not in REASON_MEANING:
            raise DocsError(f"rules.{name} = {value!r} has no line in REASON_MEANING")
        rows.append((f"«{value}»", f"`rules.{name}`", REASON_MEANING[name]))
    rows.append((f"«{rollup.NOTHING_GRADED}»", "`rollup.NOTHING_GRADED`",
                 "an objective none of whose children is graded"))
    return _table(("grade cell shows", "constant", "when"), rows)


def valutazione() -> str:
    bands = _table(("grade from", "valutazione"),
                   [(f"{b.threshold:.0%}", f"«{b.label}»") for b in DEFAULT_BANDS])
    formula = rules.valutazione_formula("G")
    return f"{bands}\n\n```\n{formula}\n```"


def policy_table() -> str:
    rows = []
    for name, field in Policy.model_fields.items():
        if name not in POLICY_MEANING:
            raise DocsError(f"Policy.{name} has no line in POLICY_MEANING")
        default = field.get_default(call_default_factory=True)
        if name == "bands":
            default = "; ".join(f"{b.label} da {b.threshold:.0%}" for b in default)
        allowed = typing.get_args(field.annotation) \
            if typing.get_origin(field.annotation) is typing.Literal else ()
        values = ", ".join(f"`{v}`" for v in allowed) if allowed else (
            "list of `{da, etichetta}`" if name == "bands"
            else _type(field.annotation).replace(" | None", ""))
        bounds = [f"{k} {getattr(m, k)}" for m in field.metadata for k in ("gt", "ge", "le")
                  if getattr(m, k, None) is not None]
        if bounds:
            values += " (" + ", ".join(bounds) + ")"
        rows.append((f"`{field.alias}`", values, _code(str(default)), POLICY_MEANING[name]))
    return _table(("key (plan file, `politica:`)", "values", "default", "meaning"), rows)


def rollup_formulas() -> str:
    mix = Policy(composizione_os="misto")
    items = (
        ("effective actual (typed V, else N/DEN)",
         rules.effective_actual_formula("V", "N", "DEN")),
        ("weight counted (W = weight, G = grade)", rollup.weight_used_formula("W", "G")),
        ("contribution", rollup.contribution_formula("W", "G")),
        ("objective grade over its rows", rollup.weighted_mean_formula("WU", "C")),
        ("summary row over its children (P = parent column, here the row whose key is 3)",
         "=" + rollup.grouped_mean_formula("WU", "C", "P", 3)),
        ("OS mixing own indicators (OWN) and OO children (CH), policy `misto` 50 %",
         rollup.os_grade_formula(mix, True, True, "OWN", "CH")),
    )
    return "\n\n".join(f"{what}:\n\n```\n{formula}\n```" for what, formula in items)


def transversal_formulas() -> str:
    """The ente value of each transversal rule (core/transversal.py) over the per-office
    block: V the values, WU the weights used, P the products."""
    rows = [(f"`{rule}`", transversal.RULE_TEXT[rule],
             _code("=" + transversal.ente_value_formula(rule, "V", "WU", "P")))
            for rule in model.TRANSVERSAL_RULES]
    helpers = (("weight used (V value, W weight)", transversal.used_weight_formula("V", "W")),
               ("product", transversal.product_formula("V", "W")))
    return (_table(("rule", "meaning", "ente value"), rows) + "\n\n"
            + "\n\n".join(f"{what}:\n\n```\n={formula}\n```" for what, formula in helpers))


def input_check() -> str:
    formula = input_checks.input_check_formula("G", True, True, "V", "N", "DEN", "A")
    return f"A percentage row whose target is at most 100 %:\n\n```\n{formula}\n```"


# --- docs/workbook.md --------------------------------------------------------------------

def _role(column: layout.Column) -> str:
    if column.is_input:
        return "input (yellow, unlocked)"
    if column.helper:
        return "helper (hidden)"
    if column.detail:
        return "parsed target (grouped, collapsed)"
    return "locked"


def _columns(columns: tuple[layout.Column, ...], offset: int = 0, header: str = "header",
             suffix: str = "") -> str:
    rows = [(f"{layout.col_letter(offset + i)}" if offset >= 0 else str(i), f"`{c.key}`",
             f"«{c.header}{suffix}»", f"{c.width:g}", _role(c)) for i, c in enumerate(columns)]
    return _table(("column", "key", header, "width", "role"), rows)


def indicator_columns() -> str:
    return _columns(layout.INDICATOR_COLUMNS)


def period_columns() -> str:
    first = len(layout.INDICATOR_COLUMNS)
    return (f"For the first other period the block starts at column "
            f"{layout.col_letter(first)}; each further period adds "
            f"{len(layout.PERIOD_COLUMNS)} columns.\n\n"
            + _columns(layout.PERIOD_COLUMNS, first, suffix=" 30/06"))


def summary_columns() -> str:
    return _columns(layout.SUMMARY_COLUMNS)


def transversal_columns() -> str:
    return _columns(layout.TRANSVERSAL_COLUMNS)
def measure_columns() -> str:
    return (_columns(layout.MEASURE_COLUMNS)
            + f"\n\nThen one locked column «{layout.MEASURE_PERIOD_HEADER} 30/06» per other "
              "period of the plan.")


NAME_MEANING = {
    "NAME_PLAN_ID": "the plan's id",
    "NAME_ENTITY": "the ente",
    "NAME_YEAR": "the year of the workbook",
    "NAME_PERIOD": "the open monitoring period (`gg/mm`)",
    "NAME_OFFICE": "the office, empty for the plan's and the master's workbook",
    "NAME_VERSION": "`TEMPLATE_VERSION` of the writer",
    "NAME_HASH": "sha256 of the locked cells (tamper hash)",
    "NAME_PLAN_DIGEST": "sha256 of the plan part without its inputs (which plan version made it)",
    "NAME_PLAN_DATA": "the plan part, compressed, in text chunks (what `ricalcola` needs)",
    "NAME_ENTE_GRADE": "the top grade of the summary (ente, or office)",
    "NAME_OPEN_CHECKS": "the count of open problems of Controlli",
    "NAME_SIGNER": "Validazione: who confirms (typed by the office)",
    "NAME_SIGNER_ROLE": "Validazione: role",
    "NAME_SIGN_DATE": "Validazione: date",
    "NAME_SIGN_CONFIRM": "Validazione: «Sì» to confirm",
    "NAME_SIGN_PRINT": "Validazione: the fingerprint written by `firma`",
    "NAME_PERSON": "individual scorecards only: the person's code (docs/individual.md)",
    "NAME_SCORE": "individual scorecards only: the score (Scheda individuale)",
    "NAME_WEIGHT_GRADED": "individual scorecards only: the points of the parts graded",
    "NAME_BEHAVIOUR_GRADE": "individual scorecards only: the behaviour section's grade",
}
TABLE_MEANING = {
    "TABLE_REGISTRY": "registry of the objective sheets: code, level, sheet, table, grade name",
    "TABLE_SUMMARY": "the summary (one more per other period: `crx_riepilogo_3006`)",
    "TABLE_CHECKS": "one input check per indicator",
    "TABLE_OFFICES": "master only: one row per office (its presence marks a master)",
    "TABLE_CONSOLIDATION": "master only: the consolidation's problems",
    "TABLE_HISTORY": "master only: every value a consolidation changed",
    "TABLE_TRANSVERSAL": "master only, with transversal indicators: each office's own value "
                         "(docs/transversal.md)",
    "TABLE_MEASURES": "the Misure sheet's measures (only when formulas use measures)",
}


def _defined_names(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    return {el.get("name"): el.text or "" for el in root.iter(f"{ns}definedName")}


def _tables(data: bytes) -> dict[str, str]:
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/tables/") and name.endswith(".xml"):
                root = ElementTree.fromstring(zf.read(name))
                out[root.get("name")] = root.get("ref")
    return out


@lru_cache(maxsize=1)
def _rendered() -> tuple[bytes, bytes]:
    """A plan workbook and a master-like workbook of the sample plan, in memory."""
    from cruscotto_xl.workbook import Extras

    plan = load_plan(SAMPLE_PLAN)
    books = []
    for extras in (None, Extras()):
        buffer = io.BytesIO()
        render_book(plan, buffer, extras=extras)
        books.append(buffer.getvalue())
    return books[0], books[1]


def names_table() -> str:
    plain, master = _rendered()
    found = {**_defined_names(master), **_defined_names(plain)}
    rows = []
    for const, value in vars(layout).items():
        if not const.startswith("NAME_") or not isinstance(value, str):
            continue
        if const not in NAME_MEANING:
            raise DocsError(f"layout.{const} = {value!r} has no line in NAME_MEANING")
        rows.append((f"`{value}`", f"`layout.{const}`", _code(found.get(value, "—")),
                     NAME_MEANING[const]))
    grade = layout.objective_grade_name(1)
    rows.append((f"`{grade}`, `crx_grado_002`…", "`layout.objective_grade_name(n)`",
                 _code(found[grade]), "the grade of the n-th objective sheet"))
    rows.append(("`crx_mis_001`, `crx_mis_002`…", "`layout.measure_name(n)`", "—",
                 "the input cell of the n-th measure of the Misure sheet (only when formulas "
                 "use measures); the «Consuntivo effettivo» formulas read it"))
    return _table(("name", "constant", "refers to (sample plan)", "what"), rows)


def tables_table() -> str:
    plain, master = _rendered()
    found = {**_tables(master), **_tables(plain)}
    rows = []
    for const, value in vars(layout).items():
        if not const.startswith("TABLE_") or not isinstance(value, str):
            continue
        if const not in TABLE_MEANING:
            raise DocsError(f"layout.{const} = {value!r} has no line in TABLE_MEANING")
        rows.append((f"`{value}`", f"`layout.{const}`", _code(found.get(value, "—")),
                     TABLE_MEANING[const]))
    first = layout.objective_table(1)
    rows.append((f"`{first}`, `crx_ind_002`…", "`layout.objective_table(n)`",
                 _code(found[first]), "the indicators of the n-th objective sheet"))
    return _table(("table", "constant", "range (sample plan)", "what"), rows)


def sheets_table() -> str:
    rows = [(f"«{value}»", f"`layout.{const}`") for const, value in vars(layout).items()
            if const.startswith("SHEET_") and isinstance(value, str)]
    return _table(("sheet", "constant"), rows)


def headers_lists() -> str:
    items = (("REGISTRY_HEADERS", layout.REGISTRY_HEADERS),
             ("CHECK_HEADERS", layout.CHECK_HEADERS),
             ("MACRO_RESULTS_HEADERS", layout.MACRO_RESULTS_HEADERS))
    lines = [f"- `layout.{name}`: " + ", ".join(f"«{h}»" for h in headers)
             for name, headers in items]
    lines.append(f"- `layout.TEMPLATE_VERSION` = `{layout.TEMPLATE_VERSION}`")
    return "\n".join(lines)


# --- docs/domain.md ----------------------------------------------------------------------

#: The models of a plan file, in the order a plan nests them.
PLAN_MODELS = ("Plan", "Office", "Period", "NamedMeasure", "Area", "StrategicObjective",
               "OperationalObjective", "Indicator", "Transversal", "Baseline", "Actual",
               "Status", "Change", "RemovedIndicator", "Structure", "OrgArea", "Person",
               "PersonalObjective", "OrgComponent", "Behaviour")


def _type(tp: object) -> str:
    """A field's type as written in the model, without validators (``float | None``)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _type(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(f'"{a}"' for a in args)
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type(a) for a in args)}]"
    return "None" if tp is type(None) else getattr(tp, "__name__", str(tp))


def plan_file() -> str:
    out = []
    for name in PLAN_MODELS:
        cls = getattr(model, name)
        rows = []
        for attr, field in cls.model_fields.items():
            required = "required" if field.is_required() else ""
            rows.append((f"`{field.alias or attr}`", f"`{attr}`", _code(_type(field.annotation)),
                         required))
        out.append(f"`{name}`\n\n" + _table(("key", "attribute", "type", ""), rows))
    return "\n\n".join(out)


BLOCKS: dict[Path, dict[str, Callable[[], str]]] = {
    RULES_DOC: {
        "cells": cells_legend,
        "rules-table": rules_table,
        "grade-cells": grade_cells,
        "reasons": reasons,
        "valutazione": valutazione,
        "policy": policy_table,
        "rollup": rollup_formulas,
        "input-check": input_check,
        "transversal": transversal_formulas,
    },
    WORKBOOK_DOC: {
        "sheets": sheets_table,
        "names": names_table,
        "tables": tables_table,
        "indicator-columns": indicator_columns,
        "measure-columns": measure_columns,
        "period-columns": period_columns,
        "summary-columns": summary_columns,
        "transversal-columns": transversal_columns,
        "headers": headers_lists,
    },
    DOMAIN_DOC: {
        "plan-file": plan_file,
    },
}


def render(path: Path, text: str | None = None) -> str:
    """``path``'s text (or ``text``) with every generated block written afresh."""
    text = path.read_text(encoding="utf-8") if text is None else text
    for name, make in BLOCKS[path].items():
        begin, end = BEGIN.format(name=name), END.format(name=name)
        start, stop = text.find(begin), text.find(end)
        if start < 0 or stop < start:
            raise DocsError(f"{path.relative_to(ROOT)}: markers of block «{name}» missing")
        text = text[:start + len(begin)] + "\n" + make().rstrip() + "\n" + text[stop:]
    return text


def stale_blocks(path: Path) -> list[str]:
    """The blocks of ``path`` whose committed text differs from a fresh generation."""
    current = path.read_text(encoding="utf-8")
    fresh = render(path, current)
    out = []
    for name in BLOCKS[path]:
        begin, end = BEGIN.format(name=name), END.format(name=name)

        def block(text: str, begin: str = begin, end: str = end) -> str:
            return text[text.find(begin):text.find(end)]

        if block(current) != block(fresh):
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the committed docs are current")
    args = parser.parse_args(argv)
    status = 0
    for path in BLOCKS:
        if args.check:
            stale = stale_blocks(path)
            if stale:
                print(f"{path.relative_to(ROOT)}: blocks not current: {', '.join(stale)} "
                      f"(run python scripts/gen_docs.py)")
                status = 1
        else:
            path.write_text(render(path), encoding="utf-8")
            print(f"written {path.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
