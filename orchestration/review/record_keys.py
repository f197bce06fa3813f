"""What names a list record from one quarter to the next, as a keyed hash: the key a review decision is stored under.

Row numbers change with every extract, so a decision names its records by the source's own record id (DTKS
id_art_dtks, P3KE id_individu) where there is one; else (CARIK) by NIK, name and birth date; else by name, birth
date and No. KK. The NIK alone is not enough: under NIK ganda a household's members carry one NIK, and a `match`
keyed by it joined a second person (found on a generated quarter with NIK ganda at 2 %). What it misses: a DTKS
that renumbers its members, or a CARIK row whose NIK, name or birth date is corrected or retyped between quarters,
no longer carries the decision (the pair is judged by the model again, and comes back to review if still
doubtful). Rows sharing a key (the same person entered twice) share the decision.
"""

from __future__ import annotations

import duckdb

from orchestration.linkage.person_ids import hmac_params, hmac_sql

# Over table `records` (int_persons__for_linkage): identifiers as text before the HMAC.
KEY_TEXT_SQL = """case
    when nullif(trim(source_record_id), '') is not null then source || ':id:' || trim(source_record_id)
    when nik is not null then source || ':nik_name_dob:' || nik || '|' || coalesce(nama_match, '') || '|'
         || coalesce(tanggal_lahir, '')
    else source || ':name_dob_kk:' || coalesce(nama_match, '') || '|' || coalesce(tanggal_lahir, '') || '|'
         || coalesce(no_kk, '')
end"""


def pair_id_sql(key_a: str, key_b: str) -> str:
    """SQL: a pair's stable id from its two record keys, whichever order they come in."""
    return f"'RV' || upper(left(sha256(least({key_a}, {key_b}) || '|' || greatest({key_a}, {key_b})), 16))"


def create_record_keys(con: duckdb.DuckDBPyConnection, secret: bytes, only: str | None = None) -> None:
    """Table record_keys (unique_id, record_key) over table `records`, for the rows in `only` (a unique_id
    query) or all of them."""
    where = f"where unique_id in ({only})" if only else ""
    con.execute(f"create or replace temp table record_keys as select unique_id, {hmac_sql(KEY_TEXT_SQL)} as record_key "
                f"from records {where}", hmac_params(secret))
