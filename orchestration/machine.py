"""How much of this machine the job's DuckDB databases may take: memory and threads, from the machine itself."""

from __future__ import annotations

import os

MEMORY_BUDGET_ENV = "SATUDATA_MEMORY_BUDGET_GIB"
DUCKDB_MEMORY_ENV = "SATUDATA_DUCKDB_MEMORY_LIMIT"
DUCKDB_THREADS_ENV = "SATUDATA_DUCKDB_THREADS"
# All of a run's processes together (issue 12: a whole Jakarta quarter within 8 GiB on the 24 GiB machine).
DEFAULT_BUDGET_GIB = 8.0
# What the Python processes hold beside DuckDB's buffers (Dagster with its definitions, dbt, Splink, GX):
# measured at about 1.2 GiB together at 1M rows; the rest is the one DuckDB database working at a time.
PYTHON_RESERVE_GIB = 2.5
MIN_DUCKDB_GIB = 1.0


def physical_memory_gib() -> float:
    """This machine's RAM in GiB."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def memory_budget_gib() -> float:
    """The run's budget: $SATUDATA_MEMORY_BUDGET_GIB, else 8 GiB; never more than 60 % of the RAM."""
    wanted = float(os.environ.get(MEMORY_BUDGET_ENV) or DEFAULT_BUDGET_GIB)
    return min(wanted, 0.6 * physical_memory_gib())


def duckdb_memory_limit() -> str:
    """DuckDB's memory_limit for the database at work (dbt's or Splink's: they never run at once); it spills
    to disk under the data dir beyond it. $SATUDATA_DUCKDB_MEMORY_LIMIT overrides."""
    if os.environ.get(DUCKDB_MEMORY_ENV):
        return os.environ[DUCKDB_MEMORY_ENV]
    gib = max(MIN_DUCKDB_GIB, memory_budget_gib() - PYTHON_RESERVE_GIB)
    return f"{int(gib * 1024)}MB"


def duckdb_threads() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    if os.environ.get(DUCKDB_THREADS_ENV):
        return int(os.environ[DUCKDB_THREADS_ENV])
    return len(os.sched_getaffinity(0))


def export_to_dbt() -> None:
    """Put both figures in the environment dbt's profile reads (profiles.yml), unless already set."""
    os.environ.setdefault(DUCKDB_MEMORY_ENV, duckdb_memory_limit())
    os.environ.setdefault(DUCKDB_THREADS_ENV, str(duckdb_threads()))
