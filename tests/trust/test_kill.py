"""kill -9 during linkage and during publication: nothing partial under publish/, and the re-run equals the reference.

A watcher reads publish/<quarter> every few milliseconds for the whole test: each time, the folder holds only the
submission and its manifest, and the manifest's sha256 is the submission's (a whole, consistent set).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import dagster as dg
import pytest

from tests.trust import runs
from tests.trust.conftest import SECOND

LINKAGE_STEP = "linkage__person_clusters"
PUBLISH_STEP = "publish__bps_submission"
PUBLISHED = {"bps_submission.csv", "manifest.json"}


class PublishWatcher(threading.Thread):
    """Reads a quarter's publish folder over and over, recording anything that is not one whole set of files."""

    def __init__(self, folder: Path):
        super().__init__(daemon=True)
        self.folder = folder
        self.looks = 0
        self.problems: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self._look()
            time.sleep(0.002)

    def _look(self) -> None:
        try:
            # Through one folder descriptor: both files come from the same version of the folder.
            fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            self.problems.append("publish folder absent")
            return
        try:
            names = set(os.listdir(fd))
            if names != PUBLISHED:
                self.problems.append(f"publish folder holds {sorted(names)}")
                return
            manifest = json.loads(_read(fd, "manifest.json"))
            if hashlib.sha256(_read(fd, "bps_submission.csv")).hexdigest() != manifest["sha256"]:
                self.problems.append("submission does not match its manifest")
            self.looks += 1
        except FileNotFoundError:
            pass  # this version was replaced while being read: the next look sees the new one
        finally:
            os.close(fd)


def _read(folder_fd: int, name: str) -> bytes:
    fd = os.open(name, os.O_RDONLY, dir_fd=folder_fd)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _new_run_id(instance: dg.DagsterInstance, known: set[str], process, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "satudata run ended before its run was recorded"
        fresh = [r.run_id for r in instance.get_runs() if r.run_id not in known]
        if fresh:
            return fresh[0]
        time.sleep(0.05)
    raise AssertionError("no run appeared in the instance")


def _steps(instance: dg.DagsterInstance, run_id: str, event_type: dg.DagsterEventType) -> set[str]:
    return {r.event_log_entry.step_key for r in instance.get_records_for_run(run_id, of_type=event_type).records}


def _wait_for(condition, process, what: str, every: float, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"satudata run ended before {what}"
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def instance(operated):
    with dg.DagsterInstance.from_config(str(operated.data_dir / "dagster_home")) as instance:
        yield instance


def test_kill_during_linkage_then_publication_then_rerun_equals_the_uninterrupted_run(operated, instance, tmp_path):
    data_dir = operated.data_dir
    paths_publish = data_dir / "publish" / SECOND
    before = runs.results(data_dir, SECOND)
    assert before == operated.reference[SECOND]
    watcher = PublishWatcher(paths_publish)
    watcher.start()
    try:
        # 1. Killed in Splink's linkage, the moment the step opens its Splink database (its spill folder appears),
        # not after a fixed delay: on a loaded machine the step can be over before any delay ends.
        known = {r.run_id for r in instance.get_runs()}
        splink_temp = data_dir / "tmp" / "splink" / SECOND
        shutil.rmtree(splink_temp, ignore_errors=True)  # left by the reference run; no run is going now
        process = runs.start(data_dir, SECOND, tmp_path / "killed_in_linkage.txt")
        run_id = _new_run_id(instance, known, process)
        _wait_for(splink_temp.exists, process, "the linkage step's Splink spill folder", every=0.001)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
        assert LINKAGE_STEP in _steps(instance, run_id, dg.DagsterEventType.STEP_START)
        assert LINKAGE_STEP not in _steps(instance, run_id, dg.DagsterEventType.STEP_SUCCESS)
        assert runs.results(data_dir, SECOND) == before

        # 2. Killed in publication, the moment the run starts assembling its publish folder.
        known.add(run_id)
        process = runs.start(data_dir, SECOND, tmp_path / "killed_in_publication.txt")
        run_id = _new_run_id(instance, known, process)
        staging = data_dir / "tmp" / "publish" / f"{SECOND}.{run_id}"
        _wait_for(staging.exists, process, "the publication step's staging folder", every=0.001)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
        assert PUBLISH_STEP in _steps(instance, run_id, dg.DagsterEventType.STEP_START)
        assert PUBLISH_STEP not in _steps(instance, run_id, dg.DagsterEventType.STEP_SUCCESS)
        assert staging.exists()  # killed mid-publication: what it had assembled is still outside publish/
        assert runs.results(data_dir, SECOND) == before

        # 3. The re-run, uninterrupted, publishes what the uninterrupted reference run published.
        done = runs.run(data_dir, SECOND)
        operated.console.append(done.stdout + done.stderr)
        assert done.returncode == 0, done.stdout[-3000:]
    finally:
        watcher.stop.set()
        watcher.join()
    assert runs.results(data_dir, SECOND) == operated.reference[SECOND]
    manifest = json.loads((paths_publish / "manifest.json").read_text())
    assert manifest["run_id"] not in known  # written again by the re-run, not left from the reference
    assert watcher.problems == [] and watcher.looks > 100
    # The killed runs' leftovers (staging folder, Splink spill files, temp files) are gone.
    leftovers = [p for p in (data_dir / "tmp").rglob("*") if p.is_file()]
    leftovers += [p for folder in ("reports", "warehouse", "publish") for p in (data_dir / folder).rglob(".*.tmp")]
    assert leftovers == []
