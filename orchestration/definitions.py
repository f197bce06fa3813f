"""The code location: everything under orchestration/defs, run step by step in one process.

One process per run because every step of a quarter writes the same DuckDB file, which takes one writer.
"""

import dagster as dg

import orchestration.defs
from orchestration.privacy import restrict_new_files

# The code server and every run process load this module: what they write (Dagster's storage and compute logs,
# the warehouse, dbt's target and logs, GX's stores) is owner-only from the start, not chmod-ed afterwards.
restrict_new_files()

defs = dg.Definitions.merge(
    dg.load_defs(orchestration.defs),
    dg.Definitions(executor=dg.in_process_executor),
)
