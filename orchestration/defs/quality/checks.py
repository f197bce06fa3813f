"""The quality gate: two Great Expectations suites run as blocking checks on the submission table."""

import datetime as dt
import json

import dagster as dg

from orchestration.defs.metadata import table
from orchestration.defs.quality import frames
from orchestration.defs.resources import WarehouseResource
from orchestration.quality.results import SuiteResult, failed
from orchestration.warehouse import table_exists

SUBMISSION_KEY = dg.AssetKey(["marts", "bps_submission"])
RESULTS_DDL = """
create table if not exists quality.suite_results (
    run_id varchar, suite varchar, success boolean, result_json varchar, validated_at varchar
)"""


def record_and_report(warehouse: WarehouseResource, quarter: str, run_id: str, result: SuiteResult) -> dict:
    """Store one suite's result for this run and rewrite the gate report from every suite of the run so far."""
    from orchestration.quality.gate_report import unresolved_regions, write_gate_report

    paths = warehouse.paths(quarter)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with warehouse.connect(quarter) as con:
        con.execute("create schema if not exists quality")
        con.execute(RESULTS_DDL)
        con.execute("delete from quality.suite_results where run_id = ? and suite = ?", [run_id, result.suite_name])
        con.execute("insert into quality.suite_results values (?, ?, ?, ?, ?)",
                    [run_id, result.suite_name, result.success, json.dumps(result.to_dict()), now])
        results = gate_results(con, run_id)
        unresolved = unresolved_regions(con)
    return write_gate_report(paths.reports, quarter=quarter, run_id=run_id, results=results, generated_at=now,
                             unresolved=unresolved)


def gate_results(con, run_id: str) -> list[SuiteResult]:
    """The suites validated in run `run_id`."""
    if not table_exists(con, "quality", "suite_results"):
        return []
    rows = con.execute("select result_json from quality.suite_results where run_id = ? order by suite",
                       [run_id]).fetchall()
    return [SuiteResult.from_dict(json.loads(r[0])) for r in rows]


def check_result(quarter: str, result: SuiteResult, report: dict) -> dg.AssetCheckResult:
    """The Dagster view of a suite: passed or not, and its expectations (failures first) with counts only."""
    columns = [("column", "string"), ("expectation", "string"), ("result", "string"),
               ("unexpected_rows", "int"), ("observed", "string")]
    rows = [(o.column or "table", o.checks, "pass" if o.success else "FAIL", o.unexpected_count,
             None if o.observed_value is None else str(o.observed_value))
            for o in sorted(result.expectations, key=lambda o: o.success)]
    failures = failed(result)
    # The quarter leads the description: a check's history in the UI lists every quarter's evaluations together.
    description = (f"{quarter} blocked: {'; '.join(failures)}" if failures
                   else f"{quarter} passed: all {result.evaluated_expectations} expectations met")
    return dg.AssetCheckResult(
        passed=result.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "quarter": dg.MetadataValue.text(quarter),
            "expectations": table(columns, rows),
            "failed_expectations": dg.MetadataValue.int(len(failures)),
            "gate_verdict": dg.MetadataValue.text(report["verdict"]),
            # List rows whose written region resolved nowhere; the values are in gate_report.md (for the aliases).
            "unresolved_region_rows": dg.MetadataValue.int(report.get("unresolved_regions", {}).get("rows", 0)),
        },
    )


@dg.asset_check(
    asset=SUBMISSION_KEY,
    name="gx_submission_suite",
    blocking=True,
    description="GX suite on the submission's rule counts (made in DuckDB): nobody dead, moved out or deactivated; "
                "valid unique NIKs; DKI kelurahan.",
)
def gx_submission_suite(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from expectations.submission import build_submission_suite
    from orchestration.quality.gx_runner import validate

    quarter = context.run.tags["dagster/partition"]
    paths = warehouse.paths(quarter)
    with warehouse.connect(quarter, read_only=True) as con:
        codes = frames.dki_kelurahan_codes(con)
        # Built first: it refuses a seed without proper DKI codes before anything is counted against it.
        suite = build_submission_suite(codes)
        counts = frames.submission_counts(con, codes)
    result = validate(counts, suite, gx_dir=frames.gx_dir(paths))
    return check_result(quarter, result, record_and_report(warehouse, quarter, context.run.run_id, result))


@dg.asset_check(
    asset=SUBMISSION_KEY,
    name="gx_quarter_suite",
    blocking=True,
    description="GX suite on the quarter: registries present and current, per-source NIK and kelurahan quality, "
                "submission size against the previous quarter.",
)
def gx_quarter_suite(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from expectations.bounds import GateBounds
    from expectations.quarter import build_quarter_suite
    from orchestration.quality.gx_runner import validate

    quarter = context.run.tags["dagster/partition"]
    paths = warehouse.paths(quarter)
    with warehouse.connect(quarter, read_only=True) as con:
        frame = frames.quarter_frame(con, paths)
    result = validate(frame, build_quarter_suite(GateBounds.from_env()), gx_dir=frames.gx_dir(paths))
    return check_result(quarter, result, record_and_report(warehouse, quarter, context.run.run_id, result))
