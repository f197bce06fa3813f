"""File formats of the contract and the value variants ingestion must accept.

PYTEST_DONT_REWRITE: failures report counts only, never cell values.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import zipfile

import python_calamine

from orchestration.synth import generate_quarter
from orchestration.synth.contract import COLUMNS, FILE_NAMES, LIST_SOURCES
from orchestration.synth.regions import SEEDS_DIR

from .conftest import QUARTER, Generated, load

BOM = b"\xef\xbb\xbf"


def test_csv_delimiters_encodings_and_headers(generated: Generated) -> None:
    for source, delimiter, bom in (
        ("dtks", "|", False),
        ("carik", ";", True),
        ("dukcapil_kematian", ",", False),
        ("dukcapil_pindah", ",", False),
    ):
        raw = (generated.landing / FILE_NAMES[source]).read_bytes()
        assert raw.startswith(BOM) == bom, source
        text = raw[len(BOM) :].decode("utf-8") if bom else raw.decode("utf-8")
        first_line = text.split("\n", 1)[0]
        assert first_line == delimiter.join(COLUMNS[source]), source
        assert "\r" not in text, source
        widths = {len(r) for r in csv.reader(text.splitlines(), delimiter=delimiter)}
        assert widths == {len(COLUMNS[source])}, source
        assert len(generated.rows[source]) > 0, source


def test_p3ke_workbook_layout(generated: Generated) -> None:
    path = generated.landing / FILE_NAMES["p3ke"]
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == ["Individu"]
    assert generated.header["p3ke"] == list(COLUMNS["p3ke"])
    col = {c: i for i, c in enumerate(COLUMNS["p3ke"])}
    rows = generated.rows["p3ke"]
    for text_col in ("id_keluarga_p3ke", "id_individu", "kode_kemendagri", "padan_dukcapil", "nama_lengkap"):
        assert sum(not isinstance(r[col[text_col]], str) for r in rows) == 0, text_col
    # Issue 11: a desil is sometimes a text cell ("2", tagged desil_text) or out of range (tagged).
    j = generated.joined("p3ke")
    desil = j.f_desil_kesejahteraan
    is_text = desil.map(lambda v: isinstance(v, str))
    assert int((is_text != j.corruptions.str.contains("desil_text")).sum()) == 0
    assert int((~is_text & ~desil.map(lambda v: isinstance(v, float))).sum()) == 0
    in_range = desil.map(lambda v: int(float(v)) in (1, 2, 3, 4))
    assert int((in_range == j.corruptions.str.contains("desil_out_of_range")).sum()) == 0
    assert int((in_range & (desil.map(lambda v: int(float(v))) != j.desil.clip(upper=4))).sum()) == 0
    assert {r[col["padan_dukcapil"]] for r in rows} == {"YA", "TIDAK"}
    assert sum(not re.fullmatch(r"\d{10}", r[col["kode_kemendagri"]]) for r in rows) == 0
    dates = [r[col["tanggal_lahir"]] for r in rows]
    cells = sum(isinstance(d, dt.date) for d in dates)
    texts = sum(isinstance(d, str) for d in dates)
    assert cells + texts == len(rows) and cells > 0.7 * len(rows) and texts > 0


def test_p3ke_excel_number_niks_lost_their_last_digit(generated: Generated) -> None:
    j = generated.joined("p3ke")
    numbers = j[j.f_nik.map(lambda v: isinstance(v, float))]
    assert 0 < len(numbers) < 0.02 * len(j)
    tagged = numbers.corruptions.str.contains("excel_number_nik")
    assert int((~tagged).sum()) == 0
    # Rows whose NIK was also mistyped hold a number that no longer derives from the true NIK.
    only_excel = numbers[~numbers.corruptions.str.contains("nik_")]
    digits = only_excel.f_nik.map(lambda v: f"{int(v):d}")
    assert int((digits != only_excel.nik.str[:15] + "0").sum()) == 0
    assert int((numbers.f_nik.map(lambda v: len(f"{int(v):d}")) != 16).sum()) == 0
    strings = j[j.f_nik.map(lambda v: isinstance(v, str))]
    assert len(strings) + len(numbers) == len(j)


def _column(generated: Generated, source: str, name: str) -> list:
    i = generated.header[source].index(name)
    return [r[i] for r in generated.rows[source]]


def test_dates_appear_in_every_text_form(generated: Generated) -> None:
    forms = {"iso": r"\d{4}-\d{2}-\d{2}", "dash": r"\d{2}-\d{2}-\d{4}", "slash": r"\d{2}/\d{2}/\d{4}"}
    for source in LIST_SOURCES:
        j = generated.joined(source)
        # Issue 11: rarer forms and out-of-range dates are tagged; every other text date has a main form.
        usual = ~j.corruptions.str.contains("date_other_form|dob_out_of_range")
        values = [v for v in j.f_tanggal_lahir[usual] if isinstance(v, str)]
        for form, pattern in forms.items():
            assert sum(bool(re.fullmatch(pattern, v)) for v in values) > 0, f"{source} {form}"
        assert sum(not any(re.fullmatch(p, v) for p in forms.values()) for v in values) == 0, source
        rare = j.f_tanggal_lahir[~usual]
        assert len(rare) > 0 and sum(any(re.fullmatch(p, str(v)) for p in forms.values()) for v in rare) < len(rare)


def test_sex_and_rt_rw_forms(generated: Generated) -> None:
    sex, rare = set(), set()
    for source in LIST_SOURCES:
        j = generated.joined(source)
        # Issue 11: rarer forms (LK/PR, PRIA/WANITA, 1/2 ...) and out-of-range values are tagged.
        tagged = j.corruptions.str.contains("sex_other_form|sex_out_of_range")
        sex |= set(j.f_jenis_kelamin[~tagged])
        rare |= set(j.f_jenis_kelamin[tagged])
    assert sex == {"L", "P", "LAKI-LAKI", "PEREMPUAN", "Laki-laki", "Perempuan"}
    assert len(rare - sex) >= 6
    for source in ("dtks", "carik"):
        rt = _column(generated, source, "rt") + _column(generated, source, "rw")
        for pattern in (r"[1-9]\d?", r"0\d", r"00\d"):
            assert sum(bool(re.fullmatch(pattern, v)) for v in rt) > 0, f"{source} {pattern}"


def test_region_name_variants(generated: Generated) -> None:
    provinsi = set(_column(generated, "dtks", "provinsi"))
    assert {"DKI JAKARTA", "D.K.I. JAKARTA", "Prov. DKI Jakarta", "DAERAH KHUSUS IBUKOTA JAKARTA"} <= provinsi
    kota = set(_column(generated, "dtks", "kabupaten_kota")) | set(_column(generated, "carik", "kota"))
    assert "KOTA ADM. JAKARTA TIMUR" in kota and "Kota Administrasi Jakarta Timur" in kota
    assert "JAKARTA TIMUR" in kota
    with open(SEEDS_DIR / "dki_kelurahan.csv", newline="", encoding="utf-8") as f:
        seed = list(csv.DictReader(f))
    bps_only = {r["nama_bps_kelurahan"] for r in seed} - {r["kelurahan"].upper() for r in seed}
    written = {
        v.upper()
        for s in LIST_SOURCES
        for v in _column(generated, s, "desa_kelurahan" if s != "carik" else "kelurahan")
    }
    assert len(bps_only & written) > 0, "some rows use BPS spellings of kelurahan names"
    kecamatan = {v.upper() for s in LIST_SOURCES for v in _column(generated, s, "kecamatan")}
    assert "TANJUNG PRIUK" in kecamatan and "TANJUNG PRIOK" in kecamatan
    mixed = [v for v in _column(generated, "carik", "kelurahan") if v != v.upper()]
    assert len(mixed) > 0


def test_name_variants(generated: Generated) -> None:
    names = [
        n for s in LIST_SOURCES for n in _column(generated, s, "nama" if s == "dtks" else "nama_lengkap")
    ]
    upper = [n.upper() for n in names]
    checks = {
        "titles": sum(
            n.startswith(("H. ", "HJ. ", "DRS. ", "IR. ", "DR. ", "DRA. ")) or ", S." in n for n in upper
        ),
        "abbreviations": sum(bool(re.match(r"(M|MOH|MUH|MHD|MOCH|ST|ABD)\.? ", n)) for n in upper),
        "old spellings": sum(("OE" in n or "DJ" in n or "TJ" in n) for n in upper),
        "mixed case": sum(n != n.upper() for n in names),
        "upper case": sum(n == n.upper() for n in names),
    }
    for what, n in checks.items():
        assert n > 0, what
    j = generated.joined("dtks")
    typos = j[j.corruptions.str.contains("name_typo")]
    assert len(typos) > 0 and int((typos.f_nama == typos.nama).sum()) == 0


def test_nik_and_kk_errors_of_the_contract(generated: Generated) -> None:
    tags = {t for c in generated.source_rows.corruptions for t in c.split(",") if t}
    for tag in (
        "nik_dash",
        "nik_zero",
        "nik_15_digits",
        "nik_month_13",
        "nik_serial_0000",
        "nik_is_kk",
        "kk_invalid",
        "excel_number_nik",
        "name_title",
        "name_abbrev",
        "name_old_spelling",
        "name_typo",
        "date_ddmmyyyy",
        "date_ddmmyyyy_slash",
        "date_excel_cell",
        "dob_swap_day_month",
        "region_bps_spelling",
        "address_stale",
        "address_outside_dki",
    ):
        assert tag in tags, tag
    j = generated.joined("dtks")
    is_kk = j[j.corruptions.str.contains("nik_is_kk")]
    assert int((is_kk.f_nomor_nik != is_kk.no_kk).sum()) == 0
    nik = _column(generated, "dtks", "nomor_nik")
    assert "-" in nik and "0" in nik
    assert sum(len(v) == 15 and v.isdigit() for v in nik) > 0


def test_corruptions_rarely_hit_name_birth_date_and_nik_together(generated: Generated) -> None:
    for source in LIST_SOURCES:
        tags = generated.source_rows[generated.source_rows.source == source].corruptions
        triple = tags.map(
            lambda c: all(
                any(t.startswith(p) for t in c.split(","))
                for p in (("name_typo", "name_abbrev", "name_spelling"), "dob_", "nik_invalid")
            )
        )
        assert int(triple.sum()) == 0, source


def test_p3ke_past_its_sheet_goes_on_in_numbered_sheets_with_the_same_rows(generated: Generated, tmp_path) -> None:
    # The split at a tiny sheet size: the same quarter's rows, in the same order, over Individu, Individu (2), ...
    # each sheet with the header, and the truth's source_row still counting through them.
    rows = len(generated.rows["p3ke"])
    per_sheet = rows // 3 + 1
    config = dataclasses.replace(generated.config, p3ke_sheet_rows=per_sheet)
    generate_quarter(QUARTER, generated.people, data_dir=tmp_path, config=config)
    path = tmp_path / "landing" / QUARTER / FILE_NAMES["p3ke"]
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["Individu", "Individu (2)", "Individu (3)"]
    sheets = [workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names]
    assert all(sheet[0] == list(COLUMNS["p3ke"]) for sheet in sheets)
    assert [len(sheet) - 1 for sheet in sheets] == [per_sheet, per_sheet, rows - 2 * per_sheet]
    split = load(tmp_path, generated.people, config, {})
    assert split.rows["p3ke"] == generated.rows["p3ke"]  # compared in Python: a failure prints no cell
    for source in FILE_NAMES:
        if source != "p3ke":
            assert (split.landing / FILE_NAMES[source]).read_bytes() == (
                generated.landing / FILE_NAMES[source]).read_bytes(), source
    assert split.source_rows.equals(generated.source_rows)
