"""`satudata review import FILE`: check a returned worklist whole, then store its decisions and log each one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.paths import QuarterPaths
from orchestration.publish.files import sha256_of
from orchestration.quarters import Quarter
from orchestration.review import audit_log, decisions_store
from orchestration.review.decisions_file import DecisionFileError, read_decisions


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did."""

    file: str
    decided: int
    stored: list[str]  # decision ids
    already_imported: bool = False

    def render(self) -> str:
        if self.already_imported:
            return f"{self.file}: already imported; nothing applied again"
        if not self.stored:
            return f"{self.file}: no decision filled in; nothing to apply"
        return (f"{self.file}: {len(self.stored)} decisions stored ({self.stored[0]}..{self.stored[-1]}); the next run "
                "of the quarter applies them (the review_decisions_sensor starts it)")


def _worklist_pairs(paths: QuarterPaths, file_name: str) -> tuple[str, dict[str, tuple]]:
    export = paths.export("review_pairs")
    if not export.is_file():
        raise DecisionFileError(f"{file_name}: no review worklist of {paths.quarter} was written here; run the quarter "
                                "first (or pass the quarter the worklist is of)")
    rows = duckdb.sql(f"select pair_id, key_l, key_r, match_probability, worklist_id "
                      f"from read_parquet('{export}')").fetchall()
    worklist = rows[0][4] if rows else None
    return worklist, {pair_id: (key_l, key_r, p) for pair_id, key_l, key_r, p, _ in rows}


def import_review(data_dir: Path, quarter: Quarter, path: Path, threshold: float) -> ImportOutcome:
    """Validate `path` against the quarter's latest worklist and store its decisions (all or none)."""
    paths = QuarterPaths(data_dir, quarter)
    worklist, pairs = _worklist_pairs(paths, path.name)
    decided = read_decisions(path, quarter=quarter.key, worklist_id=worklist or "", known_pairs=pairs.keys(),
                             pair_ends={p: (kl, kr) for p, (kl, kr, _) in pairs.items()})
    digest = sha256_of(path)
    earlier = decisions_store.read_all(data_dir)
    if any(d.file_sha256 == digest for d in earlier):
        return ImportOutcome(path.name, len(decided), [], already_imported=True)
    if not decided:
        return ImportOutcome(path.name, 0, [])
    imported_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with decisions_store.locked(data_dir):
        in_force = {d.pair_id: d for d in decisions_store.in_force(data_dir)}
        ids = decisions_store.next_ids(data_dir, len(decided))
        entries, stored = [], []
        for decision_id, d in zip(ids, decided, strict=True):
            key_l, key_r, probability = pairs[d.pair_id]
            previous = in_force.get(d.pair_id)
            before = ({"decision": previous.decision, "decision_id": previous.decision_id} if previous else
                      {"model_match_probability": None if probability is None else round(probability, 6),
                       "model_linked": probability is not None and probability >= threshold})
            stored.append(decisions_store.StoredDecision(
                decision_id=decision_id, pair_id=d.pair_id, key_l=key_l, key_r=key_r, decision=d.decision,
                reason=d.reason, reviewer=d.reviewer, quarter=quarter.key, imported_at=imported_at,
                file_sha256=digest))
            entries.append({"kind": "review", "actor": d.reviewer, "run_id": None, "source_file_sha256": digest,
                            "what": {"decision_id": decision_id, "pair_id": d.pair_id, "key_l": key_l,
                                     "key_r": key_r, "quarter": quarter.key, "worklist_row": d.row},
                            "before": before, "after": {"decision": d.decision, "reason": d.reason}})
        # The log first: a decision in force always has its entry (a crash in between leaves an entry without
        # a decision, which `satudata audit` reports).
        audit_log.append_entries(data_dir, entries)
        decisions_store.append(data_dir, stored)
    return ImportOutcome(path.name, len(decided), ids)
