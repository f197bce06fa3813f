"""Correctness at scale: one generated quarter with every phenomenon on, run once, judged against its truth.

Usage: python benchmarks/bench_quality.py [--people 200000] [--data-dir data/bench/quality] [--seed S]
       [--quarter 2025Q2] [--json figures.json]
Generates the quarter (`satudata synth`, default rates: every phenomenon switched on), runs it through
`quarterly_job` in a child process as `satudata run` does, and prints the figures the acceptance criteria of
issue 11 look at (orchestration/truth_scores.py): whether it published, people who must not be published and
are, people who moved within Jakarta and are missing, pairwise precision and recall, person_ids holding two true
people, and people published twice. Exit 0 when every criterion holds, 1 otherwise. Counts only, never a NIK or
a name.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from orchestration.synth import DEFAULT_SEED
from orchestration.truth_scores import score_quarter

REPO_ROOT = Path(__file__).resolve().parent.parent
# The acceptance criteria of issue 11.
MIN_PRECISION, MIN_RECALL, MAX_PUBLISHED_TWICE_SHARE = 0.999, 0.995, 0.001


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--quarter", default="2025Q2")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "data" / "bench" / "quality")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    data_dir = args.data_dir.resolve() / str(args.people)
    shutil.rmtree(data_dir, ignore_errors=True)
    satudata = [sys.executable, "-m", "orchestration.cli"]
    env = {"SATUDATA_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    subprocess.run([*satudata, "synth", "--quarter", args.quarter, "--people", str(args.people),
                    "--seed", str(args.seed), "--data-dir", str(data_dir)], check=True, cwd=REPO_ROOT)
    synth_s = time.perf_counter() - started
    started = time.perf_counter()
    run = subprocess.run([*satudata, "run", "--quarter", args.quarter, "--data-dir", str(data_dir)],
                         cwd=REPO_ROOT, env={**os.environ, **env})
    run_s = time.perf_counter() - started

    scores = score_quarter(data_dir, args.quarter)
    figures = {"people": args.people, "seed": args.seed, "quarter": args.quarter, "synth_s": round(synth_s, 1),
               "run_s": round(run_s, 1), "run_exit": run.returncode, **scores.as_dict()}
    checks = {
        "publishes": scores.published and run.returncode == 0,
        "nobody_leaked": scores.leaked == 0,
        "nobody_moved_within_dki_missing": scores.moved_within_dki_missing == 0,
        f"precision >= {MIN_PRECISION}": scores.precision >= MIN_PRECISION,
        f"recall >= {MIN_RECALL}": scores.recall >= MIN_RECALL,
        "no person_id holds two people": scores.person_ids_with_two_people == 0,
        f"published twice <= {MAX_PUBLISHED_TWICE_SHARE:.1%}": scores.published_twice_share
        <= MAX_PUBLISHED_TWICE_SHARE,
    }
    figures["checks"] = checks
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
