"""What a suite run leaves behind: verdicts and counts per expectation, never a data value; no GX import needed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict with its counts; failure is the suite's plain-words reason, filled with counts."""

    expectation_type: str
    column: str | None
    description: str
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: int | float | None = None
    failure: str | None = None
    # For a count the gate made in SQL: the row-level expectation it stands for (expect_column_values_to_be_unique
    # for the count of rows sharing a NIK), which is what a reader of the report wants to know was checked.
    rule: str | None = None

    @property
    def checks(self) -> str:
        """What was checked: the row-level rule a count stands for, else the expectation GX evaluated."""
        return self.rule or self.expectation_type


@dataclass(frozen=True)
class SuiteResult:
    """The verdict of one suite over one frame: counts per expectation, no data values."""

    suite_name: str
    success: bool
    evaluated_expectations: int
    successful_expectations: int
    expectations: tuple[ExpectationOutcome, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return asdict(self) | {"expectations": [asdict(outcome) for outcome in self.expectations]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuiteResult:
        """The inverse of to_dict."""
        outcomes = tuple(ExpectationOutcome(**outcome) for outcome in data["expectations"])
        return cls(**{**data, "expectations": outcomes})


PASSED = "PASSED"
BLOCKED = "BLOCKED"


def verdict(results: list[SuiteResult]) -> str:
    """PASSED only when at least one suite ran and every suite passed: nothing checked never reads as a pass."""
    return PASSED if results and all(result.success for result in results) else BLOCKED


def failed(result: SuiteResult) -> list[str]:
    """One sentence per failed expectation, from the suite's wording and counts only, so it is safe to log."""
    return [
        f"{result.suite_name}: {outcome.column or 'table'} — {outcome.failure or outcome.description}"
        for outcome in result.expectations
        if not outcome.success
    ]
