"""Stable person ids: a cluster takes the id of the previous quarter's person it shares most identifiers with."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

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


# An id for a person first seen in a quarter: opaque, and never reused by another quarter's cluster.
NEW_PERSON_ID_SQL = "'P' || upper(left(md5($quarter || '|' || c.cluster_id), 12))"


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
    # As an Arrow table, not row inserts: inserting 70,000 rows one by one took 30 s.
    con.register("carried_ids", pa.table({"cluster_id": pa.array(list(carried), pa.string()),
                                          "person_id": pa.array(list(carried.values()), pa.string())}))
    con.execute(f"""create or replace temp table cluster_person as
        select c.cluster_id, coalesce(k.person_id, {NEW_PERSON_ID_SQL}) as person_id
        from (select distinct cast(cluster_id as varchar) as cluster_id from clusters) c
        left join carried_ids k using (cluster_id)""", {"quarter": quarter})
    con.unregister("carried_ids")
    con.execute("create or replace table clusters as select c.*, p.person_id from clusters c "
                "join cluster_person p on p.cluster_id = cast(c.cluster_id as varchar)")
    people = con.execute("select count(*) from cluster_person").fetchone()[0]
    return {"carried_over": len(carried), "new": people - len(carried)}


def export_keys(con: duckdb.DuckDBPyConnection, target: Path, quarter: str) -> None:
    """Write (person_id, key) for the next quarter to carry ids from, replacing the file atomically."""
    export_parquet(con, "select distinct p.person_id, k.key from cluster_keys k join cluster_person p "
                        "using (cluster_id) order by all", target, quarter)
