"""The filters on the two blocking rules inside a kelurahan drop only pairs the committed model can never link.

Two ways: from the model file, the best weight a dropped pair can have (its comparison levels are bounded by the
filter) is below the threshold, with the trained weights and with those of a 10M-row quarter; and on rows from
the independent case maker, scoring with the unfiltered rules links exactly the same pairs, while the filters
drop pairs.
"""

from __future__ import annotations

import copy
import itertools
import math
import random

import duckdb
import pytest
from splink import block_on

from orchestration.linkage.list_size import weights_for_rows
from orchestration.linkage.model import load_model
from orchestration.linkage.settings import _HOUSEHOLD_OR_NEAR_NIK, BLOCKING_RULES, niks_one_typo_apart_sql
from tests.linkage.cases import DENSE_RATES, make_cases
from tests.linkage.scoring import score_pairs

ANY = None
# The levels (by the start of their chart label) a pair dropped by each filtered rule can be at, as one or more
# classes. Rule 3 keeps equal birth dates in one kelurahan; outside one household (no shared KK or address line) and
# with NIKs not one typo apart it drops names at the else level (so: no NIK on one side, a far NIK, or two different
# NIKs), and two valid NIKs at the NIK comparison's else level whatever the names. Rule 4 keeps equal names in one
# kelurahan and drops the same with the dates for the names. An equal NIK is rule 1's pair either way.
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
def test_no_pair_a_filter_drops_can_reach_the_threshold(rule, dropped, rows):
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
    needed = math.log2(model.threshold / (1 - model.threshold))
    assert best < needed, f"{rule}: a dropped pair can weigh {best:.2f} against the threshold's {needed:.2f}"


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


def _scored(records, settings, tmp_path):
    rows, _ = score_pairs(records, settings, tmp_path, "match_probability")
    return {(row[0], row[1]): row[2] for row in rows}


@pytest.mark.parametrize("households, seed, rates", [(2500, 303, DENSE_RATES["default"]),
                                                     (2000, 404, DENSE_RATES["harsh"])], ids=["default", "harsh"])
def test_scoring_without_the_filters_links_the_same_pairs(households, seed, rates, tmp_path):
    model = load_model()
    records = make_cases(households, seed, rates).table()
    unfiltered = copy.deepcopy(model.settings)
    unfiltered["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": r.get_blocking_rule("duckdb").blocking_rule_sql, "sql_dialect": "duckdb"}
        for r in (block_on("nik"), block_on("nama_match", "tanggal_lahir"),
                  block_on("tanggal_lahir", "kode_kelurahan"), block_on("nama_match", "kode_kelurahan"),
                  block_on("no_kk", "first_name"))]
    everything = _scored(records, unfiltered, tmp_path / "all")
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
