"""The sensor that re-runs a quarter when people add decisions: one run per quarter named, each store's cursor."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from orchestration.appeals import store as appeals_store
from orchestration.defs.review.sensors import evaluate_decisions, from_linkage_job
from orchestration.review import decisions_store
from orchestration.verification import results_store

KEY = "ab" * 32


def _decision(n: int, quarter: str) -> decisions_store.StoredDecision:
    return decisions_store.StoredDecision(f"D{n:07d}", f"RV{n:016X}", KEY, KEY, "not_match", "twins", "staff.1",
                                          quarter, "2025-07-01T00:00:00Z", KEY)


def _result(n: int, quarter: str) -> results_store.StoredFieldResult:
    return results_store.StoredFieldResult(f"F{n:07d}", f"VF{n:016X}", "nik_tidak_cocok", "P0000000000AB", [KEY],
                                           "meninggal", None, "2025-07-05", "staff.1", quarter,
                                           "2025-07-06T00:00:00Z", KEY)


def _appeal(n: int, quarter: str) -> appeals_store.StoredAppeal:
    return appeals_store.StoredAppeal(f"S{n:07d}", "P0000000000AB", [KEY], "field_deceased", "masih_hidup",
                                      "SRT/2025/0012", "diterima", "staff.1", "2025-08-01", quarter,
                                      "2025-08-01T00:00:00Z")


def _add(data_dir, store, entries) -> None:
    """As an import adds them: under the store's lock."""
    with store.locked(data_dir):
        store.append(data_dir, entries)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(tmp_path))
    return tmp_path


def test_nothing_new_starts_nothing(data_dir):
    result = evaluate_decisions(None)
    assert result.run_requests == [] and "no new" in result.skip_reason.skip_message


def test_each_store_starts_a_run_of_the_quarters_it_names_once(data_dir):
    _add(data_dir, decisions_store, [_decision(1, "2025Q2"), _decision(2, "2025Q1")])
    first = evaluate_decisions(None)
    assert sorted(r.partition_key for r in first.run_requests) == ["2025Q1", "2025Q2"]
    assert json.loads(first.cursor) == {"review": "D0000002"}
    assert [e.asset_key for e in first.asset_events] == [dg.AssetKey(["review", "review_decisions"])]
    # Seen: nothing again.
    assert evaluate_decisions(first.cursor).run_requests == []
    _add(data_dir, results_store, [_result(1, "2025Q2")])
    _add(data_dir, appeals_store, [_appeal(1, "2025Q3")])
    second = evaluate_decisions(first.cursor)
    assert sorted(r.partition_key for r in second.run_requests) == ["2025Q2", "2025Q3"]
    assert json.loads(second.cursor) == {"review": "D0000002", "field": "F0000001", "appeal": "S0000001"}
    assert {e.asset_key.path[-1] for e in second.asset_events} == {"field_results_imported", "appeals_recorded"}
    # A new run key for new entries, so Dagster does not drop the request as a repeat.
    assert not {r.run_key for r in first.run_requests} & {r.run_key for r in second.run_requests}


def test_the_first_cursor_form_still_reads(data_dir):
    _add(data_dir, decisions_store, [_decision(1, "2025Q2"), _decision(2, "2025Q2")])
    assert [r.partition_key for r in evaluate_decisions("D0000001").run_requests] == ["2025Q2"]
    assert evaluate_decisions("D0000002").run_requests == []


def test_the_job_runs_linkage_and_everything_after_it():
    from orchestration.definitions import defs

    job = defs.get_job_def(from_linkage_job.name)
    keys = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {"linkage/person_clusters", "review/field_results", "marts/persons", "publish/bps_submission",
            "review/verification_worksheets", "review/review_worklist"} <= keys
    assert "raw/dtks" not in keys and "intermediate/int_persons__conformed" not in keys
