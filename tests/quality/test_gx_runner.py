"""The GX runner: file context, stored artefacts, idempotent re-runs, and no personal data anywhere it writes."""

from __future__ import annotations

import json
import os

import great_expectations as gx
import pytest
import yaml

from expectations.submission import build_submission_suite
from orchestration.quality.gate_report import write_gate_report
from orchestration.quality.gx_runner import RESULT_FORMAT, SuiteResult, data_docs_index, failed, validate
from tests.quality.conftest import DKI_CODES, valid_submission

DUPLICATED_NIK = "3174094512870042"
MALFORMED_NIK = "31740945128700X9"
NAMES = ["SITI ZULAIKHA PRATAMAWATI", "BAMBANG SUSENO WIRYOHADI", "RATNA DEWI KUSUMANINGRUM"]
BAD_BIRTH_DATE = "05/12/1987"
# A name the name check rejects: GX's default format would keep it among the unexpected values.
UNCLEAN_NAME = "DWI ASTUTI 2 PURBANINGSIH"


def identifying_frame():
    """A submission whose failing rows carry distinctive NIKs, names and birth dates."""
    frame = valid_submission()
    frame.loc[2, ["nik", "nama", "tanggal_lahir"]] = [DUPLICATED_NIK, NAMES[0], "1987-12-05"]
    frame.loc[3, ["nik", "nama", "tanggal_lahir"]] = [DUPLICATED_NIK, NAMES[1], "1987-12-05"]
    frame.loc[4, ["nik", "nama", "tanggal_lahir", "nik_structurally_valid"]] = [
        MALFORMED_NIK, NAMES[2], BAD_BIRTH_DATE, False,
    ]
    frame.loc[5, ["jenis_kelamin", "in_death_registry"]] = ["PEREMPUAN", True]
    frame.loc[6, "nama"] = UNCLEAN_NAME
    return frame


def secrets_in(frame) -> set[str]:
    """Every NIK, No. KK, name and birth date in the frame."""
    return {str(v) for column in ("nik", "no_kk", "nama", "tanggal_lahir") for v in frame[column].dropna()}


@pytest.fixture(scope="module")
def suite():
    return build_submission_suite(DKI_CODES)


@pytest.fixture(scope="module")
def runs(suite, gx_dir):
    """The same failing frame validated twice in one gx_dir."""
    frame = identifying_frame()
    return frame, validate(frame, suite, gx_dir=gx_dir), validate(frame, suite, gx_dir=gx_dir)


def test_default_result_format_would_leak(suite):
    # The premise of RESULT_FORMAT: GX's default keeps raw unexpected values in the result.
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("w")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="v", data=batch, suite=context.suites.add(build_submission_suite(DKI_CODES)))
    )
    leaked = json.dumps(definition.run(batch_parameters={"dataframe": identifying_frame()}).to_json_dict())
    assert MALFORMED_NIK in leaked and DUPLICATED_NIK in leaked and UNCLEAN_NAME in leaked


def test_no_personal_data_in_gx_files_results_or_report(runs, gx_dir, tmp_path):
    frame, result, _ = runs
    assert not result.success
    secrets = secrets_in(frame)
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
        "unexpected_percent", "observed_value", "failure",
    }
    assert all(isinstance(o["observed_value"], (int, float, type(None))) for o in data["expectations"])
