"""What the Dagster UI shows of the definitions: one-sentence descriptions and the stage groups (and review)."""

from __future__ import annotations

import re

import pytest

from orchestration.defs.transform.translator import check_description

GROUPS = {"ingest", "staging", "intermediate", "linkage", "marts", "quality", "publish", "review"}
# A full stop, question or exclamation mark followed by a capital starts a second sentence ("docs/x.md" does not).
SECOND_SENTENCE = re.compile(r"[.!?]\s+[A-Z]")
# Sixteen digits in a row would be a NIK or a No. KK.
ID_NUMBER = re.compile(r"\d{16}")


@pytest.fixture(scope="module")
def asset_graph(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        from orchestration.definitions import defs

        return defs.get_repository_def().asset_graph


def _sentence_problem(description: str | None) -> str | None:
    """Why `description` is not one short sentence, or None when it is."""
    if not description or not description.strip():
        return "empty"
    if "Raw SQL" in description or "\n" in description:
        return "more than one line"
    if len(description) > 200:
        return "longer than 200 characters"
    if not description.endswith((".", "!", "?")):
        return "no closing full stop"
    if SECOND_SENTENCE.search(description):
        return "more than one sentence"
    if ID_NUMBER.search(description):
        return "an identity number"
    return None


def test_every_asset_has_a_one_sentence_description(asset_graph):
    problems = {key.to_user_string(): _sentence_problem(asset_graph.get(key).description)
                for key in asset_graph.get_all_asset_keys()}
    assert {key: p for key, p in problems.items() if p} == {}


def test_every_asset_check_has_a_one_sentence_description(asset_graph):
    problems = {key.to_user_string(): _sentence_problem(asset_graph.get_check_spec(key).description)
                for key in asset_graph.asset_check_keys}
    assert len(problems) > 50
    assert {key: p for key, p in problems.items() if p} == {}


def test_assets_are_grouped_by_stage(asset_graph):
    groups = {key.to_user_string(): asset_graph.get(key).group_name for key in asset_graph.get_all_asset_keys()}
    assert set(groups.values()) == GROUPS
    assert groups["reference/dki_kelurahan"] == groups["raw/dtks"] == "ingest"
    assert groups["marts/source_quality"] == "quality"
    assert groups["linkage/person_clusters"] == "linkage"
    assert groups["publish/bps_submission"] == "publish"
    assert groups["review/review_worklist"] == groups["review/review_decisions"] == "review"


def test_dbt_tests_are_described_from_their_arguments(asset_graph):
    descriptions = {(key.asset_key.to_user_string(), asset_graph.get_check_spec(key).description)
                    for key in asset_graph.asset_check_keys}
    assert {
        ("intermediate/int_dukcapil__nik_status", "dbt test: nik is never null."),
        ("intermediate/int_persons__unioned", "dbt test: record_id is unique."),
        ("intermediate/int_persons__conformed", "dbt test: kode_kelurahan exists in dki_kelurahan.kode."),
        ("staging/stg_dtks__persons", "dbt test: jenis_kelamin is one of L, P."),
        ("marts/record_ledger", "dbt test: (source, source_row) is unique."),
    } <= descriptions


@pytest.mark.parametrize(("test", "expected"), [
    ({"name": "assert_no_orphans"}, "dbt test: assert_no_orphans finds no failing rows."),
    ({"name": "expression_is_true_x", "column_name": "desil",
      "test_metadata": {"name": "expression_is_true", "kwargs": {"expression": "desil > 0"}}},
     "dbt test: expression_is_true holds for desil."),
    ({"name": "not_null_x_y", "description": "Every row has a y.\n",
      "test_metadata": {"name": "not_null", "kwargs": {"column_name": "y"}}},
     "dbt test: Every row has a y."),
])
def test_other_dbt_tests_get_a_generic_description(test, expected):
    assert check_description(test) == expected
