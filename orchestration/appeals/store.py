"""The durable store of appeals (sanggahan): every appeal ever recorded, the latest per person in force.

An appeal names its person by the stable person id and by the keyed hashes of the person's list rows in the
quarter appealed (record_key of the person_keys export), never by NIK or name. The store holds no personal data:
the keys are HMACs, the reason and the decision are codes, the evidence is a letter number and the decider a staff
id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.review.jsonl_store import JsonlStore

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


_STORE = JsonlStore(STORE, StoredAppeal, "S", lambda a: a.person_id, "appeal")
store_path = _STORE.path
read_all = _STORE.read_all
in_force = _STORE.in_force
locked = _STORE.locked
next_ids = _STORE.next_ids
append = _STORE.append
