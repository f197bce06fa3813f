"""Starting `satudata ui` as an operator would, and talking to it through Dagster's GraphQL API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LOCATION = "satudata_bansos"
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}

RUNS_QUERY = """
query ($filter: RunsFilter) {
  runsOrError(filter: $filter) {
    __typename
    ... on Runs { results { runId status startTime endTime tags { key value } } }
  }
}"""

LAUNCH_BACKFILL = """
mutation ($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId launchedRunIds }
    ... on PythonError { message }
    ... on PartitionSetNotFoundError { message }
    ... on PartitionKeysNotFoundError { message }
  }
}"""

LOCATION_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Run:
    run_id: str
    status: str
    quarter: str
    backfill: str | None
    start: float | None
    end: float | None


class DagsterUI:
    """A `satudata ui` process started from a non-interactive shell (SIGINT ignored), with a GraphQL client."""

    def __init__(self, data_dir: Path, log_path: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
        env.update(SATUDATA_DATA_DIR=str(data_dir), GX_ANALYTICS_ENABLED="false",
                   DBT_SEND_ANONYMOUS_USAGE_STATS="false")
        satudata = Path(sys.executable).parent / "satudata"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("w")
        # A shell running a command in the background ignores SIGINT in it: the case dagster dev gets wrong.
        self.process = subprocess.Popen(
            [str(satudata), "ui", "--port", str(self.port)], env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))

    def wait_until_loaded(self, timeout: float = 180) -> None:
        """Wait for the webserver and for the code location to have loaded without error."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"satudata ui exited with {self.process.returncode}; see {self.log_path}")
            try:
                entries = self.graphql(LOCATION_QUERY)["workspaceOrError"]["locationEntries"]
            except (urllib.error.URLError, ConnectionError, KeyError, TypeError):
                entries = []
            for entry in entries:
                if entry["name"] == LOCATION and entry["loadStatus"] == "LOADED":
                    loaded = entry["locationOrLoadError"]
                    if loaded["__typename"] != "RepositoryLocation":
                        raise RuntimeError(f"code location failed to load: {loaded.get('message')}")
                    return
            time.sleep(1)
        raise TimeoutError(f"the UI did not load in {timeout} s; see {self.log_path}")

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql", data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.load(response)
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return body["data"]

    def launch_backfill(self, quarters: list[str], job: str = "quarterly_job") -> str:
        """A partition backfill of `job`, as the UI's "Launch backfill" makes it; returns its id."""
        params = {
            "selector": {"partitionSetName": f"{job}_partition_set",
                         "repositorySelector": {"repositoryName": "__repository__",
                                                "repositoryLocationName": LOCATION}},
            "partitionNames": quarters,
            # Submitted by the webserver at once rather than at the backfill daemon's next tick (30 s).
            "forceSynchronousSubmission": True,
            "title": f"backfill {', '.join(quarters)}",
        }
        result = self.graphql(LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]
        if result["__typename"] != "LaunchBackfillSuccess":
            raise RuntimeError(result)
        return result["backfillId"]

    def runs(self, backfill_id: str | None = None) -> list[Run]:
        filter_ = {"tags": [{"key": "dagster/backfill", "value": backfill_id}]} if backfill_id else {}
        results = self.graphql(RUNS_QUERY, {"filter": filter_})["runsOrError"]["results"]
        runs = []
        for r in results:
            tags = {t["key"]: t["value"] for t in r["tags"]}
            runs.append(Run(r["runId"], r["status"], tags.get("dagster/partition"), tags.get("dagster/backfill"),
                            r["startTime"], r["endTime"]))
        return sorted(runs, key=lambda run: run.quarter or "")

    def wait_for_backfill(self, backfill_id: str, expected_runs: int, timeout: float = 900) -> list[Run]:
        """Wait until the backfill's runs have all ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = self.runs(backfill_id)
            if len(runs) == expected_runs and all(run.status in TERMINAL for run in runs):
                return runs
            time.sleep(3)
        raise TimeoutError(f"backfill {backfill_id} did not finish in {timeout} s: {self.runs(backfill_id)}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send `sig` to `satudata ui` alone, as a terminal or a service manager would; return its exit code."""
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        """Stop everything it started, whatever state it is in (nothing happens if it is all gone)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self._log.close()

    def processes_left_after(self, grace: float = 30) -> list[str]:
        """Processes of the UI's group still running `grace` seconds after it exited (its children exit within ~2 s)."""
        deadline = time.monotonic() + grace
        while (left := self.leftover_processes()) and time.monotonic() < deadline:
            time.sleep(0.5)
        return left

    def leftover_processes(self) -> list[str]:
        """Processes still in the UI's process group (webserver, daemon, code server, runs)."""
        pgid = str(self.process.pid)
        leftovers = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                # /proc/<pid>/stat after the command (which may hold spaces): state, parent, process group, ...
                state, _, group = (proc / "stat").read_text().rsplit(")", 1)[1].split()[:3]
                if group == pgid and state != "Z":
                    leftovers.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120])
            except (OSError, IndexError):
                continue
        return leftovers
