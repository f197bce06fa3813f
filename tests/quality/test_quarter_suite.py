"""The quarter suite over one row of figures: registry freshness, source quality, submission size."""

from __future__ import annotations

import pytest

from expectations.bounds import GateBounds
from expectations.quarter import COLUMNS, SUITE_NAME, build_quarter_suite
from orchestration.quality.gx_runner import failed, validate
from tests.quality.conftest import good_quarter


@pytest.fixture(scope="module")
def suite():
    return build_quarter_suite(GateBounds())


def failures_of(result) -> set[tuple[str | None, str]]:
    return {(o.column, o.expectation_type) for o in result.expectations if not o.success}


def test_good_figures_pass(suite, gx_dir):
    assert list(good_quarter().columns) == list(COLUMNS)
    result = validate(good_quarter(), suite, gx_dir=gx_dir)
    assert result.success, failed(result)
    assert result.suite_name == SUITE_NAME
    shares = {o.column: o.observed_value for o in result.expectations if o.column == "dtks_invalid_nik_share"}
    assert shares == {"dtks_invalid_nik_share": 0.031}


def test_first_quarter_without_previous_submission_passes(suite, gx_dir):
    # GX per-value expectations skip nulls, so "no previous quarter" needs no special case.
    figures = good_quarter(previous_submission_rows=None, submission_size_change=None)
    result = validate(figures, suite, gx_dir=gx_dir)
    assert result.success, failed(result)
    (size,) = [o for o in result.expectations if o.column == "submission_size_change" and o.element_count]
    assert (size.success, size.element_count, size.unexpected_count) == (True, 1, 0)


def test_registry_events_after_the_quarters_end_pass(suite, gx_dir):
    # Extracts are pulled after the quarter closes (the 15th of the next month): their latest events are later.
    figures = good_quarter(death_registry_latest_age_days=-14, move_registry_latest_age_days=-45)
    result = validate(figures, suite, gx_dir=gx_dir)
    assert result.success, failed(result)


BLOCKING_CASES = {
    "empty_death_registry": (
        {"death_registry_rows": 0, "death_registry_latest_age_days": None},
        {("death_registry_rows", "expect_column_min_to_be_between"),
         ("death_registry_latest_age_days", "expect_column_values_to_not_be_null")},
        ["quarter: death_registry_rows — the Dukcapil death registry has 0 rows",
         "quarter: death_registry_latest_age_days — the Dukcapil death registry has no dated event"],
    ),
    "stale_move_registry": (
        # The latest move event is 120 days before the end of a 91-day quarter.
        {"move_registry_latest_age_days": 120},
        {("move_registry_latest_age_days", "expect_column_pair_values_a_to_be_greater_than_b")},
        ["quarter: move_registry_latest_age_days — the Dukcapil move registry's latest event is older than the "
         "quarter's first day"],
    ),
    "death_registry_niks_unreadable": (
        # A death file with a third of its NIKs unreadable: a third of the dead could be published unseen.
        {"death_registry_invalid_nik_share": 1 / 3},
        {("death_registry_invalid_nik_share", "expect_column_max_to_be_between")},
        ["quarter: death_registry_invalid_nik_share — 33.3% of the Dukcapil death registry's rows "
         "(dukcapil_kematian.csv) lack a 16-digit NIK (limit 5%)"],
    ),
    "move_registry_niks_unreadable": (
        {"move_registry_invalid_nik_share": 0.051},
        {("move_registry_invalid_nik_share", "expect_column_max_to_be_between")},
        ["quarter: move_registry_invalid_nik_share — 5.1% of the Dukcapil move registry's rows "
         "(dukcapil_pindah.csv) lack a 16-digit NIK (limit 5%)"],
    ),
    "p3ke_invalid_niks": (
        {"p3ke_invalid_nik_share": 0.4},
        {("p3ke_invalid_nik_share", "expect_column_max_to_be_between")},
        ["quarter: p3ke_invalid_nik_share — 40.0% of p3ke rows lack a structurally valid NIK (limit 5%)"],
    ),
    "unresolved_kelurahan": (
        {"dtks_unresolved_kelurahan_share": 0.03},
        {("dtks_unresolved_kelurahan_share", "expect_column_max_to_be_between")},
        ["quarter: dtks_unresolved_kelurahan_share — 3.0% of dtks rows have a kelurahan that could not be "
         "resolved (limit 2%)"],
    ),
    "missing_share": (
        # Unlike the per-value check on the size change, a max over nothing fails: a list with rows needs a share.
        {"carik_invalid_nik_share": None},
        {("carik_invalid_nik_share", "expect_column_max_to_be_between")},
        ["quarter: carik_invalid_nik_share — there was no value to check; expected: At most 5% of carik rows lack a "
         "structurally valid NIK."],
    ),
    "size_jump": (
        {"submission_rows": 26_475, "submission_size_change": 0.5},
        {("submission_size_change", "expect_column_values_to_be_between")},
        ["quarter: submission_size_change — the submission's row count changed by more than 10% against the "
         "previous published quarter"],
    ),
}


@pytest.mark.parametrize("case", BLOCKING_CASES)
def test_each_bad_figure_blocks_and_is_named(case, suite, gx_dir):
    overrides, expected_failures, sentences = BLOCKING_CASES[case]
    result = validate(good_quarter(**overrides), suite, gx_dir=gx_dir)
    assert not result.success
    assert failures_of(result) == expected_failures
    assert failed(result) == sentences


def test_bounds_come_from_the_suite_builder(gx_dir):
    lenient = build_quarter_suite(GateBounds(max_invalid_nik_share=0.5))
    result = validate(good_quarter(p3ke_invalid_nik_share=0.4), lenient, gx_dir=gx_dir)
    assert result.success, failed(result)


def test_registry_bound_comes_from_the_suite_builder(gx_dir):
    lenient = build_quarter_suite(GateBounds(max_registry_invalid_nik_share=0.4))
    result = validate(good_quarter(death_registry_invalid_nik_share=1 / 3), lenient, gx_dir=gx_dir)
    assert result.success, failed(result)


def test_no_expectation_checks_the_frames_own_shape(suite):
    # The frame is one row built by our own code (its shape is pinned by tests/defs/test_gates.py): a row-count or
    # column-presence expectation on it could never fail.
    types = {e.expectation_type for e in suite.expectations}
    assert not types & {"expect_table_row_count_to_equal", "expect_column_to_exist"}
