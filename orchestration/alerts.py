"""Alerts on failed runs: a record in <data dir>/alerts/alerts.jsonl, then an optional hook (email, chat)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
from pathlib import Path
from typing import Any

from orchestration.paths import resolve_data_dir
from orchestration.publish.files import FILE_MODE, private_dir

# A dotted path "package.module:function" called with each alert record (a dict); unset, the file is the alert.
HOOK_ENV = "SATUDATA_ALERT_HOOK"


def alerts_file(data_dir: Path | None = None) -> Path:
    """Where alert records are appended."""
    return resolve_data_dir(data_dir) / "alerts" / "alerts.jsonl"


def record_run_failure(run: Any, failure_event: Any, data_dir: Path | None = None) -> dict[str, Any]:
    """Append one record for a failed run and hand it to the hook; the message carries no cell values."""
    message = ""
    if failure_event is not None and failure_event.message:
        message = failure_event.message.splitlines()[0]
    record = {
        "time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "run_id": run.run_id,
        "job": run.job_name,
        "quarter": run.tags.get("dagster/partition"),
        "message": message,
    }
    path = alerts_file(data_dir)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
    hook = os.environ.get(HOOK_ENV)
    if hook:
        module, _, function = hook.partition(":")
        getattr(importlib.import_module(module), function)(record)
    return record
