"""The command line's closing summary of a quarter: people, exclusions, gate verdict and where the file is."""

from __future__ import annotations

import json
from pathlib import Path

from orchestration import warehouse
from orchestration.paths import QuarterPaths
from orchestration.quarters import Quarter
from orchestration.reports.exclusions import exclusions_after_quarter
from orchestration.run import RunOutcome


def _warehouse_lines(paths: QuarterPaths) -> list[str]:
    lines: list[str] = []
    with warehouse.connect(paths.warehouse, read_only=True) as con:
        if warehouse.table_exists(con, "marts", "persons"):
            people, linked_rows = con.execute("select count(*), sum(n_rows) from marts.persons").fetchall()[0]
            lines.append(f"  people after linkage: {people:,} (from {int(linked_rows or 0):,} list rows)")
            for status, n in con.execute(
                    "select status, count(*) from marts.persons group by 1 order by 2 desc").fetchall():
                lines.append(f"    {status:<24}{n:>10,}")
            # The registries are pulled after the quarter: say how many exclusions rest on events dated later.
            if con.execute("select count(*) from information_schema.columns where table_schema = 'marts' "
                           "and table_name = 'persons' and column_name = 'registry_event_after_quarter'"
                           ).fetchall()[0][0]:
                later = sum(after for _, after in exclusions_after_quarter(con).values())
                lines.append(f"  excluded on registry events dated after the quarter's end: {later:,}")
        if warehouse.table_exists(con, "marts", "record_ledger"):
            lines.append("  ledger (rows of the five files by fate):")
            for fate, n in con.execute(
                    "select fate, count(*) from marts.record_ledger group by 1 order by 2 desc").fetchall():
                lines.append(f"    {fate:<32}{n:>10,}")
            # A ledger built before cell_issues existed (a run that stopped before dbt_marts) has no such column.
            if con.execute("select count(*) from information_schema.columns where table_schema = 'marts' "
                           "and table_name = 'record_ledger' and column_name = 'cell_issues'").fetchall()[0][0]:
                with_issues = con.execute(
                    "select count(*) from marts.record_ledger where cell_issues is not null").fetchall()[0][0]
                lines.append(f"  list rows with rejected cells (taken as unknown, see cell_issues): {with_issues:,}")
    return lines


def _model_line() -> str:
    """The model in use, and plainly whether it was trained on generated data."""
    from orchestration.linkage.model import load_model

    try:
        return load_model().provenance
    except (OSError, ValueError) as exc:
        return f"no usable linkage model ({exc})"


def quarter_summary(data_dir: Path, quarter: Quarter, outcome: RunOutcome) -> str:
    """Counts from this run's tables and gate report; only what the run got as far as building."""
    paths = QuarterPaths(data_dir, quarter)
    lines: list[str] = [f"  linkage: {_model_line()}"]
    if paths.warehouse.is_file():
        try:
            lines += _warehouse_lines(paths)
        except warehouse.WarehouseLocked as exc:
            lines.append(f"  no counts: {exc}")
    report = paths.reports / "gate_report.json"
    if report.is_file():
        gate = json.loads(report.read_text(encoding="utf-8"))
        if gate.get("run_id") == outcome.run_id:
            lines.append(f"  quality gate: {gate['verdict']} ({paths.reports / 'gate_report.md'})")
            lines += [f"    {reason}" for reason in gate.get("failures", []) if gate["verdict"] != "PASSED"]
        else:
            lines.append("  quality gate: not reached in this run")
    else:
        lines.append("  quality gate: not reached")
    submission = paths.publish / "bps_submission.csv"
    if outcome.success and submission.is_file():
        lines.append(f"  published: {submission}")
    elif submission.is_file():
        lines.append(f"  not published by this run; the earlier file stays as it was: {submission}")
    else:
        lines.append("  not published")
    return "\n".join(lines)
