"""The filters on the two blocking rules inside a kelurahan drop only pairs the committed model can never link.

Two ways: from the model file, the best weight a dropped pair can have (its comparison levels are bounded by the
filter) is below the threshold, with the trained weights and with those of a 10M-row quarter; and on rows from
the independent case maker, scoring with the unfiltered rules links exactly the same pairs, while the filters
drop pairs.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
import random

import duckdb
import pyarrow as pa
import pytest
from splink import block_on

from orchestration.linkage.list_size import weights_for_rows
from orchestration.linkage.model import load_model
from orchestration.linkage.settings import _HOUSEHOLD_OR_NEAR_NIK, BLOCKING_RULES, niks_one_typo_apart_sql
from orchestration.review.candidates import DEFAULT_BAND
from tests.linkage.cases import DENSE_RATES, Rates, make_cases
from tests.linkage.scoring import score_pairs

ANY = None
# The levels (by the start of their chart label) a pair dropped by each filtered rule can be at, as one or more
# classes. Rule 3 keeps equal birth dates in one kelurahan; outside one household (no shared KK or address line),
# with NIKs not one typo apart where a KK is missing (elsewhere in one kelurahan the NIK's typo level cannot take
# them), it drops names at the else level (so: no NIK on one side, a far NIK, or two different NIKs), and two valid
# NIKs at the NIK comparison's else level whatever the names. Rule 4 keeps equal names in one kelurahan and drops
# the same with the dates for the names. An equal NIK is rule 1's pair either way.
DROPPED = {
    "birth date and kelurahan": [
        {"nik": ("nik is NULL", "a NIK far from", "All other"), "nama_match": ("All other",),
         "tanggal_lahir": ("Exact match",), "jenis_kelamin": ANY, "domicile": ("same kelurahan",)},
        {"nik": ("All other",), "nama_match": ANY,
         "tanggal_lahir": ("Exact match",), "jenis_kelamin": ANY, "domicile": ("same kelurahan",)},
    ],
    "name and kelurahan": [
        {"nik": ("nik is NULL", "a NIK far from", "All other"), "nama_match": ("Exact match",),
         "tanggal_lahir": ("All other",), "jenis_kelamin": ANY, "domicile": ("same kelurahan",)},
        {"nik": ("All other",), "nama_match": ("Exact match",),
         "tanggal_lahir": ANY, "jenis_kelamin": ANY, "domicile": ("same kelurahan",)},
    ],
}


def _level_weights(settings: dict) -> dict[str, list[tuple[str, float]]]:
    """Each comparison's levels as (label, log2 Bayes factor); a null level weighs 0."""
    weights = {}
    for comparison in settings["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            assert not level.get("tf_adjustment_column"), "term-frequency adjustments would change the bound"
            label = level.get("label_for_charts", "")
            if level.get("is_null_level"):
                levels.append((label, 0.0))
            else:
                levels.append((label, math.log2(level["m_probability"] / level["u_probability"])))
        weights[comparison["output_column_name"]] = levels
    return weights


# The training quarter's size, and all of Jakarta (list_size moves the prior and the group levels with the rows).
@pytest.mark.parametrize("rows", ["trained", 10_000_000])
@pytest.mark.parametrize("rule, dropped", [(rule, i) for rule in sorted(DROPPED) for i in range(len(DROPPED[rule]))])
def test_no_pair_a_filter_drops_can_reach_the_review_band(rule, dropped, rows):
    """Below the threshold and below the review band's low end: a dropped pair is neither linked nor listed."""
    model = load_model()
    settings = weights_for_rows(model, model.meta["trained_on"]["rows"] if rows == "trained" else rows).settings
    weights = _level_weights(settings)
    allowed = DROPPED[rule][dropped]
    assert set(allowed) == set(weights)
    choices = []
    for name, levels in weights.items():
        kept = [w for label, w in levels if allowed[name] is ANY or label.startswith(allowed[name])]
        assert kept, f"no level of {name} starts with {allowed[name]}"
        choices.append(kept)
    prior = settings["probability_two_random_records_match"]
    best = math.log2(prior / (1 - prior)) + max(sum(combo) for combo in itertools.product(*choices))
    floor = lowest_probability_used(model)
    needed = math.log2(floor / (1 - floor))
    assert best < needed, f"{rule}: a dropped pair can weigh {best:.2f} against the floor's {needed:.2f}"


def test_the_nik_typo_test_is_the_edit_distance_at_most_one():
    """niks_one_typo_apart_sql (a mismatch count before the distance) agrees with Damerau-Levenshtein <= 1 on every
    typo at every position of random 16-digit NIKs and on unrelated, half-shared and missing ones; a NIK of another
    width (which the dbt test digits_of_width keeps out of the linkage input) stops the query."""
    rng = random.Random(1207)
    digits = "0123456789"
    pairs = []
    for _ in range(300):
        nik = "".join(rng.choice(digits) for _ in range(16))
        for i in range(16):  # a digit typed wrongly, at every position
            pairs.append((nik, nik[:i] + rng.choice(digits.replace(nik[i], "")) + nik[i + 1:]))
        for i in range(15):  # two adjacent digits swapped, at every position
            pairs.append((nik, nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:]))
        other = "".join(rng.choice(digits) for _ in range(16))
        i = rng.randrange(15)
        swapped_and_typed = nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:]
        pairs += [(nik, nik), (nik, other), (nik, nik[:8] + other[8:]), (nik, other[:8] + nik[8:]), (nik, None),
                  (nik, swapped_and_typed[:-1] + rng.choice(digits)), (None, None)]
    con = duckdb.connect()
    con.execute("create table pairs (id integer, nik_a varchar, nik_b varchar)")
    con.executemany("insert into pairs values (?, ?, ?)", [(i, a, b) for i, (a, b) in enumerate(pairs)])
    disagree, edits, near = con.execute(
        f"select count(*) filter (where coalesce({niks_one_typo_apart_sql('nik_a', 'nik_b')}, false) "
        "<> coalesce(damerau_levenshtein(nik_a, nik_b) <= 1, false)), "
        "count(*) filter (where damerau_levenshtein(nik_a, nik_b) = 1), "
        f"count(*) filter (where {niks_one_typo_apart_sql('nik_a', 'nik_b')}) from pairs").fetchall()[0]
    assert disagree == 0
    assert edits >= 300 * (16 + 12) and near < len(pairs) - 300  # the typos (swaps of equal digits are none), and false
    # In the blocking rules, on rows of no household: the same pairs.
    side = "select id, {} as nik, null::varchar as no_kk, null::varchar as alamat from pairs"
    (kept,) = con.execute(
        f"select count(*) filter (where coalesce({_HOUSEHOLD_OR_NEAR_NIK}, false) "
        "<> coalesce(damerau_levenshtein(l.nik, r.nik) <= 1, false)) "
        f"from ({side.format('nik_a')}) l join ({side.format('nik_b')}) r using (id)").fetchall()[0]
    assert kept == 0
    for a, b in [(nik, nik[:15]), (nik, nik + "1"), ("", "")]:
        with pytest.raises(duckdb.InvalidInputException):
            con.execute(f"select {niks_one_typo_apart_sql('?', '?')}", [a, b]).fetchall()


