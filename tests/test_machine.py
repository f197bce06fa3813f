"""DuckDB's memory and threads from the machine, and the environment overrides."""

from __future__ import annotations

import os

from orchestration import machine


def test_the_memory_limit_is_the_budget_less_the_python_processes(monkeypatch):
    monkeypatch.delenv(machine.DUCKDB_MEMORY_ENV, raising=False)
    monkeypatch.setenv(machine.MEMORY_BUDGET_ENV, "8")
    monkeypatch.setattr(machine, "physical_memory_gib", lambda: 24.0)
    assert machine.duckdb_memory_limit() == f"{int((8 - machine.PYTHON_RESERVE_GIB) * 1024)}MB"
    # A small machine: never more than 60 % of its RAM for the whole run, and never less than 1 GiB for DuckDB.
    monkeypatch.setattr(machine, "physical_memory_gib", lambda: 4.0)
    assert machine.memory_budget_gib() == 0.6 * 4.0
    assert machine.duckdb_memory_limit() == "1024MB"


def test_explicit_settings_win_and_reach_dbt(monkeypatch):
    monkeypatch.setenv(machine.DUCKDB_MEMORY_ENV, "3GB")
    monkeypatch.setenv(machine.DUCKDB_THREADS_ENV, "1")
    assert machine.duckdb_memory_limit() == "3GB" and machine.duckdb_threads() == 1
    machine.export_to_dbt()
    assert os.environ[machine.DUCKDB_MEMORY_ENV] == "3GB"


def test_threads_are_the_cores_this_process_may_use(monkeypatch):
    monkeypatch.delenv(machine.DUCKDB_THREADS_ENV, raising=False)
    assert machine.duckdb_threads() == len(os.sched_getaffinity(0)) >= 1
