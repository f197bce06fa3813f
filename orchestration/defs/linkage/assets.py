"""Splink linkage of the quarter's list rows into people, and the over-linking check on its clusters."""

import time

import dagster as dg

from orchestration.defs.metadata import table
from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.resources import WarehouseResource, storage_errors_explained
from orchestration.linkage.model import load_model
from orchestration.linkage.person_ids import person_key_secret, published_keys
from orchestration.linkage.predict import link_records, scratch_beside
from orchestration.publish.files import remove_stale_temps
from orchestration.review.candidates import ReviewSettings
from orchestration.review.decisions_store import in_force as decisions_in_force

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
    decisions = decisions_in_force(paths.data_dir)
    # Ids come only from a published quarter: never from the export of a blocked run.
    previous, ids_from = published_keys(paths)
    remove_stale_temps(paths.export("person_keys").parent, name_prefix=paths.export("person_keys").name)
    temp_dir = paths.data_dir / "tmp" / "splink" / paths.quarter.key
    # One connection for the step: Splink reads its input and its clusters are written without leaving DuckDB.
    with storage_errors_explained(temp_dir), warehouse.connect(paths.quarter) as con:
        con.execute("create schema if not exists linkage")
        copying = time.perf_counter()
        with scratch_beside(con, "intermediate.int_persons__for_linkage", temp_dir, ordered=False) as scratch:
            copy_s = time.perf_counter() - copying
            result = link_records(scratch, model, quarter=paths.quarter.key, previous_keys=previous,
                                  keys_out=paths.export("person_keys"),
                                  key_secret=person_key_secret(paths.data_dir),
                                  decisions=decisions, review=ReviewSettings.from_env())
            writing = time.perf_counter()
            home = f'"{paths.quarter.key}".linkage'
            scratch.execute(
                f"create or replace table {home}.person_clusters as "
                "select c.unique_id, c.cluster_id, c.person_id, count(*) over (partition by c.cluster_id) as cluster_size, "
                "d.review_decisions from clusters c left join ("
                "  select unique_id, string_agg(distinct decision_id, ' ' order by decision_id) as review_decisions "
                "  from (select decision_id, unique_id_l as unique_id from review_applied where changed "
                "        union all select decision_id, unique_id_r from review_applied where changed) group by 1"
                ") d using (unique_id) order by c.unique_id")
            scratch.execute(f"create or replace table {home}.review_candidates as "
                            "select * from review_candidates order by pair_id")
            scratch.execute(
                f"create or replace table {home}.review_applied as select a.*, cl.person_id as person_id_l, "
                "cr.person_id as person_id_r from review_applied a join clusters cl on cl.unique_id = a.unique_id_l "
                "join clusters cr on cr.unique_id = a.unique_id_r order by all")
            write_s = time.perf_counter() - writing
    seconds = {"copy_input": round(copy_s, 3), **result.part_seconds, "write_tables": round(write_s, 3)}
    if decisions:
        from orchestration.review.audit_log import append_entries

        effects = result.review_effects
        # Who changed what is logged by the import; which run applied it, here.
        append_entries(paths.data_dir, [{
            "kind": "applied", "actor": "pipeline", "run_id": context.run.run_id, "source_file_sha256": None,
            "what": {"quarter": paths.quarter.key, "decisions_in_force": effects.in_force},
            "before": None, "after": {"decisions_found": effects.found, "decisions_that_changed_people":
                                      effects.changed_ids}}])
    context.log.info(f"{result.rows:,} rows linked into {result.people:,} people with {model.provenance}")
    return dg.MaterializeResult(metadata={
        "dagster/row_count": dg.MetadataValue.int(result.rows),
        "model_version": dg.MetadataValue.text(model.version),
        "model_sha256": dg.MetadataValue.text(model.sha256),
        "model_trained_on": dg.MetadataValue.text(model.provenance),
        "threshold_match_probability": dg.MetadataValue.float(model.threshold),
        # log2 of the prior's fall from the training quarter's size to this quarter's (list_size)
        "prior_shift_bits": dg.MetadataValue.float(round(result.prior_shift_bits, 4)),
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
        "review_decisions_in_force": dg.MetadataValue.int(result.review_effects.in_force),
        "review_decisions_found": dg.MetadataValue.int(result.review_effects.found),
        "review_decisions_that_changed_people": dg.MetadataValue.int(result.review_effects.changed),
        "review_decisions_changed": dg.MetadataValue.text(" ".join(result.review_effects.changed_ids) or "none"),
        **{f"review_pairs_{kind}": dg.MetadataValue.int(n) for kind, n in result.review_candidates.items()},
        # Where the step's time went, part by part (benchmarks/bench_pipeline.py reports it per size).
        "seconds_by_part": table([("part", "text"), ("seconds", "float")], list(seconds.items())),
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
