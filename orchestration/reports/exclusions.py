"""exclusions.md: who left the list this quarter and why, per wilayah and programme, in Indonesian."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.quarters import Quarter

AMOUNTS_ENV = "SATUDATA_BENEFIT_AMOUNTS"
DEFAULT_AMOUNTS = Path(__file__).with_name("benefit_amounts.csv")

REASONS = {
    "deceased": "Meninggal (tercatat di akta kematian Dukcapil)",
    "moved_out": "Pindah keluar DKI (Dukcapil)",
    "nik_deactivated": "NIK dinonaktifkan Disdukcapil DKI",
    "outside_dki": "Berdomisili di luar DKI",
    "invalid_nik": "Tidak ada NIK yang valid di semua sumber",
    "unresolved_kelurahan": "Kelurahan tidak dapat dikenali",
    "nik_conflict": "NIK dipakai orang lain (NIK ganda), perlu verifikasi lapangan",
    "deceased_near_nik": "Meninggal menurut Dukcapil di NIK yang beda satu digit, perlu verifikasi lapangan",
    "moved_out_near_nik": "Pindah keluar DKI menurut Dukcapil di NIK yang beda satu digit, perlu verifikasi lapangan",
    "nik_deactivated_near_nik": "NIK beda satu digit dinonaktifkan Dukcapil, perlu verifikasi lapangan",
    "no_name": "Nama tidak terbaca di semua sumber",
    "field_deceased": "Meninggal menurut hasil verifikasi lapangan",
    "field_moved_out": "Pindah keluar DKI menurut hasil verifikasi lapangan",
    "field_not_known": "Tidak dikenal di alamat menurut hasil verifikasi lapangan",
    "held_for_verification": "Ditahan sampai diverifikasi di lapangan (kebijakan verifikasi)",
}

APPEAL_DECISIONS = {"diterima": "diterima (dikembalikan ke daftar)", "ditolak": "ditolak (tetap dikecualikan)"}
CHANGED_BY = {"sanggahan": "sanggahan diterima", "verifikasi": "hasil verifikasi lapangan",
              "kebijakan": "kebijakan verifikasi"}


# The exclusions that rest on a Dukcapil record; the extract is pulled after the quarter, so some are dated later.
REGISTRY_REASONS = ("deceased", "moved_out", "nik_deactivated")


def exclusions_after_quarter(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Per registry reason: (people excluded, of whom on an event dated after the quarter's last day)."""
    rows = con.execute(
        "select status, count(*), count(*) filter (where registry_event_after_quarter) from marts.persons "
        f"where status in {REGISTRY_REASONS} group by 1").fetchall()
    found = {status: (int(n), int(later)) for status, n, later in rows}
    return {reason: found.get(reason, (0, 0)) for reason in REGISTRY_REASONS}


@dataclass(frozen=True)
class BenefitAmount:
    """A programme's benefit per person per month, from the configurable amounts table."""

    program: str
    rupiah_per_bulan: int
    catatan: str


def load_amounts(path: Path | None = None) -> dict[str, BenefitAmount]:
    """The amounts table: `path`, else $SATUDATA_BENEFIT_AMOUNTS, else the shipped indicative table."""
    path = path or Path(os.environ.get(AMOUNTS_ENV) or DEFAULT_AMOUNTS)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for i, row in enumerate(rows, start=1):
        try:
            out[row["program"].strip()] = BenefitAmount(
                row["program"].strip(), int(row["rupiah_per_bulan"]), row.get("catatan", ""))
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path.name}: row {i}: column 'rupiah_per_bulan' must be a whole number of rupiah")
    return out


def angka(value: int) -> str:
    """A whole number written the Indonesian way: thousands grouped with dots (1.234); a comma reads as a decimal."""
    return f"{value:,}".replace(",", ".")


