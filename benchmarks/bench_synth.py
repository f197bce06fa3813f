"""Benchmark of `satudata synth`: wall time and peak memory (median of runs) at one or more sizes.

Usage: python benchmarks/bench_synth.py [--people N [N ...]] [--runs R] [--data-dir D] [--json FILE]
Each run is a fresh `satudata synth` process; its peak RSS comes from the kernel (wait4), not from sampling.
About 1.43 list rows per person: 70,000 people make about 100k list rows, 700,000 about 1M, 7,000,000 about 10M.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(people: int, seed: int, data_dir: Path) -> tuple[float, float]:
    """One synth run in a child process: (seconds, peak RSS in MiB)."""
    command = [str(Path(sys.executable).parent / "satudata"), "synth", "--quarter", "2025Q2",
               "--people", str(people), "--seed", str(seed), "--data-dir", str(data_dir)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"satudata synth failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024


def measure(people: int, runs: int, data_dir: Path) -> dict:
    """Median time and peak RSS of `runs` runs at `people`, with the rows written."""
    timings = [run_once(people, 20250601, data_dir) for _ in range(runs)]
    summary = json.loads((data_dir / "truth" / "2025Q2" / "summary.json").read_text())
    rows = summary["rows"]
    print(f"satudata synth, {people:,} people, {summary['list_rows_total']:,} list rows "
          f"({sum(rows.values()):,} with the registries), {runs} run(s)")
    for file_name, count in rows.items():
        print(f"  {file_name:<24}{count:>12,}")
    seconds, peaks = [t for t, _ in timings], [m for _, m in timings]
    print(f"  wall time: median {statistics.median(seconds):.1f} s (runs: {', '.join(f'{t:.1f}' for t in seconds)})")
    print(f"  peak RSS:  median {statistics.median(peaks):,.0f} MiB (max {max(peaks):,.0f} MiB)")
    return {"people": people, "list_rows": summary["list_rows_total"], "rows": rows, "runs": runs,
            "seconds": seconds, "median_seconds": statistics.median(seconds),
            "peak_rss_mib": peaks, "median_peak_rss_mib": statistics.median(peaks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[750_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench_synth_"))
    figures = [measure(people, args.runs, data_dir) for people in args.people]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.data_dir is None:
        shutil.rmtree(data_dir)


if __name__ == "__main__":
    main()
