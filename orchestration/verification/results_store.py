"""The durable store of field-verification results: every result ever imported, the latest per row in force.

A result names its person by the keyed hashes of the person's list rows in the quarter visited (record_keys.py)
and by the person id then, never by NIK or name, so it follows the person into later quarters. The store holds no
personal data: the keys are HMACs, hasil is a code, the kelurahan a Kemendagri code and the petugas a staff id.
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

STORE = Path("decisions") / "field_results.jsonl"


@dataclass(frozen=True)
class StoredFieldResult:
    """One imported field result on one row (one doubt about one person) of a worksheet."""

    result_id: str  # F<seq>, in import order
    id_verifikasi: str
    jenis_keraguan: str
    person_id: str  # the person's id in the quarter visited
    record_keys: list[str]  # the person's record keys in the quarter visited, sorted
    hasil: str  # a code of worksheet_format.RESULTS
    kode_kelurahan_baru: str | None
    tanggal_kunjungan: str  # the date of the visit, ISO
    petugas: str  # the staff id of who visited
    quarter: str  # the quarter whose worksheet it came from
    imported_at: str
    file_sha256: str


def store_path(data_dir: Path) -> Path:
    return data_dir / STORE


def read_all(data_dir: Path) -> list[StoredFieldResult]:
    """Every result in import order (an empty list when nothing was imported yet)."""
    path = store_path(data_dir)
    if not path.is_file():
        return []
    results = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            results.append(StoredFieldResult(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}: line {number} is not a stored field result ({type(exc).__name__}); restore "
                             "the file from its backup (the audit log holds every result that was imported)") from None
    return results


def in_force(data_dir: Path) -> list[StoredFieldResult]:
    """The latest result per row (id_verifikasi): a later visit of the same doubt replaces the earlier one."""
    latest: dict[str, StoredFieldResult] = {}
    for result in read_all(data_dir):
        latest[result.id_verifikasi] = result
    return sorted(latest.values(), key=lambda r: r.result_id)


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """Hold the store's lock: one import at a time reads the store, numbers its results and appends them."""
    path = store_path(data_dir)
    try:
        private_dir(path.parent)
    except FileExistsError:  # another import made the folder between private_dir's check and its mkdir
        private_dir(path.parent)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def next_ids(data_dir: Path, count: int) -> list[str]:
    """The ids the next `count` results get (under `locked`)."""
    start = len(read_all(data_dir))
    return [f"F{start + i:07d}" for i in range(1, count + 1)]


def append(data_dir: Path, results: list[StoredFieldResult]) -> None:
    """Append results, fsync-ed; the caller holds `locked` and numbered them with `next_ids`."""
    fd = os.open(store_path(data_dir), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        for result in results:
            f.write(json.dumps(asdict(result), sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
