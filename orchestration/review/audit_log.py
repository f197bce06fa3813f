"""The append-only audit log of human decisions: who decided what, when, before and after, and the run that applied it.

Each line of `decisions/audit_log.jsonl` is one entry in canonical JSON, numbered by `seq` and chained: `prev_hash`
is the previous entry's `hash`, and `hash` is the sha256 of the entry without it. Personal data enters only as
keyed hashes; an entry with a 16-digit number (a NIK or No. KK) is refused.

What the chain shows and what it cannot: an entry edited, inserted, removed or moved anywhere before the last one
breaks it. A cut tail leaves a valid shorter chain, so `decisions/audit_log.head` records the last seq and hash
after every append, and a log that no longer reaches its head was truncated or rolled back. Someone who can
rewrite the log and its head consistently (recomputing every hash) is not caught: that needs the head kept
elsewhere, e.g. printed in a signed report.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration.publish.files import FILE_MODE, private_dir, write_text_atomic

AUDIT_LOG = Path("decisions") / "audit_log.jsonl"
KINDS = ("review", "field", "appeal", "applied")
INPUT_FIELDS = ("kind", "actor", "what", "before", "after", "run_id", "source_file_sha256")
FIELDS = ("seq", "at", *INPUT_FIELDS, "prev_hash", "hash")
GENESIS = "0" * 64
_ID = re.compile(r"(?<!\d)\d{16}(?!\d)")
# A keyed hash or a file digest (64 hex digits) or a pair id holds a run of 16 decimal digits now and then (a few
# keys in a thousand): such a value is a hash, not an identifier, and is not searched.
_HASH = re.compile(r"[0-9a-f]{64}|RV[0-9A-F]{16}|VF[0-9A-F]{16}")


class AuditLogError(Exception):
    """The log is broken, or an entry may not go into it."""


@dataclass
class AuditLogReport:
    """What `verify` found: how many entries, and what does not hold (no problem means the chain is intact)."""

    entries: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _hash(entry: dict) -> str:
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"}).encode()).hexdigest()


def _holds_an_id(value: object) -> bool:
    if isinstance(value, str):
        return not _HASH.fullmatch(value) and bool(_ID.search(value))
    # A NIK read as a number is as personal as one read as text; floats are not ids (probabilities have 16 digits).
    if isinstance(value, int) and not isinstance(value, bool):
        return len(str(abs(value))) == 16
    if isinstance(value, dict):
        return any(_holds_an_id(k) or _holds_an_id(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(map(_holds_an_id, value))
    return False


def _check(number: int, entry: dict) -> None:
    """Refuse an entry that is not one the log takes; the message names the entry, never its values."""
    where = f"audit log entry {number}"
    if not isinstance(entry, dict) or set(entry) != set(INPUT_FIELDS):
        raise AuditLogError(f"{where}: needs exactly the fields {', '.join(INPUT_FIELDS)}")
    if entry["kind"] not in KINDS:
        raise AuditLogError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if not (isinstance(entry["actor"], str) and entry["actor"]) or not isinstance(entry["what"], dict):
        raise AuditLogError(f"{where}: actor must be a staff id (or 'pipeline') and what an object")
    if any(entry[k] is not None and not isinstance(entry[k], str) for k in ("run_id", "source_file_sha256")):
        raise AuditLogError(f"{where}: run_id and source_file_sha256 must be text or null")
    if _holds_an_id(entry):
        raise AuditLogError(f"{where}: holds a 16-digit number (a NIK or No. KK?); personal data enters the "
                            "audit log only as keyed hashes")
    try:
        _canonical(entry)
    except (TypeError, ValueError):
        raise AuditLogError(f"{where}: holds a value that is not plain JSON") from None


@contextlib.contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[None]:
    """Hold the lock beside the log: appends exclude each other and readers, so no reader sees half a batch."""
    lock = path.with_suffix(".lock")
    if not exclusive and not lock.exists():
        yield  # nothing was ever appended, and a check should not create files
        return
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, FILE_MODE) if exclusive else os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _intact(entry: dict, raw: bytes) -> bool:
    """Whether the entry hashes to its `hash` and its line is exactly as the log writes it."""
    # The second test catches what hashing the parsed entry cannot: a duplicated key or changed spacing.
    try:
        return entry["hash"] == _hash(entry) and raw == _canonical(entry).encode()
    except ValueError:  # NaN or infinity, which the log never writes
        return False


def _scan(path: Path) -> tuple[AuditLogReport, list[dict]]:
    """Check every line of the log at `path` and the head beside it."""
    lines = path.read_bytes().split(b"\n") if path.is_file() else [b""]
    tail = lines.pop()  # what follows the last line end: nothing, unless a write was cut off
    problems = [f"line {len(lines) + 1}: cut off (no line end): a write was interrupted or the file truncated"] \
        if tail else []
    entries: list[dict] = []
    expected, previous = 1, GENESIS
    for number, raw in enumerate(lines, start=1):
        try:
            entry = json.loads(raw)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            problems.append(f"line {number}: not a JSON object")
            expected, previous = expected + 1, None
            continue
        missing = [f for f in FIELDS if f not in entry]
        seq = entry.get("seq")
        seq_ok = type(seq) is int
        where = f"line {number} (seq {seq})" if seq_ok else f"line {number}"
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
        if not seq_ok:
            problems.append(f"{where}: seq is not a whole number")
        elif seq != expected:
            problems.append(f"{where}: seq {expected} expected here (an entry was removed, inserted or moved)")
        if previous is not None and entry.get("prev_hash") != previous:
            problems.append(f"{where}: prev_hash is not the hash of the entry before it")
        if not missing and not _intact(entry, raw):
            problems.append(f"{where}: hash does not match the content (the entry was edited)")
        entries.append(entry)
        expected = seq + 1 if seq_ok else expected + 1
        previous = entry.get("hash") if isinstance(entry.get("hash"), str) else None
    problems += _head_problems(path.with_suffix(".head"), entries, bool(lines or tail))
    return AuditLogReport(len(entries), problems), entries


def _head_problems(head_path: Path, entries: list[dict], written: bool) -> list[str]:
    """Whether the log still reaches the last entry its head records."""
    if not head_path.is_file():
        return ["audit_log.head is missing: a cut-off end of the log could not be seen"] if written else []
    try:
        head = json.loads(head_path.read_text(encoding="utf-8"))
        seq, digest = head["seq"], head["hash"]
    except (ValueError, TypeError, KeyError):
        return ["audit_log.head is unreadable"]
    if type(seq) is not int or not isinstance(digest, str):
        return ["audit_log.head is unreadable"]
    if seq == 0 and digest == GENESIS:
        return []
    # The log may run past its head: a crash between appending and rewriting the head; the next append mends it.
    at_head = next((e for e in entries if e.get("seq") == seq), None)
    last = max((e["seq"] for e in entries if type(e.get("seq")) is int), default=0)
    if at_head is None:
        return [f"the log ends at seq {last} but its head records seq {seq}: entries were cut off or rolled back"]
    if at_head.get("hash") != digest:
        return [f"seq {seq} is not the entry the head records: the log was rewritten from there on"]
    return []


def _write_head(head: Path, seq: int, digest: str) -> None:
    write_text_atomic(head, _canonical({"seq": seq, "hash": digest}) + "\n", "append")


def verify(data_dir: Path) -> AuditLogReport:
    """Check the chain, the line ends and the head of the data dir's audit log (a missing log is fine, and empty)."""
    path = data_dir / AUDIT_LOG
    with _locked(path, exclusive=False):
        return _scan(path)[0]


