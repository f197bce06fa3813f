"""The model's weights for a quarter larger than its training quarter (orchestration/linkage/list_size.py).

The arithmetic from the model file, then real Splink on rows from the independent case maker (tests/linkage/cases.py)
scored with the weights of its own size and of a 10M-row quarter. Counts only in the messages, never a NIK or a name.
"""

from __future__ import annotations

import copy
import math

import pytest

from orchestration.linkage.list_size import weights_for_rows
from orchestration.linkage.model import LinkageModel, load_model
from orchestration.linkage.predict import link
from orchestration.linkage.settings import GROUP_LEVELS
from tests.linkage.cases import DENSE_RATES, Rates, make_cases
from tests.linkage.scoring import score_pairs

ALL_OF_JAKARTA = 10_000_000


@pytest.fixture(scope="module")
def model():
    return load_model()


def _trained_rows(model) -> int:
    return int(model.meta["trained_on"]["rows"])


def _levels(settings: dict):
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            yield comparison["output_column_name"], level


@pytest.mark.parametrize("rows", [1, 20_000, "trained"])
def test_a_quarter_no_larger_than_the_training_one_keeps_the_trained_weights(model, rows):
    rows = _trained_rows(model) if rows == "trained" else rows
    sized = weights_for_rows(model, rows)
    assert sized.prior_shift_bits == 0.0
    assert sized.settings == model.settings


def test_a_larger_quarter_moves_the_prior_and_the_group_levels_by_the_same_factor(model):
    sized = weights_for_rows(model, ALL_OF_JAKARTA)
    factor = (_trained_rows(model) - 1) / (ALL_OF_JAKARTA - 1)
    assert sized.prior_shift_bits == pytest.approx(math.log2(factor))
    assert sized.prior_shift_bits < -6
    assert sized.settings["probability_two_random_records_match"] == pytest.approx(
        model.settings["probability_two_random_records_match"] * factor)
    scaled = 0
    for (name, trained), (_, level) in zip(_levels(model.settings), _levels(sized.settings), strict=True):
        assert level.get("m_probability") == trained.get("m_probability")
        if level.get("label_for_charts") in GROUP_LEVELS.get(name, ()):
            assert level["u_probability"] == pytest.approx(trained["u_probability"] * factor)
            scaled += 1
        else:
            assert level.get("u_probability") == trained.get("u_probability")
    assert scaled == sum(len(labels) for labels in GROUP_LEVELS.values())
    assert model.settings["probability_two_random_records_match"] != sized.settings[
        "probability_two_random_records_match"], "the committed model's settings must not be changed in place"


def test_a_model_without_a_group_level_is_refused(model):
    settings = copy.deepcopy(model.settings)
    for name, level in _levels(settings):
        if name == "domicile" and level.get("label_for_charts") == "same address":
            level["label_for_charts"] = "same street"
    other = LinkageModel(settings=settings, meta=model.meta, sha256=model.sha256)
    with pytest.raises(ValueError, match="same address"):
        weights_for_rows(other, ALL_OF_JAKARTA)
    assert weights_for_rows(other, 1000).settings is settings


def _scored(records, settings, tmp_path):
    """(unique_id_l, unique_id_r) -> (match weight, whether the pair is at a group level of its NIK or domicile)."""
    rows, comparisons = score_pairs(records, dict(
        settings, retain_intermediate_calculation_columns=True, retain_matching_columns=True), tmp_path,
        "match_weight, gamma_nik, gamma_domicile")
    values = {c.output_column_name: {lvl.comparison_vector_value for lvl in c.comparison_levels
                                     if lvl.label_for_charts in GROUP_LEVELS.get(c.output_column_name, ())}
              for c in comparisons}
    return {(row[0], row[1]): (row[2], row[3] in values["nik"], row[4] in values["domicile"]) for row in rows}


@pytest.mark.parametrize("households, seed, rates", [(2500, 505, DENSE_RATES["default"]),
                                                     (2000, 606, DENSE_RATES["harsh"])], ids=["default", "harsh"])
def test_on_independent_rows_only_pairs_sharing_no_group_weigh_less(model, households, seed, rates, tmp_path):
    """A pair that shares a NIK or a household weighs the same (or, sharing both, more) in a 10M-row quarter; a
    pair that shares neither weighs the prior's shift less (to 1e-4 bits: the prior's weight is of odds, not a
    probability); so every link lost shares neither."""
    cases = make_cases(households, seed, rates)
    records = cases.table()
    own = _scored(records, weights_for_rows(model, records.num_rows).settings, tmp_path / "own")
    big_weights = weights_for_rows(model, ALL_OF_JAKARTA)
    big = _scored(records, big_weights.settings, tmp_path / "big")
    assert set(own) == set(big) and len(own) > 1000
    shift = big_weights.prior_shift_bits
    needed = math.log2(model.threshold / (1 - model.threshold))
    lost = {"true": 0, "false": 0}
    for pair, (weight, at_nik, at_domicile) in own.items():
        assert big[pair][1:] == (at_nik, at_domicile)
        groups = int(at_nik) + int(at_domicile)
        assert big[pair][0] == pytest.approx(weight + shift * (1 - groups), abs=1e-4), f"{groups} groups"
        if weight >= needed > big[pair][0]:
            assert groups == 0
            lost["true" if cases.truth[pair[0]] == cases.truth[pair[1]] else "false"] += 1
    gained = [cases.truth[a] == cases.truth[b] for (a, b), (weight, *_) in own.items()
              if weight < needed <= big[(a, b)][0]]
    assert sum(lost.values()) > 0, "no link of the case maker depends on the list's size: the test shows nothing"
    # What the larger list costs on this maker's rows, in counts (the docs give the generator's figures).
    print(f"links lost at 10M rows: {lost['true']} true, {lost['false']} false; "
          f"gained: {sum(gained)} true, {len(gained) - sum(gained)} false")


def test_the_linkage_step_weighs_a_quarter_by_its_own_rows(model, tmp_path):
    """link_records takes the quarter's row count from its input: a model trained on fewer rows is moved for it."""
    records = make_cases(600, 707, Rates()).table()
    small = LinkageModel(settings=model.settings, sha256=model.sha256,
                         meta={**model.meta, "trained_on": {**model.meta["trained_on"], "rows": 500}})
    moved = link(records, small, temp_dir=tmp_path / "moved")
    assert moved.rows == records.num_rows > 500
    assert moved.prior_shift_bits == pytest.approx(math.log2(499 / (records.num_rows - 1)))
    assert link(records, model, temp_dir=tmp_path / "trained").prior_shift_bits == 0.0
