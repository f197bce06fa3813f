"""Benchmark of the whole Dagster job: wall time and peak memory per stage, median of runs, at 100k, 1M and 10M rows.

Usage: python benchmarks/bench_pipeline.py [--sizes 100000,1000000 | --people 70000,700000] [--runs R]
       [--data-dir data/bench] [--seed S] [--quarter 2025Q2]
Source rows are the rows of the three lists (DTKS, P3KE, CARIK). Each size is generated once (skipped when its truth
summary already matches), then each run copies the landing files into an emptied data dir and runs `quarterly_job`
in a fresh child process, as `satudata run` does. Stage times come from the step events in the run's event log;
memory is the RSS summed over the child and its descendants (dbt), sampled from /proc every 0.1 s by this process.
After each run, benchmarks/bench_splink_alone.py predicts and clusters that run's linkage input with the committed
model and nothing else, in its own process: the ratio of end to end to that is printed (issue 12: at most 3x).
After the last run of a size, benchmarks/bench_blocking.py counts the comparisons of each blocking rule and
benchmarks/bench_floor.py times reading the landing files once and writing the submission once (no checks).
The linkage step is also timed part by part (its `seconds_by_part` metadata). Figures go to
<data dir>/pipeline_results.json.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from orchestration.instance import ensure_dagster_home
from orchestration.truth_scores import score_quarter

REPO_ROOT = Path(__file__).resolve().parent.parent
ROWS_PER_PERSON = 1.43  # list rows per listed person, measured: 750,000 people gave 1,069,123 list rows
SAMPLE_SECONDS = 0.1
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024
# Issue 12's targets: (source rows, end-to-end seconds, peak MiB of all the job's processes together).
TARGETS = ((1_000_000, 120, 8 * 1024), (10_000_000, 1200, 8 * 1024))
MAX_RATIO_TO_SPLINK_ALONE = 3.0
# Which Dagster steps make up each stage, in the order they run; a step that matches none stops the benchmark.
STAGES = (
    ("ingest", r"raw__.*"),
    ("dbt_conform", r"dbt_conform.*"),
    ("linkage", r"linkage__.*"),
    # issue 13: the clerical worklist, the field worksheets and the import of people's decisions
    ("review", r"review__.*|human_decisions"),
    ("dbt_marts", r"dbt_marts.*"),
    ("gate", r".*_gx_(submission|quarter)_suite"),
    ("publish", r"publish__.*"),
)

# Runs in the child: loads the definitions (timed), runs the job like `satudata run`, writes what happened as JSON.
CHILD = """
import time
loading = time.perf_counter()
from orchestration.definitions import defs
load_s = time.perf_counter() - loading
import json, sys
from pathlib import Path
import dagster as dg
from orchestration.quarters import Quarter
from orchestration.run import run_quarter
quarter, run_log, result_path = Quarter.parse(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
expected = [node.name for node in defs.resolve_job_def("quarterly_job").graph.nodes]
kinds = {dg.DagsterEventType.STEP_START: "start", dg.DagsterEventType.STEP_SUCCESS: "success",
         dg.DagsterEventType.STEP_FAILURE: "failure", dg.DagsterEventType.STEP_SKIPPED: "skipped"}
with dg.DagsterInstance.get() as instance:
    job_started = time.time()
    outcome = run_quarter(quarter, log_path=run_log, instance=instance)
    job_s = time.time() - job_started
    events, linkage_parts = [], {}
    if outcome.run_id:
        for entry in instance.all_logs(outcome.run_id, of_type=set(kinds)):
            events.append([entry.step_key, kinds[entry.dagster_event_type], entry.timestamp])
        for entry in instance.all_logs(outcome.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
            materialization = entry.dagster_event.event_specific_data.materialization
            if materialization.asset_key == dg.AssetKey(["linkage", "person_clusters"]):
                parts = materialization.metadata["seconds_by_part"].value.records
                linkage_parts = {r.data["part"]: r.data["seconds"] for r in parts}
Path(result_path).write_text(json.dumps({
    "load_s": load_s, "job_started": job_started, "job_s": job_s, "success": outcome.success,
    "render": outcome.render(), "expected_steps": expected, "events": events, "linkage_parts": linkage_parts}))
"""


def stage_of(step_key: str) -> str | None:
    return next((stage for stage, pattern in STAGES if re.fullmatch(pattern, step_key)), None)


def tree_pids(root: int) -> list[int]:
    """The root process and all its descendants, from the parent pid in /proc/<pid>/stat."""
    children = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path("/proc", entry.name, "stat").read_text()
            except OSError:
                continue
            # The command name in parentheses may hold spaces; the parent pid is the second field after it.
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def tree_rss(root: int) -> int:
    """Resident bytes of a process tree (statm's resident pages, the same figure as VmRSS)."""
    total = 0
    for pid in tree_pids(root):
        try:
            total += int(Path("/proc", str(pid), "statm").read_text().split()[1]) * PAGE_BYTES
        except (OSError, ValueError, IndexError):
            continue  # exited between the walk and the read
    return total


class TreeSampler(threading.Thread):
    """(time, RSS of the tree) every SAMPLE_SECONDS until stopped; a thread here, so the measured process is idle."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.samples: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.time(), tree_rss(self.root)))
            self.done.wait(SAMPLE_SECONDS)

    def stop(self) -> list[tuple[float, int]]:
        self.done.set()
        self.join()
        return self.samples


def peak_mib(samples: list[tuple[float, int]], windows: list[tuple[float, float]]) -> float:
    """Largest sample inside any window; a window shorter than the interval takes the sample just before it."""
    times = [t for t, _ in samples]
    peak = 0
    for start, end in windows:
        first, last = bisect.bisect_left(times, start), bisect.bisect_right(times, end)
        inside = [rss for _, rss in samples[first:last]] or [samples[max(first - 1, 0)][1]]
        peak = max(peak, *inside)
    return peak / MIB


def generate(people: int, seed: int, quarter: str, source_dir: Path) -> dict:
    """The truth summary of the quarter in source_dir, generating it first unless it already matches."""
    summary_path = source_dir / "truth" / quarter / "summary.json"
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        if summary["people"] == people and summary["seed"] == seed:
            return summary
    print(f"generating {people:,} people (seed {seed}) into {source_dir} ...", flush=True)
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "satudata"), "synth", "--quarter", quarter, "--people",
                    str(people), "--seed", str(seed), "--data-dir", str(source_dir)], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"  generated in {time.perf_counter() - started:.1f} s (not part of the figures)", flush=True)
    return json.loads(summary_path.read_text())


def fail(message: str) -> None:
    print(f"\nBENCHMARK STOPPED, no figures: {message}", file=sys.stderr)
    raise SystemExit(1)


def run_once(quarter: str, source_dir: Path, run_dir: Path) -> dict:
    """One job run on a fresh copy of the landing files: per-stage seconds and peak MiB, job and loading figures."""
    # Nothing from an earlier run may remain (warehouse, publish, reports, gx, Splink temp), so every run does all.
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(source_dir / "landing" / quarter, run_dir / "landing" / quarter)
    logs = run_dir / "logs" / quarter
    logs.mkdir(parents=True)
    ensure_dagster_home(run_dir / "dagster_home")
    env = dict(os.environ, SATUDATA_DATA_DIR=str(run_dir), DAGSTER_HOME=str(run_dir / "dagster_home"),
               GX_ANALYTICS_ENABLED="false", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    result_path = logs / "bench_result.json"
    with (logs / "bench_child.log").open("w") as child_log:
        spawned = time.time()
        child = subprocess.Popen([sys.executable, "-c", CHILD, quarter, str(logs / "run.log"), str(result_path)],
                                 cwd=REPO_ROOT, env=env, stdout=child_log, stderr=subprocess.STDOUT)
        sampler = TreeSampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        samples = sampler.stop()
    if os.waitstatus_to_exitcode(status) != 0 or not result_path.exists():
        tail = "".join((logs / "bench_child.log").read_text().splitlines(keepends=True)[-15:])
        fail(f"the job's process exited with status {os.waitstatus_to_exitcode(status)}; "
             f"last lines of {logs / 'bench_child.log'}:\n{tail}")
    child_result = json.loads(result_path.read_text())

    windows: dict[str, dict[str, float]] = defaultdict(dict)
    outcome: dict[str, str] = {}
    for step_key, kind, timestamp in child_result["events"]:
        if kind in ("start", "success", "failure"):
            windows[step_key]["start" if kind == "start" else "end"] = timestamp
        if kind != "start":
            outcome[step_key] = kind
    problems = [f"failed step: {k}" for k, v in outcome.items() if v == "failure"]
    problems += [f"skipped step: {k}" for k, v in outcome.items() if v == "skipped"]
    problems += [f"step never ran: {k}" for k in child_result["expected_steps"] if k not in outcome]
    problems += [f"step without start or end event: {k}" for k, w in windows.items() if len(w) != 2]
    if not child_result["success"] or problems:
        fail("the job did not succeed\n" + child_result["render"] + "\n" + "\n".join(f"  {p}" for p in problems)
             + f"\n  logs: {logs}")
    unstaged = [k for k in windows if stage_of(k) is None]
    if unstaged:
        fail(f"steps that belong to no stage (update STAGES): {', '.join(unstaged)}")

    stages = {}
    for stage, _ in STAGES:
        steps = {k: (w["start"], w["end"]) for k, w in windows.items() if stage_of(k) == stage}
        if not steps:
            fail(f"no step of the job belongs to stage {stage}; steps: {', '.join(windows)}")
        stages[stage] = {"wall_s": sum(end - start for start, end in steps.values()),
                         "peak_rss_mib": peak_mib(samples, list(steps.values())),
                         "steps": sorted(steps)}
    alone = splink_alone(run_dir / "warehouse" / f"{quarter}.duckdb", logs)
    job_started = child_result["job_started"]
    return {
        "splink_alone": alone,
        "stages": stages,
        # The linkage step part by part, from its own metadata (seconds_by_part).
        "linkage_parts_s": child_result["linkage_parts"],
        # Dagster's own work outside the steps: creating the run, planning, events between steps.
        "between_steps_s": child_result["job_s"] - sum(s["wall_s"] for s in stages.values()),
        "job_s": child_result["job_s"],
        "job_peak_rss_mib": peak_mib(samples, [(job_started, job_started + child_result["job_s"])]),
        "load_s": child_result["load_s"],
        "load_peak_rss_mib": peak_mib(samples, [(spawned, job_started)]),
        "process_peak_rss_mib": max(rss for _, rss in samples) / MIB,
        # The kernel's figure for the largest single process, a check that 0.1 s sampling misses no spike.
        "kernel_max_single_rss_mib": usage.ru_maxrss / 1024,
        "samples": len(samples),
    }


def _bench_script(script: str, name: str, what: str, warehouse: Path, logs: Path, *extra: str) -> dict:
    """benchmarks/<script> on a run's warehouse in a child process; its figures from <logs>/<name>.json."""
    figures = logs / f"{name}.json"
    with (logs / f"{name}.log").open("w") as log:
        done = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / script),
                               "--warehouse", str(warehouse), "--json", str(figures), *extra],
                              cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        fail(f"{what} exited with status {done.returncode}; see {logs / f'{name}.log'}")
    return json.loads(figures.read_text())


def splink_alone(warehouse: Path, logs: Path) -> dict:
    """benchmarks/bench_splink_alone.py on the run's own linkage input, in a child process, with its peak RSS."""
    return _bench_script("bench_splink_alone.py", "splink_alone", "Splink alone", warehouse, logs)


def blocking(warehouse: Path, logs: Path) -> dict:
    """benchmarks/bench_blocking.py on the last run's linkage input: comparisons per rule, largest blocks."""
    return _bench_script("bench_blocking.py", "blocking", "the blocking analysis", warehouse, logs)


def floor(source_dir: Path, warehouse: Path, logs: Path, quarter: str) -> dict:
    """benchmarks/bench_floor.py: the size's landing files read once and the run's submission written once."""
    return _bench_script("bench_floor.py", "floor", "the floor", warehouse, logs, "--data-dir", str(source_dir),
                         "--quarter", quarter)


def median_of(runs: list[dict]) -> dict:
    """Median per stage and per total over the runs."""

    def med(values) -> float:
        return statistics.median(list(values))

    return {
        "stages": {stage: {"wall_s": med(r["stages"][stage]["wall_s"] for r in runs),
                           "peak_rss_mib": med(r["stages"][stage]["peak_rss_mib"] for r in runs)}
                   for stage, _ in STAGES},
        "linkage_parts_s": {part: med(r["linkage_parts_s"][part] for r in runs)
                            for part in runs[0]["linkage_parts_s"]},
        "between_steps_s": med(r["between_steps_s"] for r in runs),
        "job_s": med(r["job_s"] for r in runs),
        "job_peak_rss_mib": med(r["job_peak_rss_mib"] for r in runs),
        "load_s": med(r["load_s"] for r in runs),
        "load_peak_rss_mib": med(r["load_peak_rss_mib"] for r in runs),
        "end_to_end_s": med(r["load_s"] + r["job_s"] for r in runs),
        "process_peak_rss_mib": med(r["process_peak_rss_mib"] for r in runs),
        "splink_alone_s": med(r["splink_alone"]["splink_s"] for r in runs),
        "splink_alone_peak_rss_mib": med(r["splink_alone"]["peak_rss_mib"] for r in runs),
        "ratio_to_splink_alone": med((r["load_s"] + r["job_s"]) / r["splink_alone"]["splink_s"] for r in runs),
    }


def short(rows: int) -> str:
    """100000 -> 100k, 1000000 -> 1M, 1069123 -> 1.07M."""
    if rows >= 1_000_000:
        return f"{rows / 1_000_000:.3g}M"
    return f"{rows / 1000:.3g}k" if rows >= 1000 else str(rows)


def readme_table(sizes: list[dict]) -> str:
    header = "| stage |" + "".join(f" {s['label']} wall (median) | {s['label']} peak RSS |" for s in sizes)
    lines = [header, "|---|" + "---:|---:|" * len(sizes)]

    def row(name: str, cells: list[tuple[str, str]]) -> None:
        lines.append(f"| {name} |" + "".join(f" {wall} | {rss} |" for wall, rss in cells))

    row("source rows (DTKS+P3KE+CARIK)", [(f"{s['source_rows']:,}", f"{len(s['runs'])} run(s)") for s in sizes])
    for stage, _ in STAGES:
        row(stage, [(f"{s['median']['stages'][stage]['wall_s']:.1f} s",
                     f"{s['median']['stages'][stage]['peak_rss_mib']:,.0f} MiB") for s in sizes])
    row("Dagster between steps", [(f"{s['median']['between_steps_s']:.1f} s", "") for s in sizes])
    row("**job total**", [(f"**{s['median']['job_s']:.1f} s**", f"**{s['median']['job_peak_rss_mib']:,.0f} MiB**")
                          for s in sizes])
    row("loading the definitions", [(f"{s['median']['load_s']:.1f} s", f"{s['median']['load_peak_rss_mib']:,.0f} MiB")
                                    for s in sizes])
    row("end to end (loading + job)", [(f"{s['median']['end_to_end_s']:.1f} s",
                                        f"{s['median']['process_peak_rss_mib']:,.0f} MiB") for s in sizes])
    row("Splink alone (predict + cluster, same input)", [(f"{s['median']['splink_alone_s']:.1f} s",
                                                         f"{s['median']['splink_alone_peak_rss_mib']:,.0f} MiB")
                                                        for s in sizes])
    row("end to end / Splink alone", [(f"{s['median']['ratio_to_splink_alone']:.1f}x", "") for s in sizes])
    row("floor: the files read once, the submission written once", [(f"{s['floor']['floor_s']:.1f} s", "")
                                                                     for s in sizes])
    row("comparisons scored (blocking)", [(f"{s['blocking']['rules'][-1]['cumulative_comparisons']:,}", "")
                                          for s in sizes])
    row("pairwise precision / recall (truth)", [(f"{s['quality']['precision']:.5f} / {s['quality']['recall']:.5f}",
                                                 "") for s in sizes])
    row("person_ids holding two people", [(f"{s['quality']['person_ids_with_two_people']:,}", "") for s in sizes])
    return "\n".join(lines)


def target_lines(sizes: list[dict]) -> list[str]:
    """Issue 12's targets, judged on the worst run of the sizes that reach them, and the growth from 1M to 10M."""
    lines = []
    for rows, seconds_max, mib_max in TARGETS:
        # 1M/1.43 people give a few thousand rows fewer than 1M; they still count as the 1M size.
        size = next((s for s in sizes if 0.95 * rows <= s["source_rows"] <= 1.5 * rows), None)
        if size is None:
            lines.append(f"target at {rows:,} source rows not judged: no such size in this run")
            continue
        seconds = max(r["load_s"] + r["job_s"] for r in size["runs"])
        mib = max(r["process_peak_rss_mib"] for r in size["runs"])
        ratio = max((r["load_s"] + r["job_s"]) / r["splink_alone"]["splink_s"] for r in size["runs"])
        holds = seconds <= seconds_max and mib <= mib_max
        lines.append(f"target at {size['source_rows']:,} source rows (end to end <= {seconds_max // 60} min within "
                     f"{mib_max // 1024} GiB): {'HOLDS' if holds else 'MISSED'} - worst of {len(size['runs'])} "
                     f"run(s) {seconds:.1f} s, {mib:,.0f} MiB; end to end / Splink alone {ratio:.1f}x "
                     f"({'within' if ratio <= MAX_RATIO_TO_SPLINK_ALONE else 'over'} {MAX_RATIO_TO_SPLINK_ALONE:g}x)")
        size["target_holds"] = holds
    small = next((s for s in sizes if 0.95e6 <= s["source_rows"] <= 1.5e6), None)
    large = next((s for s in sizes if 0.95e7 <= s["source_rows"] <= 1.5e7), None)
    if small and large:
        scale = large["source_rows"] / small["source_rows"]
        for stage, _ in STAGES:
            growth = large["median"]["stages"][stage]["wall_s"] / max(small["median"]["stages"][stage]["wall_s"], 0.01)
            verdict = "linear or better" if growth <= 1.1 * scale else "WORSE than linear"
            lines.append(f"  {stage}: {growth:.1f}x from {short(small['source_rows'])} to "
                         f"{short(large['source_rows'])} ({verdict})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--sizes", default="100000,1000000",
                        help=f"source-row targets, comma separated, turned into people at {ROWS_PER_PERSON} rows each")
    chosen.add_argument("--people", help="people per size, comma separated (instead of --sizes)")
    parser.add_argument("--runs", type=int,
                        help="runs per size (default 3 below 5M source rows, 1 from there: a 10M run takes 20 minutes)")
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench"))
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--quarter", default="2025Q2")
    args = parser.parse_args()
    if args.people:
        plans = [(int(p), round(int(p) * ROWS_PER_PERSON)) for p in args.people.split(",")]
    else:
        plans = [(round(int(r) / ROWS_PER_PERSON), int(r)) for r in args.sizes.split(",")]
    data_dir = args.data_dir.resolve()

    sizes = []
    for people, target in plans:
        size_dir = data_dir / f"people_{people}"
        summary = generate(people, args.seed, args.quarter, size_dir / "source")
        source_rows = summary["list_rows_total"]
        runs = args.runs or (3 if target < 5_000_000 else 1)
        size = {"label": short(target if not args.people else source_rows), "people": people,
                "source_rows": source_rows, "registry_rows": sum(summary["rows"].values()) - source_rows, "runs": []}
        print(f"{short(target)}: {people:,} people, {source_rows:,} source rows "
              f"(+{size['registry_rows']:,} registry rows), {runs} run(s)", flush=True)
        for number in range(1, runs + 1):
            result = run_once(args.quarter, size_dir / "source", size_dir / "run")
            size["runs"].append(result)
            stages = ", ".join(f"{stage} {result['stages'][stage]['wall_s']:.1f}" for stage, _ in STAGES)
            print(f"  run {number}: job {result['job_s']:.1f} s ({stages}; between steps "
                  f"{result['between_steps_s']:.1f}), loading {result['load_s']:.1f} s, peak RSS "
                  f"{result['process_peak_rss_mib']:,.0f} MiB (kernel, largest single process: "
                  f"{result['kernel_max_single_rss_mib']:,.0f} MiB), {result['samples']} samples", flush=True)
            print("    linkage by part: " + ", ".join(f"{part} {seconds:.1f}" for part, seconds
                                                      in result["linkage_parts_s"].items()), flush=True)
        size["median"] = median_of(size["runs"])
        size["blocking"] = blocking(size_dir / "run" / "warehouse" / f"{args.quarter}.duckdb",
                                    size_dir / "run" / "logs" / args.quarter)
        size["floor"] = floor(size_dir / "source", size_dir / "run" / "warehouse" / f"{args.quarter}.duckdb",
                              size_dir / "run" / "logs" / args.quarter, args.quarter)
        low = size["floor"]
        print(f"  floor: the CSVs read once {low['csv_s']:.1f} s, the workbook {low['xlsx_s']:.1f} s, "
              f"the submission written {low['write_s']:.1f} s", flush=True)
        # Linkage no worse at scale: the last run's submission and ledger judged against the generated truth.
        size["quality"] = score_quarter(size_dir / "run", args.quarter, truth_dir=size_dir / "source").as_dict()
        quality = size["quality"]
        print(f"  against the truth: precision {quality['precision']:.5f}, recall {quality['recall']:.5f}, "
              f"person_ids holding two people {quality['person_ids_with_two_people']}, "
              f"leaked {quality['leaked']}", flush=True)
        rules = size["blocking"]["rules"]
        largest = max(max(r["largest_blocks_rows_left_x_right"] or [0]) for r in rules)
        print("  blocking: " + ", ".join(f"{r['marginal_comparisons']:,}" for r in rules)
              + f" comparisons by rule; largest block {largest:,} pairs", flush=True)
        sizes.append(size)

    print(f"\nquarterly_job, {args.quarter}, seed {args.seed}, {os.cpu_count()} CPUs; median per stage; "
          f"peak RSS summed over the job's process and its children (dbt), sampled every {SAMPLE_SECONDS} s\n")
    print(readme_table(sizes))
    print()
    for line in target_lines(sizes):
        print(line)
    results = {"quarter": args.quarter, "seed": args.seed, "cpus": os.cpu_count(), "sample_seconds": SAMPLE_SECONDS,
               "stages": {stage: pattern for stage, pattern in STAGES}, "sizes": sizes}
    (data_dir / "pipeline_results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures: {data_dir / 'pipeline_results.json'}")


if __name__ == "__main__":
    main()
