"""The landing sensor and the run-failure alert."""

import datetime as dt

import dagster as dg

from orchestration.alerts import record_run_failure
from orchestration.defs.automation.landing import deadline_days, just_closed, landing_state
from orchestration.defs.partitions import jakarta_today, quarter_partitions
from orchestration.paths import resolve_data_dir


def evaluate_landing(today: dt.date) -> list[dg.RunRequest] | dg.SkipReason:
    """Run requests for the quarter that has just closed once its five files are all there, else why not."""
    quarter = just_closed(today)
    if quarter.key not in quarter_partitions.get_partition_keys():
        return dg.SkipReason(f"{quarter} is before the first quarter partition")
    state = landing_state(resolve_data_dir(), quarter, today, deadline_days())
    if state.complete:
        # The fingerprint makes a re-delivered file a new run, and the same files never a second one.
        return [dg.RunRequest(run_key=f"{quarter.key}-{state.fingerprint}", partition_key=quarter.key,
                              tags={"satudata/trigger": "landing"})]
    if state.past_deadline:
        return dg.SkipReason(f"{quarter} is past its landing deadline and still misses: {', '.join(state.missing)}")
    return dg.SkipReason(f"{quarter}: waiting for {', '.join(state.missing)}")


@dg.sensor(
    name="landing_sensor",
    job_name="quarterly_job",
    minimum_interval_seconds=300,
    description="Starts the just-closed quarter's run when all five files have landed; past the deadline it "
                "names the files still missing, without starting anything.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    result = evaluate_landing(jakarta_today())
    if isinstance(result, dg.SkipReason) and "deadline" in (result.skip_message or ""):
        context.log.warning(result.skip_message)
    return result


@dg.run_failure_sensor(
    name="run_failure_alert",
    description="Writes an alert record for every failed run to <data dir>/alerts/ and passes it to the alert hook.",
)
def run_failure_alert(context: dg.RunFailureSensorContext):
    record_run_failure(context.dagster_run, context.failure_event)