def test_the_filtered_rules_are_the_committed_models():
    committed = [r["blocking_rule"] for r in load_model().settings["blocking_rules_to_generate_predictions"]]
    assert committed == [r.get_blocking_rule("duckdb").blocking_rule_sql for r in BLOCKING_RULES]


def lowest_probability_used(model) -> float:
    """The lowest match probability a run links or lists (the review band's low end is below the threshold)."""
    return min(model.threshold, DEFAULT_BAND[0])


def _unfiltered(settings: dict) -> dict:
    """The settings with the blocking rules' equalities only."""
    unfiltered = copy.deepcopy(settings)
    unfiltered["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": r.get_blocking_rule("duckdb").blocking_rule_sql, "sql_dialect": "duckdb"}
        for r in (block_on("nik"), block_on("nama_match", "tanggal_lahir"),
                  block_on("tanggal_lahir", "kode_kelurahan"), block_on("nama_match", "kode_kelurahan"),
                  block_on("no_kk", "first_name"))]
    return unfiltered


def _scored(records, settings, tmp_path):
    rows, _ = score_pairs(records, settings, tmp_path, "match_probability")
    return {(row[0], row[1]): row[2] for row in rows}


@pytest.mark.parametrize("households, seed, rates", [(2500, 303, DENSE_RATES["default"]),
                                                     (2000, 404, DENSE_RATES["harsh"])], ids=["default", "harsh"])
