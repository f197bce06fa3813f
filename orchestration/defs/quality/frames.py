"""The frames the GX suites validate, built from the warehouse by SQL independent of the models that decide."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from expectations.submission_rules import ROWS, SUBMISSION_COLUMNS, RowRule, column_present, row_rules
from orchestration.paths import QuarterPaths

# Per registry NIK, whether the extract excludes it, computed here straight from the staged registries, not from
# marts.persons or int_dukcapil__nik_status: the gate must catch a wrong status rule, not repeat it. The rule is
# the one int_dukcapil__nik_status documents: a death record at any date (after the quarter's end included: the
# extract is pulled later) or without a date; else the latest PINDAH_KELUAR / PINDAH_DALAM_DKI / NONAKTIF by
# (date, source_row), an undated move below every dated one, decides (a PINDAH_DALAM_DKI after a PINDAH_KELUAR is
# a return into Jakarta). tests/defs/transform/test_registry_status.py holds both to the same answers.
REGISTRY_FLAGS_SQL = """
with
deaths as (select distinct nik from staging.stg_dukcapil__deaths where nik is not null),
moves_latest as (
    select nik, arg_max(status_pindah, [coalesce(epoch(tanggal_pindah), -1e18), source_row]) as status
    from staging.stg_dukcapil__moves
    where nik is not null and status_pindah in ('PINDAH_KELUAR', 'PINDAH_DALAM_DKI', 'NONAKTIF')
    group by nik
)
select
    nik,
    deaths.nik is not null as in_death_registry,
    coalesce(moves_latest.status in ('PINDAH_KELUAR', 'NONAKTIF'), false) as in_move_out_registry
from deaths full outer join moves_latest using (nik)
"""

# The submission (each of its columns; a missing one as null, so that the rest still counts) plus what the gate
# computes itself, straight from the staged registries, the national code list and the seed, not from marts.persons:
# the gate must catch a wrong status rule, not repeat it. Three flags, and the seed's BPS code of each row's
# kelurahan, which kode_kelurahan_bps must equal. `not materialized`: each use of it is a fresh scan of the table,
# streamed, rather than one copy of the whole submission held for all of them.
CHECKED_SUBMISSION_SQL = "with registry_flags as (" + REGISTRY_FLAGS_SQL + "),\n" + """
kabkota as (select distinct kode_kabkota from reference.kemendagri_kecamatan),
-- The BPS code of each DKI kelurahan, from the seed: the submission's kode_kelurahan_bps must be its kelurahan's.
kelurahan_bps as (select kode, kode_bps_kelurahan from reference.dki_kelurahan),
submission as not materialized (select {columns} from marts.bps_submission),
checked as not materialized (
    select
        submission.*,
        kelurahan_bps.kode_bps_kelurahan as kode_kelurahan_bps_of_kelurahan,
        coalesce(registry_flags.in_death_registry, false) as in_death_registry,
        coalesce(registry_flags.in_move_out_registry, false) as in_move_out_registry,
        coalesce(
            regexp_full_match(submission.nik, '[0-9]{16}')
            and substr(submission.nik, 1, 4) in (select kode_kabkota from kabkota)
            and substr(submission.nik, 13, 4) <> '0000'
            and (d between 1 and 31 or d between 41 and 71)
            and (try(make_date(1900 + cast(yy as integer), cast(mm as integer), d % 40)) is not null
                 or try(make_date(2000 + cast(yy as integer), cast(mm as integer), d % 40)) is not null),
            false) as nik_structurally_valid
    from (
        select *, try_cast(substr(nik, 7, 2) as integer) as d, substr(nik, 9, 2) as mm, substr(nik, 11, 2) as yy
        from submission
    ) submission
    left join registry_flags on registry_flags.nik = submission.nik
    left join kelurahan_bps on kelurahan_bps.kode = submission.kode_kelurahan
)
"""


def submission_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The columns marts.bps_submission has, from the catalog: a change to the model can lose one."""
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'bps_submission'").fetchall()}


def checked_submission_sql(present: Collection[str]) -> str:
    """CHECKED_SUBMISSION_SQL's CTEs, with the submission's missing columns as nulls."""
    columns = ", ".join(c if c in present else f"cast(null as varchar) as {c}" for c in SUBMISSION_COLUMNS)
    return CHECKED_SUBMISSION_SQL.replace("{columns}", columns)


def duplicated_rows_sql(column: str) -> str:
    """The rows of marts.bps_submission whose `column` another row shares, as GX's uniqueness check counts them."""
    return (f"select cast(coalesce(sum(n), 0) as bigint) from (select count(*) as n from marts.bps_submission "
            f"where {column} is not null group by {column} having count(*) > 1)")


