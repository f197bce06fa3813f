"""`satudata verifikasi import DIR`: store the results of the field-verification worksheets petugas returned."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.paths import DATA_DIR_ENV, resolve_data_dir
from orchestration.quarters import Quarter


def _quarter(value: str) -> Quarter:
    try:
        return Quarter.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _verifikasi_import(args: argparse.Namespace) -> int:
    from orchestration.review.audit_log import AuditLogError
    from orchestration.verification.importer import import_field_results
    from orchestration.verification.results_file import FieldFileError

    try:
        outcome = import_field_results(resolve_data_dir(args.data_dir), args.quarter, Path(args.dir))
    except FieldFileError as exc:
        print(f"satudata verifikasi import: REFUSED, nothing applied: {exc}", file=sys.stderr)
        return 2
    except AuditLogError as exc:
        print(f"satudata verifikasi import: FAILED, nothing applied: {exc}", file=sys.stderr)
        return 1
    print(f"satudata verifikasi import {args.quarter}: {outcome.render()}")
    return 0


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `verifikasi import` on the `satudata` subcommands."""
    verifikasi = commands.add_parser("verifikasi", help="field verification of doubtful people by petugas kelurahan")
    verifikasi_commands = verifikasi.add_subparsers(dest="verifikasi_command", required=True)
    field_import = verifikasi_commands.add_parser(
        "import", help="check the returned worksheets of a folder and store their results (all or none); the next "
                       "run of the quarter applies them")
    field_import.add_argument("dir", metavar="DIR", help="the folder holding the returned worksheets (.xlsx)")
    field_import.add_argument("--quarter", type=_quarter, required=True, help="the quarter the worksheets are of")
    field_import.add_argument("--data-dir", help=f"data dir (default ${DATA_DIR_ENV} or ./data)")
    field_import.set_defaults(handler=_verifikasi_import)
    return verifikasi
