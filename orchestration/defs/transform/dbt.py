"""dbt seeds and models of one quarter, built into that quarter's DuckDB file."""

import json
import os

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtCliRuntimeError, DbtCliInvocation, DbtCliResource, dbt_assets

from orchestration import storage
from orchestration.defs.metadata import query_table
from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform.project import dbt_project
from orchestration.defs.transform.translator import SatudataTranslator
from orchestration.publish.files import make_private
from orchestration.quarters import Quarter

# Breakdowns shown beside a table's row count: (metadata key, columns counted by, name of the count). Codes and
# column names only, never a cell's value.
BREAKDOWNS = {
    dg.AssetKey(["marts", "persons"]): ("people_by_status", ("status",), "people"),
    dg.AssetKey(["marts", "record_ledger"]): ("rows_by_fate", ("fate",), "rows"),
    dg.AssetKey(["intermediate", "int_cells__rejected"]): (
        "rejected_cells_by_column", ("source", "column_name", "issue"), "cells"),
}


def dbt_vars(warehouse_path: str, quarter: str) -> str:
    """The --vars a quarter's dbt invocation gets."""
    return json.dumps({"warehouse": warehouse_path, "quarter": quarter}, sort_keys=True)


def _read_to_end(invocation: DbtCliInvocation) -> tuple[list, DagsterDbtCliRuntimeError | None]:
    """Every event of the invocation, read until dbt has exited, and dbt's failure if it failed."""
    events = []
    try:
        for event in invocation.stream():
            events.append(event)
    except DagsterDbtCliRuntimeError as failure:
        # dbt itself failed (a model, or a test of severity error): what it built and tested is still reported.
        return events, failure
    except BaseException:
        # A step that stops reading dbt's events must not leave dbt running and holding the DuckDB file's lock.
        if invocation.process.poll() is None:
            invocation.process.terminate()
        raise
    finally:
        invocation.process.wait()
    return events, None


def _built_key(context: dg.AssetExecutionContext, event) -> dg.AssetKey | None:
    """The table a materialization event reports, or None for a test result or an observation."""
    if isinstance(event, dg.Output):
        return context.asset_key_for_output(event.output_name)
    if isinstance(event, dg.AssetMaterialization):
        return event.asset_key
    return None


def _table_metadata(con: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> dict[str, dg.MetadataValue]:
    """The row count of the table `schema.name` of key [schema, name], and its breakdown if it has one."""
    relation = ".".join(key.path)
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
    metadata = {"dagster/row_count": dg.MetadataValue.int(rows)}
    if key in BREAKDOWNS:
        name, columns, counted = BREAKDOWNS[key]
        by = ", ".join(columns)
        metadata[name] = query_table(
            con, f"select {by}, count(*) as {counted} from {relation} group by all order by {counted} desc, {by}")
    return metadata


def _with_table_metadata(context: dg.AssetExecutionContext, warehouse: WarehouseResource, quarter: Quarter,
                         events: list) -> list:
    """The events in their order, each materialization with its table's row count added."""
    keys = [_built_key(context, event) for event in events]
    if not any(keys):
        return events
    # Read only after dbt has exited: while it runs, dbt holds the file's one write lock (the reason this does
    # not use dagster-dbt's fetch_row_counts, which queries through dbt's adapter during the run).
    with warehouse.connect(quarter, read_only=True) as con:
        return [event.with_metadata({**event.metadata, **_table_metadata(con, key)}) if key else event
                for event, key in zip(events, keys, strict=True)]


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    paths = warehouse.paths(context.partition_key)
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    # buildable: a test runs in the invocation that builds the last of its parents (a relationships test from a mart
    # to a seed runs with the marts, never before the mart exists).
    # One target folder per quarter, shared by its two dbt steps and reused run after run: the vars and the profile
    # (the quarter's DuckDB file) are the same for both, so the second step and every re-run reuse the first one's
    # parse (partial_parse.msgpack) instead of parsing the project again. dagster-dbt's default is a new folder in
    # the repository per run (hundreds of MB after a day of backfills), and a new folder always parses in full.
    target = paths.data_dir / "dbt" / paths.quarter.key
    step = target / context.op_execution_context.op.name
    step.mkdir(parents=True, exist_ok=True)
    # dbt.log per step, in the data dir with the other files a leak scan covers, not in the repository's logs/.
    # Unit tests check the SQL, not the quarter's data: they run in `make test` (tests/defs/transform/test_dbt.py),
    # not in every production run (dbt's own advice; they cost about 4 s per quarter).
    args = ["build", "--indirect-selection", "buildable", "--exclude-resource-type", "unit_test",
            "--log-path", str(step / "logs"), "--vars", dbt_vars(str(paths.warehouse), paths.quarter.key)]
    try:
        events, failure = _read_to_end(dbt.cli(args, context=context, target_path=target))
        # Each step's results stay readable after the other step has run (run_results.json is per invocation).
        if (target / "run_results.json").exists():
            os.replace(target / "run_results.json", step / "run_results.json")
    finally:
        # dagster-dbt copies partial_parse.msgpack from the project's target folder with its 0644 mode.
        make_private(target)
    yield from _with_table_metadata(context, warehouse, paths.quarter, events)
    if failure is not None:
        explained = storage.explain(failure, paths.warehouse.parent)
        if explained:
            raise dg.Failure(description=f"dbt: {explained}", allow_retries=False) from failure
        raise failure


# Everything downstream of Splink's clusters runs in a second dbt invocation, after the linkage asset.
AFTER_LINKAGE = "source:linkage+"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=SatudataTranslator(),
    partitions_def=quarter_partitions,
    exclude=AFTER_LINKAGE,
    name="dbt_conform",
)
def dbt_conform(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Builds and tests the seeds, staging and intermediate models of one quarter up to Splink's input."""
    yield from _build(context, dbt, warehouse)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=SatudataTranslator(),
    partitions_def=quarter_partitions,
    select=AFTER_LINKAGE,
    name="dbt_marts",
)
def dbt_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Builds and tests the golden records, statuses, submission and ledger of one quarter from Splink's clusters."""
    yield from _build(context, dbt, warehouse)
