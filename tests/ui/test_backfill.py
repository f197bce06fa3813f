"""Backfills through Dagster's GraphQL API (what the UI's "Launch backfill" calls) against a running `satudata ui`."""

from __future__ import annotations

import hashlib
import json
import shutil

from tests.ui.conftest import FIRST, GATED, SECOND


def _snapshot(data_dir, quarters) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every published file and report of the quarters."""
    files = {}
    for quarter in quarters:
        for folder in (data_dir / "publish" / quarter, data_dir / "reports" / quarter):
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    files[str(path.relative_to(data_dir))] = (
                        hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return files


def test_each_quarter_runs_in_its_own_run_one_at_a_time(backfilled):
    runs = backfilled.runs
    assert sorted(runs) == [GATED, FIRST, SECOND]
    assert {run.backfill for run in runs.values()} == {backfilled.backfill_id}
    assert {q: run.status for q, run in runs.items()} == {GATED: "FAILURE", FIRST: "SUCCESS", SECOND: "SUCCESS"}
    # The run queue (dagster.yaml: one run at a time) started them in quarter order, each after the last ended.
    ordered = [runs[q] for q in (GATED, FIRST, SECOND)]
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:])), ordered
    for quarter in runs:
        assert (backfilled.data_dir / "warehouse" / f"{quarter}.duckdb").is_file()


def test_the_passing_quarters_publish_and_the_gated_one_does_not(backfilled):
    data_dir = backfilled.data_dir
    for quarter in (FIRST, SECOND):
        manifest = json.loads((data_dir / "publish" / quarter / "manifest.json").read_text())
        assert manifest["quarter"] == quarter and manifest["gate"]["verdict"] == "PASSED"
        submission = data_dir / "publish" / quarter / "bps_submission.csv"
        assert hashlib.sha256(submission.read_bytes()).hexdigest() == manifest["sha256"]
    assert not (data_dir / "publish" / GATED / "bps_submission.csv").exists()
    report = (data_dir / "reports" / GATED / "gate_report.md").read_text()
    assert "BLOCKED" in report and "death registry" in report


def test_person_ids_carry_over_in_quarter_order(backfilled):
    # 2025Q2 ran after 2025Q1 had published, so its ids came from 2025Q1 (2025Q1 had no published predecessor).
    report = (backfilled.data_dir / "reports" / SECOND / "quarter_over_quarter.md").read_text()
    assert report.startswith(f"# Perubahan daftar {FIRST} → {SECOND}")


def test_the_failed_quarter_is_rerun_alone_and_leaves_the_others_untouched(backfilled):
    ui, data_dir = backfilled.ui, backfilled.data_dir
    before = _snapshot(data_dir, (FIRST, SECOND))
    # The death registry lands late; the operator backfills only the quarter that failed.
    shutil.copy(backfilled.held_back, data_dir / "landing" / GATED / "dukcapil_kematian.csv")
    backfill_id = ui.launch_backfill([GATED])
    (rerun,) = ui.wait_for_backfill(backfill_id, expected_runs=1)
    assert (rerun.quarter, rerun.status) == (GATED, "SUCCESS")
    assert json.loads((data_dir / "publish" / GATED / "manifest.json").read_text())["gate"]["verdict"] == "PASSED"
    # Backfilling the older quarter changed no file of the later ones, not even a timestamp.
    assert _snapshot(data_dir, (FIRST, SECOND)) == before
    assert len(ui.runs()) == 4
