"""The Dagster instance under the data dir: its `dagster.yaml` (storage, run queue, telemetry off)."""

from __future__ import annotations

from pathlib import Path

MANAGED = "# Written by satudata (orchestration/instance.py): edit the template there, or delete this line."

# One run at a time. A quarter's person ids carry over from the previous quarter's publication, so a backfill must
# finish 2025Q1 before 2025Q2 starts (the backfill submits quarters in order and the queue starts them in order);
# and one quarter already keeps both cores of the reference machine busy. Quarters have separate DuckDB files
# (docs/adr/0001), so this is about order and load, not locks; the per-quarter limit says so for a larger queue.
TEMPLATE = """{managed}
telemetry:
  enabled: false

# Run, event-log and schedule storage: SQLite files in DAGSTER_HOME (history/, schedules/).
storage:
  sqlite:
    base_dir: {home}

local_artifact_storage:
  module: dagster.core.storage.root
  class: LocalArtifactStorage
  config:
    base_dir: {home}

compute_logs:
  module: dagster.core.storage.local_compute_log_manager
  class: LocalComputeLogManager
  config:
    base_dir: {home}/compute_logs

concurrency:
  runs:
    max_concurrent_runs: {max_runs}
    tag_concurrency_limits:
      # Never two runs of one quarter: they would write the same DuckDB file.
      - key: dagster/partition
        value:
          applyLimitPerUniqueValue: true
        limit: 1

run_monitoring:
  enabled: true
"""


# What satudata wrote before it managed the whole file.
_EARLIER = "telemetry:\n  enabled: false\n"


def instance_yaml(home: Path, max_concurrent_runs: int = 1) -> str:
    """The dagster.yaml satudata keeps in DAGSTER_HOME."""
    return TEMPLATE.format(managed=MANAGED, home=home.resolve(), max_runs=max_concurrent_runs)


def ensure_dagster_home(home: Path) -> Path:
    """Create DAGSTER_HOME and (re)write its dagster.yaml, unless someone has taken the file over by hand."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    current = config.read_text(encoding="utf-8") if config.exists() else None
    if current is not None and current != _EARLIER and not current.startswith(MANAGED):
        return config
    text = instance_yaml(home)
    if current != text:
        config.write_text(text, encoding="utf-8")
    return config
