"""Reading a returned workbook opens its archive once and inflates each part once: the
guard's bytes are the reader's (the cost of consolidating a thousand files is mostly
this; benchmarks/README.md). Counted, not timed, so the test is exact on a busy machine."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

from cruscotto_xl.core.tree import known_offices
from cruscotto_xl.returns import guard
from cruscotto_xl.returns.read import read_workbook
from cruscotto_xl.services.filling import fill_workbook, sample_typed
from cruscotto_xl.workbook import write_workbook


@pytest.fixture(scope="module")
def office_book(operational_plan, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("once")
    office = known_offices(operational_plan)[0]
    write_workbook(operational_plan, d / "t.xlsx", office=office)
    fill_workbook(d / "t.xlsx", sample_typed(operational_plan, operational_plan.year),
                  d / "ufficio.xlsx")
    return d / "ufficio.xlsx"


def test_the_archive_is_opened_once_and_each_part_inflated_once(office_book, monkeypatch):
    archives: list[object] = []
    inflated: Counter[str] = Counter()
    real_init, real_open = zipfile.ZipFile.__init__, zipfile.ZipFile.open

    def counting_init(self, file, *args, **kwargs):
        archives.append(file)
        real_init(self, file, *args, **kwargs)

    def counting_open(self, name, *args, **kwargs):
        inflated[name.filename if isinstance(name, zipfile.ZipInfo) else name] += 1
        return real_open(self, name, *args, **kwargs)

    real_raw = guard._raw            # every part the guard inflates is found through it

    def counting_raw(path, data, info):
        inflated[info.filename] += 1
        return real_raw(path, data, info)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting_init)
    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    monkeypatch.setattr(guard, "_raw", counting_raw)
    reading = read_workbook(office_book)
    monkeypatch.undo()

    assert len(archives) == 1, archives
    assert inflated and max(inflated.values()) == 1, inflated.most_common(3)
    # every worksheet and the workbook part were read, once (by the guard, which inflates
    # from the archive's bytes; zipfile's own open counts for any other reading)
    with zipfile.ZipFile(office_book) as zf:
        sheets = {n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")}
    assert sheets | {"xl/workbook.xml"} <= set(inflated)
    # and the reading is a whole one: values found, every locked cell as generated
    assert reading.hash_matches
    assert sum(v.typed_lenient.actual is not None for v in reading.indicators.values()) >= 3
