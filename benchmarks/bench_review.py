"""What clerical review buys: one generated quarter run, its worklist decided from the truth, imported, run again.

Usage: python benchmarks/bench_review.py [--people 20000] [--profile default|doubtful] [--data-dir D] [--json F]
The reviewer decides every listed pair as the generator's truth says (tests/review/reviewer.py), never from the
model. Prints the worklist by kind, the decisions, the model's precision and recall on the labelled pairs, and
pairwise precision and recall against the truth before and after (orchestration/truth_scores.py). `doubtful` is
the review test's profile: the stress rates of hard cases with invalid NIKs at their usual rate. Counts only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.synth import SynthConfig, generate_quarter
from orchestration.truth_scores import score_quarter
from tests.review.reviewer import doubtful_config, review_from_truth, truth_person

REPO_ROOT = Path(__file__).resolve().parent.parent


def _config(profile: str) -> SynthConfig:
    return SynthConfig() if profile == "default" else doubtful_config()


def _satudata(*args: str, data_dir: Path) -> None:
    env = {**os.environ, "SATUDATA_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "orchestration.cli", *args], check=True, env=env, cwd=REPO_ROOT,
                   stdout=subprocess.DEVNULL)


def _scores(data_dir: Path, quarter: str) -> dict:
    s = score_quarter(data_dir, quarter)
    return {"precision": round(s.precision, 6), "recall": round(s.recall, 6), "true_pairs": s.true_pairs,
            "predicted_pairs": s.predicted_pairs, "person_ids_with_two_people": s.person_ids_with_two_people}


def _worklist(data_dir: Path, quarter: str) -> dict:
    export = data_dir / "warehouse" / f"{quarter}.review_pairs.parquet"
    return dict(duckdb.sql(f"select kind, count(*) from read_parquet('{export}') group by 1 order by 1").fetchall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--profile", choices=("default", "doubtful"), default="doubtful")
    parser.add_argument("--quarter", default="2025Q2")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "data" / "bench" / "review")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    data_dir, quarter = args.data_dir, args.quarter
    shutil.rmtree(data_dir, ignore_errors=True)
    generate_quarter(quarter, args.people, data_dir=data_dir, config=_config(args.profile))
    _satudata("run", "--quarter", quarter, data_dir=data_dir)
    before, listed = _scores(data_dir, quarter), _worklist(data_dir, quarter)
    worklist = data_dir / "reports" / quarter / "review" / "review_pairs.xlsx"
    decided = review_from_truth(worklist, truth_person(data_dir, quarter), data_dir.parent / "review_returned.xlsx")
    _satudata("review", "import", str(data_dir.parent / "review_returned.xlsx"), "--quarter", quarter,
              data_dir=data_dir)
    _satudata("run", "--quarter", quarter, data_dir=data_dir)
    after = _scores(data_dir, quarter)
    con = duckdb.connect(str(data_dir / "warehouse" / f"{quarter}.duckdb"), read_only=True)
    applied = con.execute("select decision, count(*) filter (where changed), count(*) from linkage.review_applied "
                          "group by 1 order by 1").fetchall()
    con.close()
    figures = {"people": args.people, "profile": args.profile, "listed": listed, "decided": decided,
               "applied": {d: {"changed": c, "pairs_of_rows": n} for d, c, n in applied},
               "before": before, "after": after, "left_after_review": _worklist(data_dir, quarter)}
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
