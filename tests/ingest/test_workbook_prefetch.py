"""A workbook read ahead by a child process loads exactly as one read in the step (issue 12).

The workbooks here are drawn cell by cell from their own mix (text, numbers, dates, TRUE/FALSE, blanks, blank and
ragged rows, merged cells, several sheets), not from the generator's error model.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import stat
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from orchestration.ingest import load, workbook_prefetch
from orchestration.ingest.contract import P3KE
from orchestration.ingest.errors import LandingError
from orchestration.ingest.load import load_extract


def _cell(draw: random.Random):
    kind = draw.random()
    if kind < 0.55:
        return "".join(draw.choice("ABCDEFGHIJ 0123456789-./'") for _ in range(draw.randint(1, 12)))
    if kind < 0.65:
        return draw.choice([0, 1, 3171012345678901, 2.5, -7, 0.0])
    if kind < 0.72:
        return dt.datetime(1950, 1, 1) + dt.timedelta(days=draw.randint(0, 27000))
    if kind < 0.76:
        return draw.choice([True, False])
    return ""  # an empty cell


def _sheet(draw: random.Random, rows: int, width: int) -> list[list]:
    out = []
    for _ in range(rows):
        shape = draw.random()
        if shape < 0.04:
            out.append([""] * width)  # a blank row between rows: quarantined
        elif shape < 0.07:
            out.append([*(_cell(draw) for _ in range(width)), "beyond"])  # a value past the header
        else:
            out.append([_cell(draw) for _ in range(width)])
    return out


def _write(path: Path, sheets: dict[str, list[list]], merged: tuple[int, int] | None = None) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate([list(P3KE.columns), *rows]):
            for c, value in enumerate(row):
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, dates)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                elif value != "":
                    sheet.write_string(r, c, value)
        if merged and name == P3KE.sheet:
            sheet.merge_range(merged[0], 2, merged[1], 3, "merged")
    workbook.close()
    return path


def _drawn(tmp_path: Path, seed: int, name: str = P3KE.file_name) -> Path:
    draw = random.Random(seed)
    width = len(P3KE.columns)
    sheets = {P3KE.sheet: _sheet(draw, draw.randint(150, 300), width)}
    for part in range(2, 2 + draw.randint(0, 2)):
        sheets[f"{P3KE.sheet} ({part})"] = _sheet(draw, draw.randint(20, 120), width)
    last = sheets[P3KE.sheet]
    last += [[""] * width] * draw.randint(0, 3)  # blank rows closing the sheet: padding, not rows
    return _write(tmp_path / name, sheets, merged=(draw.randint(5, 40), draw.randint(41, 60)))


def _state(con) -> tuple:
    """Everything a load leaves in the warehouse, in a fixed order."""
    rows = con.execute("select * from raw.p3ke order by source_row").fetchall()
    quarantine = con.execute("select * from raw.quarantine order by source_row").fetchall()
    log = con.execute("select * from raw.load_log").fetchall()
    return rows, quarantine, log


def _direct(tmp_path: Path, path: Path):
    with duckdb.connect(str(tmp_path / "direct.duckdb")) as con:
        result = load_extract(con, P3KE, path)
        return result, _state(con)


def _refuse(*_args, **_kwargs):
    raise AssertionError("the step read the workbook itself")


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_workbook_read_ahead_loads_the_same_rows_quarantine_and_log(tmp_path, seed, monkeypatch):
    path = _drawn(tmp_path, seed)
    direct, expected = _direct(tmp_path, path)
    assert direct.rows_quarantined > 0 and direct.rows_loaded > 0 and not direct.read_ahead
    workbook_prefetch.start(P3KE, path, tmp_path / "work")
    monkeypatch.setattr(load, "read_workbook", _refuse)
    with duckdb.connect(str(tmp_path / "ahead.duckdb")) as con:
        ahead = load_extract(con, P3KE, path)
        assert _state(con) == expected
    assert ahead.read_ahead
    assert {**vars(ahead), "read_ahead": False} == vars(direct)
    assert list((tmp_path / "work").iterdir()) == []  # the child's files are removed once loaded


def test_a_whole_file_fault_found_by_the_child_is_raised_with_the_same_message(tmp_path, monkeypatch):
    draw = random.Random(9)
    width = len(P3KE.columns)
    path = _write(tmp_path / P3KE.file_name, {P3KE.sheet: _sheet(draw, 30, width),
                                               f"{P3KE.sheet} (3)": _sheet(draw, 30, width)})
    with pytest.raises(LandingError) as direct:
        _direct(tmp_path, path)
    workbook_prefetch.start(P3KE, path, tmp_path / "work")
    monkeypatch.setattr(load, "read_workbook", _refuse)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con, pytest.raises(LandingError) as ahead:
        load_extract(con, P3KE, path)
    assert "a part of the list is missing" in ahead.value.problem
    assert (str(ahead.value), ahead.value.row, ahead.value.column) == (
        str(direct.value), direct.value.row, direct.value.column)


def test_a_file_replaced_after_the_child_started_is_read_again_in_the_step(tmp_path):
    path = _drawn(tmp_path, 5)
    workbook_prefetch.start(P3KE, path, tmp_path / "work")
    replacement = _drawn(tmp_path, 6, name="other.xlsx")
    assert workbook_prefetch._STARTED[path.resolve()].process.wait() == 0  # it read the first file
    os.replace(replacement, path)
    direct, expected = _direct(tmp_path, path)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        result = load_extract(con, P3KE, path)
        assert _state(con)[:2] == expected[:2]
    assert not result.read_ahead and result.rows_read == direct.rows_read


def test_a_child_that_died_leaves_the_read_to_the_step(tmp_path):
    path = _drawn(tmp_path, 7)
    workbook_prefetch.start(P3KE, path, tmp_path / "work")
    workbook_prefetch._STARTED[path.resolve()].process.kill()
    _, expected = _direct(tmp_path, path)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        result = load_extract(con, P3KE, path)
        assert _state(con)[:2] == expected[:2]
    assert not result.read_ahead


def test_the_childs_files_are_private_and_removed_when_the_run_ends(tmp_path):
    path = _drawn(tmp_path, 8)
    workbook_prefetch.start(P3KE, path, tmp_path / "work")
    workbook_prefetch.start(P3KE, path, tmp_path / "work")  # the same file: one child
    assert len(workbook_prefetch._STARTED) == 1
    prefetch = workbook_prefetch._STARTED[path.resolve()]
    assert prefetch.process.wait() == 0
    assert stat.S_IMODE(prefetch.folder.stat().st_mode) == 0o700
    written = list(prefetch.folder.iterdir())
    assert {p.name for p in written} == {"rows.arrow", "result.pickle"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    workbook_prefetch.stop_all()
    assert not workbook_prefetch._STARTED and not prefetch.folder.exists()
