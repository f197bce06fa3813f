"""The bps_submission suite, run through GX on small hand-made frames."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from expectations.submission import NIK_PATTERN, SUBMISSION_COLUMNS, SUITE_NAME, build_submission_suite
from orchestration.quality.gx_runner import failed, validate
from tests.quality.conftest import DKI_CODES, valid_submission


@pytest.fixture(scope="module")
def suite():
    return build_submission_suite(DKI_CODES)


def failures_of(result) -> set[tuple[str | None, str]]:
    return {(o.column, o.expectation_type) for o in result.expectations if not o.success}


def test_valid_frame_passes(suite, gx_dir):
    result = validate(valid_submission(), suite, gx_dir=gx_dir)
    assert result.success, failed(result)
    assert result.suite_name == SUITE_NAME
    assert result.evaluated_expectations == result.successful_expectations == len(suite.expectations)
    assert failed(result) == []
    # Presence is checked for the dbt model's columns only: the frame's own SQL names its check columns.
    assert {o.column for o in result.expectations if o.expectation_type == "expect_column_to_exist"} == set(
        SUBMISSION_COLUMNS)
    assert all(o.description and not o.description.startswith("expect_") for o in result.expectations)


def _set(frame: pd.DataFrame, **cells) -> pd.DataFrame:
    for column, value in cells.items():
        frame.loc[3, column] = value
    return frame


def _duplicate(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    frame.loc[5, column] = frame.loc[4, column]
    return frame


BLOCKING_CASES = {
    "dead": (
        lambda f: _set(f, in_death_registry=True),
        {("in_death_registry", "expect_column_values_to_be_in_set")},
        "bps_submission: in_death_registry — 1 of 20 rows are in the Dukcapil death registry",
    ),
    "moved_out": (
        lambda f: _set(f, in_move_out_registry=True),
        {("in_move_out_registry", "expect_column_values_to_be_in_set")},
        "bps_submission: in_move_out_registry — 1 of 20 rows moved out of DKI or were deactivated",
    ),
    "malformed_nik": (
        # 15 digits: a NIK that went through Excel; upstream SQL flags it too.
        lambda f: _set(f, nik="317101170845000", nik_structurally_valid=False),
        {("nik", "expect_column_values_to_match_regex"),
         ("nik_structurally_valid", "expect_column_values_to_be_in_set")},
        "bps_submission: nik — 1 of 20 rows have a NIK without the 16-digit NIK structure",
    ),
    "non_dki_kelurahan": (
        lambda f: _set(f, kode_kelurahan="3201011001"),
        {("kode_kelurahan", "expect_column_values_to_be_in_set")},
        "bps_submission: kode_kelurahan — 1 of 20 rows have a kelurahan code outside DKI Jakarta's 267 kelurahan",
    ),
    "duplicate_nik": (
        lambda f: _duplicate(f, "nik"),
        {("nik", "expect_column_values_to_be_unique")},
        "bps_submission: nik — 2 of 20 rows share their NIK with another row",
    ),
    "bps_code_of_another_kelurahan": (
        # A real BPS code, but of the next kelurahan: the two numberings mixed up.
        lambda f: _set(f, kode_kelurahan_bps=f.loc[4, "kode_kelurahan_bps"]),
        {("kode_kelurahan_bps", "expect_column_pair_values_to_be_equal")},
        "bps_submission: kode_kelurahan_bps — 1 of 20 rows have a BPS kelurahan code that is not their kelurahan's",
    ),
    "bps_code_missing": (
        lambda f: _set(f, kode_kelurahan_bps=None),
        {("kode_kelurahan_bps", "expect_column_values_to_not_be_null")},
        "bps_submission: kode_kelurahan_bps — 1 of 20 rows have no BPS kelurahan code",
    ),
    "name_missing": (
        lambda f: _set(f, nama=None),
        {("nama", "expect_column_values_to_not_be_null")},
        "bps_submission: nama — 1 of 20 rows have no name",
    ),
    "name_with_digits": (
        lambda f: _set(f, nama="SITI 2ULAIKHA"),
        {("nama", "expect_column_values_to_match_regex")},
        "bps_submission: nama — 1 of 20 rows have a name with characters other than letters",
    ),
    "name_a_formula": (
        lambda f: _set(f, nama='=HYPERLINK("X")'),
        {("nama", "expect_column_values_to_match_regex")},
        "bps_submission: nama — 1 of 20 rows have a name with characters other than letters",
    ),
    "name_without_letters": (
        lambda f: _set(f, nama="'"),
        {("nama", "expect_column_values_to_match_regex")},
        "bps_submission: nama — 1 of 20 rows have a name with characters other than letters",
    ),
    "desil_out_of_range": (
        lambda f: _set(f, desil="5"),
        {("desil", "expect_column_values_to_be_in_set")},
        "bps_submission: desil — 1 of 20 rows have a decile other than 1 to 4",
    ),
    "desil_zero": (
        lambda f: _set(f, desil="0"),
        {("desil", "expect_column_values_to_be_in_set")},
        "bps_submission: desil — 1 of 20 rows have a decile other than 1 to 4",
    ),
    "rt_zero": (
        lambda f: _set(f, rt="000"),
        {("rt", "expect_column_values_to_match_regex")},
        "bps_submission: rt — 1 of 20 rows have an RT that is not three digits from 001 to 999",
    ),
    "rw_unpadded": (
        lambda f: _set(f, rw="12"),
        {("rw", "expect_column_values_to_match_regex")},
        "bps_submission: rw — 1 of 20 rows have an RW that is not three digits from 001 to 999",
    ),
    "rw_four_digits": (
        lambda f: _set(f, rw="1000"),
        {("rw", "expect_column_values_to_match_regex")},
        "bps_submission: rw — 1 of 20 rows have an RW that is not three digits from 001 to 999",
    ),
    "duplicate_person_id": (
        lambda f: _duplicate(f, "person_id"),
        {("person_id", "expect_column_values_to_be_unique")},
        "bps_submission: person_id — 2 of 20 rows share their person_id with another row",
    ),
}


@pytest.mark.parametrize("case", BLOCKING_CASES)
def test_each_defect_blocks_and_is_named_with_counts(case, suite, gx_dir):
    spoil, expected_failures, sentence = BLOCKING_CASES[case]
    result = validate(spoil(valid_submission()), suite, gx_dir=gx_dir)
    assert not result.success
    assert failures_of(result) == expected_failures
    assert result.evaluated_expectations - result.successful_expectations == len(expected_failures)
    assert any(s.startswith(sentence) for s in failed(result)), failed(result)


def test_missing_column_is_named(suite, gx_dir):
    # A column marts.bps_submission could lose: the frame takes the model's columns as they are.
    result = validate(valid_submission().drop(columns=["desil"]), suite, gx_dir=gx_dir)
    assert not result.success
    sentences = failed(result)
    assert "bps_submission: desil — the column is missing from the submission" in sentences
    # The checks on the missing column cannot run; they say so without GX's exception text.
    assert "bps_submission: desil — could not be evaluated (GX raised an error)" in sentences


@pytest.mark.parametrize("cells", [
    {"desil": None, "rt": None, "rw": None},
    {"desil": "4", "rt": "999", "rw": "001"},
    {"nama": "MA'RUF AMIN"},
    {"nama": "A"},
])
def test_empty_or_edge_values_of_the_new_checks_pass(cells, suite, gx_dir):
    result = validate(_set(valid_submission(), **cells), suite, gx_dir=gx_dir)
    assert result.success, failed(result)


def test_frame_straight_from_duckdb(suite, gx_dir):
    # What the pipeline hands over: DuckDB's string and nullable boolean dtypes, here with one unchecked row.
    con = duckdb.connect()
    con.register("submission", valid_submission())
    frame = con.sql(
        "select * replace (if(person_id = 'P0000004', null, in_death_registry) as in_death_registry) from submission"
    ).df()
    result = validate(frame, suite, gx_dir=gx_dir)
    assert failed(result) == [
        "bps_submission: in_death_registry — 1 of 20 rows have no in_death_registry value, so the check did not run "
        "for them"
    ]


@pytest.mark.parametrize(
    ("nik", "matches"),
    [
        ("3171011708450001", True),
        ("3171015708450001", True),  # woman: day + 40
        ("3171017208450001", False),  # day 72
        ("3171011713450001", False),  # month 13
        ("3171011708450000", False),  # serial 0000
        ("0971011708450001", False),  # province 09
        ("317101170845001", False),
        ("31710117084500011", False),
    ],
)
def test_nik_pattern(nik, matches):
    assert bool(re.match(NIK_PATTERN, nik)) is matches


@pytest.mark.parametrize("codes", [[], ["3201011001"], ["31710110"], [3171011001]])
def test_suite_refuses_codes_that_are_not_dki_kelurahan(codes):
    with pytest.raises(ValueError, match="DKI kelurahan codes"):
        build_submission_suite(codes)
