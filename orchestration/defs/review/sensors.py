"""New human decisions re-run their quarter from linkage on, so that they take effect: review decisions, field
results and appeals, each store watched by the id of the last entry seen."""

import json

import dagster as dg

from orchestration.defs.linkage.assets import CLUSTERS_KEY
from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.review.assets import (
    APPEAL_STORE_KEY,
    FIELD_STORE_KEY,
    decisions_observation,
    store_observation,
)
from orchestration.paths import resolve_data_dir

from_linkage_job = dg.define_asset_job(
    name="from_linkage_job",
    selection=dg.AssetSelection.assets(CLUSTERS_KEY).downstream().required_multi_asset_neighbors(),
    partitions_def=quarter_partitions,
    description="Links, gates and publishes one quarter again from its conformed rows (after new human decisions).",
)


def _stores(data_dir) -> dict[str, list[tuple[str, str]]]:
    """(entry id, quarter) of every entry, per store."""
    from orchestration.appeals import store as appeals_store
    from orchestration.review import decisions_store
    from orchestration.verification import results_store

    return {
        "review": [(d.decision_id, d.quarter) for d in decisions_store.read_all(data_dir)],
        "field": [(r.result_id, r.quarter) for r in results_store.read_all(data_dir)],
        "appeal": [(a.appeal_id, a.quarter) for a in appeals_store.read_all(data_dir)],
    }


def _read_cursor(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    if cursor.startswith("{"):
        return json.loads(cursor)
    return {"review": cursor}  # the first form of the cursor: the last review decision id


def evaluate_decisions(cursor: str | None) -> dg.SensorResult:
    """A run of each quarter that got new review decisions, field results or appeals since the cursor."""
    seen = _read_cursor(cursor)
    stores = _stores(resolve_data_dir())
    new = {name: [(i, q) for i, q in entries if i > seen.get(name, "")] for name, entries in stores.items()}
    if not any(new.values()):
        return dg.SensorResult(skip_reason="no new review decisions, field results or appeals", cursor=cursor)
    last = {name: (new[name][-1][0] if new[name] else seen.get(name, "")) for name in stores}
    last = {name: value for name, value in last.items() if value}
    named = {q for entries in new.values() for _, q in entries}
    quarters = sorted(named & set(quarter_partitions.get_partition_keys()))
    up_to = "-".join(last[name] for name in sorted(last))
    observations = {"review": decisions_observation, "field": lambda: store_observation(FIELD_STORE_KEY),
                    "appeal": lambda: store_observation(APPEAL_STORE_KEY)}
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"human-{q}-{up_to}", partition_key=q,
                                    tags={"satudata/trigger": "human_decisions", "satudata/decisions_up_to": up_to})
                      for q in quarters],
        asset_events=[observations[name]() for name in stores if new[name]],
        cursor=json.dumps(last, sort_keys=True),
    )


@dg.sensor(
    name="review_decisions_sensor",
    job=from_linkage_job,
    minimum_interval_seconds=60,
    description="When review decisions, field results or appeals are added, re-runs their quarter from linkage on.",
)
def review_decisions_sensor(context: dg.SensorEvaluationContext):
    return evaluate_decisions(context.cursor)
