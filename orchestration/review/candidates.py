"""Which pairs go to a person each quarter: the doubtful ones, chosen where the clusters are made.

- grey_band: a match probability in the review band (either side of the threshold);
- nik_conflict: one valid NIK on the rows of two people (NIK ganda, or a namesake under a neighbour's NIK);
- cut_link: a link above the threshold that a cannot-link rule cut (two people's NIKs, twins, parent and child);
- large_cluster: the weakest links inside the largest clusters, where chained false links gather.
A pair with a decision in force is not listed again. The list is capped, the surest kinds first: what is cut off
is counted in the asset metadata, never silently dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from orchestration.review.record_keys import create_record_keys, pair_id_sql

BAND_ENV = "SATUDATA_REVIEW_BAND"  # "low,high" match probabilities
MAX_PAIRS_ENV = "SATUDATA_REVIEW_MAX_PAIRS"
DEFAULT_BAND = (0.5, 0.99)  # about 3 bits either side of the 0.9 threshold
DEFAULT_MAX_PAIRS = 2_000
LARGE_CLUSTERS = 20  # the largest clusters looked at ...
LARGE_CLUSTER_MIN_ROWS = 4  # ... when they have at least this many rows
WEAKEST_LINKS_PER_CLUSTER = 3
# A link this sure (about 10 bits) is not doubtful however large its cluster: a reviewer would only confirm it.
SURE_LINK = 0.999
NIK_PAIRS_PER_NIK = 3
PRIORITY = ("nik_conflict", "cut_link", "large_cluster", "grey_band")
CANDIDATE_COLUMNS = "pair_id, kind, unique_id_l, unique_id_r, key_l, key_r, match_probability"


@dataclass(frozen=True)
class ReviewSettings:
    """The grey band and the cap of the worklist (environment, else the defaults)."""

    band: tuple[float, float] = DEFAULT_BAND
    max_pairs: int = DEFAULT_MAX_PAIRS

    @classmethod
    def from_env(cls) -> ReviewSettings:
        band, max_pairs = DEFAULT_BAND, DEFAULT_MAX_PAIRS
        if os.environ.get(BAND_ENV):
            try:
                low, high = (float(x) for x in os.environ[BAND_ENV].split(","))
            except ValueError:
                raise ValueError(f"${BAND_ENV} must be two match probabilities, e.g. 0.5,0.99") from None
            if not 0 <= low < high <= 1:
                raise ValueError(f"${BAND_ENV} must be low,high with 0 <= low < high <= 1")
            band = (low, high)
        if os.environ.get(MAX_PAIRS_ENV):
            if not os.environ[MAX_PAIRS_ENV].isdigit():
                raise ValueError(f"${MAX_PAIRS_ENV} must be a whole number")
            max_pairs = int(os.environ[MAX_PAIRS_ENV])
        return cls(band, max_pairs)


def _kinds_sql(pairs: str, threshold: float, band: tuple[float, float]) -> str:
    """SQL: (kind, unique_id_l, unique_id_r, match_probability) of every candidate, a pair once per kind."""
    low, high = band
    return f"""
    with sizes as (select cluster_id, count(*) as size from clusters group by 1),
    large as (select cluster_id from sizes where size >= {LARGE_CLUSTER_MIN_ROWS}
              order by size desc, cluster_id limit {LARGE_CLUSTERS}),
    scored as (select p.unique_id_l, p.unique_id_r, p.match_probability, cl.cluster_id as c_l, cr.cluster_id as c_r
               from {pairs} p join clusters cl on cl.unique_id = p.unique_id_l
               join clusters cr on cr.unique_id = p.unique_id_r),
    nik_firsts as (select r.nik, c.cluster_id, min(r.unique_id) as unique_id from records r
                   join clusters c using (unique_id) where r.nik is not null group by all),
    nik_shared as (select a.unique_id as unique_id_l, b.unique_id as unique_id_r, a.nik
                   from nik_firsts a join nik_firsts b on a.nik = b.nik and a.unique_id < b.unique_id
                   qualify row_number() over (partition by a.nik order by a.unique_id, b.unique_id)
                           <= {NIK_PAIRS_PER_NIK})
    select 'grey_band' as kind, unique_id_l, unique_id_r, match_probability from scored
    where match_probability >= {low} and match_probability < {high}
    union all
    select 'cut_link', unique_id_l, unique_id_r, match_probability from scored
    where match_probability >= {threshold} and c_l <> c_r
    union all
    select 'large_cluster', unique_id_l, unique_id_r, match_probability from (
        select s.*, row_number() over (partition by c_l order by match_probability, unique_id_l, unique_id_r) as k
        from scored s join large on large.cluster_id = s.c_l where s.c_l = s.c_r and s.match_probability < {SURE_LINK})
        where k <= {WEAKEST_LINKS_PER_CLUSTER}
    union all
    select 'nik_conflict', n.unique_id_l, n.unique_id_r, s.match_probability from nik_shared n
    left join scored s using (unique_id_l, unique_id_r)
    """


def select_candidates(con: duckdb.DuckDBPyConnection, pairs: str, threshold: float, decided_pairs: set[str],
                      secret: bytes, settings: ReviewSettings) -> dict[str, int]:
    """Table review_candidates (CANDIDATE_COLUMNS) over `clusters`, `records` and scored `pairs`; return the
    number of undecided candidates per kind and how many the cap left off (`not_listed`)."""
    con.execute(f"create or replace temp table review_kinds as {_kinds_sql(pairs, threshold, settings.band)}")
    create_record_keys(con, secret, only="select unique_id_l from review_kinds union select unique_id_r "
                                         "from review_kinds")
    rank = " ".join(f"when '{kind}' then {i}" for i, kind in enumerate(PRIORITY))
    # Nearest the threshold first within a kind: the likeliest to be wrong either way.
    con.execute(f"""create or replace temp table review_all as
        select {pair_id_sql('kl.record_key', 'kr.record_key')} as pair_id, k.kind, k.unique_id_l, k.unique_id_r,
               kl.record_key as key_l, kr.record_key as key_r, k.match_probability,
               case k.kind {rank} end as kind_rank
        from review_kinds k join record_keys kl on kl.unique_id = k.unique_id_l
        join record_keys kr on kr.unique_id = k.unique_id_r
        where kl.record_key <> kr.record_key
        qualify row_number() over (partition by pair_id order by kind_rank) = 1""")
    con.register("decided_pairs", pa.table({"pair_id": sorted(decided_pairs)}))
    con.execute("delete from review_all where pair_id in (select pair_id from decided_pairs)")
    con.unregister("decided_pairs")
    con.execute(f"""create or replace temp table review_candidates as
        select {CANDIDATE_COLUMNS} from review_all
        order by kind_rank, abs(coalesce(match_probability, 0) - {threshold}), pair_id
        limit {settings.max_pairs}""")
    counts = dict(con.execute("select kind, count(*) from review_all group by 1").fetchall())
    listed = con.execute("select count(*) from review_candidates").fetchall()[0][0]
    return {**{kind: int(counts.get(kind, 0)) for kind in PRIORITY},
            "not_listed": int(sum(counts.values()) - listed)}
