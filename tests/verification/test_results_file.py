"""The strict reader of returned field-verification worksheets: each test breaks one thing in a valid file."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from orchestration.verification import worksheet_format as fmt
from orchestration.verification.importer import kelurahan_codes
from orchestration.verification.results_file import (
    MAX_PROBLEMS,
    FieldFileError,
    FieldResult,
    RowInfo,
    read_field_results,
)

QUARTER = "2025Q2"
QUARTER_START = dt.date(2025, 4, 1)
TODAY = dt.date(2025, 6, 20)
KODE = "3171011001"  # Gambir
MOVED_TO = "3171011002"  # Cideng
FILE = f"{KODE}.xlsx"
SHEET_ID = "C0FFEE00BADA55E5"
ROWS = [f"VFA1B2C3D4E5F6A7B{n}" for n in range(1, 6)]
KINDS = ["nik_ganda", "senama_meninggal", "kelurahan_tidak_dikenal", "nik_dekat_dukcapil", "tanpa_nama"]
KNOWN = {row_id: RowInfo(kind, None if kind == "kelurahan_tidak_dikenal" else KODE)
         for row_id, kind in zip(ROWS, KINDS)}
NIKS = [f"31710112038000{n:02d}" for n in range(1, 11)]
NAMES = ["BUDI SANTOSO", "SITI AMINAH", "AHMAD FAUZI", "DEWI LESTARI", "PUTRI AYU"]
PERSONAL = NIKS + NAMES + ["1980-03-12", "JL. MAWAR NO. 12"]
PETUGAS = "198001012006041001"  # an NIP-shaped staff id (18 digits), not a resident's identifier
COL = {name: i for i, name in enumerate(fmt.ROW_COLUMNS)}
CODES = kelurahan_codes()


def grids(row_ids=ROWS, kinds=KINDS, kode=KODE, sheet_id=SHEET_ID) -> tuple[list[list], list[list]]:
    """A valid worksheet's two sheets: rows 2, 3 and 4 visited, the rest not."""
    rows = [list(fmt.ROW_COLUMNS)]
    for i, (row_id, kind) in enumerate(zip(row_ids, kinds)):
        row = {"id_verifikasi": row_id, "jenis_keraguan": kind, "keterangan": fmt.DOUBTS[kind],
               "person_id": f"P3584017223A{i:X}", "nik": NIKS[i], "nama": NAMES[i % len(NAMES)],
               "tanggal_lahir": "1980-03-12", "jenis_kelamin": "L", "no_kk": NIKS[i + 5], "alamat": "JL. MAWAR NO. 12",
               "rt": "001", "rw": "002", "kode_kelurahan": None if kind == "kelurahan_tidak_dikenal" else kode,
               "kelurahan": "GAMBIR", "kecamatan": "GAMBIR", "kabkota": "KOTA ADM. JAKARTA PUSAT",
               "baris_daftar": f"dtks:{i + 2}"}
        rows.append([row.get(c) for c in fmt.ROW_COLUMNS])
    results = [["meninggal", None, dt.date(2025, 5, 2), PETUGAS],
               ["pindah dalam DKI", MOVED_TO, "2025-05-03", "ani.s"],
               ["masih tinggal di alamat", KODE, "04/05/2025", "budi.p"]]
    for row, result in zip(rows[1:], results):
        row[COL["hasil"]:] = result
    about = [["kuartal", QUARTER], ["kode_kelurahan", kode], ["id_lembar", sheet_id], ["jumlah_baris", len(row_ids)],
             ["ditulis_pada", "2025-07-01T00:00:00Z"]]
    return rows, about


