"""The bps_submission suite: each rule counted in DuckDB on a small warehouse with one planted defect, validated by
GX, and held to the row-level suite it replaced (same verdicts, same unexpected counts, same sentences)."""

from __future__ import annotations

import duckdb
import pytest

from expectations.submission import SUITE_NAME, build_submission_suite, columns
from expectations.submission_rules import (
    COLUMN_EXISTS,
    IN_SET,
    MATCH_REGEX,
    NOT_NULL,
    PAIR_EQUAL,
    ROW_COUNT,
    SUBMISSION_COLUMNS,
    UNIQUE,
    row_rules,
)
from orchestration.defs.quality.frames import submission_counts
from orchestration.quality.gx_runner import failed, validate
from tests.quality.conftest import DKI_CODES, Quarter, build_warehouse, valid_quarter
from tests.quality.row_level_suite import build_row_level_suite, differences, row_level_frame


@pytest.fixture(scope="module")
def suite():
    return build_submission_suite(DKI_CODES)


@pytest.fixture(scope="module")
def row_suite():
    return build_row_level_suite(DKI_CODES)


@pytest.fixture
def gate(tmp_path, suite, row_suite):
    """Count and validate a quarter as the gate does; validate the same quarter row by row; both results."""
    def run(quarter: Quarter):
        path = build_warehouse(tmp_path / "warehouse.duckdb", quarter)
        with duckdb.connect(str(path), read_only=True) as con:
            counts = submission_counts(con, DKI_CODES)
            frame = row_level_frame(con)
        assert len(counts) == 1 and list(counts.columns) == list(columns())
        # A GX project per test: Data Docs are rebuilt on every validation, slower the more a project holds.
        return (validate(counts, suite, gx_dir=tmp_path / "gx"),
                validate(frame, row_suite, gx_dir=tmp_path / "gx"))
    return run


def failures_of(result) -> set[tuple[str | None, str]]:
    return {(o.column, o.checks) for o in result.expectations if not o.success}


def test_a_valid_quarter_passes_every_rule(gate, suite):
    counted, rows = gate(valid_quarter())
    assert counted.success, failed(counted)
    assert counted.suite_name == SUITE_NAME
    assert counted.evaluated_expectations == counted.successful_expectations == len(suite.expectations)
    assert differences(counted, rows) == []
    assert {o.column for o in counted.expectations if o.checks == COLUMN_EXISTS} == set(SUBMISSION_COLUMNS)
    # Every rule is counted out of the submission's 20 rows and reported with its words, not GX's type name.
    per_row = [o for o in counted.expectations if o.element_count is not None]
    assert len(per_row) == len(row_rules(len(DKI_CODES)))
    assert all((o.unexpected_count, o.element_count) == (0, 20) for o in per_row)
    assert all(o.description and not o.description.startswith("expect_") for o in counted.expectations)


def _set(**cells):
    def spoil(quarter: Quarter) -> None:
        quarter.rows[3].update(cells)
    return spoil


def _duplicate(column: str):
    def spoil(quarter: Quarter) -> None:
        quarter.rows[5][column] = quarter.rows[4][column]
    return spoil


def _death(date: str | None):
    def spoil(quarter: Quarter) -> None:
        quarter.deaths.append((quarter.rows[3]["nik"], date))
    return spoil


def _moves(*events: tuple[str, str | None]):
    def spoil(quarter: Quarter) -> None:
        quarter.moves += [(quarter.rows[3]["nik"], status, date) for status, date in events]
    return spoil


def _drop(column: str):
    def spoil(quarter: Quarter) -> None:
        quarter.dropped += (column,)
    return spoil


def _empty(quarter: Quarter) -> None:
    quarter.rows.clear()


_MALFORMED = {("nik", MATCH_REGEX), ("nik_structurally_valid", IN_SET)}
_DEAD = ({("in_death_registry", IN_SET)},
         "bps_submission: in_death_registry — 1 of 20 rows are in the Dukcapil death registry")
_MOVED = ({("in_move_out_registry", IN_SET)},
          "bps_submission: in_move_out_registry — 1 of 20 rows moved out of DKI or were deactivated")
_STRUCTURE = ({("nik_structurally_valid", IN_SET)},
              "bps_submission: nik_structurally_valid — 1 of 20 rows have a NIK with an unknown area code, an "
              "impossible birth date or serial 0000")
_NAME = "bps_submission: nama — 1 of 20 rows have a name with characters other than letters"

