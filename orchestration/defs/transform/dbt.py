"""dbt seeds and models of one quarter, built into that quarter's DuckDB file."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform.project import dbt_project


class SatudataTranslator(DagsterDbtTranslator):
    """Keys are [schema, name]; seeds join the ingest group, models take their dbt folder as group."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] not in ("model", "seed", "snapshot"):
            return spec
        group = "ingest" if props["resource_type"] == "seed" else props["fqn"][1]
        return spec.replace_attributes(key=dg.AssetKey([props["schema"], props["name"]]), group_name=group)


def dbt_vars(warehouse_path: str, quarter: str) -> str:
    """The --vars a quarter's dbt invocation gets."""
    return json.dumps({"warehouse": warehouse_path, "quarter": quarter}, sort_keys=True)


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    paths = warehouse.paths(context.partition_key)
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    # buildable: a test runs in the invocation that builds the last of its parents (a relationships test from a mart
    # to a seed runs with the marts, never before the mart exists).
    args = ["build", "--indirect-selection", "buildable", "--vars", dbt_vars(str(paths.warehouse), paths.quarter.key)]
    # One target folder per quarter and step, reused run after run: dagster-dbt's default is a new folder in the
    # repository per run (hundreds of MB after a day of backfills), and a reused one keeps dbt's partial parse.
    target = paths.data_dir / "dbt" / paths.quarter.key / context.op_execution_context.op.name
    invocation = dbt.cli(args, context=context, target_path=target)
    try:
        yield from invocation.stream()
    except BaseException:
        # A step that stops reading dbt's events must not leave dbt running and holding the DuckDB file's lock.
        if invocation.process.poll() is None:
            invocation.process.terminate()
        raise
    finally:
        invocation.process.wait()


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
