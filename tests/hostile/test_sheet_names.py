"""Issue 15, cause 9: sheet names are valid by construction for any objective title.

Excel counts a sheet name's 31 characters in UTF-16 units (an emoji counts 2), refuses
``[ ] : * ? / \\``, a leading or trailing apostrophe, control characters and the name
«History», and compares names case-insensitively (accented letters too). An emoji in a
title crashed `genera`, and so did a title cut so that the name ended in an apostrophe.
"""

from __future__ import annotations

import json

import pytest
from support.hostile_c import (
    describe,
    generate,
    not_well_formed,
    plan_data,
    run,
    sheet_names_in,
    traceback_free,
    write_plan,
)

TITLES = {
    # "OS1 " + title[:27] is 31 code points but 32 UTF-16 units
    "emoji": "Imprese 🚀 digitali e territorio",
    "emoji-only": "🚀" * 40,
    # "OS1 Trasparenza e qualità dell'": the 31st character is the apostrophe
    "apostrophe": "Trasparenza e qualità dell'azione amministrativa",
    "apostrophes-only": "'" * 40,
    "brackets": "[Bozza] Servizi: *tutti*? sì/no \\ fine",
    "control": "Servizi\x0balle\x01imprese\x1f",
    "combining": "Qualita\u0300 " * 8,
    "rtl": "خدمات الأعمال والمؤسسات الصغيرة والمتوسطة",
}


def _excel_valid(name: str) -> bool:
    return (0 < len(name.encode("utf-16-le")) // 2 <= 31
            and not any(ch in name for ch in "[]:*?/\\")
            and not any(ord(ch) < 32 for ch in name)
            and not name.startswith("'") and not name.endswith("'")
            and name.strip() == name and name.lower() != "history")


@pytest.mark.parametrize("case", list(TITLES))
def test_genera_makes_a_valid_sheet_name_for_any_title(tmp_path, case):
    d = plan_data()
    d["ambiti"][0]["obiettivi"][0]["titolo"] = TITLES[case]
    plan = write_plan(tmp_path, d)
    result = run("genera", plan, "--out", tmp_path / "out", "--per-ufficio")
    assert traceback_free(result), describe(result)
    assert result.exit_code == 0, describe(result)
    for book in (tmp_path / "out").glob("*.xlsx"):
        assert not not_well_formed(book)
        names = sheet_names_in(book)
        assert all(_excel_valid(n) for n in names), names
        assert len({n.casefold() for n in names}) == len(names), names


def test_names_equal_but_for_case_or_truncation_stay_distinct(tmp_path):
    """Objectives whose names would collide once cut to 31 UTF-16 units or compared
    case-insensitively (accented capitals too) get distinct names."""
    d = plan_data()
    os1, os2 = d["ambiti"][0]["obiettivi"]
    os1["codice"], os1["titolo"] = "É1", "Équipe 🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀 uno"
    os2["codice"], os2["titolo"] = "é1", "équipe 🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀 due"
    os2["uffici"] = ["Ufficio A"]
    plan = write_plan(tmp_path, d)
    [book] = generate(plan, tmp_path / "out", per_office=False).values()
    names = sheet_names_in(book)
    assert all(_excel_valid(n) for n in names), names
    assert len({n.casefold() for n in names}) == len(names), names


def test_untouched_workbook_with_odd_sheet_names_consolidates_cleanly(tmp_path):
    d = plan_data()
    d["ambiti"][0]["obiettivi"][0]["titolo"] = TITLES["emoji"]
    d["ambiti"][0]["obiettivi"][1]["titolo"] = TITLES["apostrophe"]
    plan = write_plan(tmp_path, d)
    generate(plan, tmp_path / "ritorni")
    result = run("consolida", tmp_path / "ritorni", "--piano", plan,
                 "--out", tmp_path / "m.xlsx", "--json")
    assert traceback_free(result), describe(result)
    errors = [p for p in json.loads(result.output)["problemi"] if p["severity"] == "errore"]
    assert not errors, errors
