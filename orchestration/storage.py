"""A data dir that is full, read-only or not ours, told in one sentence instead of a stack trace."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}
# How DuckDB, SQLite and dbt put the same causes in words; they do not keep the errno.
_CAUSE_TEXTS = {
    "no space left on device": errno.ENOSPC,
    "disk quota exceeded": errno.EDQUOT,
    "read-only file system": errno.EROFS,
    "readonly database": errno.EROFS,
    "permission denied": errno.EACCES,
}
# The folders a run writes under the data dir (the landing and truth folders are only read).
OUTPUT_FOLDERS = ("warehouse", "publish", "reports", "tmp", "logs", "dbt", "gx", "alerts", "dagster_home")


class StorageError(RuntimeError):
    """The data dir cannot take what the run writes; the message says where, why and what to do."""


def _chain(exc: BaseException):
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _cause(texts: list[str], errnos: list[int | None]) -> int | None:
    """The storage errno among `errnos` or named in `texts`, or None when it is another kind of error."""
    for code in errnos:
        if code in _CAUSES:
            return code
    for text in texts:
        lowered = text.lower()
        for words, code in _CAUSE_TEXTS.items():
            if words in lowered:
                return code
    return None


def _free(path: Path) -> str:
    for folder in [path, *path.parents]:
        if folder.exists():
            return f"{shutil.disk_usage(folder).free / 2**20:,.0f} MiB free"
    return "free space unknown"


def explain(exc: BaseException, where: Path) -> str | None:
    """One sentence on a storage failure under `where`, or None when `exc` (with its causes) is not one."""
    chain = list(_chain(exc))
    named = [Path(e.filename) for e in chain if isinstance(e, OSError) and e.filename]
    if named:
        where = named[0] if named[0].is_dir() else named[0].parent
    return explain_texts([str(e) for e in chain], where,
                         errnos=[e.errno for e in chain if isinstance(e, OSError)])


def explain_texts(texts: list[str], where: Path, errnos: list[int | None] = ()) -> str | None:
    """One sentence on a storage failure under `where` described by error `texts`, or None when it is not one."""
    code = _cause(texts, list(errnos))
    if code is None:
        return None
    elsewhere = "or point SATUDATA_DATA_DIR elsewhere"
    advice = {
        errno.ENOSPC: f"free space there {elsewhere}, then re-run the quarter; what was published before is unchanged",
        errno.EDQUOT: f"raise the quota {elsewhere}, then re-run the quarter",
        errno.EROFS: f"mount it read-write {elsewhere}",
        errno.EACCES: f"give the user running the pipeline write access {elsewhere}",
        errno.EPERM: f"give the user running the pipeline write access {elsewhere}",
    }[code]
    detail = f" ({_free(where)})" if code in (errno.ENOSPC, errno.EDQUOT) else ""
    return f"{where}: {_CAUSES[code]}{detail}: {advice}"


def check_writable(data_dir: Path) -> None:
    """Raise StorageError unless every folder a run writes under `data_dir` can be created and written."""
    for name in OUTPUT_FOLDERS:
        folder = data_dir / name
        probe = folder / f".write-probe-{os.getpid()}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
            probe.unlink()
        except OSError as exc:
            message = explain(exc, folder)
            raise StorageError(message or f"{folder}: cannot be written ({exc.strerror})") from None