def submission_counts_sql(present: Collection[str], rules: Sequence[RowRule], duplicated: Mapping[str, int]) -> str:
    """One aggregate over the checked submission: its rows, per rule the rows that break it, per column whether
    it is there; the uniqueness counts, made beforehand, come in as `duplicated` (by count column)."""
    counts = [f"count(*) as {ROWS}"]
    for rule in rules:
        if not set(rule.needs) <= set(present):
            # Not counted: null fails the rule's expectation, next to the missing column's own.
            counts.append(f"cast(null as bigint) as {rule.count}")
        elif rule.breaks is None:
            counts.append(f"cast({int(duplicated[rule.count])} as bigint) as {rule.count}")
        else:
            counts.append(f"count(*) filter (where {rule.breaks}) as {rule.count}")
    counts += [f"{int(c in present)} as {column_present(c)}" for c in SUBMISSION_COLUMNS]
    return checked_submission_sql(present) + "select\n    " + ",\n    ".join(counts) + "\nfrom checked"


def submission_counts(con: duckdb.DuckDBPyConnection, dki_kelurahan_codes: Sequence[str]) -> pd.DataFrame:
    """One row: the submission's rows, per rule the rows that break it, per column whether it is there.

    Counted in DuckDB over the quarter's file: only the one row of counts comes into Python, however large the
    submission (the row-level frame it replaced was about 1.5 GiB of pandas per million rows). The statements
    run one after the other, so DuckDB holds one uniqueness hash table at a time (each spills under its
    memory_limit) and the row rules stream in one scan.
    """
    codes = list(dki_kelurahan_codes)
    present = submission_columns(con)
    rules = row_rules(len(codes))
    duplicated = {rule.count: con.execute(duplicated_rows_sql(rule.column)).fetchone()[0]
                  for rule in rules if rule.breaks is None and set(rule.needs) <= present}
    sql = submission_counts_sql(present, rules, duplicated)
    # DuckDB refuses a named parameter the query does not use (the set check is not counted without its column).
    parameters = {"dki_kelurahan_codes": codes} if "$dki_kelurahan_codes" in sql else {}
    return con.execute(sql, parameters).df()


def dki_kelurahan_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The 267 Kemendagri kelurahan codes of Jakarta, from the seed."""
    return [r[0] for r in con.execute("select kode from reference.dki_kelurahan order by kode").fetchall()]


def previous_submission_rows(paths: QuarterPaths) -> int | None:
    """Rows of the latest published earlier quarter's submission, from its verified manifest; None when none is.

    The latest published, not the calendar's previous quarter: a skipped or blocked quarter must not switch the
    size check off.
    """
    published = paths.published_earlier()
    return int(published[0].manifest["row_count"]) if published else None


def quarter_frame(con: duckdb.DuckDBPyConnection, paths: QuarterPaths) -> pd.DataFrame:
    """One row of the quarter's headline figures for the quarter suite."""
    q = paths.quarter
    first, last = q.first_day, q.last_day
    figures: dict[str, object] = {"quarter_days": (last - first).days + 1}
    for name, table, date_column in (("death_registry", "stg_dukcapil__deaths", "tanggal_kematian"),
                                     ("move_registry", "stg_dukcapil__moves", "tanggal_pindah")):
        rows, latest = con.execute(
            f"select count(*), max({date_column}) from staging.{table}").fetchall()[0]
        figures[f"{name}_rows"] = int(rows)
        figures[f"{name}_latest_age_days"] = (last - latest).days if latest else None
        # Counted here from staging, not taken from source_quality: the gate must not repeat a model's mistake.
        invalid = con.execute(f"select count(*) filter (where nik is null) from staging.{table}").fetchall()[0][0]
        figures[f"{name}_invalid_nik_share"] = invalid / rows if rows else 0.0
    for source, rows, invalid, unresolved in con.execute(
            "select source, rows_loaded, invalid_nik_share, unresolved_kelurahan_share from marts.source_quality "
            "where source in ('dtks', 'p3ke', 'carik')"
    ).fetchall():
        figures[f"{source}_rows"] = int(rows)
        figures[f"{source}_invalid_nik_share"] = float(invalid)
        figures[f"{source}_unresolved_kelurahan_share"] = float(unresolved)
    submission_rows = con.execute("select count(*) from marts.bps_submission").fetchall()[0][0]
    previous = previous_submission_rows(paths)
    figures["submission_rows"] = int(submission_rows)
    figures["previous_submission_rows"] = previous
    # No previous quarter: nothing to compare with. A previous quarter of zero rows is as far as one can move.
    figures["submission_size_change"] = (
        None if previous is None else abs(submission_rows - previous) / previous if previous else 1.0)
    return pd.DataFrame([figures])


def gx_dir(paths: QuarterPaths) -> Path:
    """The quarter's GX project: stores, validation results and Data Docs (counts only)."""
    return paths.data_dir / "gx" / paths.quarter.key
