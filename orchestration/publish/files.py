"""Owner-only files written whole or not at all: temp file in the same folder, fsync, verify, rename."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from orchestration.ingest.load import file_sha256 as sha256_of

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".tmp"
# renameat2(2): swap two paths in one step (Linux 3.15+, glibc 2.28+).
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents owner-only; tighten `path` itself when it already exists."""
    # mkdir(parents=True) gives the parents it creates the default mode, whatever `mode` says.
    for folder in [*reversed(path.parents), path]:
        if not folder.exists():
            folder.mkdir(mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def make_private(folder: Path) -> None:
    """Tighten everything under `folder` to 0600 files and 0700 folders (for what others' code writes there)."""
    if not folder.is_dir():
        return
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)


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
    temp = target.with_name(f".{target.name}.{run_id}{TEMP_SUFFIX}")
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


def remove_stale_temps(folder: Path, name_prefix: str = "") -> list[Path]:
    """Delete the temp files a killed run left in `folder` for targets named `name_prefix`*; return them.

    A finished or failed run never leaves one; only the quarter's own run may call this, so the prefix keeps it
    off the temp files of another quarter's run writing into a shared folder at the same time.
    """
    if not folder.is_dir():
        return []
    stale = sorted(p for p in folder.glob(f".{name_prefix}*{TEMP_SUFFIX}") if p.is_file())
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def _exchange(a: Path, b: Path) -> bool:
    """Swap paths `a` and `b` atomically; False where the kernel or filesystem cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def replace_folder(staged: Path, target: Path) -> None:
    """Put the finished folder `staged` in place of `target` as a whole, so readers see one set of files or the other.

    `staged` must be on the same filesystem. With an existing `target` the two are exchanged in one step and the
    old set is then deleted; where the filesystem cannot exchange, the old folder is renamed away first, so for a
    moment `target` is absent, still never partial.
    """
    for path in staged.iterdir():
        os.chmod(path, FILE_MODE)
        _fsync(path)
    os.chmod(staged, DIR_MODE)
    _fsync(staged)
    private_dir(target.parent)
    if not target.exists():
        os.rename(staged, target)
    elif _exchange(staged, target):
        shutil.rmtree(staged)
    else:
        retired = staged.with_name(staged.name + ".retired")
        os.rename(target, retired)
        os.rename(staged, target)
        shutil.rmtree(retired)
    _fsync(target.parent)
