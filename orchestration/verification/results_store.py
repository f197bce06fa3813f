"""The durable store of field-verification results: every result ever imported, the latest per row in force.

A result names its person by the keyed hashes of the person's list rows in the quarter visited (record_keys.py)
and by the person id then, never by NIK or name, so it follows the person into later quarters. The store holds no
personal data: the keys are HMACs, hasil is a code, the kelurahan a Kemendagri code and the petugas a staff id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.review.jsonl_store import JsonlStore

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


_STORE = JsonlStore(STORE, StoredFieldResult, "F", lambda r: r.id_verifikasi, "field result")
store_path = _STORE.path
read_all = _STORE.read_all
in_force = _STORE.in_force
locked = _STORE.locked
next_ids = _STORE.next_ids
append = _STORE.append
