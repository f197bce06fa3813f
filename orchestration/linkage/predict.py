"""Scoring and clustering one quarter's rows with the committed model (no training here)."""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration import machine
from orchestration.linkage.clusters import cluster_at_threshold
from orchestration.linkage.list_size import weights_for_rows
from orchestration.linkage.model import LinkageModel
from orchestration.linkage.person_ids import assign_person_ids, export_keys
from orchestration.linkage.settings import nik_contradicts_row_sql, nik_is_another_persons_sql

# Splink logs progress at INFO; the run log needs none of it.
SPLINK_LOG_LEVEL = logging.WARNING
SCRATCH = "splink_scratch"  # the in-memory catalog Splink works in beside the warehouse (scratch_beside)


@dataclass
class LinkResult:
    """Each row's cluster and the figures the asset reports."""

    clusters: pa.Table | None  # unique_id, cluster_id (link); None from link_records, which leaves table clusters
    rows: int
    comparisons: int
    pairs_linked: int
    cluster_sizes: dict[int, int] = field(default_factory=dict)  # size -> number of clusters
    prior_shift_bits: float = 0.0  # the prior's move for the quarter's size (list_size.weights_for_rows)
    niks_in_several_clusters: int = 0  # valid NIKs on the rows of more than one person (resolved in dbt)
    clusters_split: int = 0  # clusters that held two people's own NIKs, chained through rows without a NIK
    twin_clusters_split: int = 0  # clusters that held rows of two twins (split_clusters_holding_twins)
    ids_carried_over: int = 0  # people who kept the previous quarter's person_id
    ids_new: int = 0
    ids_other_key_rows: int = 0  # previous keys made with another HMAC key (a rotated key carries no id over)
    review_effects: object = None  # review_constraints.DecisionEffects
    review_candidates: dict[str, int] = field(default_factory=dict)  # doubtful pairs per kind (review.candidates)
    part_seconds: dict[str, float] = field(default_factory=dict)  # wall time of each part of link_records, in order

    @property
    def people(self) -> int:
        return sum(self.cluster_sizes.values())

    @property
    def largest_cluster(self) -> int:
        return max(self.cluster_sizes, default=0)


