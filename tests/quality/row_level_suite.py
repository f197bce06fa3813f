"""The row-level bps_submission suite the count-based one replaced, kept as its oracle on small quarters.

GX runs every expectation over a pandas copy of the checked submission (each row with the gate's flags), as the gate
did until issue 12: about 1.5 GiB per million rows, so only for tests. tests/quality/test_submission_suite.py and
tests/defs/test_gates.py hold the count-based suite to the same verdicts and unexpected counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

from expectations.submission_rules import SUBMISSION_COLUMNS
from orchestration.defs.quality.frames import checked_submission_sql, submission_columns

SUITE_NAME = "bps_submission_rows"


# Computed by the frame's own SQL upstream: booleans against the Dukcapil registries and the Kemendagri code lists,
# and (SEED_COLUMNS) the seed's BPS code of the row's kelurahan. The frame's SQL names them, so only the columns of
# the dbt model (SUBMISSION_COLUMNS, which a change to marts.bps_submission can lose) are checked for presence.
CHECK_COLUMNS = ("in_death_registry", "in_move_out_registry", "nik_structurally_valid")
SEED_COLUMNS = ("kode_kelurahan_bps_of_kelurahan",)
COLUMNS = SUBMISSION_COLUMNS + SEED_COLUMNS + CHECK_COLUMNS

# Province 11-99, kab/kota, kecamatan, day 01-71 (+40 for women), month, year, serial other than 0000. The exact
# calendar and code-list checks live in SQL (nik_structurally_valid); this catches anything malformed on the way out.
# Groups are non-capturing because GX runs pandas str.contains, which warns on capturing groups.
NIK_PATTERN = r"^(?:1[1-9]|[2-9][0-9])[0-9]{4}(?:[0-6][0-9]|7[01])(?:0[1-9]|1[0-2])[0-9]{2}(?!0000)[0-9]{4}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# A published name is cleaned (docs/survivorship.md): upper-case words of letters (and an apostrophe, MA'RUF), one
# space apart, with at least one letter. Digits, punctuation or a formula left in it would reach BPS.
NAME_PATTERN = r"^(?=[^A-Z]*[A-Z])[A-Z']+(?: [A-Z']+)*$"
# RT and RW as three digits, 001 to 999 (0 is no RT/RW); empty is allowed (not every list carries them).
RT_RW_PATTERN = r"^(?!000)[0-9]{3}$"
# P3KE's welfare decile is 1-4 (docs/landing_contract.md); DTKS and CARIK extracts carry no decile.
DESIL_VALUES = ("1", "2", "3", "4")
_KELURAHAN_CODE = re.compile(r"^31\d{2}\d{2}1\d{3}$")

# {unexpected} and {total} are row counts; the runner fills them in and never anything read from a row.
_ROWS = "{unexpected:,} of {total:,} rows"


def build_row_level_suite(dki_kelurahan_codes: Sequence[str]) -> gx.ExpectationSuite:
    """The row-level suite, checking membership of kode_kelurahan against the given DKI kelurahan codes."""
    codes = sorted(set(dki_kelurahan_codes))
    bad = [code for code in codes if not isinstance(code, str) or not _KELURAHAN_CODE.match(code)]
    if not codes or bad:
        # Refuse rather than build a suite that would pass or block every row for the wrong reason.
        raise ValueError(f"need 10-digit DKI kelurahan codes (31xxxx1xxx); got {len(codes)}, {len(bad)} malformed")

    expectations = [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=1,
            description="The submission has at least one row.",
            meta={"failure": "the submission has {observed:,} rows"},
        ),
        *(
            gxe.ExpectColumnToExist(
                column=column,
                description=f"The column {column} is present.",
                meta={"failure": "the column is missing from the submission"},
            )
            for column in SUBMISSION_COLUMNS
        ),
        *_flag_is(
            "in_death_registry", False,
            checked="Every row was checked against the Dukcapil death registry.",
            description="Nobody in the submission is in the Dukcapil death registry.",
            failure=f"{_ROWS} are in the Dukcapil death registry",
        ),
        *_flag_is(
            "in_move_out_registry", False,
            checked="Every row was checked against the Dukcapil move registry.",
            description="Nobody in the submission has moved out of DKI or been deactivated "
                        "(latest Dukcapil move event PINDAH_KELUAR or NONAKTIF).",
            failure=f"{_ROWS} moved out of DKI or were deactivated in the Dukcapil move registry",
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="nik",
            description="Every row has a NIK.",
            meta={"failure": f"{_ROWS} have no NIK"},
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="nik",
            regex=NIK_PATTERN,
            description="Every NIK has the 16-digit structure: province, kab/kota, kecamatan, birth date, "
                        "serial not 0000.",
            meta={"failure": f"{_ROWS} have a NIK without the 16-digit NIK structure"},
        ),
        *_flag_is(
            "nik_structurally_valid", True,
            checked="Every NIK was checked for structural validity.",
            description="Every NIK has a known province and kab/kota code, a real birth date and a serial "
                        "other than 0000.",
            failure=f"{_ROWS} have a NIK with an unknown area code, an impossible birth date or serial 0000",
        ),
        gxe.ExpectColumnValuesToBeUnique(
            column="nik",
            description="No NIK appears on more than one row.",
            meta={"failure": f"{_ROWS} share their NIK with another row"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="kode_kelurahan",
            description="Every row has a Kemendagri kelurahan code.",
            meta={"failure": f"{_ROWS} have no kelurahan code"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="kode_kelurahan",
            value_set=codes,
            description=f"Every kelurahan code is one of the {len(codes)} DKI Jakarta kelurahan (Kemendagri codes).",
            meta={"failure": f"{_ROWS} have a kelurahan code outside DKI Jakarta's {len(codes)} kelurahan"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="person_id",
            description="Every row has a person_id.",
            meta={"failure": f"{_ROWS} have no person_id"},
        ),
        gxe.ExpectColumnValuesToBeUnique(
            column="person_id",
            description="No person_id appears on more than one row.",
            meta={"failure": f"{_ROWS} share their person_id with another row"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="jenis_kelamin",
            value_set=["L", "P"],
            description="Sex is coded L or P.",
            meta={"failure": f"{_ROWS} have a sex code other than L or P"},
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="tanggal_lahir",
            regex=DATE_PATTERN,
            description="Birth dates are written YYYY-MM-DD.",
            meta={"failure": f"{_ROWS} have a birth date not written YYYY-MM-DD"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="kode_kelurahan_bps",
            description="Every row has a BPS kelurahan code.",
            meta={"failure": f"{_ROWS} have no BPS kelurahan code"},
        ),
        # Against the seed's crosswalk: a BPS code of another kelurahan (the two numberings mixed up) is wrong even
        # when it is a real code. Rows whose kode_kelurahan is outside DKI fail the set check above instead.
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="kode_kelurahan_bps",
            column_B="kode_kelurahan_bps_of_kelurahan",
            ignore_row_if="either_value_is_missing",
            description="Every BPS kelurahan code is the BPS code of the row's own kelurahan (seed crosswalk).",
            meta={"column": "kode_kelurahan_bps",
                  "failure": f"{_ROWS} have a BPS kelurahan code that is not their kelurahan's"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="nama",
            description="Every row has a name.",
            meta={"failure": f"{_ROWS} have no name"},
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="nama",
            regex=NAME_PATTERN,
            description="Every name is upper-case words of letters, one space apart.",
            meta={"failure": f"{_ROWS} have a name with characters other than letters, an apostrophe and single "
                             "spaces"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="desil",
            value_set=list(DESIL_VALUES),
            description="The decile, where there is one, is P3KE's 1 to 4.",
            meta={"failure": f"{_ROWS} have a decile other than 1 to 4"},
        ),
        *(
            gxe.ExpectColumnValuesToMatchRegex(
                column=column,
                regex=RT_RW_PATTERN,
                description=f"{column.upper()}, where there is one, is three digits from 001 to 999.",
                meta={"failure": f"{_ROWS} have an {column.upper()} that is not three digits from 001 to 999"},
            )
            for column in ("rt", "rw")
        ),
    ]
    return gx.ExpectationSuite(name=SUITE_NAME, expectations=expectations)


def _flag_is(column: str, wanted: bool, *, checked: str, description: str, failure: str) -> list:
    """A check column must be filled on every row, because set expectations skip nulls, and hold the wanted value."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column=column,
            description=checked,
            meta={"failure": f"{_ROWS} have no {column} value, so the check did not run for them"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column=column,
            value_set=[wanted],
            description=description,
            meta={"failure": failure},
        ),
    ]


