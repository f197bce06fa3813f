"""`satudata run` as an operator starts it, in a subprocess, and what a finished quarter left on disk."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

SATUDATA = str(Path(sys.executable).parent / "satudata")
# What the BPS and the Dinas receive; compared byte for byte between runs, minus the run's id and clock.
RESULT_FILES = ("publish/{q}/bps_submission.csv", "publish/{q}/manifest.json", "reports/{q}/record_ledger.csv",
                "reports/{q}/exclusions.md", "reports/{q}/gate_report.json")
RUN_FIELDS = ("run_id", "generated_at")


def environment(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "DAGSTER_HOME": str(data_dir / "dagster_home"), "SATUDATA_DATA_DIR": str(data_dir)}


def command(data_dir: Path, *args: str) -> list[str]:
    return [SATUDATA, *args, "--data-dir", str(data_dir)]


def run(data_dir: Path, quarter: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """`satudata run --quarter` to the end."""
    return subprocess.run(command(data_dir, "run", "--quarter", quarter), capture_output=True, text=True,
                          env=environment(data_dir), timeout=timeout)


def start(data_dir: Path, quarter: str, output: Path) -> subprocess.Popen:
    """`satudata run --quarter` in the background, its stdout and stderr into `output`."""
    handle = output.open("w")
    return subprocess.Popen(command(data_dir, "run", "--quarter", quarter), stdout=handle, stderr=subprocess.STDOUT,
                            env=environment(data_dir), text=True)


def results(data_dir: Path, quarter: str) -> dict[str, str]:
    """sha256 of each result file of the quarter, JSON files without the run's id and time; absent files omitted."""
    found = {}
    for pattern in RESULT_FILES:
        path = data_dir / pattern.format(q=quarter)
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".json":
            document = {k: v for k, v in json.loads(data).items() if k not in RUN_FIELDS}
            data = json.dumps(document, sort_keys=True).encode()
        found[pattern.format(q=quarter)] = hashlib.sha256(data).hexdigest()
    return found
