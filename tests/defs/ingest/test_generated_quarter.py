"""A generated quarter goes through the real ingestion assets with nothing lost."""

from __future__ import annotations

import csv

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest
import python_calamine

from orchestration.defs.ingest.assets import raw_assets
from orchestration.defs.ingest.checks import schema_checks
from orchestration.defs.resources import WarehouseResource
from orchestration.ingest.contract import EXTRACTS
from orchestration.synth import generate_quarter

QUARTER = "2025Q2"


def _data_rows_in_file(spec, path) -> int:
    """Count data rows without the ingestion code: the csv module, or calamine for the workbook."""
    if spec.is_workbook:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        return sum(1 for _ in workbook.get_sheet_by_name(spec.sheet).iter_rows()) - 1
    with path.open(encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.reader(f, delimiter=spec.delimiter)) - 1


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("generated") / "data"
    generate_quarter(QUARTER, 3_000, seed=7, data_dir=data_dir)
    result = dg.materialize(
        [*raw_assets, *schema_checks], partition_key=QUARTER,
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir))},
    )
    return data_dir, result


def test_generated_quarter_ingests_with_row_counts_equal_to_the_files(ingested):
    data_dir, result = ingested
    assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
    readers = {e.asset_key.path[-1]: e.materialization.metadata.get("csv_reader")
               for e in result.get_asset_materialization_events()}
    # The generator writes the files as the real systems do, and DuckDB's reader reads every one of them.
    assert {s: r.value for s, r in readers.items() if r} == {s.source: "duckdb" for s in EXTRACTS if not s.is_workbook}
    truth = pq.read_table(data_dir / "truth" / QUARTER / "source_rows.parquet").to_pandas()
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True) as con:
        for spec in EXTRACTS:
            in_file = _data_rows_in_file(spec, data_dir / "landing" / QUARTER / spec.file_name)
            loaded = con.execute(f"select count(*) from {spec.table}").fetchall()[0][0]
            quarantined = con.execute(
                "select count(*) from raw.quarantine where source = ?", [spec.source]).fetchall()[0][0]
            assert in_file > 0
            assert (loaded, quarantined) == (in_file, 0), spec.source
            assert (truth.source == spec.source).sum() == in_file, spec.source
            rows = con.execute(f"select min(source_row), max(source_row), count(distinct source_row) "
                               f"from {spec.table}").fetchall()[0]
            assert rows == (1, in_file, in_file), spec.source


def test_nik_columns_keep_sixteen_digits_as_text(ingested):
    data_dir, _ = ingested
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True) as con:
        for table, column in [("dtks", "nomor_nik"), ("carik", "nik"), ("p3ke", "nik")]:
            share = con.execute(
                f"select avg((regexp_full_match({column}, '[0-9]{{16}}'))::int) from raw.{table}").fetchall()[0][0]
            assert share > 0.9, table
        numeric = con.execute(
            "select count(*) from raw.p3ke where list_contains(string_split(numeric_cells, ','), 'nik')"
        ).fetchall()[0][0]
        assert numeric > 0  # the generator's Excel-number NIK cells are flagged for staging