def write(path: Path, rows: list[list], about: list[list], formulas=(), sheets=(fmt.SHEET_ROWS, fmt.SHEET_ABOUT)):
    """Write the sheets as values; `formulas` are (sheet, row, column, formula, cached result)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "hh:mm"})
    for name, grid in ((fmt.SHEET_ROWS, rows), (fmt.SHEET_ABOUT, about)):
        if name not in sheets:
            continue
        sheet = book.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    sheet.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    day = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
                    sheet.write_datetime(r, c, day, date_format)
                elif isinstance(value, dt.time):
                    sheet.write_datetime(r, c, dt.datetime.combine(dt.date(1899, 12, 31), value), time_format)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
        for target, r, c, formula, result in formulas:
            if target == name:
                sheet.write_formula(r, c, formula, None, result)
    book.close()
    return path


def read(path: Path, **kwargs) -> list[FieldResult]:
    args = {"quarter": QUARTER, "sheet_id": SHEET_ID, "kode_kelurahan": KODE, "known_rows": KNOWN,
            "kelurahan_codes": CODES, "quarter_start": QUARTER_START, "today": TODAY} | kwargs
    return read_field_results(path, **args)


def refused(path: Path, *fragments: str, **kwargs) -> str:
    """The refusal's message, checked to name the file and `fragments` and to hold no personal value."""
    with pytest.raises(FieldFileError) as caught:
        read(path, **kwargs)
    message = str(caught.value)
    assert message.startswith(path.name), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    for value in PERSONAL:
        assert value not in message, (value, message)
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", message), message
    assert "Traceback" not in message
    assert caught.value.problems
    return message


def broken(tmp_path: Path, change=None, formulas=(), **kw) -> Path:
    rows, about = grids()
    if change:
        change(rows, about)
    return write(tmp_path / FILE, rows, about, formulas, **kw)


def set_cell(row: int, column: str, value):
    """A change putting `value` in the Verifikasi cell of sheet row `row` (1-based), column `column`."""
    def change(rows, about):
        rows[row - 1][COL[column]] = value
    return change


def result(row: int, *cells):
    """A change filling the four result cells of sheet row `row`."""
    def change(rows, about):
        rows[row - 1][COL["hasil"]:] = list(cells)
    return change


def test_the_columns_are_where_the_messages_say():
    assert [fmt.ROW_COLUMNS[i] for i in (0, 17, 18, 19, 20)] == ["id_verifikasi", *fmt.RESULT_COLUMNS]


def test_a_valid_file_gives_its_visited_rows(tmp_path):
    assert read(broken(tmp_path)) == [
        FieldResult(2, ROWS[0], "meninggal", None, dt.date(2025, 5, 2), PETUGAS),
        FieldResult(3, ROWS[1], "pindah_dalam_dki", MOVED_TO, dt.date(2025, 5, 3), "ani.s"),
        FieldResult(4, ROWS[2], "masih_tinggal", KODE, dt.date(2025, 5, 4), "budi.p"),
    ]


def test_empty_rows_in_the_middle_are_no_rows(tmp_path):
    def change(rows, about):
        rows.insert(3, [None] * len(fmt.ROW_COLUMNS))
    assert [r.row for r in read(broken(tmp_path, change))] == [2, 3, 5]


def test_no_hasil_gives_nothing(tmp_path):
    def change(rows, about):
        for row in rows[1:]:
            row[COL["hasil"]:] = [None] * 4
    assert read(broken(tmp_path, change)) == []


def test_the_unresolved_worksheet(tmp_path):
    rows, about = grids(ROWS[2:3], KINDS[2:3], kode="belum_terpetakan")
    rows[1][COL["hasil"]:] = ["masih tinggal di alamat", KODE, "2025-05-04", "budi.p"]
    path = write(tmp_path / fmt.UNRESOLVED_FILE, rows, about)
    assert read(path, kode_kelurahan="belum_terpetakan") == [
        FieldResult(2, ROWS[2], "masih_tinggal", KODE, dt.date(2025, 5, 4), "budi.p")]
    refused(path, "Tentang!B2 (kode_kelurahan): the file is the worksheet of 'belum_terpetakan', its name "
                  f"{fmt.UNRESOLVED_FILE} is that of {KODE}")