def splink_connection(records: pa.Table, temp_dir: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding `records` as table `records`, spilling to `temp_dir` (never into the warehouse)."""
    con = duckdb.connect()
    _spill_to(con, temp_dir, memory_limit)
    con.register("records_arrow", records)
    con.execute("create table records as select * from records_arrow order by unique_id")
    con.unregister("records_arrow")
    return con


def _spill_to(con: duckdb.DuckDBPyConnection, temp_dir: Path, memory_limit: str | None) -> None:
    # What a killed run spilled here is of no use to this one.
    shutil.rmtree(temp_dir, ignore_errors=True)
    temp_dir.mkdir(parents=True)
    con.execute(f"set memory_limit = '{memory_limit or machine.duckdb_memory_limit()}'")
    con.execute(f"set threads = {machine.duckdb_threads()}")
    con.execute(f"set temp_directory = '{temp_dir}'")


@contextlib.contextmanager
def scratch_beside(warehouse: duckdb.DuckDBPyConnection, input_table: str, temp_dir: Path,
                   memory_limit: str | None = None, rows: str | None = None,
                   ordered: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse's connection with an in-memory catalog in use, holding `input_table` (or its `rows`, a query
    of unique_ids over the warehouse) as table `records`, in unique_id order unless not `ordered`.

    Splink's own tables go to the in-memory catalog (spilling to `temp_dir`), never into the warehouse file, and
    the input is copied inside DuckDB: at 10M rows an Arrow copy of it held in Python cost about 1.6 GiB. Not
    `ordered`, the copy keeps the warehouse's order: link_records gives the same clusters and ids whatever the
    order (tests/linkage/test_linkage_predict.py), and dbt writes the list rows in unique_id order already (46 out
    of place at 10M), where sorting them again took 5.4 s instead of 2.5 s.
    """
    home = warehouse.execute("select current_database()").fetchall()[0][0]
    _spill_to(warehouse, temp_dir, memory_limit)
    warehouse.execute(f"attach ':memory:' as {SCRATCH}")
    try:
        warehouse.execute(f"use {SCRATCH}")
        where = f' where unique_id in ({rows})' if rows else ""
        order = " order by unique_id" if ordered else ""
        warehouse.execute(f'create table records as select * from "{home}".{input_table}{where}{order}')
        yield warehouse
    finally:
        warehouse.execute(f'use "{home}"')
        warehouse.execute(f"detach {SCRATCH}")


@contextlib.contextmanager
def _timed(seconds: dict[str, float], part: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[part] = round(time.perf_counter() - started, 3)


def link(records: pa.Table, model: LinkageModel, *, temp_dir: Path, **ids) -> LinkResult:
    """Score every blocked pair of `records` (columns of int_persons__for_linkage) and cluster at the threshold.

    `ids` as link_records takes them. The clusters come back as an Arrow table (for tests and training).
    """
    con = splink_connection(records, temp_dir)
    try:
        result = link_records(con, model, **ids)
        result.clusters = con.sql("select * from clusters order by unique_id").to_arrow_table()
    finally:
        con.close()
    return result


def link_records(
    con: duckdb.DuckDBPyConnection, model: LinkageModel, *, quarter: str | None = None,
    previous_keys: Path | None = None, keys_out: Path | None = None, key_secret: bytes | None = None,
    decisions: list | None = None, review=None,
) -> LinkResult:
    """Score every blocked pair of table `records` with the model's weights for its size (list_size) and cluster
    at the threshold into table `clusters`.

    With `quarter`, each cluster also gets a person_id, carried over from `previous_keys` (the previous quarter's
    export) where it overlaps, and this quarter's keys are written to `keys_out`, both HMAC-ed with `key_secret`.
    Clerical `decisions` (review.decisions_store) are applied last (table review_applied); with `review`
    (review.candidates.ReviewSettings) the doubtful pairs are left in table review_candidates.
    """
    from orchestration.linkage.review_constraints import apply_review_decisions
    from orchestration.review.candidates import select_candidates

    from splink import DuckDBAPI, Linker

    part = {}
    rows = con.execute("select count(*) from records").fetchall()[0][0]
    sized = weights_for_rows(model, int(rows))
    with _timed(part, "predict"):
        db_api = DuckDBAPI(connection=con)
        linker = Linker(db_api.register("records"), sized.settings, log_level=SPLINK_LOG_LEVEL)
        pairs = linker.inference.predict()
        # fetchall, not fetchone: a result left open on Splink's connection breaks its next call (DuckDB 2.0).
        comparisons, linked = con.execute(
            f"select count(*), count(*) filter (where match_probability >= {model.threshold}) "
            f"from {pairs.physical_name}"
        ).fetchall()[0]
    # In row order: the cannot-link joins below pair each row with its record, and on a table in the records'
    # order they took half the time (the twin pairs 7.1 -> 3.6 s at 10M rows).
    with _timed(part, "cluster"):
        cluster_at_threshold(con, pairs.physical_name, model.threshold)
    with _timed(part, "split_two_niks"):
        split = split_clusters_holding_two_niks(con, pairs.physical_name, model.threshold)
    with _timed(part, "split_twins"):
        twins_split = split_clusters_holding_twins(con, pairs.physical_name, model.threshold)
    # A person's judgement comes after every rule: it is about these very records.
    with _timed(part, "review_decisions"):
        effects = apply_review_decisions(con, pairs.physical_name, model.threshold, decisions or [], key_secret)
    candidates = {}
    with _timed(part, "review_candidates"):
        if review is not None:
            candidates = select_candidates(con, pairs.physical_name, model.threshold,
                                           {d.pair_id for d in decisions or []}, key_secret, review)
    with _timed(part, "niks_in_several"):
        shared = count_niks_in_several_clusters(con)
    ids = {"carried_over": 0, "new": 0}
    if quarter is not None:
        with _timed(part, "person_ids"):
            ids = assign_person_ids(con, quarter, previous_keys, key_secret)
        if keys_out is not None:
            with _timed(part, "keys_export"):
                export_keys(con, keys_out, quarter, key_secret)
    sizes = con.execute(
        "select size, count(*) from (select count(*) as size from clusters group by cluster_id) "
        "group by size order by size"
    ).fetchall()
    return LinkResult(
        clusters=None,
        rows=int(rows),
        comparisons=int(comparisons),
        pairs_linked=int(linked),
        cluster_sizes={int(size): int(n) for size, n in sizes},
        prior_shift_bits=sized.prior_shift_bits,
        niks_in_several_clusters=shared,
        clusters_split=split,
        twin_clusters_split=twins_split,
        ids_carried_over=ids["carried_over"],
        ids_new=ids["new"],
        ids_other_key_rows=ids.get("other_key_rows", 0),
        review_effects=effects,
        review_candidates=candidates,
        part_seconds=part,
    )


def count_niks_in_several_clusters(con: duckdb.DuckDBPyConnection) -> int:
    """How many valid NIKs appear on the rows of more than one cluster (table `clusters` against `records`).

    Such clusters are never joined: one NIK on two people is "NIK ganda" (a member listed under the head's or a
    sibling's NIK), and Splink has already weighed the NIK against the names and birth dates. Which person keeps
    the NIK is decided in dbt (int_persons__golden, marts/persons): the one whose birth date and sex fit it.
    """
    return int(con.execute(
        "select count(*) from (select r.nik from clusters c join records r using (unique_id) "
        "where r.nik is not null group by r.nik having count(distinct c.cluster_id) > 1)"
    ).fetchall()[0][0])


def _own_nik_sql(row: str = "r") -> str:
    """SQL over `records <row>`: the row carries a valid NIK that does not contradict its birth date and sex."""
    contradicts = nik_contradicts_row_sql(f"{row}.nik", f"{row}.tanggal_lahir", f"{row}.jenis_kelamin")
    return f"({row}.nik is not null and not coalesce({contradicts}, false))"


def _conflicting_clusters_sql() -> str:
    """Clusters holding two people's own NIKs: not one typo apart, or one typo apart on rows of other names."""
    return (
        "with own as (select distinct c.cluster_id, r.nik, r.first_name, r.nama_match from clusters c "
        f"join records r using (unique_id) where {_own_nik_sql()}), "
        "pairs as (select a.cluster_id, a.nik as nik_a, b.nik as nik_b, "
        "bool_or(a.first_name = b.first_name and levenshtein(a.nama_match, b.nama_match) <= 2) as same_name, "
        "bool_or(a.nama_match = b.nama_match) as equal_name "
        "from own a join own b on a.cluster_id = b.cluster_id and a.nik < b.nik group by all) "
        "select distinct cluster_id from pairs "
        "where damerau_levenshtein(nik_a, nik_b) > 1 or not coalesce(same_name, false) "
        # the same rule as niks_are_one_person: never a typo in the birth date and sex digits of two own NIKs, and
        # one in the serial only with the same name
        "or substr(nik_a, 7, 6) <> substr(nik_b, 7, 6) "
        "or (substr(nik_a, 13, 4) <> substr(nik_b, 13, 4) and not coalesce(equal_name, false))"
    )


def niks_are_one_person(nik_a: str, name_a: str | None, nik_b: str, name_b: str | None) -> bool:
    """Two rows' own NIKs can be one person's: equal, or one typo apart (a digit, an adjacent swap) where the typo
    can be: in the serial (13-16) only with the same name, as twins' consecutive serials come with names one letter
    apart (PUTRA, PUTRI); in the region (1-6) with names sharing the first word and at most two letters apart; never
    in the birth date and sex digits (7-12), where two NIKs that each fit their own row are two people's."""
    if nik_a == nik_b:
        return True
    if len(nik_a) != len(nik_b) or not name_a or not name_b or name_a.split(" ")[0] != name_b.split(" ")[0]:
        return False
    diff = [i for i in range(len(nik_a)) if nik_a[i] != nik_b[i]]
    one_typo = len(diff) == 1 or (
        len(diff) == 2 and diff[1] == diff[0] + 1 and nik_a[diff[0]] == nik_b[diff[1]]
        and nik_a[diff[1]] == nik_b[diff[0]])
    if not one_typo or any(6 <= i <= 11 for i in diff):
        return False
    if all(i >= 12 for i in diff):
        return name_a == name_b
    return _levenshtein(name_a, name_b) <= 2


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class _Parts:
    """Union-find over row ids. A join keeps the smaller root, so a part's root is its smallest row id."""

    def __init__(self, ids) -> None:
        self.parent = {uid: uid for uid in ids}

    def root(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = sorted((self.root(a), self.root(b)))
        self.parent[rb] = ra


def _links_inside(con: duckdb.DuckDBPyConnection, pairs: str, threshold: float, clusters: list[str]) -> list:
    """The links at the threshold between rows of one of `clusters` (kept as temp table split_clusters)."""
    con.execute("create or replace temp table split_clusters as select unnest(?) as cluster_id", [clusters])
    return con.execute(
        f"select p.unique_id_l, p.unique_id_r, p.match_probability from {pairs} p "
        "join clusters cl on cl.unique_id = p.unique_id_l join clusters cr on cr.unique_id = p.unique_id_r "
        "join split_clusters k on k.cluster_id = cl.cluster_id "
        f"where cl.cluster_id = cr.cluster_id and p.match_probability >= {threshold}").fetchall()


def _rename_parts(con: duckdb.DuckDBPyConnection, parts: _Parts) -> None:
    """Each row of `parts` takes its part's root as cluster_id."""
    # Handed over as Arrow: an executemany of the rows of 5,860 clusters took 2.3 s at 10M rows.
    con.register("cluster_split", pa.table({"unique_id": pa.array(list(parts.parent), pa.string()),
                                            "cluster_id": pa.array([parts.root(u) for u in parts.parent],
                                                                   pa.string())}))
    try:
        con.execute("update clusters set cluster_id = s.cluster_id from cluster_split s "
                    "where clusters.unique_id = s.unique_id")
    finally:
        con.unregister("cluster_split")


def split_clusters_holding_two_niks(con: duckdb.DuckDBPyConnection, pairs: str, threshold: float) -> int:
    """Cannot-link: split a cluster that holds two people's own NIKs, one part per NIK; return how many were split.

    A row's own NIK is a valid NIK that fits the row's birth date and sex (digits 7-12). Two own NIKs in one
    cluster are two people (Dukcapil issues one NIK per person) unless they are one typo apart on rows of one name
    (niks_are_one_person). Such a cluster is two namesakes, or twins with near-identical names, bridged by a row
    that has no NIK or a NIK contradicting its row (a typo, or a borrowed NIK) and matches both. The cluster is
    rebuilt from the links between rows with an own NIK; every other row then joins, strongest link first, the part
    it is linked to. Parts whose own-NIK rows link each other directly stay joined (over-linking is checked elsewhere).
    """
    conflicted = [c for c, in con.execute(_conflicting_clusters_sql()).fetchall()]
    if not conflicted:
        return 0
    edges = _links_inside(con, pairs, threshold, conflicted)
    members = con.execute(
        f"select c.unique_id, {_own_nik_sql()}, r.nik, r.nama_match "
        "from clusters c join records r using (unique_id) join split_clusters using (cluster_id)").fetchall()
    seed = {uid: bool(flag) for uid, flag, _, _ in members}
    nik_and_name = {uid: (nik, nama) for uid, _, nik, nama in members}
    parts = _Parts(seed)
    for a, b, _ in edges:
        # Cannot-link: two rows whose own NIKs are two people's are never joined directly.
        if seed[a] and seed[b] and niks_are_one_person(*nik_and_name[a], *nik_and_name[b]):
            parts.join(a, b)
    # Every other row joins, strongest link first, a part it links to; rows linked only to such rows follow them.
    placed = {uid for uid, flag in seed.items() if flag}
    strongest_first = sorted(edges, key=lambda e: (-e[2], e[0], e[1]))
    changed = True
    while changed:
        changed = False
        for a, b, _ in strongest_first:
            for new, old in ((a, b), (b, a)):
                if new not in placed and old in placed:
                    parts.join(new, old)
                    placed.add(new)
                    changed = True
    for a, b, _ in edges:  # parts without any own NIK stay together
        if a not in placed and b not in placed:
            parts.join(a, b)
    _rename_parts(con, parts)
    return len(conflicted)


def _dates_far_sql(a: str, b: str) -> str:
    """SQL: two known birth dates (YYYY-MM-DD text) at least two of whose day, month and year differ, not as a
    day/month swap and not as the 1 January filler of the same year: two people's, not one typed error apart (the
    same test nik_is_another_persons_sql applies to a NIK's date digits). Null when either is unknown."""
    d_a, m_a, y_a = f"substr({a}, 9, 2)", f"substr({a}, 6, 2)", f"substr({a}, 1, 4)"
    d_b, m_b, y_b = f"substr({b}, 9, 2)", f"substr({b}, 6, 2)", f"substr({b}, 1, 4)"
    return (
        f"(cast({d_a} <> {d_b} as integer) + cast({m_a} <> {m_b} as integer) + cast({y_a} <> {y_b} as integer) >= 2 "
        f"and not ({d_a} = {m_b} and {m_a} = {d_b} and {y_a} = {y_b}) "
        f"and not ({y_a} = {y_b} and ({m_a} || {d_a} = '0101' or {m_b} || {d_b} = '0101')))"
    )


def _one_household_sql(a: str = "a", b: str = "b") -> str:
    """SQL: rows of one household: the same KK, or a KK missing on one side and the same address in one kelurahan
    (P3KE has no KK; an invalid KK is null)."""
    return (f"({a}.no_kk = {b}.no_kk or (({a}.no_kk is null or {b}.no_kk is null) "
            f"and {a}.kode_kelurahan = {b}.kode_kelurahan and {a}.alamat = {b}.alamat))")


def _twin_pairs_sql() -> str:
    """Pairs of rows in one cluster that look like two people: other names, and either rows of one household in one
    file (a household roster lists each member once), or the same birth date (or one unknown) with sexes that
    differ (twins of opposite sex), or one NIK on rows of two households; or, whatever the names, rows of one
    household with birth dates far apart (a father and son of one name, one of them without a usable NIK)."""
    far = _dates_far_sql("a.tanggal_lahir", "b.tanggal_lahir")
    return (
        "select ca.cluster_id, a.unique_id as uid_a, b.unique_id as uid_b, "
        f"{_own_nik_sql('a')} and {_own_nik_sql('b')} as both_own, "
        # Names of one person under one NIK share a word (A SAHARUDDIN UMAR, AHMAD SAHARUDDIN UMAR) or are
        # mistyped throughout (AHMDA SIGIT, ZHMAD SIGIT); a brother's name under his NIK shares neither.
        "(len(list_intersect(list_filter(string_split(a.nama_match, ' '), lambda w: length(w) >= 3), "
        "string_split(b.nama_match, ' '))) > 0 "
        "or jaro_winkler_similarity(a.nama_match, b.nama_match) >= 0.85) as names_related, "
        "a.nik as nik_a, b.nik as nik_b, a.nama_match as name_a, b.nama_match as name_b, "
        f"coalesce({far}, false) as dates_far, "
        f"coalesce({_far_nik_sql('a')}, false) or coalesce({_far_nik_sql('b')}, false) as nik_far, "
        "coalesce(a.jenis_kelamin <> b.jenis_kelamin, false) as sexes_differ, "
        f"a.source = b.source and coalesce({_one_household_sql()}, false) as one_roster, "
        "coalesce(a.tanggal_lahir = b.tanggal_lahir, false) as same_date "
        "from clusters ca join records a on a.unique_id = ca.unique_id "
        "join clusters cb on cb.cluster_id = ca.cluster_id and ca.unique_id < cb.unique_id "
        "join records b on b.unique_id = cb.unique_id "
        f"where (a.nama_match <> b.nama_match and ((a.source = b.source and {_one_household_sql()}) "
        "or (coalesce(a.tanggal_lahir = b.tanggal_lahir, true) and a.jenis_kelamin <> b.jenis_kelamin) "
        # One NIK on rows of two households: the same person, or a typo in a NIK's serial that gives one person
        # the NIK of another born the same day in the same kecamatan (the names tell which, _kept_together).
        f"or (a.nik = b.nik and not coalesce({_one_household_sql()}, false)))) "
        f"or ({_one_household_sql()} and coalesce({far}, false))"
    )


def _far_nik_sql(row: str) -> str:
    """SQL over `records <row>`: the row's NIK is far from its own birth date (somebody else's NIK)."""
    return nik_is_another_persons_sql(f"{row}.nik", f"{row}.tanggal_lahir")


def _kept_together(both_own, names_related, nik_a, nik_b, name_a, name_b, dates_far, nik_far, sexes_differ,
                   one_roster, same_date) -> bool:
    """Whether the NIKs make a household-member pair one person after all.

    One NIK on both rows (never two missing NIKs: null is no NIK) with related names, unless the birth dates are
    far apart and a NIK is far from its own row's date (the head's NIK on a member's row), or the two rows are one
    roster's (one file, one household) with one birth date and two sexes: a girl and a boy born the same day, one
    listed under the other's NIK (SUMINI and SUMINA, P and L), whom one list has as two members; or two own NIKs of
    one person. A same-sex twin under the other twin's NIK with a name one letter apart stays with the twin
    (nothing in the rows tells it from one person listed twice with a typo; it has no row of its own NIK, so it is
    never published), and so do opposite-sex twins under one NIK in two lists (one person whose sex one list
    mistyped)."""
    if nik_a is None and nik_b is None:
        # No NIK on either row: nothing tells twins one letter apart from one person listed twice with a typo, except
        # a sex or an age that differs (both rows without a usable NIK are excluded as such anyway).
        return bool(names_related) and not dates_far and not sexes_differ
    if nik_a is not None and nik_a == nik_b:
        if dates_far and nik_far:
            return False
        # One person entered twice in one roster with both the name and the sex mistyped is split by this: one
        # part keeps the NIK, the other is excluded as nik_conflict and visited (docs/linkage.md).
        if one_roster and same_date and sexes_differ:
            return False
        return bool(names_related)
    return bool(both_own and nik_a is not None and nik_b is not None
                and niks_are_one_person(nik_a, name_a, nik_b, name_b))


def split_clusters_holding_twins(con: duckdb.DuckDBPyConnection, pairs: str, threshold: float) -> int:
    """Cannot-link: split a cluster holding rows of two members of one household that no NIK makes one person.

    Twins share a birth date and a household and are often named one letter apart (KENZO, KENZI; FARIDA, FARIDI);
    where one twin has no usable NIK (invalid, or the head's), name, birth date and household outweigh everything
    else and the model merges them (Splink scores the fields as independent; among rows of one household born on
    one day they are not). So do a mother and daughter SITI RAHMA ALKAFF and SITI AMINA ALKAFF (whole names 0.95
    alike) when the daughter's NIK is a placeholder. Two rows whose names differ are kept apart when they are one
    household's rows of one file, or when their birth dates are the same (or one is unknown) and their sexes
    differ, or when they carry one NIK in two households (a serial typo can give one person the NIK of another
    born the same day in the same kecamatan), unless the NIKs make them one person: one NIK on both rows with
    related names (DAFFA NUGRAHA ADITYA under RAHMAT IBRAHIM UMAR's NIK, born the same day, is his brother;
    A SAHARUDDIN UMAR is AHMAD SAHARUDDIN UMAR listed twice; BAGUS SIMANJUNTAK with the sex mistyped is BAGUS
    SIMAIJUNTAK), or two own NIKs that are one person's (niks_are_one_person). The cluster is rebuilt from its
    links, strongest first, never joining parts that hold such a pair; returns how many clusters were split. The
    cost: one person's rows of one roster under a name variant, or with a mistyped sex, where one row has no usable
    NIK, are left apart, that row excluded as without a usable NIK instead of joining the person; and one person
    under their NIK in two households with unrelated names in the two lists is split; one person entered twice in
    one roster under their NIK with both the name and the sex mistyped is split (one part is then a NIK conflict).
    It misses same-sex twins under one NIK with related names (KENZO, KENZI), and opposite-sex twins under one NIK
    in two different lists: nothing in the rows tells that from one person's typos.
    """
    apart = [(cluster, a, b) for cluster, a, b, *pair in con.execute(_twin_pairs_sql()).fetchall()
             if not _kept_together(*pair)]
    if not apart:
        return 0
    clusters = sorted({cluster for cluster, _, _ in apart})
    rebuild_apart(con, _links_inside(con, pairs, threshold, clusters), [(a, b) for _, a, b in apart])
    return len(clusters)


def rebuild_apart(con: duckdb.DuckDBPyConnection, edges: list, apart: list[tuple[str, str]]) -> None:
    """Rebuild the clusters in temp table split_clusters from `edges` (uid, uid, probability), strongest first,
    never joining two parts that would put a pair of `apart` in one cluster; rows of those clusters that no edge
    reaches stand alone."""
    members = [uid for uid, in con.execute(
        "select unique_id from clusters join split_clusters using (cluster_id) order by unique_id").fetchall()]
    parts = _Parts(members)
    part_of = {uid: {uid} for uid in members}
    cannot: dict[str, set[str]] = {uid: set() for uid in members}
    for a, b in apart:
        cannot[a].add(b)
        cannot[b].add(a)
    for a, b, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        ra, rb = sorted((parts.root(a), parts.root(b)))
        if ra == rb or any(cannot[uid] & part_of[rb] for uid in part_of[ra]):
            continue
        parts.join(ra, rb)
        part_of[ra] |= part_of.pop(rb)
    _rename_parts(con, parts)
