"""Hostile and broken landing files, each built from a small generated quarter (issue 5).

Every case ends in a LandingError naming the file (and the column and row where they apply) or in rows
quarantined with a reason, with rows read = rows loaded + rows quarantined. No message or reason may quote a
NIK, a No. KK or a name from the file, and assertions compare counts, never print values (UU PDP 27/2022).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import python_calamine
import xlsxwriter

from orchestration.defs.ingest.assets import raw_assets
from orchestration.defs.ingest.checks import schema_checks, schema_problems
from orchestration.defs.resources import WarehouseResource
from orchestration.ingest.contract import CARIK, DTKS, EXTRACTS, P3KE, ExtractSpec
from orchestration.ingest.errors import LandingError
from orchestration.ingest.load import LoadResult, load_extract
from orchestration.synth import generate_quarter

QUARTER = "2025Q2"
PERSONAL_COLUMNS = {"nomor_kk", "nomor_nik", "no_kk", "nik", "nama", "nama_lengkap", "nama_ibu_kandung", "nama_lgkp"}
MiB = 1 << 20


# --- the generated quarter, and what no message may contain -----------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("hostile") / "data"
    generate_quarter(QUARTER, 800, seed=5, data_dir=data_dir)
    return data_dir / "landing" / QUARTER


def _csv_rows(spec: ExtractSpec, path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f, delimiter=spec.delimiter))
    return header, rows


def _sheet_rows(path: Path, sheet: str = "Individu") -> list[list]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return workbook.get_sheet_by_name(sheet).to_python()
    finally:
        workbook.close()


@pytest.fixture(scope="module")
def personal(generated) -> set[str]:
    """Every NIK, No. KK and name of the generated files, lower case."""
    values: set[str] = set()
    for spec in EXTRACTS:
        if spec.is_workbook:
            header, *rows = _sheet_rows(generated / spec.file_name)
        else:
            header, rows = _csv_rows(spec, generated / spec.file_name)
        wanted = [i for i, name in enumerate(header) if str(name).lower() in PERSONAL_COLUMNS]
        values.update(str(row[i]).strip().lower() for row in rows for i in wanted if len(str(row[i]).strip()) >= 5)
    return values


def _leaks(text: str, personal: set[str]) -> int:
    text = text.lower()
    return sum(1 for value in personal if value in text)


@pytest.fixture
def landing(generated, tmp_path) -> Path:
    folder = tmp_path / "data" / "landing" / QUARTER
    shutil.copytree(generated, folder)
    return folder


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield con
    con.close()


def refused(con, spec: ExtractSpec, path: Path, personal: set[str]) -> LandingError:
    """Load, expect a LandingError naming the file, without personal data, and nothing loaded."""
    with pytest.raises(LandingError) as info:
        load_extract(con, spec, path)
    error = info.value
    # First, so that no later assertion can print a message that quotes a value; a count, never the values.
    leaks = _leaks(str(error), personal)
    assert leaks == 0, "the message quotes a NIK, No. KK or name"
    assert error.file_name == path.name and str(path) in str(error)
    assert con.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                       "and table_name = ?", [spec.source]).fetchall()[0][0] == 0
    return error


def accepted(con, spec: ExtractSpec, path: Path, personal: set[str]) -> tuple[LoadResult, dict[int, str]]:
    """Load, and check every row is loaded or quarantined; returns the quarantine by source row."""
    result = load_extract(con, spec, path)
    quarantine = dict(con.execute("select source_row, reason from raw.quarantine where source = ?",
                                  [spec.source]).fetchall())
    leaks = _leaks(" ".join(quarantine.values()), personal)
    assert leaks == 0, "a quarantine reason quotes a NIK, No. KK or name"
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    assert len(quarantine) == result.rows_quarantined
    assert schema_problems(con, spec) == []  # the blocking asset check: row counts add up
    return result, quarantine


def write_delimited(spec: ExtractSpec, path: Path, header: list[str], rows: list[list[str]], **kwargs) -> Path:
    with path.open("w", encoding=kwargs.pop("encoding", spec.encoding), newline="") as f:
        csv.writer(f, delimiter=spec.delimiter, lineterminator=kwargs.pop("end", "\n")).writerows([header, *rows])
    return path


def write_workbook(path: Path, sheets: dict[str, list[list]], merges=(), hidden_rows=(), filtered=False) -> Path:
    """Write sheets of calamine values; merges are (first_row, first_col, last_row, last_col) in 'Individu'."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        worksheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if hasattr(value, "year"):
                    worksheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, (int, float)):
                    worksheet.write_number(r, c, value)
                elif value != "":
                    worksheet.write_string(r, c, str(value))
        if name == "Individu":
            for first_row, first_col, last_row, last_col in merges:
                # As Excel does: the area keeps the first cell's value, the others become blank.
                worksheet.merge_range(first_row, first_col, last_row, last_col, rows[first_row][first_col])
            for row in hidden_rows:
                worksheet.set_row(row, None, None, {"hidden": True})
            if filtered:
                worksheet.autofilter(0, 0, len(rows) - 1, len(rows[0]) - 1)
                worksheet.filter_column(7, "x > 1")  # written as operator="greaterThan"
    workbook.close()
    return path


