"""The field-verification worksheets' layout (one xlsx per kelurahan, in Indonesian), shared by writer and reader."""

from __future__ import annotations

import re

# reports/<Q>/verifikasi/<kode_kelurahan>.xlsx (10-digit Kemendagri code); people whose kelurahan did not resolve
# go to UNRESOLVED_FILE, for the Dinas to route.
FOLDER = "verifikasi"
UNRESOLVED_FILE = "belum_terpetakan.xlsx"
SHEET_ROWS = "Verifikasi"
SHEET_ABOUT = "Tentang"

# Only id_verifikasi and the last four columns are read back; the rest is what the petugas visits by.
PERSON_COLUMNS = ("person_id", "nik", "nama", "tanggal_lahir", "jenis_kelamin", "no_kk", "alamat", "rt", "rw",
                  "kode_kelurahan", "kelurahan", "kecamatan", "kabkota", "baris_daftar")
RESULT_COLUMNS = ("hasil", "kode_kelurahan_baru", "tanggal_kunjungan", "petugas")
ROW_COLUMNS = ("id_verifikasi", "jenis_keraguan", "keterangan", *PERSON_COLUMNS, *RESULT_COLUMNS)

# Kinds of doubt (jenis_keraguan) and what the petugas reads about each (keterangan).
DOUBTS = {
    "nik_dekat_dukcapil": "Dukcapil mencatat orang dengan nama dan tanggal lahir sama di bawah NIK yang berbeda satu "
                          "digit (meninggal / pindah / nonaktif): pastikan apakah orang ini yang dimaksud.",
    "nik_ganda": "NIK yang sama dipakai oleh orang lain dalam daftar: pastikan NIK orang ini sendiri.",
    "nik_tidak_cocok": "Tanggal lahir atau jenis kelamin yang tersandi dalam NIK tidak cocok dengan data baris.",
    "kelurahan_tidak_dikenal": "Kelurahan pada alamat tidak dapat dipetakan ke kode Kemendagri: isi kode kelurahan.",
    "senama_meninggal": "Dukcapil mencatat kematian orang dengan nama dan tanggal lahir sama di bawah NIK lain.",
    "tanpa_nama": "Tidak ada nama yang terbaca pada baris daftar.",
}

# hasil as written in the drop-down -> the code stored.
RESULTS = {
    "masih tinggal di alamat": "masih_tinggal",
    "pindah dalam DKI": "pindah_dalam_dki",
    "pindah keluar DKI": "pindah_keluar_dki",
    "meninggal": "meninggal",
    "tidak dikenal": "tidak_dikenal",
}

# The about sheet: a key in column A, its value in column B, these keys in this order.
ABOUT_KEYS = ("kuartal", "kode_kelurahan", "id_lembar", "jumlah_baris", "ditulis_pada")

ROW_ID = re.compile(r"^VF[0-9A-F]{16}$")
SHEET_ID = re.compile(r"^[0-9A-F]{16}$")
KODE_KELURAHAN = re.compile(r"^31\d{8}$")
# A petugas is named by a staff id (NIP, 18 digits, or a short login), never by a resident's data.
PETUGAS = re.compile(r"^[A-Za-z0-9._-]{2,40}$")

# Exports beside the warehouse (warehouse/<Q>.<name>.parquet) that the imports check against: the rows listed, and
# every person's status with the record keys of their rows ("person_keys" is the person-id carry-over's export).
VERIFICATION_ROWS = "verification_rows"
PERSON_STATUS_KEYS = "person_status_keys"
