"""Loading landing files into raw tables: good files load whole, bad files fail naming file and column."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.contract import CARIK, DTKS, DUKCAPIL_KEMATIAN, DUKCAPIL_PINDAH, EXTRACTS, P3KE
from orchestration.ingest.errors import LandingError
from orchestration.ingest.load import load_extract
from tests.conftest import HEADERS, ROWS, write_csv, write_xlsx


@pytest.fixture
def con(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield con
    con.close()


def _load_error(con, spec, path) -> LandingError:
    with pytest.raises(LandingError) as info:
        load_extract(con, spec, path)
    return info.value


@pytest.mark.parametrize("spec", EXTRACTS, ids=lambda s: s.source)
def test_valid_file_loads_every_row_as_text_with_lineage(con, landing, spec):
    result = load_extract(con, spec, landing / spec.file_name)
    rows = ROWS[spec.source]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (len(rows), len(rows), 0)
    types = dict(con.execute(
        "select column_name, data_type from information_schema.columns where table_name = ?", [spec.source]
    ).fetchall())
    assert all(types[c] == "VARCHAR" for c in spec.columns)
    assert types["source_row"] == "BIGINT"
    lineage = con.execute(f"select distinct file_name, file_sha256 from {spec.table}").fetchall()
    assert lineage == [(spec.file_name, result.file_sha256)]
    assert con.execute(f"select list(source_row order by source_row) from {spec.table}").fetchall()[0][0] == \
        list(range(1, len(rows) + 1))


def test_ids_stay_text_with_leading_zeros_and_all_sixteen_digits(con, landing):
    load_extract(con, DTKS, landing / DTKS.file_name)
    rt, kk = con.execute("select rt, nomor_kk from raw.dtks where source_row = 1").fetchall()[0]
    assert rt == "001" and len(kk) == 16


def test_workbook_cells_become_text_and_numbers_are_flagged(con, data_dir):
    path = write_xlsx(data_dir / "p3ke.xlsx", HEADERS["p3ke"], ROWS["p3ke"])
    load_extract(con, P3KE, path)
    birth, desil, numeric = con.execute(
        "select tanggal_lahir, desil_kesejahteraan, numeric_cells from raw.p3ke where source_row = 1").fetchall()[0]
    assert (birth, desil, numeric) == ("1975-07-21", "1", "desil_kesejahteraan")
    # A text date stays as it was typed.
    assert con.execute("select tanggal_lahir from raw.p3ke where source_row = 2").fetchall()[0][0] == "05-08-1978"


def test_a_few_numeric_nik_cells_load_and_are_flagged(con, data_dir):
    # One numeric NIK cell among many text ones is a row problem for staging, not a broken column.
    rows = [list(r) for r in ROWS["p3ke"]] * 3
    path = write_xlsx(data_dir / "p3ke.xlsx", HEADERS["p3ke"], rows, number_columns=("nik",), number_rows={1})
    result = load_extract(con, P3KE, path)
    assert result.rows_loaded == len(rows)
    nik, numeric = con.execute("select nik, numeric_cells from raw.p3ke where source_row = 1").fetchall()[0]
    assert len(nik) == 16 and nik.endswith("0") and "nik" in numeric.split(",")
    assert con.execute("select numeric_cells from raw.p3ke where source_row = 2").fetchall()[0][0] == \
        "desil_kesejahteraan"


def test_reordered_columns_load_by_name(con, data_dir):
    header = list(reversed(HEADERS["dukcapil_kematian"]))
    rows = [list(reversed(r)) for r in ROWS["dukcapil_kematian"]]
    path = write_csv(data_dir / "dukcapil_kematian.csv", header, rows, ",")
    result = load_extract(con, DUKCAPIL_KEMATIAN, path)
    assert result.reordered_columns
    assert con.execute("select tgl_lhr from raw.dukcapil_kematian where source_row = 1").fetchall()[0][0] == \
        ROWS["dukcapil_kematian"][0][2]


def test_unparseable_rows_are_quarantined_with_reason_never_dropped(con, data_dir):
    rows = [list(r) for r in ROWS["dukcapil_pindah"]]
    path = data_dir / "dukcapil_pindah.csv"
    write_csv(path, HEADERS["dukcapil_pindah"], rows, ",")
    with path.open("a", encoding="utf-8") as f:
        f.write("3171011708450001,TOO,FEW\n\n3171011708450002,A,2025-04-01,3,3175051001,PINDAH_DALAM_DKI,EXTRA\n")
        f.write('3171011708450003,B,2025-04-01,3,3175051001,PINDAH_DALAM_DKI\n\n\n')
    result = load_extract(con, DUKCAPIL_PINDAH, path)
    assert result.rows_read == 7 and result.rows_loaded == 4 and result.rows_quarantined == 3
    quarantined = con.execute(
        "select source_row, reason from raw.quarantine where source = 'dukcapil_pindah' order by 1").fetchall()
    assert [row for row, _ in quarantined] == [4, 5, 6]
    assert quarantined[0][1] == "row has 3 fields, the header has 6"
    assert quarantined[1][1] == "blank line"
    assert result.trailing_blank_rows == 2


def test_failed_load_leaves_the_previous_table_as_it_was(con, landing, data_dir):
    load_extract(con, CARIK, landing / CARIK.file_name)
    broken = data_dir / "broken" / "carik.csv"
    broken.parent.mkdir(parents=True)
    broken.write_bytes((landing / CARIK.file_name).read_bytes() + "X;Y\n".encode() + b"\xe9t\xe9;" * 14 + b"\n")
    _load_error(con, CARIK, broken)
    assert con.execute("select count(*) from raw.carik").fetchall()[0][0] == len(ROWS["carik"])
    assert con.execute("select count(*) from raw.quarantine where source = 'carik'").fetchall()[0][0] == 0


# --- whole-file errors: each message names the file, and the column (and row) where one is at fault ---------

def test_missing_file(con, landing):
    (landing / DTKS.file_name).unlink()
    error = _load_error(con, DTKS, landing / DTKS.file_name)
    assert "dtks.csv" in str(error) and "missing" in str(error) and str(landing) in str(error)


def test_missing_registry_loads_as_an_empty_table_for_the_gate_to_block(con, landing):
    deaths = DUKCAPIL_KEMATIAN
    (landing / deaths.file_name).unlink()
    result = load_extract(con, deaths, landing / deaths.file_name)
    assert result.missing and result.rows_read == 0
    assert con.execute("select count(*) from raw.dukcapil_kematian").fetchall()[0][0] == 0
    assert con.execute("select rows_read, file_sha256 from raw.load_log where source = 'dukcapil_kematian'"
                       ).fetchall() == [(0, "")]


def test_empty_file(con, landing):
    (landing / DTKS.file_name).write_bytes(b"")
    error = _load_error(con, DTKS, landing / DTKS.file_name)
    assert "dtks.csv" in str(error) and "empty" in str(error)


def test_header_without_rows(con, landing):
    write_csv(landing / DTKS.file_name, HEADERS["dtks"], [], "|")
    error = _load_error(con, DTKS, landing / DTKS.file_name)
    assert "dtks.csv" in str(error) and "no data rows" in str(error)


def test_missing_column(con, landing):
    header = [c for c in HEADERS["carik"] if c != "nik"]
    rows = [[v for c, v in zip(HEADERS["carik"], r) if c != "nik"] for r in ROWS["carik"]]
    write_csv(landing / CARIK.file_name, header, rows, ";", "utf-8-sig")
    error = _load_error(con, CARIK, landing / CARIK.file_name)
    assert "carik.csv" in str(error) and "missing column 'nik'" in str(error) and error.column == "nik"


def test_renamed_column(con, landing):
    header = ["no_nik" if c == "nomor_nik" else c for c in HEADERS["dtks"]]
    write_csv(landing / DTKS.file_name, header, ROWS["dtks"], "|")
    error = _load_error(con, DTKS, landing / DTKS.file_name)
    assert "dtks.csv" in str(error)
    assert "missing column 'nomor_nik' (found 'no_nik' instead)" in str(error) and error.column == "nomor_nik"


def test_duplicate_and_blank_columns(con, landing):
    header = HEADERS["dukcapil_kematian"][:-1] + ["NIK"]
    write_csv(landing / "dukcapil_kematian.csv", header, ROWS["dukcapil_kematian"], ",")
    error = _load_error(con, DUKCAPIL_KEMATIAN, landing / "dukcapil_kematian.csv")
    assert "dukcapil_kematian.csv" in str(error) and "'nik' appears 2 times" in str(error)
    assert "missing column 'no_akta_kematian'" in str(error)
    header = HEADERS["dukcapil_kematian"][:-1] + [" "]
    write_csv(landing / "dukcapil_kematian.csv", header, ROWS["dukcapil_kematian"], ",")
    error = _load_error(con, DUKCAPIL_KEMATIAN, landing / "dukcapil_kematian.csv")
    assert "blank column name at position 5" in str(error) and "no_akta_kematian" in str(error)


def test_unexpected_column(con, landing):
    header = HEADERS["dukcapil_kematian"] + ["KETERANGAN"]
    rows = [r + ["-"] for r in ROWS["dukcapil_kematian"]]
    write_csv(landing / "dukcapil_kematian.csv", header, rows, ",")
    error = _load_error(con, DUKCAPIL_KEMATIAN, landing / "dukcapil_kematian.csv")
    assert "dukcapil_kematian.csv" in str(error) and "unexpected column 'keterangan'" in str(error)


def test_header_missing_is_reported_without_quoting_the_data_row(con, landing):
    path = landing / "dukcapil_kematian.csv"
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(ROWS["dukcapil_kematian"])
    error = _load_error(con, DUKCAPIL_KEMATIAN, path)
    assert "missing column 'nik'" in str(error) and "header row missing" in str(error)
    for value in ROWS["dukcapil_kematian"][0]:
        assert value not in str(error)


def test_wrong_delimiter(con, landing):
    write_csv(landing / DTKS.file_name, HEADERS["dtks"], ROWS["dtks"], ",")
    error = _load_error(con, DTKS, landing / DTKS.file_name)
    message = str(error)
    assert "dtks.csv" in message and "wrong delimiter" in message and "comma" in message
    assert "nomor_nik" in message


def test_wrong_encoding_names_row_and_column(con, landing):
    rows = [list(r) for r in ROWS["carik"]]
    rows[2][2] = "Putri Ayu Désirée"
    write_csv(landing / CARIK.file_name, HEADERS["carik"], rows, ";", "cp1252")
    error = _load_error(con, CARIK, landing / CARIK.file_name)
    assert "carik.csv" in str(error) and "UTF-8" in str(error)
    assert (error.row, error.column) == (3, "nama_lengkap") and "data row 3" in str(error)
    assert "Désirée" not in str(error)


def test_nik_column_stored_as_numbers_in_workbook(con, landing):
    write_xlsx(landing / P3KE.file_name, HEADERS["p3ke"], ROWS["p3ke"], number_columns=("nik",))
    error = _load_error(con, P3KE, landing / P3KE.file_name)
    assert "p3ke.xlsx" in str(error) and "column 'nik' is stored as numbers" in str(error)
    assert error.column == "nik"


def test_nik_column_stored_as_numbers_in_csv(con, landing):
    rows = [list(r) for r in ROWS["dtks"]]
    for row in rows:
        row[9] = "3.17501E+15"
    write_csv(landing / DTKS.file_name, HEADERS["dtks"], rows, "|")
    error = _load_error(con, DTKS, landing / DTKS.file_name)
    assert "dtks.csv" in str(error) and "column 'nomor_nik' is stored as numbers" in str(error)


def test_workbook_without_its_sheet(con, landing):
    write_xlsx(landing / P3KE.file_name, HEADERS["p3ke"], ROWS["p3ke"], sheet="Sheet1")
    error = _load_error(con, P3KE, landing / P3KE.file_name)
    assert "p3ke.xlsx" in str(error) and "no sheet 'Individu'" in str(error) and "Sheet1" in str(error)


def test_csv_renamed_xlsx_and_xlsx_renamed_csv(con, landing, data_dir):
    (landing / P3KE.file_name).write_bytes((landing / DTKS.file_name).read_bytes())
    error = _load_error(con, P3KE, landing / P3KE.file_name)
    assert "p3ke.xlsx" in str(error) and "not an Excel workbook" in str(error)
    workbook = write_xlsx(data_dir / "x.xlsx", HEADERS["p3ke"], ROWS["p3ke"])
    (landing / DTKS.file_name).write_bytes(workbook.read_bytes())
    error = _load_error(con, DTKS, landing / DTKS.file_name)
    assert "dtks.csv" in str(error) and "not a delimited text file" in str(error)
