"""File names, columns and delimiters of the landing contract (docs/landing_contract.md)."""

from __future__ import annotations

COLUMNS: dict[str, tuple[str, ...]] = {
    "dtks": (
        "id_art_dtks",
        "provinsi",
        "kabupaten_kota",
        "kecamatan",
        "desa_kelurahan",
        "alamat",
        "rt",
        "rw",
        "nomor_kk",
        "nomor_nik",
        "nama",
        "tanggal_lahir",
        "tempat_lahir",
        "jenis_kelamin",
        "nama_ibu_kandung",
        "hubungan_keluarga",
        "bansos",
    ),
    "p3ke": (
        "id_keluarga_p3ke",
        "id_individu",
        "provinsi",
        "kabupaten",
        "kecamatan",
        "desa_kelurahan",
        "kode_kemendagri",
        "desil_kesejahteraan",
        "alamat",
        "nama_lengkap",
        "nik",
        "padan_dukcapil",
        "jenis_kelamin",
        "hubungan_dengan_kepala_keluarga",
        "tanggal_lahir",
    ),
    "carik": (
        "no_kk",
        "nik",
        "nama_lengkap",
        "jenis_kelamin",
        "tempat_lahir",
        "tanggal_lahir",
        "status_hubungan",
        "alamat_domisili",
        "rt",
        "rw",
        "kelurahan",
        "kecamatan",
        "kota",
        "nama_dasawisma",
    ),
    "dukcapil_kematian": ("NIK", "NAMA_LGKP", "TGL_LHR", "TGL_KEMATIAN", "NO_AKTA_KEMATIAN"),
    "dukcapil_pindah": (
        "NIK",
        "NAMA_LGKP",
        "TGL_PINDAH",
        "KLASIFIKASI_PINDAH",
        "KODE_WILAYAH_TUJUAN",
        "STATUS",
    ),
}
FILE_NAMES = {
    "dtks": "dtks.csv",
    "p3ke": "p3ke.xlsx",
    "carik": "carik.csv",
    "dukcapil_kematian": "dukcapil_kematian.csv",
    "dukcapil_pindah": "dukcapil_pindah.csv",
}
# CSV delimiter and encoding per file; carik.csv is Excel's "CSV UTF-8", which starts with a BOM.
CSV_DIALECT = {
    "dtks": ("|", "utf-8"),
    "carik": (";", "utf-8-sig"),
    "dukcapil_kematian": (",", "utf-8"),
    "dukcapil_pindah": (",", "utf-8"),
}
P3KE_SHEET = "Individu"
LIST_SOURCES = ("dtks", "p3ke", "carik")
REGISTRIES = ("dukcapil_kematian", "dukcapil_pindah")
SOURCES = LIST_SOURCES + REGISTRIES
