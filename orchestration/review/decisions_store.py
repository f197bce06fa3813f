"""The durable store of clerical-review decisions: every decision ever imported, the latest per pair in force.

A decision names its two records by keyed hashes of identifiers that outlive a quarter (record_keys.py), never by
row numbers, so it applies to the same records in every later quarter. The store holds no NIK or name: the keys
are HMACs, the reasons are codes and the reviewer is a staff id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.review.jsonl_store import JsonlStore

STORE = Path("decisions") / "review_decisions.jsonl"


@dataclass(frozen=True)
class StoredDecision:
    """One imported decision on a pair of records."""

    decision_id: str  # D<seq>, in import order
    pair_id: str
    key_l: str
    key_r: str
    decision: str  # match / not_match
    reason: str
    reviewer: str
    quarter: str  # the quarter whose worklist it came from
    imported_at: str
    file_sha256: str


_STORE = JsonlStore(STORE, StoredDecision, "D", lambda d: d.pair_id, "decision")
store_path = _STORE.path
read_all = _STORE.read_all
in_force = _STORE.in_force
locked = _STORE.locked
next_ids = _STORE.next_ids
append = _STORE.append
