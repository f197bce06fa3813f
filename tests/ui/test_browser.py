"""The Dagster UI in Debian's headless Chromium, driven by Playwright (which never downloads a browser of its own)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.definitions import defs
from orchestration.review.worklist_format import KINDS
from tests.ui.conftest import ARTIFACTS, GATED

CHROMIUM = Path("/usr/bin/chromium")
STAGES = ["ingest", "staging", "intermediate", "linkage", "marts", "quality", "publish", "review"]
# As the machine's probe started it: without the background-networking flags Chromium keeps dialling Google's hosts.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(backfilled):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is installed by `make setup` (apt-get install chromium)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(60_000)
        # Dagster's newsletter prompt opens whenever it likes over any page; Playwright dismisses it before each action.
        prompt = page.get_by_text("Join the Dagster community")
        page.add_locator_handler(prompt, lambda: page.get_by_role("button", name="Skip").click())
        yield _Browser(page, backfilled.ui.url)
        browser.close()


class _Browser:
    def __init__(self, page, base_url: str):
        self.page, self.base_url = page, base_url

    def open(self, path: str, ready_text: str):
        """Open a UI page and wait until `ready_text` shows."""
        self.page.goto(self.base_url + path)
        self.page.get_by_text(ready_text, exact=True).first.wait_for()
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _assets_by_group() -> dict[str, list[tuple[str, str]]]:
    """(key as the UI writes it, description) of every asset, by group."""
    graph = defs.get_repository_def().asset_graph
    groups: dict[str, list[tuple[str, str]]] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        groups.setdefault(node.group_name, []).append((" / ".join(key.path), node.description))
    return groups


def test_the_asset_graph_shows_every_stage(page):
    ui = page.open("/asset-groups", "Global asset lineage")
    for stage in STAGES:
        ui.get_by_text(stage, exact=True).first.wait_for()
    page.shot("01_global_asset_lineage")


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_shows_its_assets(page, stage):
    ui = page.open(f"/locations/satudata_bansos/asset-groups/{stage}/list", stage)
    for key, description in _assets_by_group()[stage]:
        ui.get_by_text(description, exact=True).first.wait_for()
        # A long key is shown middle-truncated; the whole key stays in the page for the truncation to measure.
        ui.get_by_text(key, exact=True).first.wait_for(state="attached")
    page.shot(f"02_group_{stage}")


def test_the_checks_of_the_submission_and_of_linkage_are_shown(page):
    ui = page.open("/assets/marts/bps_submission?view=checks", "gx_quarter_suite")
    for check in ("gx_quarter_suite", "gx_submission_suite"):
        ui.get_by_text(check, exact=True).first.wait_for()
    ui.get_by_text("unique_bps_submission_person_id", exact=True).first.wait_for(state="attached")
    page.shot("03_submission_checks")
    ui = page.open("/assets/linkage/person_clusters?view=checks", "person_clusters_not_overlinked")
    page.shot("04_linkage_checks")


def _personal_values(data_dir: Path) -> set[str]:
    """NIKs, KK numbers and full names of the gated quarter's people (from the generator's truth)."""
    truth = data_dir / "truth" / GATED / "persons.parquet"
    rows = duckdb.sql(f"select nik, no_kk, nama from read_parquet('{truth}')").fetchall()
    # Planted placeholders ("0", "-") are not identifiers, and would match any page.
    return {value for row in rows for value in row if value and len(value) >= 8}


def test_the_check_that_blocked_the_gated_quarter_says_which_expectation_and_how_many(page, backfilled):
    ui = page.open("/assets/marts/bps_submission?view=checks&checkDetail=gx_quarter_suite", "gx_quarter_suite")
    ui.get_by_text("Execution history", exact=True).click()
    # The blocked evaluation: its description names the failed expectations and what was counted.
    blocked = ui.locator("tr", has_text=f"{GATED} blocked")
    blocked.get_by_text("Failed", exact=True).wait_for()
    assert "death_registry_rows — the Dukcapil death registry has 0 rows" in blocked.inner_text()
    page.shot("05_blocked_check_history")
    blocked.get_by_role("button").click()  # its metadata
    dialog = ui.get_by_role("dialog")
    dialog.get_by_text("BLOCKED", exact=True).wait_for()
    ui.wait_for_timeout(500)  # the dialog fades in
    page.shot("06_blocked_check_metadata")
    shown = dialog.inner_text()
    failing = [line for line in shown.splitlines() if "\tFAIL\t" in line]
    assert any(line.startswith("death_registry_rows\texpect_column_min_to_be_between\tFAIL") for line in failing), shown
    shown = ui.inner_text("body")
    leaked = sum(value in shown for value in _personal_values(backfilled.data_dir))
    assert leaked == 0, f"{leaked} NIKs, KK numbers or names of the quarter are shown in the UI"  # never the values


def test_the_published_quarters_show_their_metadata(page):
    ui = page.open("/assets/publish/bps_submission", "bps_submission")
    ui.get_by_text("gate_verdict").first.wait_for()
    ui.get_by_text("PASSED", exact=True).first.wait_for()
    page.shot("07_publish_latest")


LATEST_PARTITION = """query Latest($path: [String!]!) { assetOrError(assetKey: {path: $path}) {
    ... on Asset { assetMaterializations(limit: 1) { partition } } } }"""


def test_the_review_group_shows_open_pairs_per_kind(page, backfilled):
    # The page shows the latest materialization: whichever quarter ran last (the backfill test re-runs one).
    latest = backfilled.ui.graphql(LATEST_PARTITION, {"path": ["review", "review_worklist"]})
    quarter = latest["assetOrError"]["assetMaterializations"][0]["partition"]
    export = backfilled.data_dir / "warehouse" / f"{quarter}.review_pairs.parquet"
    open_by_kind = dict(duckdb.sql(f"select kind, count(*) from read_parquet('{export}') group by 1").fetchall())
    ui = page.open("/assets/review/review_worklist", "review_worklist")
    ui.get_by_text("open_pairs", exact=True).first.wait_for()
    for kind in KINDS:
        row = ui.locator("tr", has_text=f"open_{kind}").first
        assert row.inner_text().split()[-1] == str(open_by_kind.get(kind, 0)), (kind, row.inner_text())
    page.shot("08_review_open_pairs")


def test_the_field_worksheets_show_open_doubts_per_kind(page, backfilled):
    from orchestration.verification.worksheet_format import DOUBTS, VERIFICATION_ROWS

    latest = backfilled.ui.graphql(LATEST_PARTITION, {"path": ["review", "verification_worksheets"]})
    quarter = latest["assetOrError"]["assetMaterializations"][0]["partition"]
    export = backfilled.data_dir / "warehouse" / f"{quarter}.{VERIFICATION_ROWS}.parquet"
    open_by_kind = dict(duckdb.sql(f"select jenis_keraguan, count(*) from read_parquet('{export}') "
                                   "group by 1").fetchall())
    ui = page.open("/assets/review/verification_worksheets", "verification_worksheets")
    ui.get_by_text("open_doubts", exact=True).first.wait_for()
    for kind in DOUBTS:
        row = ui.locator("tr", has_text=f"open_{kind}").first
        assert row.inner_text().split()[-1] == str(open_by_kind.get(kind, 0)), (kind, row.inner_text())
    page.shot("09_field_open_doubts")
