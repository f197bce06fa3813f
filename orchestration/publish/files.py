"""Owner-only files written whole or not at all: temp file in the same folder, fsync, verify, rename."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from orchestration.ingest.load import file_sha256 as sha256_of

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents owner-only; tighten `path` itself when it already exists."""
    # mkdir(parents=True) gives the parents it creates the default mode, whatever `mode` says.
    for folder in [*reversed(path.parents), path]:
        if not folder.exists():
            folder.mkdir(mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path, run_id: str) -> Iterator[Path]:
    """A temp path beside `target`; on clean exit it is made 0600, fsynced and renamed onto `target`.

    A reader sees the old file or the new one, never a part: the rename is atomic within one folder. On any
    error the temp file is removed and `target` is left as it was.
    """
    private_dir(target.parent)
    temp = target.with_name(f".{target.name}.{run_id}.tmp")
    try:
        yield temp
        os.chmod(temp, FILE_MODE)
        _fsync(temp)
        os.replace(temp, target)
        _fsync(target.parent)
    finally:
        temp.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str, run_id: str, verify: Callable[[Path], None] | None = None) -> str:
    """Write `text` to `target` atomically and return the file's sha256."""
    with atomic_path(target, run_id) as temp:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        if verify:
            verify(temp)
        digest = sha256_of(temp)
    return digest
