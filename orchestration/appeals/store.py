"""The durable store of appeals (sanggahan): every appeal ever recorded, the latest per person in force.

An appeal names its person by the stable person id and by the keyed hashes of the person's list rows in the
quarter appealed (record_key of the person_keys export), never by NIK or name. The store holds no personal data:
the keys are HMACs, the reason and the decision are codes, the evidence is a letter number and the decider a staff
id.
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

STORE = Path("decisions") / "appeals.jsonl"


@dataclass(frozen=True)
class StoredAppeal:
    """One recorded appeal against a person's exclusion, with its decision."""

    appeal_id: str  # S<seq>, in recording order
    person_id: str
    record_keys: list[str]  # the person's record keys in the quarter appealed, sorted
    status_appealed: str  # the exclusion status the person had that quarter
    alasan: str  # a code of record.ALASAN
    bukti: str  # the evidence reference, e.g. a letter number
    keputusan: str  # diterima / ditolak
    diputus_oleh: str  # the staff id of who decided
    tanggal: str  # the date of the decision, ISO
    quarter: str  # the quarter whose exclusion was appealed
    recorded_at: str


def store_path(data_dir: Path) -> Path:
    return data_dir / STORE


def read_all(data_dir: Path) -> list[StoredAppeal]:
    """Every appeal in recording order (an empty list when none was recorded yet)."""
    path = store_path(data_dir)
    if not path.is_file():
        return []
    appeals = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            appeals.append(StoredAppeal(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}: line {number} is not a stored appeal ({type(exc).__name__}); restore the "
                             "file from its backup (the audit log holds every appeal that was recorded)") from None
    return appeals


def in_force(data_dir: Path) -> list[StoredAppeal]:
    """The latest appeal per person: a later appeal of the same person replaces the earlier one."""
    latest: dict[str, StoredAppeal] = {}
    for appeal in read_all(data_dir):
        latest[appeal.person_id] = appeal
    return sorted(latest.values(), key=lambda a: a.appeal_id)


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """Hold the store's lock: one recording at a time reads the store, numbers its appeal and appends it."""
    path = store_path(data_dir)
    try:
        private_dir(path.parent)
    except FileExistsError:  # another recording made the folder between private_dir's check and its mkdir
        private_dir(path.parent)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def next_ids(data_dir: Path, count: int) -> list[str]:
    """The ids the next `count` appeals get (under `locked`)."""
    start = len(read_all(data_dir))
    return [f"S{start + i:07d}" for i in range(1, count + 1)]


def append(data_dir: Path, appeals: list[StoredAppeal]) -> None:
    """Append appeals, fsync-ed; the caller holds `locked` and numbered them with `next_ids`."""
    fd = os.open(store_path(data_dir), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        for appeal in appeals:
            f.write(json.dumps(asdict(appeal), sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
