"""Stable person ids: a cluster takes the id of the previous quarter's person it shares most identifiers with."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from orchestration.publish.csv_export import export_parquet

# What identifies a person from one quarter to the next: a valid NIK (Dukcapil keeps it for life), and the name
# with the birth date for people without one. List record ids are not used: the lists renumber every extract.
KEYS_SQL = """
select distinct c.cluster_id, k.key
from clusters c
join records r using (unique_id),
unnest([
    case when r.nik is not null then 'nik:' || r.nik end,
    case when r.nama_match is not null and r.tanggal_lahir is not null
         then 'name_dob:' || r.nama_match || '|' || r.tanggal_lahir end
]) as k(key)
where k.key is not null
"""


def new_person_id(quarter: str, cluster_id: str) -> str:
    """An id for a person first seen in `quarter`, opaque and never reused by another quarter's cluster."""
    return "P" + hashlib.md5(f"{quarter}|{cluster_id}".encode()).hexdigest()[:12].upper()


def assign_person_ids(con: duckdb.DuckDBPyConnection, quarter: str, previous_keys: Path | None) -> dict[str, int]:
    """Add `person_id` to table `clusters` (with `records` beside it); return how many ids were carried over.

    Greedy by overlap: the pairs (cluster, previous person) sharing the most keys are matched first, and each
    previous id goes to one cluster at most. Ties resolve by cluster and person id, so a re-run gives the same ids.
    """
    con.execute(f"create or replace temp table cluster_keys as {KEYS_SQL}")
    carried: dict[str, str] = {}
    if previous_keys is not None and previous_keys.is_file():
        votes = con.execute(
            "select c.cluster_id, p.person_id, count(*) as shared from cluster_keys c "
            f"join read_parquet('{previous_keys}') p using (key) group by all "
            "order by shared desc, c.cluster_id, p.person_id").fetchall()
        taken: set[str] = set()
        for cluster_id, person_id, _ in votes:
            if cluster_id not in carried and person_id not in taken:
                carried[cluster_id] = person_id
                taken.add(person_id)
    clusters = [r[0] for r in con.execute("select distinct cluster_id from clusters").fetchall()]
    con.execute("create or replace temp table cluster_person (cluster_id varchar, person_id varchar)")
    con.executemany("insert into cluster_person values (?, ?)",
                    [(c, carried.get(c) or new_person_id(quarter, c)) for c in clusters])
    con.execute("create or replace table clusters as select c.*, p.person_id from clusters c "
                "join cluster_person p using (cluster_id)")
    return {"carried_over": len(carried), "new": len(clusters) - len(carried)}


def export_keys(con: duckdb.DuckDBPyConnection, target: Path, quarter: str) -> None:
    """Write (person_id, key) for the next quarter to carry ids from, replacing the file atomically."""
    export_parquet(con, "select distinct p.person_id, k.key from cluster_keys k join cluster_person p "
                        "using (cluster_id) order by all", target, quarter)
