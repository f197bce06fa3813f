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
        with scratch_beside(con, "intermediate.int_persons__for_linkage", temp_dir, rows=rows_to_score(home)) as scratch:
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
