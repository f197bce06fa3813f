"""Splink alone: predict and cluster one quarter's linkage input with the committed model, nothing else.

Usage: python benchmarks/bench_splink_alone.py --warehouse data/warehouse/2025Q2.duckdb [--json figures.json]
Reads `intermediate.int_persons__for_linkage` from a warehouse a run has built (read-only), puts it in an in-memory
DuckDB as the pipeline does (orchestration.linkage.predict.splink_connection), and times Splink's `predict` and
`cluster_pairwise_predictions_at_threshold` at the model's threshold: no cannot-link splits, person ids or keys.
This is the floor the whole job is compared with (`bench_pipeline.py` prints end to end / Splink alone). Counts
and seconds only, never a row.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    from splink import DuckDBAPI, Linker

    from orchestration.linkage.list_size import weights_for_rows
    from orchestration.linkage.model import load_model
    from orchestration.linkage.predict import SPLINK_LOG_LEVEL, splink_connection

    started = time.perf_counter()
    with duckdb.connect(str(args.warehouse), read_only=True) as warehouse:
        records = warehouse.sql("select * from intermediate.int_persons__for_linkage").to_arrow_table()
    model = load_model()
    read_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="splink_alone_") as scratch:
        con = splink_connection(records, Path(scratch) / "spill")
        started = time.perf_counter()
        settings = weights_for_rows(model, records.num_rows).settings  # as the linkage step weighs this size
        linker = Linker(DuckDBAPI(connection=con).register("records"), settings, log_level=SPLINK_LOG_LEVEL)
        pairs = linker.inference.predict()
        predict_s = time.perf_counter() - started
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            pairs, threshold_match_probability=model.threshold)
        comparisons, people = con.execute(
            f"select (select count(*) from {pairs.physical_name}), "
            f"(select count(distinct cluster_id) from {clusters.physical_name})").fetchall()[0]
        splink_s = time.perf_counter() - started
        con.close()
    figures = {
        "rows": records.num_rows, "comparisons": int(comparisons), "people": int(people),
        "read_s": round(read_s, 2), "predict_s": round(predict_s, 2), "splink_s": round(splink_s, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "model": model.version,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