def read_entries(data_dir: Path) -> list[dict]:
    """Every entry of the audit log, in order, once its chain verifies."""
    path = data_dir / AUDIT_LOG
    with _locked(path, exclusive=False):
        report, entries = _scan(path)
    if not report.ok:
        raise AuditLogError("the audit log does not verify: " + "; ".join(report.problems))
    return entries


def append_entries(data_dir: Path, entries: list[dict]) -> list[dict]:
    """Append `entries` (the INPUT_FIELDS each) to the chain, all or none; return them as written."""
    for number, entry in enumerate(entries, start=1):
        _check(number, entry)
    if not entries:
        return []
    path = data_dir / AUDIT_LOG
    private_dir(path.parent)
    with _locked(path, exclusive=True):
        report, existing = _scan(path)
        if not report.ok:
            raise AuditLogError("the audit log does not verify, nothing appended: " + "; ".join(report.problems))
        seq, previous = (existing[-1]["seq"], existing[-1]["hash"]) if existing else (0, GENESIS)
        at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        written = []
        for entry in entries:
            seq += 1
            full = {**entry, "seq": seq, "at": at, "prev_hash": previous}
            full["hash"] = previous = _hash(full)
            written.append(full)
        head = path.with_suffix(".head")
        if not existing and not head.exists():
            # A head before the first line: a crash before the head below is rewritten leaves a log past its head.
            _write_head(head, 0, GENESIS)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            os.fchmod(fd, FILE_MODE)
            f.write("".join(_canonical(e) + "\n" for e in written))
            f.flush()
            os.fsync(f.fileno())
        _write_head(head, seq, previous)
    return written
