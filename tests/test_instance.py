"""The dagster.yaml satudata keeps in DAGSTER_HOME: valid for Dagster, one run at a time, hand edits respected."""

from __future__ import annotations

import dagster as dg

from orchestration.instance import MANAGED, ensure_dagster_home


def test_dagster_loads_it_with_one_run_at_a_time_and_storage_in_the_home(tmp_path):
    home = tmp_path / "dagster_home"
    ensure_dagster_home(home)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        queue = instance.get_concurrency_config().run_queue_config
        assert queue.max_concurrent_runs == 1
        limits = queue.tag_concurrency_limits
        assert {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits
        assert not instance.telemetry_enabled
    assert (home / "history" / "runs.db").exists()


def test_a_hand_edited_file_is_left_alone_and_the_earlier_default_is_replaced(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    config = home / "dagster.yaml"
    config.write_text("telemetry:\n  enabled: false\n")  # what satudata wrote before
    ensure_dagster_home(home)
    assert config.read_text().startswith(MANAGED)
    config.write_text("telemetry:\n  enabled: false\nconcurrency:\n  runs:\n    max_concurrent_runs: 3\n")
    ensure_dagster_home(home)
    assert "max_concurrent_runs: 3" in config.read_text()
