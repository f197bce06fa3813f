"""dbt in the quarterly job: a real `dbt build` of a generated quarter, checked against its ground truth."""

from __future__ import annotations

import json

import duckdb
import pytest

from orchestration.defs.transform.dbt import dbt_vars
from orchestration.synth import generate_quarter

QUARTER = "2025Q2"


def test_dbt_vars_name_the_quarters_warehouse():
    assert json.loads(dbt_vars("/d/warehouse/2025Q2.duckdb", "2025Q2")) == {
        "quarter": "2025Q2", "warehouse": "/d/warehouse/2025Q2.duckdb"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("dbt") / "data"
    generate_quarter(QUARTER, 1_500, seed=5, data_dir=data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        from orchestration.definitions import defs

        result = defs.resolve_job_def("quarterly_job").execute_in_process(partition_key=QUARTER)
    return data_dir, result


def test_quarterly_job_builds_staging_with_every_dbt_test_passing(built):
    data_dir, result = built
    assert result.success
    keys = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"staging/stg_dtks__persons", "staging/stg_p3ke__persons", "staging/stg_carik__persons",
            "staging/stg_dukcapil__deaths", "staging/stg_dukcapil__moves", "reference/dki_kelurahan"} <= keys
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)


def test_staging_agrees_with_the_ground_truth(built):
    data_dir, _ = built
    truth = data_dir / "truth" / QUARTER
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True) as con:
        for source in ("dtks", "p3ke", "carik"):
            raw_rows = con.execute(f"select count(*) from raw.{source}").fetchall()[0][0]
            disagreements = con.execute(f"""
                select
                    count(*),
                    count(*) filter (where s.jenis_kelamin is distinct from p.jenis_kelamin),
                    count(*) filter (where r.corruptions not like '%dob_%'
                                     and s.tanggal_lahir is distinct from p.tanggal_lahir),
                    count(*) filter (where r.corruptions not like '%nik%'
                                     and s.nik is distinct from p.nik),
                    count(*) filter (where r.corruptions like '%nik_invalid%' and p.nik_valid and s.nik = p.nik)
                from staging.stg_{source}__persons s
                join read_parquet('{truth}/source_rows.parquet') r
                    on r.source = s.source and r.source_row = s.source_row
                join read_parquet('{truth}/persons.parquet') p on p.person_id = r.person_id
            """).fetchall()[0]
            assert disagreements == (raw_rows, 0, 0, 0, 0), source