BLOCKING_CASES = {
    "empty": (_empty, {(None, ROW_COUNT)}, "bps_submission: table — the submission has 0 rows"),
    "column_missing": (
        # A column marts.bps_submission could lose; the rule reading it is not counted and says so.
        _drop("desil"),
        {("desil", COLUMN_EXISTS), ("desil", IN_SET)},
        "bps_submission: desil — the column is missing from the submission",
    ),
    "dead": (_death("2025-05-01"), *_DEAD),
    # The extract is pulled after the quarter's end: a death dated then counts, as one without a date.
    "dead_after_the_quarter": (_death("2025-07-10"), *_DEAD),
    "dead_without_date": (_death(None), *_DEAD),
    "moved_out": (_moves(("PINDAH_KELUAR", "2025-05-01")), *_MOVED),
    "deactivated": (_moves(("NONAKTIF", None)), *_MOVED),
    "moved_within_dki_then_out": (_moves(("PINDAH_DALAM_DKI", "2025-04-01"), ("PINDAH_KELUAR", "2025-05-01")),
                                  *_MOVED),
    "nik_missing": (_set(nik=None), {("nik", NOT_NULL), ("nik_structurally_valid", IN_SET)},
                    "bps_submission: nik — 1 of 20 rows have no NIK"),
    # 15 digits: a NIK that went through Excel.
    "nik_malformed": (_set(nik="317101170845000"), _MALFORMED,
                      "bps_submission: nik — 1 of 20 rows have a NIK without the 16-digit NIK structure"),
    "nik_serial_0000": (_set(nik="3171011708450000"), _MALFORMED,
                        "bps_submission: nik — 1 of 20 rows have a NIK without the 16-digit NIK structure"),
    # The pattern holds (province 99, day 17); no such kab/kota.
    "nik_of_no_kabkota": (_set(nik="9971011708450001"), *_STRUCTURE),
    # The pattern holds (day 31, month 02); no such date in 1945 or 2045.
    "nik_of_no_date": (_set(nik="3171013102450001"), *_STRUCTURE),
    "nik_duplicated": (_duplicate("nik"), {("nik", UNIQUE)},
                       "bps_submission: nik — 2 of 20 rows share their NIK with another row"),
    "kelurahan_missing": (_set(kode_kelurahan=None), {("kode_kelurahan", NOT_NULL)},
                          "bps_submission: kode_kelurahan — 1 of 20 rows have no kelurahan code"),
    "kelurahan_outside_dki": (
        _set(kode_kelurahan="3201011001"),
        {("kode_kelurahan", IN_SET)},
        "bps_submission: kode_kelurahan — 1 of 20 rows have a kelurahan code outside DKI Jakarta's 267 kelurahan",
    ),
    "person_id_missing": (_set(person_id=None), {("person_id", NOT_NULL)},
                          "bps_submission: person_id — 1 of 20 rows have no person_id"),
    "person_id_duplicated": (_duplicate("person_id"), {("person_id", UNIQUE)},
                             "bps_submission: person_id — 2 of 20 rows share their person_id with another row"),
    "sex_spelled_out": (_set(jenis_kelamin="PEREMPUAN"), {("jenis_kelamin", IN_SET)},
                        "bps_submission: jenis_kelamin — 1 of 20 rows have a sex code other than L or P"),
    "birth_date_as_written": (
        _set(tanggal_lahir="05/12/1987"),
        {("tanggal_lahir", MATCH_REGEX)},
        "bps_submission: tanggal_lahir — 1 of 20 rows have a birth date not written YYYY-MM-DD",
    ),
    "bps_code_missing": (_set(kode_kelurahan_bps=None), {("kode_kelurahan_bps", NOT_NULL)},
                         "bps_submission: kode_kelurahan_bps — 1 of 20 rows have no BPS kelurahan code"),
    "bps_code_of_another_kelurahan": (
        # A real BPS code, but of the next kelurahan: the two numberings mixed up.
        lambda q: q.rows[3].update(kode_kelurahan_bps=q.rows[4]["kode_kelurahan_bps"]),
        {("kode_kelurahan_bps", PAIR_EQUAL)},
        "bps_submission: kode_kelurahan_bps — 1 of 20 rows have a BPS kelurahan code that is not their kelurahan's",
    ),
    "name_missing": (_set(nama=None), {("nama", NOT_NULL)}, "bps_submission: nama — 1 of 20 rows have no name"),
    "name_with_digits": (_set(nama="SITI 2ULAIKHA"), {("nama", MATCH_REGEX)}, _NAME),
    "name_a_formula": (_set(nama='=HYPERLINK("X")'), {("nama", MATCH_REGEX)}, _NAME),
    "name_without_letters": (_set(nama="'"), {("nama", MATCH_REGEX)}, _NAME),
    "name_double_space": (_set(nama="SITI  RAHAYU"), {("nama", MATCH_REGEX)}, _NAME),
    "name_lower_case": (_set(nama="Siti Rahayu"), {("nama", MATCH_REGEX)}, _NAME),
    "desil_out_of_range": (_set(desil="5"), {("desil", IN_SET)},
                           "bps_submission: desil — 1 of 20 rows have a decile other than 1 to 4"),
    "desil_zero": (_set(desil="0"), {("desil", IN_SET)},
                   "bps_submission: desil — 1 of 20 rows have a decile other than 1 to 4"),
    "rt_zero": (_set(rt="000"), {("rt", MATCH_REGEX)},
                "bps_submission: rt — 1 of 20 rows have an RT that is not three digits from 001 to 999"),
    "rw_unpadded": (_set(rw="12"), {("rw", MATCH_REGEX)},
                    "bps_submission: rw — 1 of 20 rows have an RW that is not three digits from 001 to 999"),
    "rw_four_digits": (_set(rw="1000"), {("rw", MATCH_REGEX)},
                       "bps_submission: rw — 1 of 20 rows have an RW that is not three digits from 001 to 999"),
}


