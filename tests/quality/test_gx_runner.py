"""The GX runner: file context, stored artefacts, idempotent re-runs, and no personal data anywhere it writes."""

from __future__ import annotations

import json
import os

import duckdb
import great_expectations as gx
import pytest
import yaml

from expectations.submission import build_submission_suite
from orchestration.defs.quality.frames import submission_counts
from orchestration.quality.gate_report import write_gate_report
from orchestration.quality.gx_runner import RESULT_FORMAT, SuiteResult, data_docs_index, failed, validate
from tests.quality.conftest import DKI_CODES, build_warehouse, valid_quarter
from tests.quality.row_level_suite import build_row_level_suite, row_level_frame

DUPLICATED_NIK = "3174094512870042"
MALFORMED_NIK = "31740945128700X9"
NAMES = ["SITI ZULAIKHA PRATAMAWATI", "BAMBANG SUSENO WIRYOHADI", "RATNA DEWI KUSUMANINGRUM"]
BAD_BIRTH_DATE = "05/12/1987"
# A name the name check rejects: GX's default format would keep it among the unexpected values.
UNCLEAN_NAME = "DWI ASTUTI 2 PURBANINGSIH"


def identifying_quarter():
    """A submission whose failing rows carry distinctive NIKs, names and birth dates, one of them dead."""
    quarter = valid_quarter()
    rows = quarter.rows
    rows[2].update(nik=DUPLICATED_NIK, nama=NAMES[0], tanggal_lahir="1987-12-05")
    rows[3].update(nik=DUPLICATED_NIK, nama=NAMES[1], tanggal_lahir="1987-12-05")
    rows[4].update(nik=MALFORMED_NIK, nama=NAMES[2], tanggal_lahir=BAD_BIRTH_DATE)
    rows[5].update(jenis_kelamin="PEREMPUAN")
    quarter.deaths.append((rows[5]["nik"], "2025-05-01"))
    rows[6].update(nama=UNCLEAN_NAME)
    return quarter


def secrets_in(quarter) -> set[str]:
    """Every NIK, No. KK, name and birth date in the quarter's submission."""
    return {str(row[c]) for row in quarter.rows for c in ("nik", "no_kk", "nama", "tanggal_lahir") if row[c]}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    quarter = identifying_quarter()
    return quarter, build_warehouse(tmp_path_factory.mktemp("warehouse") / "2025Q2.duckdb", quarter)


@pytest.fixture(scope="module")
def suite():
    return build_submission_suite(DKI_CODES)


@pytest.fixture(scope="module")
def runs(warehouse, suite, gx_dir):
    """The failing quarter's counts validated twice in one gx_dir."""
    quarter, path = warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        counts = submission_counts(con, DKI_CODES)
    return quarter, validate(counts, suite, gx_dir=gx_dir), validate(counts, suite, gx_dir=gx_dir)


