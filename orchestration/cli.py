"""The `satudata` command: generate a synthetic quarter, or run a quarter through Dagster."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

from orchestration.paths import DATA_DIR_ENV, resolve_data_dir
from orchestration.quarters import Quarter


def _quarter(value: str) -> Quarter:
    try:
        return Quarter.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _synth(args: argparse.Namespace) -> int:
    from orchestration.ingest.contract import extract
    from orchestration.synth import SynthConfig, generate_quarter

    data_dir = resolve_data_dir(args.data_dir)
    config = dataclasses.replace(SynthConfig.profile(args.profile), write_ready_marker=args.ready_marker)
    started = time.perf_counter()
    summary = generate_quarter(args.quarter.key, args.people, seed=args.seed, data_dir=data_dir, config=config)
    rows = {extract(source).file_name: count for source, count in summary["rows"].items()}
    print(f"satudata synth {args.quarter}: {args.people:,} people, seed {args.seed}, profile {args.profile}, "
          f"{time.perf_counter() - started:.1f} s")
    for file_name, count in rows.items():
        print(f"  {file_name:<24} {count:>10,} rows")
    print(f"  landing: {data_dir / 'landing' / args.quarter.key}")
    print(f"  truth:   {data_dir / 'truth' / args.quarter.key}")
    return 0


def _environment(data_dir_arg: str | None) -> Path:
    from orchestration.instance import ensure_dagster_home
    from orchestration.storage import check_writable

    data_dir = resolve_data_dir(data_dir_arg)
    # Before Dagster opens its storage under the data dir: a read-only or full disk is one sentence, not a trace.
    check_writable(data_dir)
    # The code location reads the data dir from the environment, exactly as the UI does.
    os.environ[DATA_DIR_ENV] = str(data_dir)
    os.environ.setdefault("DAGSTER_HOME", str(data_dir / "dagster_home"))
    ensure_dagster_home(Path(os.environ["DAGSTER_HOME"]))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # The venv's dbt and dagster for every process the command starts, activated venv or not.
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return data_dir


def _run(args: argparse.Namespace) -> int:
    data_dir = _environment(args.data_dir)
    from orchestration.run import run_quarter
    from orchestration.summary import quarter_summary

    outcome = run_quarter(args.quarter, log_path=data_dir / "logs" / args.quarter.key / "run.log")
    print(outcome.render())
    print(quarter_summary(data_dir, args.quarter, outcome))
    return 0 if outcome.success else 1


def _train_linkage(args: argparse.Namespace) -> int:
    data_dir = _environment(args.data_dir)
    from orchestration.linkage.model import MODEL_DIR, load_model
    from orchestration.linkage.training_run import new_version, rewrite_on_quarter, train_on_quarter
    from orchestration.run import run_quarter

    model_dir = Path(args.model_dir) if args.model_dir else MODEL_DIR
    if bool(args.keep_weights_of) != bool(args.change):
        print("satudata train-linkage: FAILED: --keep-weights-of and --change go together", file=sys.stderr)
        return 1
    try:
        new_version(args.version, model_dir)  # before the quarter's run: a name that exists is never overwritten
        base = load_model(MODEL_DIR, args.keep_weights_of) if args.keep_weights_of else None
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        print(f"satudata train-linkage: FAILED: {exc}", file=sys.stderr)
        return 1
    outcome = run_quarter(args.quarter, log_path=data_dir / "logs" / args.quarter.key / "train.log",
                          job_name="linkage_input_job")
    if not outcome.success:
        print(outcome.render())
        return 1
    if base is None:
        print(train_on_quarter(data_dir, args.quarter, version=args.version, model_dir=model_dir))
        return 0
    try:
        print(rewrite_on_quarter(data_dir, args.quarter, version=args.version, model_dir=model_dir, base=base,
                                 change=args.change))
    except ValueError as exc:
        print(f"satudata train-linkage: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


def _audit(args: argparse.Namespace) -> int:
    from orchestration.audit import audit

    report = audit(resolve_data_dir(args.data_dir))
    print(report.render())
    return 0 if report.clean else 1


def _review_import(args: argparse.Namespace) -> int:
    from orchestration.linkage.model import load_model
    from orchestration.review.decisions_file import DecisionFileError
    from orchestration.review.importer import import_review

    try:
        outcome = import_review(resolve_data_dir(args.data_dir), args.quarter, Path(args.file),
                                threshold=load_model().threshold)
    except DecisionFileError as exc:
        print(f"satudata review import: REFUSED, nothing applied: {exc}", file=sys.stderr)
        return 2
    print(f"satudata review import {args.quarter}: {outcome.render()}")
    return 0


def _ui(args: argparse.Namespace) -> int:
    import signal

    from orchestration.paths import REPO_ROOT

    _environment(args.data_dir)
    # dagster dev copies the inherited SIGINT disposition onto SIGTERM; started from a non-interactive shell SIGINT
    # is ignored, and then neither signal would stop it (stack-notes.md).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    dagster = str(Path(sys.executable).parent / "dagster")
    os.execv(dagster, [dagster, "dev", "-h", args.host, "-p", str(args.port),
                       "-w", str(REPO_ROOT / "workspace.yaml")])
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `satudata` console script."""
    parser = argparse.ArgumentParser(prog="satudata", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    synth = commands.add_parser("synth", help="write a synthetic quarter with its ground truth")
    synth.add_argument("--quarter", type=_quarter, required=True, help="quarter like 2025Q2")
    synth.add_argument("--people", type=int, required=True, help="number of listed people")
    synth.add_argument("--seed", type=int, default=20250601)
    synth.add_argument("--data-dir", help=f"data dir (default ${DATA_DIR_ENV} or ./data)")
    synth.add_argument("--profile", choices=("default", "stress", "baseline"), default="default",
                       help="rates: realistic defaults, stress (every error and hard case more often), "
                            "or baseline (the phenomena of issue 11 off)")
    synth.add_argument("--ready-marker", action="store_true",
                       help="also write the sender's ready marker beside the files")
    synth.set_defaults(handler=_synth)

    run = commands.add_parser("run", help="run one quarter through the Dagster job")
    run.add_argument("--quarter", type=_quarter, required=True, help="quarter like 2025Q2")
    run.add_argument("--data-dir", help=f"data dir (default ${DATA_DIR_ENV} or ./data)")
    run.set_defaults(handler=_run)

    train = commands.add_parser(
        "train-linkage", help="train the Splink model on a quarter and write it for review and commit")
    train.add_argument("--quarter", type=_quarter, required=True, help="quarter like 2025Q2")
    train.add_argument("--version", required=True,
                       help="model tag, e.g. generated-100k: written as <today>_<tag>.json, never over an existing "
                            "version")
    train.add_argument("--data-dir", help=f"data dir (default ${DATA_DIR_ENV} or ./data)")
    train.add_argument("--model-dir", help="where to write the model (default: the committed model's folder)")
    train.add_argument("--keep-weights-of", metavar="VERSION",
                       help="no training: write VERSION (a committed model) again with the SQL of "
                            "orchestration/linkage/settings.py and its own m and u, evaluated on the quarter it was "
                            "trained on (for a rewrite of a rule's SQL that keeps its meaning)")
    train.add_argument("--change", help="with --keep-weights-of: what the SQL change is, kept in the model file")
    train.set_defaults(handler=_train_linkage)

    check = commands.add_parser(
        "audit", help="check that personal data is only where it belongs: file modes, manifests, leftovers, leaks")
    check.add_argument("--data-dir", help=f"data dir (default ${DATA_DIR_ENV} or ./data)")
    check.set_defaults(handler=_audit)

    review = commands.add_parser("review", help="clerical review of doubtful matches")
    review_commands = review.add_subparsers(dest="review_command", required=True)
    review_import = review_commands.add_parser(
        "import", help="store the decisions of a filled-in worklist (reports/<Q>/review/review_pairs.xlsx); "
                       "the whole file is checked first, and nothing is stored if anything is wrong")
    review_import.add_argument("file", help="the returned worklist (.xlsx)")
    review_import.add_argument("--quarter", type=_quarter, required=True, help="the quarter the worklist is of")
    review_import.add_argument("--data-dir", help=f"data dir (default ${DATA_DIR_ENV} or ./data)")
    review_import.set_defaults(handler=_review_import)

    from orchestration.appeals.cli import add_parser as add_sanggah
    from orchestration.verification.cli import add_parser as add_verifikasi

    add_verifikasi(commands)
    add_sanggah(commands)

    ui = commands.add_parser("ui", help="the Dagster UI (dagster dev) on the same data dir and instance")
    ui.add_argument("--data-dir", help=f"data dir (default ${DATA_DIR_ENV} or ./data)")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=_ui)

    args = parser.parse_args(argv)
    from orchestration.privacy import restrict_new_files

    from orchestration.storage import StorageError, explain

    # Before anything is written: the data dir holds personal data, and so may anything dbt or Dagster writes.
    restrict_new_files()
    try:
        return args.handler(args)
    except (StorageError, OSError) as exc:
        message = str(exc) if isinstance(exc, StorageError) else explain(exc, resolve_data_dir(args.data_dir))
        if message is None:
            raise
        print(f"satudata {args.command}: FAILED: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