def test_a_truncated_file(tmp_path):
    path = broken(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(path, "damaged or truncated")


def test_a_csv_renamed_xlsx(tmp_path):
    path = tmp_path / FILE
    path.write_text(f"id_verifikasi,nik,nama\n{ROWS[0]},{NIKS[0]},{NAMES[0]}\n")
    refused(path, "is not an Excel workbook")


def test_a_folder_or_missing_file(tmp_path):
    (tmp_path / "folder.xlsx").mkdir()
    refused(tmp_path / "folder.xlsx", "is not a file")
    refused(tmp_path / "gone.xlsx", "does not exist")


def test_a_formula_in_the_hasil_column(tmp_path):
    path = broken(tmp_path, formulas=[(fmt.SHEET_ROWS, 3, COL["hasil"], '="meninggal"', "meninggal")])
    refused(path, "Verifikasi!R4 (hasil): a formula")


def test_a_formula_in_a_column_not_read(tmp_path):
    path = broken(tmp_path, formulas=[(fmt.SHEET_ROWS, 1, COL["nama"], '=UPPER("budi santoso")', NAMES[0])])
    refused(path, "Verifikasi!F2 (nama): a formula")


def test_a_formula_in_the_about_sheet(tmp_path):
    path = broken(tmp_path, formulas=[(fmt.SHEET_ABOUT, 3, 1, "=2+3", 5)])
    refused(path, "Tentang!B4 (jumlah_baris): a formula")


def test_a_worksheet_of_another_quarter(tmp_path):
    path = broken(tmp_path, lambda r, a: a[0].__setitem__(1, "2025Q1"))
    refused(path, "Tentang!B1 (kuartal): the file is a worksheet of '2025Q1', this import is of 2025Q2")


def test_a_worksheet_of_another_kelurahan_under_this_name(tmp_path):
    path = broken(tmp_path, lambda r, a: a[1].__setitem__(1, "3171011003"))
    refused(path, "Tentang!B2 (kode_kelurahan): the file is the worksheet of '3171011003', its name "
                  f"{FILE} is that of {KODE}")


def test_a_kelurahan_code_typed_as_a_number_in_the_about_sheet(tmp_path):
    assert len(read(broken(tmp_path, lambda r, a: a[1].__setitem__(1, float(KODE))))) == 3


def test_a_worksheet_of_an_earlier_run(tmp_path):
    path = broken(tmp_path, lambda r, a: a[2].__setitem__(1, "ABCDEF0123ABCDEF"))
    refused(path, "Tentang!B3 (id_lembar): the file is worksheet 'ABCDEF0123ABCDEF'", SHEET_ID, "earlier run")


def test_a_sheet_id_typed_over_with_a_nik(tmp_path):
    refused(broken(tmp_path, lambda r, a: a[2].__setitem__(1, NIKS[0])),
            "Tentang!B3 (id_lembar): the file is worksheet a value outside the list")


def test_about_keys_out_of_order(tmp_path):
    path = broken(tmp_path, lambda r, a: a.__setitem__(slice(0, 2), [a[1], a[0]]))
    refused(path, "Tentang!A1 (key): 'kode_kelurahan' where the worksheet has kuartal",
            "Tentang!A2 (key): 'kuartal' where the worksheet has kode_kelurahan")


def test_a_value_outside_the_about_block(tmp_path):
    refused(broken(tmp_path, lambda r, a: a[0].append(NIKS[0])), "Tentang!C1: a value outside the worksheet's A1:B5")


def test_fewer_rows_than_the_about_sheet_says(tmp_path):
    refused(broken(tmp_path, lambda r, a: r.pop()),
            "Tentang!B4 (jumlah_baris): says 5 rows, sheet Verifikasi has 4 data rows")


@pytest.mark.parametrize("count", [5, 5.0, "5", " 5 "])
def test_the_row_count_as_a_number_or_text(tmp_path, count):
    assert len(read(broken(tmp_path, lambda r, a: a[3].__setitem__(1, count)))) == 3


@pytest.mark.parametrize("count", ["lima", 5.5, NIKS[0], float(NIKS[0]), -1, "2000000"])
def test_a_row_count_that_is_not_one(tmp_path, count):
    refused(broken(tmp_path, lambda r, a: a[3].__setitem__(1, count)), "Tentang!B4 (jumlah_baris):",
            "is not a number of rows")


def test_an_unknown_row(tmp_path):
    refused(broken(tmp_path, set_cell(2, "id_verifikasi", "VFFFFFFFFFFFFFFFFF")),
            "Verifikasi!A2 (id_verifikasi): 'VFFFFFFFFFFFFFFFFF' is not a row of this worksheet")


def test_a_row_of_another_kelurahans_worksheet(tmp_path):
    # The reader knows only this worksheet's rows: a row pasted in from another is unknown here.
    other = {row_id: info for row_id, info in KNOWN.items() if row_id != ROWS[1]}
    refused(broken(tmp_path), f"Verifikasi!A3 (id_verifikasi): '{ROWS[1]}' is not a row of this worksheet",
            known_rows=other)


def test_an_id_typed_over_with_a_nik(tmp_path):
    refused(broken(tmp_path, set_cell(2, "id_verifikasi", NIKS[0])),
            "Verifikasi!A2 (id_verifikasi): a value outside the list is not an id_verifikasi")


def test_an_id_cleared(tmp_path):
    refused(broken(tmp_path, set_cell(3, "id_verifikasi", None)), "Verifikasi!A3 (id_verifikasi): empty")


def test_the_same_row_twice_even_when_the_rows_agree(tmp_path):
    def change(rows, about):
        rows[4] = list(rows[1])
    refused(broken(tmp_path, change), "Verifikasi!A5 (id_verifikasi): the same row as row 2")


@pytest.mark.parametrize(("typed", "code"), [
    (" MENINGGAL ", "meninggal"), ("Pindah Keluar DKI", "pindah_keluar_dki"), ("tidak_dikenal", "tidak_dikenal"),
    ("Tidak Dikenal\u00a0", "tidak_dikenal"), ("PINDAH_KELUAR_DKI", "pindah_keluar_dki"),
])
def test_a_hasil_in_any_case_or_as_its_code(tmp_path, typed, code):
    assert read(broken(tmp_path, set_cell(2, "hasil", typed)))[0].hasil == code


@pytest.mark.parametrize("value", ["wafat", "Meninggal dunia", NIKS[3], float(NIKS[3]), NAMES[0], 1.0])
def test_a_value_not_a_hasil(tmp_path, value):
    message = refused(broken(tmp_path, set_cell(2, "hasil", value)), "Verifikasi!R2 (hasil):",
                      "or empty when the person was not visited")
    if value == "wafat":
        assert "'wafat' is not a hasil" in message
    else:
        assert "a value outside the list is not a hasil" in message


def test_result_cells_filled_without_a_hasil(tmp_path):
    path = broken(tmp_path, result(5, None, KODE, "2025-05-02", NIKS[4]))
    refused(path, "Verifikasi!S5 (kode_kelurahan_baru): filled but the row has no hasil",
            "Verifikasi!T5 (tanggal_kunjungan): filled but the row has no hasil",
            "Verifikasi!U5 (petugas): filled but the row has no hasil")


def test_a_hasil_without_date_or_petugas(tmp_path):
    refused(broken(tmp_path, result(2, "meninggal", None, None, None)),
            "Verifikasi!T2 (tanggal_kunjungan): empty; a hasil needs the date of the visit",
            "Verifikasi!U2 (petugas): empty")


@pytest.mark.parametrize("typed", [dt.date(2025, 5, 2), dt.datetime(2025, 5, 2, 14, 30), "2025-05-02",
                                   "02-05-2025", "02/05/2025", "2/5/2025", " 2025-05-02 "])
def test_a_visit_date_as_a_date_cell_or_text(tmp_path, typed):
    assert read(broken(tmp_path, set_cell(2, "tanggal_kunjungan", typed)))[0].tanggal_kunjungan == dt.date(2025, 5, 2)


@pytest.mark.parametrize("day", [QUARTER_START, TODAY])
def test_the_first_day_of_the_quarter_and_today_are_visit_days(tmp_path, day):
    assert read(broken(tmp_path, set_cell(2, "tanggal_kunjungan", day)))[0].tanggal_kunjungan == day


@pytest.mark.parametrize(("typed", "said"), [
    ("2025-02-30", "not a real date"), ("31/04/2025", "not a real date"), ("2025-13-01", "not a real date"),
    (45779.0, "not a date"), ("kemarin", "not a date"), ("2025.05.02", "not a date"), ("05-2025", "not a date"),
    (NIKS[0], "not a date"), (float(NIKS[0]), "not a date"), (dt.time(10, 30), "not a date"),
    ("1980-03-12", "before the quarter began (2025-04-01)"), (dt.date(2025, 3, 31), "before the quarter began"),
    (dt.date(2025, 6, 21), "after today (2025-06-20)"), ("21-06-2025", "after today"),
])
def test_a_visit_date_refused(tmp_path, typed, said):
    refused(broken(tmp_path, set_cell(3, "tanggal_kunjungan", typed)), f"Verifikasi!T3 (tanggal_kunjungan): {said}")


def test_a_nip_as_text_a_login_and_a_short_number(tmp_path):
    def change(rows, about):
        rows[1][COL["petugas"]] = 12345.0
    results = read(broken(tmp_path, change))
    assert [r.petugas for r in results] == ["12345", "ani.s", "budi.p"]


@pytest.mark.parametrize(("value", "said"), [
    (float(PETUGAS), "a number of more than 15 digits, which Excel has already rounded"),
    (float(NIKS[0]), "a number of more than 15 digits"),
    (12.5, "a number with a fraction is not a staff id"),
    (NIKS[0], "a 16-digit number (a NIK or No. KK?) is not a staff id"),
    (f"nik{NIKS[0]}", "a 16-digit number"),
    (NAMES[0], "a value outside the list is not a staff id"),
    ("x", "'x' is not a staff id"),
])
def test_a_petugas_refused(tmp_path, value, said):
    refused(broken(tmp_path, set_cell(2, "petugas", value)), f"Verifikasi!U2 (petugas): {said}")


def test_a_move_within_dki_needs_the_new_kelurahan(tmp_path):
    refused(broken(tmp_path, set_cell(3, "kode_kelurahan_baru", None)),
            "Verifikasi!S3 (kode_kelurahan_baru): empty; pindah dalam DKI needs the code")


@pytest.mark.parametrize(("value", "said"), [
    ("3171019999", "'3171019999' is not the code of a DKI Jakarta kelurahan"),
    ("3273011001", "a value outside the list is not the code"),
    ("Cideng", "'Cideng' is not the code"),
    (NIKS[0], "a value outside the list is not the code"),
    (float(NIKS[0]), "a value outside the list is not the code"),
])
def test_a_move_within_dki_to_no_dki_kelurahan(tmp_path, value, said):
    refused(broken(tmp_path, set_cell(3, "kode_kelurahan_baru", value)), f"Verifikasi!S3 (kode_kelurahan_baru): {said}")


def test_a_move_within_dki_to_the_kelurahan_listed(tmp_path):
    refused(broken(tmp_path, set_cell(3, "kode_kelurahan_baru", KODE)),
            f"Verifikasi!S3 (kode_kelurahan_baru): '{KODE}' is the kelurahan the person is listed in")


def test_a_kelurahan_code_typed_as_a_number(tmp_path):
    assert read(broken(tmp_path, set_cell(3, "kode_kelurahan_baru", float(MOVED_TO))))[1].kode_kelurahan_baru == \
        MOVED_TO


def test_still_there_on_an_unresolved_kelurahan_needs_its_code(tmp_path):
    refused(broken(tmp_path, set_cell(4, "kode_kelurahan_baru", None)),
            "Verifikasi!S4 (kode_kelurahan_baru): empty; the row's doubt is kelurahan_tidak_dikenal")
    refused(broken(tmp_path, set_cell(4, "kode_kelurahan_baru", "3171019999")),
            "Verifikasi!S4 (kode_kelurahan_baru): '3171019999' is not the code of a DKI Jakarta kelurahan")


@pytest.mark.parametrize(("row", "hasil"), [(2, "meninggal"), (2, "masih tinggal di alamat"), (2, "tidak dikenal"),
                                            (2, "pindah keluar DKI"), (4, "meninggal")])
def test_a_new_kelurahan_where_the_hasil_takes_none(tmp_path, row, hasil):
    path = broken(tmp_path, result(row, hasil, MOVED_TO, "2025-05-02", "ani.s"))
    refused(path, f"Verifikasi!S{row} (kode_kelurahan_baru): filled but {hasil} takes no kode_kelurahan_baru")


def test_still_there_takes_no_code_on_other_doubts(tmp_path):
    assert read(broken(tmp_path, result(5, "masih tinggal di alamat", None, "2025-05-02", "ani.s")))[-1] == \
        FieldResult(5, ROWS[3], "masih_tinggal", None, dt.date(2025, 5, 2), "ani.s")


def test_a_nik_typed_in_every_result_cell_is_never_repeated(tmp_path):
    def change(rows, about):
        for row in rows[1:4]:
            row[COL["hasil"]:] = [NIKS[0], NIKS[1], NIKS[2], NIKS[3]]
        rows[4][COL["hasil"]:] = ["pindah dalam DKI", NIKS[4], NIKS[5], NIKS[6]]
        rows[5][COL["hasil"]:] = [None, float(NIKS[7]), f"{NIKS[8]} ", f" {NIKS[9]}"]
    message = refused(broken(tmp_path, change), "Verifikasi!R2 (hasil)", "Verifikasi!S5 (kode_kelurahan_baru)",
                      "Verifikasi!T5 (tanggal_kunjungan)", "Verifikasi!U5 (petugas)", "Verifikasi!S6", "Verifikasi!U6")
    assert "3171011203" not in message


def test_a_renamed_header(tmp_path):
    refused(broken(tmp_path, set_cell(1, "hasil", "hasil kunjungan")),
            "Verifikasi!R1: the header has a value outside the list where the worksheet has hasil")
    refused(broken(tmp_path, set_cell(1, "petugas", "nip")), "Verifikasi!U1: the header has 'nip' where the "
                                                             "worksheet has petugas")


def test_a_deleted_column(tmp_path):
    def change(rows, about):
        for row in rows:
            del row[COL["nama"]]
    refused(broken(tmp_path, change), "Verifikasi!F1: the header has 'tanggal_lahir' where the worksheet has nama")


def test_an_added_header_column(tmp_path):
    refused(broken(tmp_path, lambda r, a: r[0].append("catatan")), "Verifikasi!V1: a column the worksheet does not "
                                                                   "have; its header ends at U (petugas)")


def test_a_value_beyond_the_columns(tmp_path):
    refused(broken(tmp_path, lambda r, a: r[2].append(NAMES[0])), "Verifikasi!V3: a value beyond")


@pytest.mark.parametrize("missing", [fmt.SHEET_ROWS, fmt.SHEET_ABOUT])
def test_a_missing_sheet(tmp_path, missing):
    kept = tuple(s for s in (fmt.SHEET_ROWS, fmt.SHEET_ABOUT) if s != missing)
    refused(broken(tmp_path, sheets=kept), f"sheet {missing} is missing")


def test_every_problem_is_listed_up_to_a_limit(tmp_path):
    def change(rows, about):
        for _ in range(30):
            rows.append([ROWS[0]] + [None] * (COL["hasil"] - 1) + ["meninggal", None, "2025-05-02", "ani.s"])
    message = refused(broken(tmp_path, change), "the same row as row 2", "more")
    assert message.count("\n  - ") == MAX_PROBLEMS


def rewrite_member(path: Path, member: str, change) -> None:
    """Replace one part of the workbook's zip by `change(its bytes)`."""
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_formula_written_with_a_namespace_prefix(tmp_path):
    path = broken(tmp_path, formulas=[(fmt.SHEET_ROWS, 1, COL["petugas"], '="ani.s"', "ani.s")])

    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)([A-Za-z]+)([ >/])", rb"<\1x:\2\3", xml)
        return xml.replace(b'xmlns="', b'xmlns:x="', 1)
    rewrite_member(path, "xl/worksheets/sheet1.xml", prefixed)
    refused(path, "Verifikasi!U2 (petugas): a formula")


