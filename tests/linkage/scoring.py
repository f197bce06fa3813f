"""Scoring rows with real Splink for the linkage tests: every blocked pair, with the columns a test reads."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from splink import DuckDBAPI, Linker

from orchestration.linkage.predict import SPLINK_LOG_LEVEL, splink_connection


def score_pairs(records: pa.Table, settings: dict, temp_dir: Path, columns: str) -> tuple[list[tuple], list]:
    """(unique_id_l, unique_id_r, *columns) of every pair Splink scores with `settings`, and its comparisons (their
    levels carry Splink's own numbering, comparison_vector_value)."""
    con = splink_connection(records, temp_dir)
    try:
        linker = Linker(DuckDBAPI(connection=con).register("records"), settings, log_level=SPLINK_LOG_LEVEL)
        pairs = linker.inference.predict()
        rows = con.execute(f"select unique_id_l, unique_id_r, {columns} from {pairs.physical_name}").fetchall()
        return rows, linker._settings_obj.comparisons
    finally:
        con.close()
