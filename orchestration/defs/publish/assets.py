"""Publication of the quarter after the gate: the BPS submission, its manifest, the ledger and the reports."""

import contextlib
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.defs.metadata import counts_by, table
from orchestration.defs.partitions import quarter_partitions
from orchestration.defs.quality.checks import SUBMISSION_KEY, gate_results
from orchestration.defs.resources import WarehouseResource, storage_errors_explained
from orchestration.linkage.model import load_model
from orchestration.paths import QuarterPaths
from orchestration.publish.csv_export import export_csv
from orchestration.publish.files import private_dir, remove_stale_temps, replace_folder, write_text_atomic
from orchestration.publish.manifest import build_manifest, inputs, person_keys_entry
from orchestration.quality.results import BLOCKED, PASSED, SuiteResult, failed, verdict
from orchestration.reports.exclusions import exclusions_after_quarter, load_amounts, render_exclusions
from orchestration.reports.field_verification import write_field_verification
from orchestration.reports.quarter_over_quarter import export_persons, write_quarter_over_quarter

SUBMISSION_COLUMNS = [
    "person_id", "nik", "no_kk", "nama", "jenis_kelamin", "tanggal_lahir", "alamat", "rt", "rw", "kode_kelurahan",
    "kode_kelurahan_bps", "kelurahan", "kecamatan", "kabkota", "sumber", "desil", "program_bansos",
]
LEDGER_COLUMNS = ["source", "source_row", "person_id", "fate", "reason", "cell_issues", "cell_notes",
                  "review_decisions", "field_result_id", "appeal_id"]
# Every extract's rows are in the ledger, the registries' too: every input row has a fate.
LEDGER_SOURCES = ("dtks", "p3ke", "carik", "dukcapil_kematian", "dukcapil_pindah")


def _fail(message: str) -> dg.Failure:
    return dg.Failure(description=message, allow_retries=False)


PUBLISH_KEY = dg.AssetKey(["publish", "bps_submission"])


@contextlib.contextmanager
def _staging_folder(paths: QuarterPaths, run_id: str) -> Iterator[Path]:
    """An empty private folder to assemble the publish folder in, removed however the step ends.

    What runs of the quarter killed before (kill -9, power cut) left behind is removed first: their staging folders
    and temp files hold personal data and are of no use.
    """
    with storage_errors_explained(paths.data_dir):
        for leftover in paths.staging_root.glob(f"{paths.quarter.key}.*"):
            shutil.rmtree(leftover, ignore_errors=True)
        remove_stale_temps(paths.reports)
        remove_stale_temps(paths.export("persons").parent, name_prefix=paths.export("persons").name)
        staged = private_dir(paths.staging(run_id))
    try:
        yield staged
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def gate_table(results: list[SuiteResult]) -> dg.TableMetadataValue:
    """The gate's suites with their verdicts and expectation counts."""
    return table(
        [("suite", "string"), ("verdict", "string"), ("expectations", "int"), ("failed", "int")],
        [(r.suite_name, PASSED if r.success else BLOCKED, r.evaluated_expectations,
          r.evaluated_expectations - r.successful_expectations) for r in results])


