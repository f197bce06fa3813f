"""The gate report: verdict, reasons, tables, file modes, atomic and repeatable writes."""

from __future__ import annotations

import json
import os
import stat

import duckdb

from orchestration.quality.gate_report import unresolved_regions, write_gate_report
from orchestration.quality.results import ExpectationOutcome, SuiteResult

DEATH = ExpectationOutcome(
    expectation_type="expect_column_values_to_be_in_set",
    column="in_death_registry",
    description="Nobody in the submission is in the Dukcapil death registry.",
    success=True,
    element_count=18_204,
    unexpected_count=0,
    unexpected_percent=0.0,
)
ROWS = ExpectationOutcome(
    expectation_type="expect_table_row_count_to_be_between",
    column=None,
    description="The submission has at least one row.",
    success=True,
    observed_value=18_204,
)
SHARE = ExpectationOutcome(
    expectation_type="expect_column_max_to_be_between",
    column="p3ke_invalid_nik_share",
    description="At most 5% of p3ke rows lack a structurally valid NIK.",
    success=True,
    observed_value=0.012,
)


def suite_result(name: str, *outcomes: ExpectationOutcome) -> SuiteResult:
    return SuiteResult(
        suite_name=name,
        success=all(o.success for o in outcomes),
        evaluated_expectations=len(outcomes),
        successful_expectations=sum(o.success for o in outcomes),
        expectations=outcomes,
    )


def failing(outcome: ExpectationOutcome, failure: str, **counts) -> ExpectationOutcome:
    return ExpectationOutcome(**{**outcome.__dict__, "success": False, "failure": failure, **counts})


PASSING = [suite_result("bps_submission", ROWS, DEATH), suite_result("quarter", SHARE)]
BLOCKING = [
    suite_result(
        "bps_submission",
        ROWS,
        failing(DEATH, "3 of 18,204 rows are in the Dukcapil death registry", unexpected_count=3),
    ),
    suite_result("quarter", failing(SHARE, "40.0% of p3ke rows lack a structurally valid NIK (limit 5%)",
                                    observed_value=0.4)),
]


def write(reports_dir, results, run_id="run-1", generated_at="2025-07-01T02:00:00+07:00"):
    return write_gate_report(reports_dir, quarter="2025Q2", run_id=run_id, results=results, generated_at=generated_at)


def test_all_suites_passed(tmp_path):
    report = write(tmp_path / "reports", PASSING)
    assert report["verdict"] == "PASSED"
    assert report["failures"] == []
    md = (tmp_path / "reports" / "gate_report.md").read_text()
    assert "**PASSED**" in md and "Why the quarter is blocked" not in md
    assert "| The submission has at least one row. | — | passed | 18,204 |" in md
    assert "| Nobody in the submission is in the Dukcapil death registry. | in_death_registry | passed " \
           "| 0 of 18,204 rows |" in md
    assert "| 0.012 |" in md


def test_a_failed_suite_blocks_and_says_why(tmp_path):
    report = write(tmp_path / "reports", BLOCKING)
    assert report["verdict"] == "BLOCKED"
    assert report["failures"] == [
        "bps_submission: in_death_registry — 3 of 18,204 rows are in the Dukcapil death registry",
        "quarter: p3ke_invalid_nik_share — 40.0% of p3ke rows lack a structurally valid NIK (limit 5%)",
    ]
    md = (tmp_path / "reports" / "gate_report.md").read_text()
    assert "**BLOCKED**" in md
    why = md.split("## Why the quarter is blocked", 1)[1].split("## Suite", 1)[0]
    assert "- bps_submission: in_death_registry — 3 of 18,204 rows are in the Dukcapil death registry" in why
    assert "| in_death_registry | **FAILED** | 3 of 18,204 rows |" in md
    assert "| p3ke_invalid_nik_share | **FAILED** | 0.4 |" in md
    assert md.count("## Suite `") == 2


def test_present_columns_fold_into_one_line(tmp_path):
    exists = [
        ExpectationOutcome("expect_column_to_exist", column, f"The column {column} is present.", True)
        for column in ("nik", "nama", "rt")
    ]
    missing = ExpectationOutcome(
        "expect_column_to_exist", "rw", "The column rw is present.", False, failure="the column is missing"
    )
    write(tmp_path, [suite_result("bps_submission", ROWS, *exists, missing, DEATH)])
    md = (tmp_path / "gate_report.md").read_text()
    assert "| All 3 columns the suite checks for are present. | — | passed | — |" in md
    assert "| The column rw is present. | rw | **FAILED** | — |" in md
    assert "The column nik is present." not in md
    assert md.index("All 3 columns") < md.index("The column rw") < md.index("Nobody in the submission")


