"""Splink linkage of the quarter's list rows into people, and the over-linking check on its clusters."""

import dagster as dg

from orchestration.defs.metadata import table
from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.resources import WarehouseResource, storage_errors_explained
from orchestration.linkage.model import load_model
from orchestration.linkage.person_ids import person_key_secret, published_keys
from orchestration.linkage.predict import link_records, scratch_beside
from orchestration.publish.files import remove_stale_temps

CLUSTERS_KEY = dg.AssetKey(["linkage", "person_clusters"])
LINKAGE_INPUT_KEY = dg.AssetKey(["intermediate", "int_persons__for_linkage"])


def size_table(sizes: dict[int, int]) -> dg.TableMetadataValue:
    """Cluster-size distribution: how many people have each number of list rows."""
    return table([("rows_per_person", "int"), ("people", "int")], sorted(sizes.items()))


@dg.asset(
    key=CLUSTERS_KEY,
    deps=[LINKAGE_INPUT_KEY],
    group_name="linkage",
    partitions_def=quarter_partitions,
    kinds={"splink", "duckdb"},
    description="Splink's clustering of the quarter's list rows into people, with ids carried over from the "
                "latest published quarter.",
)
def person_clusters(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    model = load_model()
    paths = warehouse.paths(context.partition_key)
    # Ids come only from a published quarter: never from the export of a blocked run.
    previous, ids_from = published_keys(paths)
    remove_stale_temps(paths.export("person_keys").parent, name_prefix=paths.export("person_keys").name)
    temp_dir = paths.data_dir / "tmp" / "splink" / paths.quarter.key
    # One connection for the step: Splink reads its input and its clusters are written without leaving DuckDB.
    with storage_errors_explained(temp_dir), warehouse.connect(paths.quarter) as con:
        con.execute("create schema if not exists linkage")
        with scratch_beside(con, "intermediate.int_persons__for_linkage", temp_dir) as scratch:
            result = link_records(scratch, model, quarter=paths.quarter.key, previous_keys=previous,
                                  keys_out=paths.export("person_keys"),
                                  key_secret=person_key_secret(paths.data_dir))
            scratch.execute(
                f'create or replace table "{paths.quarter.key}".linkage.person_clusters as '
                "select unique_id, cluster_id, person_id, count(*) over (partition by cluster_id) as cluster_size "
                "from clusters order by unique_id")
    context.log.info(f"{result.rows:,} rows linked into {result.people:,} people with {model.provenance}")
    return dg.MaterializeResult(metadata={
        "dagster/row_count": dg.MetadataValue.int(result.rows),
        "model_version": dg.MetadataValue.text(model.version),
        "model_sha256": dg.MetadataValue.text(model.sha256),
        "model_trained_on": dg.MetadataValue.text(model.provenance),
        "threshold_match_probability": dg.MetadataValue.float(model.threshold),
        "comparisons_scored": dg.MetadataValue.int(result.comparisons),
        "pairs_linked": dg.MetadataValue.int(result.pairs_linked),
        "person_ids_carried_over": dg.MetadataValue.int(result.ids_carried_over),
        "person_ids_new": dg.MetadataValue.int(result.ids_new),
        "person_ids_from": dg.MetadataValue.text(ids_from),
        "person_keys_made_with_another_key": dg.MetadataValue.int(result.ids_other_key_rows),
        "niks_in_several_clusters": dg.MetadataValue.int(result.niks_in_several_clusters),
        "clusters_split_on_two_niks": dg.MetadataValue.int(result.clusters_split),
        "clusters_split_on_twins": dg.MetadataValue.int(result.twin_clusters_split),
        "people": dg.MetadataValue.int(result.people),
        "largest_cluster": dg.MetadataValue.int(result.largest_cluster),
        "cluster_sizes": size_table(result.cluster_sizes),
    })


@dg.asset_check(
    asset=CLUSTERS_KEY,
    name="person_clusters_not_overlinked",
    blocking=True,
    description="No person gathers more list rows than the model's bound (chained false links).",
)
def person_clusters_not_overlinked(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    model = load_model()
    with warehouse.connect(context.run.tags["dagster/partition"], read_only=True) as con:
        largest, oversized = con.execute(
            "select coalesce(max(cluster_size), 0), count(distinct cluster_id) filter (where cluster_size > ?) "
            "from linkage.person_clusters", [model.max_cluster_size]).fetchall()[0]
    return dg.AssetCheckResult(
        passed=oversized == 0,
        description=(f"{oversized:,} people have more than {model.max_cluster_size} rows (largest {largest})"
                     if oversized else f"largest person has {largest} rows (bound {model.max_cluster_size})"),
        metadata={"largest_cluster": dg.MetadataValue.int(int(largest)),
                  "oversized_clusters": dg.MetadataValue.int(int(oversized)),
                  "max_cluster_size": dg.MetadataValue.int(model.max_cluster_size)},
    )
