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


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=SatudataTranslator(),
    partitions_def=quarter_partitions,
    name="dbt_quarter",
)
def dbt_quarter(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Builds and tests the dbt seeds and models of one quarter in its DuckDB file."""
    paths = warehouse.paths(context.partition_key)
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    args = ["build", "--vars", dbt_vars(str(paths.warehouse), paths.quarter.key)]
    yield from dbt.cli(args, context=context).stream()
