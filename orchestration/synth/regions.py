"""Reference geography: Jakarta kelurahan, the national kecamatan list, name variants and draw weights."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"

# Kemendagri kab/kota code -> (short name, population in millions, poverty skew). Population (BPS 2023,
# rounded) weights where households live; the skew > 1 pushes a kab/kota's households to poorer desil.
DKI_KABKOTA = {
    "3101": ("KEPULAUAN SERIBU", 0.03, 1.4),
    "3171": ("JAKARTA PUSAT", 1.06, 1.0),
    "3172": ("JAKARTA UTARA", 1.80, 1.25),
    "3173": ("JAKARTA BARAT", 2.47, 1.1),
    "3174": ("JAKARTA SELATAN", 2.23, 0.9),
    "3175": ("JAKARTA TIMUR", 3.08, 1.1),
}

# Official BPS spellings of DKI kecamatan that differ from Kemendagri's (domain.md 2.3).
KECAMATAN_BPS_SPELLING = {
    "Setiabudi": "Setia Budi",
    "Pulogadung": "Pulo Gadung",
    "Pal Merah": "Palmerah",
    "Kalideres": "Kali Deres",
    "Tanjung Priok": "Tanjung Priuk",
    "Kramatjati": "Kramat Jati",
}

# Where Jakarta's migrants were first registered: province code -> weight. Java dominates.
MIGRANT_PROVINCE_WEIGHTS = {
    "32": 0.30,
    "33": 0.27,
    "36": 0.10,
    "35": 0.10,
    "34": 0.03,
    "12": 0.035,
    "13": 0.03,
    "18": 0.02,
    "16": 0.02,
    "73": 0.02,
    "11": 0.005,
    "14": 0.005,
    "15": 0.005,
    "17": 0.005,
    "19": 0.005,
    "21": 0.005,
    "51": 0.005,
    "52": 0.005,
    "53": 0.005,
    "61": 0.005,
    "63": 0.005,
    "64": 0.005,
    "71": 0.005,
    "72": 0.005,
    "74": 0.005,
    "81": 0.005,
    "91": 0.005,
}
# Greater-Jakarta kab/kota, where most people listed in Jakarta but living outside it actually live.
BODETABEK_KABKOTA = ("3275", "3216", "3276", "3271", "3201", "3671", "3603", "3674")
BODETABEK_SHARE = 0.75

# Common desa/kelurahan names, used for addresses outside Jakarta (the national list stops at kecamatan).
VILLAGE_NAMES = (
    "Sukamaju",
    "Sukamulya",
    "Mekarjaya",
    "Mekarsari",
    "Sindangsari",
    "Karangrejo",
    "Sidomulyo",
    "Margahayu",
    "Cibeureum",
    "Tanjungsari",
    "Wonosari",
    "Sumberejo",
    "Jatisari",
    "Pasirjaya",
    "Jatimulya",
    "Jatimakmur",
    "Sukajadi",
    "Karangsari",
    "Tegalsari",
    "Mulyasari",
    "Harapan Jaya",
    "Bojongsari",
    "Cilebut Barat",
    "Pabuaran",
    "Pondok Jaya",
    "Bantarjaya",
    "Margamulya",
    "Sukaasih",
    "Kedungwaringin",
    "Karang Tengah",
    "Sukadanau",
    "Sumberjaya",
    "Cibuntu",
    "Rawa Kalong",
    "Sindang Jaya",
    "Setiamekar",
    "Wanasari",
    "Cikarageman",
    "Babakan",
    "Kalijaya",
)

# Pre-2024 forms of the province name (the post-2024 DKJ forms are in region_names).
PROVINSI_DKI_FORMS = (
    "DKI JAKARTA",
    "D.K.I. JAKARTA",
    "Prov. DKI Jakarta",
    "DAERAH KHUSUS IBUKOTA JAKARTA",
    "DKI",
    "PROV. DKI JAKARTA",
    "PROVINSI DKI JAKARTA",
)


@dataclass(frozen=True)
class Geography:
    """Arrays describing the 267 kelurahan and the national kecamatan list."""

    kel_code: np.ndarray  # int64, 10-digit Kemendagri code
    kel_name: np.ndarray  # object, Kemendagri name
    kel_bps_name: np.ndarray  # object, BPS name (upper case)
    kel_kec: np.ndarray  # int, index into kec_*
    kel_weight: np.ndarray  # float, where households live
    kec_code: np.ndarray  # int64, 6-digit Kemendagri code
    kec_name: np.ndarray  # object
    kec_bps_name: np.ndarray  # object, BPS spelling (equal to kec_name when the same)
    kec_kab: np.ndarray  # int, index into kab_*
    kab_code: np.ndarray  # int64, 4-digit
    kab_name: np.ndarray  # object, Kemendagri name ("Kota Administrasi Jakarta Timur")
    kab_short: np.ndarray  # object ("JAKARTA TIMUR")
    kab_poverty_skew: np.ndarray
    nat_kec_code: np.ndarray  # int64, every kecamatan in Indonesia
    nat_kec_name: np.ndarray
    nat_kab_code: np.ndarray  # int64
    nat_kab_name: np.ndarray  # object ("Kabupaten Bogor")
    nat_prov_code: np.ndarray  # int64
    nat_prov_name: np.ndarray
    migrant_weight: np.ndarray  # float over nat_*: where a migrant's NIK was issued (0 for DKI)
    outside_weight: np.ndarray  # float over nat_*: where an outside-Jakarta address lies (0 for DKI)
    dki_kec_in_nat: np.ndarray  # int, index into nat_* of each DKI kecamatan


def _read(name: str) -> list[dict[str, str]]:
    # The national list carries stray trailing spaces in some names.
    with open(SEEDS_DIR / name, newline="", encoding="utf-8") as f:
        return [{k: v.strip() for k, v in row.items()} for row in csv.DictReader(f)]


@functools.lru_cache(maxsize=1)
def geography() -> Geography:
    """Load the reference seeds once and derive names, variants and weights."""
    kel_rows = _read("dki_kelurahan.csv")
    nat_rows = _read("kemendagri_kecamatan.csv")

    kab_codes = sorted({r["kode_kabkota"] for r in kel_rows})
    kab_index = {c: i for i, c in enumerate(kab_codes)}
    kab_name = {r["kode_kabkota"]: r["kabkota"] for r in kel_rows}
    kec_codes = sorted({r["kode_kecamatan"] for r in kel_rows})
    kec_index = {c: i for i, c in enumerate(kec_codes)}
    kec_name = {r["kode_kecamatan"]: r["kecamatan"] for r in kel_rows}
    kec_kab = {r["kode_kecamatan"]: r["kode_kabkota"] for r in kel_rows}

    kel_per_kab = {c: sum(r["kode_kabkota"] == c for r in kel_rows) for c in kab_codes}
    # Kelurahan differ in size; a fixed generator keeps the map the same for every seed.
    jitter = np.random.default_rng(314159).lognormal(0.0, 0.4, len(kel_rows))
    kel_weight = (
        np.array([DKI_KABKOTA[r["kode_kabkota"]][1] / kel_per_kab[r["kode_kabkota"]] for r in kel_rows])
        * jitter
    )

    nat_prov = np.array([int(r["kode_provinsi"]) for r in nat_rows], dtype=np.int64)
    nat_kab = np.array([int(r["kode_kabkota"]) for r in nat_rows], dtype=np.int64)
    prov_w = np.array([MIGRANT_PROVINCE_WEIGHTS.get(r["kode_provinsi"], 0.0) for r in nat_rows])
    prov_counts = {p: int((nat_prov == p).sum()) for p in np.unique(nat_prov)}
    migrant_weight = prov_w / np.array([prov_counts[p] for p in nat_prov])
    bodetabek = np.isin(nat_kab, [int(c) for c in BODETABEK_KABKOTA])
    outside_weight = np.where(bodetabek, BODETABEK_SHARE / bodetabek.sum(), 0.0)
    outside_weight = outside_weight + (1 - BODETABEK_SHARE) * migrant_weight / migrant_weight.sum()
    outside_weight[nat_prov == 31] = 0.0
    nat_codes = [r["kode_kecamatan"] for r in nat_rows]

    return Geography(
        kel_code=np.array([int(r["kode"]) for r in kel_rows], dtype=np.int64),
        kel_name=np.array([r["kelurahan"] for r in kel_rows], dtype=object),
        kel_bps_name=np.array([r["nama_bps_kelurahan"] for r in kel_rows], dtype=object),
        kel_kec=np.array([kec_index[r["kode_kecamatan"]] for r in kel_rows]),
        kel_weight=kel_weight / kel_weight.sum(),
        kec_code=np.array([int(c) for c in kec_codes], dtype=np.int64),
        kec_name=np.array([kec_name[c] for c in kec_codes], dtype=object),
        kec_bps_name=np.array(
            [KECAMATAN_BPS_SPELLING.get(kec_name[c], kec_name[c]) for c in kec_codes], dtype=object
        ),
        kec_kab=np.array([kab_index[kec_kab[c]] for c in kec_codes]),
        kab_code=np.array([int(c) for c in kab_codes], dtype=np.int64),
        kab_name=np.array([kab_name[c] for c in kab_codes], dtype=object),
        kab_short=np.array([DKI_KABKOTA[c][0] for c in kab_codes], dtype=object),
        kab_poverty_skew=np.array([DKI_KABKOTA[c][2] for c in kab_codes]),
        nat_kec_code=np.array([int(c) for c in nat_codes], dtype=np.int64),
        nat_kec_name=np.array([r["kecamatan"] for r in nat_rows], dtype=object),
        nat_kab_code=nat_kab,
        nat_kab_name=np.array([r["kabkota"] for r in nat_rows], dtype=object),
        nat_prov_code=nat_prov,
        nat_prov_name=np.array([r["provinsi"] for r in nat_rows], dtype=object),
        migrant_weight=migrant_weight / migrant_weight.sum(),
        outside_weight=outside_weight / outside_weight.sum(),
        dki_kec_in_nat=np.array([nat_codes.index(c) for c in kec_codes]),
    )


def kabkota_forms(kemendagri_name: str, short: str) -> tuple[str, ...]:
    """Written forms of a DKI kab/kota: the full Kemendagri name first, then the variants seen in extracts."""
    is_kab = kemendagri_name.startswith("Kabupaten")
    abbr = "KAB. ADM." if is_kab else "KOTA ADM."
    plain = "KABUPATEN" if is_kab else "KOTA"
    return (
        kemendagri_name,
        kemendagri_name.upper(),
        f"{abbr} {short}",
        short,
        short.title(),
        f"{plain} {short}",
    )


def strip_kabkota_prefix(name: str) -> str:
    """Bare kab/kota name for a birthplace ("Kabupaten Bogor" -> "BOGOR")."""
    for prefix in ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix) :].upper()
    return name.upper()
