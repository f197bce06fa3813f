"""Quarters and the written forms of dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from orchestration.quarters import Quarter as CalendarQuarter

from .population import EPOCH, to_days

# Excel's day 0 is 1899-12-30 (it counts the non-existent 1900-02-29).
EXCEL_EPOCH_OFFSET = (EPOCH - dt.date(1899, 12, 30)).days

# Text forms of a date, by code.
ISO, DMY_DASH, DMY_SLASH = 0, 1, 2
_FORMATS = {
    ISO: "{y:04d}-{m:02d}-{d:02d}",
    DMY_DASH: "{d:02d}-{m:02d}-{y:04d}",
    DMY_SLASH: "{d:02d}/{m:02d}/{y:04d}",
}


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter as written (2025Q2) with its first and last day as day numbers."""

    label: str
    year: int
    number: int
    start: int
    end: int


def parse_quarter(quarter: str) -> Quarter:
    """Parse "YYYYQn" with orchestration.quarters; raise ValueError for anything else."""
    calendar = CalendarQuarter.parse(quarter)
    if not 2000 <= calendar.year <= 2099:
        raise ValueError(f"quarter year must lie between 2000 and 2099, got {calendar.year}")
    return Quarter(calendar.key, calendar.year, calendar.number,
                   to_days(calendar.first_day), to_days(calendar.last_day))


def format_dates(days: np.ndarray, codes: np.ndarray | int = ISO) -> np.ndarray:
    """Object array of dates written in the form given per row (ISO, DMY_DASH or DMY_SLASH)."""
    days = np.asarray(days, dtype=np.int64)
    codes = np.broadcast_to(np.asarray(codes), days.shape)
    out = np.empty(len(days), dtype=object)
    for code, pattern in _FORMATS.items():
        sel = codes == code
        if not sel.any():
            continue
        uniq, inv = np.unique(days[sel], return_inverse=True)
        texts = []
        for d in uniq.tolist():
            date = EPOCH + dt.timedelta(days=d)
            texts.append(pattern.format(y=date.year, m=date.month, d=date.day))
        out[sel] = np.array(texts, dtype=object)[inv]
    return out


def excel_serial(days: np.ndarray) -> np.ndarray:
    """Excel serial date numbers of day numbers."""
    return np.asarray(days, dtype=np.int64) + EXCEL_EPOCH_OFFSET
