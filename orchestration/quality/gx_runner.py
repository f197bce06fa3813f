"""Running one code-defined suite over one DataFrame in a file-backed GX context, keeping counts and never values."""

from __future__ import annotations

import os

# GX posts usage data to posthog unless this is set before the import.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import contextlib  # noqa: E402
import fcntl  # noqa: E402
import math  # noqa: E402
import numbers  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import asdict  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402

from orchestration.quality.results import ExpectationOutcome, SuiteResult, failed  # noqa: E402

__all__ = ["ExpectationOutcome", "SuiteResult", "data_docs_index", "failed", "validate"]

# GX's default SUMMARY format keeps up to 20 raw unexpected values per expectation (NIKs, names) in the stored
# validation JSON and the Data Docs HTML; UU PDP 27/2022 allows none of them there.
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0}
DATASOURCE_NAME = "satudata_frames"
BATCH_DEFINITION_NAME = "whole_frame"
DATA_DOCS_ACTION_NAME = "update_data_docs"
_LOCK_FILE = ".gx_runner.lock"


def validate(frame: pd.DataFrame, suite: gx.ExpectationSuite, *, gx_dir: Path) -> SuiteResult:
    """Validate frame against suite through a checkpoint in the file context at gx_dir, updating its Data Docs."""
    gx_dir = Path(gx_dir)
    gx_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Two suites of one quarter may be validated at once (Dagster checks); GX rewrites great_expectations.yml
    # and the stores without any locking of its own.
    with _locked(gx_dir / _LOCK_FILE):
        context = gx.get_context(mode="file", project_root_dir=gx_dir)
        # The tqdm bars would go to the run's logs, once per metric batch.
        context.variables.progress_bars = {"globally": False}
        checkpoint = _checkpoint(context, suite)
        run = checkpoint.run(batch_parameters={"dataframe": frame})
    (validation,) = run.run_results.values()
    stored_suite = checkpoint.validation_definitions[0].suite
    order = {expectation.id: i for i, expectation in enumerate(stored_suite.expectations)}
    # GX groups results by metric, not in suite order; the report reads better in the order the suite was written.
    results = sorted(validation.results, key=lambda r: order.get(r.expectation_config.id, len(order)))
    stats = validation.statistics
    return SuiteResult(
        suite_name=suite.name,
        success=bool(validation.success),
        evaluated_expectations=int(stats["evaluated_expectations"]),
        successful_expectations=int(stats["successful_expectations"]),
        expectations=tuple(_outcome(r, frame) for r in results),
    )


def data_docs_index(gx_dir: Path) -> Path:
    """Where the Data Docs site of the file context at gx_dir starts (GX keeps it under gx/uncommitted)."""
    return Path(gx_dir) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on path for the duration."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _checkpoint(context: Any, suite: gx.ExpectationSuite) -> gx.Checkpoint:
    """The suite's checkpoint, creating or updating the datasource, asset, suite and validation it needs."""
    try:
        source = context.data_sources.get(DATASOURCE_NAME)
    except KeyError:
        source = context.data_sources.add_pandas(DATASOURCE_NAME)
    # One asset per suite, so each suite's validations get their own pages in Data Docs.
    try:
        asset = source.get_asset(suite.name)
    except LookupError:
        asset = source.add_dataframe_asset(suite.name)
    try:
        batch_definition = asset.get_batch_definition(BATCH_DEFINITION_NAME)
    except KeyError:
        batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)
    # A copy, so the caller's suite is not bound to this context and can be validated in another gx_dir. The
    # checkpoint factory saves the definition and the suite itself; saving them here as well triples the time.
    definition = gx.ValidationDefinition(
        name=suite.name, data=batch_definition, suite=gx.ExpectationSuite(**_suite_fields(suite))
    )
    return context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name=DATA_DOCS_ACTION_NAME)],
            result_format=RESULT_FORMAT,
        )
    )


