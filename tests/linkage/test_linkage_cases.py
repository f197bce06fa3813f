"""The committed model on rows from an independent case maker (tests/linkage/cases.py): its own error process.

NIK typos at any position, adjacent swaps, members under the head's NIK, twins, parent and child born on the same
day of the year, namesakes. Judged against the maker's truth with real Splink; no NIK or name is ever printed.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from orchestration.linkage.evaluate import blocking_recall, pairwise_scores
from orchestration.linkage.model import load_model
from orchestration.linkage.predict import link
from tests.linkage.cases import Rates, make_cases

# Two draws of the maker: its default rates, and a harsher one with other rates (twice the NIK errors).
DRAWS = {
    "default": (1500, 101, Rates()),
    "harsh": (1200, 202, Rates(nik_substitution=0.06, nik_transposition=0.03, nik_ganda=0.06, name_typo=0.06,
                              dob_typo=0.03, twins=0.15, parent_child_same_day=0.1, namesake=0.04)),
}


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module", params=sorted(DRAWS))
def draw(request, model, tmp_path_factory):
    households, seed, rates = DRAWS[request.param]
    cases = make_cases(households, seed, rates)
    result = link(cases.table(), model, temp_dir=tmp_path_factory.mktemp("splink"))
    return cases, _clusters(result), result


def _clusters(result) -> dict[str, str]:
    """unique_id -> cluster_id of a linkage result."""
    return dict(zip(result.clusters.column("unique_id").to_pylist(),
                    result.clusters.column("cluster_id").to_pylist()))


def _assignments(cases, clusters) -> pa.Table:
    ids = sorted(cases.truth)
    return pa.table({"predicted": [clusters[i] for i in ids], "actual": [cases.truth[i] for i in ids]})


# Precision bounds per draw. What the model cannot tell apart, by design: a row without a NIK, or with a mistyped
# one, that has the name and birth date of two people in one kelurahan (a twin whose name is one letter from the
# other's, e.g. RINA and RINI; a namesake next door) joins one of them. The maker makes look-alike twins and
# namesakes far more often than real lists do.
MIN_PRECISION = {"default": 0.998, "harsh": 0.99}


def test_pairwise_precision_and_recall(draw, request):
    cases, clusters, _ = draw
    scores = pairwise_scores(_assignments(cases, clusters))
    assert scores.precision >= MIN_PRECISION[request.node.callspec.params["draw"]], scores.as_dict()
    assert scores.recall >= 0.99, scores.as_dict()


def _identified(cases, person: str) -> bool:
    """Every row of the person carries their own valid NIK (so the NIK-based rules can apply to them)."""
    return all(r["nik"] == cases.persons[person].nik for r in cases.rows if cases.truth[r["unique_id"]] == person)


def test_no_cluster_holds_two_people_who_each_carry_their_own_nik(draw):
    cases, clusters, _ = draw
    people_per_cluster: dict[str, set[str]] = {}
    for uid, cluster in clusters.items():
        people_per_cluster.setdefault(cluster, set()).add(cases.truth[uid])
    mixed = [p for p in people_per_cluster.values() if len(p) > 1]
    assert len(mixed) <= 0.005 * len(people_per_cluster)
    assert sum(all(_identified(cases, q) for q in p) for p in mixed) == 0


@pytest.mark.parametrize("kind", ["twins", "parent_child", "namesakes"])
def test_people_who_look_alike_stay_apart(draw, kind):
    """Twins (one-letter names included), a parent and child born on one day of the year, namesakes: apart."""
    cases, clusters, _ = draw
    pairs = cases.apart[kind]
    assert len(pairs) >= 5  # the draw holds enough of them to mean something
    rows_of: dict[str, set[str]] = {}
    for uid, cluster in clusters.items():
        rows_of.setdefault(cases.truth[uid], set()).add(cluster)
    merged = [(a, b) for a, b in pairs if rows_of.get(a, set()) & rows_of.get(b, set())]
    identified = [(a, b) for a, b in merged if _identified(cases, a) and _identified(cases, b)]
    assert not identified, f"{len(identified)} of {len(pairs)} {kind} pairs with their own NIKs in one cluster"
    assert len(merged) <= 0.1 * len(pairs), f"{len(merged)} of {len(pairs)} {kind} pairs in one cluster"


def _joined_to_own_rows(cases, clusters, uids: list[str]) -> tuple[int, int]:
    """Of `uids` whose person has other rows: how many share a cluster with at least one of them."""
    rows_of: dict[str, list[str]] = {}
    for uid, person in cases.truth.items():
        rows_of.setdefault(person, []).append(uid)
    candidates = [u for u in uids if len(rows_of[cases.truth[u]]) > 1]
    joined = sum(any(clusters[o] == clusters[u] for o in rows_of[cases.truth[u]] if o != u) for u in candidates)
    return joined, len(candidates)


def test_a_nik_typo_anywhere_joins_the_persons_other_rows(draw):
    """A digit replaced at any of the 16 positions, or two adjacent digits swapped, name and birth date intact."""
    cases, clusters, _ = draw
    joined, candidates = _joined_to_own_rows(cases, clusters, cases.nik_typo_rows)
    assert candidates >= 50
    assert joined / candidates >= 0.97, f"{joined} of {candidates} mistyped rows joined their person"


def test_a_member_under_another_members_nik_joins_their_own_rows(draw):
    """NIK ganda: the member's row goes with the member's other rows, never with the NIK's owner."""
    cases, clusters, _ = draw
    joined, candidates = _joined_to_own_rows(cases, clusters, cases.ganda_rows)
    assert candidates >= 30
    assert joined / candidates >= 0.97, f"{joined} of {candidates} ganda rows joined their person"


