"""Build the example plans in ``examples/`` from the two seed exports.

- ``examples/piano-strategico-2024.yaml``: the 2024 strategic cruscotto (PIRA),
  from ``tests/data/003_fdfff813e4085a34.txt``;
- ``examples/piano-operativo-2023.yaml``: the 2023 operational objectives with actuals and
  published grades (Integra export), from ``tests/data/002_6a0ac35764cec512.txt``.

The seeds name no owner office. To show the per-office workbooks, this script assigns
offices (and demo e-mail addresses) from the explicit tables below: one or two offices per
strategic objective, inherited by its operational objectives and indicators, and a few
indicators owned by other offices or by two offices at once. Nothing else is changed: the
plans are the importers' output as is.

Run from the repository root: ``python scripts/build_examples.py``. It prints what the
importers reported and what :func:`validate_plan` finds in the result, and exits 1 when a
plan has errors (e.g. weights that do not sum to 100).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from cruscotto_xl.core.model import Office, Plan  # noqa: E402
from cruscotto_xl.core.plan_checks import validate_plan  # noqa: E402
from cruscotto_xl.core.problems import Problem, has_errors  # noqa: E402
from cruscotto_xl.core.tree import known_offices  # noqa: E402
from cruscotto_xl.importers import import_integra, import_pira  # noqa: E402
from cruscotto_xl.io.planfile import load_plan, save_plan  # noqa: E402

SEEDS = ROOT / "tests" / "data"
STRATEGIC_SEED = SEEDS / "003_fdfff813e4085a34.txt"
OPERATIONAL_SEED = SEEDS / "002_6a0ac35764cec512.txt"
EXAMPLES = ROOT / "examples"
STRATEGIC_FILE = "piano-strategico-2024.yaml"
#: The strategic seed does not name its body (the operational one does).
STRATEGIC_ENTITY = "Camera di Commercio della Maremma e del Tirreno"
OPERATIONAL_FILE = "piano-operativo-2023.yaml"

# --- demonstration data: NOT in the seeds ------------------------------------------------

#: The offices of the demo chamber, with made-up e-mail addresses.
OFFICES: dict[str, str] = {
    "Registro Imprese": "registro.imprese@example.it",
    "Promozione e Sviluppo": "promozione.sviluppo@example.it",
    "Regolazione del Mercato": "regolazione.mercato@example.it",
    "Segreteria Generale": "segreteria.generale@example.it",
    "Risorse Umane": "risorse.umane@example.it",
    "Contabilità e Provveditorato": "contabilita.provveditorato@example.it",
    "Sistemi Informativi": "sistemi.informativi@example.it",
    "Comunicazione": "comunicazione@example.it",
}

#: Owner office of each strategic objective (the same 14 objectives in both plans).
OS_OFFICES: dict[str, list[str]] = {
    "01": ["Registro Imprese"],               # Semplificazione amministrativa e digitalizzazione
    "02": ["Promozione e Sviluppo"],          # Innovazione, sviluppo, transizione green
    "03": ["Promozione e Sviluppo"],          # Patrimonio culturale, turismo
    "04": ["Segreteria Generale"],            # Infrastrutture, partecipazioni societarie
    "05": ["Promozione e Sviluppo"],          # Nuove imprese, lavoro, giovani
    "06": ["Promozione e Sviluppo"],          # Internazionalizzazione
    "07": ["Regolazione del Mercato"],        # Giustizia alternativa, legalità, concorrenza
    "08": ["Segreteria Generale"],            # Accountability e trasparenza
    "09": ["Segreteria Generale"],            # Qualità, efficienza, performance
    "10": ["Sistemi Informativi"],            # Modello organizzativo, transizione digitale
    "11": ["Comunicazione"],                  # Comunicazione istituzionale
    "12": ["Risorse Umane"],                  # Capitale umano, benessere organizzativo
    "13": ["Contabilità e Provveditorato"],   # Patrimonio immobiliare
    "14": ["Contabilità e Provveditorato"],   # Revisione della spesa, entrate
}

#: Indicators owned by other offices than their objective's: code → (name start, offices).
#: The name start guards against a seed whose indicators were renumbered.
STRATEGIC_INDICATOR_OFFICES: dict[str, tuple[str, list[str]]] = {
    "S09_01": ("Grado medio di soddisfazione", ["Segreteria Generale", "Comunicazione"]),
    "S09_05": ("Percentuale di fatture pagate", ["Contabilità e Provveditorato"]),
    "S09_07": ("Tempestività dei pagamenti", ["Contabilità e Provveditorato"]),
    "S09_08": ("Tempi medi di lavorazione delle pratiche RI", ["Registro Imprese"]),
    "S09_09": ("Tempo medio di lavorazione delle pratiche RI", ["Registro Imprese"]),
    "S09_10": ("Tempo medio di sospensione delle pratiche", ["Registro Imprese"]),
}
OPERATIONAL_INDICATOR_OFFICES: dict[str, tuple[str, list[str]]] = {
    "02.03_01": ("n° di informative alle associazioni",
                 ["Promozione e Sviluppo", "Comunicazione"]),
    "09.06_01": ("Rispetto della tempistica (set indicatori di efficienza nella gestione dei "
                 "cartellini", ["Risorse Umane"]),
    "09.07_01": ("Percentuale di errore rilevata", ["Risorse Umane"]),
    "09.15_01": ("Stato di attuazione pannello Ufficio Contabilità",
                 ["Contabilità e Provveditorato"]),
    "09.20_01": ("Tempistica di risoluzione del problema", ["Sistemi Informativi"]),
}


class ExampleError(Exception):
    """The seeds no longer match the office tables above."""


def assign_offices(plan: Plan, indicator_offices: dict[str, tuple[str, list[str]]]) -> Plan:
    """Set the demo offices on ``plan`` (in place) and return it."""
    plan.offices = [Office(name=name, email=email) for name, email in OFFICES.items()]
    for area in plan.areas:
        for os_ in area.objectives:
            if os_.code not in OS_OFFICES:
                raise ExampleError(f"obiettivo {os_.code} senza ufficio in OS_OFFICES")
            os_.offices = list(OS_OFFICES[os_.code])
    found = {slot.indicator.code: slot.indicator for slot in plan.indicators()}
    for code, (name_start, offices) in indicator_offices.items():
        indicator = found.get(code)
        if indicator is None or not indicator.name.startswith(name_start):
            raise ExampleError(f"indicatore {code} «{name_start}…» non trovato nel piano")
        indicator.offices = list(offices)
    unknown = set(known_offices(plan)) - set(OFFICES)
    if unknown:
        raise ExampleError(f"uffici senza e-mail: {', '.join(sorted(unknown))}")
    return plan


def build_plans() -> dict[str, tuple[Plan, list[Problem]]]:
    """Import both seeds and assign the demo offices: file name → (plan, import problems)."""
    strategic = import_pira(STRATEGIC_SEED, year=2024, entity=STRATEGIC_ENTITY)
    operational = import_integra(OPERATIONAL_SEED)
    return {
        STRATEGIC_FILE: (assign_offices(strategic.plan, STRATEGIC_INDICATOR_OFFICES),
                         strategic.problems),
        OPERATIONAL_FILE: (assign_offices(operational.plan, OPERATIONAL_INDICATOR_OFFICES),
                           operational.problems),
    }


def build(out_dir: Path = EXAMPLES, echo=print) -> bool:
    """Write the examples into ``out_dir``; True when no plan has errors."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ok = True
    for name, (plan, import_problems) in build_plans().items():
        path = save_plan(plan, out_dir / name)
        checked = validate_plan(load_plan(path))
        echo(f"{path}: {len(list(plan.indicators()))} indicatori, "
             f"{len(known_offices(plan))} uffici")
        for problem in import_problems:
            echo(f"  importazione: {problem}")
        for problem in checked:
            echo(f"  validazione: {problem}")
        ok = ok and not has_errors(checked)
    return ok


def main() -> int:
    try:
        return 0 if build() else 1
    except ExampleError as exc:
        print(f"errore: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
