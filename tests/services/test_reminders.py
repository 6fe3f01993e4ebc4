"""solleciti: one .eml draft per office that owes something, and nothing for the others."""

from __future__ import annotations

import email
from email import policy

import openpyxl
from support.periods_plan import FINAL, MID, OFFICES, office_workbooks, set_input, two_period_plan
from typer.testing import CliRunner

from cruscotto_xl.cli.app import app
from cruscotto_xl.io.planfile import plan_from_data, save_plan
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.returns.sign import sign_workbook

runner = CliRunner()


def _scenario(tmp_path, period="31/12", values=FINAL):
    """Ufficio A complete and signed, Ufficio B without two values, Ufficio C silent."""
    plan = two_period_plan()
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    folder = tmp_path / "ritorni"
    paths = office_workbooks(plan, folder, period, values, skip=("Ufficio C",))
    sign_workbook(paths["Ufficio A"], signer="Anna Neri", confirm=True)
    b = paths["Ufficio B"]
    reading = read_workbook(b)
    wb = openpyxl.load_workbook(b)
    for code in ("K4", "K5"):
        found = reading.indicators[code]
        for key in ("actual", "numerator", "denominator"):
            wb[found.sheet][found.cells[key]] = None
    wb.save(b)
    sign_workbook(b, signer="Bruno Verdi", confirm=True)
    return plan_file, folder, reading


def _read(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_one_missing_office_and_one_with_two_missing_values_make_two_drafts(tmp_path):
    plan_file, folder, reading_b = _scenario(tmp_path)
    out = tmp_path / "solleciti"
    result = runner.invoke(app, ["solleciti", str(folder), "--plan", str(plan_file),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    drafts = sorted(out.glob("*.eml"))
    assert [p.name for p in drafts] == ["sollecito_Ufficio_B.eml", "sollecito_Ufficio_C.eml"]

    b = _read(drafts[0])
    assert b["To"].addresses[0].addr_spec == OFFICES["Ufficio B"]
    assert b["To"].addresses[0].display_name == "Responsabile B"
    assert b["X-Unsent"] == "1" and "31/12/2024" in b["Subject"]
    body = b.get_body(("plain",)).get_content()
    assert "Mancano questi valori (2):" in body
    for code in ("K4", "K5"):
        found = reading_b.indicators[code]
        assert (f"- foglio «{found.sheet}», cella {found.cells['actual']}: indicatore {code} "
                in body), body
    assert "Imprese soddisfatte" in body and "consuntivo al 31/12" in body
    assert "K1" not in body and "K6" not in body
    assert not list(b.iter_attachments())

    c = _read(drafts[1])
    assert c["To"].addresses[0].addr_spec == OFFICES["Ufficio C"]
    body = c.get_body(("plain",)).get_content()
    assert "la cartella non è stata restituita" in body.lower()
    assert "indicatore K6 «Bando pubblicato»" in body and "K4" not in body
    [attachment] = list(c.iter_attachments())
    assert attachment.get_filename() == "prova-2024__Ufficio_C.xlsx"
    template = tmp_path / "allegato.xlsx"
    template.write_bytes(attachment.get_content())
    reading = read_workbook(template)
    assert reading.identity.office == "Ufficio C" and reading.hash_matches
    assert set(reading.indicators) == {"K6"}

    again = runner.invoke(app, ["solleciti", str(folder), "--plan", str(plan_file),
                                "--out", str(out)])
    assert again.exit_code == 1 and "--sovrascrivi" in again.output


def test_unsigned_and_changed_workbooks_get_a_draft_too(tmp_path):
    plan_file, folder, _ = _scenario(tmp_path, "30/06", MID)
    # Ufficio A changes a value after signing: its draft asks for a new signature
    a = next(folder.glob("*Ufficio_A.xlsx"))
    set_input(a, "K1", "actual", 50)
    out = tmp_path / "solleciti"
    result = runner.invoke(app, ["solleciti", str(folder), "--plan", str(plan_file),
                                 "--out", str(out), "--periodo", "30/06",
                                 "--mittente", "controllo@cciaa.invalid"])
    assert result.exit_code == 0, result.output
    drafts = {p.name: _read(p) for p in out.glob("*.eml")}
    assert set(drafts) == {"sollecito_Ufficio_A.eml", "sollecito_Ufficio_B.eml",
                           "sollecito_Ufficio_C.eml"}
    a_draft = drafts["sollecito_Ufficio_A.eml"]
    assert a_draft["From"] == "controllo@cciaa.invalid"
    body = a_draft.get_body(("plain",)).get_content()
    assert "modificati dopo la firma" in body and "Mancano" not in body
    assert "30/06/2024" in a_draft["Subject"]


def test_nobody_to_remind(tmp_path):
    plan = two_period_plan()
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    paths = office_workbooks(plan, tmp_path / "ritorni", "31/12", FINAL)
    for office, path in paths.items():
        sign_workbook(path, signer=f"Responsabile {office[-1]}", confirm=True)
    out = tmp_path / "solleciti"
    result = runner.invoke(app, ["solleciti", str(tmp_path / "ritorni"), "--plan",
                                 str(plan_file), "--out", str(out)])
    assert result.exit_code == 0 and "Nessun sollecito" in result.output
    assert not out.exists() or not list(out.iterdir())


def test_an_office_without_e_mail_gets_a_draft_to_complete(tmp_path):
    plan = two_period_plan()
    plan.offices = [o for o in plan.offices if o.name != "Ufficio C"]
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    folder = tmp_path / "ritorni"
    paths = office_workbooks(plan, folder, "31/12", FINAL, skip=("Ufficio C",))
    for office, path in paths.items():
        sign_workbook(path, signer=f"Responsabile {office[-1]}", confirm=True)
    out = tmp_path / "solleciti"
    result = runner.invoke(app, ["solleciti", str(folder), "--plan", str(plan_file),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "nessuna e-mail nel piano" in result.output
    [draft] = list(out.glob("*.eml"))
    message = _read(draft)
    assert message["To"] is None and "Gentile Responsabile," in message.get_body(
        ("plain",)).get_content()


def test_the_wrong_period_writes_no_draft(tmp_path):
    plan_file, folder, _ = _scenario(tmp_path, "30/06", MID)
    out = tmp_path / "solleciti"
    result = runner.invoke(app, ["solleciti", str(folder), "--plan", str(plan_file),
                                 "--out", str(out)])                 # 31/12 by default
    assert result.exit_code == 1 and "nessuna cartella" in " ".join(result.output.split())
    assert not out.exists()


def test_a_neutralized_indicator_is_not_asked_for(tmp_path):
    data = two_period_plan().model_dump(by_alias=True, exclude_defaults=True, mode="json")
    k2 = data["ambiti"][0]["obiettivi"][0]["indicatori"][1]
    assert k2["codice"] == "K2"
    k2["stati"] = [{"anno": 2024, "tipo": "neutralizzato", "nota": "causa esterna"}]
    plan = plan_from_data(data)
    plan_file = save_plan(plan, tmp_path / "piano.yaml")
    out = tmp_path / "solleciti"
    office_workbooks(plan, tmp_path / "ritorni", "31/12", {"K1": FINAL["K1"]},
                     skip=("Ufficio B", "Ufficio C"))
    result = runner.invoke(app, ["solleciti", str(tmp_path / "ritorni"), "--plan",
                                 str(plan_file), "--out", str(out)])
    assert result.exit_code == 0, result.output
    body = _read(out / "sollecito_Ufficio_A.eml").get_body(("plain",)).get_content()
    assert "K3" in body and "K2" not in body
