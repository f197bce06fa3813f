"""The submission's rule counts are made in DuckDB, within its memory limit, and only one row reaches Python."""

from __future__ import annotations

import tracemalloc

import duckdb

from expectations.submission import columns
from orchestration.defs.quality.frames import submission_counts
from tests.quality.conftest import DKI_CODES, build_warehouse, valid_quarter

ROWS = 1_000_000
# Far below the submission's own size in memory (its NIKs and person_ids alone are about 60 MB uncompressed): the
# counts stream, and the two uniqueness aggregates stay inside it or spill.
MEMORY_LIMIT = "32MB"


def test_a_million_rows_are_counted_in_duckdb_within_its_memory_limit(tmp_path):
    path = build_warehouse(tmp_path / "2025Q2.duckdb", valid_quarter(0))
    with duckdb.connect(str(path)) as con:
        con.execute(f"""
            insert into marts.bps_submission by name
            select 'P' || lpad(i::varchar, 9, '0') as person_id,
                   '317101' || lpad((1 + i % 28)::varchar, 2, '0') || lpad((1 + i % 12)::varchar, 2, '0')
                       || lpad((i % 100)::varchar, 2, '0') || lpad((1 + i // 100 % 9999)::varchar, 4, '0') as nik,
                   'SITI RAHAYU' as nama, 'P' as jenis_kelamin, '1980-01-01' as tanggal_lahir,
                   'JL. KEBON SIRIH NO. ' || i as alamat, '001' as rt, '002' as rw,
                   kode as kode_kelurahan, kode_bps_kelurahan as kode_kelurahan_bps, 'dtks' as sumber
            from range({ROWS}) r(i), reference.dki_kelurahan where kode = '3171011001'
        """)
        # Three rows sharing a NIK, two outside DKI, one dead.
        con.execute("update marts.bps_submission set nik = (select nik from marts.bps_submission "
                    "where person_id = 'P000000030') where person_id in ('P000000010', 'P000000020')")
        con.execute("update marts.bps_submission set kode_kelurahan = '3201011001' "
                    "where person_id in ('P000500000', 'P000999999')")
        con.execute("insert into staging.stg_dukcapil__deaths select 99, nik, date '2025-05-01' "
                    "from marts.bps_submission where person_id = 'P000700000'")
        assert con.execute("select count(distinct nik) from marts.bps_submission").fetchall() == [(ROWS - 2,)]
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        # DuckDB's memory need grows with its threads; two is this project's reference machine.
        con.execute("set threads = 2")
        con.execute(f"set temp_directory = '{tmp_path / 'spill'}'")
        tracemalloc.start()
        try:
            counts = submission_counts(con, DKI_CODES)
            python_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # The old row-level frame of these rows was hundreds of MB of pandas; the counts are one row.
    assert python_peak < 5 * 2**20, f"{python_peak / 2**20:.1f} MiB allocated in Python"
    assert len(counts) == 1 and list(counts.columns) == list(columns())
    figures = counts.iloc[0].to_dict()
    assert figures["submission_rows"] == ROWS
    assert figures["nik_duplicated_rows"] == 3
    assert figures["kode_kelurahan_outside_dki_rows"] == 2
    assert figures["in_death_registry_rows"] == 1
    # No RT/RW, decile, name or BPS defect was planted; the people outside DKI have no seed BPS code to compare.
    others = {k: v for k, v in figures.items() if k.endswith("_rows") and k not in (
        "submission_rows", "nik_duplicated_rows", "kode_kelurahan_outside_dki_rows", "in_death_registry_rows")}
    assert others == dict.fromkeys(others, 0)
