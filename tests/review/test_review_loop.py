"""The clerical review loop end to end: export, a reviewer played from the truth, import, re-run, next quarter.

Real components throughout: generated quarters run through the Dagster job (dbt, Splink, GX), the worklist read and
written as xlsx, the CLI import. The reviewer decides from the generator's truth, never from the model's figures.
"""

from __future__ import annotations

import json
import re

import dagster as dg
import duckdb
import pytest

from orchestration.audit import audit
from orchestration.cli import main
from orchestration.quarters import Quarter
from orchestration.review import decisions_store
from orchestration.review import worklist_format as fmt
from orchestration.synth import generate_quarter
from orchestration.truth_scores import score_quarter
from tests.review.reviewer import doubtful_config, review_from_truth, truth_person

QUARTER, NEXT = "2025Q2", "2025Q3"
PEOPLE = 5_000


def _run(data_dir, quarter, instance):
    from orchestration.run import run_quarter

    outcome = run_quarter(Quarter.parse(quarter), data_dir / "logs" / f"{quarter}.log", instance=instance)
    assert outcome.success, outcome.render()


def _latest(instance, key: dg.AssetKey, quarter: str) -> dict:
    event = instance.get_latest_materialization_event(key)
    assert event.asset_materialization.partition == quarter
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    """2025Q2 run, reviewed from the truth, imported and run again; then 2025Q3 (the same people) run."""
    data_dir = tmp_path_factory.mktemp("review") / "data"
    config = doubtful_config()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        instance = dg.DagsterInstance.ephemeral()
        generate_quarter(QUARTER, PEOPLE, data_dir=data_dir, config=config)
        _run(data_dir, QUARTER, instance)
        before = score_quarter(data_dir, QUARTER)
        first = _latest(instance, dg.AssetKey(["review", "review_worklist"]), QUARTER)
        worklist = data_dir / "reports" / QUARTER / "review" / fmt.WORKLIST_FILE
        filled = data_dir.parent / "returned.xlsx"
        decided = review_from_truth(worklist, truth_person(data_dir, QUARTER), filled)
        assert main(["review", "import", str(filled), "--quarter", QUARTER, "--data-dir", str(data_dir)]) == 0
        _run(data_dir, QUARTER, instance)
        after = score_quarter(data_dir, QUARTER)
        second = _latest(instance, dg.AssetKey(["review", "review_worklist"]), QUARTER)
        clusters = _latest(instance, dg.AssetKey(["linkage", "person_clusters"]), QUARTER)
        generate_quarter(NEXT, PEOPLE, data_dir=data_dir, config=config)
        _run(data_dir, NEXT, instance)
        data_dir.joinpath("figures.json").write_text(json.dumps({"decided": decided}))
    yield {"data_dir": data_dir, "before": before, "after": after, "first": first, "second": second,
           "clusters": clusters, "decided": decided}


def test_the_worklist_lists_doubtful_pairs_of_every_kind_found(loop):
    first = loop["first"]
    assert first["open_pairs"] > 0
    assert first["open_grey_band"] > 0 and first["open_nik_conflict"] + first["open_cut_link"] > 0
    folder = loop["data_dir"] / "reports" / QUARTER / "review"
    for name in (fmt.WORKLIST_FILE, "comparison_viewer.html", "cluster_studio.html"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name


def test_decisions_are_applied_and_the_labelled_pairs_are_right(loop):
    assert loop["decided"]["match"] > 0 and loop["decided"]["not_match"] > 0
    clusters = loop["clusters"]
    assert clusters["review_decisions_in_force"] == sum(loop["decided"].values())
    assert clusters["review_decisions_that_changed_people"] > 0
    second = loop["second"]
    # Every labelled pair is now as the reviewer said, whatever the model thinks of it.
    assert second["labelled_pairs"] >= sum(loop["decided"].values())
    assert second["labels/final_precision"] == 1.0 and second["labels/final_recall"] == 1.0
    # The model alone gets some of them wrong: that is why they were listed.
    assert second["labels/model_precision"] < 1.0 or second["labels/model_recall"] < 1.0
    # Decided pairs are not listed again.
    assert second["open_pairs"] < loop["first"]["open_pairs"]


def test_precision_and_recall_against_the_truth_rise(loop):
    before, after = loop["before"], loop["after"]
    assert after.precision >= before.precision and after.recall >= before.recall
    assert (after.precision, after.recall) != (before.precision, before.recall)
    assert after.person_ids_with_two_people <= before.person_ids_with_two_people


def test_the_ledger_names_the_decisions_that_changed_people(loop):
    ledger = loop["data_dir"] / "reports" / QUARTER / "record_ledger.csv"
    changed = duckdb.sql(f"select count(*) from read_csv('{ledger}', all_varchar = true) "
                         "where review_decisions is not null").fetchall()[0][0]
    assert changed > 0


def test_a_not_match_still_holds_in_the_next_quarter(loop):
    con = duckdb.connect(str(loop["data_dir"] / "warehouse" / f"{NEXT}.duckdb"), read_only=True)
    rows = con.execute("select decision, person_id_l = person_id_r from linkage.review_applied").fetchall()
    con.close()
    not_match = [same for decision, same in rows if decision == "not_match"]
    assert not_match and not any(not_match)
    assert all(same for decision, same in rows if decision == "match")


def test_the_store_and_the_log_hold_no_personal_data(loop):
    data_dir = loop["data_dir"]
    for path in (decisions_store.store_path(data_dir), data_dir / "decisions" / "audit_log.jsonl"):
        # Keyed hashes, digests and pair ids are hex: a run of 16 decimals inside one is no identifier.
        text = re.sub(r"[0-9a-f]{64}|RV[0-9A-F]{16}", "#", path.read_text())
        assert text and not re.search(r"(?<![\d.])\d{16}(?!\d)", text), path.name
    # The audit's leak search covers decisions/ and tmp/ (not allowed folders); the generated landing files'
    # modes are the test's own doing (generated in-process, without the CLI's umask), so only these two count.
    report = audit(data_dir)
    assert report.leaks == {} and report.audit_log.ok and report.audit_log.entries > sum(loop["decided"].values())


@pytest.mark.parametrize("name", ["comparison_viewer.html", "cluster_studio.html", "threshold_selection.html"])
def test_the_dashboards_open_offline(loop, name):
    """Opened in Debian's Chromium with every request off the machine refused: none is made, and no script fails."""
    from playwright.sync_api import sync_playwright

    from tests.ui.test_browser import CHROMIUM, CHROMIUM_ARGS

    path = loop["data_dir"] / "reports" / QUARTER / "review" / name
    remote, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)[:200]))
        page.route(re.compile(r"^(?!file:|data:|blob:|about:)"),
                   lambda route: (remote.append(route.request.url), route.abort()))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(1_000)
        # Something was drawn: Splink's dashboards and the chart render into SVG or canvas elements.
        drawn = page.locator("svg, canvas").count()
        browser.close()
    assert remote == [] and errors == [], (remote, errors)
    assert drawn > 0
