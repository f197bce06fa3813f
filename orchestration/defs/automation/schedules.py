"""The scheduled refresh: every quarter, run the quarter that has just closed."""

import dagster as dg

from orchestration.defs.automation.landing import just_closed
from orchestration.defs.partitions import JAKARTA, quarter_partitions

# The 15th of the month after a quarter closes, at 06:00 Jakarta time: Dukcapil's and the lists' extracts for the
# quarter are due in its first two weeks (the landing sensor starts the run earlier when they arrive earlier).
REFRESH_CRON = "0 6 15 1,4,7,10 *"


@dg.schedule(
    name="quarterly_refresh",
    cron_schedule=REFRESH_CRON,
    execution_timezone=str(JAKARTA),
    job_name="quarterly_job",
    description="Runs the quarter that has just closed, on the 15th of the month after it, 06:00 Jakarta time.",
)
def quarterly_refresh(context: dg.ScheduleEvaluationContext):
    closed = just_closed(context.scheduled_execution_time.astimezone(JAKARTA).date())
    if closed.key not in quarter_partitions.get_partition_keys():
        return dg.SkipReason(f"{closed} is before the first quarter partition")
    # One run per quarter from the schedule, whatever happens to the tick.
    return dg.RunRequest(
        run_key=f"refresh-{closed.key}", partition_key=closed.key, tags={"satudata/trigger": "schedule"})
