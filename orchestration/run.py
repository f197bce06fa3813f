"""Running one quarter through the Dagster job and summarising what happened, for the command line."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from orchestration.paths import resolve_data_dir
from orchestration.privacy import redact
from orchestration.quarters import Quarter
from orchestration.storage import explain_texts


@dataclass
class RunOutcome:
    """What a quarter's run did: rows per asset, failed steps and checks, in words without personal data."""

    quarter: str
    run_id: str | None = None
    success: bool = False
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    log_path: Path | None = None

    def render(self) -> str:
        lines = [f"satudata run {self.quarter}: {'SUCCEEDED' if self.success else 'FAILED'} (run {self.run_id})"]
        if self.rows:
            lines.append(f"  {'asset':<28}{'rows read':>12}{'loaded':>12}{'quarantined':>13}")
            for asset, counts in self.rows.items():
                lines.append(f"  {asset:<28}{counts.get('rows_read', 0):>12,}{counts.get('dagster/row_count', 0):>12,}"
                             f"{counts.get('rows_quarantined', 0):>13,}")
        # Messages come from libraries too (DuckDB, dbt): a NIK quoted in one is masked before it is printed.
        lines += [f"  error: {redact(message)}" for message in dict.fromkeys(self.errors)]  # once per cause
        lines += [f"  failed check: {redact(message)}" for message in self.failed_checks]
        if self.log_path:
            lines.append(f"  step output (dbt): {self.log_path}")
        return "\n".join(lines)


def _failure_message(event: dg.DagsterEvent) -> str:
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    error = data.error
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause or error.context
    explained = explain_texts([e.message for e in chain], resolve_data_dir())
    if explained:
        return f"{event.step_key}: {explained}"
    error = next((e for e in chain if "Failure" in e.cls_name), chain[-1] if chain else None)
    return f"{event.step_key}: {(error.message if error else 'failed').strip().splitlines()[0]}"


def run_quarter(
    quarter: Quarter, log_path: Path, instance: dg.DagsterInstance | None = None, job_name: str = "quarterly_job"
) -> RunOutcome:
    """Execute a quarter's job (by default the whole graph) for one partition and collect its outcome."""
    from orchestration.definitions import defs
    from orchestration.defs.partitions import FIRST_QUARTER_ENV, quarter_partitions

    outcome = RunOutcome(quarter.key, log_path=log_path)
    keys = quarter_partitions.get_partition_keys()
    if quarter.key not in keys:
        outcome.errors.append(
            f"quarter {quarter} is not a partition ({keys[0]} to {keys[-1]}); "
            f"set ${FIRST_QUARTER_ENV} to reach earlier")
        return outcome
    job = defs.resolve_job_def(job_name)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dbt's own console output goes to the run log, so the terminal shows only the summary.
    with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            partition_key=quarter.key,
            instance=instance or dg.DagsterInstance.get(),
            raise_on_error=False,
            # Failures are summarised from the events; the console logger would print whole tracebacks.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    outcome.run_id = result.run_id
    outcome.success = result.success
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        counts = {k: v.value for k, v in materialization.metadata.items()
                  if k in ("rows_read", "dagster/row_count", "rows_quarantined")}
        if "rows_read" in counts:  # the extracts; later stages are summarised from their tables
            outcome.rows[materialization.asset_key.to_user_string()] = counts
    outcome.errors += [_failure_message(e) for e in result.all_events if e.is_step_failure]
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            description = evaluation.description or ""
            outcome.failed_checks.append(f"{evaluation.check_name}: {description}".strip(": "))
    if outcome.failed_checks:
        outcome.success = False
    return outcome
