"""Two consecutive generated quarters run one after the other through `satudata run`: the reference results."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.trust import runs

FIRST, SECOND = "2025Q1", "2025Q2"
QUARTERS = (FIRST, SECOND)
PEOPLE = 300
SEED = 20251101


@dataclass
class Operated:
    """A data dir where both quarters were published, their results then, and everything the CLI printed since."""

    data_dir: Path
    reference: dict[str, dict[str, str]]
    console: list[str] = field(default_factory=list)

    def landing(self, quarter: str) -> Path:
        return self.data_dir / "landing" / quarter


@pytest.fixture(scope="package")
def operated(tmp_path_factory) -> Operated:
    data_dir = tmp_path_factory.mktemp("trust") / "data"
    console = []
    for quarter in QUARTERS:
        # As an operator generates a sample: through the CLI, so the data dir is created as the CLI creates it.
        done = subprocess.run(runs.command(data_dir, "synth", "--quarter", quarter, "--people", str(PEOPLE),
                                           "--seed", str(SEED)), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    for quarter in QUARTERS:
        done = runs.run(data_dir, quarter)
        console.append(done.stdout + done.stderr)
        assert done.returncode == 0, done.stdout[-3000:]
    return Operated(data_dir, {q: runs.results(data_dir, q) for q in QUARTERS}, console)
