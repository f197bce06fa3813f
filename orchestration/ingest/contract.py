"""The five extracts of the landing contract (docs/landing_contract.md), as data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractSpec:
    """One landing file: its name, format and columns in contract order."""

    source: str
    file_name: str
    columns: tuple[str, ...]
    # Columns holding a NIK or No. KK: a spreadsheet that stored them as numbers lost their 16th digit.
    id_columns: tuple[str, ...]
    delimiter: str | None = None
    sheet: str | None = None
    # How the exporting system writes the file: Excel's "CSV UTF-8" starts with a BOM; Dukcapil's header is
    # upper case. Ingestion accepts either way; the generator writes them as the real systems do.
    encoding: str = "utf-8"
    upper_case_header: bool = False

    @property
    def table(self) -> str:
        return f"raw.{self.source}"

    @property
    def header(self) -> tuple[str, ...]:
        """The header row as the exporting system writes it."""
        return tuple(c.upper() for c in self.columns) if self.upper_case_header else self.columns

    @property
    def is_workbook(self) -> bool:
        return self.sheet is not None

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """Columns of the raw table, in order: contract columns then lineage."""
        extra = ("numeric_cells",) if self.is_workbook else ()
        return (*self.columns, *extra, "source_row", "file_name", "file_sha256")


DTKS = ExtractSpec(
    source="dtks",
    file_name="dtks.csv",
    delimiter="|",
    columns=(
        "id_art_dtks", "provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan", "alamat", "rt", "rw",
        "nomor_kk", "nomor_nik", "nama", "tanggal_lahir", "tempat_lahir", "jenis_kelamin",
        "nama_ibu_kandung", "hubungan_keluarga", "bansos",
    ),
    id_columns=("nomor_kk", "nomor_nik"),
)
P3KE = ExtractSpec(
    source="p3ke",
    file_name="p3ke.xlsx",
    sheet="Individu",
    columns=(
        "id_keluarga_p3ke", "id_individu", "provinsi", "kabupaten", "kecamatan", "desa_kelurahan",
        "kode_kemendagri", "desil_kesejahteraan", "alamat", "nama_lengkap", "nik", "padan_dukcapil",
        "jenis_kelamin", "hubungan_dengan_kepala_keluarga", "tanggal_lahir",
    ),
    id_columns=("nik",),
)
CARIK = ExtractSpec(
    source="carik",
    file_name="carik.csv",
    delimiter=";",
    encoding="utf-8-sig",
    columns=(
        "no_kk", "nik", "nama_lengkap", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "status_hubungan",
        "alamat_domisili", "rt", "rw", "kelurahan", "kecamatan", "kota", "nama_dasawisma",
    ),
    id_columns=("no_kk", "nik"),
)
DUKCAPIL_KEMATIAN = ExtractSpec(
    source="dukcapil_kematian",
    file_name="dukcapil_kematian.csv",
    delimiter=",",
    upper_case_header=True,
    columns=("nik", "nama_lgkp", "tgl_lhr", "tgl_kematian", "no_akta_kematian"),
    id_columns=("nik",),
)
DUKCAPIL_PINDAH = ExtractSpec(
    source="dukcapil_pindah",
    file_name="dukcapil_pindah.csv",
    delimiter=",",
    upper_case_header=True,
    columns=("nik", "nama_lgkp", "tgl_pindah", "klasifikasi_pindah", "kode_wilayah_tujuan", "status"),
    id_columns=("nik",),
)

EXTRACTS: tuple[ExtractSpec, ...] = (DTKS, P3KE, CARIK, DUKCAPIL_KEMATIAN, DUKCAPIL_PINDAH)
PERSON_SOURCES = ("dtks", "p3ke", "carik")
REGISTRY_SOURCES = ("dukcapil_kematian", "dukcapil_pindah")


def extract(source: str) -> ExtractSpec:
    """The spec of one source by name."""
    for spec in EXTRACTS:
        if spec.source == source:
            return spec
    raise KeyError(f"no extract named {source!r}; known: {', '.join(s.source for s in EXTRACTS)}")