def test_every_true_pair_falls_in_a_blocking_rule(draw):
    """Blocking recall: a true pair in no blocking rule is never scored, whatever the model says."""
    cases, _, _ = draw
    actual = pa.table({"unique_id": list(cases.truth), "actual": list(cases.truth.values())})
    recall = blocking_recall(cases.table(), actual)
    assert recall.true_pairs > 1000
    assert recall.recall >= 0.995, f"{recall.true_pairs - recall.blocked_true_pairs} true pairs never scored"


def test_niks_in_several_clusters_are_counted_not_merged(draw):
    """A NIK on two people's rows leaves two clusters; the count is reported for the asset's metadata."""
    cases, clusters, result = draw
    con = duckdb.connect()
    con.register("r", cases.table())
    con.register("c", pa.table({"unique_id": list(clusters), "cluster_id": list(clusters.values())}))
    shared = con.execute("select count(*) from (select nik from r join c using (unique_id) where nik is not null "
                         "group by nik having count(distinct cluster_id) > 1)").fetchall()[0][0]
    assert result.niks_in_several_clusters == shared > 0


def test_clusters_chaining_two_peoples_own_niks_are_split(draw):
    """The cannot-link step ran on this draw (the maker's namesakes and twins need it) and left no such cluster."""
    # The harsh draw's twins one serial apart, one listed under the head's NIK on two rows and under her own NIK
    # with day and month swapped on the third, are parted by the household-member cannot-link
    # (split_clusters_holding_twins; without it this test fails), as the own-NIK split sees only one own NIK there.
    cases, clusters, result = draw
    assert result.clusters_split > 0
    own: dict[str, set[str]] = {}
    for row in cases.rows:
        person = cases.persons[cases.truth[row["unique_id"]]]
        if row["nik"] == person.nik:
            own.setdefault(clusters[row["unique_id"]], set()).add(person.key)
    assert sum(len(p) > 1 for p in own.values()) == 0


# A third draw for the roster cannot-link: twins of opposite sex, a twin listed under the other twin's NIK on every
# row, and lists that hold a person's row twice (a cadre's double entry), each copy with its own errors, with sex
# typos four times the default's so that the double entries the rule can split are there to count.
ROSTER_RATES = Rates(twins=0.4, opposite_sex_twins=0.5, twin_under_twins_nik=0.5, roster_duplicate=0.08,
                     sex_typo=0.02, name_typo=0.08)


@pytest.fixture(scope="module")
def roster_draw(model, tmp_path_factory):
    cases = make_cases(1500, 303, ROSTER_RATES)
    result = link(cases.table(), model, temp_dir=tmp_path_factory.mktemp("splink"))
    return cases, _clusters(result), {r["unique_id"]: r for r in cases.rows}


def _rows_by_person_and_source(cases) -> dict[tuple[str, str], list[str]]:
    rows: dict[tuple[str, str], list[str]] = {}
    for row in cases.rows:
        rows.setdefault((cases.truth[row["unique_id"]], row["source"]), []).append(row["unique_id"])
    return rows


def test_opposite_sex_twins_under_one_nik_in_one_roster_are_apart(roster_draw):
    """A boy listed under his twin sister's NIK (or she under his) beside her in one list: two people, whatever
    the names; the rows are parted although the NIK and the related names would keep them together."""
    cases, clusters, row = roster_draw
    rows = _rows_by_person_and_source(cases)
    in_one_roster = []
    for carrier, owner in cases.twin_under_twins_nik:
        if cases.persons[carrier].sex == cases.persons[owner].sex:
            continue
        for source in ("dtks", "p3ke", "carik"):
            # the carrier's row and the owner's row of one list, as the list has them (sex as written)
            pairs = [(a, b) for a in rows.get((carrier, source), []) for b in rows.get((owner, source), [])
                     if row[a]["nik"] == row[b]["nik"] is not None
                     and row[a]["tanggal_lahir"] == row[b]["tanggal_lahir"]
                     and row[a]["jenis_kelamin"] != row[b]["jenis_kelamin"]]
            in_one_roster += pairs
    assert len(in_one_roster) >= 10, len(in_one_roster)
    merged = sum(clusters[a] == clusters[b] for a, b in in_one_roster)
    assert merged == 0, f"{merged} of {len(in_one_roster)} such twin rows in one cluster"


def test_a_persons_double_entry_in_one_list_stays_one_person(roster_draw):
    """The rule's cost, bounded: a person's two rows of one list under one NIK stay together unless both the name and
    the sex were mistyped (one part then keeps the NIK, the other is visited as a NIK conflict). A double entry
    whose rows do not carry one NIK (one lost it, or a typo) may be parted by the household cannot-link, its known
    cost (docs/linkage.md)."""
    cases, clusters, row = roster_draw
    assert len(cases.roster_duplicates) >= 100
    split = [(a, b) for a, b in cases.roster_duplicates if clusters[a] != clusters[b]]
    under_one_nik = [(a, b) for a, b in split if row[a]["nik"] is not None and row[a]["nik"] == row[b]["nik"]]
    unexplained = [(a, b) for a, b in under_one_nik if row[a]["nama_match"] == row[b]["nama_match"]
                   or row[a]["jenis_kelamin"] == row[b]["jenis_kelamin"]]
    assert not unexplained, f"{len(unexplained)} of {len(cases.roster_duplicates)} double entries under one NIK split"
    # This draw's sex typos are 4 times the default rate and its name typos twice, so that the cost can be seen.
    bound = 0.01 * len(cases.roster_duplicates)
    assert len(under_one_nik) <= bound, f"{len(under_one_nik)} of {len(cases.roster_duplicates)}"
