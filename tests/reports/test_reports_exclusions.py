"""exclusions.md from a hand-built marts.persons, and the configurable benefit amounts table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.reports.exclusions import AMOUNTS_ENV, DEFAULT_AMOUNTS, REASONS, load_amounts, render_exclusions

QUARTER = "2025Q2"
TIMUR, SELATAN, UTARA = "KOTA ADM. JAKARTA TIMUR", "KOTA ADM. JAKARTA SELATAN", "KOTA ADM. JAKARTA UTARA"
# Synthetic people; nik and nama are there only to prove the report never shows them.
PERSONS = [
    # person_id, status, kabkota, kecamatan, program_bansos, death_namesake, near_registry_status, nik, nama
    ("P1", "eligible", TIMUR, "MATRAMAN", "PKH,BPNT", True, None, "3175010000000101", "NAMA SINTETIS SATU"),
    ("P2", "deceased", TIMUR, "MATRAMAN", "KLJ", False, None, "3175010000000102", "NAMA SINTETIS DUA"),
    ("P3", "deceased", SELATAN, "JAGAKARSA", "KLJ,KJMU", False, None, "3174090000000103", "NAMA SINTETIS TIGA"),
    ("P4", "moved_out", UTARA, "KOJA", "PKH", False, None, "3172030000000104", "NAMA SINTETIS EMPAT"),
    ("P5", "outside_dki", None, None, None, False, None, "3201010000000105", "NAMA SINTETIS LIMA"),
    ("P6", "eligible", UTARA, "KOJA", None, False, "MENINGGAL", "3172030000000106", "NAMA SINTETIS ENAM"),
    ("P7", "deceased", TIMUR, "MATRAMAN", "PKH", True, None, "3175010000000107", "NAMA SINTETIS TUJUH"),
]
AMOUNTS_CSV = "program,rupiah_per_bulan,catatan\nKLJ,300000,uji\nKJMU,1500000,uji\n"


def persons_db(rows: list[tuple], after_quarter: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """marts.persons of `rows`; the people of `after_quarter` rest on a registry event dated after the quarter."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.persons (person_id varchar, status varchar, kabkota varchar, kecamatan varchar, "
                "program_bansos varchar, death_namesake boolean, near_registry_status varchar, nik varchar, "
                "nama varchar, registry_event_after_quarter boolean)")
    if rows:
        con.executemany("insert into marts.persons values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(*row, row[0] in after_quarter) for row in rows])
    # What people in the loop changed (marts.persons after int_persons__rule_status): nothing, unless a test says.
    for column in ("rule_status", "changed_by", "field_result_id", "field_result", "appeal_id", "appeal_decision"):
        con.execute(f"alter table marts.persons add column {column} varchar")
    con.execute("update marts.persons set rule_status = status")
    return con


def write_amounts(tmp_path: Path, text: str = AMOUNTS_CSV, name: str = "nominal_uji.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The cells of the markdown table under `heading` (header and rule excluded)."""
    section = markdown.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("| ")]
    return [[cell.strip() for cell in ln.strip("|").split("|")] for ln in lines[1:]]


@pytest.fixture
def report(tmp_path) -> str:
    con = persons_db(PERSONS)
    try:
        return render_exclusions(con, QUARTER, load_amounts(write_amounts(tmp_path)))
    finally:
        con.close()


def test_header_and_totals(report):
    """Indonesian title and totals: 7 people, 2 eligible, 5 excluded."""
    assert report.startswith(f"# Laporan pengecualian penerima bansos, triwulan {QUARTER}\n")
    assert "- Orang setelah penggabungan dan deduplikasi: 7\n" in report
    assert "- Lolos ke daftar BPS: 2\n" in report
    assert "- Dikecualikan: 5\n" in report


def test_counts_per_reason(report):
    """One row per reason, Indonesian labels, largest first."""
    rows = table_rows(report, "Menurut alasan")
    assert rows[0] == [REASONS["deceased"], "3"]
    assert sorted(rows[1:]) == sorted([[REASONS["moved_out"], "1"], [REASONS["outside_dki"], "1"]])


def test_counts_per_area(report):
    """Per kab/kota and kecamatan; a person without a DKI wilayah is listed as outside or unresolved."""
    assert table_rows(report, "Menurut kabupaten/kota dan kecamatan") == [
        [SELATAN, "JAGAKARSA", REASONS["deceased"], "1"],
        [TIMUR, "MATRAMAN", REASONS["deceased"], "2"],
        [UTARA, "KOJA", REASONS["moved_out"], "1"],
        ["Luar DKI / tidak dikenali", "-", REASONS["outside_dki"], "1"],
    ]


def test_counts_and_yearly_amounts_per_program(report):
    """people x monthly x 12 for programmes in the table; 'nominal tidak diketahui' for PKH, which is not."""
    assert table_rows(report, "Menurut program dan nilai bantuan yang tidak lagi dibayarkan") == [
        ["KJMU", REASONS["deceased"], "1", "Rp18.000.000"],  # 1 x 1.500.000 x 12
        ["KLJ", REASONS["deceased"], "2", "Rp7.200.000"],  # 2 x 300.000 x 12
        ["PKH", REASONS["deceased"], "1", "nominal tidak diketahui"],
        ["PKH", REASONS["moved_out"], "1", "nominal tidak diketahui"],
    ]
    assert "(program dengan nominal diketahui): Rp25.200.000\n" in report


def test_exclusions_on_events_after_the_quarter_are_counted(tmp_path):
    """P3 died and P4 moved out after 30-06-2025 (the extract came later): excluded, and counted as such."""
    con = persons_db(PERSONS, after_quarter=("P3", "P4", "P1"))
    report = render_exclusions(con, QUARTER, load_amounts(write_amounts(tmp_path)))
    con.close()
    assert "bertanggal setelah 30-06-2025" in report
    assert table_rows(report, "Berdasarkan peristiwa setelah akhir triwulan") == [
        [REASONS["deceased"], "3", "1"],
        [REASONS["moved_out"], "1", "1"],
        [REASONS["nik_deactivated"], "0", "0"],
    ]
    assert "Jumlah: 2 dari 4 orang." in report  # P1 is eligible: its flag counts for nothing


def test_field_verification_counts_only_eligible(report):
    """Namesakes of the dead and near-NIK registry matches are counted among those who stay (P7 is excluded)."""
    assert "tetapi NIK berbeda: 1 orang." in report
    assert "dengan nama sama: 1 orang." in report


def test_report_holds_no_personal_data(report):
    """Counts only: no NIK, name or person id of the table appears."""
    for person in PERSONS:
        person_id, nik, nama = person[0], person[7], person[8]
        assert nik not in report
        assert nama not in report
        assert f"| {person_id} |" not in report


def test_nobody_excluded(tmp_path):
    """All eligible: each section says 'Tidak ada.' and the amount is Rp0."""
    con = persons_db([("P1", "eligible", TIMUR, "MATRAMAN", "KLJ", False, None, "3175010000000101", "NAMA UJI")])
    report = render_exclusions(con, QUARTER, load_amounts(write_amounts(tmp_path)))
    con.close()
    assert report.count("Tidak ada.") == 6  # reasons, area, programme; field results, appeals, changed statuses
    assert "- Dikecualikan: 0\n" in report
    assert "(program dengan nominal diketahui): Rp0\n" in report


def test_programme_list_with_spaces_is_trimmed(tmp_path):
    """'KLJ, KJMU' counts as KLJ and KJMU."""
    con = persons_db([("P1", "deceased", TIMUR, "MATRAMAN", "KLJ, KJMU", False, None, "3175010000000101", "NAMA")])
    report = render_exclusions(con, QUARTER, load_amounts(write_amounts(tmp_path)))
    con.close()
    assert [r[0] for r in table_rows(report, "Menurut program dan nilai bantuan yang tidak lagi dibayarkan")] == [
        "KJMU", "KLJ"]


def test_shipped_amounts_are_used_by_default(monkeypatch):
    """Without a path or the env var, the shipped indicative table is read."""
    monkeypatch.delenv(AMOUNTS_ENV, raising=False)
    amounts = load_amounts()
    assert DEFAULT_AMOUNTS.is_file()
    assert amounts["KLJ"].rupiah_per_bulan > 0
    assert all(a.program == name for name, a in amounts.items())


def test_shipped_amounts_keep_the_whole_note(monkeypatch):
    """Every shipped row parses to exactly its three columns, so the note is read whole."""
    monkeypatch.delenv(AMOUNTS_ENV, raising=False)
    assert all(a.catatan.endswith("Pergub yang berlaku") for a in load_amounts().values())


def test_amounts_from_the_env_var(tmp_path, monkeypatch):
    """$SATUDATA_BENEFIT_AMOUNTS points at a custom table, whose values drive the report."""
    path = write_amounts(tmp_path, "program,rupiah_per_bulan,catatan\n KLJ ,250000,uji\nPKH,100000,uji\n")
    monkeypatch.setenv(AMOUNTS_ENV, str(path))
    amounts = load_amounts()
    assert {k: v.rupiah_per_bulan for k, v in amounts.items()} == {"KLJ": 250000, "PKH": 100000}
    assert amounts["KLJ"].program == "KLJ"
    con = persons_db(PERSONS)
    report = render_exclusions(con, QUARTER, amounts)
    con.close()
    rows = table_rows(report, "Menurut program dan nilai bantuan yang tidak lagi dibayarkan")
    assert ["KLJ", REASONS["deceased"], "2", "Rp6.000.000"] in rows
    assert ["KJMU", REASONS["deceased"], "1", "nominal tidak diketahui"] in rows
    # KLJ 2 x 250.000 x 12 + PKH (deceased 1 + moved out 1) x 100.000 x 12
    assert "(program dengan nominal diketahui): Rp8.400.000\n" in report


def test_explicit_path_wins_over_env_var(tmp_path, monkeypatch):
    """A path argument is read even when the env var is set."""
    monkeypatch.setenv(AMOUNTS_ENV, str(write_amounts(tmp_path, "program,rupiah_per_bulan\nKLJ,1\n", "env.csv")))
    assert load_amounts(write_amounts(tmp_path))["KLJ"].rupiah_per_bulan == 300000


@pytest.mark.parametrize("bad", ["300.000", "3e5", "", "Rp300000", "300000.0"])
def test_bad_amount_names_file_and_row(tmp_path, monkeypatch, bad):
    """A non-integer amount raises ValueError naming the file and the (data) row."""
    path = write_amounts(tmp_path, f"program,rupiah_per_bulan,catatan\nKLJ,300000,uji\nKAJ,{bad},uji\n", "salah.csv")
    monkeypatch.setenv(AMOUNTS_ENV, str(path))
    with pytest.raises(ValueError, match=r"salah\.csv: row 2: .*rupiah_per_bulan"):
        load_amounts()


def test_missing_amount_column_names_file(tmp_path):
    """A table without the rupiah_per_bulan column is refused with the file's name."""
    with pytest.raises(ValueError, match=r"kolom\.csv: row 1"):
        load_amounts(write_amounts(tmp_path, "program,nominal\nKLJ,300000\n", "kolom.csv"))


def test_short_row_names_file_and_row(tmp_path):
    """A row missing its amount field raises the same ValueError as a bad amount."""
    with pytest.raises(ValueError, match=r"pendek\.csv: row 2"):
        load_amounts(write_amounts(tmp_path, "program,rupiah_per_bulan,catatan\nKLJ,300000,uji\nKAJ\n", "pendek.csv"))


def test_field_results_and_appeals_are_listed(tmp_path):
    con = persons_db([("P1", "eligible", "Kota Administrasi Jakarta Barat", "Cengkareng", None, False, None,
                       "3173010101800001", "NAMA SATU"),
                      ("P2", "field_deceased", "Kota Administrasi Jakarta Barat", "Cengkareng", None, False, None,
                       "3173010101800002", "NAMA DUA"),
                      ("P3", "field_not_known", "Kota Administrasi Jakarta Barat", "Cengkareng", None, False, None,
                       "3173010101800003", "NAMA TIGA")])
    con.execute("update marts.persons set rule_status = 'eligible', field_result_id = 'F0000001', "
                "field_result = 'pindah_keluar_dki', appeal_id = 'S0000001', appeal_decision = 'diterima', "
                "changed_by = 'sanggahan' where person_id = 'P1'")
    con.execute("update marts.persons set rule_status = 'eligible', field_result_id = 'F0000002', "
                "field_result = 'meninggal', changed_by = 'verifikasi' where person_id = 'P2'")
    con.execute("update marts.persons set rule_status = 'eligible', field_result_id = 'F0000003', "
                "field_result = 'tidak_dikenal', appeal_id = 'S0000002', appeal_decision = 'ditolak', "
                "changed_by = 'verifikasi' where person_id = 'P3'")
    text = render_exclusions(con, "2025Q2", load_amounts())
    section = text[text.index("## Keputusan petugas"):]
    assert "| meninggal | 1 |" in section and "| pindah_keluar_dki | 1 |" in section
    assert ("| ditolak (tetap dikecualikan) | Lolos ke daftar BPS | Tidak dikenal di alamat menurut hasil verifikasi "
            "lapangan | 1 |") in section
    assert "diterima (dikembalikan ke daftar)" in section and "ditolak (tetap dikecualikan)" in section
    assert "| sanggahan diterima | Lolos ke daftar BPS | Lolos ke daftar BPS | 1 |" in section
    assert "NAMA" not in text and "3173010101800001" not in text
