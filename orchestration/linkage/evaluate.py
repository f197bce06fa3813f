"""Pairwise precision and recall of a clustering against known persons (generated quarters' ground truth)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa


@dataclass(frozen=True)
class PairwiseScores:
    """Pairs of rows put together by the clustering versus pairs that truly are one person."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    def as_dict(self) -> dict[str, float | int]:
        return {"true_pairs": self.true_pairs, "predicted_pairs": self.predicted_pairs,
                "correct_pairs": self.correct_pairs, "precision": round(self.precision, 6),
                "recall": round(self.recall, 6)}


def pairwise_scores(assignments: pa.Table) -> PairwiseScores:
    """Scores from a table with one row per record: `predicted` (cluster) and `actual` (true person) ids."""
    con = duckdb.connect()
    try:
        con.register("a", assignments)
        pairs = "sum(n * (n - 1) / 2)::bigint"
        true_pairs = con.execute(f"select {pairs} from (select count(*) n from a group by actual)").fetchall()[0][0]
        predicted = con.execute(f"select {pairs} from (select count(*) n from a group by predicted)").fetchall()[0][0]
        correct = con.execute(
            f"select {pairs} from (select count(*) n from a group by predicted, actual)").fetchall()[0][0]
    finally:
        con.close()
    return PairwiseScores(int(true_pairs or 0), int(predicted or 0), int(correct or 0))


@dataclass(frozen=True)
class BlockingRecall:
    """True pairs of rows versus those that some blocking rule puts together (the only pairs Splink scores)."""

    true_pairs: int
    blocked_true_pairs: int
    missed_by_rule: dict[str, int]  # rule SQL -> true pairs that rule alone does not block (for the report)

    @property
    def recall(self) -> float:
        return self.blocked_true_pairs / self.true_pairs if self.true_pairs else 1.0


def blocking_recall(records: pa.Table, actual: pa.Table, blocking_rules: list | tuple | None = None) -> BlockingRecall:
    """How many true pairs (rows of one `actual` person; columns unique_id, actual) fall in a blocking rule.

    The rules' own SQL (Splink's `l.col = r.col`) is evaluated on every true pair, so a pair missed by all of them
    is a pair no threshold can ever link.
    """
    from orchestration.linkage.settings import BLOCKING_RULES

    rules = [r.get_blocking_rule("duckdb").blocking_rule_sql for r in (blocking_rules or BLOCKING_RULES)]
    con = duckdb.connect()
    try:
        con.register("records", records)
        con.register("actual", actual)
        con.execute(
            "create temp table pairs as select l.unique_id as id_l, r.unique_id as id_r "
            "from actual l join actual r on l.actual = r.actual and l.unique_id < r.unique_id")
        any_rule = " or ".join(f"coalesce({sql}, false)" for sql in rules)
        joined = "from pairs p join records l on l.unique_id = p.id_l join records r on r.unique_id = p.id_r"
        total, blocked = con.execute(
            f"select count(*), count(*) filter (where {any_rule}) {joined}").fetchall()[0]
        missed = {sql: int(con.execute(f"select count(*) filter (where not coalesce({sql}, false)) {joined}")
                       .fetchall()[0][0]) for sql in rules}
    finally:
        con.close()
    return BlockingRecall(int(total), int(blocked), missed)
