"""The in-memory connected components against Splink's own clustering: the same clusters under the same names."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from splink import DuckDBAPI
from splink.clustering import cluster_pairwise_predictions_at_threshold

from orchestration.linkage.clusters import cluster_at_threshold

THRESHOLD = 0.9
# Ids of several widths and prefixes, so that the smallest id of a cluster is the text order's ("r10" < "r9").
IDS = [f"{source}:{n}" for source in ("carik", "dtks", "p3ke") for n in (1, 2, 9, 10, 11, 99, 100)]


def ours(ids: list[str], edges: list[tuple[str, str, float]]) -> set[tuple[str, str]]:
    con = duckdb.connect()
    con.register("r", pa.table({"unique_id": pa.array(ids, pa.string())}))
    con.execute("create table records as select * from r")
    con.register("e", pa.table({"unique_id_l": pa.array([l for l, _, _ in edges], pa.string()),
                                "unique_id_r": pa.array([r for _, r, _ in edges], pa.string()),
                                "match_probability": pa.array([p for _, _, p in edges], pa.float64())}))
    con.execute("create table pairs as select * from e")
    cluster_at_threshold(con, "pairs", THRESHOLD)
    rows = con.execute("select unique_id, cluster_id from clusters").fetchall()
    assert [u for u, _ in rows] == sorted(ids), "clusters are in unique_id order"
    return set(rows)


def splinks(ids: list[str], edges: list[tuple[str, str, float]]) -> set[tuple[str, str]]:
    nodes = pa.table({"unique_id": pa.array(ids, pa.string())})
    # Splink's own clustering, on the same rows: the reference the module must reproduce
    table = pa.table({"unique_id_l": pa.array([l for l, _, _ in edges], pa.string()),
                      "unique_id_r": pa.array([r for _, r, _ in edges], pa.string()),
                      "match_probability": pa.array([p for _, _, p in edges], pa.float64())})
    result = cluster_pairwise_predictions_at_threshold(nodes, table, DuckDBAPI(), node_id_column_name="unique_id",
                                                       threshold_match_probability=THRESHOLD)
    return set(result.as_duckdbpyrelation().select("unique_id, cluster_id").fetchall())


@st.composite
def graphs(draw):
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=len(IDS), unique=True))
    # Splink's predict gives each pair once, the left id the smaller
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] < p[1])
                          .map(tuple), unique=True, max_size=30))
    probability = st.sampled_from([0.1, 0.5, 0.8999, THRESHOLD, 0.95, 1.0])
    return ids, [(l, r, draw(probability)) for l, r in pairs]


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_the_clusters_are_splinks(graph):
    ids, edges = graph
    assert ours(ids, edges) == splinks(ids, edges)


def test_a_chain_is_one_cluster_named_by_its_smallest_id_and_a_pair_at_the_threshold_links():
    ids = ["dtks:9", "dtks:10", "carik:2", "p3ke:1", "p3ke:2"]
    edges = [("dtks:10", "dtks:9", 0.99), ("carik:2", "dtks:9", THRESHOLD), ("p3ke:1", "p3ke:2", 0.8999)]
    expected = {("dtks:9", "carik:2"), ("dtks:10", "carik:2"), ("carik:2", "carik:2"),
                ("p3ke:1", "p3ke:1"), ("p3ke:2", "p3ke:2")}
    assert ours(ids, edges) == expected == splinks(ids, edges)


def test_no_pairs_and_no_rows():
    assert ours(["dtks:1", "dtks:2"], []) == {("dtks:1", "dtks:1"), ("dtks:2", "dtks:2")}
    assert ours([], []) == set()