# --- memory: a load in a child process, its peak RSS from the kernel --------------------------------------------

# The child reports its own VmHWM: the rusage of a child also counts the parent's pages it shared before exec.
CHILD = """
import json, re, sys
from pathlib import Path
import duckdb
from orchestration.ingest.contract import extract
from orchestration.ingest.errors import LandingError
from orchestration.ingest.load import load_extract
spec, path, database = extract(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
with duckdb.connect(database) as con:
    try:
        r = load_extract(con, spec, path)
        answer = {"read": r.rows_read, "loaded": r.rows_loaded, "quarantined": r.rows_quarantined}
    except LandingError as exc:
        answer = {"error": str(exc)}
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"answer": answer, "peak_mib": peak / 1024}))
"""


def load_in_child(spec: ExtractSpec, path: Path, database: Path) -> tuple[dict, float]:
    """Load in a fresh interpreter; return its answer and its peak RSS in MiB."""
    child = subprocess.run([sys.executable, "-c", CHILD, spec.source, str(path), str(database)],
                           capture_output=True, text=True)
    # A crash (calamine aborts when it cannot allocate) shows as a signal, not as a Python error.
    assert child.returncode == 0, f"the load died with status {child.returncode}"
    report = json.loads(child.stdout)
    return report["answer"], report["peak_mib"]


@pytest.fixture(scope="module")
def baseline_rss(generated, tmp_path_factory) -> float:
    """Peak RSS of a child loading the valid workbook, in MiB (it imports what every load imports)."""
    return load_in_child(P3KE, generated / P3KE.file_name, tmp_path_factory.mktemp("baseline") / "w.duckdb")[1]


# --- delimited files ----------------------------------------------------------------------------------------------

