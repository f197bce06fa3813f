"""P3KE past one sheet: a workbook whose list goes on in Individu (2), Individu (3), ... (issue 12).

The parts are read in order and numbered as one list, so a row's source_row is the same whether the sender split
the list or not. Failures report counts and positions only, never a cell (UU PDP 27/2022).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import python_calamine
import xlsxwriter

from orchestration.defs.ingest.checks import schema_problems
from orchestration.ingest.contract import P3KE
from orchestration.ingest.errors import LandingError
from orchestration.ingest.load import load_extract
from orchestration.synth import SynthConfig, generate_quarter

QUARTER = "2025Q2"
PEOPLE, SEED = 1200, 5
PER_SHEET = 50
PERSONAL_COLUMNS = ("nik", "nama_lengkap")


@pytest.fixture(scope="module")
def quarters(tmp_path_factory) -> dict[str, Path]:
    """The same quarter twice: its P3KE list in one sheet, and split every PER_SHEET rows."""
    out = {}
    for name, config in (("one", SynthConfig()), ("split", SynthConfig(p3ke_sheet_rows=PER_SHEET))):
        data_dir = tmp_path_factory.mktemp(name)
        generate_quarter(QUARTER, PEOPLE, seed=SEED, data_dir=data_dir, config=config)
        out[name] = data_dir
    return out


def _workbook(quarters, name: str = "one") -> Path:
    return quarters[name] / "landing" / QUARTER / P3KE.file_name


def _rows(path: Path) -> list[list]:
    """Header and data rows of the first sheet, as calamine returns them."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return workbook.get_sheet_by_name(P3KE.sheet).to_python()
    finally:
        workbook.close()


@pytest.fixture(scope="module")
def personal(quarters) -> set[str]:
    """Every NIK and name of the list, lower case: no message may hold one."""
    header, *rows = _rows(_workbook(quarters))
    wanted = [header.index(c) for c in PERSONAL_COLUMNS]
    return {str(row[i]).strip().lower() for row in rows for i in wanted if len(str(row[i]).strip()) >= 5}


def _leaks(text: str, personal: set[str]) -> int:
    return sum(1 for value in personal if value in text.lower())


