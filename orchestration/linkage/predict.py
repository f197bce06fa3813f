"""Scoring and clustering one quarter's rows with the committed model (no training here)."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.linkage.model import LinkageModel
from orchestration.linkage.person_ids import assign_person_ids, export_keys

# Splink logs progress at INFO; the run log needs none of it.
SPLINK_LOG_LEVEL = logging.WARNING


@dataclass
class LinkResult:
    """Each row's cluster and the figures the asset reports."""

    clusters: pa.Table  # unique_id, cluster_id
    rows: int
    comparisons: int
    pairs_linked: int
    cluster_sizes: dict[int, int] = field(default_factory=dict)  # size -> number of clusters
    merged_on_nik: int = 0  # clusters joined to another because they share a valid NIK
    ids_carried_over: int = 0  # people who kept the previous quarter's person_id
    ids_new: int = 0
    ids_other_key_rows: int = 0  # previous keys made with another HMAC key (a rotated key carries no id over)

    @property
    def people(self) -> int:
        return sum(self.cluster_sizes.values())

    @property
    def largest_cluster(self) -> int:
        return max(self.cluster_sizes, default=0)


def splink_connection(records: pa.Table, temp_dir: Path, memory_limit: str = "4GB") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding `records` as table `records`, spilling to `temp_dir` (never into the warehouse)."""
    # What a killed run spilled here is of no use to this one.
    shutil.rmtree(temp_dir, ignore_errors=True)
    temp_dir.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute(f"set temp_directory = '{temp_dir}'")
    con.register("records_arrow", records)
    con.execute("create table records as select * from records_arrow order by unique_id")
    con.unregister("records_arrow")
    return con


def link(
    records: pa.Table, model: LinkageModel, *, temp_dir: Path, quarter: str | None = None,
    previous_keys: Path | None = None, keys_out: Path | None = None, key_secret: bytes | None = None,
) -> LinkResult:
    """Score every blocked pair of `records` (columns of int_persons__for_linkage) and cluster at the threshold.

    With `quarter`, each cluster also gets a person_id, carried over from `previous_keys` (the previous quarter's
    export) where it overlaps, and this quarter's keys are written to `keys_out`, both HMAC-ed with `key_secret`.
    """
    from splink import DuckDBAPI, Linker

    con = splink_connection(records, temp_dir)
    try:
        db_api = DuckDBAPI(connection=con)
        linker = Linker(db_api.register("records"), model.settings, log_level=SPLINK_LOG_LEVEL)
        pairs = linker.inference.predict()
        # fetchall, not fetchone: a result left open on Splink's connection breaks its next call (DuckDB 2.0).
        comparisons, linked = con.execute(
            f"select count(*), count(*) filter (where match_probability >= {model.threshold}) "
            f"from {pairs.physical_name}"
        ).fetchall()[0]
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            pairs, threshold_match_probability=model.threshold)
        con.execute(f"create table clusters as select unique_id, cluster_id from {clustered.physical_name}")
        merged = merge_clusters_sharing_a_nik(con)
        ids = {"carried_over": 0, "new": 0}
        if quarter is not None:
            ids = assign_person_ids(con, quarter, previous_keys, key_secret)
            if keys_out is not None:
                export_keys(con, keys_out, quarter, key_secret)
        clusters = con.sql("select * from clusters order by unique_id").to_arrow_table()
        sizes = con.execute(
            "select size, count(*) from (select count(*) as size from clusters group by cluster_id) "
            "group by size order by size"
        ).fetchall()
    finally:
        con.close()
    return LinkResult(
        clusters=clusters,
        rows=records.num_rows,
        comparisons=int(comparisons),
        pairs_linked=int(linked),
        cluster_sizes={int(s): int(n) for s, n in sizes},
        merged_on_nik=merged,
        ids_carried_over=ids["carried_over"],
        ids_new=ids["new"],
        ids_other_key_rows=ids.get("other_key_rows", 0),
    )


def merge_clusters_sharing_a_nik(con: duckdb.DuckDBPyConnection) -> int:
    """Join clusters that hold the same valid NIK (table `clusters` against `records`); return how many were joined.

    Dukcapil issues one NIK per person and the submission must list each NIK once. Splink can still leave two
    rows with one NIK apart when both the name and the birth date were mangled in one list; a valid NIK shared
    across clusters is taken as the same person.
    """
    edges = con.execute(
        "with e as (select distinct c.cluster_id, r.nik from clusters c join records r using (unique_id) "
        "where r.nik is not null) "
        "select nik, list(cluster_id order by cluster_id) from e group by nik having count(*) > 1"
    ).fetchall()
    if not edges:
        return 0
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for _, cluster_ids in edges:
        first = root(cluster_ids[0])
        for other in cluster_ids[1:]:
            a, b = sorted((first, root(other)))
            parent[b] = a
            first = a
    mapping = [(c, root(c)) for c in {c for _, ids in edges for c in ids} if root(c) != c]
    con.execute("create temp table cluster_merge (cluster_id varchar, merged_into varchar)")
    con.executemany("insert into cluster_merge values (?, ?)", mapping)
    con.execute("update clusters set cluster_id = m.merged_into from cluster_merge m "
                "where clusters.cluster_id = m.cluster_id")
    return len(mapping)