def test_csv_cut_off_in_the_middle_of_its_last_row(con, landing, personal):
    path = landing / DTKS.file_name
    data = path.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[:start + (len(data) - start) // 2])
    result, quarantine = accepted(con, DTKS, path, personal)
    last = result.rows_read
    assert result.rows_quarantined == 1 and last in quarantine
    assert "the header has 17" in quarantine[last] and "truncated" in quarantine[last]


def test_csv_cut_off_inside_a_quoted_field(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write("|".join(rows[0][:10]) + '|"Nama Terpoton')  # no closing quote, no line break
    result, quarantine = accepted(con, DTKS, path, personal)
    assert result.rows_read == len(rows) + 1 and result.rows_loaded == len(rows)
    assert "ends inside a quoted field" in quarantine[len(rows) + 1]


def test_unclosed_quote_mid_file_swallows_lines_into_one_quarantined_row(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    rows[9][10] = '"' + rows[9][10]  # an opening quote that is never closed
    path.write_text("\n".join("|".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    result, quarantine = accepted(con, DTKS, path, personal)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (10, 9, 1)
    # The swallowed rows are not silently gone: the reason gives the lines they were on.
    assert f"(lines 11-{len(rows) + 1} of the file)" in quarantine[10]


def test_random_bytes_named_csv(con, landing, personal):
    path = landing / DTKS.file_name
    path.write_bytes(random.Random(1).randbytes(200_000))
    error = refused(con, DTKS, path, personal)
    assert "is binary data: not a delimited text file" in str(error)


def test_random_bytes_without_nul_in_the_first_64_kib(con, landing, personal):
    data = bytearray(random.Random(2).randbytes(200_000))
    data[:65536] = data[:65536].replace(b"\x00", b"\x01")
    data[100_000] = 0
    path = landing / DTKS.file_name
    path.write_bytes(bytes(data))
    error = refused(con, DTKS, path, personal)
    assert "is binary data" in str(error)


def test_line_of_100_mb_is_one_quarantined_row_in_bounded_memory(landing, tmp_path, personal, baseline_rss):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    block = b"ABCDEFGH|" * (MiB // 9)
    with path.open("wb") as f:
        f.write("".join("|".join(r) + "\n" for r in [header, *rows[:5]]).encode())
        for _ in range(100):
            f.write(block)
        f.write(("\n" + "".join("|".join(r) + "\n" for r in rows[5:])).encode())
    assert path.stat().st_size > 100 * 1_000_000
    answer, peak = load_in_child(DTKS, path, tmp_path / "big.duckdb")
    path.unlink()
    assert answer == {"read": len(rows) + 1, "loaded": len(rows), "quarantined": 1}
    with duckdb.connect(str(tmp_path / "big.duckdb"), read_only=True) as con:
        reasons = con.execute("select source_row, reason from raw.quarantine").fetchall()
        assert con.execute("select max(source_row) from raw.dtks").fetchall()[0][0] == len(rows) + 1
    leaks = _leaks(reasons[0][1], personal)
    assert leaks == 0
    assert [row for row, _ in reasons] == [6] and reasons[0][1].startswith("line longer than 1,048,576 bytes")
    # Holding the line would cost at least its 100 MiB; the bounded reader holds about two 1 MiB blocks.
    assert peak - baseline_rss < 48, f"peak RSS {peak:.0f} MiB against a baseline of {baseline_rss:.0f} MiB"


def test_line_just_over_the_limit_between_rows(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    long_line = "|".join(["x" * 90_000] * 17)  # 1.5 MB of 17 fields: it would parse as a row
    path.write_text("".join("|".join(r) + "\n" for r in [header, *rows[:2], [long_line], *rows[2:]]))
    result, quarantine = accepted(con, DTKS, path, personal)
    assert (result.rows_read, result.rows_loaded) == (len(rows) + 1, len(rows))
    assert quarantine == {3: "line longer than 1,048,576 bytes: 1,530,017 bytes, skipped"}


def test_windows_1252_names_row_and_column(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    rows[4][10] = "Désirée Anggraini"
    write_delimited(DTKS, path, header, rows, encoding="cp1252")
    error = refused(con, DTKS, path, personal | {"désirée anggraini"})
    assert (error.row, error.column) == (5, "nama") and "data row 5" in str(error) and "UTF-8" in str(error)


@pytest.mark.parametrize("encoding, found", [
    ("utf-16", "UTF-16 text (byte-order mark FF FE)"),
    ("utf-16-le", "UTF-16 text without a byte-order mark"),
], ids=["with-bom", "without-bom"])
def test_utf16(con, landing, personal, encoding, found):
    path = landing / CARIK.file_name
    header, rows = _csv_rows(CARIK, path)
    write_delimited(CARIK, path, header, rows, encoding=encoding)
    error = refused(con, CARIK, path, personal)
    assert found in str(error) and "re-export it as UTF-8" in str(error)


def test_duplicate_header(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    write_delimited(DTKS, path, header[:-1] + ["NAMA"], rows)
    error = refused(con, DTKS, path, personal)
    assert "column 'nama' appears 2 times" in str(error) and "missing column 'bansos'" in str(error)
    assert error.column == "nama"


def test_blank_header(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    header[4] = "  "
    write_delimited(DTKS, path, header, rows)
    error = refused(con, DTKS, path, personal)
    assert "blank column name at position 5" in str(error) and error.column == "desa_kelurahan"


def test_extra_column(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    write_delimited(DTKS, path, [*header, "keterangan"], [[*r, "-"] for r in rows])
    error = refused(con, DTKS, path, personal)
    assert "unexpected column 'keterangan'" in str(error) and error.column == "keterangan"


def test_header_missing_quotes_no_data(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    write_delimited(DTKS, path, rows[0], rows[1:])
    error = refused(con, DTKS, path, personal)
    assert "header row missing" in str(error) and error.column == "id_art_dtks"


def test_columns_in_another_order_load_by_name(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    order = list(reversed(range(len(header))))
    write_delimited(DTKS, path, [header[i] for i in order], [[r[i] for i in order] for r in rows])
    result, quarantine = accepted(con, DTKS, path, personal)
    assert result.reordered_columns and result.rows_loaded == len(rows) and not quarantine
    loaded = set(con.execute("select source_row, nomor_nik, nama, bansos from raw.dtks").fetchall())
    expected = {(i, r[9] or None, r[10] or None, r[16] or None) for i, r in enumerate(rows, start=1)}
    differences = len(loaded ^ expected)
    assert differences == 0


def test_header_in_another_case_with_spaces(con, landing, personal):
    path = landing / CARIK.file_name
    header, rows = _csv_rows(CARIK, path)
    write_delimited(CARIK, path, [f"  {name.upper()} " for name in header], rows)
    result, quarantine = accepted(con, CARIK, path, personal)
    assert result.rows_loaded == len(rows) and not result.reordered_columns and not quarantine


def test_empty_file(con, landing, personal):
    (landing / DTKS.file_name).write_bytes(b"")
    assert "is empty (0 bytes)" in str(refused(con, DTKS, landing / DTKS.file_name, personal))


def test_file_with_only_a_bom(con, landing, personal):
    (landing / CARIK.file_name).write_bytes(b"\xef\xbb\xbf")
    assert "only a byte-order mark" in str(refused(con, CARIK, landing / CARIK.file_name, personal))


def test_file_of_blank_lines(con, landing, personal):
    (landing / DTKS.file_name).write_bytes(b"\n\n\r\n")
    error = refused(con, DTKS, landing / DTKS.file_name, personal)
    assert "line 1 is blank" in str(error) and error.row == 0


def test_file_without_line_breaks(con, landing, personal):
    (landing / DTKS.file_name).write_bytes(b"id_art_dtks|provinsi|" * 150_000)
    error = refused(con, DTKS, landing / DTKS.file_name, personal)
    assert "header row is longer than 1,048,576 bytes" in str(error)


def test_crlf_line_endings_and_a_trailing_blank_line_load(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    write_delimited(DTKS, path, header, rows, end="\r\n")
    with path.open("ab") as f:
        f.write(b"\r\n")
    result, quarantine = accepted(con, DTKS, path, personal)
    assert (result.rows_loaded, result.trailing_blank_rows, len(quarantine)) == (len(rows), 1, 0)
    carriage_returns = con.execute(
        "select count(*) from raw.dtks where contains(concat_ws('|', columns(*)), chr(13))").fetchall()[0][0]
    assert carriage_returns == 0


def test_old_mac_line_endings_load(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    write_delimited(DTKS, path, header, rows, end="\r")
    result, quarantine = accepted(con, DTKS, path, personal)
    assert result.rows_loaded == len(rows) and not quarantine


def test_nul_bytes_in_rows_are_quarantined_by_row_and_column(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    rows[2][5] = "JL. MAWAR\x00 NO. 1"
    rows[-3][5] = "\x00\x00\x00"
    write_delimited(DTKS, path, header, rows)
    assert path.read_bytes().index(b"\x00\x00\x00") > 65536  # past the part that is sniffed
    result, quarantine = accepted(con, DTKS, path, personal)
    assert set(quarantine) == {3, len(rows) - 2} and result.rows_loaded == len(rows) - 2
    assert all(reason == "row contains NUL bytes (binary data)" for reason in quarantine.values())
    columns = con.execute("select distinct column_name from raw.quarantine").fetchall()
    assert columns == [("alamat",)]


def test_nik_column_in_scientific_notation(con, landing, personal):
    path = landing / DTKS.file_name
    header, rows = _csv_rows(DTKS, path)
    for row in rows:
        row[9] = f"{float(row[9]):.5E}" if row[9].isdigit() else row[9]
    write_delimited(DTKS, path, header, rows)
    error = refused(con, DTKS, path, personal | {r[9].lower() for r in rows})
    assert error.column == "nomor_nik" and "column 'nomor_nik' is stored as numbers" in str(error)
    assert "scientific notation" in str(error) and "15 significant digits" in str(error)
    assert "re-export the column as text" in str(error)


@pytest.mark.parametrize("content, found", [
    (lambda landing: (landing / P3KE.file_name).read_bytes(), "is a zip archive (an Excel workbook?)"),
    (lambda landing: gzip.compress((landing / DTKS.file_name).read_bytes()), "is gzip-compressed data"),
    (lambda landing: b"%PDF-1.7\n" + bytes(range(256)) * 40, "is a PDF document"),
], ids=["xlsx", "gzip", "pdf"])
def test_other_kinds_of_file_named_csv(con, landing, personal, content, found):
    path = landing / DTKS.file_name
    path.write_bytes(content(landing))
    error = refused(con, DTKS, path, personal)
    assert found in str(error) and "not a delimited text file" in str(error)


def test_a_folder_named_like_the_file(con, landing, personal):
    path = landing / DTKS.file_name
    path.unlink()
    path.mkdir()
    assert "is not a regular file" in str(refused(con, DTKS, path, personal))


# --- the workbook -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("keep", [0.5, -10], ids=["half", "last-10-bytes"])
def test_xlsx_truncated(con, landing, personal, keep):
    path = landing / P3KE.file_name
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)] if keep > 0 else data[:keep])
    error = refused(con, P3KE, path, personal)
    assert "is a damaged or truncated Excel workbook" in str(error)


def test_xlsx_with_damaged_sheet_data(con, landing, personal):
    path = landing / P3KE.file_name
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    data[start:start + 64] = bytes(64)
    path.write_bytes(bytes(data))
    assert "is a damaged Excel workbook" in str(refused(con, P3KE, path, personal))


@pytest.mark.parametrize("content, found", [
    (lambda landing: random.Random(3).randbytes(50_000), "is not an Excel workbook: it is binary data"),
    (lambda landing: (landing / DTKS.file_name).read_bytes(), "is not an Excel workbook (it looks like delimited"),
    (lambda landing: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), "an Excel 97-2003 .xls workbook"),
], ids=["random-bytes", "csv", "xls"])
def test_other_kinds_of_file_named_xlsx(con, landing, personal, content, found):
    path = landing / P3KE.file_name
    path.write_bytes(content(landing))
    assert found in str(refused(con, P3KE, path, personal))


def test_workbook_with_several_sheets_reads_only_individu(con, landing, personal):
    path = landing / P3KE.file_name
    rows = _sheet_rows(path)
    # An extra sheet before Individu, and one after with rows of the same shape: both ignored.
    write_workbook(path, {"Catatan": [["Daftar P3KE triwulan ini"]], "Individu": rows, "Keluarga": rows[:20]})
    result, quarantine = accepted(con, P3KE, path, personal)
    assert result.rows_loaded == len(rows) - 1 and not quarantine


def test_workbook_without_individu_names_the_sheets_found(con, landing, personal):
    path = landing / P3KE.file_name
    rows = _sheet_rows(path)
    write_workbook(path, {"Sheet1": rows, "Keluarga": rows[:5]})
    error = refused(con, P3KE, path, personal)
    assert "has no sheet 'Individu' (sheets: Sheet1, Keluarga)" in str(error)


def test_merged_cells_in_data_rows_are_quarantined(con, landing, personal):
    path = landing / P3KE.file_name
    rows = _sheet_rows(path)
    # A family id merged down data rows 3-5 (spreadsheet rows 4-6), and a name merged over the NIK in data row 8.
    write_workbook(path, {"Individu": rows}, merges=[(3, 0, 5, 0), (8, 9, 8, 10)])
    result, quarantine = accepted(con, P3KE, path, personal)
    assert set(quarantine) == {3, 4, 5, 8} and result.rows_loaded == len(rows) - 1 - 4
    assert "data rows 3 to 5, columns id_keluarga_p3ke" in quarantine[4]
    assert "data rows 8 to 8, columns nama_lengkap, nik" in quarantine[8]


def test_merged_cells_in_the_header_row(con, landing, personal):
    path = landing / P3KE.file_name
    write_workbook(path, {"Individu": _sheet_rows(path)}, merges=[(0, 9, 0, 10)])
    error = refused(con, P3KE, path, personal)
    assert "merged cells in its header row (columns 10 to 11)" in str(error) and error.row == 0


def test_hidden_rows_are_data_and_load(con, landing, personal):
    path = landing / P3KE.file_name
    rows = _sheet_rows(path)
    write_workbook(path, {"Individu": rows}, hidden_rows=[2, 4, 6])
    result, quarantine = accepted(con, P3KE, path, personal)
    assert result.rows_loaded == len(rows) - 1 and not quarantine


def test_workbook_with_a_filter_loads(con, landing, personal):
    path = landing / P3KE.file_name
    rows = _sheet_rows(path)
    write_workbook(path, {"Individu": rows}, filtered=True)
    result, quarantine = accepted(con, P3KE, path, personal)
    assert result.rows_loaded == len(rows) - 1 and not quarantine


def test_workbook_whose_cells_have_no_positions_loads(con, landing, personal):
    # Some writers leave out a cell's r="B7": calamine places it after the previous cell, and the guard follows.
    path = landing / P3KE.file_name
    data_rows = len(_sheet_rows(path)) - 1
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as workbook:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", data)
            workbook.writestr(info, data)
    result, quarantine = accepted(con, P3KE, path, personal)
    assert result.rows_loaded == data_rows and not quarantine


def test_header_not_in_row_1(con, landing, personal):
    path = landing / P3KE.file_name
    write_workbook(path, {"Individu": [[], [], *_sheet_rows(path)]})
    error = refused(con, P3KE, path, personal)
    assert "nothing in row 1" in str(error) and "first values are in row 3" in str(error)


def test_zip_bomb_is_refused_in_bounded_memory(landing, tmp_path, personal, baseline_rss):
    path = landing / P3KE.file_name
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=4) as bomb:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, source.read(info))
                continue
            # One inline string of 64 MiB packed a thousandfold: read, it would cost more than that in memory.
            with bomb.open(info.filename, "w", force_zip64=True) as xml:
                xml.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                          b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
                block = b"A" * (4 * MiB)
                for _ in range(16):
                    xml.write(block)
                xml.write(b"</t></is></c></row></sheetData></worksheet>")
    assert path.stat().st_size < 2 * MiB
    answer, peak = load_in_child(P3KE, path, tmp_path / "bomb.duckdb")
    leaks = _leaks(answer["error"], personal)
    assert leaks == 0
    assert "refused: it would unpack to" in answer["error"] and "a zip bomb" in answer["error"]
    assert peak - baseline_rss < 32, f"peak RSS {peak:.0f} MiB against a baseline of {baseline_rss:.0f} MiB"


def test_value_far_outside_the_data_is_refused_before_calamine_allocates_its_grid(landing, tmp_path, personal,
                                                                                 baseline_rss):
    path = landing / P3KE.file_name
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Individu")
    sheet.write_row(0, 0, P3KE.columns)
    sheet.write_row(1, 0, ["x"] * len(P3KE.columns))
    sheet.write_string(1_048_575, 16_383, "x")  # XFD1048576: calamine would ask for 512 GiB and abort
    workbook.close()
    answer, peak = load_in_child(P3KE, path, tmp_path / "far.duckdb")
    leaks = _leaks(answer["error"], personal)
    assert leaks == 0
    assert "refused: sheet 'Individu' would span up to 1,048,576 rows by 16,384 columns" in answer["error"]
    assert "row 1,048,576 and column 16,384" in answer["error"]
    assert peak - baseline_rss < 32, f"peak RSS {peak:.0f} MiB against a baseline of {baseline_rss:.0f} MiB"


# --- the quarter's folder, through the Dagster ingest assets ------------------------------------------------------

@pytest.mark.parametrize("folder_state", ["empty", "missing"])
def test_absent_quarter_fails_every_ingest_step_naming_folder_and_files(tmp_path, personal, folder_state):
    data_dir = tmp_path / "data"
    folder = data_dir / "landing" / QUARTER
    if folder_state == "empty":
        folder.mkdir(parents=True)
    result = dg.materialize(
        [*raw_assets, *schema_checks], partition_key=QUARTER,
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir))}, raise_on_error=False)
    assert not result.success and not result.get_asset_materialization_events()
    failures = [e.step_failure_data.user_failure_data.description for e in result.all_events if e.is_step_failure]
    leaks = _leaks(" ".join(failures), personal)
    assert leaks == 0 and len(failures) == len(EXTRACTS)
    expected = "does not exist" if folder_state == "missing" else "holds none of the quarter's files"
    for description in failures:
        assert str(folder) in description and expected in description
        assert all(spec.file_name in description for spec in EXTRACTS)
    # No partial raw tables: the warehouse was never opened.
    assert not (data_dir / "warehouse" / f"{QUARTER}.duckdb").exists()