@dg.asset(
    key=PUBLISH_KEY,
    deps=[SUBMISSION_KEY, dg.AssetKey(["marts", "record_ledger"]), dg.AssetKey(["marts", "persons"])],
    group_name="publish",
    partitions_def=quarter_partitions,
    kinds={"csv"},
    description="The BPS submission, its manifest, the record ledger and the exclusions report, after the gate.",
)
def bps_submission_file(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    paths = warehouse.paths(context.partition_key)
    run_id = context.run.run_id
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    model = load_model()
    with _staging_folder(paths, run_id) as staged:
        with warehouse.connect(paths.quarter, read_only=True) as con:
            # Defence in depth: the blocking checks already stop this step, but publication also demands that both
            # suites ran in this very run and passed.
            gate = gate_results(con, run_id)
            if verdict(gate) != PASSED or not {"bps_submission", "quarter"} <= {r.suite_name for r in gate}:
                reasons = [s for r in gate for s in failed(r)] or ["the gate suites did not run in this run"]
                raise _fail("not published, the quality gate did not pass: " + "; ".join(reasons))
            rows_read = dict(con.execute("select source, rows_read from raw.load_log").fetchall())
            ledger_by_source = dict(con.execute(
                "select source, count(*) from marts.record_ledger group by source").fetchall())
            if any(ledger_by_source.get(s, 0) != rows_read.get(s, 0) for s in LEDGER_SOURCES):
                raise _fail(f"not published, the ledger does not account for every row: rows read {rows_read}, "
                            f"ledger rows {ledger_by_source}")
            fates = counts_by(con, "marts.record_ledger", "fate", "rows")
            rows_with_cell_issues, rows_with_cell_notes = con.execute(
                "select count(*) filter (where cell_issues is not null), count(*) filter (where cell_notes is not null) "
                "from marts.record_ledger").fetchall()[0]
            by_reason = counts_by(con, "marts.persons", "status as reason", "people", where="status <> 'eligible'")
            after_quarter = exclusions_after_quarter(con)
            row_count, sha = export_csv(con, "select * from marts.bps_submission", SUBMISSION_COLUMNS,
                                        staged / "bps_submission.csv", run_id, order_by="q.person_id")
            ledger_rows, _ = export_csv(con, "select * from marts.record_ledger", LEDGER_COLUMNS,
                                        paths.reports / "record_ledger.csv", run_id, order_by="q.source, q.source_row")
            exclusions = render_exclusions(con, paths.quarter.key, load_amounts())
            to_verify = write_field_verification(con, paths.reports / "field_verification.csv", run_id)
            input_files = inputs(con)
            previous = paths.latest_earlier_export("persons")
            changes = (write_quarter_over_quarter(con, paths.quarter.key, previous, paths.reports, run_id)
                       if previous else {})
            export_persons(con, paths.export("persons"), run_id)
        with storage_errors_explained(paths.data_dir):
            write_text_atomic(paths.reports / "exclusions.md", exclusions, run_id)
            write_text_atomic(staged / "manifest.json", build_manifest(
                quarter=paths.quarter.key, run_id=run_id, generated_at=now, row_count=row_count, sha256=sha,
                input_files=input_files, model=model.manifest_entry(), gate=gate,
                person_keys=person_keys_entry(paths.export("person_keys"))), run_id)
            # Last: the submission and its manifest replace the published folder together (reports first, so a
            # published quarter always has its ledger and reports).
            replace_folder(staged, paths.publish)
    context.log.info(f"published {row_count:,} people for {paths.quarter.key}")
    return dg.MaterializeResult(metadata={
        "dagster/row_count": dg.MetadataValue.int(row_count),
        "sha256": dg.MetadataValue.text(sha),
        "path": dg.MetadataValue.path(str(paths.publish / "bps_submission.csv")),
        "ledger_rows": dg.MetadataValue.int(ledger_rows),
        "people_to_verify_in_the_field": dg.MetadataValue.int(to_verify),
        "fates": fates,
        "rows_with_cell_issues": dg.MetadataValue.int(rows_with_cell_issues),
        "rows_with_cell_notes": dg.MetadataValue.int(rows_with_cell_notes),
        "exclusions_by_reason": by_reason,
        # Exclusions resting on a registry event dated after the quarter's last day (the extract is pulled later).
        "exclusions_after_quarter_end": dg.MetadataValue.int(sum(later for _, later in after_quarter.values())),
        "exclusions_after_quarter_end_by_reason": table(
            [("reason", "string"), ("people", "int"), ("after_quarter_end", "int")],
            [(reason, n, later) for reason, (n, later) in after_quarter.items()]),
        "gate_verdict": dg.MetadataValue.text(PASSED),
        "gate_suites": gate_table(gate),
        "compared_with": dg.MetadataValue.text(previous.name.split(".")[0] if previous else "none"),
        "people_entered": dg.MetadataValue.int(changes.get("entered", 0)),
        "people_left": dg.MetadataValue.int(changes.get("left", 0)),
        "people_moved_kelurahan": dg.MetadataValue.int(changes.get("moved_kelurahan", 0)),
        "model_version": dg.MetadataValue.text(model.version),
    })
