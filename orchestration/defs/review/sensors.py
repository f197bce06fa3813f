"""A new batch of review decisions re-runs its quarter from linkage on, so that the decisions take effect."""

import dagster as dg

from orchestration.defs.linkage.assets import CLUSTERS_KEY
from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.review.assets import decisions_observation
from orchestration.paths import resolve_data_dir
from orchestration.review import decisions_store

from_linkage_job = dg.define_asset_job(
    name="from_linkage_job",
    selection=dg.AssetSelection.assets(CLUSTERS_KEY).downstream(),
    partitions_def=quarter_partitions,
    description="Links, gates and publishes one quarter again from its conformed rows (after new review decisions).",
)


def evaluate_decisions(cursor: str | None) -> dg.SensorResult:
    """A run of each quarter whose worklist got decisions since the cursor (the last decision id seen)."""
    decisions = decisions_store.read_all(resolve_data_dir())
    seen = cursor or ""
    new = [d for d in decisions if d.decision_id > seen]
    if not new:
        return dg.SensorResult(skip_reason="no new review decisions", cursor=cursor)
    last = new[-1].decision_id
    quarters = sorted({d.quarter for d in new} & set(quarter_partitions.get_partition_keys()))
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"review-{q}-{last}", partition_key=q,
                                    tags={"satudata/trigger": "review_decisions", "satudata/decisions_up_to": last})
                      for q in quarters],
        asset_events=[decisions_observation()],
        cursor=last,
    )


@dg.sensor(
    name="review_decisions_sensor",
    job=from_linkage_job,
    minimum_interval_seconds=60,
    description="When `satudata review import` adds decisions, re-runs their quarter from linkage on.",
)
def review_decisions_sensor(context: dg.SensorEvaluationContext):
    return evaluate_decisions(context.cursor)
