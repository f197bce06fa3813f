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
