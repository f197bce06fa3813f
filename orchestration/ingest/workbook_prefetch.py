"""Reading a landing workbook in a child process while the CSVs load, so that the second core has work.

The CSV assets start it (`start`), the workbook's asset takes what it read (`take`) instead of reading the file
itself. A read it cannot use (the file changed since, the child died) is dropped and the file read as before.
"""

from __future__ import annotations

import atexit
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from orchestration.ingest.contract import ExtractSpec, extract
from orchestration.ingest.errors import LandingError
from orchestration.ingest.rows import Chunk, Quarantined, ReadStats

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
_ROWS, _RESULT = "rows.arrow", "result.pickle"


@dataclass
class Prefetch:
    """A child reading one workbook into `folder`."""

    identity: tuple[int, int, int]
    folder: Path
    process: subprocess.Popen


@dataclass
class Read:
    """What the child read: its rows as one Arrow table, the quarantined rows and the read's stats."""

    rows: pa.Table
    quarantined: list[Quarantined]
    stats: ReadStats


_STARTED: dict[Path, Prefetch] = {}


def identity(path: Path) -> tuple[int, int, int]:
    """The file as it stands: a rewrite or a replacement changes one of these."""
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def start(spec: ExtractSpec, path: Path, work_dir: Path) -> None:
    """Start reading the workbook `path` in a child, unless one already reads it as it stands now."""
    path = path.resolve()
    if not path.is_file():
        return
    known = _STARTED.get(path)
    if known is not None:
        if known.identity == identity(path):
            return
        _stop(_STARTED.pop(path))
    work_dir.mkdir(parents=True, exist_ok=True)
    # 0700, and the child writes its files 0600: they hold the list's rows (UU PDP 27/2022).
    folder = Path(tempfile.mkdtemp(prefix=f"prefetch_{spec.source}_", dir=work_dir))
    code = (f"import sys; sys.path.insert(0, {str(_PACKAGE_ROOT)!r}); "
            f"from {__name__} import _child; raise SystemExit(_child())")
    found = identity(path)
    process = subprocess.Popen([sys.executable, "-c", code, spec.source, str(path), str(folder)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _STARTED[path] = Prefetch(found, folder, process)


def take(path: Path) -> Read | None:
    """What a child read of `path`, waiting for it to finish; None when none was started or its read is unusable.

    Raises the child's LandingError: the same whole-file fault the file would raise read here.
    """
    prefetch = _STARTED.pop(path.resolve(), None)
    if prefetch is None:
        return None
    try:
        if prefetch.process.wait() != 0 or identity(path) != prefetch.identity:
            return None
        with open(prefetch.folder / _RESULT, "rb") as handle:
            result = pickle.load(handle)
        if result["identity"] != prefetch.identity:
            return None  # the file changed while the child read it
        if result["error"] is not None:
            problem, column, row = result["error"]
            raise LandingError(path, problem, column=column, row=row)
        # Mapped, not copied: the table's buffers keep the map open after its file is removed below.
        rows = pa.ipc.open_file(pa.memory_map(str(prefetch.folder / _ROWS))).read_all()
        return Read(rows, result["quarantined"], result["stats"])
    finally:
        _stop(prefetch)


def stop_all() -> None:
    """Stop every child still reading and remove what they wrote (at the end of a run)."""
    while _STARTED:
        _stop(_STARTED.popitem()[1])


def _stop(prefetch: Prefetch) -> None:
    if prefetch.process.poll() is None:
        prefetch.process.kill()
        prefetch.process.wait()
    shutil.rmtree(prefetch.folder, ignore_errors=True)


atexit.register(stop_all)


def _child() -> int:
    """The child: read the workbook named on the command line into the folder named after it."""
    from orchestration.ingest.load import chunk_table, no_cyclic_gc
    from orchestration.ingest.xlsx_reader import read_workbook

    source, path, folder = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    spec = extract(source)
    os.umask(0o077)
    found = identity(path)
    stats, quarantined, error = ReadStats(), [], None
    schema = chunk_table(spec, Chunk(columns=[[] for _ in spec.columns], numeric_cells=[])).schema
    with no_cyclic_gc(), pa.OSFile(str(folder / _ROWS), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        try:
            for chunk in read_workbook(spec, path, stats):
                if len(chunk):
                    writer.write_table(chunk_table(spec, chunk))
                quarantined += chunk.quarantined
        except LandingError as exc:
            error = (exc.problem, exc.column, exc.row)
    result = {"identity": found if identity(path) == found else None, "error": error,
              "quarantined": quarantined, "stats": stats}
    written = folder / (_RESULT + ".part")
    with open(written, "wb") as handle:
        pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
    written.rename(folder / _RESULT)
    return 0
