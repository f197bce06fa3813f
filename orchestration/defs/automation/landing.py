"""Which quarters have landed completely, and which files a late quarter still misses (no Dagster here).

A file counts only when it is complete: the sender's ready marker vouches for it by sha256, or, without a marker,
its size and modification time have stayed the same across sensor ticks for a settling time
(docs/landing_contract.md, "When a quarter counts as landed").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest.contract import EXTRACTS
from orchestration.ingest.load import file_sha256
from orchestration.quarters import Quarter

DEADLINE_ENV = "SATUDATA_LANDING_DEADLINE_DAYS"
DEFAULT_DEADLINE_DAYS = 30
SETTLE_ENV = "SATUDATA_LANDING_SETTLE_MINUTES"
DEFAULT_SETTLE_MINUTES = 10
# Written by the sender after the five files, in `sha256sum` format: one "<sha256>  <file name>" line per file.
READY_MARKER = "_READY"
_MARKER_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](\S+)")


@dataclass(frozen=True)
class LandingState:
    """A quarter's landing folder: the files present, which are not yet complete, and whether it is past its deadline."""

    quarter: Quarter
    present: tuple[str, ...]
    missing: tuple[str, ...]
    fingerprint: str  # of the names, sizes and modification times: a re-delivered file changes it
    past_deadline: bool
    # Why a present file does not count yet ("dtks.csv: still changing ..."); empty when all are complete.
    not_ready: tuple[str, ...] = ()
    marker: str = "absent"  # "absent", "verified" or "rejected"
    # What the sensor keeps in its cursor for the next tick: file -> [size, mtime_ns, first seen so (s), sha256].
    observed: dict[str, list] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.not_ready


def deadline_days() -> int:
    """Days after a quarter's end by which its five files should have landed ($SATUDATA_LANDING_DEADLINE_DAYS)."""
    raw = os.environ.get(DEADLINE_ENV, str(DEFAULT_DEADLINE_DAYS))
    if not raw.isdigit():
        raise ValueError(f"${DEADLINE_ENV} must be a whole number of days, got {raw!r}")
    return int(raw)


def settle_seconds() -> float:
    """How long a file without a ready marker must keep its size and mtime ($SATUDATA_LANDING_SETTLE_MINUTES)."""
    raw = os.environ.get(SETTLE_ENV, str(DEFAULT_SETTLE_MINUTES))
    try:
        minutes = float(raw)
    except ValueError:
        minutes = -1.0
    if not minutes >= 0:
        raise ValueError(f"${SETTLE_ENV} must be a number of minutes (0 or more), got {raw!r}")
    return minutes * 60


def read_marker(path: Path) -> tuple[dict[str, str], list[str]]:
    """The sha256 per file name a ready marker lists, and what is wrong with its lines (by line number)."""
    listed: dict[str, str] = {}
    problems: list[str] = []
    expected = {spec.file_name for spec in EXTRACTS}
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _MARKER_LINE.fullmatch(line.strip())
        if not match:
            problems.append(f"{READY_MARKER} line {number} is not '<sha256>  <file name>'")
        elif match.group(2) not in expected:
            problems.append(f"{READY_MARKER} line {number} names {match.group(2)!r}, not a file of the contract")
        else:
            listed[match.group(2)] = match.group(1).lower()
    return listed, problems


def write_marker(folder: Path) -> Path:
    """Write the ready marker for the five files in `folder`, as a sender does after copying them."""
    lines = [f"{file_sha256(folder / spec.file_name)}  {spec.file_name}\n" for spec in EXTRACTS]
    marker = folder / READY_MARKER
    marker.write_text("".join(lines), encoding="utf-8")
    return marker


def landing_state(
    data_dir: Path, quarter: Quarter, today: dt.date, deadline: int, *,
    now: float = 0.0, settle: float = 0.0, previous: dict[str, list] | None = None,
) -> LandingState:
    """What has landed for `quarter` as of `today`; `previous` is what the last tick observed (its `observed`)."""
    folder = data_dir / "landing" / quarter.key
    previous = previous or {}
    present, missing, digest = [], [], hashlib.sha256()
    observed: dict[str, list] = {}
    for spec in EXTRACTS:
        path = folder / spec.file_name
        if path.is_file():
            stat = path.stat()
            present.append(spec.file_name)
            digest.update(f"{spec.file_name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
            before = previous.get(spec.file_name)
            unchanged = before is not None and before[:2] == [stat.st_size, stat.st_mtime_ns]
            observed[spec.file_name] = ([*before[:3], before[3] if len(before) > 3 else None] if unchanged
                                        else [stat.st_size, stat.st_mtime_ns, now, None])
        else:
            missing.append(spec.file_name)
    marker_path = folder / READY_MARKER
    not_ready: list[str] = []
    if marker_path.is_file():
        marker = "verified"
        listed, problems = read_marker(marker_path)
        not_ready += problems
        for name in present:
            if name not in listed:
                not_ready.append(f"{name} is not listed in {READY_MARKER}")
                continue
            seen = observed[name]
            # Hash a file once per size and mtime: the sensor ticks every few minutes over files of 100s of MB.
            if seen[3] is None:
                seen[3] = file_sha256(folder / name)
            if seen[3] != listed[name]:
                not_ready.append(f"{name} does not match its sha256 in {READY_MARKER} (still being copied, "
                                 "or the marker is wrong)")
        if not_ready:
            marker = "rejected"
    else:
        marker = "absent"
        for name in present:
            waited = now - observed[name][2]
            if waited < settle:
                not_ready.append(f"{name} has not kept its size and mtime for {settle / 60:g} minutes yet "
                                 f"(unchanged for {max(waited, 0) / 60:.0f}; no {READY_MARKER} marker)")
    return LandingState(quarter, tuple(present), tuple(missing), digest.hexdigest()[:16],
                        today > quarter.last_day + dt.timedelta(days=deadline), tuple(not_ready), marker, observed)


def cursor_for(state: LandingState) -> str:
    """The sensor cursor that carries this tick's observations to the next."""
    return json.dumps({"quarter": state.quarter.key, "files": state.observed}, sort_keys=True)


def observations_from(cursor: str | None, quarter: Quarter) -> dict[str, list]:
    """The observations a cursor holds for `quarter` (none for another quarter or an unreadable cursor)."""
    try:
        data = json.loads(cursor or "{}")
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict) or data.get("quarter") != quarter.key or not isinstance(data.get("files"), dict):
        return {}
    return {k: v for k, v in data["files"].items() if isinstance(v, list) and len(v) >= 3}


def just_closed(today: dt.date) -> Quarter:
    """The last quarter that has ended by `today` (2025Q4 from 1 January 2026 to 31 March 2026)."""
    return Quarter.containing(today).previous()
