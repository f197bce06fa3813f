"""The landing sensor and the run-failure alert."""

import datetime as dt
import time

import dagster as dg

from orchestration.alerts import record_run_failure
from orchestration.defs.automation.landing import (
    READY_MARKER,
    cursor_for,
    deadline_days,
    just_closed,
    landing_state,
    observations_from,
    settle_seconds,
)
from orchestration.defs.partitions import jakarta_today, quarter_partitions
from orchestration.paths import resolve_data_dir


def wall_clock() -> float:
    """Seconds since the epoch (a function, so that tests can move the clock between ticks)."""
    return time.time()


def evaluate_landing(today: dt.date, cursor: str | None = None, now: float | None = None) -> dg.SensorResult:
    """A run request for the just-closed quarter once its five files are all complete, else why not.

    The cursor carries each file's size, mtime and since when they are unchanged from one tick to the next.
    """
    quarter = just_closed(today)
    if quarter.key not in quarter_partitions.get_partition_keys():
        return dg.SensorResult(skip_reason=f"{quarter} is before the first quarter partition", cursor=cursor)
    state = landing_state(resolve_data_dir(), quarter, today, deadline_days(), now=wall_clock() if now is None
                          else now, settle=settle_seconds(), previous=observations_from(cursor, quarter))
    next_cursor = cursor_for(state)
    if state.complete:
        # The fingerprint makes a re-delivered file a new run, and the same files never a second one.
        how = "ready marker" if state.marker == "verified" else "settled"
        return dg.SensorResult(run_requests=[dg.RunRequest(
            run_key=f"{quarter.key}-{state.fingerprint}", partition_key=quarter.key,
            tags={"satudata/trigger": "landing", "satudata/landing_complete_by": how})], cursor=next_cursor)
    waiting = [*state.missing, *state.not_ready]
    if state.past_deadline:
        return dg.SensorResult(skip_reason=f"{quarter} is past its landing deadline and still misses: "
                                           f"{', '.join(waiting)}", cursor=next_cursor)
    return dg.SensorResult(skip_reason=f"{quarter}: waiting for {', '.join(waiting)}", cursor=next_cursor)


@dg.sensor(
    name="landing_sensor",
    job_name="quarterly_job",
    minimum_interval_seconds=300,
    description=f"Starts the just-closed quarter's run when all five files are complete (a {READY_MARKER} marker "
                "whose sha256s match, or sizes and mtimes unchanged for the settling time); past the deadline it "
                "names the files still missing, without starting anything.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    result = evaluate_landing(jakarta_today(), context.cursor)
    skip = result.skip_reason.skip_message if result.skip_reason else ""
    if "deadline" in (skip or ""):
        context.log.warning(skip)
    return result


@dg.run_failure_sensor(
    name="run_failure_alert",
    description="Writes an alert record for every failed run to <data dir>/alerts/ and passes it to the alert hook.",
)
def run_failure_alert(context: dg.RunFailureSensorContext):
    record_run_failure(context.dagster_run, context.failure_event)
