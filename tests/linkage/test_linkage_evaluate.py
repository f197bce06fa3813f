"""pairwise_scores against pair counts worked out by hand."""

from __future__ import annotations

import pyarrow as pa
import pytest

from orchestration.linkage.evaluate import pairwise_scores


def assignments(predicted: dict[str, str], actual: dict[str, str]) -> pa.Table:
    ids = sorted(actual)
    return pa.table({"unique_id": ids, "predicted": [predicted[i] for i in ids], "actual": [actual[i] for i in ids]})


# Six rows of three people: A has r1, r2, r3; B has r4, r5; C has r6. True pairs: 3 (A) + 1 (B) = 4.
ACTUAL = {"r1": "A", "r2": "A", "r3": "A", "r4": "B", "r5": "B", "r6": "C"}


def test_false_merge_and_missed_pair():
    """C's row merged into A (3 wrong pairs), B split (1 missed pair): precision 3/6, recall 3/4."""
    predicted = {"r1": "X", "r2": "X", "r3": "X", "r6": "X", "r4": "Y", "r5": "Z"}
    scores = pairwise_scores(assignments(predicted, ACTUAL))
    # X holds 4 rows = 6 pairs, of which the 3 among r1-r3 are right; Y and Z are singletons.
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (4, 6, 3)
    assert scores.precision == 0.5
    assert scores.recall == 0.75
    assert scores.as_dict() == {"true_pairs": 4, "predicted_pairs": 6, "correct_pairs": 3,
                                "precision": 0.5, "recall": 0.75}


def test_perfect_clustering():
    """Clusters equal to the people: every pair right and none missed."""
    scores = pairwise_scores(assignments({k: v.lower() for k, v in ACTUAL.items()}, ACTUAL))
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (4, 4, 4)
    assert (scores.precision, scores.recall) == (1.0, 1.0)


def test_everything_in_one_cluster():
    """One cluster of six rows: 15 predicted pairs, 4 right; recall is perfect."""
    scores = pairwise_scores(assignments(dict.fromkeys(ACTUAL, "ALL"), ACTUAL))
    assert (scores.predicted_pairs, scores.correct_pairs) == (15, 4)
    assert scores.precision == pytest.approx(4 / 15)
    assert scores.as_dict()["precision"] == 0.266667
    assert scores.recall == 1.0


def test_all_singletons():
    """No predicted pairs: precision is 1 by definition, recall 0."""
    scores = pairwise_scores(assignments({k: k for k in ACTUAL}, ACTUAL))
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (4, 0, 0)
    assert (scores.precision, scores.recall) == (1.0, 0.0)


def test_empty_table():
    """No rows: zero pairs everywhere, both scores 1."""
    empty = pa.table({"predicted": pa.array([], pa.string()), "actual": pa.array([], pa.string())})
    scores = pairwise_scores(empty)
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (0, 0, 0)
    assert (scores.precision, scores.recall) == (1.0, 1.0)


def test_blocking_recall_counts_the_true_pairs_no_rule_blocks():
    """A true pair sharing nothing any rule blocks on is missed; one sharing the NIK is blocked."""
    from orchestration.linkage.evaluate import blocking_recall
    from tests.linkage.cases import SCHEMA

    base = {c: None for c in SCHEMA.names}
    rows = [
        {**base, "unique_id": "a1", "nik": "3175011203900001", "nama_match": "X Y", "tanggal_lahir": "1990-03-12"},
        {**base, "unique_id": "a2", "nik": "3175011203900001", "nama_match": "X Z", "tanggal_lahir": "1990-03-21"},
        {**base, "unique_id": "b1", "nik": "3175011203900002", "nama_match": "P Q", "tanggal_lahir": "1990-03-12"},
        {**base, "unique_id": "b2", "nik": "3175011203900003", "nama_match": "P R", "tanggal_lahir": "1990-03-13"},
    ]
    actual = pa.table({"unique_id": ["a1", "a2", "b1", "b2"], "actual": ["A", "A", "B", "B"]})
    recall = blocking_recall(pa.Table.from_pylist(rows, schema=SCHEMA), actual)
    assert (recall.true_pairs, recall.blocked_true_pairs, recall.recall) == (2, 1, 0.5)
