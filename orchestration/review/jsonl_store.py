"""An append-only store of human decisions, one JSON object per line: every entry ever made, numbered, the latest
per subject in force. The review decisions, field results and appeals are three of them."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Generic, TypeVar

from orchestration.publish.files import private_dir

Entry = TypeVar("Entry")


@dataclass(frozen=True)
class JsonlStore(Generic[Entry]):
    """The store at <data dir>/`relative`, of entries of dataclass `entry` numbered `<prefix>0000001`...; the
    latest entry per `subject` is in force; `noun` names an entry in messages."""

    relative: Path
    entry: type
    prefix: str
    subject: Callable[[Entry], str]
    noun: str

    def path(self, data_dir: Path) -> Path:
        return data_dir / self.relative

    def read_all(self, data_dir: Path) -> list[Entry]:
        """Every entry in the order made (an empty list when none was made yet)."""
        path = self.path(data_dir)
        if not path.is_file():
            return []
        entries = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                entries.append(self.entry(**json.loads(line)))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{path}: line {number} is not a stored {self.noun} ({type(exc).__name__}); "
                                 f"restore the file from its backup (the audit log holds every {self.noun} "
                                 "that was made)") from None
        return entries

    def in_force(self, data_dir: Path) -> list[Entry]:
        """The latest entry per subject, in id order: a later decision on the same subject replaces the earlier."""
        latest = {}
        for entry in self.read_all(data_dir):
            latest[self.subject(entry)] = entry
        id_field = fields(self.entry)[0].name
        return sorted(latest.values(), key=lambda e: getattr(e, id_field))

    @contextlib.contextmanager
    def locked(self, data_dir: Path) -> Iterator[None]:
        """Hold the store's lock: one writer at a time reads the store, numbers its entries and appends them."""
        path = self.path(data_dir)
        try:
            private_dir(path.parent)
        except FileExistsError:  # another writer made the folder between private_dir's check and its mkdir
            private_dir(path.parent)
        with open(path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def next_ids(self, data_dir: Path, count: int) -> list[str]:
        """The ids the next `count` entries get (under `locked`)."""
        start = len(self.read_all(data_dir))
        return [f"{self.prefix}{start + i:07d}" for i in range(1, count + 1)]

    def append(self, data_dir: Path, entries: list[Entry]) -> None:
        """Append entries, fsync-ed; the caller holds `locked` and numbered them with `next_ids`."""
        fd = os.open(self.path(data_dir), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            for entry in entries:
                f.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
