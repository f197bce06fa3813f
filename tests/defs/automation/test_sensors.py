"""The landing sensor and the run-failure alert, with Dagster's test contexts and a run that fails on purpose."""

from __future__ import annotations

import datetime as dt
import json
import os

import dagster as dg
import pytest

from orchestration.defs.automation import sensors
from orchestration.defs.automation.landing import write_marker
from orchestration.defs.automation.sensors import evaluate_landing, landing_sensor, run_failure_alert
from tests.conftest import write_landing

T0 = 1_767_300_000.0  # 2026-01-01T20:40Z: a fixed sensor clock


def _tick(today: dt.date, cursor: str | None, now: float) -> dg.SensorResult:
    return evaluate_landing(today, cursor, now=now)


def test_a_complete_quarter_with_its_marker_starts_one_run_keyed_by_its_files(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    landing = write_landing(data_dir, "2025Q4")
    write_marker(landing)
    today = dt.date(2026, 1, 3)  # the year boundary: 2025Q4 has just closed
    first = _tick(today, None, now=T0)
    (request,) = first.run_requests  # a verified marker: at once, no settling time
    assert request.partition_key == "2025Q4" and request.run_key.startswith("2025Q4-")
    assert request.tags["satudata/landing_complete_by"] == "ready marker"
    again = _tick(today, first.cursor, now=T0 + 60)
    assert again.run_requests[0].run_key == request.run_key  # same files: the same key, no second run
    carik = landing / "carik.csv"
    carik.write_bytes(carik.read_bytes() + b"\n")  # a re-delivered file, with its marker
    write_marker(landing)
    assert _tick(today, again.cursor, now=T0 + 120).run_requests[0].run_key != request.run_key


def test_a_file_still_growing_never_starts_a_run(data_dir, monkeypatch):
    """No marker: a file whose size changes between ticks waits, however long it has been there."""
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SATUDATA_LANDING_SETTLE_MINUTES", "10")
    landing = write_landing(data_dir, "2025Q4")
    dtks = landing / "dtks.csv"
    full = dtks.read_bytes()
    dtks.write_bytes(full[: len(full) // 2])  # half copied
    today, cursor = dt.date(2026, 1, 3), None
    for tick in range(6):  # an hour of ticks, the copy going on between each
        result = _tick(today, cursor, now=T0 + tick * 700)
        assert not result.run_requests, tick
        assert "dtks.csv has not kept its size and mtime for 10 minutes" in result.skip_reason.skip_message
        cursor = result.cursor
        with dtks.open("ab") as f:
            f.write(b"x")
    dtks.write_bytes(full)  # the copy ends
    result = _tick(today, cursor, now=T0 + 6 * 700)
    assert not result.run_requests  # just finished: its settling time starts now


def test_a_stable_quarter_starts_after_the_settling_time(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SATUDATA_LANDING_SETTLE_MINUTES", "10")
    write_landing(data_dir, "2025Q4")
    today = dt.date(2026, 1, 3)
    first = _tick(today, None, now=T0)
    assert not first.run_requests and "waiting for" in first.skip_reason.skip_message
    early = _tick(today, first.cursor, now=T0 + 5 * 60)
    assert not early.run_requests
    (request,) = _tick(today, early.cursor, now=T0 + 10 * 60).run_requests
    assert request.partition_key == "2025Q4" and request.tags["satudata/landing_complete_by"] == "settled"
    # Without the cursor (a sensor whose state was reset) the observation starts again: no run at once.
    assert not _tick(today, None, now=T0 + 11 * 60).run_requests


def test_a_marker_whose_sha256_disagrees_starts_nothing(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SATUDATA_LANDING_SETTLE_MINUTES", "0")  # a marker is never overruled by settling
    landing = write_landing(data_dir, "2025Q4")
    write_marker(landing)
    p3ke = landing / "p3ke.xlsx"
    p3ke.write_bytes(p3ke.read_bytes()[:-100])  # the workbook cut short after the marker was written
    today, cursor = dt.date(2026, 1, 3), None
    for tick in range(3):
        result = _tick(today, cursor, now=T0 + tick * 3600)
        assert not result.run_requests
        assert "p3ke.xlsx does not match its sha256 in _READY" in result.skip_reason.skip_message
        assert "dtks.csv" not in result.skip_reason.skip_message
        cursor = result.cursor
    (landing / "_READY").write_text("not a checksum line\n")
    assert "_READY line 1 is not" in _tick(today, cursor, now=T0 + 4 * 3600).skip_reason.skip_message


def test_the_settling_time_must_be_a_number(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SATUDATA_LANDING_SETTLE_MINUTES", "ten")
    write_landing(data_dir, "2025Q4")
    with pytest.raises(ValueError, match="SATUDATA_LANDING_SETTLE_MINUTES"):
        _tick(dt.date(2026, 1, 3), None, now=T0)


def test_missing_files_wait_then_are_named_past_the_deadline(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SATUDATA_LANDING_DEADLINE_DAYS", "20")
    monkeypatch.setenv("SATUDATA_LANDING_SETTLE_MINUTES", "0")
    landing = write_landing(data_dir, "2025Q4")
    (landing / "dukcapil_kematian.csv").unlink()
    (landing / "p3ke.xlsx").unlink()
    waiting = _tick(dt.date(2026, 1, 10), None, now=T0).skip_reason
    assert "waiting for" in waiting.skip_message
    late = _tick(dt.date(2026, 1, 25), None, now=T0).skip_reason
    assert "past its landing deadline" in late.skip_message
    assert "p3ke.xlsx" in late.skip_message and "dukcapil_kematian.csv" in late.skip_message
    assert "dtks.csv" not in late.skip_message


def test_the_sensor_runs_in_dagsters_sensor_context(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    with dg.instance_for_test() as instance:
        result = landing_sensor(dg.build_sensor_context(instance=instance))
    # Nothing has landed in this data dir: the sensor waits and starts nothing.
    assert not result.run_requests and result.skip_reason


def test_in_its_context_the_sensor_keeps_its_observations_in_the_cursor(data_dir, monkeypatch):
    """Across the year boundary, ticks through build_sensor_context: a copy in progress, then settled, then a run."""
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SATUDATA_LANDING_SETTLE_MINUTES", "10")
    monkeypatch.setattr(sensors, "jakarta_today", lambda: dt.date(2026, 1, 2))
    clock = [T0]
    monkeypatch.setattr(sensors, "wall_clock", lambda: clock[0])
    landing = write_landing(data_dir, "2025Q4")
    dtks = landing / "dtks.csv"
    full = dtks.read_bytes()
    dtks.write_bytes(full[:100])
    with dg.instance_for_test() as instance:
        cursor = None
        for step, grow in enumerate((full[:2000], full, None, None, None)):
            context = dg.build_sensor_context(instance=instance, cursor=cursor)
            result = landing_sensor(context)
            cursor = result.cursor
            if step < 4:
                assert not result.run_requests, step
            if grow is not None:
                dtks.write_bytes(grow)
            clock[0] += 6 * 60
        (request,) = result.run_requests  # 12 minutes after the copy ended
        assert request.partition_key == "2025Q4" and request.tags["satudata/trigger"] == "landing"
        dtks.unlink()
        waiting = landing_sensor(dg.build_sensor_context(instance=instance, cursor=cursor))
    assert not waiting.run_requests and "dtks.csv" in waiting.skip_reason.skip_message


@dg.op
def fail_on_purpose():
    raise dg.Failure(description="the landing folder of 2025Q2 is missing dtks.csv")


@dg.job(tags={"dagster/partition": "2025Q2"})
def failing_job():
    fail_on_purpose()


def test_a_failed_run_writes_an_alert_record_and_calls_the_hook(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SATUDATA_ALERT_HOOK", f"{__name__}:_hook")
    _HOOKED.clear()
    with dg.instance_for_test() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_alert", dagster_instance=instance,
            dagster_run=result.dagster_run, dagster_event=failure).for_run_failure()
        run_failure_alert(context)
    alerts = data_dir / "alerts" / "alerts.jsonl"
    (record,) = [json.loads(line) for line in alerts.read_text().splitlines()]
    assert record["run_id"] == result.run_id and record["quarter"] == "2025Q2" and record["job"] == "failing_job"
    assert oct(os.stat(alerts).st_mode & 0o777) == "0o600"
    assert _HOOKED == [record]


_HOOKED: list[dict] = []


def _hook(record: dict) -> None:
    _HOOKED.append(record)
