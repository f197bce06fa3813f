"""The suite over a quarter's headline figures: registry freshness, source quality and the submission's size."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.bounds import GateBounds

SUITE_NAME = "quarter"

REGISTRIES = {"death_registry": "Dukcapil death registry", "move_registry": "Dukcapil move registry"}
REGISTRY_FILES = {"death_registry": "dukcapil_kematian.csv", "move_registry": "dukcapil_pindah.csv"}
SOURCES = ("dtks", "p3ke", "carik")

# The frame orchestration/defs/quality/frames.py builds: one row. Ages are days from the registry's latest event date
# to the quarter's last day (None: no dated row; negative: the latest event is after the quarter's end, as in any
# extract pulled after it closes); shares are 0..1; previous_submission_rows and submission_size_change are None
# when no quarter was published before. The frame is built by our own code, so its shape is pinned by a test
# (tests/defs/quality), not by expectations that could not fail.
COLUMNS = (
    *(f"{registry}_{suffix}" for registry in REGISTRIES
      for suffix in ("rows", "latest_age_days", "invalid_nik_share")),
    "quarter_days",
    *(f"{src}_{suffix}" for src in SOURCES for suffix in ("rows", "invalid_nik_share", "unresolved_kelurahan_share")),
    "submission_rows", "previous_submission_rows", "submission_size_change",
)


def build_quarter_suite(bounds: GateBounds) -> gx.ExpectationSuite:
    """The quarter suite, with the share and size-change limits taken from bounds."""
    expectations = [
        # The registries' freshness is judged against the quarter's length, carried as a column because a
        # suite's bounds are fixed when it is built and one stored suite serves every quarter.
        gxe.ExpectColumnMinToBeBetween(
            column="quarter_days",
            min_value=90,
            max_value=92,
            description="The quarter is 90 to 92 days long.",
            meta={"failure": "the quarter is {observed:,} days long"},
        ),
    ]
    for registry, label in REGISTRIES.items():
        age = f"{registry}_latest_age_days"
        expectations += [
            _at_least_one_row(f"{registry}_rows", label),
            gxe.ExpectColumnValuesToNotBeNull(
                column=age,
                description=f"The {label} has at least one dated event.",
                meta={"failure": f"the {label} has no dated event"},
            ),
            # No upper bound on recency: the extract is pulled after the quarter closes, so its latest event is
            # often after the quarter's last day (a negative age). Dates too late for any extract of the quarter
            # are rejected in staging (date_after_extract) and do not count as the latest event here.
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="quarter_days",
                column_B=age,
                ignore_row_if="either_value_is_missing",
                description=f"The {label}'s latest event falls inside the quarter, so the registry covers it.",
                meta={"column": age, "failure": f"the {label}'s latest event is older than the quarter's first day"},
            ),
            # As for the lists: a registry row without a NIK can neither exclude nor clear anybody, so a file with
            # many of them would let the dead through unseen. A file without rows has a share of 0 and fails above.
            gxe.ExpectColumnMaxToBeBetween(
                column=f"{registry}_invalid_nik_share",
                min_value=0,
                max_value=bounds.max_registry_invalid_nik_share,
                description=f"At most {_pct(bounds.max_registry_invalid_nik_share)} of the {label}'s rows "
                            f"({REGISTRY_FILES[registry]}) lack a 16-digit NIK.",
                meta={"failure": f"{{observed:.1%}} of the {label}'s rows ({REGISTRY_FILES[registry]}) lack a "
                                 f"16-digit NIK (limit {_pct(bounds.max_registry_invalid_nik_share)})"},
            ),
        ]
    for src in SOURCES:
        expectations += [
            _at_least_one_row(f"{src}_rows", f"{src} list"),
            # Max, not a per-value check: a missing share fails here, and the observed share reaches the report.
            gxe.ExpectColumnMaxToBeBetween(
                column=f"{src}_invalid_nik_share",
                min_value=0,
                max_value=bounds.max_invalid_nik_share,
                description=f"At most {_pct(bounds.max_invalid_nik_share)} of {src} rows lack a structurally "
                            "valid NIK.",
                meta={"failure": f"{{observed:.1%}} of {src} rows lack a structurally valid NIK "
                                 f"(limit {_pct(bounds.max_invalid_nik_share)})"},
            ),
            gxe.ExpectColumnMaxToBeBetween(
                column=f"{src}_unresolved_kelurahan_share",
                min_value=0,
                max_value=bounds.max_unresolved_kelurahan_share,
                description=f"At most {_pct(bounds.max_unresolved_kelurahan_share)} of {src} rows have a kelurahan "
                            "that could not be resolved.",
                meta={"failure": f"{{observed:.1%}} of {src} rows have a kelurahan that could not be resolved "
                                 f"(limit {_pct(bounds.max_unresolved_kelurahan_share)})"},
            ),
        ]
    expectations += [
        _at_least_one_row("submission_rows", "submission"),
        # A per-value check on purpose: GX skips nulls there, so a first quarter (no previous submission) passes.
        gxe.ExpectColumnValuesToBeBetween(
            column="submission_size_change",
            min_value=0,
            max_value=bounds.max_size_change,
            description=f"The submission's row count changed by at most {_pct(bounds.max_size_change)} against the "
                        "previous published quarter (no previous quarter passes).",
            meta={"failure": f"the submission's row count changed by more than {_pct(bounds.max_size_change)} "
                             "against the previous published quarter"},
        ),
    ]
    return gx.ExpectationSuite(name=SUITE_NAME, expectations=expectations)


def _pct(share: float) -> str:
    """A limit as a percentage without trailing zeros (0.05 -> 5%, 0.075 -> 7.5%)."""
    return f"{share * 100:.6g}%"


def _at_least_one_row(column: str, label: str) -> gxe.ExpectColumnMinToBeBetween:
    """The count in column is at least 1."""
    return gxe.ExpectColumnMinToBeBetween(
        column=column,
        min_value=1,
        description=f"The {label} has at least one row.",
        meta={"failure": f"the {label} has {{observed:,}} rows"},
    )