def test_scoring_without_the_filters_links_the_same_pairs(households, seed, rates, tmp_path):
    model = load_model()
    records = make_cases(households, seed, rates).table()
    everything = _scored(records, _unfiltered(model.settings), tmp_path / "all")
    filtered = _scored(records, model.settings, tmp_path / "filtered")
    dropped = set(everything) - set(filtered)
    assert set(filtered) <= set(everything)
    # Counts only in the messages: the pairs' ids would print thousands of lines.
    assert len(dropped) > 0.1 * len(everything), f"{len(dropped)} of {len(everything)} pairs dropped"
    best_dropped = max(everything[pair] for pair in dropped)
    assert best_dropped < model.threshold, f"a dropped pair had match probability {best_dropped}"
    linked = {p for p, prob in everything.items() if prob >= model.threshold}
    linked_filtered = {p for p, prob in filtered.items() if prob >= model.threshold}
    assert len(linked) > 1000
    assert linked == linked_filtered, f"{len(linked ^ linked_filtered)} linked pairs differ"
    _same_review_band(everything, filtered, lowest_probability_used(model))


def _same_review_band(everything: dict, filtered: dict, floor: float) -> None:
    """Every pair at or above `floor` is scored with the filters, and with the same probability."""
    doubtful = {pair for pair, p in everything.items() if p >= floor}
    kept = {pair for pair, p in filtered.items() if p >= floor}
    assert kept == doubtful, f"{len(kept ^ doubtful)} pairs at or above {floor} differ"
    assert all(filtered[pair] == everything[pair] for pair in kept)


# NIKs numbered as Dukcapil numbers them (the serial counts the people of one kecamatan, birth date and sex) and
# every row in one kelurahan: birthday-mates of one kecamatan have NIKs a digit apart, and with two known KKs the
# filters drop them (the NIK's typo level needs one household). More NIK-less rows than the maker's default, so
# that the far and missing NIKs meet names at every level.
@pytest.mark.parametrize("households, seed, rates", [(2500, 505, Rates(nik_missing=0.2)),
                                                     (2000, 606, dataclasses.replace(DENSE_RATES["harsh"],
                                                                                     nik_missing=0.25))],
                         ids=["default", "harsh"])
def test_birthday_mates_whose_niks_differ_in_the_serial_are_dropped_without_changing_a_link(households, seed, rates,
                                                                                             tmp_path):
    model = load_model()
    cases = make_cases(households, seed, rates, serial_per_birth_date=True)
    records = cases.table()
    records = records.set_column(records.schema.get_field_index("kode_kelurahan"), "kode_kelurahan",
                                 pa.array(["3171011001"] * records.num_rows))
    everything = _scored(records, _unfiltered(model.settings), tmp_path / "all")
    filtered = _scored(records, model.settings, tmp_path / "filtered")
    assert set(filtered) <= set(everything)
    con = duckdb.connect()
    con.register("records", records)
    # pairs of one birth date, another known KK and address, NIKs one typo apart: what the household test no
    # longer keeps (counts only)
    mates = {tuple(sorted(pair)) for pair in con.execute(
        "select l.unique_id, r.unique_id from records l join records r on l.tanggal_lahir = r.tanggal_lahir "
        "and l.unique_id < r.unique_id where l.no_kk <> r.no_kk and l.alamat <> r.alamat and l.nik <> r.nik "
        f"and {niks_one_typo_apart_sql('l.nik', 'r.nik')}").fetchall()}
    con.close()
    scored = mates & set(everything)
    dropped = scored - set(filtered)
    # the rest are kept by another test: the same name (rule 2), or a far NIK with names near
    assert len(scored) > 200 and len(dropped) > 0.8 * len(scored), f"{len(dropped)} of {len(scored)} dropped"
    assert sum(cases.truth[a] == cases.truth[b] for a, b in dropped) == 0
    _same_review_band(everything, filtered, lowest_probability_used(model))
