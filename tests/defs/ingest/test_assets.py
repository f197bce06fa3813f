"""Ingestion through Dagster: real materializations of a quarter partition into a real DuckDB file."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingest.assets import raw_assets
from orchestration.defs.ingest.checks import schema_checks, schema_problems
from orchestration.defs.resources import WarehouseResource
from orchestration.ingest.contract import DTKS, EXTRACTS
from tests.conftest import HEADERS, QUARTER, ROWS, write_csv


def _materialize(data_dir, **kwargs) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*raw_assets, *schema_checks],
        partition_key=QUARTER,
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir))},
        raise_on_error=False,
        **kwargs,
    )


def test_quarter_ingests_with_passing_schema_checks(data_dir, landing):
    result = _materialize(data_dir)
    assert result.success
    materialized = {e.asset_key.path[-1]: e.materialization.metadata
                    for e in result.get_asset_materialization_events()}
    assert set(materialized) == {spec.source for spec in EXTRACTS}
    for source, metadata in materialized.items():
        assert metadata["dagster/row_count"].value == len(ROWS[source])
        assert metadata["rows_quarantined"].value == 0
        assert len(metadata["file_sha256"].value) == 64
        assert ("csv_reader" not in metadata) if source == "p3ke" else (metadata["csv_reader"].value == "duckdb")
    checks = result.get_asset_check_evaluations()
    assert len(checks) == len(EXTRACTS) and all(c.passed for c in checks)
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.dtks").fetchall()[0][0] == len(ROWS["dtks"])


def test_bad_file_fails_its_step_naming_file_and_column(data_dir, landing):
    header = ["no_nik" if c == "nomor_nik" else c for c in HEADERS["dtks"]]
    write_csv(landing / DTKS.file_name, header, ROWS["dtks"], "|")
    result = _materialize(data_dir)
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert len(failures) == 1
    failure = failures[0].step_failure_data.user_failure_data
    assert "dtks.csv" in failure.description and "nomor_nik" in failure.description
    assert failure.metadata["column"].value == "nomor_nik"
    # The other sources still loaded: one broken extract does not hide the state of the rest.
    assert len(result.get_asset_materialization_events()) == len(EXTRACTS) - 1


def test_schema_problems_catch_a_tampered_table(data_dir, landing):
    assert _materialize(data_dir).success
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb")) as con:
        assert schema_problems(con, DTKS) == []
        con.execute("alter table raw.dtks add column extra integer")
        con.execute("delete from raw.dtks where source_row = 1")
        problems = schema_problems(con, DTKS)
    assert any("extra" in p for p in problems)
    assert any("row counts do not add up" in p for p in problems)


def test_schema_check_fails_and_blocks_on_a_tampered_table(data_dir, landing):
    assert _materialize(data_dir).success
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb")) as con:
        con.execute("alter table raw.dtks alter column source_row type varchar")
    # Run the check alone, as the UI's "Execute check" does, so the tampered table is not reloaded first.
    check_only = dg.define_asset_job(
        "check_only", selection=dg.AssetSelection.checks_for_assets(dg.AssetKey(["raw", "dtks"])))
    defs = dg.Definitions(assets=raw_assets, asset_checks=schema_checks, jobs=[check_only],
                          resources={"warehouse": WarehouseResource(data_dir=str(data_dir))})
    result = defs.resolve_job_def("check_only").execute_in_process(
        tags={"dagster/partition": QUARTER}, raise_on_error=False)
    evaluation = next(c for c in result.get_asset_check_evaluations() if c.check_name == "raw_dtks_schema")
    assert not evaluation.passed and "source_row is VARCHAR" in evaluation.description


@pytest.mark.parametrize("spec", EXTRACTS, ids=lambda s: s.source)
def test_every_raw_asset_has_a_description_and_a_schema_check(spec):
    key = dg.AssetKey(["raw", spec.source])
    asset = next(a for a in raw_assets if key in a.keys)
    assert asset.specs_by_key[key].description
    assert any(c.asset_key == key for check in schema_checks for c in check.check_keys)


@pytest.mark.parametrize("source", ["dukcapil_kematian", "dukcapil_pindah"])
def test_a_registry_is_checked_like_a_list(data_dir, landing, source):
    # Rows read = loaded + quarantined for the registries as for the lists: a row of the wrong width and a blank
    # line are quarantined, and the schema check passes; a row lost from the table makes it fail.
    spec = next(s for s in EXTRACTS if s.source == source)
    good = ROWS[source]
    rows = [good[0], good[0][:-1], [], *good[1:]]
    write_csv(landing / spec.file_name, HEADERS[source], rows, ",")
    result = _materialize(data_dir)
    assert result.success
    evaluation = next(c for c in result.get_asset_check_evaluations() if c.check_name == f"raw_{source}_schema")
    assert evaluation.passed
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb")) as con:
        read, loaded, quarantined = con.execute(
            "select rows_read, rows_loaded, rows_quarantined from raw.load_log where source = ?", [source]).fetchall()[0]
        assert (read, loaded, quarantined) == (len(rows), len(good), 2)
        assert schema_problems(con, spec) == []
        con.execute(f"delete from raw.{source} where source_row = 1")
        problems = schema_problems(con, spec)
    assert any("row counts do not add up" in p for p in problems)


def test_a_file_duckdb_cannot_read_exactly_is_read_by_the_python_reader_and_says_so(data_dir, landing):
    # Old Mac line ends (CR only): DuckDB's reader takes one kind of line end per file, so the Python reader reads it.
    path = landing / DTKS.file_name
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    result = _materialize(data_dir)
    assert result.success
    metadata = next(e.materialization.metadata for e in result.get_asset_materialization_events()
                    if e.asset_key == dg.AssetKey(["raw", "dtks"]))
    assert metadata["csv_reader"].value == "python (a carriage return without a line feed, as in old Mac line ends)"
    assert metadata["dagster/row_count"].value == len(ROWS["dtks"])
