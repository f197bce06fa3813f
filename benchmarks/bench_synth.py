"""Benchmark of `satudata synth`: wall time and peak memory (median of runs) at about 1M source rows.

Usage: python benchmarks/bench_synth.py [--people N] [--runs R] [--data-dir D]
Each run is a fresh `satudata synth` process; its peak RSS comes from the kernel (wait4), not from sampling.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=750_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench_synth_"))
    timings = [run_once(args.people, 20250601, data_dir) for _ in range(args.runs)]
    summary = json.loads((data_dir / "truth" / "2025Q2" / "summary.json").read_text())
    rows = summary["rows"]
    source_rows = summary["list_rows_total"]
    print(f"satudata synth, {args.people:,} people, {source_rows:,} source rows "
          f"({sum(rows.values()):,} with the registries), {args.runs} runs")
    for file_name, count in rows.items():
        print(f"  {file_name:<24}{count:>12,}")
    print(f"  wall time: median {statistics.median(t for t, _ in timings):.1f} s "
          f"(runs: {', '.join(f'{t:.1f}' for t, _ in timings)})")
    print(f"  peak RSS:  median {statistics.median(m for _, m in timings):,.0f} MiB "
          f"(max {max(m for _, m in timings):,.0f} MiB)")
    if args.data_dir is None:
        shutil.rmtree(data_dir)


if __name__ == "__main__":
    main()
