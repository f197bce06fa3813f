"""The landing sensor and the run-failure alert, with Dagster's test contexts and a run that fails on purpose."""

from __future__ import annotations

import datetime as dt
import json
import os

import dagster as dg

from orchestration.defs.automation import sensors
from orchestration.defs.automation.sensors import evaluate_landing, landing_sensor, run_failure_alert
from tests.conftest import write_landing


def test_a_complete_quarter_starts_one_run_keyed_by_its_files(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    write_landing(data_dir, "2025Q4")
    today = dt.date(2026, 1, 3)  # the year boundary: 2025Q4 has just closed
    (request,) = evaluate_landing(today)
    assert request.partition_key == "2025Q4" and request.run_key.startswith("2025Q4-")
    assert evaluate_landing(today)[0].run_key == request.run_key  # same files: the same key, no second run
    landing = data_dir / "landing" / "2025Q4" / "carik.csv"
    landing.write_bytes(landing.read_bytes() + b"\n")  # a re-delivered file
    assert evaluate_landing(today)[0].run_key != request.run_key


def test_missing_files_wait_then_are_named_past_the_deadline(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SATUDATA_LANDING_DEADLINE_DAYS", "20")
    landing = write_landing(data_dir, "2025Q4")
    (landing / "dukcapil_kematian.csv").unlink()
    (landing / "p3ke.xlsx").unlink()
    waiting = evaluate_landing(dt.date(2026, 1, 10))
    assert isinstance(waiting, dg.SkipReason) and "waiting for" in waiting.skip_message
    late = evaluate_landing(dt.date(2026, 1, 25))
    assert isinstance(late, dg.SkipReason)
    assert "past its landing deadline" in late.skip_message
    assert "p3ke.xlsx" in late.skip_message and "dukcapil_kematian.csv" in late.skip_message
    assert "dtks.csv" not in late.skip_message


def test_the_sensor_runs_in_dagsters_sensor_context(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    with dg.instance_for_test() as instance:
        result = landing_sensor(dg.build_sensor_context(instance=instance))
    # Nothing has landed in this data dir: the sensor waits and starts nothing.
    assert isinstance(result, dg.SkipReason)


def test_across_the_year_boundary_the_sensor_starts_2025q4_in_its_context(data_dir, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    monkeypatch.setattr(sensors, "jakarta_today", lambda: dt.date(2026, 1, 2))
    landing = write_landing(data_dir, "2025Q4")
    with dg.instance_for_test() as instance:
        (request,) = landing_sensor(dg.build_sensor_context(instance=instance))
        assert request.partition_key == "2025Q4" and request.tags["satudata/trigger"] == "landing"
        (landing / "dtks.csv").unlink()
        waiting = landing_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(waiting, dg.SkipReason) and "dtks.csv" in waiting.skip_message


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
