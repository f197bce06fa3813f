"""The code location: everything under orchestration/defs, run step by step in one process.

One process per run because every step of a quarter writes the same DuckDB file, which takes one writer.
"""

import dagster as dg

import orchestration.defs

defs = dg.Definitions.merge(
    dg.load_defs(orchestration.defs),
    dg.Definitions(executor=dg.in_process_executor),
)