def _default_format_result(frame, suite) -> str:
    """The JSON of a validation in GX's own default result format, in a throwaway context."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("w")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="v", data=batch, suite=context.suites.add(suite)))
    return json.dumps(definition.run(batch_parameters={"dataframe": frame}).to_json_dict())


def test_default_result_format_would_leak_rows_but_not_counts(warehouse):
    # Why RESULT_FORMAT stays although the gate now hands GX counts: GX's default keeps raw unexpected values
    # (here of the row-level suite the counts replaced), and any later frame with a row in it would leak them.
    quarter, path = warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        rows, counts = row_level_frame(con), submission_counts(con, DKI_CODES)
    leaked = _default_format_result(rows, build_row_level_suite(DKI_CODES))
    assert MALFORMED_NIK in leaked and DUPLICATED_NIK in leaked and UNCLEAN_NAME in leaked
    # A suite of its own: adding one to a context binds it (the module's must stay unbound, see below).
    counted = _default_format_result(counts, build_submission_suite(DKI_CODES))
    assert not {secret for secret in secrets_in(quarter) if secret in counted}


def test_no_personal_data_in_gx_files_results_or_report(runs, gx_dir, tmp_path):
    quarter, result, _ = runs
    assert not result.success
    secrets = secrets_in(quarter)
    assert {DUPLICATED_NIK, MALFORMED_NIK, BAD_BIRTH_DATE, UNCLEAN_NAME, *NAMES} <= secrets
    assert "bps_submission: nama — 1 of 20 rows have a name with characters other than letters, an apostrophe and " \
           "single spaces" in failed(result)

    report = write_gate_report(
        tmp_path / "reports", quarter="2025Q2", run_id="r1", results=[result], generated_at="2025-07-01T00:00:00Z"
    )
    files = [p for p in gx_dir.rglob("*") if p.is_file()] + list((tmp_path / "reports").iterdir())
    assert any(p.suffix == ".html" and "validations" in p.parts for p in files)
    assert any(p.suffix == ".json" and "validations" in p.parts for p in files)
    texts = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in files if p.suffix != ".otf"}
    # The scan reads real content: the stored result and its Data Docs page both name the failing check.
    pages = [t for name, t in texts.items() if "validations" in name and name.endswith((".json", ".html"))]
    assert len(pages) == 4 and all("in_death_registry" in t for t in pages)
    texts["SuiteResult"] = json.dumps(result.to_dict())
    texts["failed()"] = "\n".join(failed(result))
    texts["report"] = json.dumps(report)
    leaks = {(where, secret) for where, text in texts.items() for secret in secrets if secret in text}
    assert leaks == set()


def test_failing_rows_are_counted(runs):
    _, result, _ = runs
    sentences = failed(result)
    assert "bps_submission: nik — 2 of 20 rows share their NIK with another row" in sentences
    assert "bps_submission: nik — 1 of 20 rows have a NIK without the 16-digit NIK structure" in sentences
    assert "bps_submission: tanggal_lahir — 1 of 20 rows have a birth date not written YYYY-MM-DD" in sentences
    assert "bps_submission: jenis_kelamin — 1 of 20 rows have a sex code other than L or P" in sentences
    assert "bps_submission: in_death_registry — 1 of 20 rows are in the Dukcapil death registry" in sentences
    # The Dagster table's figures: each count out of the submission's rows, under the row-level check it stands for.
    (dead,) = [o for o in result.expectations if o.column == "in_death_registry"]
    assert (dead.unexpected_count, dead.element_count, dead.unexpected_percent) == (1, 20, 5.0)
    assert (dead.expectation_type, dead.checks) == ("expect_column_max_to_be_between",
                                                    "expect_column_values_to_be_in_set")


def test_rerun_reuses_the_project_and_gives_the_same_result(runs, suite, gx_dir):
    _, first, second = runs
    assert first == second
    project = gx_dir / "gx"
    assert sorted(p.name for p in (project / "expectations").glob("*.json")) == ["bps_submission.json"]
    assert sorted(p.name for p in (project / "validation_definitions").glob("*.json")) == ["bps_submission.json"]
    assert sorted(p.name for p in (project / "checkpoints").glob("*.json")) == ["bps_submission.json"]
    checkpoint = json.loads((project / "checkpoints" / "bps_submission.json").read_text())
    assert checkpoint["result_format"] == RESULT_FORMAT
    assert [a["type"] for a in checkpoint["actions"]] == ["update_data_docs"]
    config = yaml.safe_load((project / "great_expectations.yml").read_text())
    assert list(config["fluent_datasources"]) == ["satudata_frames"]
    assert list(config["fluent_datasources"]["satudata_frames"]["assets"]) == ["bps_submission"]
    assert len(list((project / "uncommitted" / "validations").rglob("*.json"))) == 2
    assert data_docs_index(gx_dir).is_file()
    assert oct(os.stat(gx_dir).st_mode & 0o777) == "0o700"
    # The caller's suite stays unbound, so it can be validated in another quarter's gx_dir.
    assert suite.id is None and all(e.id is None for e in suite.expectations)


def test_suite_result_round_trips_through_json(runs):
    _, result, _ = runs
    data = json.loads(json.dumps(result.to_dict()))
    assert SuiteResult.from_dict(data) == result
    assert set(data["expectations"][0]) == {
        "expectation_type", "column", "description", "success", "element_count", "unexpected_count",
        "unexpected_percent", "observed_value", "failure", "rule",
    }
    assert all(isinstance(o["observed_value"], (int, float, type(None))) for o in data["expectations"])
    # A result stored before counts carried their rule (quality.suite_results of an earlier run) still reads.
    for outcome in data["expectations"]:
        del outcome["rule"]
    assert all(o.rule is None for o in SuiteResult.from_dict(data).expectations)
