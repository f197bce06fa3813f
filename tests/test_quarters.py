"""Quarter keys and their windows, including the year boundary."""

import datetime as dt

import pytest

from orchestration.quarters import Quarter, quarter_range


def test_parse_and_windows():
    q = Quarter.parse("2025Q2")
    assert (q.first_day, q.last_day) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert Quarter.parse("2024Q1").last_day == dt.date(2024, 3, 31)


def test_year_boundary():
    assert Quarter.parse("2025Q4").next() == Quarter.parse("2026Q1")
    assert Quarter.parse("2026Q1").previous() == Quarter.parse("2025Q4")
    assert Quarter.containing(dt.date(2025, 12, 31)).key == "2025Q4"
    assert [q.key for q in quarter_range(Quarter.parse("2025Q3"), Quarter.parse("2026Q2"))] == \
        ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]


@pytest.mark.parametrize("bad", ["2025Q5", "2025q2", "25Q2", "2025-Q2", "", None])
def test_bad_keys_are_refused(bad):
    with pytest.raises(ValueError, match="2025Q2"):
        Quarter.parse(bad)
