"""The suite the BPS submission must pass before the quarter is published, over one row of counts made in DuckDB."""

from __future__ import annotations

import re
from collections.abc import Sequence

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.submission_rules import (
    COLUMN_EXISTS,
    ROW_COUNT,
    ROWS,
    SUBMISSION_COLUMNS,
    column_present,
    row_rules,
)

SUITE_NAME = "bps_submission"
_KELURAHAN_CODE = re.compile(r"^31\d{2}\d{2}1\d{3}$")


def build_submission_suite(dki_kelurahan_codes: Sequence[str]) -> gx.ExpectationSuite:
    """The bps_submission suite over frames.submission_counts, for a set check against the given DKI codes.

    Each row rule is a count that must be 0; its meta names the submission column, the row-level check it stands
    for and the column of the row count, so that the runner reports "n of N rows" as the row-level suite did.
    """
    codes = sorted(set(dki_kelurahan_codes))
    bad = [code for code in codes if not isinstance(code, str) or not _KELURAHAN_CODE.match(code)]
    if not codes or bad:
        # Refuse rather than count against a set that would pass or block every row for the wrong reason.
        raise ValueError(f"need 10-digit DKI kelurahan codes (31xxxx1xxx); got {len(codes)}, {len(bad)} malformed")

    expectations = [
        gxe.ExpectColumnMinToBeBetween(
            column=ROWS,
            min_value=1,
            description="The submission has at least one row.",
            meta={"column": None, "rule": ROW_COUNT, "failure": "the submission has {observed:,} rows"},
        ),
        *(
            gxe.ExpectColumnMinToBeBetween(
                column=column_present(column),
                min_value=1,
                description=f"The column {column} is present.",
                meta={"column": column, "rule": COLUMN_EXISTS, "failure": "the column is missing from the submission"},
            )
            for column in SUBMISSION_COLUMNS
        ),
        *(
            gxe.ExpectColumnMaxToBeBetween(
                column=rule.count,
                min_value=0,
                max_value=0,
                description=rule.description,
                meta={"column": rule.column, "rule": rule.rule, "rows": ROWS, "failure": rule.failure},
            )
            for rule in row_rules(len(codes))
        ),
    ]
    return gx.ExpectationSuite(name=SUITE_NAME, expectations=expectations)


def columns() -> tuple[str, ...]:
    """The columns of the counts frame (frames.submission_counts), in its order."""
    return (ROWS, *(r.count for r in row_rules()), *(column_present(c) for c in SUBMISSION_COLUMNS))
