"""The ``Istruzioni`` sheet: what to fill, by when, the colours and the grading rules."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ...core.lights import legend
from ...core.model import Indicator
from ...core.rollover import change_log
from ...core.transversal import rule_text, transversal_slots
from ...core.tree import UNOWNED, removed_for_office
from ...core.vocabulary import format_date
from ..book import Book
from ..cells import page_setup, row_height, write_text
from ..layout import SHEET_TRANSVERSAL

RULES = (
    ("≥ / > con target positivo", "consuntivo ≥ target → 100 %; altrimenti consuntivo/target "
                                  "(0 se il consuntivo è negativo)"),
    ("≥ / > con target zero o negativo", "100 % se la relazione vale; con target negativo e "
                                         "consuntivo inferiore: target/consuntivo"),
    ("≤ / < con target positivo", "consuntivo ≤ target → 100 %; altrimenti target/consuntivo"),
    ("≤ / < con target negativo", "consuntivo ≤ target → 100 %; tra target e 0: "
                                  "consuntivo/target; da 0 in su: 0"),
    ("= valore", "100 % se lo scostamento è entro la tolleranza, altrimenti 0"),
    ("Entro una data", "realizzato entro la scadenza → 100 %, altrimenti 0"),
    ("Entro un termine da un evento (entro 30 gg dalla richiesta)",
     "data di realizzazione entro la «Data evento» più il termine (i mesi come EDATE) → "
     "100 %, altrimenti 0; senza data dell'evento non valutabile"),
    ("Sì / No", "Sì → 100 %, No → 0"),
    ("Relativo (x < x-1, > media)", "come il confronto, rispetto al valore di riferimento"),
    ("Relativo con variazione (+5 % rispetto all'anno precedente)",
     "come il confronto, con target = riferimento più la variazione (+10, +2 p.p.) o "
     "riferimento × (1 + variazione %)"),
    ("Monitoraggio", "non valutato, escluso dal calcolo"),
)

WIDTHS = (30, 100)


def _fit_row(ws: Worksheet, r: int, label: str, text: str) -> None:
    """Give row ``r`` the height its wrapped texts need (workbook/cells.py)."""
    height = row_height(((label, WIDTHS[0]), (text, WIDTHS[1])))
    if height:
        ws.set_row(r, height)


def write_instructions(ws: Worksheet, book: Book) -> None:
    office = f" — ufficio {book.office}" if book.office else ""
    write_text(ws, book.styles, 0, 0,
               f"{book.plan.entity} — piano della performance {book.year}{office}", "title")
    r = _write_guide(ws, book, 2)
    r = _write_legend(ws, book, r + 1)
    r = _write_rules(ws, book, r + 2)
    r = _write_changes(ws, book, r)
    ws.set_column(0, 0, WIDTHS[0])
    ws.set_column(1, 1, WIDTHS[1])
    ws.print_area(0, 0, r, 1)
    page_setup(ws, book, WIDTHS)
    ws.protect(book.password or "")
    ws.activate()


def _guide(book: Book) -> list[tuple[str, str]]:
    """(label, text) of what to fill, by when, what not to do."""
    plan = book.plan
    deadline = plan.deadline_for(book.period, book.year)
    lines = [
        ("Cosa compilare", "Per ogni indicatore, nei fogli degli obiettivi, il consuntivo al "
                           f"{book.period}/{book.year}: il valore (colonna «Consuntivo») oppure "
                           "numeratore e denominatore, e se serve una nota. Per i target "
                           "relativi indicare anche il valore di riferimento; per i termini "
                           "che decorrono da un evento («entro 30 gg dalla richiesta») la "
                           "«Data evento» e, come consuntivo, la data di realizzazione."),
        ("Entro quando", f"Restituire il file compilato entro il {format_date(deadline)} "
                         "all'ufficio controllo di gestione, senza rinominarlo."),
        ("Cosa non fare", "Non modificare target, pesi e formule: i fogli sono protetti e il "
                          "file contiene un controllo di integrità. Non servono macro né "
                          "componenti aggiuntivi."),
        ("Controlli", "Il foglio «Controlli» segnala dati mancanti o incoerenti: a fine "
                      "compilazione deve mostrare 0 problemi aperti."),
    ]
    if book.card is not None:      # an individual scorecard (docs/individual.md)
        lines.insert(0, ("Scheda individuale", f"Scheda di valutazione di "
                         f"{book.card.person.name}: gli obiettivi individuali si compilano "
                         "nei fogli degli obiettivi, come sopra; nel foglio «Scheda "
                         "individuale» il valutatore inserisce la valutazione di ogni "
                         "comportamento (percentuale da 0% a 100%); i gradi organizzativi "
                         "(ente, area, ufficio, obiettivo) sono riportati dal controllo di "
                         "gestione dalla cartella principale consolidata. Il file contiene "
                         "dati personali: non inoltrarlo ad altri."))
    if book.office == UNOWNED:
        lines.insert(0, (UNOWNED, "Questa cartella raccoglie gli indicatori per cui il piano non "
                                  "indica un ufficio responsabile (né l'indicatore, né il suo "
                                  "obiettivo, né un ufficio predefinito del piano): la compila il "
                                  "controllo di gestione, o la inoltra a chi ne risponde. Per "
                                  "i prossimi monitoraggi indicare gli uffici nel piano."))
    transversal = [(s.indicator, offices) for s, offices in transversal_slots(book.plan)]
    if transversal:
        lines.append(("Indicatori trasversali", _transversal_text(book, transversal)))
    others = [v.period for v in book.views]
    if others:
        lines.append(("Periodi", f"Si compila solo il periodo {book.period} "
                                 f"({plan.period_label(book.period)}). Le colonne «Consuntivo» "
                                 f"e «Grado» dei periodi {', '.join(others)} sono bloccate: "
                                 "mostrano i valori già consolidati dal controllo di gestione "
                                 "(vuote se il periodo non è ancora chiuso); i fogli "
                                 + ", ".join(f"«{v.summary_sheet}»" for v in book.views)
                                 + " ne riassumono i gradi."))
    if book.context:
        shown = ", ".join(f"«{c.header}»" for c in book.context)
        earlier = any(c.year is not None and c.year < book.year for c in book.context)
        lines.append(("Anni e dizionario", "Le ultime colonne della tabella di ogni obiettivo "
                      f"sono bloccate e solo da leggere: {shown}."
                      + (" I consuntivi degli anni precedenti vengono dallo storico del "
                         "piano." if earlier else "")))
    if book.extras is None:
        lines.append(("Validazione", "Completati i dati, il responsabile dell'ufficio compila "
                                     "il foglio «Validazione» (nome, ruolo, data, «Confermo i "
                                     "dati: Sì») e firma: una modifica successiva alla firma "
                                     "viene segnalata al consolidamento."))
    return lines


def _transversal_text(book: Book, found: list[tuple[Indicator, list[str]]]) -> str:
    """What a transversal indicator means in this workbook (docs/transversal.md)."""
    listing = "; ".join(f"{ind.code} ({rule_text(ind)})" for ind, _ in found)
    if book.office is not None:
        return (f"Li riportano più uffici, ognuno con il proprio valore: {listing}. In questa "
                f"cartella il «Grado» è il grado dell'ufficio, calcolato sul valore "
                f"dell'ufficio; il valore dell'ente si calcola al consolidamento con la regola "
                f"indicata.")
    if book.extras is not None:
        return (f"Li riportano più uffici: {listing}. Il «Consuntivo» dell'ente è una formula "
                f"sui valori degli uffici del foglio «{SHEET_TRANSVERSAL}», che mostra anche "
                f"il grado di ogni ufficio; gli uffici senza valore non contano.")
    return (f"Li riportano più uffici: {listing}. In questa cartella si indica il valore "
            f"dell'ente.")


def _write_guide(ws: Worksheet, book: Book, r: int) -> int:
    """The guide from row ``r``; returns the row after it."""
    st = book.styles
    for label, text in _guide(book):
        ws.write_string(r, 0, label, st.get("label"))
        write_text(ws, st, r, 1, text, "plain")
        _fit_row(ws, r, label, text)
        r += 1
    return r


def _write_legend(ws: Worksheet, book: Book, r: int) -> int:
    """The input cell's colour and the traffic lights (core/lights.py); returns the last
    row written."""
    st = book.styles
    ws.write_string(r, 0, "Legenda", st.get("subtitle"))
    r += 1
    ws.write_string(r, 0, "", st.get("legend_input"))
    ws.write_string(r, 1, "cella da compilare (le altre sono protette)")
    for entry in legend(book.plan.policy.bands):
        r += 1
        ws.write_string(r, 0, "", st.get(entry.light))
        ws.write_string(r, 1, str(entry))
    return r


def _write_rules(ws: Worksheet, book: Book, r: int) -> int:
    """The grading rules in words; returns the last row written."""
    st = book.styles
    ws.write_string(r, 0, "Regole di calcolo del grado", st.get("subtitle"))
    for rule, text in RULES:
        r += 1
        ws.write_string(r, 0, rule, st.get("cell"))
        ws.write_string(r, 1, text, st.get("cell"))
        _fit_row(ws, r, rule, text)
    r += 2
    write_text(ws, st, r, 0, "Il grado di un obiettivo è la media dei gradi dei suoi indicatori "
                             "pesata sui pesi, calcolata sui soli indicatori valutabili.",
               "plain")
    return r


def _write_changes(ws: Worksheet, book: Book, r: int) -> int:
    """The plan's change log (rolling annuale) after row ``r``; returns the last row.
    An office's workbook lists only its own indicators' entries (its plan part holds only
    its active indicators; the eliminated ones are chosen by their owners)."""
    plan = book.plan
    if book.office:
        plan = plan.model_copy(update={"removed": removed_for_office(plan, book.office)})
    log = change_log(plan)
    if not log:
        return r
    st = book.styles
    r += 2
    ws.write_string(r, 0, "Modifiche al piano (rolling annuale)", st.get("subtitle"))
    for change, code, name, objective in log:
        r += 1
        when = format_date(change.when) if change.when else ""
        head = f"{change.year} — {change.action} — {code}"
        text = "; ".join(x for x in (
            f"{name} (obiettivo {objective})", change.deliberation, when, change.note) if x)
        write_text(ws, st, r, 0, head, "cell")
        write_text(ws, st, r, 1, text, "cell")
        _fit_row(ws, r, head, text)
    return r
