"""`satudata sanggah`: record an appeal against a person's exclusion from a quarter's list, and its decision."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys

from orchestration.paths import DATA_DIR_ENV, resolve_data_dir
from orchestration.quarters import Quarter

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _quarter(value: str) -> Quarter:
    try:
        return Quarter.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _date(value: str) -> dt.date:
    # Not echoed: what was typed instead of a date may be a NIK.
    try:
        if _DATE.fullmatch(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError("must be a date written YYYY-MM-DD, e.g. 2025-05-12")


def _sanggah(args: argparse.Namespace) -> int:
    from orchestration.appeals.record import AppealError, record_appeal
    from orchestration.review.audit_log import AuditLogError

    try:
        appeal = record_appeal(resolve_data_dir(args.data_dir), args.quarter, args.person_id, args.alasan, args.bukti,
                               args.keputusan, args.diputus_oleh, args.tanggal)
    except AppealError as exc:
        print(f"satudata sanggah: REFUSED, nothing recorded: {exc}", file=sys.stderr)
        return 2
    except AuditLogError as exc:
        print(f"satudata sanggah: FAILED, nothing recorded: {exc}", file=sys.stderr)
        return 1
    outcome = ("is reinstated from the next run of the quarter on" if appeal.keputusan == "diterima" else
               "is kept excluded")
    print(f"satudata sanggah {args.quarter}: {appeal.appeal_id} recorded ({appeal.keputusan}): {appeal.person_id} "
          f"{outcome}")
    return 0


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `sanggah` on the `satudata` subcommands."""
    from orchestration.appeals.record import ALASAN, KEPUTUSAN

    sanggah = commands.add_parser(
        "sanggah", help="record an appeal against a person's exclusion from a quarter's list, and its decision; the "
                        "next run of the quarter applies an upheld one")
    sanggah.add_argument("--quarter", type=_quarter, required=True, help="the quarter the person was excluded from")
    sanggah.add_argument("--person-id", required=True, help="the person's id in the quarter, like P3584017223AB")
    sanggah.add_argument("--alasan", required=True, metavar="ALASAN",
                         help="the ground of the appeal: " + "; ".join(f"{k} ({v})" for k, v in ALASAN.items()))
    sanggah.add_argument("--bukti", required=True, help="the reference of the evidence, e.g. SRT/2025/0012")
    sanggah.add_argument("--keputusan", required=True, metavar="|".join(KEPUTUSAN),
                         help="the decision: diterima (upheld) or ditolak (rejected)")
    sanggah.add_argument("--diputus-oleh", required=True, metavar="NIP", help="the staff id of who decided")
    sanggah.add_argument("--tanggal", type=_date, required=True, metavar="YYYY-MM-DD", help="the date of the decision")
    sanggah.add_argument("--data-dir", help=f"data dir (default ${DATA_DIR_ENV} or ./data)")
    sanggah.set_defaults(handler=_sanggah)
    return sanggah
