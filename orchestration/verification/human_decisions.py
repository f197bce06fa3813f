"""The field results and appeals in force, mapped to this quarter's people: the tables marts.persons applies.

A result or an appeal names its person by the keyed record keys of the person's list rows when it was made
(record_keys.py), so it follows the person when the person id changes; the person id it was made under is the
fallback. A stored entry none of whose records is listed this quarter does nothing and stays in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from orchestration.appeals import store as appeals_store
from orchestration.review.record_keys import create_record_keys
from orchestration.verification import results_store

FIELD_COLUMNS = ("person_id varchar, result_id varchar, id_verifikasi varchar, jenis_keraguan varchar, hasil varchar, "
                 "kode_kelurahan_baru varchar, tanggal_kunjungan date")
APPEAL_COLUMNS = ("person_id varchar, appeal_id varchar, keputusan varchar, status_appealed varchar, "
                  "alasan varchar, tanggal date")


@dataclass(frozen=True)
class HumanDecisions:
    """How many results and appeals are in force, and how many found their person this quarter."""

    field_results_in_force: int
    field_results_found: int
    appeals_in_force: int
    appeals_found: int
    applied: list[str] = field(default_factory=list)  # ids of the results and appeals applied this quarter


def _map_to_people(con: duckdb.DuckDBPyConnection, name: str, entry_ids: list[str], person_ids: list[str],
                   record_keys: list[list[str]]) -> None:
    """Temp table <name>_people (entry_id, person_id): each entry's person this quarter, by its record keys (the
    person holding most of them), else by the person id it was made under."""
    con.register(f"{name}_arrow", pa.table({"entry_id": pa.array(entry_ids, pa.string()),
                                            "person_id": pa.array(person_ids, pa.string()),
                                            "record_keys": pa.array(record_keys, pa.list_(pa.string()))}))
    con.execute(f"""create or replace temp table {name}_people as
        with by_key as (
            select e.entry_id, c.person_id, count(*) as keys
            from (select entry_id, unnest(record_keys) as record_key from {name}_arrow) e
            join record_keys k using (record_key)
            join person_rows c using (unique_id)
            group by e.entry_id, c.person_id
            qualify row_number() over (partition by e.entry_id order by keys desc, c.person_id) = 1
        )
        select e.entry_id, coalesce(by_key.person_id, listed.person_id) as person_id
        from {name}_arrow e
        left join by_key using (entry_id)
        left join (select distinct person_id from person_rows) listed on listed.person_id = e.person_id
        where coalesce(by_key.person_id, listed.person_id) is not null""")
    con.unregister(f"{name}_arrow")


def write_human_decisions(con: duckdb.DuckDBPyConnection, data_dir, secret: bytes,
                          policy: dict[str, str]) -> HumanDecisions:
    """Write review.field_results, review.appeals and review.verification_policy into the quarter's warehouse."""
    results = results_store.in_force(data_dir)
    appeals = appeals_store.in_force(data_dir)
    con.execute("create schema if not exists review")
    con.execute(f"create or replace table review.field_results ({FIELD_COLUMNS})")
    con.execute(f"create or replace table review.appeals ({APPEAL_COLUMNS})")
    con.execute("create or replace table review.verification_policy (jenis_keraguan varchar, policy varchar)")
    con.executemany("insert into review.verification_policy values (?, ?)", sorted(policy.items()))
    if not results and not appeals:
        return HumanDecisions(0, 0, 0, 0)
    con.execute("create or replace temp view records as select * from intermediate.int_persons__for_linkage")
    con.execute("create or replace temp view person_rows as select unique_id, person_id from linkage.person_clusters")
    create_record_keys(con, secret)
    _map_to_people(con, "results", [r.result_id for r in results], [r.person_id for r in results],
                   [list(r.record_keys) for r in results])
    _map_to_people(con, "appeals", [a.appeal_id for a in appeals], [a.person_id for a in appeals],
                   [list(a.record_keys) for a in appeals])
    con.register("results_arrow", pa.table({
        "result_id": [r.result_id for r in results], "id_verifikasi": [r.id_verifikasi for r in results],
        "jenis_keraguan": [r.jenis_keraguan for r in results], "hasil": [r.hasil for r in results],
        "kode_kelurahan_baru": pa.array([r.kode_kelurahan_baru for r in results], pa.string()),
        "tanggal_kunjungan": pa.array([r.tanggal_kunjungan for r in results], pa.string())}))
    # The latest result per person and kind of doubt (a later visit replaces an earlier one).
    con.execute("""insert into review.field_results
        select p.person_id, r.result_id, r.id_verifikasi, r.jenis_keraguan, r.hasil, r.kode_kelurahan_baru,
               cast(r.tanggal_kunjungan as date)
        from results_arrow r join results_people p on p.entry_id = r.result_id
        qualify row_number() over (partition by p.person_id, r.jenis_keraguan
                                   order by r.tanggal_kunjungan desc, r.result_id desc) = 1""")
    con.register("appeals_arrow", pa.table({
        "appeal_id": [a.appeal_id for a in appeals], "keputusan": [a.keputusan for a in appeals],
        "status_appealed": [a.status_appealed for a in appeals], "alasan": [a.alasan for a in appeals],
        "tanggal": pa.array([a.tanggal for a in appeals], pa.string())}))
    con.execute("""insert into review.appeals
        select p.person_id, a.appeal_id, a.keputusan, a.status_appealed, a.alasan, cast(a.tanggal as date)
        from appeals_arrow a join appeals_people p on p.entry_id = a.appeal_id
        qualify row_number() over (partition by p.person_id order by a.appeal_id desc) = 1""")
    con.unregister("results_arrow")
    con.unregister("appeals_arrow")
    found = con.execute(
        "select (select count(*) from results_people), (select count(*) from appeals_people)").fetchone()
    applied = [i for i, in con.execute("select result_id from review.field_results union all "
                                       "select appeal_id from review.appeals order by 1").fetchall()]
    return HumanDecisions(len(results), found[0], len(appeals), found[1], applied)
