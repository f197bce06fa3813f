"""The review group: the quarter's worklist of doubtful pairs, and the store of the decisions people made on them."""

import datetime as dt

import dagster as dg

from orchestration.defs.linkage.assets import CLUSTERS_KEY
from orchestration.defs.metadata import table
from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.resources import WarehouseResource, storage_errors_explained
from orchestration.linkage.model import load_model
from orchestration.linkage.predict import scratch_beside
from orchestration.paths import resolve_data_dir
from orchestration.review import decisions_store
from orchestration.review.worklist import rows_to_score, write_review

WORKLIST_KEY = dg.AssetKey(["review", "review_worklist"])
DECISIONS_KEY = dg.AssetKey(["review", "review_decisions"])
CONFORMED_KEY = dg.AssetKey(["intermediate", "int_persons__conformed"])


@dg.asset(
    key=WORKLIST_KEY,
    deps=[CLUSTERS_KEY, CONFORMED_KEY],
    group_name="review",
    partitions_def=quarter_partitions,
    kinds={"splink", "excel"},
    description="The quarter's doubtful pairs for clerical review (reports/<Q>/review/), with Splink's dashboards "
                "of them and the model's precision and recall on the pairs people have labelled.",
)
def review_worklist(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    model = load_model()
    paths = warehouse.paths(context.partition_key)
    temp_dir = paths.data_dir / "tmp" / "review" / paths.quarter.key
    written_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with storage_errors_explained(temp_dir), warehouse.connect(paths.quarter) as con:
        home = f'"{paths.quarter.key}"'
        rows = rows_to_score(home)
        with scratch_beside(con, "intermediate.int_persons__for_linkage", temp_dir, rows=rows) as scratch:
            out = write_review(scratch, paths, model, run_id=context.run.run_id, written_at=written_at)
    labels = out.labels
    context.log.info(f"{sum(out.pairs_by_kind.values()):,} pairs to review; {labels['labelled_pairs']:,} labelled")
    metadata = {
        "open_pairs": dg.MetadataValue.int(sum(out.pairs_by_kind.values())),
        "open_pairs_by_kind": table([("kind", "string"), ("pairs", "int")], sorted(out.pairs_by_kind.items())),
        **{f"open_{kind}": dg.MetadataValue.int(n) for kind, n in out.pairs_by_kind.items()},
        "worklist_id": dg.MetadataValue.text(out.worklist_id),
        "labelled_pairs": dg.MetadataValue.int(labels["labelled_pairs"]),
        **{f"files/{name}": dg.MetadataValue.path(str(path)) for name, path in out.files.items()},
    }
    for name in ("model_precision", "model_recall", "final_precision", "final_recall"):
        if labels.get(name) is not None:
            metadata[f"labels/{name}"] = dg.MetadataValue.float(round(labels[name], 5))
    return dg.MaterializeResult(metadata=metadata)


def decisions_observation() -> dg.AssetObservation:
    """What the decisions store holds: every decision imported, and those in force, by kind."""
    data_dir = resolve_data_dir()
    everything = decisions_store.read_all(data_dir)
    in_force = decisions_store.in_force(data_dir)
    by_decision = {kind: sum(d.decision == kind for d in in_force) for kind in ("match", "not_match")}
    return dg.AssetObservation(asset_key=DECISIONS_KEY, metadata={
        "decisions_imported": dg.MetadataValue.int(len(everything)),
        "decisions_in_force": dg.MetadataValue.int(len(in_force)),
        **{f"in_force_{kind}": dg.MetadataValue.int(n) for kind, n in by_decision.items()},
        "latest_decision": dg.MetadataValue.text(everything[-1].decision_id if everything else "none"),
    })


@dg.observable_source_asset(
    key=DECISIONS_KEY,
    group_name="review",
    description="The clerical decisions imported with `satudata review import` (decisions/review_decisions.jsonl): "
                "match / not_match on pairs of records, applied by every later linkage run.",
)
def review_decisions():
    observation = decisions_observation()
    return dg.DataVersion(str(observation.metadata["decisions_imported"].value))


FIELD_RESULTS_KEY = dg.AssetKey(["review", "field_results"])
APPEALS_KEY = dg.AssetKey(["review", "appeals"])
POLICY_KEY = dg.AssetKey(["review", "verification_policy"])
PERSONS_KEY = dg.AssetKey(["marts", "persons"])
LEDGER_KEY = dg.AssetKey(["marts", "record_ledger"])
FOR_LINKAGE_KEY = dg.AssetKey(["intermediate", "int_persons__for_linkage"])
FIELD_STORE_KEY = dg.AssetKey(["review", "field_results_imported"])
APPEAL_STORE_KEY = dg.AssetKey(["review", "appeals_recorded"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(FIELD_RESULTS_KEY, deps=[CLUSTERS_KEY, FOR_LINKAGE_KEY, FIELD_STORE_KEY], group_name="review",
                     kinds={"duckdb"},
                     description="The field results in force, mapped to this quarter's people (latest per person "
                                 "and kind of doubt)."),
        dg.AssetSpec(APPEALS_KEY, deps=[CLUSTERS_KEY, FOR_LINKAGE_KEY, APPEAL_STORE_KEY], group_name="review",
                     kinds={"duckdb"},
                     description="The appeals (sanggahan) in force, mapped to this quarter's people (latest per "
                                 "person)."),
        dg.AssetSpec(POLICY_KEY, group_name="review", kinds={"duckdb"},
                     description="Per kind of doubt, whether it holds a person back until verified or publishes "
                                 "them with the doubt recorded ($SATUDATA_VERIFICATION_POLICY)."),
    ],
    partitions_def=quarter_partitions,
)
def human_decisions(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    from orchestration.linkage.person_ids import person_key_secret
    from orchestration.verification.human_decisions import write_human_decisions
    from orchestration.verification.policy import verification_policy

    paths = warehouse.paths(context.partition_key)
    policy = verification_policy()
    with warehouse.connect(paths.quarter) as con:
        found = write_human_decisions(con, paths.data_dir, person_key_secret(paths.data_dir), policy)
    if found.applied:
        from orchestration.review.audit_log import append_entries

        # Who decided is logged by the import; which run applied it, here.
        append_entries(paths.data_dir, [{
            "kind": "applied", "actor": "pipeline", "run_id": context.run.run_id, "source_file_sha256": None,
            "what": {"quarter": paths.quarter.key, "field_results_in_force": found.field_results_in_force,
                     "appeals_in_force": found.appeals_in_force},
            "before": None, "after": {"applied": found.applied}}])
    yield dg.MaterializeResult(asset_key=FIELD_RESULTS_KEY, metadata={
        "in_force": dg.MetadataValue.int(found.field_results_in_force),
        "found_this_quarter": dg.MetadataValue.int(found.field_results_found)})
    yield dg.MaterializeResult(asset_key=APPEALS_KEY, metadata={
        "in_force": dg.MetadataValue.int(found.appeals_in_force),
        "found_this_quarter": dg.MetadataValue.int(found.appeals_found)})
    yield dg.MaterializeResult(asset_key=POLICY_KEY, metadata={
        "policy": table([("jenis_keraguan", "string"), ("policy", "string")], sorted(policy.items()))})


@dg.asset(
    key=dg.AssetKey(["review", "verification_worksheets"]),
    deps=[PERSONS_KEY, LEDGER_KEY, FIELD_RESULTS_KEY],
    group_name="review",
    partitions_def=quarter_partitions,
    kinds={"excel"},
    description="One field-verification worksheet per kelurahan (reports/<Q>/verifikasi/), in Indonesian, of the "
                "people whose status a visit should settle.",
)
def verification_worksheets(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from orchestration.linkage.person_ids import person_key_secret
    from orchestration.verification.worksheets import write_worksheets

    paths = warehouse.paths(context.partition_key)
    written_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with warehouse.connect(paths.quarter) as con:
        out = write_worksheets(con, paths, person_key_secret(paths.data_dir), context.run.run_id, written_at)
    context.log.info(f"{sum(out.doubts_by_kind.values()):,} doubts of {out.people:,} people in {out.files} worksheets")
    return dg.MaterializeResult(metadata={
        "open_doubts": dg.MetadataValue.int(sum(out.doubts_by_kind.values())),
        **{f"open_{kind}": dg.MetadataValue.int(n) for kind, n in out.doubts_by_kind.items()},
        "open_doubts_by_kind": table([("jenis_keraguan", "string"), ("doubts", "int")],
                                     sorted(out.doubts_by_kind.items())),
        "open_doubts_by_kabkota": table([("kabkota", "string"), ("doubts", "int")], out.by_kabkota),
        "people": dg.MetadataValue.int(out.people),
        "worksheets": dg.MetadataValue.int(out.files),
        "folder": dg.MetadataValue.path(str(out.folder)),
    })


def store_observation(key: dg.AssetKey) -> dg.AssetObservation:
    """What a store of field results or appeals holds: entries imported and in force."""
    from orchestration.appeals import store as appeals_store
    from orchestration.verification import results_store

    data_dir = resolve_data_dir()
    store = results_store if key == FIELD_STORE_KEY else appeals_store
    everything, in_force = store.read_all(data_dir), store.in_force(data_dir)
    return dg.AssetObservation(asset_key=key, metadata={
        "imported": dg.MetadataValue.int(len(everything)),
        "in_force": dg.MetadataValue.int(len(in_force)),
        "latest": dg.MetadataValue.text(_entry_id(everything[-1]) if everything else "none"),
    })


def _entry_id(entry) -> str:
    return getattr(entry, "result_id", None) or entry.appeal_id


@dg.observable_source_asset(
    key=FIELD_STORE_KEY,
    group_name="review",
    description="The field results imported with `satudata verifikasi import` (decisions/field_results.jsonl).",
)
def field_results_imported():
    return dg.DataVersion(str(store_observation(FIELD_STORE_KEY).metadata["imported"].value))


@dg.observable_source_asset(
    key=APPEAL_STORE_KEY,
    group_name="review",
    description="The appeals (sanggahan) recorded with `satudata sanggah` (decisions/appeals.jsonl).",
)
def appeals_recorded():
    return dg.DataVersion(str(store_observation(APPEAL_STORE_KEY).metadata["imported"].value))
