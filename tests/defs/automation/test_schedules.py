"""The quarterly refresh schedule, evaluated with Dagster's own test context."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from orchestration.defs.automation.schedules import quarterly_refresh
from orchestration.defs.partitions import JAKARTA


@pytest.mark.parametrize(("scheduled", "quarter"), [
    (dt.datetime(2026, 1, 15, 6, tzinfo=JAKARTA), "2025Q4"),  # the year boundary
    (dt.datetime(2025, 4, 15, 6, tzinfo=JAKARTA), "2025Q1"),
    (dt.datetime(2025, 7, 15, 6, tzinfo=JAKARTA), "2025Q2"),
    (dt.datetime(2025, 10, 15, 6, tzinfo=JAKARTA), "2025Q3"),
])
def test_the_refresh_runs_the_quarter_that_has_just_closed(scheduled, quarter):
    context = dg.build_schedule_context(scheduled_execution_time=scheduled)
    request = quarterly_refresh(context)
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == quarter and request.run_key == f"refresh-{quarter}"


def test_the_first_of_january_in_utc_is_still_the_old_year_in_jakarta():
    # 31 Dec 2025 20:00 UTC is 1 Jan 2026 03:00 in Jakarta: 2025Q4 has closed there.
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2025, 12, 31, 20, tzinfo=dt.UTC))
    assert quarterly_refresh(context).partition_key == "2025Q4"


def test_a_quarter_before_the_first_partition_is_skipped():
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2023, 1, 15, 6, tzinfo=JAKARTA))
    assert isinstance(quarterly_refresh(context), dg.SkipReason)


def test_the_schedule_fires_once_a_quarter():
    assert quarterly_refresh.cron_schedule == "0 6 15 1,4,7,10 *"
    assert quarterly_refresh.execution_timezone == "Asia/Jakarta"
