"""A valid submission in a real DuckDB warehouse (with registries and the seeds), and a quarter's good figures."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.submission_rules import SUBMISSION_COLUMNS
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
    }


@dataclass
class Quarter:
    """What a gate test puts in the warehouse: the submission's rows and the two Dukcapil registries' events."""

    rows: list[dict]
    # (nik, tanggal_kematian) and (nik, status_pindah, tanggal_pindah); source_row is the position.
    deaths: list[tuple] = field(default_factory=list)
    moves: list[tuple] = field(default_factory=list)
    # Columns marts.bps_submission lacks (a change to the dbt model that lost them).
    dropped: tuple[str, ...] = ()


def valid_quarter(rows: int = 20) -> Quarter:
    """A submission that passes every rule, with registry events for people who are not in it."""
    outsiders = [f"317101{1 + i:02d}0{1 + i % 9}700{i + 1:03d}" for i in range(3)]
    return Quarter(
        rows=[submission_row(i) for i in range(rows)],
        deaths=[(outsiders[0], "2025-05-01"), (None, "2025-05-02")],
        moves=[(outsiders[1], "PINDAH_KELUAR", "2025-04-01"), (outsiders[2], "NONAKTIF", None)],
    )


def build_warehouse(path: Path, quarter: Quarter) -> Path:
    """A DuckDB file with marts.bps_submission, the staged Dukcapil registries and the two seeds the gate reads."""
    columns = [c for c in SUBMISSION_COLUMNS if c not in quarter.dropped]
    frame = pd.DataFrame([{c: row[c] for c in columns} for row in quarter.rows], columns=columns, dtype=object)
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "staging", "reference"):
            con.execute(f"create schema {schema}")
        for seed in ("dki_kelurahan", "kemendagri_kecamatan"):
            con.execute(f"create table reference.{seed} as select * from read_csv(?, all_varchar = true)",
                        [str(SEEDS_DIR / f"{seed}.csv")])
        con.execute("create table marts.bps_submission (" + ", ".join(f"{c} varchar" for c in columns) + ")")
        if len(frame):
            con.register("frame", frame)
            con.execute("insert into marts.bps_submission by name select * from frame")
        con.execute("create table staging.stg_dukcapil__deaths (source_row bigint, nik varchar, tanggal_kematian date)")
        con.execute("create table staging.stg_dukcapil__moves "
                    "(source_row bigint, nik varchar, status_pindah varchar, tanggal_pindah date)")
        _insert(con, "staging.stg_dukcapil__deaths", quarter.deaths)
        _insert(con, "staging.stg_dukcapil__moves", quarter.moves)
    return path


def _insert(con: duckdb.DuckDBPyConnection, table: str, events: Iterable[tuple]) -> None:
    rows = [(i + 1, *event) for i, event in enumerate(events)]
    if rows:
        con.executemany(f"insert into {table} values ({', '.join('?' * len(rows[0]))})", rows)


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
