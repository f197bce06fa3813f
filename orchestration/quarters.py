"""Quarter keys (`2025Q2`) and their calendar windows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written like `2025Q2`."""

    year: int
    number: int

    @classmethod
    def parse(cls, key: str) -> Quarter:
        """Parse a key like `2025Q2`, raising ValueError on anything else."""
        match = _QUARTER_RE.match(key.strip()) if isinstance(key, str) else None
        if not match:
            raise ValueError(f"quarter must be written like 2025Q2, got {key!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter a date falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def __str__(self) -> str:
        return self.key


def quarter_range(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from first to last, both included."""
    quarters, current = [], first
    while current <= last:
        quarters.append(current)
        current = current.next()
    return quarters
