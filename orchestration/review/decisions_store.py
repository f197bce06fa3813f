"""The durable store of clerical-review decisions: every decision ever imported, the latest per pair in force.

A decision names its two records by keyed hashes of identifiers that outlive a quarter (record_keys.py), never by
row numbers, so it applies to the same records in every later quarter. The store holds no NIK or name: the keys
are HMACs, the reasons are codes and the reviewer is a staff id.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestration.publish.files import private_dir

STORE = Path("decisions") / "review_decisions.jsonl"


@dataclass(frozen=True)
class StoredDecision:
    """One imported decision on a pair of records."""

    decision_id: str  # D<seq>, in import order
    pair_id: str
    key_l: str
    key_r: str
    decision: str  # match / not_match
    reason: str
    reviewer: str
    quarter: str  # the quarter whose worklist it came from
    imported_at: str
    file_sha256: str


def store_path(data_dir: Path) -> Path:
    return data_dir / STORE


def read_all(data_dir: Path) -> list[StoredDecision]:
    """Every decision in import order (an empty list when nothing was imported yet)."""
    path = store_path(data_dir)
    if not path.is_file():
        return []
    decisions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            decisions.append(StoredDecision(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}: line {number} is not a stored decision ({type(exc).__name__}); restore the "
                             "file from its backup (the audit log holds every decision that was imported)") from None
    return decisions


def in_force(data_dir: Path) -> list[StoredDecision]:
    """The latest decision per pair: a later review of a pair replaces the earlier one."""
    latest: dict[str, StoredDecision] = {}
    for decision in read_all(data_dir):
        latest[decision.pair_id] = decision
    return sorted(latest.values(), key=lambda d: d.decision_id)


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """Hold the store's lock: one import at a time reads the store, numbers its decisions and appends them."""
    path = store_path(data_dir)
    private_dir(path.parent)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def next_ids(data_dir: Path, count: int) -> list[str]:
    """The ids the next `count` decisions get (under `locked`)."""
    start = len(read_all(data_dir))
    return [f"D{start + i:07d}" for i in range(1, count + 1)]


def append(data_dir: Path, decisions: list[StoredDecision]) -> None:
    """Append decisions, fsync-ed; the caller holds `locked` and numbered them with `next_ids`."""
    fd = os.open(store_path(data_dir), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        for decision in decisions:
            f.write(json.dumps(asdict(decision), sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
