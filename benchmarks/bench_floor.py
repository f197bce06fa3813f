"""The floor under end to end: reading a quarter's five landing files once and writing its submission once, no checks.

Usage: python benchmarks/bench_floor.py --data-dir D --warehouse W [--quarter 2025Q2] [--runs 1] [--json F]
D is a generated quarter's source folder (`landing/<quarter>/` under it), W the warehouse a run built from it
(its `marts.bps_submission`). Each CSV is read by DuckDB into an in-memory table (every column text, as landed),
the workbook's sheets by calamine, cell by cell, into nothing; the submission is written to a CSV in a temporary
folder. No validation, row numbers, quarantine, conforming or linkage: what any pipeline over these files pays
before doing anything with them, to set against `bench_pipeline.py`'s end to end and its Splink-alone figure.
Counts and seconds only, never a row.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def read_csvs(landing: Path, threads: int) -> tuple[float, int]:
    """Seconds and rows: every CSV of `landing` into an in-memory DuckDB table, all columns text."""
    started = time.perf_counter()
    rows = 0
    with duckdb.connect() as con:
        con.execute(f"set threads = {threads}")
        for path in sorted(landing.glob("*.csv")):
            con.execute(f"create or replace table t as select * from read_csv('{path}', all_varchar = true, "
                        "header = true)")
            rows += con.execute("select count(*) from t").fetchall()[0][0]
    return time.perf_counter() - started, rows


def read_workbooks(landing: Path) -> tuple[float, int]:
    """Seconds and data rows: every sheet of every workbook of `landing`, each row's cells visited once."""
    import python_calamine

    started = time.perf_counter()
    rows = 0
    for path in sorted(landing.glob("*.xlsx")):
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            for cells in workbook.get_sheet_by_name(name).iter_rows():
                rows += 1 if any(cells) else 0
            rows -= 1  # the header
    return time.perf_counter() - started, rows


def write_submission(warehouse: Path, threads: int) -> tuple[float, int]:
    """Seconds and rows: the warehouse's BPS submission written once to a CSV with a header."""
    with tempfile.TemporaryDirectory(prefix="floor_") as tmp, duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"set threads = {threads}")
        rows = con.execute("select count(*) from marts.bps_submission").fetchall()[0][0]
        started = time.perf_counter()
        con.execute(f"copy (select * from marts.bps_submission order by person_id) to '{Path(tmp) / 's.csv'}' "
                    "(header, delimiter ',')")
        return time.perf_counter() - started, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--quarter", default="2025Q2")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    landing = args.data_dir / "landing" / args.quarter
    if not landing.is_dir():
        print(f"no landing folder {landing}", file=sys.stderr)
        return 2
    runs = []
    for _ in range(args.runs):
        csv_s, csv_rows = read_csvs(landing, args.threads)
        xlsx_s, xlsx_rows = read_workbooks(landing)
        write_s, submitted = write_submission(args.warehouse, args.threads)
        runs.append({"csv_s": csv_s, "xlsx_s": xlsx_s, "write_s": write_s})
    figures = {
        "runs": args.runs, "threads": args.threads, "csv_rows": csv_rows, "xlsx_rows": xlsx_rows,
        "submission_rows": submitted,
        **{part: round(statistics.median(r[part] for r in runs), 2) for part in ("csv_s", "xlsx_s", "write_s")},
    }
    # The workbook and the CSVs can be read at once on two cores (the ingest step does): the longer of the two.
    figures["read_once_s"] = round(max(figures["csv_s"], figures["xlsx_s"]), 2)
    figures["floor_s"] = round(figures["read_once_s"] + figures["write_s"], 2)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