def test_a_damaged_sheet(tmp_path):
    path = broken(tmp_path)
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    refused(path, "damaged")


def test_the_worksheet_as_the_pipeline_writes_it_and_a_petugas_saves_it(tmp_path):
    from python_calamine import CalamineWorkbook

    from orchestration.verification.worksheets import _write_workbook, sheet_id

    rows, _ = grids()
    listed = [tuple(r[:COL["keterangan"]] + r[COL["person_id"]:COL["hasil"]]) for r in rows[1:]]
    wid = sheet_id(QUARTER, FILE, ROWS)
    written = tmp_path / "out" / FILE
    written.parent.mkdir()
    _write_workbook(written, "run1", listed, {"kuartal": QUARTER, "kode_kelurahan": KODE, "id_lembar": wid,
                                              "jumlah_baris": len(ROWS), "ditulis_pada": "2025-07-01T00:00:00Z"})
    assert read(written, sheet_id=wid) == []
    book = CalamineWorkbook.from_path(str(written))
    sheet = book.get_sheet_by_name(fmt.SHEET_ROWS).to_python()
    about = book.get_sheet_by_name(fmt.SHEET_ABOUT).to_python()
    assert sheet[1][COL["keterangan"]] == fmt.DOUBTS[KINDS[0]]
    sheet[2][COL["hasil"]:] = ["pindah dalam DKI", MOVED_TO, dt.date(2025, 6, 1), PETUGAS]
    saved = write(tmp_path / FILE, sheet, about)
    assert read(saved, sheet_id=wid) == [FieldResult(3, ROWS[1], "pindah_dalam_dki", MOVED_TO, dt.date(2025, 6, 1),
                                                     PETUGAS)]
