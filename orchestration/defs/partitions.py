"""Quarterly partitions keyed like `2025Q2`, from a configurable first quarter to the current one."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.quarters import Quarter, quarter_range

FIRST_QUARTER_ENV = "SATUDATA_FIRST_QUARTER"
DEFAULT_FIRST_QUARTER = "2024Q1"
JAKARTA = ZoneInfo("Asia/Jakarta")


def jakarta_today() -> dt.date:
    """Today's date in Jakarta, whatever the server's time zone."""
    return dt.datetime.now(JAKARTA).date()


def quarter_keys(today: dt.date | None = None) -> list[str]:
    """Keys from $SATUDATA_FIRST_QUARTER (default 2024Q1) to the quarter containing today, in Jakarta."""
    first = Quarter.parse(os.environ.get(FIRST_QUARTER_ENV, DEFAULT_FIRST_QUARTER))
    current = Quarter.containing(today or jakarta_today())
    return [q.key for q in quarter_range(first, current)]


quarter_partitions = dg.StaticPartitionsDefinition(quarter_keys())
