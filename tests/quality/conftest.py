"""Frames for the quality suites: a valid submission and a quarter's good figures, built by hand."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from orchestration.paths import SEEDS_DIR

with (SEEDS_DIR / "dki_kelurahan.csv").open(encoding="utf-8", newline="") as _f:
    _SEED = list(csv.DictReader(_f))
DKI_CODES = [row["kode"] for row in _SEED]
BPS_CODE_OF = {row["kode"]: row["kode_bps_kelurahan"] for row in _SEED}
_WORDS = ["SITI", "BUDI", "RAHAYU", "SANTOSO", "DEWI", "MA'RUF", "WULANDARI", "HIDAYAT", "PUTRI", "SETIAWAN"]


def name_of(i: int) -> str:
    """A made-up cleaned name, different for every i below 1,000."""
    return " ".join(_WORDS[int(d)] for d in f"{i:03d}")


def submission_row(i: int) -> dict:
    """One valid published person; women (odd i) carry the +40 day in the NIK, as Dukcapil issues it."""
    day, month, year, female = 1 + i % 28, 1 + i % 12, 40 + i % 60, i % 2 == 1
    nik = f"317101{day + 40 * female:02d}{month:02d}{year:02d}{i + 1:04d}"
    return {
        "person_id": f"P{i + 1:07d}",
        "nik": nik,
        "no_kk": f"3171010101{20 + i % 5:02d}{i + 1:04d}",
        "nama": name_of(i),
        "jenis_kelamin": "P" if female else "L",
        "tanggal_lahir": f"19{year:02d}-{month:02d}-{day:02d}",
        "alamat": f"JL. KEBON SIRIH NO. {i + 1}",
        "rt": f"{1 + i * 37 % 999:03d}" if i % 7 else None,
        "rw": "002",
        "kode_kelurahan": DKI_CODES[i % len(DKI_CODES)],
        "kode_kelurahan_bps": BPS_CODE_OF[DKI_CODES[i % len(DKI_CODES)]],
        "kelurahan": "GAMBIR",
        "kecamatan": "GAMBIR",
        "kabkota": "KOTA ADM. JAKARTA PUSAT",
        "sumber": ["dtks", "p3ke", "carik"][i % 3],
        "desil": str(1 + i % 4) if i % 5 else None,
        "program_bansos": "PKH" if i % 2 else None,
        "in_death_registry": False,
        "in_move_out_registry": False,
        "nik_structurally_valid": True,
        "kode_kelurahan_bps_of_kelurahan": BPS_CODE_OF[DKI_CODES[i % len(DKI_CODES)]],
    }


def valid_submission(rows: int = 20) -> pd.DataFrame:
    """A submission frame that passes every expectation."""
    return pd.DataFrame([submission_row(i) for i in range(rows)])


def good_quarter(**overrides) -> pd.DataFrame:
    """A quarter's figures, one row, inside every bound; overrides replace single figures."""
    figures = {
        "death_registry_rows": 1_204,
        "death_registry_latest_age_days": 3,
        "death_registry_invalid_nik_share": 0.01,
        "move_registry_rows": 2_310,
        "move_registry_latest_age_days": 0,
        "move_registry_invalid_nik_share": 0.05,
        "quarter_days": 91,
        "dtks_rows": 12_000,
        "dtks_invalid_nik_share": 0.031,
        "dtks_unresolved_kelurahan_share": 0.004,
        "p3ke_rows": 8_500,
        "p3ke_invalid_nik_share": 0.012,
        "p3ke_unresolved_kelurahan_share": 0.0,
        "carik_rows": 3_100,
        "carik_invalid_nik_share": 0.05,
        "carik_unresolved_kelurahan_share": 0.02,
        "submission_rows": 18_204,
        "previous_submission_rows": 17_650,
        "submission_size_change": round(abs(18_204 - 17_650) / 17_650, 6),
    }
    return pd.DataFrame([figures | overrides])


@pytest.fixture(scope="module")
def gx_dir(tmp_path_factory):
    """One GX project per test module: the context is file-backed and reused, as one quarter's gate reuses it."""
    return tmp_path_factory.mktemp("gx") / "2025Q2"