def _suite_fields(suite: gx.ExpectationSuite) -> dict[str, Any]:
    """The suite's name, expectations (without ids), parameters and meta."""
    expectations = [expectation.configuration.to_json_dict() for expectation in suite.expectations]
    for config in expectations:
        config.pop("id", None)
    return {
        "name": suite.name,
        "expectations": expectations,
        "suite_parameters": dict(suite.suite_parameters),
        "meta": dict(suite.meta),
    }


def _outcome(result: Any, frame: pd.DataFrame) -> ExpectationOutcome:
    """The counts of one GX expectation result, and nothing that could hold a data value."""
    config = result.expectation_config
    meta = config.meta or {}
    gx_result = result.result or {}
    raised = _raised(result.exception_info)
    # Only numbers: a string or list observed value (a column list, a most common value) can carry data.
    observed = _number(gx_result.get("observed_value"))
    element_count = _count(gx_result.get("element_count"))
    unexpected_count = _count(gx_result.get("unexpected_count"))
    unexpected_percent = _number(gx_result.get("unexpected_percent"))
    if meta.get("rows"):
        # A count of rows breaking a rule, made in SQL (one row of counts): reported as the row-level check it
        # stands for would be, its rows out of the frame's row count.
        unexpected_count = _count(observed)
        element_count = _count(frame[meta["rows"]].iloc[0]) if len(frame) == 1 and meta["rows"] in frame else None
        unexpected_percent = (100 * unexpected_count / element_count
                              if unexpected_count is not None and element_count else None)
    outcome = ExpectationOutcome(
        expectation_type=config.type,
        # The meta's column, where there is one, even None (a table-level count read from a column).
        column=meta["column"] if "column" in meta else config.kwargs.get("column"),
        description=config.description or config.type,
        success=bool(result.success),
        element_count=element_count,
        unexpected_count=unexpected_count,
        unexpected_percent=unexpected_percent,
        observed_value=observed,
        rule=meta.get("rule"),
    )
    if outcome.success:
        return outcome
    return _with_failure(outcome, meta.get("failure"), raised, counted=bool(meta.get("rows")))


def _raised(exception_info: Any) -> bool:
    """Whether GX raised while evaluating; the info is one flat dict, or one dict per metric that failed to resolve."""
    if not isinstance(exception_info, dict):
        return False
    if exception_info.get("raised_exception"):
        return True
    return any(isinstance(info, dict) and info.get("raised_exception") for info in exception_info.values())


def _with_failure(outcome: ExpectationOutcome, template: str | None, raised: bool, *,
                  counted: bool = False) -> ExpectationOutcome:
    """The outcome with its failure sentence, from the suite's template where the counts it needs exist."""
    if raised:
        # The exception text is left out: it can quote values from the frame.
        text = "could not be evaluated (GX raised an error)"
    else:
        text = None
        if template:
            try:
                text = template.format(
                    unexpected=outcome.unexpected_count, total=outcome.element_count, observed=outcome.observed_value
                )
            except (TypeError, ValueError, KeyError, IndexError):
                text = None
        if text is None and outcome.unexpected_count is not None and outcome.element_count is not None:
            counts = f"{outcome.unexpected_count:,} of {outcome.element_count:,} rows"
            text = f"{counts} break the rule: {outcome.description}"
        if text is None and counted and outcome.unexpected_count is None:
            # The SQL leaves a rule's count empty when a column it reads is missing from the submission.
            text = f"not counted: a column it reads is missing; expected: {outcome.description}"
        if text is None and outcome.observed_value is not None:
            text = f"observed {outcome.observed_value:,}; expected: {outcome.description}"
        if text is None:
            text = f"there was no value to check; expected: {outcome.description}"
    return ExpectationOutcome(**{**asdict(outcome), "failure": text})


def _count(value: Any) -> int | None:
    """An integer count, or None."""
    number = _number(value)
    return None if number is None else int(number)


def _number(value: Any) -> int | float | None:
    """A finite int or float as a plain Python number; None for anything else, booleans included."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None