@pytest.mark.parametrize("case", BLOCKING_CASES)
def test_each_defect_blocks_as_the_row_level_suite_did(case, gate):
    spoil, expected_failures, sentence = BLOCKING_CASES[case]
    quarter = valid_quarter()
    spoil(quarter)
    counted, rows = gate(quarter)
    assert not counted.success
    assert failures_of(counted) == expected_failures
    assert counted.evaluated_expectations - counted.successful_expectations == len(expected_failures)
    assert any(s.startswith(sentence) for s in failed(counted)), failed(counted)
    assert differences(counted, rows) == []
    if case == "column_missing":
        assert "bps_submission: desil — not counted: a column it reads is missing; expected: The decile, where " \
               "there is one, is P3KE's 1 to 4." in failed(counted)


def test_every_rule_has_a_case_where_it_blocks(suite):
    blocked = set().union(*(failures for _, failures, _ in BLOCKING_CASES.values()))
    rules = {(e.meta["column"], e.meta["rule"]) for e in suite.expectations}
    # One column's presence stands for all: the same expectation, built per column in one loop.
    assert rules - blocked == {(c, COLUMN_EXISTS) for c in SUBMISSION_COLUMNS if c != "desil"}


@pytest.mark.parametrize("cells", [
    {"desil": None, "rt": None, "rw": None},
    {"desil": "4", "rt": "999", "rw": "001"},
    {"nama": "MA'RUF AMIN"},
    {"nama": "A"},
    # A woman's day (+40), the latest possible: 31 + 40.
    {"nik": "3171017112450001"},
    # 29 February of a leap year (1948), the +40 rule's own date arithmetic.
    {"nik": "3171016902480001"},
])
def test_edge_values_pass(cells, gate):
    quarter = valid_quarter()
    quarter.rows[3].update(cells)
    counted, rows = gate(quarter)
    assert counted.success, failed(counted)
    assert differences(counted, rows) == []


@pytest.mark.parametrize("events", [
    # Back into Jakarta: the latest move decides.
    (("PINDAH_KELUAR", "2025-04-01"), ("PINDAH_DALAM_DKI", "2025-05-01")),
    # An undated move sorts below every dated one.
    (("PINDAH_KELUAR", None), ("PINDAH_DALAM_DKI", "2025-04-01")),
    # Moves other than out of DKI or a deactivation exclude nobody.
    (("PINDAH_DALAM_DKI", "2025-05-01"),),
])
def test_registry_events_that_exclude_nobody_pass(events, gate):
    quarter = valid_quarter()
    _moves(*events)(quarter)
    counted, rows = gate(quarter)
    assert counted.success, failed(counted)
    assert differences(counted, rows) == []


def test_several_defects_are_counted_together(gate):
    quarter = valid_quarter()
    for i in (2, 7, 11):
        quarter.rows[i]["kode_kelurahan"] = "3201011001"
    _death(None)(quarter)
    quarter.rows[8]["nik"] = quarter.rows[9]["nik"] = quarter.rows[10]["nik"]
    counted, rows = gate(quarter)
    assert set(failed(counted)) == {
        "bps_submission: kode_kelurahan — 3 of 20 rows have a kelurahan code outside DKI Jakarta's 267 kelurahan",
        "bps_submission: in_death_registry — 1 of 20 rows are in the Dukcapil death registry",
        "bps_submission: nik — 3 of 20 rows share their NIK with another row",
    }
    assert differences(counted, rows) == []


@pytest.mark.parametrize("codes", [[], ["3201011001"], ["31710110"], [3171011001]])
def test_suite_refuses_codes_that_are_not_dki_kelurahan(codes):
    with pytest.raises(ValueError, match="DKI kelurahan codes"):
        build_submission_suite(codes)
