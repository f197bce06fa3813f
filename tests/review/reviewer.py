"""A reviewer played from the generator's ground truth: fills in a worklist as Dinas Sosial staff would return it."""

from __future__ import annotations

from pathlib import Path

import dataclasses

import duckdb
import xlsxwriter
from python_calamine import CalamineWorkbook

from orchestration.review import worklist_format as fmt
from orchestration.synth import SynthConfig

REVIEWER_ID = "198001012006041001"  # an NIP-shaped staff id (18 digits), not a recipient's identifier


def doubtful_config() -> SynthConfig:
    """The quarters of the review and field loops: doubtful cases at several times their usual rate (twins, NIK
    typos, NIK ganda, near-NIK registry records, name and date typos), invalid NIKs at their usual rate so that the
    gate passes and the quarter publishes."""
    usual = SynthConfig()
    return dataclasses.replace(SynthConfig.profile("stress"), nik_error_rate=usual.nik_error_rate,
                               registry_invalid_nik_rate=usual.registry_invalid_nik_rate)


def truth_person(data_dir: Path, quarter: str) -> dict[str, int]:
    """source:row -> the true person behind the list row."""
    rows = duckdb.sql(f"select source || ':' || source_row, person_id from "
                      f"read_parquet('{data_dir}/truth/{quarter}/source_rows.parquet')").fetchall()
    return dict(rows)


def read_sheets(path: Path) -> tuple[list[list], list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(fmt.SHEET_PAIRS).to_python(), book.get_sheet_by_name(fmt.SHEET_ABOUT).to_python()


def write_sheets(path: Path, pairs: list[list], about: list[list]) -> Path:
    """Write the two sheets back as plain values (what saving the workbook in a spreadsheet program gives)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    for name, rows in ((fmt.SHEET_PAIRS, pairs), (fmt.SHEET_ABOUT, about)):
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in ("", None):
                    sheet.write(r, c, value)
    book.close()
    return path


def review_from_truth(worklist: Path, truth: dict[str, int], target: Path, only_kinds: set[str] | None = None) -> dict:
    """Decide every listed pair (of `only_kinds`) as the truth says; return how many of each decision."""
    pairs, about = read_sheets(worklist)
    header = pairs[0]
    at = {name: header.index(name) for name in ("kind", "baris_l", "baris_r", *fmt.DECISION_COLUMNS)}
    decided = {"match": 0, "not_match": 0}
    for row in pairs[1:]:
        if only_kinds and row[at["kind"]] not in only_kinds:
            continue
        same = truth[row[at["baris_l"]]] == truth[row[at["baris_r"]]]
        decision = "match" if same else "not_match"
        row[at["decision"]] = decision
        row[at["reason"]] = "same_person_other" if same else "different_person"
        row[at["reviewer"]] = REVIEWER_ID
        decided[decision] += 1
    write_sheets(target, pairs, about)
    return decided
