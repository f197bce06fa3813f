"""Benchmark of ingestion: seconds per landing file and peak memory, median of runs, on a generated quarter.

Usage: python benchmarks/bench_ingest.py --data-dir D [--quarter 2025Q2] [--runs 3] [--csv-reader auto|python]
Generate the quarter first (`satudata synth`); each run loads all five files into a fresh DuckDB file in a
child process, so peak RSS is that process's own (from the kernel).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, sys, time
from pathlib import Path
from orchestration.ingest.contract import EXTRACTS
from orchestration.ingest.load import load_extract
from orchestration.warehouse import connect
landing, database = Path(sys.argv[1]), Path(sys.argv[2])
seconds, rows, readers = {}, {}, {}
with connect(database) as con:
    for spec in EXTRACTS:
        started = time.perf_counter()
        result = load_extract(con, spec, landing / spec.file_name, csv_reader=sys.argv[3])
        seconds[spec.file_name] = time.perf_counter() - started
        rows[spec.file_name] = result.rows_loaded
        readers[spec.file_name] = result.reader or "calamine"
print(json.dumps({"seconds": seconds, "rows": rows, "readers": readers}))
"""


def run_once(landing: Path, csv_reader: str) -> tuple[dict, float]:
    with tempfile.TemporaryDirectory() as tmp:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(landing), str(Path(tmp) / "w.duckdb"), csv_reader],
                                 stdout=subprocess.PIPE, text=True)
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("ingestion failed")
    return json.loads(output), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--quarter", default="2025Q2")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv-reader", choices=("auto", "python"), default="auto",
                        help="python: the delimited files by the Python reader, as before DuckDB's (for comparison)")
    args = parser.parse_args()
    landing = args.data_dir / "landing" / args.quarter
    runs = [run_once(landing, args.csv_reader) for _ in range(args.runs)]
    rows, readers = runs[0][0]["rows"], runs[0][0]["readers"]
    print(f"ingestion of {landing}, {args.runs} runs (median seconds)")
    for file_name, count in rows.items():
        seconds = statistics.median(r["seconds"][file_name] for r, _ in runs)
        print(f"  {file_name:<24}{count:>12,} rows {seconds:>8.1f} s  {readers[file_name]}")
    total = statistics.median(sum(r["seconds"].values()) for r, _ in runs)
    print(f"  all five files: {sum(rows.values()):,} rows in {total:.1f} s; "
          f"peak RSS median {statistics.median(m for _, m in runs):,.0f} MiB")


if __name__ == "__main__":
    main()
