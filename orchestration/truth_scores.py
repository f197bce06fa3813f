"""A run of a generated quarter judged against its ground truth: who leaked, who is missing, how well it linked.

Used by the end-to-end test and by `benchmarks/bench_quality.py`; it reads only files a run leaves (the published
CSV, the ledger CSV) and the generator's truth, never the models that decided, so that it catches a wrong rule.
Figures are counts and shares only: nothing here returns a NIK or a name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from orchestration.linkage.evaluate import pairwise_scores

# The truth's statuses that must never be published: known dead, moved out of DKI or deactivated when the
# registries were pulled (before or after the quarter's end), and people living outside Jakarta.
MUST_NOT_PUBLISH = ("deceased", "moved_out", "nik_deactivated", "outside_dki")


@dataclass(frozen=True)
class TruthScores:
    """What the acceptance criteria of a generated quarter look at."""

    published: bool
    submission_rows: int
    leaked_by_status: dict[str, int]  # true status -> published people who must not be
    # Published dead, moved-out or deactivated people whose every registry row has an unreadable NIK: only name and
    # birth date tie them to the event, which would also remove namesakes; counted, not judged a leak.
    unidentifiable_in_registry: int
    moved_within_dki_missing: int  # listed people who moved inside Jakarta and are not published
    precision: float
    recall: float
    true_pairs: int
    predicted_pairs: int
    person_ids_with_two_people: int  # person_ids whose rows belong to more than one true person
    people_published_twice: int  # true people behind more than one submission row
    published_twice_share: float
    # People neither dead, moved out nor deactivated whose person_id was excluded on a registry event (a namesake's
    # death under a near NIK, a twin's): the price of the near-NIK rule, undone by field verification.
    living_excluded_by_registry: int = 0
    living_excluded_near_nik: int = 0

    @property
    def leaked(self) -> int:
        return sum(self.leaked_by_status.values())

    def as_dict(self) -> dict:
        return asdict(self) | {"leaked": self.leaked}


def score_quarter(data_dir: Path, quarter: str, truth_dir: Path | None = None) -> TruthScores:
    """Judge the published quarter `quarter` of `data_dir` (generated with `satudata synth`) against its truth.

    The truth is `<data_dir>/truth/<quarter>` unless `truth_dir` (a generated quarter's data dir) says where.
    """
    truth = (truth_dir or data_dir) / "truth" / quarter
    submission = data_dir / "publish" / quarter / "bps_submission.csv"
    ledger = data_dir / "reports" / quarter / "record_ledger.csv"
    con = duckdb.connect()
    try:
        con.execute(f"create view truth_persons as select * from read_parquet('{truth / 'persons.parquet'}')")
        con.execute(f"create view truth_rows as select * from read_parquet('{truth / 'source_rows.parquet'}')")
        published = submission.is_file()
        con.execute(
            f"create view ledger as select source, cast(source_row as bigint) as source_row, person_id, fate "
            f"from read_csv('{ledger}', all_varchar = true) where source in ('dtks', 'p3ke', 'carik')")
        if published:
            con.execute(f"create view published as select person_id from read_csv('{submission}', "
                        "all_varchar = true)")
        else:
            con.execute("create view published as select cast(null as varchar) as person_id where false")
        # Each list row with its predicted person (null when quarantined) and its true person.
        con.execute("""
            create temp table assigned as
            select l.person_id as predicted, t.person_id as actual, l.fate
            from ledger l join truth_rows t using (source, source_row)""")
        # Each published person_id's rows, with every true person behind them.
        con.execute("""
            create temp table published_truth as
            select a.predicted as person_id, a.actual as true_person_id, count(*) as rows_
            from assigned a where a.predicted in (select person_id from published)
            group by all""")
        readable = ("coalesce(p.registry_nik_readable, true)" if "registry_nik_readable" in _columns(
            con, "truth_persons") else "true")
        leaked = dict(con.execute(f"""
            select p.status, count(distinct p.person_id) from published_truth j
            join truth_persons p on p.person_id = j.true_person_id
            where p.status in {MUST_NOT_PUBLISH} and (p.status = 'outside_dki' or {readable})
            group by 1 order by 1""").fetchall())
        unidentifiable = con.execute(f"""
            select count(distinct p.person_id) from published_truth j
            join truth_persons p on p.person_id = j.true_person_id
            where p.status in ('deceased', 'moved_out', 'nik_deactivated') and not {readable}""").fetchall()[0][0]
        own_nik = ("coalesce(t.nik_holder, t.person_id) = t.person_id"
                   if "nik_holder" in _columns(con, "truth_rows") else "true")
        missing = con.execute(f"""
            select count(*) from truth_persons p
            where p.listed and p.status = 'moved_within_dki'
              -- Counted when a row of theirs carries their own NIK as issued. Not when every row's NIK is invalid,
              -- another person's (NIK ganda) or mistyped (a typo may make it invalid, as the region 3176): then
              -- excluded_invalid_nik or excluded_nik_conflict can be the right fate.
              and exists (select 1 from truth_rows t where t.person_id = p.person_id
                          and t.source in ('dtks', 'p3ke', 'carik')
                          and not regexp_matches(t.corruptions,
                                                 'nik_invalid|excel_number_nik|nik_digit_typo|nik_transposition')
                          and {own_nik})
              and p.person_id not in (select true_person_id from published_truth)""").fetchall()[0][0]
        impure = con.execute("""
            select count(*) from (select predicted from assigned where predicted is not null
                                  group by predicted having count(distinct actual) > 1)""").fetchall()[0][0]
        twice = con.execute("""
            select count(*) from (select true_person_id from published_truth
                                  group by true_person_id having count(distinct person_id) > 1)""").fetchall()[0][0]
        living, living_near = con.execute("""
            select count(distinct p.person_id), count(distinct p.person_id) filter (where a.fate like '%near_nik')
            from assigned a join truth_persons p on p.person_id = a.actual
            where regexp_matches(a.fate, '^excluded_(deceased|moved_out|nik_deactivated)')
              and p.status not in ('deceased', 'moved_out', 'nik_deactivated')""").fetchall()[0]
        rows = con.execute("select count(*) from published").fetchall()[0][0]
        scores = pairwise_scores(con.sql(
            "select predicted, actual from assigned where predicted is not null").to_arrow_table())
    finally:
        con.close()
    return TruthScores(
        published=published,
        submission_rows=int(rows),
        leaked_by_status={str(k): int(v) for k, v in leaked.items()},
        unidentifiable_in_registry=int(unidentifiable),
        moved_within_dki_missing=int(missing),
        precision=scores.precision,
        recall=scores.recall,
        true_pairs=scores.true_pairs,
        predicted_pairs=scores.predicted_pairs,
        person_ids_with_two_people=int(impure),
        people_published_twice=int(twice),
        published_twice_share=twice / rows if rows else 0.0,
        living_excluded_by_registry=int(living),
        living_excluded_near_nik=int(living_near),
    )


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> set[str]:
    """Column names of a view: truths of quarters generated before issue 11 lack the newer columns."""
    return {row[0] for row in con.execute(f"describe {view}").fetchall()}
