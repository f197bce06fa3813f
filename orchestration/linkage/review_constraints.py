"""Clerical decisions as constraints on the clusters: a `match` joins two records' people, a `not_match` keeps
them apart, in every quarter where both records are listed again."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from orchestration.linkage.predict import _links_inside, rebuild_apart
from orchestration.review.decisions_store import StoredDecision
from orchestration.review.record_keys import create_record_keys

# Above any probability: a reviewer's match is joined before every link Splink scored.
MUST_LINK = 2.0
APPLIED_COLUMNS = "decision_id varchar, decision varchar, unique_id_l varchar, unique_id_r varchar, changed boolean"


@dataclass
class DecisionEffects:
    """What the decisions in force did to this quarter's clusters."""

    in_force: int = 0
    found: int = 0  # decisions whose two records are both in this quarter
    changed: int = 0  # ... and that joined or split what the model had decided
    changed_ids: list[str] = field(default_factory=list)


def apply_review_decisions(con: duckdb.DuckDBPyConnection, pairs: str, threshold: float,
                           decisions: list[StoredDecision], secret: bytes | None) -> DecisionEffects:
    """Apply the decisions to table `clusters` (over `records`, scored pairs in `pairs`); table review_applied
    says, per decision and pair of rows it names, whether it changed the clusters."""
    con.execute(f"create or replace temp table review_applied ({APPLIED_COLUMNS})")
    effects = DecisionEffects(in_force=len(decisions))
    if not decisions:
        return effects
    if not secret:
        raise ValueError("review decisions need the HMAC key (person_key_secret): their records are keyed hashes")
    create_record_keys(con, secret)
    con.register("decisions_arrow", pa.table({
        "decision_id": [d.decision_id for d in decisions], "decision": [d.decision for d in decisions],
        "key_l": [d.key_l for d in decisions], "key_r": [d.key_r for d in decisions]}))
    named = con.execute(
        "select d.decision_id, d.decision, kl.unique_id, kr.unique_id, cl.cluster_id = cr.cluster_id "
        "from decisions_arrow d join record_keys kl on kl.record_key = d.key_l "
        "join record_keys kr on kr.record_key = d.key_r "
        "join clusters cl on cl.unique_id = kl.unique_id join clusters cr on cr.unique_id = kr.unique_id "
        "where kl.unique_id <> kr.unique_id order by 1, 3, 4").fetchall()
    con.unregister("decisions_arrow")
    effects.found = len({decision_id for decision_id, *_ in named})
    if not named:
        return effects
    named_rows = sorted({uid for _, _, a, b, _ in named for uid in (a, b)})
    touched = [c for c, in con.execute("select distinct cluster_id from clusters where unique_id in (select unnest(?)) "
                                       "order by 1", [named_rows]).fetchall()]
    edges = _links_inside(con, pairs, threshold, touched)
    edges += [(a, b, MUST_LINK) for _, decision, a, b, _ in named if decision == "match"]
    rebuild_apart(con, edges, [(a, b) for _, decision, a, b, _ in named if decision == "not_match"])
    rows = []
    cluster_of = dict(con.execute(
        "select unique_id, cluster_id from clusters where unique_id in (select unnest(?))", [named_rows]).fetchall())
    for decision_id, decision, a, b, same_before in named:
        same_after = cluster_of[a] == cluster_of[b]
        rows.append((decision_id, decision, a, b, bool(same_before) != same_after))
    con.executemany("insert into review_applied values (?, ?, ?, ?, ?)", rows)
    effects.changed_ids = sorted({decision_id for decision_id, *_, changed in rows if changed})
    effects.changed = len(effects.changed_ids)
    return effects
