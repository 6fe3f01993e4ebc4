"""Worksheet functions called as Excel would call them, checked against the core."""

from __future__ import annotations

import ast
import inspect
from datetime import date, datetime

import pytest

from cruscotto_xl.core.model import Policy
from cruscotto_xl.core.rules import grade
from cruscotto_xl.core.targets import parse_target
from cruscotto_xl.core.vocabulary import excel_serial
from cruscotto_xl.excel import udfs
from cruscotto_xl.excel.udfs import grado, media_pesata, pesi, target


@pytest.mark.parametrize(("actual", "text"), [
    (-5.0, "<= -10,00 gg"), (0.63, ">= 70,00 %"), ("63 %", ">= 70,00 %"), (15.0, "<= 10 gg"),
    (0.235, "= 0,23 N."), ("Sì", "Sì"), ("No", "Realizzazione"), (3.0, "Monitoraggio"),
])
def test_grado_equals_the_core(actual, text):
    expected = grade(actual if not isinstance(actual, str) or actual in ("Sì", "No")
                     else 0.63, parse_target(text))
    assert grado(actual, text) == (expected.value if expected.graded else expected.reason)


def test_grado_on_dates_as_excel_passes_them():
    late = excel_serial(date(2024, 1, 15))
    assert grado(float(late), "Entro 31-12-2023") == 0.0
    assert grado(datetime(2023, 12, 30), "Entro 31-12-2023") == 1.0


def test_grado_missing_policy_and_errors():
    assert grado(None, ">= 1") == "dato mancante"
    assert grado("n.d.", ">= 1") == "dato mancante"
    assert grado(None, ">= 1", "dato_mancante=zero") == 0.0
    assert grado(15.0, "<= 10 gg", "minore_migliore=lineare") == grade(
        15.0, parse_target("<= 10 gg"), Policy(lower_is_better="lineare")).value
    settanta = grado(5.0, "settanta")
    assert settanta.startswith("Errore: target non riconosciuto «settanta»; forme accettate "
                               "simili: ") and "«>= 70,00 %»" in settanta
    assert grado(5.0, ">= 1", "boh").startswith("Errore: politica «boh»")
    assert "ammessi" in grado(5.0, ">= 1", "dato_mancante=forse")
    assert grado("tanti", ">= 1").startswith("Errore: «tanti»")
    # only the milestone formula's words are Sì/No (an «x» is «valore non valido» there)
    assert grado("x", "Sì").startswith("Errore: «x»")
    assert grado("fatto", "Sì").startswith("Errore: «fatto»")


def test_grado_of_relative_targets_and_terms_from_an_event():
    """The Riferimento and Data evento cells are optional arguments, dates as Excel passes
    them (serials or datetimes)."""
    assert grado(105.0, "incremento del 5% rispetto all'anno precedente", None, 100.0) == 1.0
    assert grado(84.0, "incremento del 5% rispetto all'anno precedente", None, 100.0) == 0.8
    assert grado(84.0, "x < x-1") == "riferimento mancante"
    richiesta = float(excel_serial(date(2024, 1, 31)))
    assert grado(float(excel_serial(date(2024, 2, 29))), "entro 1 mese dalla richiesta",
                 None, None, richiesta) == 1.0
    assert grado(datetime(2024, 3, 1), "entro 1 mese dalla richiesta", None, None,
                 richiesta) == 0.0
    assert grado(datetime(2024, 3, 1), "entro 1 mese dalla richiesta") == \
        "data evento mancante"


def test_target_row():
    assert target(">= 70,00 %") == [["confronto", ">=", 0.7, "%"]]
    assert target("Entro 31-12-2024") == [["scadenza", "", date(2024, 12, 31), ""]]
    assert target(None) == [["monitoraggio", "", "", ""]]
    assert target("boh").startswith("Errore: target non riconosciuto")


def test_pesi_accepts_points_percentages_rows_and_blocks():
    assert pesi([[30.0], [30.0], [30.0]]) == "la somma dei pesi è 90,00 (deve essere 100 ± 0,05)"
    assert pesi([14.28, 14.29, 14.28, 14.29, 14.28, 14.29, 14.28]) == "OK"
    assert pesi([[0.5, 0.5]]) == "OK"                  # cells formatted as 50 %
    assert pesi([[50.0], [None], ["50"]]) == "OK"      # empty cells are ignored
    assert pesi(100.0) == "OK"


def test_media_pesata_renormalizes_over_graded():
    assert media_pesata([[50.0], [30.0], [20.0]], [[1.0], [0.5], ["dato mancante"]]) == 0.8125
    assert media_pesata([50.0, 50.0], [None, "n.v."]) == "nessun elemento valutabile"
    assert media_pesata([50.0], [1.0, 0.5]).startswith("Errore: 1 peso e 2 gradi")


def test_functions_are_plain_callables_with_xlwings_decorators():
    """Off Windows ``xw.func`` and ``xw.arg`` change nothing, so the decorators are read
    from the source: the four worksheet functions, each ``@xw.arg`` naming one of its
    parameters in order (Excel's argument help is matched by name)."""
    tree = ast.parse(inspect.getsource(udfs))
    decorated = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        names = [ast.unparse(d.func) for d in node.decorator_list if isinstance(d, ast.Call)]
        if "xw.func" in names:
            documented = [d.args[0].value for d in node.decorator_list
                          if isinstance(d, ast.Call) and ast.unparse(d.func) == "xw.arg"]
            decorated[node.name] = (documented, [a.arg for a in node.args.args])
    assert decorated == {
        "grado": (["consuntivo", "target", "politica", "riferimento", "data_evento"],
                  ["consuntivo", "target", "politica", "riferimento", "data_evento"]),
        "target": (["testo"], ["testo"]),
        "pesi": (["intervallo"], ["intervallo"]),
        "media_pesata": (["pesi", "gradi"], ["pesi", "gradi"]),
    }
    assert grado.__name__ == "grado" and "Grado di raggiungimento" in (grado.__doc__ or "")
