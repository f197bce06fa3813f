"""One `satudata ui` over a data dir where three quarters were backfilled through Dagster, one of them gated."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.synth import generate_quarter
from tests.ui.dagster_ui import DagsterUI, Run

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
GATED, FIRST, SECOND = "2024Q4", "2025Q1", "2025Q2"
PEOPLE = 1_000


@dataclass
class Backfilled:
    """The UI, its data dir and the first backfill's runs by quarter."""

    ui: DagsterUI
    data_dir: Path
    backfill_id: str
    runs: dict[str, Run]
    held_back: Path


@pytest.fixture(scope="package")
def backfilled(tmp_path_factory) -> Backfilled:
    """Backfill 2024Q4..2025Q2 through the UI's GraphQL API; 2024Q4's death registry has not landed, so it blocks."""
    data_dir = tmp_path_factory.mktemp("ui") / "data"
    for quarter in (GATED, FIRST, SECOND):
        generate_quarter(quarter, PEOPLE, data_dir=data_dir)
    held_back = data_dir / "held_back" / "dukcapil_kematian.csv"
    held_back.parent.mkdir()
    shutil.move(data_dir / "landing" / GATED / "dukcapil_kematian.csv", held_back)
    ui = DagsterUI(data_dir, log_path=ARTIFACTS / "dagster_dev.log")
    try:
        ui.wait_until_loaded()
        backfill_id = ui.launch_backfill([GATED, FIRST, SECOND])
        runs = {run.quarter: run for run in ui.wait_for_backfill(backfill_id, expected_runs=3)}
        yield Backfilled(ui, data_dir, backfill_id, runs, held_back)
        # Stopped as systemd or a terminal stops it, not killed: the UI must let go of everything it started.
        assert ui.stop() is not None
        assert ui.processes_left_after() == []
    finally:
        ui.kill()