def row_level_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The checked submission, every row with the gate's flags, as the row-level suite validates it."""
    present = submission_columns(con)
    # As the old frame's `select submission.*`: a column the model lost is not there (the counts' SQL fills it).
    missing = [c for c in SUBMISSION_COLUMNS if c not in present]
    sql = checked_submission_sql(present)
    return con.sql(sql + f"select * exclude ({', '.join(['d', 'mm', 'yy', *missing])}) from checked "
                         "order by person_id").df()


# Expectations only the row-level suite has: each check column filled on every row. The SQL fills them (a NIK in no
# registry is not in it; an unreadable NIK is not structurally valid), so they cannot fail and have no count.
ROW_LEVEL_ONLY = {(column, "expect_column_values_to_not_be_null") for column in CHECK_COLUMNS}
RAISED = "could not be evaluated (GX raised an error)"


def differences(counted, rows) -> list[str]:
    """Where the count-based result and the row-level one disagree: verdicts, unexpected counts, failure sentences.

    Counts and expectation names only, so the list is safe to show in an assertion.
    """
    def keyed(result, name):
        by_key = {}
        for outcome in result.expectations:
            by_key.setdefault((outcome.column, outcome.checks), []).append(outcome)
        duplicated = [key for key, outcomes in by_key.items() if len(outcomes) > 1]
        assert not duplicated, f"{name} checks {duplicated} more than once"
        return {key: outcomes[0] for key, outcomes in by_key.items()}

    counts, row_level = keyed(counted, "count-based"), keyed(rows, "row-level")
    found = []
    if set(row_level) - ROW_LEVEL_ONLY != set(counts):
        found.append(f"checks differ: {sorted(set(row_level) - ROW_LEVEL_ONLY ^ set(counts), key=str)}")
    found += [f"{key} fails in the row-level suite" for key in ROW_LEVEL_ONLY if not row_level[key].success]
    if counted.success != rows.success:
        found.append(f"verdict: counted {counted.success}, row-level {rows.success}")
    for key in sorted(set(counts) & set(row_level), key=str):
        c, r = counts[key], row_level[key]
        if c.success != r.success:
            found.append(f"{key}: counted {'passes' if c.success else 'fails'}, row-level the opposite")
        if r.unexpected_count is not None and (c.unexpected_count, c.element_count) != (
                r.unexpected_count, r.element_count):
            found.append(f"{key}: counted {c.unexpected_count} of {c.element_count}, row-level {r.unexpected_count} "
                         f"of {r.element_count}")
        if r.expectation_type == "expect_table_row_count_to_be_between" and c.observed_value != r.observed_value:
            found.append(f"{key}: counted {c.observed_value} rows, row-level {r.observed_value}")
        # Where GX raised on the row frame (a missing column), the count-based sentence says it was not counted.
        if r.failure != RAISED and c.failure != r.failure:
            found.append(f"{key}: failure sentences differ: {c.failure!r} / {r.failure!r}")
    return found
