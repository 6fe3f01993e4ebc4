"""E-mail fields (issue 15, causes 7, 10, 14): offices whose names differ only by
punctuation get one draft each, line breaks and non-ASCII in contact fields never stop
`solleciti` for everyone, `--mittente` with a line break is refused, and an e-mail field is
one address (`valida`) and never a `To:` header with other recipients."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from support.hostile_c import describe, plan_data, run, write_plan


def traceback_free(result) -> bool:
    """Ended on its own: no exception, and not an internal error (exit 3)."""
    return (result.exception is None or isinstance(result.exception, SystemExit)) \
        and result.exit_code != 3


def _plan(tmp_path, name=None, mail=None, head=None):
    d = plan_data()
    office = d["uffici"][0]
    if name is not None:
        office["nome"] = name
        d["ambiti"][0]["obiettivi"][0]["uffici"] = [name]
    if mail is not None:
        office["email"] = mail
    if head is not None:
        office["responsabile"] = head
    return write_plan(tmp_path, d)


def _solleciti(tmp_path, plan, *extra):
    """Nobody returned anything: every office gets a draft."""
    (tmp_path / "ritorni").mkdir(exist_ok=True)
    return run("solleciti", tmp_path / "ritorni", "--piano", plan, "--out", tmp_path / "s",
               *extra)


def _raw_to(path) -> str | None:
    head = path.read_bytes().split(b"\n\n", 1)[0].decode("ascii", "replace")
    m = re.search(r"^To: (.*(?:\n[ \t].*)*)", head, re.M)
    return re.sub(r"\n[ \t]", " ", m.group(1)).strip() if m else None


# ---------------------------------------- cause 7: names differing only by punctuation

def test_offices_differing_by_punctuation_get_two_drafts(tmp_path):
    d = plan_data()
    d["uffici"] = [{"nome": "Ragioneria, Provveditorato", "email": "r1@cciaa.invalid"},
                   {"nome": "Ragioneria Provveditorato", "email": "r2@cciaa.invalid"}]
    d["ambiti"][0]["obiettivi"][0]["uffici"] = ["Ragioneria, Provveditorato"]
    d["ambiti"][0]["obiettivi"][1]["uffici"] = ["Ragioneria Provveditorato"]
    plan = write_plan(tmp_path, d)
    result = _solleciti(tmp_path, plan)
    assert traceback_free(result), describe(result)
    drafts = sorted((tmp_path / "s").glob("*.eml"))
    recipients = sorted(email.message_from_bytes(p.read_bytes(), policy=policy.default)["To"]
                        .addresses[0].addr_spec for p in drafts)
    assert recipients == ["r1@cciaa.invalid", "r2@cciaa.invalid"], \
        f"{len(drafts)} draft(s) {[p.name for p in drafts]} to {recipients}"


# ------------------------------ cause 10: line breaks, non-ASCII e-mail, CR/LF in --mittente

@pytest.mark.parametrize("field", [
    {"name": "Ufficio\nA"},                       # Alt+Enter in an imported cell
    {"head": "Anna\nNeri"},
    {"mail": "a\n@cciaa.invalid"},
    {"mail": "anna@cciaà.it"},                    # internationalized domain
    {"mail": "annà@cciaa.it"},                    # non-ASCII local part
], ids=["office-LF", "responsabile-LF", "email-LF", "email-idn", "email-utf8-local"])
def test_solleciti_with_odd_contact_fields_writes_the_other_drafts(tmp_path, field):
    plan = _plan(tmp_path, **field)
    result = _solleciti(tmp_path, plan)
    assert traceback_free(result), describe(result)
    assert (tmp_path / "s" / "sollecito_Ufficio_B.eml").exists()
    assert len(list((tmp_path / "s").glob("*.eml"))) == 2          # A's draft too


@pytest.mark.parametrize("sender", ["ctrl@cciaa.invalid\r\nBcc: spia@evil.invalid",
                                    "ctrl@cciaa.invalid\nX-Test: 1"])
def test_mittente_with_line_break_is_refused_with_a_message(tmp_path, sender):
    plan = _plan(tmp_path)
    result = _solleciti(tmp_path, plan, "--mittente", sender)
    assert traceback_free(result), describe(result)
    assert result.exit_code in (1, 2) and "--mittente" in result.output, result.output


# ------------------------------------------------------ cause 14: e-mails not validated

BAD_MAILS = ["a@x.invalid, b@y.invalid", "a@x.invalid; b@y.invalid",
             "x@a.invalid> <y@b.invalid", "Anna Neri", "a@@x.invalid"]


@pytest.mark.parametrize("mail", BAD_MAILS)
def test_valida_refuses_an_email_that_is_not_one_address(tmp_path, mail):
    result = run("valida", _plan(tmp_path, mail=mail))
    assert traceback_free(result), describe(result)
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("mail", BAD_MAILS)
def test_solleciti_never_writes_a_to_header_with_other_recipients(tmp_path, mail):
    plan = _plan(tmp_path, mail=mail)
    result = _solleciti(tmp_path, plan)
    assert traceback_free(result), describe(result)
    for draft in (tmp_path / "s").glob("*.eml"):
        to = _raw_to(draft)
        if to is None:
            continue
        one = re.fullmatch(r'(?:"[^"]*"|[^<>,;"@]*)\s*<[^<>@\s,;]+@[^<>@\s,;]+\.[^<>@\s,;]+>', to)
        assert one, f"{draft.name}: To: {to}"


def test_an_international_domain_is_written_in_its_ascii_form(tmp_path):
    plan = _plan(tmp_path, mail="anna@cciaà.it")
    result = _solleciti(tmp_path, plan)
    assert result.exit_code == 0, result.output
    (draft,) = [p for p in (tmp_path / "s").glob("*.eml") if "Ufficio_A" in p.name]
    assert _raw_to(draft).endswith("<anna@xn--ccia-3na.it>")


def test_valida_names_the_field_of_a_bad_address(tmp_path):
    result = run("valida", _plan(tmp_path, mail="a@x.invalid; b@y.invalid"), "--json")
    assert result.exit_code == 1
    assert '"uffici[0].email"' in result.output and "un solo indirizzo" in result.output
