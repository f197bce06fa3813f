"""Which quarters have landed completely, and which files a late quarter still misses (no Dagster here)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingest.contract import EXTRACTS
from orchestration.quarters import Quarter

DEADLINE_ENV = "SATUDATA_LANDING_DEADLINE_DAYS"
DEFAULT_DEADLINE_DAYS = 30


@dataclass(frozen=True)
class LandingState:
    """A quarter's landing folder: the files present, their fingerprint, and whether it is past its deadline."""

    quarter: Quarter
    present: tuple[str, ...]
    missing: tuple[str, ...]
    fingerprint: str  # of the names, sizes and modification times: a re-delivered file changes it
    past_deadline: bool

    @property
    def complete(self) -> bool:
        return not self.missing


def deadline_days() -> int:
    """Days after a quarter's end by which its five files should have landed ($SATUDATA_LANDING_DEADLINE_DAYS)."""
    raw = os.environ.get(DEADLINE_ENV, str(DEFAULT_DEADLINE_DAYS))
    if not raw.isdigit():
        raise ValueError(f"${DEADLINE_ENV} must be a whole number of days, got {raw!r}")
    return int(raw)


def landing_state(data_dir: Path, quarter: Quarter, today: dt.date, deadline: int) -> LandingState:
    """What has landed for `quarter` as of `today`."""
    folder = data_dir / "landing" / quarter.key
    present, missing, digest = [], [], hashlib.sha256()
    for spec in EXTRACTS:
        path = folder / spec.file_name
        if path.is_file():
            stat = path.stat()
            present.append(spec.file_name)
            digest.update(f"{spec.file_name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        else:
            missing.append(spec.file_name)
    return LandingState(quarter, tuple(present), tuple(missing), digest.hexdigest()[:16],
                        today > quarter.last_day + dt.timedelta(days=deadline))


def just_closed(today: dt.date) -> Quarter:
    """The last quarter that has ended by `today` (2025Q4 from 1 January 2026 to 31 March 2026)."""
    return Quarter.containing(today).previous()
