"""A quarter's DuckDB file held by another process: the error names that process, and other quarters are free."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import dagster as dg
import pytest

from orchestration import warehouse
from orchestration.quarters import Quarter
from tests.conftest import QUARTER


@pytest.fixture
def holder(data_dir):
    """A separate process holding the quarter's warehouse open for writing, as a stuck run would."""
    path = data_dir / "warehouse" / f"{QUARTER}.duckdb"
    path.parent.mkdir(parents=True)
    script = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("holding", flush=True)
        time.sleep(300)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "holding"
    yield path, process
    process.kill()
    process.wait()


def test_a_locked_file_names_the_process_that_holds_it(holder):
    path, process = holder
    with pytest.raises(warehouse.WarehouseLocked) as error:
        with warehouse.connect(path):
            pass
    message = str(error.value)
    assert f"process {process.pid}" in message and "time.sleep(300)" in message
    assert "one writer per file" in message


def test_a_run_of_the_locked_quarter_fails_saying_who_holds_it_and_other_quarters_run(holder, data_dir, monkeypatch):
    from tests.conftest import write_landing

    _, process = holder
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    write_landing(data_dir)
    from orchestration.run import run_quarter

    outcome = run_quarter(Quarter.parse(QUARTER), data_dir / "logs" / "run.log",
                          instance=dg.DagsterInstance.ephemeral())
    assert not outcome.success
    assert any(f"locked by process {process.pid}" in error for error in outcome.errors), outcome.render()
    # Another quarter has its own file, so the lock does not touch it.
    with warehouse.connect(data_dir / "warehouse" / "2025Q1.duckdb") as con:
        assert con.execute("select 1").fetchall() == [(1,)]