def _rupiah(value: int) -> str:
    return "Rp" + angka(value)


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(angka(v) if isinstance(v, int) else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def render_exclusions(con: duckdb.DuckDBPyConnection, quarter: str, amounts: dict[str, BenefitAmount]) -> str:
    """The report's markdown, from marts.persons (counts only, no NIK or name)."""
    excluded = "select * from marts.persons where status <> 'eligible'"
    total = con.execute("select count(*), count(*) filter (where status = 'eligible') from marts.persons").fetchall()[0]
    by_reason = con.execute(f"select status, count(*) from ({excluded}) group by 1 order by 2 desc, 1").fetchall()
    by_area = con.execute(
        f"select coalesce(kabkota, 'Luar DKI / tidak dikenali'), coalesce(kecamatan, '-'), status, count(*) "
        f"from ({excluded}) group by all order by 1, 2, 3").fetchall()
    by_program = con.execute(
        f"select trim(p) as program, status, count(*) from ({excluded}), "
        "unnest(string_split(program_bansos, ',')) as t(p) where program_bansos is not null "
        "group by all order by 1, 2").fetchall()
    after = exclusions_after_quarter(con)
    last_day = Quarter.parse(quarter).last_day
    review = con.execute(
        "select count(*) filter (where death_namesake and status = 'eligible'), "
        "count(*) filter (where near_registry_status is not null and status = 'eligible') from marts.persons"
    ).fetchall()[0]

    parts = [
        f"# Laporan pengecualian penerima bansos, triwulan {quarter}",
        "",
        "Laporan internal untuk Dinas Sosial. Berisi jumlah, bukan data pribadi; daftar per orang ada di "
        "`record_ledger.csv` (tanpa NIK dan nama) dan di gudang data triwulan ini.",
        "",
        f"- Orang setelah penggabungan dan deduplikasi: {angka(total[0])}",
        f"- Lolos ke daftar BPS: {angka(total[1])}",
        f"- Dikecualikan: {angka(total[0] - total[1])}",
        "",
        "## Menurut alasan",
        "",
        _table(["Alasan", "Orang"], [[REASONS.get(s, s), n] for s, n in by_reason]) if by_reason else "Tidak ada.",
        "",
        "## Berdasarkan peristiwa setelah akhir triwulan",
        "",
        (f"Ekstrak Dukcapil ditarik setelah triwulan berakhir, sehingga memuat peristiwa bertanggal setelah "
         f"{last_day:%d-%m-%Y}. Orang yang pada saat ekstrak sudah tercatat meninggal, pindah keluar DKI atau "
         "NIK-nya dinonaktifkan tidak dikirim ke BPS; berikut berapa di antaranya yang dikecualikan karena peristiwa "
         "sesudah akhir triwulan."),
        "",
        _table(["Alasan", "Orang", "Di antaranya: peristiwa setelah akhir triwulan"],
               [[REASONS[r], n, later] for r, (n, later) in after.items()]),
        "",
        (f"Jumlah: {angka(sum(later for _, later in after.values()))} dari "
         f"{angka(sum(n for n, _ in after.values()))} orang."),
        "",
        "## Menurut kabupaten/kota dan kecamatan",
        "",
        "Wilayah menurut alamat domisili terpilih (golden record).",
        "",
        _table(["Kabupaten/kota", "Kecamatan", "Alasan", "Orang"],
               [[k, c, REASONS.get(s, s), n] for k, c, s, n in by_area]) if by_area else "Tidak ada.",
        "",
        "## Menurut program dan nilai bantuan yang tidak lagi dibayarkan",
        "",
        "Nilai setahun = orang x nominal per bulan x 12, untuk program yang nominalnya tercantum di tabel nominal "
        f"(`{AMOUNTS_ENV}`, bawaan `orchestration/reports/benefit_amounts.csv`, nilai indikatif).",
        "",
    ]
    program_rows, total_year = [], 0
    for program, status, n in by_program:
        amount = amounts.get(program)
        if amount:
            yearly = n * amount.rupiah_per_bulan * 12
            total_year += yearly
            program_rows.append([program, REASONS.get(status, status), n, _rupiah(yearly)])
        else:
            program_rows.append([program, REASONS.get(status, status), n, "nominal tidak diketahui"])
    appeals = con.execute(
        "select appeal_decision, rule_status, status, count(*) from marts.persons where appeal_id is not null "
        "group by all order by 1, 2, 3").fetchall()
    changed = con.execute(
        "select changed_by, rule_status, status, count(*) from marts.persons where changed_by is not null "
        "group by all order by 1, 2, 3").fetchall()
    field = con.execute(
        "select field_result, count(*) from marts.persons where field_result_id is not null group by 1 order by 1"
    ).fetchall()
    parts += [
        _table(["Program", "Alasan", "Orang", "Nilai setahun"], program_rows) if program_rows else "Tidak ada.",
        "",
        f"Jumlah nilai setahun yang tidak lagi dibayarkan (program dengan nominal diketahui): {_rupiah(total_year)}",
        "",
        "## Perlu verifikasi lapangan (tetap dalam daftar)",
        "",
        f"- Nama dan tanggal lahir sama dengan catatan kematian, tetapi NIK berbeda: {angka(review[0])} orang. "
        "Kematian dicocokkan hanya dengan NIK, sehingga orang senama tidak dikeluarkan.",
        f"- NIK berbeda satu digit nomor urut dari NIK di catatan Dukcapil (kematian/pindah/nonaktif) dengan nama "
        f"sama: {angka(review[1])} orang. Bisa salah ketik NIK, bisa orang lain; perlu dicek.",
        "",
        "## Keputusan petugas: verifikasi lapangan dan sanggahan",
        "",
        "Hasil verifikasi lapangan (`satudata verifikasi import`) dan sanggahan (`satudata sanggah`) yang berlaku "
        "untuk orang dalam triwulan ini; setiap keputusan tercatat di `decisions/audit_log.jsonl`.",
        "",
        "Hasil verifikasi lapangan yang berlaku:",
        "",
        _table(["Hasil", "Orang"], [[h, n] for h, n in field]) if field else "Tidak ada.",
        "",
        "Sanggahan:",
        "",
        _table(["Keputusan", "Status menurut aturan", "Status sekarang", "Orang"],
               [[APPEAL_DECISIONS.get(d, d), REASONS.get(r, "Lolos ke daftar BPS"),
                 REASONS.get(s, "Lolos ke daftar BPS"), n]
                for d, r, s, n in appeals]) if appeals else "Tidak ada.",
        "",
        "Status yang diubah oleh keputusan petugas:",
        "",
        _table(["Diubah oleh", "Status menurut aturan", "Status sekarang", "Orang"],
               [[CHANGED_BY.get(c, c), REASONS.get(r, "Lolos ke daftar BPS"), REASONS.get(s, "Lolos ke daftar BPS"),
                 n] for c, r, s, n in changed]) if changed else "Tidak ada.",
        "",
    ]
    return "\n".join(parts)