def test_no_results_means_the_gate_did_not_run(tmp_path):
    report = write(tmp_path / "reports", [])
    assert report["verdict"] == "BLOCKED"
    assert report["suites"] == []
    assert report["failures"] == ["the gate did not run: no suite was validated"]
    assert "the gate did not run" in (tmp_path / "reports" / "gate_report.md").read_text()


def test_json_matches_the_returned_dict(tmp_path):
    report = write(tmp_path / "reports", BLOCKING)
    on_disk = json.loads((tmp_path / "reports" / "gate_report.json").read_text())
    assert on_disk == report
    assert list(on_disk) == ["quarter", "run_id", "generated_at", "verdict", "suites", "failures",
                             "unresolved_regions"]
    assert on_disk["suites"] == [r.to_dict() for r in BLOCKING]


def test_modes_and_no_temp_files_left(tmp_path):
    reports = tmp_path / "data" / "reports" / "2025Q2"
    old_umask = os.umask(0o022)
    try:
        write(reports, BLOCKING)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(reports.stat().st_mode) == 0o700
    assert sorted(p.name for p in reports.iterdir()) == ["gate_report.json", "gate_report.md"]
    for name in ("gate_report.json", "gate_report.md"):
        assert stat.S_IMODE((reports / name).stat().st_mode) == 0o600


def test_an_existing_reports_dir_is_tightened(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir(mode=0o755)
    os.chmod(reports, 0o755)
    write(reports, PASSING)
    assert stat.S_IMODE(reports.stat().st_mode) == 0o700


def test_rerun_changes_only_time_and_run_id(tmp_path):
    reports = tmp_path / "reports"
    write(reports, BLOCKING, run_id="run-1", generated_at="2025-07-01T02:00:00+07:00")
    first = {name: (reports / name).read_text() for name in ("gate_report.json", "gate_report.md")}
    write(reports, BLOCKING, run_id="run-2", generated_at="2025-07-02T09:30:00+07:00")
    second = {name: (reports / name).read_text() for name in ("gate_report.json", "gate_report.md")}
    for name in first:
        assert first[name] != second[name]
        normalised = second[name].replace("run-2", "run-1").replace("2025-07-02T09:30:00", "2025-07-01T02:00:00")
        assert normalised == first[name]



def test_unresolved_region_values_are_listed_by_count(tmp_path):
    """What the written values of unresolved rows were, most frequent first, for the alias table; counts only."""
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_regions__unresolved_values as select * from (values "
                "('dtks', 'DKJ', 'JAKARTA TIMUR', 'MATRAMAN', 'KEL. PAL MRM', 4), "
                "('carik', null, 'JAKSEL', 'KEBAYORAN', 'GANDARIA', 1), "
                "('p3ke', 'DKI JAKARTA', null, null, '(value with digits)', 2)) "
                "t(source, provinsi_written, kabkota_written, kecamatan_written, kelurahan_written, n_rows)")
    values = unresolved_regions(con)
    con.close()
    report = write_gate_report(tmp_path, quarter="2025Q2", run_id="r", results=PASSING, generated_at="t",
                               unresolved=values)
    assert report["unresolved_regions"]["rows"] == 7
    assert [u["rows"] for u in report["unresolved_regions"]["most_frequent"]] == [4, 2, 1]
    md = (tmp_path / "gate_report.md").read_text()
    section = md.split("## Region values that did not resolve", 1)[1]
    assert "7 list rows, 3 distinct written values" in section
    assert "| dtks | DKJ | JAKARTA TIMUR | MATRAMAN | KEL. PAL MRM | 4 |" in section
    assert "| p3ke | DKI JAKARTA | — | — | (value with digits) | 2 |" in section


def test_no_unresolved_region_values(tmp_path):
    assert unresolved_regions(duckdb.connect()) == []
    write(tmp_path, PASSING)
    assert "Every list row's address resolved" in (tmp_path / "gate_report.md").read_text()
