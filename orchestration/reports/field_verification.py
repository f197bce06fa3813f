"""field_verification.csv: the people excluded on evidence a field visit must confirm, with what it rests on.

An internal report (0600, under reports/<quarter>/) for the Dinas' field officers, so it names the person: an
exclusion for NIK ganda or for a registry record under a NIK one digit away can be wrong, and is undone by
correcting the list row after the visit. `registry_other_region` marks a registry NIK that differs in the region
digits (1-6): the likelier namesake, to be visited first. `registry_split_part` marks a person who took the status
of another part of themselves (a row of their KK and name the linkage kept apart, whose NIK the record is under):
the visit confirms the two parts are one person.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.publish.csv_export import export_csv

# Statuses that rest on inference rather than on a registry record under the person's own NIK.
STATUSES = ("nik_conflict", "deceased_near_nik", "moved_out_near_nik", "nik_deactivated_near_nik", "no_name")
COLUMNS = ["person_id", "reason", "nik", "nama", "tanggal_lahir", "jenis_kelamin", "alamat", "rt", "rw",
           "kode_kelurahan", "kelurahan", "kecamatan", "kabkota", "sumber", "list_rows", "registry_file",
           "registry_row", "registry_nik", "registry_other_region", "registry_split_part", "nik_held_by"]

QUERY = f"""
select
    p.person_id,
    p.status as reason,
    p.nik,
    p.nama,
    p.tanggal_lahir,
    p.jenis_kelamin,
    p.alamat,
    p.rt,
    p.rw,
    p.kode_kelurahan,
    p.kelurahan,
    p.kecamatan,
    p.kabkota,
    p.sumber,
    -- Where the list rows are, to correct them after the visit (source:row, as in record_ledger.csv).
    (select string_agg(l.source || ':' || l.source_row, ' ' order by l.source, l.source_row)
     from marts.record_ledger l where l.person_id = p.person_id) as list_rows,
    p.near_registry_file as registry_file,
    p.near_registry_row as registry_row,
    p.near_registry_nik as registry_nik,
    p.near_registry_other_region as registry_other_region,
    p.near_registry_split_part as registry_split_part,
    p.nik_held_by
from marts.persons p
where p.status in ({", ".join(f"'{s}'" for s in STATUSES)})
"""


def write_field_verification(con: duckdb.DuckDBPyConnection, target: Path, run_id: str) -> int:
    """Write the people to verify in the field to `target` (atomically, owner-only); return how many."""
    rows, _ = export_csv(con, QUERY, COLUMNS, target, run_id, order_by="q.reason, q.person_id")
    return rows