def write_workbook(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Path:
    """Sheets of calamine values, in the order given (None: a formatted cell without a value)."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    blank_format = workbook.add_format({"bold": True})
    for name, rows in sheets.items():
        worksheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    worksheet.write_blank(r, c, None, blank_format)
                elif hasattr(value, "year"):
                    worksheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, (int, float)):
                    worksheet.write_number(r, c, value)
                elif value != "":
                    worksheet.write_string(r, c, str(value))
        if name in hidden:
            worksheet.hide()
    workbook.close()
    return path


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield con
    con.close()


def refused(con, path: Path, personal: set[str]) -> LandingError:
    with pytest.raises(LandingError) as info:
        load_extract(con, P3KE, path)
    error = info.value
    leaks = _leaks(str(error), personal)
    assert leaks == 0, "the message quotes a NIK or a name"
    assert error.file_name == path.name
    assert con.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                       "and table_name = 'p3ke'").fetchone()[0] == 0
    return error


def loaded(con, path: Path, personal: set[str]):
    result = load_extract(con, P3KE, path)
    quarantine = dict(con.execute("select source_row, reason from raw.quarantine where source = 'p3ke'").fetchall())
    leaks = _leaks(" ".join(quarantine.values()), personal)
    assert leaks == 0, "a quarantine reason quotes a NIK or a name"
    assert result.rows_read == result.rows_loaded + result.rows_quarantined == len(
        set(quarantine) | {r for (r,) in con.execute("select source_row from raw.p3ke").fetchall()})
    assert schema_problems(con, P3KE) == []
    return result, quarantine


def _table(con) -> list[tuple]:
    return con.execute(f"select {', '.join(P3KE.columns)}, numeric_cells, source_row from raw.p3ke "
                       "order by source_row").fetchall()


# --- the generator's split, read back ------------------------------------------------------------------------------

def test_a_list_in_several_sheets_loads_every_row_under_the_numbers_of_one_sheet(quarters, tmp_path, personal):
    split = _workbook(quarters, "split")
    names = python_calamine.CalamineWorkbook.from_path(str(split)).sheet_names
    truth = pq.read_table(quarters["split"] / "truth" / QUARTER / "source_rows.parquet").to_pandas()
    rows = int((truth.source == "p3ke").sum())
    assert rows > 3 * PER_SHEET and names == ["Individu"] + [f"Individu ({i})" for i in range(2, len(names) + 1)]
    assert len(names) == -(-rows // PER_SHEET)
    with duckdb.connect(str(tmp_path / "one.duckdb")) as one, duckdb.connect(str(tmp_path / "split.duckdb")) as two:
        single, _ = loaded(one, _workbook(quarters), personal)
        parts, quarantine = loaded(two, split, personal)
        assert parts.rows_read == parts.rows_loaded == single.rows_loaded == rows and not quarantine
        # Row for row, cell for cell, the same table: a row's identity does not depend on where a sheet ends.
        assert _table(one) == _table(two)
        assert [r[-1] for r in _table(two)] == list(range(1, rows + 1))


# --- later sheets that break the contract ----------------------------------------------------------------------------

def _parts(quarters, sizes: tuple[int, ...]) -> list[list[list]]:
    """The quarter's rows cut into sheets of the given numbers of data rows (the rest in the last), each with the header."""
    header, *rows = _rows(_workbook(quarters))
    parts, at = [], 0
    for size in sizes:
        parts.append([header, *rows[at:at + size]])
        at += size
    parts.append([header, *rows[at:]])
    return parts


def _names(count: int) -> list[str]:
    return ["Individu"] + [f"Individu ({i})" for i in range(2, count + 1)]


@pytest.mark.parametrize("change, found", [
    (lambda header: [("NIK_BARU" if c == "nik" else c) for c in header],
     "sheet 'Individu (2)': header does not match the contract: missing column 'nik' (found 'nik_baru' instead)"),
    (lambda header: [header[1], header[0], *header[2:]],
     "sheet 'Individu (2)' has its columns in another order than sheet 'Individu' (column 1 is 'id_individu', "
     "in 'Individu' 'id_keluarga_p3ke')"),
    (lambda header: header[:-1],
     "sheet 'Individu (2)': header does not match the contract: missing column 'tanggal_lahir'"),
], ids=["renamed", "reordered", "one-missing"])
def test_a_later_sheet_whose_header_differs_is_refused(quarters, tmp_path, con, personal, change, found):
    first, second, third = _parts(quarters, (100, 100))
    second = [change(second[0]), *second[1:]]
    path = write_workbook(tmp_path / P3KE.file_name, dict(zip(_names(3), [first, second, third])))
    assert found in str(refused(con, path, personal))


def test_a_later_sheet_without_its_header_is_refused_without_quoting_the_row(quarters, tmp_path, con, personal):
    first, second = _parts(quarters, (100,))
    path = write_workbook(tmp_path / P3KE.file_name, {"Individu": first, "Individu (2)": second[1:]})
    error = str(refused(con, path, personal))
    assert "sheet 'Individu (2)': header does not match the contract" in error
    assert "is not a column name (is the header row missing?)" in error


def test_a_missing_part_is_refused(quarters, tmp_path, con, personal):
    first, second, third = _parts(quarters, (100, 100))
    path = write_workbook(tmp_path / P3KE.file_name, {"Individu": first, "Individu (3)": third})
    assert ("has no sheet 'Individu (2)' but has 'Individu (3)': a part of the list is missing"
            in str(refused(con, path, personal)))


@pytest.mark.parametrize("name", ["Individu 2", "individu (2)", "Individu_2", "Individu (02)", "Individu (1)",
                                  "Individu Lama"])
def test_a_sheet_named_almost_like_a_part_is_refused(quarters, tmp_path, con, personal, name):
    # Left unread, its rows would be lost without a word.
    first, second = _parts(quarters, (100,))
    path = write_workbook(tmp_path / P3KE.file_name, {"Individu": first, name: second})
    error = str(refused(con, path, personal))
    assert f"sheet '{name}' looks like a part of the 'Individu' list but is not named as one" in error
    assert "name the parts Individu, Individu (2), Individu (3), ..." in error


def test_sheet_names_that_could_be_personal_data_are_not_repeated(quarters, tmp_path, con, personal):
    header, *rows = _rows(_workbook(quarters))
    nik = str(rows[0][header.index("nik")]).strip()
    assert len(nik) >= 6  # a NIK as written in the list (possibly reformatted)
    digits = re.sub(r"\D", "", nik)[:16]
    path = write_workbook(tmp_path / P3KE.file_name, {digits: [header, *rows], "Catatan\ttab": [["x"]]})
    error = str(refused(con, path, personal))
    assert digits not in error and "\t" not in error
    assert "has no sheet 'Individu' (sheets: sheet 1 (its name is not shown), sheet 2 (its name is not shown))" in error
    path = write_workbook(tmp_path / P3KE.file_name, {"Individu": [header, *rows], f"Individu {digits}": [header]})
    error = str(refused(con, path, personal))
    assert digits not in error and "sheet 2 (its name is not shown) looks like a part" in error


# --- later sheets that load -----------------------------------------------------------------------------------------

def test_an_empty_part_is_skipped_and_a_hidden_or_header_only_part_loads(quarters, tmp_path, con, personal):
    first, second = _parts(quarters, (100,))
    sheets = {"Individu": first, "Individu (2)": [], "Individu (3)": second, "Individu (4)": [second[0]],
              "Keluarga": second[:20]}  # another sheet of the workbook: not the list, not read
    path = write_workbook(tmp_path / P3KE.file_name, sheets, hidden=("Individu (3)",))
    result, quarantine = loaded(con, path, personal)
    assert result.rows_loaded == len(first) + len(second) - 2 and not quarantine
    with duckdb.connect(str(tmp_path / "one.duckdb")) as one:
        loaded(one, _workbook(quarters), personal)
        assert _table(one) == _table(con)


def test_rows_of_a_later_sheet_are_quarantined_naming_sheet_and_row(quarters, tmp_path, con, personal):
    first, second = _parts(quarters, (100,))
    width = len(first[0])
    # In Individu (2), numbered on from Individu's 100 rows: spreadsheet row 4 blank, row 7 with a value beyond the header.
    second = [*second[:3], [None] * width, *second[3:5], [*second[5], "x"], *second[6:]]
    path = write_workbook(tmp_path / P3KE.file_name, {"Individu": first, "Individu (2)": second})
    result, quarantine = loaded(con, path, personal)
    assert set(quarantine) == {100 + 3, 100 + 6}
    assert quarantine[103] == "empty row: sheet 'Individu (2)', row 4"
    assert quarantine[106] == f"row has values beyond the header's {width} columns: sheet 'Individu (2)', row 7"
    assert result.rows_read == 100 + len(second) - 1


# --- the workbook guard covers every part ---------------------------------------------------------------------------

CHILD = """
import json, sys
from pathlib import Path
import duckdb
from orchestration.ingest.contract import P3KE
from orchestration.ingest.errors import LandingError
from orchestration.ingest.load import load_extract
with duckdb.connect(sys.argv[2]) as con:
    try:
        load_extract(con, P3KE, Path(sys.argv[1]))
        print(json.dumps({"error": None}))
    except LandingError as exc:
        print(json.dumps({"error": str(exc)}))
"""


def test_a_value_far_outside_a_later_sheet_is_refused_before_calamine_reads_it(quarters, tmp_path, personal):
    first, second = _parts(quarters, (100,))
    path = tmp_path / P3KE.file_name
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in (("Individu", first), ("Individu (2)", second)):
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, [str(v) for v in row])
    sheet.write_string(1_048_575, 16_383, "x")  # XFD1048576 of Individu (2): calamine would ask for 512 GiB
    workbook.close()
    # In a child: were the guard to miss it, calamine would abort the process.
    child = subprocess.run([sys.executable, "-c", CHILD, str(path), str(tmp_path / "w.duckdb")],
                           capture_output=True, text=True)
    assert child.returncode == 0, f"the load died with status {child.returncode}"
    error = json.loads(child.stdout)["error"]
    assert error is not None and _leaks(error, personal) == 0
    assert "refused: sheet 'Individu (2)' would span up to 1,048,576 rows by 16,384 columns" in error
