"""How the dbt project appears in Dagster: keys, groups and one-sentence descriptions of models, seeds and tests."""

import re
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

_TABLES = ("model", "seed", "snapshot")
_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]""")


def _one_line(text: str | None) -> str:
    # Folded YAML descriptions keep their line breaks and a trailing newline.
    return " ".join((text or "").split())


def _ref_name(to: str) -> str:
    """The model or seed a relationships test points to (its `to` is written as ref('name'))."""
    match = _REF.search(to)
    return match.group(1) if match else to


def _claim(test_name: str | None, column: str | None, kwargs: Mapping[str, Any]) -> str | None:
    """What a known generic test asserts, in words; None for a test this does not know."""
    match test_name:
        case "not_null" if column:
            return f"{column} is never null"
        case "unique" if column:
            return f"{column} is unique"
        case "accepted_values" if column:
            return f"{column} is one of {', '.join(str(v) for v in kwargs.get('values', []))}"
        case "relationships" if column:
            return f"{column} exists in {_ref_name(str(kwargs.get('to', '')))}.{kwargs.get('field')}"
        case "unique_key_columns":
            return f"({', '.join(kwargs.get('columns', []))}) is unique"
    return None


def check_description(test: Mapping[str, Any]) -> str:
    """One sentence saying what a dbt test asserts: its own description, else one made from its arguments."""
    meta = test.get("test_metadata") or {}
    kwargs = meta.get("kwargs") or {}
    column = test.get("column_name") or kwargs.get("column_name")
    claim = (_one_line(test.get("description")).rstrip(".")
             or _claim(meta.get("name"), column, kwargs)
             or (f"{meta['name']} holds for {column}" if meta.get("name") and column
                 else f"{test['name']} finds no failing rows"))
    return f"dbt test: {claim}."


class SatudataTranslator(DagsterDbtTranslator):
    """Keys are [schema, name]; groups are the dbt folder (or meta.dagster.group), seeds are ingest."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] not in _TABLES:
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        explicit = super().get_group_name(dbt_resource_props)
        if explicit or dbt_resource_props["resource_type"] not in _TABLES:
            return explicit
        return "ingest" if dbt_resource_props["resource_type"] == "seed" else dbt_resource_props["fqn"][1]

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # The dbt description alone: dagster-dbt's default appends the model's whole SQL.
        props = dbt_resource_props
        return _one_line(props.get("description")) or f"dbt {props['resource_type']} {props['name']}."

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(description=check_description(self.get_resource_props(manifest, unique_id)))
