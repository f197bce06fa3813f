"""quarter_over_quarter.csv and .md: who entered the list, who left it and why, who changed kelurahan."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.publish.csv_export import export_csv, export_parquet
from orchestration.publish.files import write_text_atomic
from orchestration.reports.exclusions import angka

COLUMNS = ["person_id", "change", "reason", "kode_kelurahan_before", "kode_kelurahan_after"]
REASONS_ID = {
    "entered": "masuk daftar", "left": "keluar dari daftar", "moved_kelurahan": "pindah kelurahan (tetap di DKI)",
    "deceased": "meninggal", "moved_out": "pindah keluar DKI", "nik_deactivated": "NIK dinonaktifkan",
    "outside_dki": "berdomisili di luar DKI", "invalid_nik": "tidak ada NIK valid",
    "unresolved_kelurahan": "kelurahan tidak dikenali", "not_listed": "tidak ada lagi di DTKS, P3KE maupun CARIK",
    "newly_listed": "baru tercatat", "newly_eligible": "sebelumnya dikecualikan",
    "kelurahan_changed": "alamat domisili di kelurahan lain",
    "nik_conflict": "NIK ganda (verifikasi lapangan)", "deceased_near_nik": "meninggal, NIK beda satu digit",
    "moved_out_near_nik": "pindah keluar DKI, NIK beda satu digit",
    "nik_deactivated_near_nik": "NIK beda satu digit dinonaktifkan",
    "no_name": "nama tidak terbaca", "field_deceased": "meninggal (verifikasi lapangan)",
    "field_moved_out": "pindah keluar DKI (verifikasi lapangan)",
    "field_not_known": "tidak dikenal di alamat (verifikasi lapangan)",
    "held_for_verification": "ditahan sampai diverifikasi",
}


def export_persons(con: duckdb.DuckDBPyConnection, target: Path, run_id: str) -> None:
    """Write this quarter's people (id, status, kelurahan; no names or NIKs) for the next quarter's comparison."""
    export_parquet(con, "select person_id, status, kode_kelurahan from marts.persons order by person_id", target,
                   run_id)


CHANGES_SQL = """
with now as (select person_id, status, kode_kelurahan from marts.persons),
before as (select * from read_parquet('{previous}'))
select person_id,
    case when is_now and not was then 'entered' when was and not is_now then 'left' else 'moved_kelurahan' end
        as change,
    case when is_now and not was then (case when before_status is null then 'newly_listed' else 'newly_eligible' end)
         when was and not is_now then coalesce(now_status, 'not_listed')
         else 'kelurahan_changed' end as reason,
    kode_kelurahan_before,
    kode_kelurahan_after
from (
    select coalesce(n.person_id, b.person_id) as person_id,
        coalesce(n.status = 'eligible', false) as is_now, coalesce(b.status = 'eligible', false) as was,
        n.status as now_status, b.status as before_status,
        b.kode_kelurahan as kode_kelurahan_before, n.kode_kelurahan as kode_kelurahan_after
    from now n full outer join before b using (person_id)
)
where is_now <> was or (is_now and was and kode_kelurahan_after <> kode_kelurahan_before)
"""


def write_quarter_over_quarter(con: duckdb.DuckDBPyConnection, quarter: str, previous: Path, reports: Path,
                               run_id: str) -> dict[str, int]:
    """Write the comparison with the previous published quarter; return counts per change."""
    query = CHANGES_SQL.format(previous=previous)
    export_csv(con, query, COLUMNS, reports / "quarter_over_quarter.csv", run_id, order_by="q.change, q.person_id")
    counts = con.execute(f"select change, reason, count(*) from ({query}) group by all order by all").fetchall()
    before = previous.name.split(".")[0]
    lines = [f"# Perubahan daftar {before} → {quarter}", "",
             "Hanya jumlah; daftar per orang (tanpa NIK dan nama) ada di `quarter_over_quarter.csv`.", "",
             "| Perubahan | Alasan | Orang |", "|---|---|---|"]
    lines += [f"| {REASONS_ID[c]} | {REASONS_ID.get(r, r)} | {angka(n)} |" for c, r, n in counts]
    write_text_atomic(reports / "quarter_over_quarter.md", "\n".join(lines) + "\n", run_id)
    totals: dict[str, int] = {}
    for change, _, n in counts:
        totals[change] = totals.get(change, 0) + n
    return totals
